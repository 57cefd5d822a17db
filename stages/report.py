"""Stage `report`: paper/report.md and a self-contained paper/report.html from the stage outputs."""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from specgroups.atomic import read_json, write_bytes_atomic
from specgroups.report import data_uri, git_commit, markdown_to_html, provenance, render
from stages._common import load_params, stage_main


def run(arguments) -> str:
    params = load_params(arguments.params, "report")
    output_md, output_html = Path(params["markdown"]), Path(params["html"])
    figures = Path(params["figures"])
    chemistry = read_json(Path(params["chemistry"]) / "clusters.json")
    context = {
        "commit": git_commit(),
        "units": params["units"],
        "dataset": read_json(params["metrics"]["dataset"]),
        "train": read_json(params["metrics"]["train"]),
        "cluster": read_json(params["metrics"]["cluster"]),
        "headline": read_json(params["metrics"]["chemistry"])["headline"],
        "guidelines": read_json(params["metrics"]["chemistry"])["guidelines"],
        "chemical_coherence": read_json(params["metrics"]["chemistry"])["chemical_coherence"],
        "electronic": read_json(params["metrics"]["electronic"]),
        "study": yaml.safe_load(Path(params["study"]).read_text()),
        "provenance": provenance(params["dvc_lock"]),
    }
    figure_files = {"figure1": "figure1_workflow.png", "figure2": "figure2_clusters.png", "figure3": "figure3_contrast.png"}
    panels = {cluster: f"clusters/cluster_{int(cluster):03d}.png" for cluster in chemistry}

    def with_images(locate) -> dict:
        clusters = {cluster: {**summary, "panel": locate(panels[cluster])} for cluster, summary in chemistry.items()}
        return {**context, "figures": {key: locate(name) for key, name in figure_files.items()}, "clusters": clusters}

    relative = os.path.relpath(figures, output_md.parent)
    markdown_text = render(params["templates"], "report.md.j2", with_images(lambda name: f"{relative}/{name}"))
    write_bytes_atomic(output_md, markdown_text.encode())
    embedded = render(params["templates"], "report.md.j2", with_images(lambda name: data_uri(figures / name)))
    write_bytes_atomic(output_html, markdown_to_html(embedded, params["templates"]).encode())
    return f"report: {len(chemistry)} cluster sections, {len(context['provenance'])} stages in provenance -> {output_html}, {output_md}"


if __name__ == "__main__":
    stage_main(run, __doc__)
