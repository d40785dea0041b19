"""Money typed by people: hryvnias as they write them, into integer kopiykas (never floats)."""

import re
from decimal import Decimal, InvalidOperation

from sme_hub.core.i18n import N_

_SPACES = re.compile(r"[\s\u00a0\u202f']")
_CURRENCY = re.compile(r"(грн\.?|uah|₴)$", re.IGNORECASE)


def parse_hryvnias(text: str) -> int | None:
    """`"12 345,67"`, `"12345.67"`, `"80 000 грн"` → kopiykas; empty → None. ValueError (an
    English msgid) for anything else: letters, a negative sum, more than two decimals."""
    cleaned = _CURRENCY.sub("", _SPACES.sub("", text.strip())).replace(",", ".")
    if not cleaned:
        return None
    if not re.fullmatch(r"\d+(\.\d{1,2})?", cleaned):
        raise ValueError(N_("Enter an amount in hryvnias, e.g. 80 000 or 80 000,50."))
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(N_("Enter an amount in hryvnias, e.g. 80 000 or 80 000,50.")) from None
    return int(amount * 100)


def hryvnias_text(kop: int | None) -> str:
    """Kopiykas as a form shows them for editing: `8000000` → `80000`, `8000050` → `80000,50`."""
    if kop is None:
        return ""
    hryvnias, kopiykas = divmod(kop, 100)
    return f"{hryvnias},{kopiykas:02d}" if kopiykas else str(hryvnias)
