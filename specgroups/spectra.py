"""Dielectric function -> absorption coefficient -> log10 alpha on a fixed grid.

The study's target is log10(alpha / cm^-1) on 0-15 eV in 0.01 eV steps (1501
points), floored at 2. This module reads first-principles dielectric functions
(VASP ``vasprun.xml[.gz]`` or vise ``DieleFuncData`` JSON), converts them with
the same formula as vise, applies an optional scissor shift, and measures the
absorption onset.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.constants import physical_constants

from specgroups.errors import InputError

# Same constant and formula as vise.analyzer.dielectric_function.absorption_coeff.
EV_TO_INVERSE_CM = physical_constants["electron volt-inverse meter relationship"][0] / 100
DIAGONAL_DIRECTIONS = ("xx", "yy", "zz")
# vise's (and pymatgen's) order of the dielectric tensor's components
VISE_COMPONENTS = ("xx", "yy", "zz", "xy", "yz", "xz")
# vise's Kramers-Kronig damping (eV^2), kept so shifted spectra match vise.
KRAMERS_KRONIG_ETA = 0.01


def energy_grid(min_ev: float, max_ev: float, points: int) -> np.ndarray:
    """``points`` evenly spaced energies (eV) from ``min_ev`` to ``max_ev``, both included; a profile's
    ``dataset.grid`` (the study's: 0 to 15 eV, 1501 points, 0.01 eV apart)."""
    if isinstance(points, bool) or not isinstance(points, int) or points < 2 or not max_ev > min_ev:
        raise InputError(
            f"params: an energy grid needs max_ev > min_ev and at least 2 points, got {min_ev}, {max_ev}, {points!r}"
        )
    return np.linspace(float(min_ev), float(max_ev), points)


@dataclass(frozen=True)
class DielectricFunction:
    """Orientation-averaged dielectric function of one material.

    ``eps_real`` and ``eps_imag`` are the means of the xx, yy and zz
    components. ``band_gap`` is in eV, or None when the source does not say.
    ``source`` names the file or material, for error messages.
    """

    energies: np.ndarray
    eps_real: np.ndarray
    eps_imag: np.ndarray
    band_gap: float | None
    source: str

    def __post_init__(self) -> None:
        validate_dielectric(self.energies, self.eps_real, self.eps_imag, self.source)


def validate_dielectric(
    energies: np.ndarray,
    eps_real: np.ndarray,
    eps_imag: np.ndarray,
    source: str,
    negative_imag_tolerance: float = 0.1,
) -> None:
    """Raise InputError unless the arrays form a usable dielectric function.

    Small negative eps_imag is a broadening artefact of real codes (the vise
    MgSe fixture dips to -5.2% of its maximum), so only values below
    ``-negative_imag_tolerance * max(eps_imag)`` are rejected: a flipped sign
    convention or a corrupted column, not noise.
    """
    arrays = {"energies": energies, "eps_real": eps_real, "eps_imag": eps_imag}
    for name, values in arrays.items():
        if values.ndim != 1:
            raise InputError(f"{source}: {name} must be one-dimensional, got shape {values.shape}")
        if len(values) != len(energies):
            raise InputError(f"{source}: {name} has {len(values)} points but energies has {len(energies)}")
        if not np.all(np.isfinite(values)):
            bad = int(np.flatnonzero(~np.isfinite(values))[0])
            raise InputError(f"{source}: {name} is not finite (NaN or inf) at index {bad}")
    if len(energies) < 2:
        raise InputError(f"{source}: the energy axis has {len(energies)} point(s); at least 2 are needed")
    steps = np.diff(energies)
    if np.any(steps <= 0):
        bad = int(np.flatnonzero(steps <= 0)[0])
        raise InputError(
            f"{source}: the energy axis is not increasing "
            f"({energies[bad]:g} eV followed by {energies[bad + 1]:g} eV at index {bad + 1})"
        )
    largest = float(np.max(eps_imag))
    lowest = float(np.min(eps_imag))
    if lowest < -negative_imag_tolerance * max(largest, 0.0):
        raise InputError(
            f"{source}: eps_imag is negative (minimum {lowest:.4g} at "
            f"{energies[int(np.argmin(eps_imag))]:.3f} eV, maximum {largest:.4g}); "
            "absorption needs eps_imag >= 0"
        )


def read_dielectric(path: str | Path) -> DielectricFunction:
    """Read a dielectric function from a VASP vasprun.xml(.gz) or a vise JSON(.gz).

    The format is recognised from the content, not the name. Raises InputError
    naming the file for a missing file, unreadable or truncated content, a
    vasprun without an optics run, a JSON of another shape, and any of the
    problems :func:`validate_dielectric` checks.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: file not found")
    try:
        with gzip.open(path, "rb") if _is_gzip(path) else open(path, "rb") as handle:
            head = handle.read(64).lstrip()
    except (OSError, EOFError) as error:
        raise InputError(f"{path}: cannot be read ({error})") from error
    if head.startswith(b"{"):
        return _read_vise_json(path)
    if head.startswith(b"<"):
        return _read_vasprun(path)
    raise InputError(f"{path}: neither a vasprun.xml nor a vise DieleFuncData JSON (starts with {head[:16]!r})")


def _is_gzip(path: Path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(2) == b"\x1f\x8b"


def _read_vise_json(path: Path) -> DielectricFunction:
    opener = gzip.open if _is_gzip(path) else open
    try:
        with opener(path, "rt", encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, EOFError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError(f"{path}: not valid JSON ({error})") from error
    return dielectric_from_vise_dict(data, source=str(path))


def dielectric_from_vise_dict(data: object, source: str) -> DielectricFunction:
    """Build a DielectricFunction from a vise ``DieleFuncData.as_dict()``-style mapping.

    ``directions`` names the components; without it they are vise's, in its order
    (:data:`VISE_COMPONENTS`, with or without a last "ave"). The arrays may hold one row per component
    (vise) or one row per energy (pymatgen's ``Vasprun.dielectric`` layout); the energies' count tells which.
    """
    required = ("energies", "diele_func_real", "diele_func_imag")
    if not isinstance(data, dict) or any(key not in data for key in required):
        found = sorted(data) if isinstance(data, dict) else type(data).__name__
        raise InputError(f"{source}: not a vise DieleFuncData JSON: expected keys {list(required)}, found {found}")
    try:
        energies = np.asarray(data["energies"], dtype=float)
        real, imag = (np.asarray(data[key], dtype=float) for key in ("diele_func_real", "diele_func_imag"))
        band_gap = None if data.get("band_gap") is None else float(data["band_gap"])
    except (TypeError, ValueError) as error:
        raise InputError(f"{source}: malformed dielectric arrays ({error})") from error
    if energies.ndim != 1:
        raise InputError(f"{source}: energies must be a list of numbers, got an array of shape {energies.shape}")
    if real.ndim != 2 or real.shape != imag.shape or len(energies) not in real.shape:
        raise InputError(
            f"{source}: dielectric arrays of shape {real.shape} and {imag.shape} do not match {len(energies)} energies"
        )
    if real.shape[0] == len(energies) and real.shape[1] != len(energies):
        real, imag = real.T, imag.T  # one row per energy
    directions = data.get("directions") or list(VISE_COMPONENTS + ("ave",))
    if not isinstance(directions, list) or not all(isinstance(d, str) for d in directions):
        raise InputError(f"{source}: directions must be a list of names such as 'xx', got {directions!r}")
    directions = directions[: len(real)]
    missing = [d for d in DIAGONAL_DIRECTIONS if d not in directions]
    if missing:
        raise InputError(f"{source}: directions {directions} lack the diagonal components {missing}")
    rows = [directions.index(d) for d in DIAGONAL_DIRECTIONS]
    return DielectricFunction(energies, real[rows].mean(axis=0), imag[rows].mean(axis=0), band_gap, source)


def _read_vasprun(path: Path) -> DielectricFunction:
    from pymatgen.io.vasp import Vasprun

    try:
        vasprun = Vasprun(str(path), parse_dos=False, parse_potcar_file=False, parse_projected_eigen=False)
        dielectric = vasprun.dielectric_data.get("density")
    except Exception as error:  # pymatgen raises many types for a broken file; all mean "unreadable"
        raise InputError(f"{path}: not a readable vasprun.xml ({type(error).__name__}: {error})") from error
    if not dielectric or len(dielectric[0]) == 0:
        raise InputError(f"{path}: vasprun.xml has no dielectric function (not an LOPTICS optics run)")
    energies, real, imag = (np.asarray(values, dtype=float) for values in dielectric)
    try:
        band_gap = float(vasprun.eigenvalue_band_properties[0])
    except Exception:  # a vasprun without eigenvalues still has a usable spectrum
        band_gap = None
    return DielectricFunction(energies, real[:, :3].mean(axis=1), imag[:, :3].mean(axis=1), band_gap, str(path))


def absorption_coefficient(energies: np.ndarray, eps_real: np.ndarray, eps_imag: np.ndarray) -> np.ndarray:
    """Absorption coefficient alpha in cm^-1 (vise's formula, vectorised).

    alpha = 2 sqrt(2) pi E sqrt(|eps| - eps_real) / (h c), with E in eV, which
    is 2 E kappa / (hbar c) for the extinction coefficient kappa = Im sqrt(eps).
    """
    energies, eps_real, eps_imag = (np.asarray(a, dtype=float) for a in (energies, eps_real, eps_imag))
    modulus = np.hypot(eps_real, eps_imag)
    return 2.0 * np.sqrt(2.0) * np.pi * np.sqrt(np.maximum(modulus - eps_real, 0.0)) * energies * EV_TO_INVERSE_CM


def kramers_kronig_real(energies: np.ndarray, eps_imag: np.ndarray, eta: float = KRAMERS_KRONIG_ETA) -> np.ndarray:
    """eps_real from eps_imag by the Kramers-Kronig relation, as vise computes it.

    eps_real(E) = 1 + (2/pi) sum_i w_i E_i eps_imag(E_i) (E_i^2 - E^2) / ((E_i^2 - E^2)^2 + eta^2),
    with w_i the local energy step (vise's constant step on a uniform axis).
    vise's double Python loop takes minutes for 4,000 energies; this is the
    same sum as matrix products in row blocks (bounded memory).
    """
    energies = np.asarray(energies, dtype=float)
    weighted = np.gradient(energies) * energies * np.asarray(eps_imag, dtype=float)
    squared = energies**2
    result = np.empty_like(energies)
    block = 512
    for start in range(0, len(energies), block):
        difference = squared[None, :] - squared[start : start + block, None]
        result[start : start + block] = (difference / (difference**2 + eta**2)) @ weighted
    return 1.0 + result * 2.0 / np.pi


def scissor_shift(dielectric: DielectricFunction, shift_ev: float) -> DielectricFunction:
    """Shift the dielectric function rigidly up by ``shift_ev`` (vise's scheme, vectorised).

    eps_imag'(E) = eps_imag(E - shift) (E - shift) / E above the new gap
    (band_gap + shift; band_gap taken as 0 when unknown) and 0 below it; eps_real
    follows from Kramers-Kronig. Reference: vise ``make_shifted_diele_func``.
    """
    if shift_ev < 0:
        raise InputError(f"{dielectric.source}: scissor shift must be >= 0 eV, got {shift_ev}")
    if shift_ev == 0:
        return dielectric
    energies = dielectric.energies
    old_gap = dielectric.band_gap or 0.0
    source_energies = energies - shift_ev
    above_gap = energies >= old_gap + shift_ev
    shifted = (
        np.interp(source_energies, energies, dielectric.eps_imag)
        * source_energies
        / np.where(energies > 0, energies, 1.0)
    )
    eps_imag = np.where(above_gap, shifted, 0.0)
    eps_real = kramers_kronig_real(energies, eps_imag)
    return DielectricFunction(energies, eps_real, eps_imag, old_gap + shift_ev, dielectric.source)


def cut_below(dielectric: DielectricFunction, energy_ev: float) -> DielectricFunction:
    """eps_imag set to zero below ``energy_ev`` (eps_real kept as it is).

    Independent-particle spectra hold only vertical transitions, so nothing can
    absorb below the lowest direct transition; what a Lorentzian broadening
    eta puts there is its tail (GPAW's 0.1 eV lets alpha exceed 10^4 cm^-1 up
    to about 1 eV below the gap: data/demo/README.md, MgSe against VASP).
    """
    if not np.isfinite(energy_ev):
        raise InputError(f"{dielectric.source}: cannot cut below a non-finite energy {energy_ev}")
    eps_imag = np.where(dielectric.energies >= energy_ev, dielectric.eps_imag, 0.0)
    return DielectricFunction(
        dielectric.energies, dielectric.eps_real, eps_imag, dielectric.band_gap, dielectric.source
    )


def log_absorption_on_grid(
    dielectric: DielectricFunction,
    grid: np.ndarray,
    floor: float = 2.0,
    scissor_ev: float = 0.0,
    cut_below_ev: float | None = None,
) -> np.ndarray:
    """log10(alpha / cm^-1) on ``grid`` (e.g. :func:`energy_grid` of the study's 0-15 eV, 1501 points).

    alpha is computed on the data's own energies after an optional scissor
    shift (:func:`scissor_shift`) and, with ``cut_below_ev``, with eps_imag
    zero below that energy (:func:`cut_below`; in shifted energies, e.g. the
    lowest direct transition plus the shift), interpolated linearly onto the
    grid and clipped below at ``floor``. Raises InputError when the grid
    reaches outside the data.
    """
    grid = np.asarray(grid, dtype=float)
    energies = dielectric.energies
    tolerance = 1e-9 * max(1.0, abs(energies[-1]))
    if grid.ndim != 1 or len(grid) == 0:
        raise InputError(f"{dielectric.source}: the energy grid must be a non-empty 1-D array")
    if grid[0] < energies[0] - tolerance or grid[-1] > energies[-1] + tolerance:
        raise InputError(
            f"{dielectric.source}: the data cover {energies[0]:g}-{energies[-1]:g} eV "
            f"but the grid needs {grid[0]:g}-{grid[-1]:g} eV"
        )
    shifted = scissor_shift(dielectric, scissor_ev)
    if cut_below_ev is not None:
        shifted = cut_below(shifted, cut_below_ev)
    alpha = absorption_coefficient(shifted.energies, shifted.eps_real, shifted.eps_imag)
    alpha_on_grid = np.interp(grid, shifted.energies, alpha)
    return np.log10(np.maximum(alpha_on_grid, 10.0**floor))


@dataclass(frozen=True)
class OnsetMetrics:
    """Onset energy (eV) and absorption-edge integral I (cm^-1 eV) of one spectrum (:func:`onset_metrics`)."""

    onset_energy_ev: float
    absorption_edge_integral: float


def onset_metrics(
    grid: np.ndarray,
    log_alpha: np.ndarray,
    threshold: float = 4.0,
    edge_window_ev: float = 1.0,
    logarithmic: bool = True,
) -> OnsetMetrics:
    """Onset energy and absorption-edge integral of a log10 alpha spectrum (or, with ``logarithmic``
    false, of any spectrum given as the quantity itself, e.g. eps_imag).

    - onset energy: the lowest energy at which log10 alpha reaches
      ``threshold`` (10^4 cm^-1 by default), linearly interpolated between the
      two grid points that bracket the first crossing; the first grid energy
      if the spectrum starts above the threshold; NaN if it never reaches it.
    - absorption-edge integral I: the integral of alpha itself (cm^-1, from
      10**log_alpha) over [onset, onset + ``edge_window_ev``] in eV
      (trapezoidal on the grid, clipped at the grid's end), in cm^-1 eV: the
      quantity the study's figures print and average as log10 I. A larger I is
      stronger absorption just past the onset. With ``logarithmic`` false, the
      integral of the values themselves (their unit times eV). NaN when there
      is no onset.
    """
    grid = np.asarray(grid, dtype=float)
    log_alpha = np.asarray(log_alpha, dtype=float)
    if grid.shape != log_alpha.shape or grid.ndim != 1:
        raise InputError(f"spectrum has shape {log_alpha.shape} but the grid has shape {grid.shape}")
    reached = np.flatnonzero(log_alpha >= threshold)
    if len(reached) == 0:
        return OnsetMetrics(float("nan"), float("nan"))
    first = int(reached[0])
    if first == 0:
        onset = float(grid[0])
    else:
        below, above = log_alpha[first - 1], log_alpha[first]
        fraction = (threshold - below) / (above - below)
        onset = float(grid[first - 1] + fraction * (grid[first] - grid[first - 1]))
    end = min(onset + edge_window_ev, float(grid[-1]))
    inside = (grid > onset) & (grid < end)
    energies = np.concatenate(([onset], grid[inside], [end]))
    values = np.interp(energies, grid, log_alpha)
    return OnsetMetrics(onset, float(np.trapezoid(10.0**values if logarithmic else values, energies)))
