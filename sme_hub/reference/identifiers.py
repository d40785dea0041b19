"""Ukrainian identifiers: tax ids checked with python-stdnum, IBANs with schwifty (domain.md)."""

import re
from collections.abc import Callable
from typing import Literal

from schwifty import IBAN
from schwifty.exceptions import SchwiftyException
from stdnum.exceptions import ValidationError
from stdnum.ua import edrpou, rntrc

from sme_hub.core.i18n import N_

TaxIdKind = Literal["edrpou", "rnokpp", "passport"]

# A person who refused an RNOKPP on religious grounds is identified by passport: a booklet
# (two Cyrillic letters and six digits) or an ID card (nine digits).
_PASSPORT = re.compile(r"^(?:[А-ЯЄІЇҐ]{2}\d{6}|\d{9})$")


def tax_id_kind_for(legal_form: str) -> TaxIdKind | None:
    """Individual entrepreneurs have an RNOKPP; legal entities an EDRPOU code."""
    if legal_form == "not_registered":
        return None
    return "rnokpp" if legal_form == "fop" else "edrpou"


# The tax ids with a check digit: how each is validated, and what to tell a person when not.
_WITH_CHECK_DIGIT: dict[str, tuple[Callable[[str], str], str]] = {
    "edrpou": (
        edrpou.validate,
        N_("An EDRPOU code has 8 digits with a check digit; please check the number."),
    ),
    "rnokpp": (
        rntrc.validate,
        N_("An RNOKPP has 10 digits with a check digit; please check the number."),
    ),
}


def normalise_tax_id(kind: TaxIdKind, value: str) -> str:
    """The canonical form of a tax id, or ValueError with a message a person can act on."""
    value = value.strip().upper().replace(" ", "")
    if kind in _WITH_CHECK_DIGIT:
        validate, message = _WITH_CHECK_DIGIT[kind]
        try:
            return str(validate(value))
        except ValidationError:
            raise ValueError(message) from None
    if not _PASSPORT.match(value):
        raise ValueError(
            N_(
                "A passport number is two Ukrainian letters and six digits, or nine digits "
                "for an ID card."
            )
        )
    return value


def normalise_iban(value: str) -> str:
    """A Ukrainian IBAN (`UA` + 27 characters, mod-97 checked by schwifty) in its compact
    form, or ValueError with a message a person can act on."""
    compact = "".join(value.split()).upper()
    if not compact.startswith("UA") or len(compact) != 29:
        raise ValueError(N_("A Ukrainian IBAN starts with UA and has 29 characters."))
    try:
        return str(IBAN(compact).compact)
    except SchwiftyException:
        raise ValueError(N_("This IBAN's check digits do not match; please check it.")) from None
