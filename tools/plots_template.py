"""The HTML template `dvc plots show` fills, with vega, vega-lite and vega-embed inlined, so the page draws offline.

dvc-render's own page loads the three libraries from a CDN, and with no network it shows
nothing. `.dvc/config` names the template this tool writes (`plots.html_template`); the
libraries come from npm at the versions in tools/plots/package-lock.json, which
tools/install.sh installs next to it (`npm ci`). The template has no `{scripts}`
placeholder, so the CDN tags dvc-render would insert are left out.

    python tools/plots_template.py --node-modules .venv/dvc-plots/node_modules --output .venv/dvc-plots/template.html
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1]))

from specgroups.errors import InputError  # noqa: E402
from specgroups.io.atomic import write_bytes_atomic  # noqa: E402

# (npm package, its browser build), in the order the page must load them
LIBRARIES = [
    ("vega", "build/vega.min.js"),
    ("vega-lite", "build/vega-lite.min.js"),
    ("vega-embed", "build/vega-embed.min.js"),
]
# what dvc-render replaces in the template (str.replace): a library holding one would be garbled
PLACEHOLDERS = ("{plot_divs}", "{refresh_tag}", "{scripts}")

PAGE = """<!DOCTYPE html>
<html>
<head>
    {refresh_tag}
    <meta charset="utf-8">
    <title>specgroups: DVC plots</title>
%s
    <style>
        body { font-family: sans-serif; }
        table { border-spacing: 15px; }
    </style>
</head>
<body>
    {plot_divs}
</body>
</html>
"""


def inline_script(path: Path) -> str:
    """A <script> element holding the file's JavaScript; "</script" inside it is escaped so the element ends where it should."""
    if not path.is_file():
        raise InputError(f"{path}: not found; run tools/install.sh (npm ci in .venv/dvc-plots)")
    source = path.read_text(encoding="utf8")
    for placeholder in PLACEHOLDERS:
        if placeholder in source:
            raise InputError(f"{path}: holds {placeholder}, which dvc-render would replace")
    return "<script>\n" + source.replace("</script", "<\\/script") + "\n</script>"


def plots_template(node_modules: Path) -> str:
    """The page: dvc-render's placeholders for the refresh tag and the plots, the three libraries inline."""
    return PAGE % "\n".join(inline_script(node_modules / package / build) for package, build in LIBRARIES)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--node-modules", type=Path, required=True)
    parser.add_argument("--output", type=Path, required=True)
    arguments = parser.parse_args()
    page = plots_template(arguments.node_modules)
    write_bytes_atomic(arguments.output, page.encode("utf8"))
    print(
        f"plots template: {', '.join(package for package, _ in LIBRARIES)} inlined ({len(page) / 1e6:.2f} MB) -> {arguments.output}"
    )


if __name__ == "__main__":
    main()
