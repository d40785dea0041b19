"""docs/workflows.md is what scripts/workflow_docs.py generates from the workflow tables."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_docs_workflows_md_is_up_to_date() -> None:
    spec = importlib.util.spec_from_file_location(
        "workflow_docs", ROOT / "scripts/workflow_docs.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert (ROOT / "docs" / "workflows.md").read_text() == module.generate()
