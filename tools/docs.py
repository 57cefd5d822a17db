"""Render the documentation's generated parts from the files that hold the numbers, and build the docs site.

    python tools/docs.py            # README's results block and docs/generated/*.md from results/ and benchmarks/
    python tools/docs.py --check    # exit 1 when any of them differs from what the files give (stale)

``make docs`` runs this, then ``mkdocs build --strict`` (site/, offline). The rendering is
``specgroups.present.docs``; the templates are ``docs/templates/``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from specgroups.present.docs import benchmark_summaries, read_results, render_docs, replace_block

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
PAGES = {"results_page": "docs/generated/results.md", "performance_page": "docs/generated/performance.md"}


def rendered_files() -> dict[Path, str]:
    """Every generated file's path and the text it should hold now."""
    parts = render_docs(
        ROOT / "docs" / "templates", read_results(ROOT / "results"), benchmark_summaries(ROOT / "benchmarks")
    )
    files = {ROOT / path: parts[name] for name, path in PAGES.items()}
    files[README] = replace_block(README.read_text(), "results", parts["results_block"], "README.md")
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
