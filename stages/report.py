"""Stage `report`: paper/report.md and a self-contained paper/report.html from the stage outputs."""

from __future__ import annotations

from specgroups.atomic import write_bytes_atomic
from specgroups.report import provenance, render_reports, report_context
from stages._common import load_params, stage_main


def run(arguments) -> str:
    params = load_params(arguments.params, "report")
    rows = provenance(params["dvc_lock"], params["dvc_yaml"], "report", {"report": params})
    context = report_context(params, rows)
    markdown_text, html_text = render_reports(context, params["templates"], params["figures"], params["markdown"])
    write_bytes_atomic(params["markdown"], markdown_text.encode())
    write_bytes_atomic(params["html"], html_text.encode())
    return f"report: {len(context['clusters'])} cluster sections, {len(rows)} stages in provenance -> {params['html']}, {params['markdown']}"


if __name__ == "__main__":
    stage_main(run, __doc__)
