"""Where a dataset's materials come from: the embedded GPAW results, a spectra table, reference gaps."""

from __future__ import annotations

import json

import numpy as np
import pytest

from specgroups import InputError
from specgroups.io.atomic import read_json
from specgroups.data.sources import corrected_gaps, embedded_materials, materials_from_params, reference_gaps, table_materials, target_gaps
from tests.helpers import ROOT

MATERIALS = ROOT / "data/demo/materials.json"
RESULTS = ROOT / "data/demo/first_principles"


def test_every_selected_material_is_a_candidate_with_its_result_or_reason():
    candidates = list(embedded_materials(MATERIALS, RESULTS, {}, 15.0))
    assert [c.material_id for c in candidates] == [m["id"] for m in read_json(MATERIALS)]
    metals = [c for c in candidates if c.exclusion_reason.startswith("metal")]
    usable = [c for c in candidates if not c.exclusion_reason]
    assert len(usable) == 295 and len(metals) == 29  # data/demo/README.md
    assert all(c.min_gap_ev > 0 and c.direct_gap_ev >= c.min_gap_ev - 1e-6 for c in usable)
    assert usable[0].load_dielectric().energies[-1] >= 15.0


def test_reference_gaps_table(tmp_path):
    good, bad = tmp_path / "gaps.csv", tmp_path / "bad.csv"
    good.write_text("id,reference_gap_ev\nmp-1265,7.8\n")
    bad.write_text("id,gap\nmp-1265,7.8\n")
    assert reference_gaps(good) == {"mp-1265": 7.8} and reference_gaps(None) == {}
    with pytest.raises(InputError, match="needs columns id and reference_gap_ev"):
        reference_gaps(bad)


def test_a_spectra_table_of_the_wrong_shape_or_without_structures_is_refused(tmp_path):
    np.savez(tmp_path / "spectra.npz", material_ids=np.array(["a", "b"]), energies=np.linspace(0, 15, 4), values=np.zeros((2, 3)))
    (tmp_path / "structures.json").write_text(json.dumps({}))
    with pytest.raises(InputError, match=r"values have shape \(2, 3\), expected \(2, 4\)"):
        list(table_materials(tmp_path / "spectra.npz", tmp_path / "structures.json"))
    np.savez(tmp_path / "spectra.npz", material_ids=np.array(["a", "b"]), energies=np.linspace(0, 15, 4), values=np.zeros((2, 4)))
    with pytest.raises(InputError, match=r"no structure for \['a', 'b'\]"):
        list(table_materials(tmp_path / "spectra.npz", tmp_path / "structures.json"))


def test_an_unknown_source_names_the_choices():
    with pytest.raises(InputError, match="dataset.source must be one of"):
        materials_from_params({"source": "vasp", "onset_correction": {}}, 15.0)


def test_target_gaps_follow_the_correction_mode(tmp_path):
    from specgroups.firstprinciples.results import write_result

    write_result(tmp_path, {"material_id": "mp-1265", "status": "ok", "corrected_gap_ev": 8.04})
    write_result(tmp_path, {"material_id": "mp-1", "status": "failed", "reason": "did not converge"})
    table = tmp_path / "gaps.csv"
    table.write_text("id,reference_gap_ev\nmp-1265,7.83\n")
    assert corrected_gaps(tmp_path) == {"mp-1265": 8.04}  # a failed GLLB-SC run gives no target
    assert target_gaps({"mode": "corrected_gap", "corrected_gaps": str(tmp_path), "reference_gaps": str(table)}) == {"mp-1265": 8.04}
    assert target_gaps({"mode": "reference_gap", "corrected_gaps": str(tmp_path), "reference_gaps": str(table)}) == {"mp-1265": 7.83}
    assert target_gaps({"mode": "none", "corrected_gaps": None, "reference_gaps": None}) == {}
    with pytest.raises(InputError, match="absent: no GLLB-SC results"):
        corrected_gaps(tmp_path / "absent")
