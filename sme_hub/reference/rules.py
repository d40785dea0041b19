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


# The oblasts, Crimea and the two special-status cities by their Ukrainian name in KATOTTG,
# as English names them (the codifier has no English names).
OBLASTS_EN = {
    "Автономна Республіка Крим": "Autonomous Republic of Crimea",
    "Вінницька": "Vinnytsia",
    "Волинська": "Volyn",
    "Дніпропетровська": "Dnipropetrovsk",
    "Донецька": "Donetsk",
    "Житомирська": "Zhytomyr",
    "Закарпатська": "Zakarpattia",
    "Запорізька": "Zaporizhzhia",
    "Івано-Франківська": "Ivano-Frankivsk",
    "Київська": "Kyiv",
    "Кіровоградська": "Kirovohrad",
    "Луганська": "Luhansk",
    "Львівська": "Lviv",
    "Миколаївська": "Mykolaiv",
    "Одеська": "Odesa",
    "Полтавська": "Poltava",
    "Рівненська": "Rivne",
    "Сумська": "Sumy",
    "Тернопільська": "Ternopil",
    "Харківська": "Kharkiv",
    "Херсонська": "Kherson",
    "Хмельницька": "Khmelnytskyi",
    "Черкаська": "Cherkasy",
    "Чернівецька": "Chernivtsi",
    "Чернігівська": "Chernihiv",
    "Київ": "Kyiv",
    "Севастополь": "Sevastopol",
}
_CITIES = {"Київ", "Севастополь", "Автономна Республіка Крим"}


def oblast_label(name_uk: str, locale: str) -> str:
    """An oblast as a sentence names it: `Львівська область`, `Lviv Oblast`; the cities and
    Crimea by their own names."""
    if locale == "uk":
        return name_uk if name_uk in _CITIES else f"{name_uk} область"
    english = OBLASTS_EN.get(name_uk, transliterate(name_uk))
    return english if name_uk in _CITIES else f"{english} Oblast"


# Resolution of the Cabinet of Ministers of Ukraine No. 55 of 27 January 2010: the second
# spelling is for the first letter of a word.
_LETTERS: dict[str, str | tuple[str, str]] = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": ("ie", "ye"),
    "ж": "zh", "з": "z", "и": "y", "і": "i", "ї": ("i", "yi"), "й": ("i", "y"), "к": "k",
    "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ь": "",
    "ю": ("iu", "yu"), "я": ("ia", "ya"),
}  # fmt: skip


def transliterate(text: str) -> str:
    """Ukrainian in Latin letters by the national rules (KMU resolution 55 of 2010):
    `Згорани` → `Zghorany`, `Знам'янка` → `Znamianka`, `Юрій` → `Yurii`."""
    out: list[str] = []
    word_start = True
    previous = ""
    for char in text:
        lower = char.lower()
        if lower in _APOSTROPHES:
            continue  # the apostrophe is not written, and the word goes on
        spelling = _LETTERS.get(lower)
        if spelling is None:
            out.append(char)
            word_start, previous = not char.isalpha(), ""
            continue
        latin = spelling[1 if word_start else 0] if isinstance(spelling, tuple) else spelling
        if lower == "г" and previous == "з":
            latin = "gh"  # зг → zgh, not zh
        if char.isupper() and latin:
            latin = latin[0].upper() + latin[1:]
        out.append(latin)
        word_start, previous = False, lower
    return "".join(out)
