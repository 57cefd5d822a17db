"""Assembling the spectra table from the committed GPAW results in data/demo/."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import numpy as np
import pytest

from specgroups import InputError
from specgroups.data.assemble import MaterialInput, OnsetCorrection, SpectrumOptions, assemble_dataset
from specgroups.io.atomic import read_json
from specgroups.firstprinciples.results import dielectric_path, load_results
from specgroups.spectra import log_absorption_on_grid, onset_metrics, read_dielectric
from tests.helpers import study_grid

ROOT = Path(__file__).parents[2]
RESULTS = ROOT / "data/demo/first_principles"
FRACTIONS = {"train": 0.8, "val": 0.05, "test": 0.15}


# Li2S (mp-1153) is indirect: Kohn-Sham gap 3.37 eV, lowest direct transition 4.18 eV
INDIRECT = "mp-1153"


def demo_candidates(limit: int = 4, ids: tuple[str, ...] = ()) -> list[MaterialInput]:
    results = load_results(RESULTS)
    materials = {m["id"]: m for m in read_json(ROOT / "data/demo/materials.json")}
    chosen = list(ids) or [material_id for material_id, result in results.items() if result["status"] == "ok"][:limit]
    return [
        MaterialInput(
            material_id=material_id,
            formula=materials[material_id]["formula"],
            structure=materials[material_id]["structure"],
            source=materials[material_id]["source"],
            load_dielectric=partial(read_dielectric, dielectric_path(RESULTS, material_id)),
            min_gap_ev=results[material_id]["band_gap_ev"],
            direct_gap_ev=results[material_id]["direct_gap_ev"],
            reference_gap_ev=results[material_id]["band_gap_ev"] + 1.5,
        )
        for material_id in chosen
    ]


def options(correction: OnsetCorrection) -> SpectrumOptions:
    return SpectrumOptions(study_grid(), 2.0, 4.0, 1.0, correction, 0.0)


def test_table_from_real_gpaw_results():
    candidates = demo_candidates()
    dataset, excluded = assemble_dataset(candidates, options(OnsetCorrection(cut_below_direct_gap=True)), FRACTIONS, 123)
    assert len(excluded) == 0 and dataset.spectra.shape == (len(candidates), 1501)
    assert dataset.spectra.min() >= 2.0 and 5.0 < dataset.spectra.max() < 6.8
    table = dataset.materials
    # with the broadening tail cut, absorption starts at the lowest direct transition (to within the 0.02 eV data step)
    assert np.all(table["onset_energy_ev"] >= table["direct_gap_ev"] - 0.03)
    assert np.all(table["onset_energy_ev"] < table["direct_gap_ev"] + 1.5)
    np.testing.assert_allclose(table["log10_edge_integral"], np.log10(table["absorption_edge_integral"]))
    uncut, _ = assemble_dataset(candidates, options(OnsetCorrection()), FRACTIONS, 123)
    assert np.all(uncut.materials["onset_energy_ev"] <= table["onset_energy_ev"] + 1e-9)


def test_an_indirect_material_absorbs_from_its_lowest_direct_transition():
    """Li2S: cut at the Kohn-Sham gap, the Lorentzian tail between the gaps put the onset 0.1 eV or more below
    the lowest direct transition; cut at the direct gap it starts there, before and after a scissor."""
    (candidate,) = demo_candidates(ids=(INDIRECT,))
    kohn_sham, direct = candidate.min_gap_ev, candidate.direct_gap_ev
    assert direct - kohn_sham > 0.7
    dielectric, grid = candidate.load_dielectric(), study_grid()
    at_kohn_sham = onset_metrics(grid, log_absorption_on_grid(dielectric, grid, cut_below_ev=kohn_sham)).onset_energy_ev
    assert at_kohn_sham < direct - 0.1
    dataset, _ = assemble_dataset([candidate], options(OnsetCorrection(cut_below_direct_gap=True)), {"train": 1.0, "val": 0.0, "test": 0.0}, 1)
    shifted, _ = assemble_dataset([candidate], options(OnsetCorrection("constant", 1.0, True)), {"train": 1.0, "val": 0.0, "test": 0.0}, 1)
    assert direct - 0.03 <= dataset.materials["onset_energy_ev"].iloc[0] < direct + 0.5
    assert direct + 1.0 - 0.03 <= shifted.materials["onset_energy_ev"].iloc[0] < direct + 1.5
    assert shifted.materials["corrected_gap_ev"].iloc[0] == pytest.approx(kohn_sham + 1.0)


def test_constant_and_reference_gap_corrections_shift_the_onsets():
    candidates = demo_candidates()
    plain, _ = assemble_dataset(candidates, options(OnsetCorrection()), FRACTIONS, 123)
    constant, _ = assemble_dataset(candidates, options(OnsetCorrection("constant", 1.0)), FRACTIONS, 123)
    reference, _ = assemble_dataset(candidates, options(OnsetCorrection("reference_gap")), FRACTIONS, 123)
    # vise's scheme also zeroes eps_imag below the shifted gap, which removes the Lorentzian
    # tail that put the unshifted onsets below the gap: the onsets move by at least the shift
    moved = constant.materials["onset_energy_ev"] - plain.materials["onset_energy_ev"]
    assert np.all(moved > 1.0 - 0.05) and np.all(moved < 1.0 + 0.6)
    # (to within the 0.01 eV grid step and the 0.02 eV step of the GPAW data)
    assert np.all(constant.materials["onset_energy_ev"] >= plain.materials["min_gap_ev"] + 1.0 - 0.03)
    np.testing.assert_allclose(reference.materials["scissor_ev"], 1.5)
    np.testing.assert_allclose(reference.materials["corrected_gap_ev"], plain.materials["min_gap_ev"] + 1.5)
    np.testing.assert_allclose(reference.materials["min_gap_ev"], plain.materials["min_gap_ev"])


def test_unusable_materials_are_listed_with_the_reason(tmp_path):
    candidates = demo_candidates(3)
    broken = tmp_path / "broken.json"
    broken.write_text("{}")
    candidates += [
        MaterialInput("mp-metal", "TiS", candidates[0].structure, "test", None, exclusion_reason="metal: gap 0.0 eV"),
        MaterialInput("mp-noref", "Y", candidates[0].structure, "test", candidates[0].load_dielectric, 2.0, 2.0, None),
    ]
    dataset, excluded = assemble_dataset(candidates, options(OnsetCorrection("reference_gap")), FRACTIONS, 1)
    assert len(dataset.materials) == 3
    reasons = dict(zip(excluded["id"], excluded["reason"]))
    assert reasons["mp-metal"].startswith("metal")
    assert "no target gap" in reasons["mp-noref"]
    # a broken file is bad input: the stage stops and names the material and the file
    candidates.append(MaterialInput("mp-broken", candidates[0].formula, candidates[0].structure, "test", partial(read_dielectric, broken), 2.0, 2.0, 3.0))
    with pytest.raises(InputError, match=r"mp-broken: .*broken.json: not a vise DieleFuncData JSON"):
        assemble_dataset(candidates, options(OnsetCorrection("reference_gap")), FRACTIONS, 1)
    # a formula that names no element is bad input too, named by material
    misnamed = MaterialInput("mp-misnamed", "Xq2O", candidates[0].structure, "test", None)
    with pytest.raises(InputError, match=r"mp-misnamed: 'Xq2O': not a chemical formula"):
        assemble_dataset([misnamed], options(OnsetCorrection("none")), FRACTIONS, 1)


def test_nothing_usable_is_an_input_error():
    with pytest.raises(InputError, match="no usable material"):
        assemble_dataset([], options(OnsetCorrection()), FRACTIONS, 1)


def test_unknown_correction_mode():
    with pytest.raises(InputError, match="onset correction mode"):
        OnsetCorrection("hybrid")


def test_unreadable_spectra_are_left_out_up_to_the_share_in_params(tmp_path):
    from dataclasses import replace

    other = tmp_path / "other.json"
    other.write_text('{"frequencies": [0, 1]}')
    candidates = demo_candidates(limit=4)
    candidates[1] = replace(candidates[1], load_dielectric=partial(read_dielectric, other))
    tolerant = replace(options(OnsetCorrection()), max_unreadable_share=0.25)
    dataset, excluded = assemble_dataset(candidates, tolerant, FRACTIONS, 123)
    assert len(dataset.ids) == 3 and excluded["id"].tolist() == [candidates[1].material_id]
    assert excluded["reason"].iloc[0].startswith("unreadable:") and "other.json" in excluded["reason"].iloc[0]
    with pytest.raises(InputError, match=rf"1 of 4 spectra unreadable, more than dataset.max_unreadable_share \(0\): {candidates[1].material_id}: .*other.json"):
        assemble_dataset(candidates, options(OnsetCorrection()), FRACTIONS, 123)
