"""The import direction as a checked contract: the contracts of .importlinter hold, and they
cover every module of every feature."""

import configparser
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / ".importlinter"
# Litestar handlers; every other module of a feature is a service (or rules, models, forms…).
WEB_NAMES = ("controllers", "pages", "api")
WEB_SUFFIXES = ("_pages", "_controllers")


def is_web(module: Path) -> bool:
    return module.stem in WEB_NAMES or module.stem.endswith(WEB_SUFFIXES)


def feature_modules() -> list[Path]:
    return [
        module
        for feature in sorted((ROOT / "sme_hub").iterdir())
        if feature.is_dir() and feature.name != "core" and (feature / "__init__.py").exists()
        for module in sorted(feature.glob("*.py"))
        if module.stem != "__init__"
    ]


def dotted(module: Path) -> str:
    return ".".join(module.relative_to(ROOT).with_suffix("").parts)


def contract_lines(contract: str, key: str) -> set[str]:
    parser = configparser.ConfigParser()
    parser.read(CONFIG)
    return set(parser[f"importlinter:contract:{contract}"][key].split())


def test_import_contracts_are_kept() -> None:
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run(
        [str(lint_imports), str(CONFIG)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_contract_lists_every_module_of_every_feature() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "import_contract.py"), "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
