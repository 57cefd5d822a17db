"""The report: Jinja templates filled from stage outputs, with provenance read from dvc.lock."""

from __future__ import annotations

import base64
import math
import subprocess
from pathlib import Path

import yaml
from jinja2 import Environment, FileSystemLoader, StrictUndefined


def provenance(dvc_lock: str | Path) -> list[dict]:
    """Per stage: its command, params, and the md5 of every dep and out, as dvc.lock records them."""
    lock = yaml.safe_load(Path(dvc_lock).read_text())
    rows = []
    for name, stage in lock.get("stages", {}).items():
        params = {key: value for values in stage.get("params", {}).values() for key, value in values.items()}
        rows.append(
            {
                "stage": name,
                "cmd": stage.get("cmd", ""),
                "params": params,
                "deps": [(d["path"], d.get("md5", "")) for d in stage.get("deps", [])],
                "outs": [(o["path"], o.get("md5", "")) for o in stage.get("outs", [])],
            }
        )
    return rows


def git_commit(repository: str | Path = ".") -> str:
    """HEAD's commit, with "+changes" when the work tree differs from it; "unknown" outside git."""
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repository, capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=repository, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return commit + ("+changes" if dirty else "")


def data_uri(path: str | Path) -> str:
    """A PNG as a data: URI, so the HTML report needs no other file."""
    return "data:image/png;base64," + base64.b64encode(Path(path).read_bytes()).decode("ascii")


def number(value, digits: int = 3) -> str:
    """Format a number for the report; missing values (None, NaN) read "n/a"."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if isinstance(value, int):
        return str(value)
    return f"{value:.{digits}f}"


def render(template_dir: str | Path, template_name: str, context: dict) -> str:
    environment = Environment(loader=FileSystemLoader(str(template_dir)), undefined=StrictUndefined, autoescape=template_name.endswith(".html.j2"))
    environment.filters["number"] = number
    environment.filters["data_uri"] = data_uri
    return environment.get_template(template_name).render(**context)


def markdown_to_html(markdown_text: str, template_dir: str | Path) -> str:
    """The self-contained HTML page of a Markdown report (tables, heading ids)."""
    import markdown

    body = markdown.markdown(markdown_text, extensions=["tables", "toc"])
    return render(template_dir, "report.html.j2", {"body": body})
