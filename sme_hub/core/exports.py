"""Lists as files people open in a spreadsheet, streamed from PostgreSQL: CSV (UTF-8 with a
BOM, so Excel reads the Cyrillic right) and XLSX. Every export of every list is a route made
by `export_route` (the API's and the page's twin alike) and goes through `download`: the
list's own SQL statement, a header, and how one row becomes cells.

No text a person typed (a name, a project title, a note) becomes a formula when the file is
opened (OWASP's "CSV injection"): XLSX cells of text are written as strings, never through
xlsxwriter's guessing `write()`, and a CSV text cell that a spreadsheet would take for a
formula (starting with = + - @, a tab or a carriage return) gets a leading `'`, as OWASP
advises. Numbers, amounts and dates stay numbers and dates. The open data CSV of awarded
grants is written here too, and gets the same treatment: people open it in a spreadsheet as
often as programs read it, and only a text that starts with one of those characters changes.

Memory stays flat whatever the number of rows: rows come from a server-side cursor in
batches and leave the process as soon as they are written.

Session lifetime: the request's session (sme_hub/db.py) is committed and closed in
`before_send`, on `http.response.start` — that is, before the first byte of a streamed body
is produced. So the body cannot read through the request's session. Checks (tenancy,
filters) and the audit record happen in the request's transaction before the response is
returned (the audit is committed with the 2xx start), and the body's generator opens its own
short read-only transaction on a connection of the pool, closed when the last row is sent or
when the client goes away. The request holds one connection at a time, never two.
"""

import csv
import io
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeAlias

from anyio import to_thread
from litestar import Request, get
from litestar.di import NamedDependency, Provide
from litestar.handlers import HTTPRouteHandler
from litestar.response import Stream
from sqlalchemy import Row, Select, text
from sqlalchemy.ext.asyncio import AsyncSession
from xlsxwriter import Workbook
from xlsxwriter.worksheet import Worksheet

from sme_hub.core import audit
from sme_hub.core.deps import Actor, Db, DbSession
from sme_hub.core.errors import NotFound
from sme_hub.core.i18n import KYIV, current_locale
from sme_hub.core.roles import CurrentUser
from sme_hub.db import Database

Cell = str | int | Decimal | bool | datetime | date | None
Statement: TypeAlias = Select[*tuple[Any, ...]]  # a SELECT of any columns
AnyRow: TypeAlias = Row[*tuple[Any, ...]]

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
XLSX_MEDIA_TYPE = FORMATS["xlsx"]
# Rows fetched from the cursor (and written) at a time: enough that a round trip is cheap
# per row, few enough that a batch as Python objects stays under a megabyte or so (a row
# of a dozen cells is ~1-2 KB in Python, several times its size in the file).
BATCH_ROWS = 500
FILE_CHUNK = 256 * 1024


@dataclass(frozen=True)
class Export:
    """One list as a file. `statement` is the list's statement as the page runs it (the
    current filters, the tenancy condition, the order) without limit or offset, selecting
    columns (not ORM entities); `cells` turns one of its rows into the cells of a line."""

    name: str
    header: Sequence[str]
    statement: Statement
    cells: Callable[[AnyRow], Sequence[Cell]]
    # The audit record: every export of a staff list carries personal data.
    object_type: str
    object_id: int | str
    municipality_id: int | None
    filters: Mapping[str, Any] = field(default_factory=dict)


# What starts a formula in Excel, LibreOffice Calc and Google Sheets (OWASP, CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(text: str) -> str:
    """Text that a spreadsheet shows as text: one that would start a formula (`=HYPERLINK(…)`,
    `-2+3`, `@SUM(…)`) gets a leading apostrophe, which spreadsheets read as "this is text"."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def hryvnias(kop: int | None) -> Decimal:
    """An amount in kopiykas as hryvnias with two decimals, a number in the sheet."""
    return (Decimal(kop or 0) / 100).quantize(Decimal("0.01"))


def format_of(path: str) -> str:
    """`csv` or `xlsx`, from the path's extension (`…/export.xlsx`); other ones are 404."""
    fmt = path.rsplit(".", 1)[-1]
    if fmt not in FORMATS:
        raise NotFound()
    return fmt


async def download(
    session: AsyncSession, db: Database, user: CurrentUser, export: Export, fmt: str
) -> Stream:
    """The list as `name-YYYY-MM-DD.csv|xlsx`, streamed; the export is audited first in the
    request's transaction (`session`), the rows are read through `db` (see the module)."""
    await audit.record_access(
        session,
        user,
        export.object_type,
        export.object_id,
        "exported",
        municipality_id=export.municipality_id,
        details={"format": fmt, "filters": {k: v for k, v in export.filters.items() if v}},
    )
    body = stream_body(db, export, fmt)
    day = datetime.now(UTC).astimezone(KYIV).date().isoformat()
    return Stream(
        body,
        media_type=FORMATS[fmt],
        headers={
            "Content-Disposition": f'attachment; filename="{export.name}-{day}.{fmt}"',
            "Cache-Control": "no-store",  # personal data: not for shared caches
        },
    )


ExportSource: TypeAlias = Callable[..., Awaitable[Export]]


def export_route(paths: Sequence[str], source: ExportSource, **options: Any) -> HTTPRouteHandler:
    """The GET route of one list as a file, CSV or XLSX by the path's extension
    (`…/export.csv`, `…/export.xlsx`): the one way an export is served, on the API and on the
    pages alike. `source` is a dependency of the route: it asks for what it needs by name
    (`user`, `db_session`, `filters`, a path or query parameter) and returns the `Export`
    (the tenancy check happens there); the route audits and streams it. The handler takes
    `source`'s name and docstring, so the OpenAPI operation of an API route is named and
    described after it. `options` are those of `litestar.get` (guards, raises, …)."""

    async def handler(
        self: Any,
        request: Request[Any, Any, Any],
        user: Actor,
        db_session: DbSession,
        db: Db,
        export: NamedDependency[Export],
    ) -> Stream:
        return await download(db_session, db, user, export, format_of(request.url.path))

    handler.__name__ = handler.__qualname__ = source.__name__
    handler.__doc__ = source.__doc__
    dependencies = {**options.pop("dependencies", {}), "export": Provide(source)}
    return get(list(paths), dependencies=dependencies, **options)(handler)


def stream_body(db: Database, export: Export, fmt: str) -> AsyncIterator[bytes]:
    """The file's bytes, chunk by chunk. The body runs after the handler has returned: it
    keeps the language of the moment it is made in itself."""
    locale = current_locale.get()
    return _csv(db, export, locale) if fmt == "csv" else _xlsx(db, export, locale)


async def batches(db: Database, statement: Statement) -> AsyncIterator[Sequence[AnyRow]]:
    """The statement's rows, `BATCH_ROWS` at a time, from a server-side cursor in a
    read-only transaction of its own."""
    async with db.engine.connect() as conn:
        await conn.execute(text("SET TRANSACTION READ ONLY"))
        result = await conn.stream(statement.execution_options(yield_per=BATCH_ROWS))
        async for rows in result.partitions(BATCH_ROWS):
            yield rows


async def _csv(db: Database, export: Export, locale: str) -> AsyncIterator[bytes]:
    current_locale.set(locale)
    yield _csv_lines([export.header], bom=True)
    async for rows in batches(db, export.statement):
        yield _csv_lines([export.cells(row) for row in rows])


def table_csv(header: Sequence[str], rows: Sequence[Sequence[Cell]]) -> bytes:
    """A small table already in memory (the open data of one municipality) as CSV, written
    like every export."""
    return _csv_lines([header], bom=True) + _csv_lines(rows)


def _csv_lines(lines: Sequence[Sequence[Cell]], *, bom: bool = False) -> bytes:
    """The one place CSV is written: every cell through `_plain`."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows([_plain(cell) for cell in line] for line in lines)
    return (("\ufeff" if bom else "") + buffer.getvalue()).encode()


def _kyiv(moment: datetime) -> datetime:
    """Times as people in Ukraine read them (stored in UTC)."""
    return moment.astimezone(KYIV).replace(tzinfo=None) if moment.tzinfo else moment


def _plain(cell: Cell) -> Any:
    """A cell as CSV text: dates as people in Ukraine write them, numbers as they are, text
    never a formula."""
    if isinstance(cell, datetime):
        return _kyiv(cell).strftime("%d.%m.%Y %H:%M")
    if isinstance(cell, date):
        return cell.strftime("%d.%m.%Y")
    if isinstance(cell, str):
        return spreadsheet_text(cell)
    return "" if cell is None else cell


async def _xlsx(db: Database, export: Export, locale: str) -> AsyncIterator[bytes]:
    """XLSX is a zip whose directory comes last: it cannot be sent before it is finished.
    So the sheet is written in xlsxwriter's `constant_memory` mode (each row goes to disk as
    it is written) into a temporary folder, the workbook is closed there, and the finished
    file is streamed from disk. The writing runs in a worker thread, off the event loop."""
    current_locale.set(locale)
    with tempfile.TemporaryDirectory(prefix="sme-export-") as folder:
        path = Path(folder) / "export.xlsx"
        book = Workbook(
            str(path), {"constant_memory": True, "tmpdir": folder, "remove_timezone": True}
        )
        sheet = book.add_worksheet(export.name[:31])
        formats = {
            "bold": book.add_format({"bold": True}),
            "when": book.add_format({"num_format": "dd.mm.yyyy hh:mm"}),
            "day": book.add_format({"num_format": "dd.mm.yyyy"}),
        }
        # autofit() needs every row in memory; widths follow the header instead.
        for c, title in enumerate(export.header):
            sheet.set_column(c, c, min(max(12, len(title) + 2), 40))
        sheet.freeze_panes(1, 0)
        for c, title in enumerate(export.header):
            sheet.write_string(0, c, title, formats["bold"])
        written = 1
        async for rows in batches(db, export.statement):
            lines = [export.cells(row) for row in rows]  # in the request's language
            written = await to_thread.run_sync(_write_rows, sheet, formats, written, lines)
        await to_thread.run_sync(book.close)
        with path.open("rb") as file:
            while chunk := await to_thread.run_sync(file.read, FILE_CHUNK):
                yield chunk


def _write_rows(
    sheet: Worksheet, formats: dict[str, Any], first: int, lines: Sequence[Sequence[Cell]]
) -> int:
    """Write `lines` from row `first` on; the next free row comes back."""
    for r, line in enumerate(lines, start=first):
        for c, cell in enumerate(line):
            if isinstance(cell, datetime):
                sheet.write_datetime(r, c, _kyiv(cell), formats["when"])
            elif isinstance(cell, date):
                sheet.write_datetime(r, c, cell, formats["day"])
            elif isinstance(cell, Decimal):  # money: exact in the data, a number in the sheet
                sheet.write_number(r, c, float(cell))
            elif isinstance(cell, bool):
                sheet.write_boolean(r, c, cell)
            elif isinstance(cell, int):
                sheet.write_number(r, c, cell)
            elif cell is not None:
                # Never `write()`: it makes a formula of text starting with "=" and a link of
                # text starting with "http". A string cell is shown, never evaluated.
                sheet.write_string(r, c, str(cell))
    return first + len(lines)
