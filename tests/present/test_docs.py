"""specgroups.present.docs and the docs site: generated blocks found and replaced, the README's results block and the
generated pages equal to what the committed results and benchmarks give (stale otherwise), and the site built with
``mkdocs build --strict`` (every link, page and API reference checked)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from specgroups.errors import InputError
from specgroups.present.docs import benchmark_summaries, generated_block, read_results, render_docs, replace_block

ROOT = Path(__file__).resolve().parents[2]
DOCUMENT = "intro\n<!-- generated:results begin: note -->\nold\n<!-- generated:results end -->\ntail\n"


def test_a_block_is_replaced_and_nothing_around_it():
    replaced = replace_block(DOCUMENT, "results", "new 1\nnew 2\n", "doc.md")
    assert generated_block(replaced, "results", "doc.md") == "new 1\nnew 2\n"
    assert replaced.startswith("intro\n<!-- generated:results begin: note -->\n")
    assert replaced.endswith("<!-- generated:results end -->\ntail\n")


def test_a_document_without_the_block_is_an_input_error_naming_it():
    with pytest.raises(InputError, match=r"doc\.md: no generated block 'figures'"):
        replace_block(DOCUMENT, "figures", "x", "doc.md")


def test_every_benchmark_record_is_summarised_with_its_machine_and_description():
    summaries = benchmark_summaries(ROOT / "benchmarks")
    records = [p for p in (ROOT / "benchmarks").glob("*.json") if "machine" in p.read_text()[:200]]
    assert {s["name"] for s in summaries} == {p.stem for p in records}
    assert all(s["description"] and s["numbers"] for s in summaries)
    assert all(not isinstance(v, (dict, list)) for s in summaries for v in s["numbers"].values())


def test_the_readme_and_generated_pages_are_not_stale():
    """Fails when results/*.json or benchmarks/*.json changed and `make docs` was not run."""
    completed = subprocess.run(
        [sys.executable, "tools/docs.py", "--check"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_a_changed_result_makes_the_readme_stale():
    """The README's block is the rendering of the results: a result that differs gives another block."""
    results = read_results(ROOT / "results")
    arguments = (ROOT / "docs/templates", benchmark_summaries(ROOT / "benchmarks"), {"stage_list": "", "dag": ""})
    block = generated_block((ROOT / "README.md").read_text(), "results", "README.md")
    assert render_docs(arguments[0], results, *arguments[1:])["results_block"] == block
    changed = {**results, "cluster": {**results["cluster"], "n_clusters": results["cluster"]["n_clusters"] + 1}}
    assert render_docs(arguments[0], changed, *arguments[1:])["results_block"] != block


@pytest.mark.slow
def test_the_docs_site_builds_strictly(tmp_path):
    completed = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert (tmp_path / "site" / "api" / "study" / "index.html").read_text().count("doc-heading") > 20
