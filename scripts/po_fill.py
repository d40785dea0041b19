"""The Ukrainian catalog: merge new texts from the template, list what is untranslated, fill in
translations from a JSON file `{msgid: msgstr}` (a plural msgid maps to its three forms).

    .venv/bin/python scripts/po_fill.py --update            # scripts/i18n runs this
    .venv/bin/python scripts/po_fill.py --missing           # what is still untranslated
    .venv/bin/python scripts/po_fill.py translations.json   # fill them in
    .venv/bin/python scripts/po_fill.py other/messages.po   # or take them from another catalog

The catalog keeps its header and lines of 100 characters, so a change shows as a small diff.
"""

import json
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

LOCALE = Path(__file__).resolve().parent.parent / "sme_hub/locale"
PO = LOCALE / "uk/LC_MESSAGES/messages.po"


def _read() -> Catalog:
    with PO.open("rb") as f:
        return read_po(f, locale="uk")


def _write(catalog: Catalog) -> None:
    with PO.open("wb") as f:
        write_po(f, catalog, width=100, no_location=True, sort_output=True)


def _translations(source: Path) -> dict[str, str | list[str]]:
    """From a JSON file, or from another uk catalog (a branch's, when merging)."""
    if source.suffix != ".po":
        found: dict[str, str | list[str]] = json.loads(source.read_text(encoding="utf-8"))
        return found
    with source.open("rb") as f:
        other = read_po(f, locale="uk")
    return {
        (m.id[0] if isinstance(m.id, tuple) else m.id): (
            list(m.string) if isinstance(m.string, tuple) else m.string
        )
        for m in other
        if m.id and m.string and not m.fuzzy
    }


def main(argv: list[str]) -> int:
    catalog = _read()
    if argv[1:] == ["--update"]:
        with (LOCALE / "messages.pot").open("rb") as f:
            catalog.update(read_po(f), no_fuzzy_matching=True)
        catalog.obsolete.clear()
        _write(catalog)
    elif argv[1:] == ["--missing"]:
        for message in catalog:
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if message.id and not all(strings):
                print(json.dumps(message.id, ensure_ascii=False))
    else:
        translations = _translations(Path(argv[1]))
        for message in catalog:
            key = message.id[0] if isinstance(message.id, tuple) else message.id
            untranslated = (
                not any(message.string) if isinstance(message.string, tuple) else not message.string
            )
            if key in translations and untranslated:  # never overwrites a translation
                value = translations[key]
                message.string = tuple(value) if isinstance(value, list) else value
        _write(catalog)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
