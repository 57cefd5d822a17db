"""specgroups.spectra on the real VASP/vise fixtures (tests/fixtures, see PROVENANCE.md)."""

from __future__ import annotations

import gzip
import json
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import numpy as np
import pytest
from vise.analyzer.dielectric_function import DieleFuncData, absorption_coeff, make_shifted_diele_func

from specgroups import InputError
from specgroups.spectra import (
    DielectricFunction,
    absorption_coefficient,
    cut_below,
    log_absorption_on_grid,
    onset_metrics,
    read_dielectric,
    scissor_shift,
)
from tests.helpers import study_grid

DATA = Path(__file__).parent / "fixtures"
MGSE_VASPRUN = DATA / "MgSe_absorption_vasprun.xml.gz"
MGSE_JSON = DATA / "MgSe_diele_func_data.json"
GE_VASPRUN = DATA / "Ge_vasprun.xml.gz"


@pytest.fixture(scope="module")
def mgse():
    return read_dielectric(MGSE_VASPRUN)


def xml_dielectric(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The density-density dielectric function read straight from the XML, independently of pymatgen."""
    root = ElementTree.parse(gzip.open(path)).getroot()
    block = next(b for b in root.iter("dielectricfunction") if b.get("comment", "density") == "density")
    rows = {
        part: np.array([[float(x) for x in r.text.split()] for r in block.find(part).iter("r")])
        for part in ("real", "imag")
    }
    return rows["real"][:, 0], rows["real"][:, 1:4].mean(axis=1), rows["imag"][:, 1:4].mean(axis=1)


def test_vasprun_matches_the_raw_xml(mgse):
    energies, eps_real, eps_imag = xml_dielectric(MGSE_VASPRUN)
    assert len(mgse.energies) == 4002
    np.testing.assert_allclose(mgse.energies, energies)
    np.testing.assert_allclose(mgse.eps_real, eps_real, atol=1e-12)
    np.testing.assert_allclose(mgse.eps_imag, eps_imag, atol=1e-12)
    assert mgse.band_gap == pytest.approx(2.529, abs=1e-3)


def test_vise_json_matches_vise_own_reading():
    ours = read_dielectric(MGSE_JSON)
    theirs = DieleFuncData.from_dict(json.loads(MGSE_JSON.read_text()))
    rows = [theirs.directions.index(d) for d in ("xx", "yy", "zz")]
    np.testing.assert_array_equal(ours.energies, theirs.energies)
    np.testing.assert_allclose(ours.eps_imag, np.mean([theirs.diele_func_imag[i] for i in rows], axis=0))
    np.testing.assert_allclose(ours.eps_real, np.mean([theirs.diele_func_real[i] for i in rows], axis=0))
    assert ours.band_gap == pytest.approx(1.9969)


def test_vasprun_and_vise_json_agree_on_the_same_data(mgse, tmp_path):
    """The vasprun's data written by vise as a DieleFuncData JSON reads back identically."""
    tensor = lambda values: [values, values, values, [0.0] * len(values), [0.0] * len(values), [0.0] * len(values)]  # noqa: E731
    written = DieleFuncData(
        energies=mgse.energies.tolist(),
        directions=["xx", "yy", "zz", "xy", "yz", "xz"],
        diele_func_real=tensor(mgse.eps_real.tolist()),
        diele_func_imag=tensor(mgse.eps_imag.tolist()),
        band_gap=mgse.band_gap,
    )
    path = tmp_path / "MgSe_from_vasprun.json"
    written.to_json_file(str(path))
    again = read_dielectric(path)
    for name in ("energies", "eps_real", "eps_imag"):
        np.testing.assert_allclose(getattr(again, name), getattr(mgse, name), rtol=1e-12)
    assert again.band_gap == mgse.band_gap
    np.testing.assert_allclose(
        log_absorption_on_grid(again, study_grid()), log_absorption_on_grid(mgse, study_grid()), rtol=1e-12
    )


def test_ge_vasprun_reads():
    germanium = read_dielectric(GE_VASPRUN)
    assert germanium.energies[0] == 0.0 and germanium.energies[-1] > 15.0
    assert np.max(germanium.eps_imag) > 10  # Ge's E2 peak: eps_imag ~ 30 near 4.3 eV
    log_alpha = log_absorption_on_grid(germanium, study_grid())
    assert log_alpha.shape == (1501,) and np.all(np.isfinite(log_alpha))


@pytest.mark.parametrize("path", [MGSE_VASPRUN, MGSE_JSON])
def test_absorption_matches_vise(path):
    dielectric = read_dielectric(path)
    ours = absorption_coefficient(dielectric.energies, dielectric.eps_real, dielectric.eps_imag)
    theirs = [
        absorption_coeff(e, r, i) for e, r, i in zip(dielectric.energies, dielectric.eps_real, dielectric.eps_imag)
    ]
    # vise subtracts nearly equal numbers where eps_imag << eps_real: agree to 1e-7 relative
    np.testing.assert_allclose(ours, theirs, rtol=1e-7, atol=1e-6)
    assert ours.max() > 1e5  # MgSe absorbs strongly in the UV


def test_log_absorption_on_the_study_grid(mgse):
    log_alpha = log_absorption_on_grid(mgse, study_grid())
    assert log_alpha.shape == (1501,)
    assert log_alpha.min() == 2.0  # the floor, below the gap
    assert 5.5 < log_alpha.max() < 6.6  # the study's values run from 2 to about 6.4
    raised = log_absorption_on_grid(mgse, study_grid(), floor=3.0)
    assert raised.min() == 3.0


def test_onset_sits_where_the_data_say(mgse):
    """The onset lies between the two native energies where vise's alpha crosses 10^4 cm^-1."""
    onset = onset_metrics(study_grid(), log_absorption_on_grid(mgse, study_grid())).onset_energy_ev
    alpha = np.array([absorption_coeff(e, r, i) for e, r, i in zip(mgse.energies, mgse.eps_real, mgse.eps_imag)])
    first = int(np.argmax(alpha >= 1e4))
    assert mgse.energies[first - 1] <= onset <= mgse.energies[first]
    assert mgse.band_gap < onset < mgse.band_gap + 1.0  # above the Kohn-Sham gap of 2.53 eV


def test_onset_metrics_on_a_hand_made_edge():
    grid = study_grid()
    log_alpha = np.clip(2.0 + 2.0 * (grid - 3.0), 2.0, 6.0)  # rises 2 decades per eV from 3 eV
    metrics = onset_metrics(grid, log_alpha, threshold=4.0, edge_window_ev=1.0)
    assert metrics.onset_energy_ev == pytest.approx(4.0, abs=1e-9)
    # I = integral of alpha = 10^(4 + 2 (E - 4)) cm^-1 over [4, 5] eV = 10^4 (10^2 - 1) / (2 ln 10) cm^-1 eV
    exact = 1e4 * 99.0 / (2.0 * np.log(10.0))
    assert metrics.absorption_edge_integral == pytest.approx(exact, rel=2e-4)  # trapezoids on a 0.01 eV grid
    # a spectrum given as the quantity itself (eps_imag = 2 (E - 3) from 3 eV): integral of 2 (E - 3) over [4, 5] = 3
    linear = onset_metrics(
        grid, np.clip(2.0 * (grid - 3.0), 0.0, None), threshold=2.0, edge_window_ev=1.0, logarithmic=False
    )
    assert linear.onset_energy_ev == pytest.approx(4.0, abs=1e-9) and linear.absorption_edge_integral == pytest.approx(
        3.0, abs=1e-9
    )
    never = onset_metrics(grid, np.full_like(grid, 2.0))
    assert np.isnan(never.onset_energy_ev) and np.isnan(never.absorption_edge_integral)


@pytest.mark.parametrize("shift", [0.5, 1.0, 2.0])
def test_scissor_shifts_the_onset_by_the_shift(mgse, shift):
    grid = study_grid()
    before = onset_metrics(grid, log_absorption_on_grid(mgse, study_grid())).onset_energy_ev
    shifted = log_absorption_on_grid(mgse, study_grid(), scissor_ev=shift)
    assert np.all(np.isfinite(shifted))
    after = onset_metrics(grid, shifted).onset_energy_ev
    assert after - before == pytest.approx(shift, abs=0.05)


def test_cut_below_removes_only_the_sub_gap_tail(mgse):
    cut = cut_below(mgse, mgse.band_gap)
    assert np.all(cut.eps_imag[mgse.energies < mgse.band_gap] == 0.0)
    np.testing.assert_array_equal(
        cut.eps_imag[mgse.energies >= mgse.band_gap], mgse.eps_imag[mgse.energies >= mgse.band_gap]
    )
    np.testing.assert_array_equal(cut.eps_real, mgse.eps_real)
    uncut = onset_metrics(study_grid(), log_absorption_on_grid(mgse, study_grid())).onset_energy_ev
    cut_higher = onset_metrics(
        study_grid(), log_absorption_on_grid(mgse, study_grid(), cut_below_ev=3.5)
    ).onset_energy_ev
    assert uncut < 3.0 and 3.5 - 0.011 <= cut_higher < 3.6  # no absorption below the cut; it rises at once above
    with pytest.raises(InputError, match="MgSe.*non-finite"):
        cut_below(DielectricFunction(mgse.energies, mgse.eps_real, mgse.eps_imag, None, "MgSe"), float("nan"))


def test_scissor_matches_vise_on_a_uniform_axis(mgse):
    """Same result as vise's make_shifted_diele_func (its O(N^2) Python loop, so on 400 points)."""
    energies = np.linspace(0.0, 20.0, 400)
    eps_imag = np.interp(energies, mgse.energies, mgse.eps_imag)
    eps_real = np.interp(energies, mgse.energies, mgse.eps_real)
    zeros = [0.0] * len(energies)
    vise_data = DieleFuncData(
        energies.tolist(),
        ["xx", "yy", "zz", "xy", "yz", "xz"],
        [eps_real.tolist()] * 3 + [zeros] * 3,
        [eps_imag.tolist()] * 3 + [zeros] * 3,
        band_gap=mgse.band_gap,
    )
    theirs = make_shifted_diele_func(vise_data, mgse.band_gap, 1.0)
    ours = scissor_shift(DielectricFunction(energies, eps_real, eps_imag, mgse.band_gap, "MgSe"), 1.0)
    np.testing.assert_allclose(ours.eps_imag, theirs.diele_func_imag[0], atol=1e-10)
    np.testing.assert_allclose(ours.eps_real, theirs.diele_func_real[0], atol=1e-9)
    assert ours.band_gap == theirs.band_gap


# --- bad input: every case gets an InputError that names the file ---


def vise_json(tmp_path: Path, **changes) -> Path:
    data = json.loads(MGSE_JSON.read_text())
    for key, change in changes.items():
        data[key] = change(data[key])
    path = tmp_path / "changed.json"
    path.write_text(json.dumps(data))
    return path


def assert_input_error(path: Path, *fragments: str) -> None:
    with pytest.raises(InputError) as caught:
        read_dielectric(path)
    message = str(caught.value)
    assert str(path) in message
    for fragment in fragments:
        assert fragment in message


def test_missing_file(tmp_path):
    assert_input_error(tmp_path / "nowhere" / "vasprun.xml", "not found")


def test_truncated_vasprun(tmp_path):
    text = gzip.open(MGSE_VASPRUN).read()
    path = tmp_path / "vasprun.xml"
    path.write_bytes(text[: len(text) // 2])
    assert_input_error(path, "not a readable vasprun.xml")


def test_truncated_gzip(tmp_path):
    data = MGSE_VASPRUN.read_bytes()
    path = tmp_path / "vasprun.xml.gz"
    path.write_bytes(data[: len(data) // 3])
    assert_input_error(path)


def test_not_xml_or_json(tmp_path):
    path = tmp_path / "vasprun.xml"
    path.write_text("This is an OUTCAR, not a vasprun.\n")
    assert_input_error(path, "neither a vasprun.xml nor a vise")


def test_vasprun_without_optics(tmp_path):
    text = gzip.open(MGSE_VASPRUN).read().decode("latin-1")
    start, end = text.index("<dielectricfunction"), text.rindex("</dielectricfunction>") + len("</dielectricfunction>")
    path = tmp_path / "vasprun.xml"
    path.write_text(text[:start] + text[end:], encoding="latin-1")
    assert_input_error(path, "no dielectric function")


def test_json_of_another_shape(tmp_path):
    path = tmp_path / "other.json"
    path.write_text(json.dumps({"energies": [0, 1], "epsilon": [[1, 2]]}))
    assert_input_error(path, "not a vise DieleFuncData JSON", "epsilon")


def test_nan_eps_imag(tmp_path):
    def poison(rows):
        rows[0][100] = float("nan")
        return rows

    assert_input_error(vise_json(tmp_path, diele_func_imag=poison), "eps_imag", "NaN")


def test_negative_eps_imag(tmp_path):
    path = vise_json(tmp_path, diele_func_imag=lambda rows: [[-v for v in row] for row in rows])
    assert_input_error(path, "eps_imag is negative")


def test_energy_axis_not_increasing(tmp_path):
    def swap(energies):
        energies[10], energies[11] = energies[11], energies[10]
        return energies

    assert_input_error(vise_json(tmp_path, energies=swap), "not increasing")


def test_grid_outside_the_data(mgse):
    with pytest.raises(InputError, match="the grid needs 0-50 eV") as caught:
        log_absorption_on_grid(mgse, grid=np.linspace(0, 50, 501))
    assert str(MGSE_VASPRUN) in str(caught.value)


def test_negative_scissor(mgse):
    with pytest.raises(InputError, match="scissor"):
        log_absorption_on_grid(mgse, study_grid(), scissor_ev=-1.0)


def test_input_error_is_a_value_error():
    assert issubclass(InputError, ValueError)
