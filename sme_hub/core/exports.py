"""Lists as files people open in a spreadsheet: CSV (UTF-8 with a BOM, so Excel reads the
Cyrillic right) and XLSX. Every export builds a header row and plain rows, then picks one."""

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from litestar import Response
from xlsxwriter import Workbook

Cell = str | int | Decimal | bool | datetime | None

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def table_csv(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if cell is None else _plain(cell) for cell in row])
    return ("\ufeff" + buffer.getvalue()).encode()


def table_xlsx(header: Sequence[str], rows: Iterable[Sequence[Cell]], *, sheet: str) -> bytes:
    buffer = io.BytesIO()
    with Workbook(buffer, {"in_memory": True, "remove_timezone": True}) as book:
        worksheet = book.add_worksheet(sheet[:31])
        bold = book.add_format({"bold": True})
        when = book.add_format({"num_format": "dd.mm.yyyy hh:mm"})
        worksheet.write_row(0, 0, header, bold)
        worksheet.freeze_panes(1, 0)
        for r, row in enumerate(rows, start=1):
            for c, cell in enumerate(row):
                if isinstance(cell, datetime):
                    worksheet.write_datetime(r, c, cell, when)
                elif isinstance(cell, Decimal):  # money: exact in the data, a number in the sheet
                    worksheet.write_number(r, c, float(cell))
                elif cell is not None:
                    worksheet.write(r, c, cell)
        worksheet.autofit()
    return buffer.getvalue()


def _plain(cell: Cell) -> Any:
    return cell.strftime("%d.%m.%Y %H:%M") if isinstance(cell, datetime) else cell


def download(
    header: Sequence[str], rows: Sequence[Sequence[Cell]], *, name: str, fmt: str
) -> Response[bytes]:
    """The list as `name.csv` or `name.xlsx` (`fmt`), as a download."""
    if fmt == "xlsx":
        body, media_type = table_xlsx(header, rows, sheet=name), XLSX_MEDIA_TYPE
    else:
        body, media_type = table_csv(header, rows), "text/csv; charset=utf-8"
    return Response(
        body,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'},
    )
