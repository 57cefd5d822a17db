"""The worker process of one material's calculation (worker.py)."""

from __future__ import annotations

import dataclasses

import pytest

from specgroups.firstprinciples.results import result_path
from specgroups.firstprinciples.worker import expected_settings, main
from specgroups.io.atomic import read_json, write_json_atomic
from tests.firstprinciples.test_runner import MGO, ROOT, SETTINGS, oxide


@pytest.mark.gpaw
def test_a_worker_that_cannot_read_its_settings_records_nothing(tmp_path):
    from specgroups.firstprinciples.runner import run_material

    # as when settings.py gains a field while a batch runs: the new worker's code refuses the old task
    record = run_material(oxide(MGO), {**SETTINGS.as_dict(), "retired_setting": 1.0}, str(tmp_path), 600.0)
    assert record["status"] == "interrupted" and "retired_setting" in record["reason"] and MGO in record["reason"]
    assert not result_path(tmp_path, MGO).exists()


def test_each_calculation_records_its_own_settings():
    from specgroups.firstprinciples.gaps import GLLBSC

    materials = {m["id"]: m for m in read_json(ROOT / "data/demo/materials.json")}
    chromate, mgo = materials["mp-18741"], materials[MGO]  # RbLiCrO4 (14 sites), MgO (2 sites)
    settings = dataclasses.replace(
        SETTINGS,
        setups={"Cr": "14"},
        small_cell_max_sites=5,
        optics_kpoint_density=2.0,
        small_cell_optics_kpoint_density=4.0,
    )
    assert expected_settings(mgo, settings, "optics") == settings.record({"Mg", "O"}, 2)
    assert expected_settings(mgo, settings, "optics")["optics_kpoint_density"] == 4.0  # the small cell's spectrum
    assert expected_settings(mgo, settings, "localisation")["optics_kpoint_density"] == 2.0
    assert expected_settings(chromate, settings, "optics")["optics_kpoint_density"] == 2.0
    assert expected_settings(chromate, settings, "optics")["setups"] == {"Cr": "14"}
    assert expected_settings(mgo, settings, "optics")["setups"] == {}
    gllbsc = expected_settings(chromate, settings, "gllbsc")
    assert gllbsc["xc"] == GLLBSC and gllbsc["setups"] == {}  # GLLB-SC keeps GPAW's default datasets


def test_a_calculation_that_raises_is_recorded_as_the_materials_failure(tmp_path):
    material = next(m for m in read_json(ROOT / "data/demo/materials.json") if m["id"] == MGO)
    task = {
        "id": MGO,
        "structure": material["structure"],
        "settings": SETTINGS.as_dict(),
        "calculation": "phonons",  # not one of CALCULATIONS: calculate() raises
        "options": {},
    }
    write_json_atomic(tmp_path / "task.json", task)
    assert main(str(tmp_path / "task.json"), str(tmp_path / "out")) == 0
    record = read_json(result_path(tmp_path / "out", MGO))
    assert record["status"] == "failed" and record["reason"].startswith("ValueError: unknown calculation 'phonons'")
    assert (record["material_id"], record["formula"], record["nsites"]) == (MGO, "MgO", 2)
    assert record["settings"] == SETTINGS.record({"Mg", "O"})
