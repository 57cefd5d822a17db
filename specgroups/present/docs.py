"""The documentation's numbers, rendered from the files that hold them: no result in the README or the docs site is
typed by hand.

- A *generated block* is the text between ``<!-- generated:NAME begin -->`` and ``<!-- generated:NAME end -->`` in a
  Markdown file (the README's ``results``); :func:`replace_block` puts a fresh rendering there and
  ``tools/docs.py`` writes it (``make docs``). A test renders the block from the committed ``results/*.json`` and
  fails when the README's differs: the block is stale.
- The docs site's generated pages (``docs/generated/``): the key results (from ``results/*.json``), performance
  (every ``benchmarks/*.json``: its machine and its top-level numbers, beside the benchmark's own description) and
  the default pipeline as DVC lists it (``dvc stage list``, ``dvc dag``).
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

from specgroups.errors import InputError
from specgroups.present.report import render

# longer strings of a benchmark (a stage's summary line with its temporary paths) stay in the file
SHORT_TEXT = 80
RESULT_FILES = ("dataset", "train", "cluster", "interpret", "neighbours", "anchors", "electronic")


def block_pattern(name: str) -> re.Pattern:
    """The generated block ``name``: its begin marker (group ``begin``), body and end marker."""
    return re.compile(
        rf"(?P<begin><!-- generated:{re.escape(name)} begin[^>]*-->\n)(?P<body>.*?)(?P<end><!-- generated:{re.escape(name)} end -->)",
        re.S,
    )


def generated_block(text: str, name: str, source: str) -> str:
    """The body of the generated block ``name`` of a document (``source`` names it); InputError when it has none."""
    found = block_pattern(name).search(text)
    if found is None:
        raise InputError(f"{source}: no generated block {name!r} (<!-- generated:{name} begin --> ... end -->)")
    return found["body"]


def replace_block(text: str, name: str, body: str, source: str) -> str:
    """The document with the body of its generated block ``name`` replaced by ``body``."""
    generated_block(text, name, source)
    return block_pattern(name).sub(lambda m: m["begin"] + body + m["end"], text, count=1)


def read_results(results_dir: Path) -> dict[str, dict]:
    """The results files the blocks and pages show (:data:`RESULT_FILES`), by stage name."""
    return {name: json.loads((Path(results_dir) / f"{name}.json").read_text()) for name in RESULT_FILES}


def benchmark_description(script: Path) -> str:
    """The first paragraph of a benchmark script's module docstring, on one line ("" without one)."""
    if not script.exists():
        return ""
    docstring = ast.get_docstring(ast.parse(script.read_text())) or ""
    return " ".join(docstring.split("\n\n")[0].split())


def benchmark_summaries(benchmarks_dir: Path) -> list[dict]:
    """Per ``benchmarks/*.json`` (sorted by name): its name, description, machine and the numbers and short strings
    at its top level and one level down (``key.inner``; lists and deeper records stay in the file)."""
    summaries = []
    for path in sorted(Path(benchmarks_dir).glob("*.json")):
        record = json.loads(path.read_text())
        if not isinstance(record, dict) or "machine" not in record:
            continue  # a reference table, not a measurement
        flat = {key: value for key, value in record.items() if key != "machine" and not isinstance(value, dict)}
        for key, value in record.items():
            if isinstance(value, dict) and key != "machine":
                flat.update({f"{key}.{inner}": v for inner, v in value.items()})
        scalars = {
            key: value
            for key, value in flat.items()
            if isinstance(value, (int, float, bool)) or (isinstance(value, str) and len(value) <= SHORT_TEXT)
        }
        summaries.append(
            {
                "name": path.stem,
                "file": path.name,
                "description": benchmark_description(path.with_suffix(".py")),
                "machine": record["machine"],
                "numbers": scalars,
            }
        )
    return summaries


def render_docs(
    template_dir: Path, results: dict[str, dict], benchmarks: list[dict], dvc_outputs: dict[str, str]
) -> dict[str, str]:
    """The README's results block and the docs site's generated pages, by name: ``results_block``,
    ``results_page``, ``performance_page`` and ``dvc_page`` (``dvc_outputs``: DVC commands' output by name)."""
    context = {**results, "benchmarks": benchmarks, "dvc": dvc_outputs}
    block = render(template_dir, "results_block.md.j2", context)
    return {
        "results_block": block,
        "results_page": render(template_dir, "results_page.md.j2", {**context, "block": block}),
        "performance_page": render(template_dir, "performance_page.md.j2", context),
        "dvc_page": render(template_dir, "dvc_page.md.j2", context),
    }
