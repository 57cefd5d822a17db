"""Stage entry points: thin (params in, library calls, outputs out); bad input is one line on stderr and exit 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).parents[2]


def run_stage(module: str, profile: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", module, "--profile", str(profile)], cwd=ROOT, capture_output=True, text=True
    )


def test_missing_params_file_exits_2(tmp_path):
    completed = run_stage("stages.dataset", tmp_path / "absent")
    assert completed.returncode == 2
    assert completed.stderr.strip().count("\n") == 0
    assert "absent/params.yaml: params file not found" in completed.stderr


def test_missing_section_exits_2(tmp_path):
    (tmp_path / "params.yaml").write_text(yaml.safe_dump({"dataset": 12}))
    completed = run_stage("stages.dataset", tmp_path)
    assert completed.returncode == 2 and "no 'dataset' section" in completed.stderr


def test_dataset_stage_writes_nothing_when_its_input_is_bad(tmp_path):
    (tmp_path / "params.yaml").write_text(yaml.safe_dump({"dataset": {"onset_correction": {"mode": "hybrid"}}}))
    completed = run_stage("stages.dataset", tmp_path)
    assert completed.returncode == 2 and "onset correction mode" in completed.stderr
    assert not (tmp_path / "data").exists() and not (tmp_path / "results").exists()
    assert not (tmp_path / "metrics").exists()


def code_lines(path) -> int:
    """Lines of a module that are neither blank, comments nor docstrings (imports count)."""
    import ast

    source = path.read_text()
    documentation = set()
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef))
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
            and isinstance(node.body[0].value.value, str)
        ):
            documentation.update(range(node.body[0].lineno, node.body[0].end_lineno + 1))
    return sum(
        1
        for number, line in enumerate(source.splitlines(), 1)
        if line.strip() and not line.strip().startswith("#") and number not in documentation
    )


@pytest.mark.parametrize(
    "path", sorted((ROOT / "stages").rglob("[!_]*.py")), ids=lambda path: path.relative_to(ROOT / "stages").as_posix()
)
def test_a_stage_is_a_thin_entry_point(path):
    """Params in, one library call per step, outputs out: a `run` and nothing else, in about 40 lines."""
    import ast

    definitions = [
        node.name for node in ast.parse(path.read_text()).body if isinstance(node, (ast.FunctionDef, ast.ClassDef))
    ]
    assert definitions == ["run"], f"{path.name}: method logic belongs in specgroups/ ({definitions})"
    assert code_lines(path) <= 45
