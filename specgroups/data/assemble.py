"""Assemble the learning problem: dielectric functions -> log10 alpha table, onsets, split."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

import numpy as np
import pandas as pd
from tqdm import tqdm

from specgroups.io.dataset import UNUSED, SpectralDataset, assign_splits
from specgroups.errors import InputError
from specgroups.names import chemical_formula
from specgroups.spectra import DielectricFunction, energy_grid, log_absorption_on_grid, onset_metrics

SCISSOR_MODES = ("none", "constant", "reference_gap", "corrected_gap")


@dataclass(frozen=True)
class OnsetCorrection:
    """How the computed spectra are shifted before use (PBE gaps are far too small).

    - ``none``: use the first-principles spectra as they are;
    - ``constant``: shift every spectrum up by ``constant_ev``;
    - ``reference_gap``: shift each material by (reference gap - computed gap),
      never down, with the reference gaps from a table (e.g. hybrid-functional
      or measured gaps); a material without a reference gap is excluded;
    - ``corrected_gap``: the same, to each material's first-principles GLLB-SC
      gap (``specgroups.firstprinciples.gaps``; the embedded set's default).

    The computed gap is the Kohn-Sham (fundamental) gap of the spectrum's own
    k-grid, so the shifted spectrum's fundamental gap is the target gap.

    ``cut_below_direct_gap`` zeroes eps_imag below the lowest direct transition
    of the spectrum's k-grid (plus the shift) in every mode: an
    independent-particle spectrum has no transition below it, so absorption
    there is the broadening's tail (:func:`specgroups.spectra.cut_below`).
    """

    mode: str = "none"
    constant_ev: float = 0.0
    cut_below_direct_gap: bool = False

    def __post_init__(self) -> None:
        if self.mode not in SCISSOR_MODES:
            raise InputError(f"params: onset correction mode must be one of {SCISSOR_MODES}, got {self.mode!r}")
        if self.constant_ev < 0:
            raise InputError(f"params: constant scissor must be >= 0 eV, got {self.constant_ev}")

    def shift_ev(self, material_id: str, computed_gap_ev: float | None, reference_gap_ev: float | None) -> float:
        if self.mode == "none":
            return 0.0
        if self.mode == "constant":
            return self.constant_ev
        if reference_gap_ev is None or computed_gap_ev is None:
            raise InputError(f"{material_id}: no target gap (or no computed gap) for the {self.mode} correction")
        return max(0.0, reference_gap_ev - computed_gap_ev)


@dataclass(frozen=True)
class MaterialInput:
    """One candidate material: its dielectric function is loaded lazily (files can be large).

    For any other spectrum (a density of states, eps_imag, ...), ``load_dielectric``
    is None and ``energies``/``values`` give it on its own axis: it is interpolated
    onto the dataset's grid as it is, without the absorption transform or a shift.
    """

    material_id: str
    formula: str
    structure: dict
    source: str
    load_dielectric: Callable[[], DielectricFunction] | None
    min_gap_ev: float | None = None
    direct_gap_ev: float | None = None
    reference_gap_ev: float | None = None
    exclusion_reason: str = ""
    energies: np.ndarray | None = None
    values: np.ndarray | None = None
    # the onset (eV) and absorption-edge integral (cm^-1 eV) a publication gives (the authors' onset_edge.json)
    # the given values are log10 alpha (an imported table of absorption spectra), not a quantity as it is
    logarithmic_values: bool = False
    published_onset_energy_ev: float | None = None
    published_edge_integral: float | None = None


def spectrum_on_grid(energies: np.ndarray, values: np.ndarray, grid: np.ndarray, source: str) -> np.ndarray:
    """A spectrum given on its own increasing axis, interpolated linearly onto ``grid`` (which it must cover)."""
    energies, values = np.asarray(energies, dtype=float), np.asarray(values, dtype=float)
    if energies.ndim != 1 or energies.shape != values.shape or len(energies) < 2:
        raise InputError(f"{source}: energies and values must be 1-D of one length, got {energies.shape} and {values.shape}")
    if not (np.all(np.isfinite(energies)) and np.all(np.isfinite(values))):
        raise InputError(f"{source}: the spectrum is not finite")
    if np.any(np.diff(energies) <= 0):
        raise InputError(f"{source}: the energy axis is not increasing")
    if grid[0] < energies[0] - 1e-9 or grid[-1] > energies[-1] + 1e-9:
        raise InputError(f"{source}: the spectrum covers {energies[0]:g}-{energies[-1]:g} eV, not the grid's {grid[0]:g}-{grid[-1]:g} eV")
    return np.interp(grid, energies, values)


@dataclass(frozen=True)
class SpectrumOptions:
    """How each spectrum becomes a dataset row: its energy grid (eV), the floor of log10 alpha, the
    onset threshold and edge-integral window (see :func:`specgroups.spectra.onset_metrics`), the correction."""

    grid: np.ndarray
    floor: float
    onset_threshold: float
    edge_window_ev: float
    correction: OnsetCorrection
    # the share of materials whose spectrum may be unreadable (left out with the reason) before the dataset fails
    max_unreadable_share: float

    @classmethod
    def from_params(cls, params: dict) -> "SpectrumOptions":
        """From a ``dataset`` params section."""
        correction = params["onset_correction"]
        return cls(
            grid=energy_grid(**params["grid"]),
            floor=float(params["floor"]),
            onset_threshold=float(params["onset_threshold"]),
            edge_window_ev=float(params["edge_window_ev"]),
            correction=OnsetCorrection(correction["mode"], float(correction["constant_ev"]), bool(correction["cut_below_direct_gap"])),
            max_unreadable_share=float(params["max_unreadable_share"]),
        )


def assemble_dataset(
    candidates: Iterable[MaterialInput],
    options: SpectrumOptions,
    split_fractions: dict[str, float],
    split_seed: int,
    fixed_split: dict[str, str] | None = None,
) -> tuple[SpectralDataset, pd.DataFrame]:
    """The dataset of usable materials, and a table (id, formula, reason) of those left out.

    The split is drawn at random in ``split_fractions`` unless ``fixed_split``
    ({material id: train|val|test}, e.g. the authors' run) gives it; a material it
    does not name is labelled ``unused`` (``specgroups.io.dataset.UNUSED``).

    A material is left out when its candidate says so (a metal, a failed
    calculation) or when its spectrum cannot be read (InputError: a file of
    another shape, NaN, ...); the batch goes on and the reason is kept. More
    unreadable materials than ``options.max_unreadable_share`` of all raise an
    InputError that lists their reasons (the shapes found).
    """
    rows, spectra, structures, excluded, unreadable = [], [], {}, [], []
    candidates = list(candidates)
    for candidate in tqdm(candidates, desc="dataset", unit="material", leave=False):
        try:
            formula = chemical_formula(candidate.formula)
        except InputError as error:
            raise InputError(f"{candidate.material_id}: {error}") from error
        reason = candidate.exclusion_reason
        if not reason:
            try:
                shift = options.correction.shift_ev(candidate.material_id, candidate.min_gap_ev, candidate.reference_gap_ev)
            except InputError as error:
                reason = str(error)
        cut_below_ev = None
        if not reason and options.correction.cut_below_direct_gap and candidate.load_dielectric is not None:
            if candidate.direct_gap_ev is None:
                reason = "no direct gap recorded, so the spectrum cannot be cut below its lowest direct transition"
            else:
                cut_below_ev = candidate.direct_gap_ev + shift
        if reason:
            excluded.append({"id": candidate.material_id, "formula": formula, "reason": reason})
            continue
        try:
            if candidate.load_dielectric is None:
                spectrum = spectrum_on_grid(candidate.energies, candidate.values, options.grid, candidate.source)
            else:
                spectrum = log_absorption_on_grid(candidate.load_dielectric(), options.grid, options.floor, shift, cut_below_ev)
        except InputError as error:
            unreadable.append(f"{candidate.material_id}: {error}")
            excluded.append({"id": candidate.material_id, "formula": formula, "reason": f"unreadable: {error}"})
            continue
        absorption = candidate.load_dielectric is not None or candidate.logarithmic_values
        metrics = onset_metrics(options.grid, spectrum, options.onset_threshold, options.edge_window_ev, logarithmic=absorption)
        rows.append(
            {
                "id": candidate.material_id,
                "formula": formula,
                "nsites": len(candidate.structure["sites"]),
                "onset_energy_ev": metrics.onset_energy_ev,
                "absorption_edge_integral": metrics.absorption_edge_integral,
                "log10_edge_integral": np.log10(metrics.absorption_edge_integral),
                "min_gap_ev": np.nan if candidate.min_gap_ev is None else candidate.min_gap_ev,
                "direct_gap_ev": np.nan if candidate.direct_gap_ev is None else candidate.direct_gap_ev,
                "scissor_ev": shift,
                "corrected_gap_ev": np.nan if candidate.min_gap_ev is None else candidate.min_gap_ev + shift,
                "source": candidate.source,
                "published_onset_energy_ev": np.nan if candidate.published_onset_energy_ev is None else candidate.published_onset_energy_ev,
                "published_absorption_edge_integral": np.nan if candidate.published_edge_integral is None else candidate.published_edge_integral,
            }
        )
        spectra.append(spectrum)
        structures[candidate.material_id] = candidate.structure
    if len(unreadable) > options.max_unreadable_share * len(candidates):
        raise InputError(f"{len(unreadable)} of {len(candidates)} spectra unreadable, more than dataset.max_unreadable_share "
                         f"({options.max_unreadable_share:g}): " + "; ".join(unreadable[:5]) + (" ..." if len(unreadable) > 5 else ""))
    if not rows:
        raise InputError(f"no usable material among {len(candidates)} candidates")
    materials = pd.DataFrame(rows)
    if fixed_split is None:
        labels = assign_splits(len(materials), split_fractions, split_seed)
    else:
        labels = [fixed_split.get(material_id, UNUSED) for material_id in materials["id"]]
    materials.insert(3, "split", labels)
    dataset = SpectralDataset(materials, np.asarray(spectra, dtype=np.float32), options.grid, structures)
    return dataset, pd.DataFrame(excluded, columns=["id", "formula", "reason"])
