"""The report: Jinja templates filled from stage outputs, with provenance read from dvc.lock."""

from __future__ import annotations

import base64
import fnmatch
import hashlib
import io
import json
import math
import os
from dataclasses import dataclass
from pathlib import Path

import yaml
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from specgroups.errors import InputError


def dvc_md5(path: str | Path, ignored: tuple[str, ...] = (".*.tmp",)) -> str:
    """The md5 DVC 3 records for a dep or out: of a file's bytes; of a directory, the md5 of the JSON list
    (sorted by path, keys sorted) of its files' ``{"md5", "relpath"}``, with ".dir" appended. Files whose name
    matches one of ``ignored`` (the project's .dvcignore patterns) are left out, as DVC leaves them out."""
    path = Path(path)
    if path.is_file():
        return hashlib.md5(path.read_bytes()).hexdigest()
    if not path.is_dir():
        raise InputError(f"{path}: not found (a stage's deps exist whenever DVC runs it)")
    entries = sorted(
        (
            {"md5": dvc_md5(file), "relpath": file.relative_to(path).as_posix()}
            for file in path.rglob("*")
            if file.is_file()
            and not any(fnmatch.fnmatch(part, pattern) for part in file.relative_to(path).parts for pattern in ignored)
        ),
        key=lambda entry: entry["relpath"],
    )
    return hashlib.md5(json.dumps(entries, sort_keys=True).encode("utf-8")).hexdigest() + ".dir"


def provenance(
    dvc_lock: str | Path,
    dvc_yaml: str | Path | None = None,
    current_stage: str | None = None,
    current_params: dict | None = None,
) -> list[dict]:
    """Per stage: its command, params, and the md5 of every dep and out, as dvc.lock records them.

    ``current_stage`` (the stage rendering the report, defined in ``dvc_yaml``) has no lock entry for this
    run yet, since DVC writes it after the stage ends: its row is made from its definition, the md5 of each
    dep as it is now (:func:`dvc_md5`, what DVC then records) and ``current_params``; its outs are being
    written and have no md5 (empty).
    """
    lock = yaml.safe_load(Path(dvc_lock).read_text()) if Path(dvc_lock).is_file() else {}
    rows = []
    for name, stage in (lock or {}).get("stages", {}).items():
        if name == current_stage:
            continue
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
    if current_stage is not None:
        stage = yaml.safe_load(Path(dvc_yaml).read_text())["stages"][current_stage]
        outs = [next(iter(entry)) if isinstance(entry, dict) else entry for entry in stage.get("outs", [])]
        rows.append(
            {
                "stage": current_stage,
                "cmd": stage["cmd"],
                "params": current_params or {},
                "deps": [(dep, dvc_md5(dep)) for dep in sorted(stage.get("deps", []))],
                "outs": [(out, "") for out in sorted(outs)],
            }
        )
    return rows


# The report is read on screens: figures 1-3 are 2100 px wide at 300 dpi (for print, in figures/), and embedded
# at that size they made up most of a report (3.4 MB of eps2's); 1400 px is about 200 dpi at the same size
REPORT_IMAGE_MAX_WIDTH_PX = 1400


def data_uri(path: str | Path, max_width_px: int = REPORT_IMAGE_MAX_WIDTH_PX) -> str:
    """A PNG as a data: URI, so the HTML report needs no other file: as it is if it is at most ``max_width_px``
    wide, otherwise scaled down to that width (Lanczos, aspect kept) and re-encoded, opaque RGBA as RGB."""
    from PIL import Image

    data = Path(path).read_bytes()
    with Image.open(io.BytesIO(data)) as image:
        if image.width > max_width_px:
            height = round(image.height * max_width_px / image.width)
            smaller = image.resize((max_width_px, height), Image.Resampling.LANCZOS)
            if smaller.mode == "RGBA" and smaller.getchannel("A").getextrema() == (255, 255):
                smaller = smaller.convert("RGB")
            buffer = io.BytesIO()
            smaller.save(buffer, format="PNG", optimize=True)
            data = buffer.getvalue()
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


def number(value, digits: int = 3) -> str:
    """Format a number for the report; missing values (None, NaN) read "n/a"."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if isinstance(value, int):
        return str(value)
    return f"{value:.{digits}f}"


def render(template_dir: str | Path, template_name: str, context: dict) -> str:
    environment = Environment(
        loader=FileSystemLoader(str(template_dir)),
        undefined=StrictUndefined,
        autoescape=template_name.endswith(".html.j2"),
    )
    environment.filters["number"] = number
    environment.filters["data_uri"] = data_uri
    return environment.get_template(template_name).render(**context)


def markdown_to_html(markdown_text: str, template_dir: str | Path) -> str:
    """The self-contained HTML page of a Markdown report (tables, heading ids)."""
    import markdown

    body = markdown.markdown(markdown_text, extensions=["tables", "toc"])
    return render(template_dir, "report.html.j2", {"body": body})


FIGURES = {
    "figure1": "figure1_workflow.png",
    "figure2": "figure2_clusters.png",
    "figure3": "figure3_contrast.png",
    "figure4": "figure4_stability.png",
}


@dataclass(frozen=True)
class ReportSettings:
    """The spectra's ``units`` (for the MAE rows), the Jinja ``templates`` folder and the YAML of what the
    ``study`` reported, shown beside this run's numbers."""

    units: str
    templates: str
    study: str


RESULTS = ("dataset", "train", "cluster", "chemistry", "neighbours", "anchors", "interpret", "electronic", "scan")


def report_context(layout, settings: ReportSettings, provenance_rows: list[dict]) -> dict:
    """Everything the templates show, read from the stage outputs of the profile at ``layout``
    (:class:`specgroups.io.layout.ProfileLayout`); it decides nothing: every verdict comes with its stage's results."""
    from specgroups.io.atomic import read_json
    from specgroups.io.outputs import read_interpretation
    from specgroups.names import environments_named

    results = {name: read_json(layout.results(name)) for name in RESULTS}
    interpret, interpretation = results["interpret"], read_interpretation(layout.interpretation)
    features = [e["feature"] for c in interpretation.clusters.values() for e in c["enriched"]]
    return {
        "units": settings.units,
        "sources": {
            **{name: layout.results(name).as_posix() for name in RESULTS},
            "headline_materials": layout.results_table("headline_materials").as_posix(),
        },
        **{name: results[name] for name in ("dataset", "train", "cluster", "scan", "neighbours", "anchors")},
        "chemistry_failed": results["chemistry"]["chemistry_failed"],
        "electronic": results["electronic"],
        "headline": interpret["headline"],
        "claims": results["electronic"]["claims"],
        "guidelines": interpretation.guidelines,
        "enrichment": {
            key: interpret[key] for key in ("enrichment_tests", "significant", "max_q_value", "guideline_validation")
        },
        "chemical_coherence": results["cluster"]["chemical_coherence"],
        "cross_validation": interpret["cross_validation"],
        "clusters": interpretation.clusters,
        "environment_names": environments_named([*interpret["guidelines"], *features]),
        "study": yaml.safe_load(Path(settings.study).read_text()),
        "provenance": provenance_rows,
    }


def render_reports(
    context: dict, template_dir: str | Path, figures_dir: str | Path, markdown_path: str | Path
) -> tuple[str, str]:
    """(Markdown whose images link to the figure files relative to ``markdown_path``, self-contained HTML
    with every image embedded)."""
    figures_dir = Path(figures_dir)

    def with_images(locate) -> dict:
        clusters = {
            cluster: {**summary, "panel": locate(f"clusters/cluster_{int(cluster):03d}.png")}
            for cluster, summary in context["clusters"].items()
        }
        return {**context, "figures": {key: locate(name) for key, name in FIGURES.items()}, "clusters": clusters}

    relative = os.path.relpath(figures_dir, Path(markdown_path).parent)
    markdown_text = render(template_dir, "report.md.j2", with_images(lambda name: f"{relative}/{name}"))
    embedded = render(template_dir, "report.md.j2", with_images(lambda name: data_uri(figures_dir / name)))
    return markdown_text, markdown_to_html(embedded, template_dir)
