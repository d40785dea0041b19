"""Pure checks of reference codes and of what a person typed into a search box."""

import re

_KVED = re.compile(r"\d\d\.\d\d")
_KATOTTG = re.compile(r"UA\d{17}")
# What a KVED search box gets when someone means a code: "6", "62", "62.", "62.0", "62.01".
_KVED_PREFIX = re.compile(r"\d{1,2}(?:\.\d{0,2})?")
_KATOTTG_PREFIX = re.compile(r"UA\d{0,17}")
_APOSTROPHES = "'’ʼ`´"  # people type any of these; the codifier uses ’, KVED titles '


def normalise_kved(text: str) -> str | None:
    """The canonical KVED-2010 class code ("62.01") of `text`, or None if it is not one.

    Only the written form NN.NN is a class code; "6201" or "62.1" are not.
    """
    value = text.strip()
    return value if _KVED.fullmatch(value) else None


def normalise_katottg(text: str) -> str | None:
    """The canonical KATOTTG code ("UA" and 17 digits) of `text`, or None."""
    value = text.strip().upper()
    return value if _KATOTTG.fullmatch(value) else None


def is_katottg_code(text: str) -> bool:
    return normalise_katottg(text) is not None


def kved_code_prefix(query: str) -> str | None:
    """The code prefix a KVED query stands for ("62" → "62", "620" → None), or None."""
    value = query.strip()
    return value if _KVED_PREFIX.fullmatch(value) else None


def katottg_code_prefix(query: str) -> str | None:
    """The code prefix a community query stands for ("ua4606" → "UA4606"), or None."""
    value = query.strip().upper()
    return value if _KATOTTG_PREFIX.fullmatch(value) and len(value) > 2 else None


def search_words(query: str) -> list[str]:
    """The words of a query, lower-cased, each a LIKE pattern fragment: the LIKE wildcards
    a person typed are escaped (with backslash), and any apostrophe matches any apostrophe."""
    words = []
    for word in re.split(r"[\s,;]+", query.strip().lower()):
        if not word:
            continue
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        words.append("".join("_" if char in _APOSTROPHES else char for char in escaped))
    return words
