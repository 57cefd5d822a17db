"""The report's provenance comes from dvc.lock, its numbers are formatted from data, images are embedded."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import pytest
import yaml
from PIL import Image

from specgroups.present.report import (
    REPORT_IMAGE_MAX_WIDTH_PX,
    data_uri,
    markdown_to_html,
    number,
    provenance,
)

ROOT = Path(__file__).parents[2]


def test_provenance_matches_dvc_lock(tmp_path):
    lock = {
        "schema": "2.0",
        "stages": {
            "dataset": {
                "cmd": "python -m stages.dataset",
                "deps": [{"path": "data/demo/materials.json", "hash": "md5", "md5": "a" * 32, "size": 1}],
                "params": {"params.yaml": {"dataset.floor": 2.0}},
                "outs": [{"path": "data/dataset", "hash": "md5", "md5": "b" * 32 + ".dir", "size": 2}],
            }
        },
    }
    path = tmp_path / "dvc.lock"
    path.write_text(yaml.safe_dump(lock))
    [row] = provenance(path)
    assert row["stage"] == "dataset" and row["params"] == {"dataset.floor": 2.0}
    assert row["deps"] == [("data/demo/materials.json", "a" * 32)]
    assert row["outs"] == [("data/dataset", "b" * 32 + ".dir")]


def test_project_lock_lists_every_stage_that_ran():
    stages = {row["stage"] for row in provenance(ROOT / "dvc.lock")}
    assert {"dataset", "graphs", "train", "embed", "cluster"} <= stages


def test_numbers_and_missing_values():
    assert number(0.12345) == "0.123" and number(3) == "3" and number(None) == "n/a" and number(float("nan")) == "n/a"
    assert number(2.0, 2) == "2.00"


def test_html_is_self_contained(tmp_path):
    png = tmp_path / "a.png"
    Image.new("RGB", (4, 3), "white").save(png)
    html = markdown_to_html(
        f"## Clusters\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n![x]({data_uri(png)})\n", ROOT / "paper/templates"
    )
    assert '<h2 id="clusters">Clusters</h2>' in html and "<table>" in html
    assert 'src="data:image/png;base64,' in html and "http" not in html.replace("https://", "")


def _embedded(uri: str) -> bytes:
    assert uri.startswith("data:image/png;base64,")
    return base64.b64decode(uri.split(",", 1)[1])


def test_wide_figures_are_embedded_at_screen_width_and_narrow_ones_as_they_are():
    figure = ROOT / "figures/figure3_contrast.png"  # 300 dpi, over 2000 px wide
    with Image.open(figure) as original:
        assert original.width > REPORT_IMAGE_MAX_WIDTH_PX
        with Image.open(io.BytesIO(_embedded(data_uri(figure)))) as embedded:
            assert embedded.format == "PNG" and embedded.width == REPORT_IMAGE_MAX_WIDTH_PX
            assert abs(embedded.height / embedded.width - original.height / original.width) < 2 / embedded.width
            assert embedded.mode == "RGB"  # the figure is opaque: its alpha channel carried nothing
    panel = ROOT / "figures/clusters/cluster_001.png"  # 150 dpi, narrower
    assert _embedded(data_uri(panel)) == panel.read_bytes()
    assert len(_embedded(data_uri(figure))) < figure.stat().st_size


def test_dvc_md5_is_what_dvc_records_for_files_and_folders():
    """The committed lock's md5 of committed inputs (source files, the templates folder) as DVC computed them."""
    from specgroups.present.report import dvc_md5

    report = yaml.safe_load((ROOT / "dvc.lock").read_text())["stages"]["report"]
    checked = [dep for dep in report["deps"] if dep["path"].startswith(("specgroups/", "stages/", "paper/"))]
    assert any(dep["md5"].endswith(".dir") for dep in checked) and len(checked) > 5
    for dep in checked:
        assert dvc_md5(ROOT / dep["path"]) == dep["md5"], dep["path"]


def test_dvc_md5_leaves_out_what_dvcignore_ignores(tmp_path):
    from specgroups.present.report import dvc_md5

    (tmp_path / "out/sub").mkdir(parents=True)
    (tmp_path / "out/sub/a.csv").write_text("1\n")
    before = dvc_md5(tmp_path / "out")
    (tmp_path / "out/sub/.a.csv.x1y2.tmp").write_text("half written")  # a killed writer's temporary
    assert dvc_md5(tmp_path / "out") == before
    (tmp_path / "out/b.csv").write_text("2\n")
    assert dvc_md5(tmp_path / "out") != before


def provenance_rows(markdown: str) -> dict[str, str]:
    """{stage: its row} of a rendered report's provenance table."""
    table = markdown.split("## Provenance", 1)[1]
    return {line.split("|")[1].strip(): line for line in table.splitlines() if line.startswith("| ") and "`" in line}


@pytest.mark.parametrize(
    "report, lock", [("paper/report.md", "dvc.lock"), ("profiles/eps2/report.md", "profiles/eps2/dvc.lock")]
)
def test_the_reports_own_row_shows_the_inputs_it_was_rendered_from(report, lock):
    """The report stage hashes its deps as it renders; DVC then records the same md5 in the lock (the
    committed report and lock come from one run)."""
    row = provenance_rows((ROOT / report).read_text())["report"]
    deps = yaml.safe_load((ROOT / lock).read_text())["stages"]["report"]["deps"]
    for dep in deps:
        assert f"{dep['path']} `{dep['md5'][:8]}`" in row, dep["path"]
    figures = yaml.safe_load((ROOT / lock).read_text())["stages"]["figures"]
    figures_out = figures["outs"][0]
    assert (
        f"{figures_out['path']} `{figures_out['md5'][:8]}`" in provenance_rows((ROOT / report).read_text())["figures"]
    )
