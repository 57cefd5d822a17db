"""The batch runner of GPAW calculations (runner.py): which materials need a calculation, killed and interrupted
workers, resuming a batch."""

from __future__ import annotations

import dataclasses
import os
import time
from pathlib import Path

import pytest
import yaml

from specgroups.firstprinciples.results import result_path
from specgroups.firstprinciples.selection import chalcogenide_material, oxide_material
from specgroups.firstprinciples.settings import OpticsSettings
from specgroups.io.atomic import read_json

pytestmark = pytest.mark.gpaw

ROOT = Path(__file__).parents[2]
PROFILE_PARAMS = yaml.safe_load((ROOT / "profiles/firstprinciples/params.yaml").read_text())
SETTINGS = OpticsSettings.from_params(PROFILE_PARAMS["gpaw"])
os.environ.update({"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"})


def oxide(material_id: str) -> dict:
    return next(
        oxide_material(r) for r in read_json(ROOT / "data/sources/oxides_pbesol.json.gz") if r["id"] == material_id
    )


def chalcogenide(material_id: str) -> dict:
    records = read_json(ROOT / "data/sources/chalcogenides_mp.json.gz")
    return next(chalcogenide_material(r) for r in records if r["id"] == material_id)


MGO = "mp-1265"


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
    write_result(
        tmp_path, {"material_id": "mp-short", "status": "ok", "transitions_complete_to_ev": 8.77, "settings": recorded}
    )
    write_result(
        tmp_path,
        {"material_id": "mp-complete", "status": "ok", "transitions_complete_to_ev": 18.2, "settings": recorded},
    )
    write_result(
        tmp_path,
        {"material_id": "mp-metal", "status": "metal", "transitions_complete_to_ev": 3.0, "settings": recorded},
    )
    material = lambda material_id: {**mgo, "id": material_id}  # noqa: E731
    assert needs_calculation(tmp_path, material("mp-short"), SETTINGS)
    assert needs_calculation(tmp_path, material("mp-absent"), SETTINGS)
    assert not needs_calculation(tmp_path, material("mp-complete"), SETTINGS)
    assert not needs_calculation(tmp_path, material("mp-metal"), SETTINGS)
    assert not needs_calculation(
        tmp_path, material("mp-short"), dataclasses.replace(SETTINGS, min_transitions_complete_ev=8.0)
    )


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
    before_setups = lambda material: {
        k: v for k, v in expected_settings(material, SETTINGS, "optics").items() if k != "setups"
    }  # noqa: E731
    for material in (chromate, oxide_without_cr):
        write_result(
            tmp_path,
            {
                "material_id": material["id"],
                "status": "ok",
                "transitions_complete_to_ev": 18.0,
                "settings": before_setups(material),
            },
        )
    semicore = dataclasses.replace(SETTINGS, setups={"Cr": "14"})
    assert stale_settings(before_setups(chromate), semicore.record({"Rb", "Li", "Cr", "O"}, 6)) == ["setups"]
    assert not needs_calculation(
        tmp_path, chromate, dataclasses.replace(SETTINGS, setups={})
    )  # GPAW's defaults, as recorded
    assert needs_calculation(tmp_path, chromate, semicore)
    assert not needs_calculation(tmp_path, oxide_without_cr, semicore)
    assert needs_calculation(
        tmp_path, oxide_without_cr, dataclasses.replace(semicore, small_cell_optics_kpoint_density=3.0)
    )
    assert not needs_calculation(tmp_path, oxide_without_cr, dataclasses.replace(semicore, optics_kpoint_density=3.0))
    as_recorded = dataclasses.replace(SETTINGS, setups={})
    assert needs_calculation(tmp_path, chromate, dataclasses.replace(as_recorded, optics_kpoint_density=3.0))
    assert not needs_calculation(
        tmp_path, chromate, dataclasses.replace(as_recorded, small_cell_optics_kpoint_density=3.0)
    )
    assert not needs_calculation(
        tmp_path, oxide_without_cr, dataclasses.replace(semicore, empty_bands_per_atom=7)
    )  # only how many bands


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
    thread = threading.Thread(
        target=lambda: records.append(run_material(oxide(MGO), SETTINGS.as_dict(), str(tmp_path), 600.0))
    )
    thread.start()
    deadline = time.monotonic() + 60
    while not (
        workers := [
            child for child in psutil.Process().children() if "specgroups.firstprinciples.worker" in child.cmdline()
        ]
    ):
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
    settings = dataclasses.replace(
        SETTINGS, small_cell_optics_kpoint_density=SETTINGS.optics_kpoint_density
    )  # resuming, not the grid
    counts = run_batch(materials, settings, tmp_path, n_workers=2)
    assert counts["ok"] == 2 and counts["done_before"] == 0
    finished = result_path(tmp_path, MGO).stat().st_mtime_ns
    os.unlink(result_path(tmp_path, "mp-1315"))
    counts = run_batch(materials, settings, tmp_path, n_workers=2)
    assert counts["done_before"] == 1 and counts["ok"] == 1
    assert result_path(tmp_path, MGO).stat().st_mtime_ns == finished
