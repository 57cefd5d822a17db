"""specgroups.io.layout: a profile's artifacts derive from its root; the default keeps the study's places."""

from __future__ import annotations

from pathlib import Path

from specgroups.io.layout import ProfileLayout


def test_paths_derive_from_the_profile_root():
    default, eps2 = ProfileLayout.of("."), ProfileLayout.of("profiles/eps2")
    assert default.clusters == Path("data/clusters.npz") and eps2.clusters == Path("profiles/eps2/data/clusters.npz")
    assert default.results("interpret") == Path("results/interpret.json")
    assert eps2.metrics("train") == Path("profiles/eps2/metrics/train.json")
    assert eps2.plot("test_spectra") == Path("profiles/eps2/metrics/test_spectra")
    assert (default.model, default.report_html) == (Path("models/default"), Path("paper/report.html"))
    assert (eps2.model, eps2.report_html) == (Path("profiles/eps2/model"), Path("profiles/eps2/report.html"))
