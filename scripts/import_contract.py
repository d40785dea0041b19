"""Keep the module lists of .importlinter complete: every module of a feature is either web
(a Litestar handler module: `api`, `web`, `routes`, `pages/…`) or held to the contract that it
imports no web module. Run after adding, moving or removing a module:

    .venv/bin/python scripts/import_contract.py          # rewrite the lists
    .venv/bin/python scripts/import_contract.py --check  # fail if they are stale (the tests)

The feature-layers contract (which feature may import which) is written by hand; the check
only fails when a feature has no layer there.
"""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "sme_hub"
CONFIG = ROOT / ".importlinter"
WEB_NAMES = {"api", "web", "routes"}


# The names handler modules had before every feature got the same rooms, while they move.
LEGACY_WEB_NAMES = {"controllers", "pages"}
LEGACY_WEB_SUFFIXES = ("_pages", "_controllers")


def is_web(module: Path) -> bool:
    if module.stem in LEGACY_WEB_NAMES or module.stem.endswith(LEGACY_WEB_SUFFIXES):
        return True
    return module.stem in WEB_NAMES or "pages" in module.relative_to(PACKAGE).parts[:-1]


def features() -> list[Path]:
    return sorted(p for p in PACKAGE.iterdir() if (p / "__init__.py").exists() and p.name != "core")


def dotted(module: Path) -> str:
    parts = module.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def feature_modules() -> list[Path]:
    return [
        module
        for feature in features()
        for module in sorted(feature.rglob("*.py"))
        if module.parent != feature or module.stem != "__init__"
    ]


def listing(names: list[str]) -> str:
    return "".join(f"    {name}\n" for name in sorted(names))


def replace_list(text: str, section: str, key: str, names: list[str]) -> str:
    pattern = re.compile(
        rf"(\[importlinter:contract:{section}\][^\[]*?\n{key} =\n)((?:    \S+\n)*)", re.S
    )
    text, count = pattern.subn(lambda m: m.group(1) + listing(names), text)
    assert count == 1, f"{section}.{key} not found in {CONFIG}"
    return text


def contract_text() -> str:
    modules = feature_modules()
    text = CONFIG.read_text()
    text = replace_list(
        text, "core-imports-no-feature", "forbidden_modules", [dotted(f) for f in features()]
    )
    services = [dotted(m) for m in modules if not is_web(m)]
    web = [dotted(m) for m in modules if is_web(m)]
    text = replace_list(text, "services-import-no-web", "source_modules", services)
    return replace_list(text, "services-import-no-web", "forbidden_modules", web)


def unlayered(text: str) -> list[str]:
    """Features the feature-layers contract does not place (its layers are written by hand: where
    a new feature sits is a decision, not a listing)."""
    found = re.search(
        r"\[importlinter:contract:feature-layers\][^\[]*?\nlayers =\n((?:    .+\n)*)", text
    )
    placed = set(re.findall(r"sme_hub\.\w+", found.group(1))) if found else set()
    return [dotted(f) for f in features() if dotted(f) not in placed]


def main() -> None:
    text = contract_text()
    missing = unlayered(text)
    if missing:
        print(f"feature-layers in {CONFIG.name} places no layer for: {', '.join(missing)}")
    if "--check" in sys.argv:
        if text != CONFIG.read_text():
            sys.exit(".importlinter is stale: run scripts/import_contract.py")
        if missing:
            sys.exit("add the features above to the layers of feature-layers")
        return
    CONFIG.write_text(text)


if __name__ == "__main__":
    main()
