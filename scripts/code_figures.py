"""Figures on the shape of the code, for closing notes: modules over 400 lines, route handlers
over 30 lines, pairs of features that import each other, similar pairs (`duplicates`).

    .venv/bin/python scripts/code_figures.py
"""

import ast
import shutil
import subprocess
import sys
from itertools import combinations
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "sme_hub"
ROUTE_DECORATORS = {"get", "post", "put", "patch", "delete", "route"}


def python_files() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def long_modules(limit: int = 400) -> list[tuple[str, int]]:
    sizes = [(str(p.relative_to(PACKAGE)), len(p.read_text().splitlines())) for p in python_files()]
    return sorted(((name, n) for name, n in sizes if n > limit), key=lambda row: -row[1])


def is_route(node: ast.AST) -> bool:
    if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        return False
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
        if name in ROUTE_DECORATORS:
            return True
    return False


def long_handlers(limit: int = 30) -> list[tuple[str, int]]:
    found = []
    for path in python_files():
        for node in ast.walk(ast.parse(path.read_text())):
            if is_route(node):
                assert isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > limit:
                    found.append((f"{path.relative_to(PACKAGE)}:{node.name}", length))
    return sorted(found, key=lambda row: -row[1])


def feature_cycles() -> list[tuple[str, str]]:
    sys.path.insert(0, str(ROOT))
    graph = grimp.build_graph("sme_hub")
    features = sorted(
        p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists() and p.name != "core"
    )
    cycles = []
    for a, b in combinations(features, 2):
        a_to_b = graph.direct_import_exists(
            importer=f"sme_hub.{a}", imported=f"sme_hub.{b}", as_packages=True
        )
        b_to_a = graph.direct_import_exists(
            importer=f"sme_hub.{b}", imported=f"sme_hub.{a}", as_packages=True
        )
        if a_to_b and b_to_a:
            cycles.append((a, b))
    return cycles


def similar_pairs() -> str:
    if not shutil.which("duplicates"):
        return "duplicates: not installed here"
    result = subprocess.run(
        ["duplicates", "--repo", str(PACKAGE), "--seconds", "120", "--most", "200"],
        capture_output=True,
        text=True,
        check=False,
    )
    rows = [line for line in result.stdout.splitlines() if line.startswith("D")]
    longest = 0
    for row in rows:
        span = row.split()[1].rsplit(":", 1)[1]
        first, _, last = span.partition("-")
        longest = max(longest, int(last or first) - int(first) + 1)
    return f"{result.stdout.splitlines()[0]}\n  longest pair: {longest} lines"


def main() -> None:
    modules = long_modules()
    print(f"modules over 400 lines: {len(modules)}")
    for name, n in modules:
        print(f"  {n:5d}  {name}")
    handlers = long_handlers()
    print(f"route handlers over 30 lines: {len(handlers)}")
    for name, n in handlers:
        print(f"  {n:5d}  {name}")
    cycles = feature_cycles()
    print(f"pairs of features importing each other: {len(cycles)}")
    for a, b in cycles:
        print(f"  {a} <-> {b}")
    print(similar_pairs())


if __name__ == "__main__":
    main()
