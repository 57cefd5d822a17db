"""GPAW optics of one material (calculation.py) on small real structures: known values, metals, failures, empty bands."""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pytest
from pymatgen.core import Structure

from specgroups.firstprinciples.settings import OpticsSettings
from specgroups.io.atomic import read_json
from specgroups.spectra import dielectric_from_vise_dict
from tests.firstprinciples.test_runner import MGO, ROOT, SETTINGS, chalcogenide, oxide

pytestmark = pytest.mark.gpaw

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


def test_the_eigensolvers_find_the_same_states(mgo_result):
    from specgroups.errors import InputError
    from specgroups.firstprinciples.calculation import compute_optics

    other = "ppcg" if SETTINGS.empty_band_eigensolver == "davidson" else "davidson"
    result = compute_optics(
        Structure.from_dict(oxide(MGO)["structure"]), MGO, dataclasses.replace(SETTINGS, empty_band_eigensolver=other)
    )
    assert result.status == "ok" and result.nbands == mgo_result.nbands
    assert (result.band_gap_ev, result.transitions_complete_to_ev) == pytest.approx(
        (mgo_result.band_gap_ev, mgo_result.transitions_complete_to_ev), abs=1e-5
    )
    assert np.allclose(
        result.dielectric["diele_func_imag"], mgo_result.dielectric["diele_func_imag"], rtol=1e-4, atol=1e-5
    )
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
    settings = dataclasses.replace(
        SETTINGS, small_cell_optics_kpoint_density=SETTINGS.optics_kpoint_density
    )  # the band rule, on the cheaper grid
    result = compute_optics(structure, BAS, settings)
    assert result.status == "ok", result.reason
    assert result.empty_band_rounds == 2 and result.nbands == 27  # 8 occupied + 10 empty, then 1.5x
    assert result.transitions_complete_to_ev >= SETTINGS.min_transitions_complete_ev

    single_run = compute_optics(structure, BAS, dataclasses.replace(settings, max_empty_band_rounds=1))
    assert single_run.status == "failed" and single_run.dielectric is None
    complete_to = re.search(r"transitions complete only to (\d+\.\d+) eV above the VBM", single_run.reason)
    assert complete_to and float(complete_to.group(1)) == pytest.approx(8.77, abs=0.02)
    assert single_run.band_gap_ev == pytest.approx(
        result.band_gap_ev, abs=1e-6
    )  # the extra bands change no occupied state

    second_run_first = compute_optics(structure, BAS, settings, first_empty_band_round=2)
    assert (second_run_first.empty_band_rounds, second_run_first.nbands) == (2, 27)
    assert second_run_first.cpu_seconds["empty_bands"] < result.cpu_seconds["empty_bands"]
    assert np.allclose(
        second_run_first.dielectric["diele_func_imag"], result.dielectric["diele_func_imag"], rtol=1e-4, atol=1e-6
    )


def test_semicore_setups_reach_gpaw():
    """RbLiCrO4 with the 14-electron Cr dataset: 8 more valence electrons per Cr than GPAW's default."""
    from pymatgen.io.ase import AseAtomsAdaptor

    from specgroups.firstprinciples.calculation import ground_state_calculator

    structure = Structure.from_dict(
        next(m for m in read_json(ROOT / "data/demo/materials.json") if m["id"] == "mp-18741")["structure"]
    )
    atoms = AseAtomsAdaptor.get_atoms(structure)
    electrons = {}
    for name, settings in (
        ("default", dataclasses.replace(SETTINGS, setups={})),
        ("semicore", dataclasses.replace(SETTINGS, setups={"Cr": "14"})),
    ):
        calc = ground_state_calculator(atoms, settings, [1, 1, 1], None)
        calc.initialize(atoms)
        electrons[name] = calc.setups.nvalence
    assert electrons["semicore"] - electrons["default"] == 8 * atoms.get_chemical_symbols().count("Cr")
