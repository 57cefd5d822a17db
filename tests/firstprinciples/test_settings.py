"""The settings of a first-principles calculation (settings.py): checked params, what a result records, stale results."""

from __future__ import annotations

import dataclasses

import pytest

from specgroups.errors import InputError
from specgroups.firstprinciples.settings import OpticsSettings, stale_settings
from tests.firstprinciples.test_runner import SETTINGS


def test_params_must_name_every_setting_and_no_other():
    params = SETTINGS.as_dict()
    assert OpticsSettings.from_params(params) == SETTINGS
    with pytest.raises(InputError, match=r"unknown \['retired_setting'\], missing \[\]"):
        OpticsSettings.from_params({**params, "retired_setting": 1.0})
    with pytest.raises(InputError, match=r"unknown \[\], missing \['plane_wave_cutoff_ev'\]"):
        OpticsSettings.from_params({k: v for k, v in params.items() if k != "plane_wave_cutoff_ev"})


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"plane_wave_cutoff_ev": 0.0}, "plane_wave_cutoff_ev must be positive, got 0.0"),
        ({"max_empty_band_rounds": -1}, "max_empty_band_rounds must be positive"),
        ({"max_scf_iterations": True}, "max_scf_iterations must be a number, got True"),
        ({"broadening_ev": "0.1"}, "broadening_ev must be a number"),
        ({"integration": "gaussian"}, "integration must be one of"),
        ({"setups": {"Cr": 14}}, "setups must map element symbols to GPAW setup names"),
        ({"setups": ["Cr"]}, "setups must map element symbols to GPAW setup names"),
    ],
)
def test_invalid_settings_are_refused(change, message):
    with pytest.raises(InputError, match=message):
        dataclasses.replace(SETTINGS, **change)


def test_a_result_records_the_setups_of_its_elements_and_the_grid_of_its_spectrum():
    settings = dataclasses.replace(
        SETTINGS,
        setups={"Cr": "14", "Ti": "sc"},
        small_cell_max_sites=5,
        optics_kpoint_density=2.0,
        small_cell_optics_kpoint_density=4.0,
    )
    assert settings.setups_for({"Mg", "O"}) == {}
    assert settings.setups_for({"Cr", "Ti", "O"}) == {"Cr": "14", "Ti": "sc"}
    record = settings.record({"Cr", "O"})
    assert record == {**settings.as_dict(), "setups": {"Cr": "14"}}  # no spectrum: optics_kpoint_density as given
    assert [settings.spectrum_kpoint_density(n) for n in (1, 5, 6, 40)] == [4.0, 4.0, 2.0, 2.0]
    assert settings.record({"Mg", "O"}, 2)["optics_kpoint_density"] == 4.0
    assert settings.record({"Mg", "O"}, 5)["optics_kpoint_density"] == 4.0
    large = settings.record({"Cr", "O"}, 6)
    assert large["optics_kpoint_density"] == 2.0 and large["small_cell_optics_kpoint_density"] == 4.0


def test_only_settings_that_change_a_result_make_it_stale():
    expected = dataclasses.replace(SETTINGS, setups={"Cr": "14"}).record({"Cr", "O"}, 6)
    assert stale_settings(expected, expected) == []
    # how many bands, how they are found, when the SCF gives up, when a gap is metallic: same result
    other_run = {
        **expected,
        "empty_bands_per_atom": expected["empty_bands_per_atom"] + 2,
        "max_empty_band_rounds": expected["max_empty_band_rounds"] + 1,
        "empty_band_eigensolver": "ppcg" if expected["empty_band_eigensolver"] == "davidson" else "davidson",
        "max_scf_iterations": 3,
        "metal_gap_threshold_ev": 1.0,
    }
    assert stale_settings(other_run, expected) == []
    assert stale_settings({**expected, "broadening_ev": 0.3, "xc": "PBEsol"}, expected) == ["xc", "broadening_ev"]
    assert stale_settings({**expected, "optics_kpoint_density": 1.0}, expected) == ["optics_kpoint_density"]
    missing_cutoff = {k: v for k, v in expected.items() if k != "response_cutoff_ev"}
    assert stale_settings(missing_cutoff, expected) == ["response_cutoff_ev"]
    # a result from before `setups` was recorded used GPAW's default datasets
    before_setups = {k: v for k, v in expected.items() if k != "setups"}
    assert stale_settings(before_setups, expected) == ["setups"]
    assert stale_settings(before_setups, {**expected, "setups": {}}) == []
