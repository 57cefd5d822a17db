"""Render the documentation's generated parts from the files that hold the numbers, and build the docs site.

    python tools/docs.py            # README's results block and docs/generated/*.md from results/ and benchmarks/,
                                    # the data card's blocks (data/demo/README.md) from data/demo/validation.json
                                    # and benchmarks/firstprinciples.json
    python tools/docs.py --check    # exit 1 when any of them differs from what the files give (stale)

``make docs`` runs this, then ``mkdocs build --strict`` (site/, offline). The rendering is
``specgroups.present.docs``; the templates are ``docs/templates/``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from specgroups.present.docs import benchmark_summaries, read_results, render_docs, replace_block
from specgroups.present.report import render

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
TEMPLATES = ROOT / "docs" / "templates"
# the embedded dataset's data card: its block NAME is docs/templates/NAME.md.j2 (data_card_*), filled from the
# validate stage's output and the first-principles cost benchmark
DATA_CARD = ROOT / "data" / "demo" / "README.md"
DATA_CARD_SOURCES = {"validation": "data/demo/validation.json", "benchmark": "benchmarks/firstprinciples.json"}
PAGES = {
    "results_page": "docs/generated/results.md",
    "performance_page": "docs/generated/performance.md",
    "dvc_page": "docs/generated/dvc.md",
}
# DVC fits its tables to the terminal: a fixed width makes the page the same in every shell
DVC_COLUMNS = 120
# the DVC commands whose output the DVC page shows: they read only the pipeline files, so the page is the same
# wherever it is built
DVC_COMMANDS = {"stage_list": ["stage", "list", "dvc.yaml"], "dag": ["dag", "--md", "dvc.yaml"]}


def dvc_outputs() -> dict[str, str]:
    """The output of each of :data:`DVC_COMMANDS` in this project."""
    dvc = Path(sys.executable).with_name("dvc")
    return {
        name: subprocess.run(
            [str(dvc), *arguments],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
            env={**os.environ, "COLUMNS": str(DVC_COLUMNS)},
        ).stdout.strip()
        for name, arguments in DVC_COMMANDS.items()
    }


def data_card(text: str) -> str:
    """The data card ``text`` with every ``data_card_*`` block rendered from its template; the context is
    validation.json's keys and ``benchmark`` (:data:`DATA_CARD_SOURCES`)."""
    sources = {name: json.loads((ROOT / path).read_text()) for name, path in DATA_CARD_SOURCES.items()}
    context = {**sources["validation"], "benchmark": sources["benchmark"]}
    for template in sorted(TEMPLATES.glob("data_card_*.md.j2")):
        body = render(TEMPLATES, template.name, context).strip("\n") + "\n"
        text = replace_block(text, template.name.removesuffix(".md.j2"), body, "data/demo/README.md")
    return text


def rendered_files() -> dict[Path, str]:
    """Every generated file's path and the text it should hold now."""
    parts = render_docs(
        ROOT / "docs" / "templates",
        read_results(ROOT / "results"),
        benchmark_summaries(ROOT / "benchmarks"),
        dvc_outputs(),
    )
    files = {ROOT / path: parts[name] for name, path in PAGES.items()}
    files[README] = replace_block(README.read_text(), "results", parts["results_block"], "README.md")
    files[DATA_CARD] = data_card(DATA_CARD.read_text())
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only report generated files that are stale")
    arguments = parser.parse_args(argv)
    stale = [path for path, text in rendered_files().items() if not path.exists() or path.read_text() != text]
    if arguments.check:
        for path in stale:
            print(f"{path.relative_to(ROOT)}: stale (run make docs)")
        return 1 if stale else 0
    for path, text in rendered_files().items():
        if path in stale:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            print(f"{path.relative_to(ROOT)}: written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
