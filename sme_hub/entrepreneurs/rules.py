"""Pure business-profile rules: women-led (product.md §4), green self-assessment (§5,
domain.md), and RNOKPP helpers. No I/O: every function here depends only on its arguments."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal, get_args

from sme_hub.core.i18n import N_

Gender = Literal["female", "male"]
LegalForm = Literal["fop", "llc", "farm", "cooperative", "other", "not_registered"]
LeaderRole = Literal["head", "deputy", "board_member", "manager"]
GreenLevel = Literal["none", "basic", "advanced"]

GENDERS: tuple[str, ...] = get_args(Gender)
LEGAL_FORMS: tuple[str, ...] = get_args(LegalForm)
LEADER_ROLES: tuple[str, ...] = get_args(LeaderRole)

_HUNDRED = Decimal(100)
_CENT = Decimal("0.01")


def _check_percent(value: Decimal, what: str, *, allow_zero: bool) -> None:
    if not isinstance(value, Decimal) or not value.is_finite():
        raise ValueError(f"{what} must be a finite Decimal, not {value!r}")
    low_ok = value >= 0 if allow_zero else value > 0
    if not (low_ok and value <= _HUNDRED):
        raise ValueError(f"{what} must be {'0' if allow_zero else 'above 0'} to 100: {value}")
    if value != value.quantize(_CENT):
        raise ValueError(f"{what} has more than two decimals: {value}")


def format_pct(value: Decimal) -> str:
    """A percentage without trailing zeros: 60 -> "60", 50.50 -> "50.5"."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


# --- women-led ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Owner:
    gender: Gender
    share_pct: Decimal  # 0 < share <= 100, two decimals at most

    def __post_init__(self) -> None:
        if self.gender not in GENDERS:
            raise ValueError(f"unknown gender: {self.gender!r}")
        _check_percent(self.share_pct, "an owner's share", allow_zero=False)


@dataclass(frozen=True)
class Leader:
    role: LeaderRole
    gender: Gender

    def __post_init__(self) -> None:
        if self.role not in LEADER_ROLES:
            raise ValueError(f"unknown leader role: {self.role!r}")
        if self.gender not in GENDERS:
            raise ValueError(f"unknown gender: {self.gender!r}")


@dataclass(frozen=True)
class WomenLedThresholds:
    """Settings of a call (product.md §4, §7); the defaults are the product's."""

    ownership_pct: Decimal = Decimal(51)  # rule 1: women own at least this
    with_head_pct: Decimal = Decimal(25)  # rule 3: women own at least this and a woman heads

    def __post_init__(self) -> None:
        _check_percent(self.ownership_pct, "the ownership threshold", allow_zero=True)
        _check_percent(self.with_head_pct, "the threshold with a woman as head", allow_zero=True)


@dataclass(frozen=True)
class Reason:
    """A reason in plain words: an English msgid with {named} placeholders, translated where
    it is shown, and the values of the placeholders, already formatted."""

    code: str
    message: str
    params: dict[str, str] = field(hash=False)

    def text(self) -> str:
        """The untranslated English text (for logs and tests)."""
        return self.message.format(**self.params)


@dataclass(frozen=True)
class WomenLedResult:
    women_led: bool
    reasons: tuple[Reason, ...]


MSG_WOMEN_OWN = N_(
    "Your business is women-led because women own {pct} % of it (at least {needed} % is required)."
)
MSG_FEMALE_FOP = N_(
    "Your business is women-led because it is an individual entrepreneur (FOP) who is a woman."
)
MSG_SHARE_AND_HEAD = N_(
    "Your business is women-led because a woman is its head and women own {pct} % of it "
    "(at least {needed} % is required when a woman is the head)."
)
MSG_NOT_NO_FEMALE_HEAD = N_(
    "Your business is not women-led: women own {pct} % of it, less than {needed} %, and no "
    "woman is named as its head."
)
MSG_NOT_SHARE_TOO_LOW_FOR_HEAD = N_(
    "Your business is not women-led: a woman is its head, but women own {pct} % of it, less "
    "than the {needed} % required when a woman is the head."
)
MSG_NOT_FEMALE_FOP = N_(
    "Your business is not women-led: the individual entrepreneur (FOP) is not a woman."
)
MSG_NO_OWNERS = N_(
    "Your business cannot be counted as women-led: the owners of the business are not given."
)


def women_share(owners: Sequence[Owner]) -> Decimal:
    """The women's share in per cent: the sum of the female owners' shares."""
    return sum((owner.share_pct for owner in owners if owner.gender == "female"), Decimal(0))


def women_led(
    legal_form: LegalForm,
    owners: Sequence[Owner],
    leaders: Sequence[Leader],
    *,
    owner_is_female: bool | None = None,
    thresholds: WomenLedThresholds = WomenLedThresholds(),
) -> WomenLedResult:
    """Whether a business is women-led (product.md §4), with every rule that holds as a
    reason, or one reason why not.

    `owner_is_female` is the sex of an individual entrepreneur (`fop`) as the caller knows
    it (from the RNOKPP); when None, a fop's owners list (the one person) tells.
    """
    if legal_form not in LEGAL_FORMS:
        raise ValueError(f"unknown legal form: {legal_form!r}")
    share = women_share(owners)
    pct = format_pct(share)
    female_head = any(leader.role == "head" and leader.gender == "female" for leader in leaders)
    fop_is_female: bool | None = None
    if legal_form == "fop":
        if owner_is_female is not None:
            fop_is_female = owner_is_female
        elif owners:
            fop_is_female = all(owner.gender == "female" for owner in owners)

    reasons: list[Reason] = []
    if owners and share >= thresholds.ownership_pct:
        reasons.append(
            Reason(
                "women_own_majority",
                MSG_WOMEN_OWN,
                {"pct": pct, "needed": format_pct(thresholds.ownership_pct)},
            )
        )
    if fop_is_female:
        reasons.append(Reason("female_fop", MSG_FEMALE_FOP, {}))
    if owners and female_head and share >= thresholds.with_head_pct:
        reasons.append(
            Reason(
                "women_share_and_female_head",
                MSG_SHARE_AND_HEAD,
                {"pct": pct, "needed": format_pct(thresholds.with_head_pct)},
            )
        )
    if reasons:
        return WomenLedResult(True, tuple(reasons))

    if legal_form == "fop" and fop_is_female is False:
        reason = Reason("not_women_led", MSG_NOT_FEMALE_FOP, {})
    elif not owners:
        reason = Reason("no_owners", MSG_NO_OWNERS, {})
    elif female_head:
        reason = Reason(
            "not_women_led",
            MSG_NOT_SHARE_TOO_LOW_FOR_HEAD,
            {"pct": pct, "needed": format_pct(thresholds.with_head_pct)},
        )
    else:
        reason = Reason(
            "not_women_led",
            MSG_NOT_NO_FEMALE_HEAD,
            {"pct": pct, "needed": format_pct(thresholds.ownership_pct)},
        )
    return WomenLedResult(False, (reason,))


# --- green self-assessment (domain.md, questionnaire version 1) -----------------------------

GREEN_QUESTIONNAIRE_VERSION = 1

GREEN_QUESTIONS: dict[str, int] = {
    "energy_efficiency": 10,
    "renewable_energy": 12,
    "building_insulation": 6,
    "waste_sorting": 8,
    "circular_materials": 10,
    "water_saving": 6,
    "low_emission_transport": 8,
    "local_supply": 6,
    "green_product": 14,
    "eco_certification": 8,
    "hazardous_substances": 6,
    "environmental_policy": 6,
}

GREEN_QUESTION_TEXT: dict[str, str] = {
    "energy_efficiency": N_(
        "Uses energy-efficient equipment and lighting (LED, A-class appliances, heat pumps)"
    ),
    "renewable_energy": N_(
        "Produces or buys renewable energy (solar panels, biomass boiler, green tariff)"
    ),
    "building_insulation": N_("Has insulated premises or a completed energy audit"),
    "waste_sorting": N_("Sorts its waste and hands recyclables to a collector"),
    "circular_materials": N_(
        "Uses recycled or secondary materials, or repairs and refurbishes products"
    ),
    "water_saving": N_("Uses water-saving equipment or reuses water"),
    "low_emission_transport": N_("Uses electric or hybrid vehicles, or low-emission logistics"),
    "local_supply": N_("Buys most of its inputs from suppliers within about 100 km"),
    "green_product": N_(
        "Its main product or service itself reduces environmental harm (organic farming, "
        "recycling, renewable installation, eco-tourism, repair)"
    ),
    "eco_certification": N_(
        "Holds an environmental certificate (ISO 14001, organic, an eco-label)"
    ),
    "hazardous_substances": N_(
        "Avoids hazardous chemicals, or handles them under licence with safe disposal"
    ),
    "environmental_policy": N_("Has a written environmental policy with measurable targets"),
}

# KVED-2010 divisions/classes whose businesses are never green: coal mining, crude oil and
# natural gas extraction, support for oil and gas extraction, coke and refined petroleum.
EXCLUDED_DIVISIONS: tuple[str, ...] = ("05", "06", "09.10", "19")

# KVED-2010 sections (as NACE Rev. 2) and their divisions, so a call may exclude a section.
KVED_SECTIONS: dict[str, tuple[int, int]] = {
    "A": (1, 3),
    "B": (5, 9),
    "C": (10, 33),
    "D": (35, 35),
    "E": (36, 39),
    "F": (41, 43),
    "G": (45, 47),
    "H": (49, 53),
    "I": (55, 56),
    "J": (58, 63),
    "K": (64, 66),
    "L": (68, 68),
    "M": (69, 75),
    "N": (77, 82),
    "O": (84, 84),
    "P": (85, 85),
    "Q": (86, 88),
    "R": (90, 93),
    "S": (94, 96),
    "T": (97, 98),
    "U": (99, 99),
}

MSG_GREEN_SCORE = N_("Your green score is {score} of 100: {level}.")
MSG_GREEN_SCORE_ONLY = N_("Your green score is {score} of 100.")
MSG_EXCLUDED_ACTIVITY = N_(
    "Your main activity (KVED {kved}) is on the exclusion list, so the business gets no green "
    "level whatever the answers."
)


@dataclass(frozen=True)
class GreenResult:
    score: int
    level: GreenLevel
    excluded: bool
    reasons: tuple[Reason, ...]


def green_level_for(score: int) -> GreenLevel:
    """`none` below 40, `basic` 40–69, `advanced` 70 and above."""
    if score >= 70:
        return "advanced"
    if score >= 40:
        return "basic"
    return "none"


def kved_in(code: str, prefix: str) -> bool:
    """Whether KVED code `code` lies under `prefix`: a section letter (A–U), a division
    (`19`), a group (`09.1`) or a class (`09.10`). Divisions match whole: `1` is not `19`."""
    prefix = prefix.strip().upper()
    if not prefix:
        return False
    head = code.split(".")[0]
    if prefix in KVED_SECTIONS:
        if not head.isdigit():
            return False
        low, high = KVED_SECTIONS[prefix]
        return low <= int(head) <= high
    prefix_parts = prefix.split(".")
    code_parts = code.split(".")
    if len(prefix_parts) > len(code_parts) or prefix_parts[0] != code_parts[0]:
        return False
    if len(prefix_parts) == 1:
        return True
    # Below the division: a group `NN.N` holds the classes `NN.N0`–`NN.N9`.
    return len(prefix_parts) == 2 and code_parts[1].startswith(prefix_parts[1])


def is_excluded_activity(kved: str | None, extra_excluded: Sequence[str] = ()) -> bool:
    """Whether a main KVED activity is on the exclusion list (domain.md) or the call's own."""
    if not kved or not kved.strip():
        return False
    code = kved.strip().upper()
    return any(kved_in(code, prefix) for prefix in (*EXCLUDED_DIVISIONS, *extra_excluded))


def green_assessment(
    answers: Mapping[str, bool], kved: str | None, *, extra_excluded: Sequence[str] = ()
) -> GreenResult:
    """The green score (the points of the yes answers; missing answers are no) and level,
    `none` for an excluded activity whatever the score. Unknown keys raise ValueError."""
    unknown = sorted(set(answers) - set(GREEN_QUESTIONS))
    if unknown:
        raise ValueError(f"unknown green questions: {', '.join(unknown)}")
    score = sum(points for key, points in GREEN_QUESTIONS.items() if answers.get(key, False))
    if is_excluded_activity(kved, extra_excluded):
        assert kved is not None
        return GreenResult(
            score,
            "none",
            True,
            (
                Reason("score", MSG_GREEN_SCORE_ONLY, {"score": str(score), "level": "none"}),
                Reason("excluded_activity", MSG_EXCLUDED_ACTIVITY, {"kved": kved.strip()}),
            ),
        )
    level = green_level_for(score)
    return GreenResult(
        score,
        level,
        False,
        (Reason("score", MSG_GREEN_SCORE, {"score": str(score), "level": level}),),
    )


# --- RNOKPP helpers (domain.md) -------------------------------------------------------------


def mask_rnokpp(value: str) -> str:
    """`1234567890` -> `12•••••890`: the first 2 and last 3 characters kept, the rest
    bulleted. A value of 5 characters or fewer is bulleted whole (nothing would be hidden)."""
    if len(value) <= 5:
        return "•" * len(value)
    return value[:2] + "•" * (len(value) - 5) + value[-3:]


def rnokpp_is_female(value: str) -> bool | None:
    """The sex an RNOKPP encodes: its ninth digit is even for a woman, odd for a man.
    None when the value is not 10 digits (the check digit is validated elsewhere)."""
    value = value.strip()
    if len(value) != 10 or not (value.isascii() and value.isdigit()):
        return None
    return int(value[8]) % 2 == 0
