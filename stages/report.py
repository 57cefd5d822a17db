"""Stage `report`: the report as Markdown and as a self-contained HTML page, rendered from the stage outputs."""

from __future__ import annotations

from specgroups.io.atomic import write_bytes_atomic
from specgroups.present.report import ReportSettings, provenance, render_reports, report_context
from stages._common import stage_main


def run(profile) -> str:
    settings, layout = profile.settings(ReportSettings, "report"), profile.layout
    rows = provenance(layout.dvc_lock, layout.dvc_yaml, "report", {"report": profile.section("report")})
    context = report_context(layout, settings, rows)
    markdown_text, html_text = render_reports(context, settings.templates, layout.figures, layout.report_markdown)
    write_bytes_atomic(layout.report_markdown, markdown_text.encode())
    write_bytes_atomic(layout.report_html, html_text.encode())
    return (
        f"report: {len(context['clusters'])} cluster sections, {len(rows)} stages in provenance -> {layout.report_html}"
    )


if __name__ == "__main__":
    stage_main(run, __doc__)
