"""The on-disk layout of first-principles results (results.py): writing, reading back, which spectra are used."""

from __future__ import annotations

import pytest

from specgroups.firstprinciples.results import dielectric_path, load_results
from specgroups.spectra import read_dielectric
from tests.firstprinciples.test_calculation import mgo_result  # noqa: F401 (a fixture)
from tests.firstprinciples.test_runner import MGO


@pytest.mark.gpaw
def test_mgo_result_reads_back_through_read_dielectric(mgo_result, tmp_path):  # noqa: F811 (the fixture)
    from specgroups.firstprinciples.results import write_result

    write_result(tmp_path, mgo_result.as_dict())
    dielectric = read_dielectric(dielectric_path(tmp_path, MGO))
    assert dielectric.band_gap == pytest.approx(mgo_result.band_gap_ev, abs=1e-3)
    metadata = load_results(tmp_path)[MGO]
    assert metadata["status"] == "ok" and "dielectric" not in metadata


def test_only_complete_spectra_are_used():
    from specgroups.firstprinciples.results import exclusion_reason

    complete = {"status": "ok", "transitions_complete_to_ev": 18.2}
    assert exclusion_reason(complete, 15.0) == ""
    assert exclusion_reason({"status": "ok", "transitions_complete_to_ev": 8.77}, 15.0) == (
        "transitions incomplete: complete only to 8.77 eV, the grid ends at 15 eV"
    )
    assert exclusion_reason({"status": "ok", "transitions_complete_to_ev": 8.77}, 8.0) == ""
    assert exclusion_reason({"status": "metal", "reason": "zero gap"}, 15.0) == "metal: zero gap"
    assert exclusion_reason(None, 15.0) == "no first-principles result"
