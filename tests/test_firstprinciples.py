"""GPAW optics on small real structures: known values, metals, failures, the batch runner."""

from __future__ import annotations

import dataclasses
import re
import os
import time
from pathlib import Path

import numpy as np
import pytest
import yaml
from pymatgen.core import Structure

from specgroups.atomic import read_json
from specgroups.firstprinciples.results import dielectric_path, load_results, result_path
from specgroups.firstprinciples.selection import chalcogenide_material, oxide_material
from specgroups.firstprinciples.settings import OpticsSettings
from specgroups.spectra import dielectric_from_vise_dict, read_dielectric

pytestmark = pytest.mark.gpaw

ROOT = Path(__file__).parents[1]
PROFILE_PARAMS = yaml.safe_load((ROOT / "profiles/firstprinciples/params.yaml").read_text())
SETTINGS = OpticsSettings.from_params(PROFILE_PARAMS["gpaw"])
os.environ.update({"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"})


def oxide(material_id: str) -> dict:
    return next(oxide_material(r) for r in read_json(ROOT / "data/sources/oxides_pbesol.json.gz") if r["id"] == material_id)


def chalcogenide(material_id: str) -> dict:
    records = read_json(ROOT / "data/sources/chalcogenides_mp.json.gz")
    return next(chalcogenide_material(r) for r in records if r["id"] == material_id)


MGO = "mp-1265"
TIS = "mp-1018028"  # TiS, NiAs-type: a metal
BAS = "mp-1500"  # BaS: Ba's 5s5p semicore bands leave 5 empty bands per atom 8.8 eV short of 15 eV


@pytest.fixture(scope="module")
def mgo_result():
    from specgroups.firstprinciples.calculation import compute_optics

    material = oxide(MGO)
    return compute_optics(Structure.from_dict(material["structure"]), MGO, SETTINGS)


def test_mgo_gap_and_dielectric_constant(mgo_result):
    """PBE gap of MgO is 4.4-4.7 eV in the literature (measured 7.8); eps_inf 2.95 measured, ~3.0-3.2 IP-PBE."""
    assert mgo_result.status == "ok", mgo_result.reason
    assert mgo_result.band_gap_ev == pytest.approx(4.6, abs=0.15)
    assert mgo_result.direct_gap_ev == pytest.approx(mgo_result.band_gap_ev, abs=1e-6)  # direct at Gamma
    assert mgo_result.vbm_kpoint == [0.0, 0.0, 0.0] and mgo_result.cbm_kpoint == [0.0, 0.0, 0.0]
    assert mgo_result.transitions_complete_to_ev > 15.0
    dielectric = dielectric_from_vise_dict(mgo_result.dielectric, "MgO")
    assert dielectric.eps_real[0] == pytest.approx(3.05, abs=0.25)
    assert dielectric.energies[-1] >= 15.0
    assert mgo_result.settings == SETTINGS.record({"Mg", "O"}, 2)
    assert set(mgo_result.cpu_seconds) == {"ground_state", "empty_bands", "response", "total"}
    assert mgo_result.paw_quadrature_transforms == 0  # Mg and O pass GPAW's own transform check


def test_mgo_result_reads_back_through_read_dielectric(mgo_result, tmp_path):
    from specgroups.firstprinciples.results import write_result

    write_result(tmp_path, mgo_result.as_dict())
    dielectric = read_dielectric(dielectric_path(tmp_path, MGO))
    assert dielectric.band_gap == pytest.approx(mgo_result.band_gap_ev, abs=1e-3)
    metadata = load_results(tmp_path)[MGO]
    assert metadata["status"] == "ok" and "dielectric" not in metadata


def test_the_eigensolvers_find_the_same_states(mgo_result):
    from specgroups.errors import InputError
    from specgroups.firstprinciples.calculation import compute_optics

    other = "ppcg" if SETTINGS.empty_band_eigensolver == "davidson" else "davidson"
    result = compute_optics(Structure.from_dict(oxide(MGO)["structure"]), MGO, dataclasses.replace(SETTINGS, empty_band_eigensolver=other))
    assert result.status == "ok" and result.nbands == mgo_result.nbands
    assert (result.band_gap_ev, result.transitions_complete_to_ev) == pytest.approx((mgo_result.band_gap_ev, mgo_result.transitions_complete_to_ev), abs=1e-5)
    assert np.allclose(result.dielectric["diele_func_imag"], mgo_result.dielectric["diele_func_imag"], rtol=1e-4, atol=1e-5)
    with pytest.raises(InputError, match="empty_band_eigensolver must be one of"):
        dataclasses.replace(SETTINGS, empty_band_eigensolver="rmm-diis")


def test_metal_is_recorded_not_dropped():
    from specgroups.firstprinciples.calculation import compute_optics

    material = chalcogenide(TIS)
    result = compute_optics(Structure.from_dict(material["structure"]), TIS, SETTINGS)
    assert result.status == "metal"
    assert "gap" in result.reason and result.dielectric is None


def test_failed_ground_state_is_recorded():
    from specgroups.firstprinciples.calculation import compute_optics

    settings = OpticsSettings(**{**SETTINGS.as_dict(), "max_scf_iterations": 2})
    result = compute_optics(Structure.from_dict(oxide(MGO)["structure"]), MGO, settings)
    assert result.status == "failed"
    assert "did not converge in 2 iterations" in result.reason


def test_empty_bands_are_added_until_transitions_reach_15_ev():
    from specgroups.firstprinciples.calculation import compute_optics

    structure = Structure.from_dict(chalcogenide(BAS)["structure"])
    settings = dataclasses.replace(SETTINGS, small_cell_optics_kpoint_density=SETTINGS.optics_kpoint_density)  # the band rule, on the cheaper grid
    result = compute_optics(structure, BAS, settings)
    assert result.status == "ok", result.reason
    assert result.empty_band_rounds == 2 and result.nbands == 27  # 8 occupied + 10 empty, then 1.5x
    assert result.transitions_complete_to_ev >= SETTINGS.min_transitions_complete_ev

    single_run = compute_optics(structure, BAS, dataclasses.replace(settings, max_empty_band_rounds=1))
    assert single_run.status == "failed" and single_run.dielectric is None
    complete_to = re.search(r"transitions complete only to (\d+\.\d+) eV above the VBM", single_run.reason)
    assert complete_to and float(complete_to.group(1)) == pytest.approx(8.77, abs=0.02)
    assert single_run.band_gap_ev == pytest.approx(result.band_gap_ev, abs=1e-6)  # the extra bands change no occupied state

    second_run_first = compute_optics(structure, BAS, settings, first_empty_band_round=2)
    assert (second_run_first.empty_band_rounds, second_run_first.nbands) == (2, 27)
    assert second_run_first.cpu_seconds["empty_bands"] < result.cpu_seconds["empty_bands"]
    assert np.allclose(second_run_first.dielectric["diele_func_imag"], result.dielectric["diele_func_imag"], rtol=1e-4, atol=1e-6)


def test_a_recalculation_on_a_denser_grid_starts_at_the_last_empty_band_run(tmp_path):
    from specgroups.firstprinciples.results import write_result
    from specgroups.firstprinciples.runner import first_empty_band_round

    material = oxide(MGO)  # 2 sites: its spectrum uses small_cell_optics_kpoint_density
    coarse = SETTINGS.record({"Mg", "O"}, 2)
    denser = dataclasses.replace(SETTINGS, small_cell_optics_kpoint_density=coarse["optics_kpoint_density"] + 1.0)
    write_result(tmp_path, {"material_id": MGO, "status": "ok", "empty_band_rounds": 2, "settings": coarse})
    assert first_empty_band_round(tmp_path, material, denser) == 2
    assert first_empty_band_round(tmp_path, material, SETTINGS) == 1  # same grid: nothing to recalculate from
    assert first_empty_band_round(tmp_path, material, dataclasses.replace(denser, empty_bands_per_atom=7)) == 1
    assert first_empty_band_round(tmp_path, material, dataclasses.replace(denser, xc="PBEsol")) == 1
    assert first_empty_band_round(tmp_path, {**material, "id": "mp-absent"}, denser) == 1


def test_results_missing_transitions_are_calculated_again(tmp_path):
    from specgroups.firstprinciples.results import write_result
    from specgroups.firstprinciples.runner import needs_calculation

    mgo = oxide(MGO)
    recorded = SETTINGS.record({"Mg", "O"}, 2)
    write_result(tmp_path, {"material_id": "mp-short", "status": "ok", "transitions_complete_to_ev": 8.77, "settings": recorded})
    write_result(tmp_path, {"material_id": "mp-complete", "status": "ok", "transitions_complete_to_ev": 18.2, "settings": recorded})
    write_result(tmp_path, {"material_id": "mp-metal", "status": "metal", "transitions_complete_to_ev": 3.0, "settings": recorded})
    material = lambda material_id: {**mgo, "id": material_id}  # noqa: E731
    assert needs_calculation(tmp_path, material("mp-short"), SETTINGS)
    assert needs_calculation(tmp_path, material("mp-absent"), SETTINGS)
    assert not needs_calculation(tmp_path, material("mp-complete"), SETTINGS)
    assert not needs_calculation(tmp_path, material("mp-metal"), SETTINGS)
    assert not needs_calculation(tmp_path, material("mp-short"), dataclasses.replace(SETTINGS, min_transitions_complete_ev=8.0))


def test_results_from_other_settings_are_calculated_again(tmp_path):
    """A new PAW dataset for Cr recomputes the Cr compounds only; a new optics k-grid recomputes the spectra it
    applies to: the small cells' (MgO, 2 sites) or the others' (RbLiCrO4, 6 sites)."""
    from specgroups.firstprinciples.results import write_result
    from specgroups.firstprinciples.runner import needs_calculation
    from specgroups.firstprinciples.settings import stale_settings
    from specgroups.firstprinciples.worker import expected_settings

    materials = {m["id"]: m for m in read_json(ROOT / "data/demo/materials.json")}
    chromate, oxide_without_cr = materials["mp-18741"], materials[MGO]  # RbLiCrO4, MgO
    # as results from before `setups` record their settings
    before_setups = lambda material: {k: v for k, v in expected_settings(material, SETTINGS, "optics").items() if k != "setups"}  # noqa: E731
    for material in (chromate, oxide_without_cr):
        write_result(tmp_path, {"material_id": material["id"], "status": "ok", "transitions_complete_to_ev": 18.0, "settings": before_setups(material)})
    semicore = dataclasses.replace(SETTINGS, setups={"Cr": "14"})
    assert stale_settings(before_setups(chromate), semicore.record({"Rb", "Li", "Cr", "O"}, 6)) == ["setups"]
    assert not needs_calculation(tmp_path, chromate, dataclasses.replace(SETTINGS, setups={}))  # GPAW's defaults, as recorded
    assert needs_calculation(tmp_path, chromate, semicore)
    assert not needs_calculation(tmp_path, oxide_without_cr, semicore)
    assert needs_calculation(tmp_path, oxide_without_cr, dataclasses.replace(semicore, small_cell_optics_kpoint_density=3.0))
    assert not needs_calculation(tmp_path, oxide_without_cr, dataclasses.replace(semicore, optics_kpoint_density=3.0))
    as_recorded = dataclasses.replace(SETTINGS, setups={})
    assert needs_calculation(tmp_path, chromate, dataclasses.replace(as_recorded, optics_kpoint_density=3.0))
    assert not needs_calculation(tmp_path, chromate, dataclasses.replace(as_recorded, small_cell_optics_kpoint_density=3.0))
    assert not needs_calculation(tmp_path, oxide_without_cr, dataclasses.replace(semicore, empty_bands_per_atom=7))  # only how many bands


def test_semicore_setups_reach_gpaw():
    """RbLiCrO4 with the 14-electron Cr dataset: 8 more valence electrons per Cr than GPAW's default."""
    from pymatgen.io.ase import AseAtomsAdaptor

    from specgroups.firstprinciples.calculation import ground_state_calculator

    structure = Structure.from_dict(next(m for m in read_json(ROOT / "data/demo/materials.json") if m["id"] == "mp-18741")["structure"])
    atoms = AseAtomsAdaptor.get_atoms(structure)
    electrons = {}
    for name, settings in (("default", dataclasses.replace(SETTINGS, setups={})), ("semicore", dataclasses.replace(SETTINGS, setups={"Cr": "14"}))):
        calc = ground_state_calculator(atoms, settings, [1, 1, 1], None)
        calc.initialize(atoms)
        electrons[name] = calc.setups.nvalence
    assert electrons["semicore"] - electrons["default"] == 8 * atoms.get_chemical_symbols().count("Cr")


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


def test_a_killed_worker_is_recorded_and_the_batch_goes_on(tmp_path):
    from specgroups.firstprinciples.runner import run_material

    record = run_material(oxide(MGO), SETTINGS.as_dict(), str(tmp_path), timeout_s=0.5)
    assert record["status"] == "failed" and "timed out" in record["reason"]
    assert result_path(tmp_path, MGO).is_file()


def test_an_interrupted_worker_leaves_no_result(tmp_path):
    import signal
    import threading

    import psutil

    from specgroups.firstprinciples.runner import run_material

    records = []
    thread = threading.Thread(target=lambda: records.append(run_material(oxide(MGO), SETTINGS.as_dict(), str(tmp_path), 600.0)))
    thread.start()
    deadline = time.monotonic() + 60
    while not (workers := [child for child in psutil.Process().children() if "specgroups.firstprinciples.worker" in child.cmdline()]):
        assert time.monotonic() < deadline, "the worker process did not start"
        time.sleep(0.05)
    workers[0].send_signal(signal.SIGTERM)
    thread.join(timeout=60)
    assert records == [{"material_id": MGO, "status": "interrupted", "reason": "worker stopped by SIGTERM"}]
    assert not result_path(tmp_path, MGO).exists()


@pytest.mark.slow
def test_batch_resumes_without_recomputing(tmp_path):
    from specgroups.firstprinciples.runner import run_batch

    materials = [oxide(MGO), chalcogenide("mp-1315")]  # MgO, MgS
    settings = dataclasses.replace(SETTINGS, small_cell_optics_kpoint_density=SETTINGS.optics_kpoint_density)  # resuming, not the grid
    counts = run_batch(materials, settings, tmp_path, n_workers=2)
    assert counts["ok"] == 2 and counts["done_before"] == 0
    finished = result_path(tmp_path, MGO).stat().st_mtime_ns
    os.unlink(result_path(tmp_path, "mp-1315"))
    counts = run_batch(materials, settings, tmp_path, n_workers=2)
    assert counts["done_before"] == 1 and counts["ok"] == 1
    assert result_path(tmp_path, MGO).stat().st_mtime_ns == finished


def test_a_worker_that_cannot_read_its_settings_records_nothing(tmp_path):
    from specgroups.firstprinciples.runner import run_material

    # as when settings.py gains a field while a batch runs: the new worker's code refuses the old task
    record = run_material(oxide(MGO), {**SETTINGS.as_dict(), "retired_setting": 1.0}, str(tmp_path), 600.0)
    assert record["status"] == "interrupted" and "retired_setting" in record["reason"] and MGO in record["reason"]
    assert not result_path(tmp_path, MGO).exists()
