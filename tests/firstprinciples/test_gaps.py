"""GLLB-SC gaps: MgO against the measured gap and GPAW's PBE gap; La, whose GLLB-SC dataset is generated."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from pymatgen.core import Structure

from specgroups.firstprinciples.settings import OpticsSettings
from specgroups.io.atomic import read_json

pytestmark = pytest.mark.gpaw

ROOT = Path(__file__).parents[2]
SETTINGS = OpticsSettings.from_params(
    yaml.safe_load((ROOT / "profiles/firstprinciples/params.yaml").read_text())["gpaw"]
)
MATERIALS = {m["id"]: m for m in read_json(ROOT / "data/demo/materials.json")}
os.environ.update({"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"})


def corrected_gap(material_id: str):
    from specgroups.firstprinciples.gaps import compute_corrected_gap

    return compute_corrected_gap(Structure.from_dict(MATERIALS[material_id]["structure"]), material_id, SETTINGS)


def test_mgo_gllbsc_gap_is_near_the_measured_gap():
    """MgO: PBE 4.59 eV here, measured 7.83 eV; GLLB-SC adds a positive discontinuity to a larger Kohn-Sham gap."""
    result = corrected_gap("mp-1265")
    assert result.status == "ok" and result.generated_datasets == []
    assert result.corrected_gap_ev == pytest.approx(
        result.kohn_sham_gap_ev + result.derivative_discontinuity_ev, abs=2e-4
    )
    assert result.derivative_discontinuity_ev > 1.0 and result.kohn_sham_gap_ev > 4.59
    assert abs(result.corrected_gap_ev - 7.83) < 0.5  # Kuisma et al. 2010 report 8.0-8.3 eV for GLLB-SC MgO
    assert result.settings["xc"] == "GLLBSC" and result.settings["setups"] == {}
    assert result.kpoint_grid_optics == [6, 6, 6]  # the spectrum's own grid


@pytest.mark.slow
def test_la_gets_a_generated_dataset_and_a_gap():
    result = corrected_gap("mp-7958")  # KLaO2
    assert result.status == "ok" and result.generated_datasets == ["La"]
    assert result.corrected_gap_ev > result.kohn_sham_gap_ev > 3.79  # above its PBE gap


def test_generated_datasets_are_gpaws_own_recipe(tmp_path):
    import gpaw.setup_data

    from specgroups.firstprinciples.gaps import generate_datasets

    assert generate_datasets({"Mg", "O"}, tmp_path) == [] and not list(tmp_path.iterdir())
    assert generate_datasets({"La", "O"}, tmp_path) == ["La"]
    data = gpaw.setup_data.SetupData("La", "GLLBSC", readxml=False)
    data.read_xml(source=(tmp_path / "La.GLLBSC").read_bytes())
    assert data.Z == 57 and data.Nv == 11  # the PBE dataset's valence: 5s2 5p6 5d1 6s2
