"""The on-disk spectral dataset: the one place that reads and writes it.

A dataset directory holds
- ``materials.csv``: one row per material (columns ``MATERIAL_COLUMNS``);
- ``spectra.npy``: float32, N x G, log10 alpha (or any spectrum) per material, in csv order;
- ``energy_grid.npy``: the G energies (eV);
- ``structures.json``: pymatgen ``Structure.as_dict()`` keyed by material id.

The columns of ``materials.csv``:
- ``onset_energy_ev``, ``absorption_edge_integral`` (I, cm^-1 eV) and
  ``log10_edge_integral`` (log10 I): :func:`specgroups.spectra.onset_metrics`
  of the spectrum as used (after the scissor and the cut);
- ``min_gap_ev``: the computed Kohn-Sham (fundamental) gap, as computed;
- ``direct_gap_ev``: the computed lowest direct transition on the spectrum's k-grid, as computed;
- ``scissor_ev``: the rigid shift applied (:class:`specgroups.data.assemble.OnsetCorrection`);
- ``corrected_gap_ev``: ``min_gap_ev + scissor_ev``, the gap the scissor shifts to;
- ``published_onset_energy_ev``, ``published_absorption_edge_integral``: what a publication gives for the
  material (the authors' ``onset_edge.json``; NaN for the other sources). With
  ``dataset.onset_metrics_from: authors`` they replace the onset metrics (:func:`with_published_onsets`),
  which are then kept as ``recomputed_onset_energy_ev`` and ``recomputed_absorption_edge_integral``.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from specgroups.errors import InputError
from specgroups.io.atomic import atomic_path, write_bytes_atomic

MATERIAL_COLUMNS = (
    "id",
    "formula",
    "nsites",
    "split",
    "onset_energy_ev",
    "absorption_edge_integral",
    "log10_edge_integral",
    "min_gap_ev",
    "direct_gap_ev",
    "scissor_ev",
    "corrected_gap_ev",
    "source",
    "published_onset_energy_ev",
    "published_absorption_edge_integral",
)
ONSET_SOURCES = ("recomputed", "authors")
# written beside them when published onset metrics replaced the recomputed ones (:func:`with_published_onsets`)
RECOMPUTED_COLUMNS = ("recomputed_onset_energy_ev", "recomputed_absorption_edge_integral")
SPLITS = ("train", "val", "test")
# a material in none of a given split's sets (the authors' split lists 2,680 of their 2,681 materials): it is
# embedded, clustered and interpreted like any other, and left out of training and of every MAE
UNUSED = "unused"


@dataclass
class SpectralDataset:
    materials: pd.DataFrame
    spectra: np.ndarray
    energy_grid: np.ndarray
    structures: dict[str, dict]

    @property
    def ids(self) -> list[str]:
        return self.materials["id"].tolist()


def validate_dataset(dataset: SpectralDataset, source: str) -> None:
    """InputError for an empty dataset, duplicate ids, or arrays that do not line up."""
    materials, spectra = dataset.materials, dataset.spectra
    missing = [column for column in MATERIAL_COLUMNS if column not in materials.columns]
    if missing:
        raise InputError(f"{source}: materials table lacks columns {missing}")
    if len(materials) == 0:
        raise InputError(f"{source}: the dataset is empty")
    duplicated = materials["id"][materials["id"].duplicated()].tolist()
    if duplicated:
        raise InputError(f"{source}: duplicate material ids {duplicated[:5]}")
    if spectra.ndim != 2 or spectra.shape[0] != len(materials):
        raise InputError(f"{source}: spectra have shape {spectra.shape} for {len(materials)} materials")
    if spectra.shape[1] != len(dataset.energy_grid):
        raise InputError(
            f"{source}: spectra have {spectra.shape[1]} points but the energy grid has {len(dataset.energy_grid)}"
        )
    if not np.all(np.isfinite(spectra)):
        row = int(np.flatnonzero(~np.all(np.isfinite(spectra), axis=1))[0])
        raise InputError(f"{source}: the spectrum of {materials['id'].iloc[row]} is not finite")
    absent = [material_id for material_id in materials["id"] if material_id not in dataset.structures]
    if absent:
        raise InputError(f"{source}: no structure for {absent[:5]}")
    unknown_splits = sorted(set(materials["split"]) - {*SPLITS, UNUSED})
    if unknown_splits:
        raise InputError(f"{source}: unknown split labels {unknown_splits}")


def _npy_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def write_dataset(directory: str | Path, dataset: SpectralDataset) -> None:
    """Validate, then write the four files, each atomically."""
    directory = Path(directory)
    validate_dataset(dataset, str(directory))
    with atomic_path(directory / "materials.csv") as temporary:
        columns = list(MATERIAL_COLUMNS) + [c for c in RECOMPUTED_COLUMNS if c in dataset.materials.columns]
        dataset.materials.loc[:, columns].to_csv(temporary, index=False, float_format="%.6g")
    write_bytes_atomic(directory / "spectra.npy", _npy_bytes(dataset.spectra.astype(np.float32)))
    write_bytes_atomic(directory / "energy_grid.npy", _npy_bytes(np.asarray(dataset.energy_grid, dtype=np.float64)))
    structures = {material_id: dataset.structures[material_id] for material_id in dataset.ids}
    write_bytes_atomic(directory / "structures.json", json.dumps(structures).encode("utf-8"))


def read_dataset(directory: str | Path) -> SpectralDataset:
    """Read and validate a dataset directory; InputError names the directory and the problem."""
    directory = Path(directory)
    paths = {name: directory / name for name in ("materials.csv", "spectra.npy", "energy_grid.npy", "structures.json")}
    absent = [str(path) for path in paths.values() if not path.is_file()]
    if absent:
        raise InputError(f"{directory}: dataset files missing: {absent}")
    try:
        materials = pd.read_csv(paths["materials.csv"], dtype={"id": str, "split": str})
        spectra = np.load(paths["spectra.npy"], allow_pickle=False)
        grid = np.load(paths["energy_grid.npy"], allow_pickle=False)
        structures = json.loads(paths["structures.json"].read_text())
    except (ValueError, OSError, pd.errors.ParserError) as error:
        raise InputError(f"{directory}: unreadable dataset ({error})") from error
    dataset = SpectralDataset(materials, spectra, grid, structures)
    validate_dataset(dataset, str(directory))
    return dataset


def assign_splits(count: int, fractions: dict[str, float], seed: int) -> list[str]:
    """Random train/val/test labels in the given fractions.

    val and test get round(fraction * count) materials, but at least one when
    their fraction is positive; train takes the rest.
    """
    if set(fractions) != set(SPLITS) or any(value < 0 for value in fractions.values()):
        raise InputError(f"params: split fractions must give {SPLITS} as non-negative numbers, got {fractions}")
    if abs(sum(fractions.values()) - 1.0) > 1e-9:
        raise InputError(f"params: split fractions sum to {sum(fractions.values())}, not 1")
    sizes = {
        split: max(1, int(round(fractions[split] * count))) if fractions[split] > 0 else 0 for split in ("val", "test")
    }
    train = count - sizes["val"] - sizes["test"]
    if train < 1 and fractions["train"] > 0:
        raise InputError(f"{count} materials are too few for a train/val/test split")
    order = np.random.default_rng(seed).permutation(count)
    labels = np.empty(count, dtype=object)
    labels[order[:train]] = "train"
    labels[order[train : train + sizes["val"]]] = "val"
    labels[order[train + sizes["val"] :]] = "test"
    return labels.tolist()


def onset_metrics_from(materials: pd.DataFrame, source: str) -> pd.DataFrame:
    """The materials table with the onset metrics of ``source`` (``dataset.onset_metrics_from``): as recomputed
    from the spectra, or the authors' where they publish them (:func:`with_published_onsets`)."""
    if source not in ONSET_SOURCES:
        raise InputError(f"params: dataset.onset_metrics_from must be one of {ONSET_SOURCES}, got {source!r}")
    return with_published_onsets(materials) if source == "authors" else materials


def with_published_onsets(materials: pd.DataFrame) -> pd.DataFrame:
    """The materials table with the published onset and edge integral in place of the recomputed ones
    wherever a publication gives them (the recomputed kept as ``recomputed_*``): what chemistry, the
    figures and the report then read."""
    table = materials.copy()
    for recomputed, (name, published) in zip(
        RECOMPUTED_COLUMNS,
        (
            ("onset_energy_ev", "published_onset_energy_ev"),
            ("absorption_edge_integral", "published_absorption_edge_integral"),
        ),
    ):
        table[recomputed] = table[name]
        table[name] = table[published].where(table[published].notna(), table[name])
    table["log10_edge_integral"] = np.log10(table["absorption_edge_integral"])
    return table


def published_agreement(materials: pd.DataFrame, tolerance_ev: float) -> dict | None:
    """How the recomputed onsets (eV) and log10 edge integrals agree with the published ones, over the
    materials that have both: the count, the mean absolute difference, Pearson's r and the five largest
    differences (id, recomputed, published); r is NaN when either side is constant; ``onsets_agree`` is whether the onsets' mean absolute difference
    is within ``tolerance_ev``, and ``reading`` says what a larger one means. None without published values."""
    recomputed = materials.get("recomputed_onset_energy_ev", materials["onset_energy_ev"])
    recomputed_integral = materials.get("recomputed_absorption_edge_integral", materials["absorption_edge_integral"])
    pairs = {
        "onset_energy_ev": (recomputed, materials["published_onset_energy_ev"]),
        "log10_edge_integral": (
            np.log10(recomputed_integral),
            np.log10(materials["published_absorption_edge_integral"]),
        ),
    }
    result = {}
    for name, (ours, theirs) in pairs.items():
        both = np.isfinite(ours.to_numpy(dtype=float)) & np.isfinite(theirs.to_numpy(dtype=float))
        if not both.any():
            return None
        difference = (ours - theirs)[both]
        worst = difference.abs().sort_values(ascending=False).index[:5]
        result[name] = {
            "materials": int(both.sum()),
            "mean_absolute_difference": float(difference.abs().mean()),
            "pearson_r": float(np.corrcoef(ours[both], theirs[both])[0, 1])
            if ours[both].std() > 0 and theirs[both].std() > 0
            else float("nan"),
            "worst": [
                {"id": materials["id"][i], "recomputed": float(ours[i]), "published": float(theirs[i])} for i in worst
            ],
        }
    agree = result["onset_energy_ev"]["mean_absolute_difference"] <= tolerance_ev
    result["onsets_agree"] = bool(agree)
    result["reading"] = (
        "the recomputed onsets reproduce the published ones"
        if agree
        else f"the recomputed onsets differ from the published ones by more than {tolerance_ev:g} eV on average: the archives "
        "most likely hold spectra without the study's onset and shape correction"
    )
    return result


def dataset_summary(dataset: SpectralDataset, excluded: pd.DataFrame, agreement_tolerance_ev: float) -> dict:
    """Counts (materials, excluded by reason, per split and source), mean and standard deviation of the onset
    energy (eV), the range of the spectra's values, and the scissor: its mean and range (eV), and how many
    onsets lie more than 0.1 eV below the material's lowest direct transition plus the scissor (none should,
    with eps_imag cut below it; materials without a recorded direct gap are not counted), and the agreement of
    the recomputed onset metrics with published ones (:func:`published_agreement`; None without any)."""
    table = dataset.materials
    below = table["onset_energy_ev"] < table["direct_gap_ev"] + table["scissor_ev"] - 0.1
    return {
        "materials": len(table),
        "excluded": len(excluded),
        "excluded_by_reason": excluded["reason"].str.split(":").str[0].value_counts().to_dict(),
        "split": table["split"].value_counts().to_dict(),
        "by_source": table["source"].value_counts().to_dict(),
        "onset_energy_ev": {
            "mean": float(table["onset_energy_ev"].mean()),
            "std": float(table["onset_energy_ev"].std()),
        },
        "log_alpha_range": [float(dataset.spectra.min()), float(dataset.spectra.max())],
        "scissor_ev": {
            "mean": float(table["scissor_ev"].mean()),
            "min": float(table["scissor_ev"].min()),
            "max": float(table["scissor_ev"].max()),
        },
        "onsets_below_direct_gap_plus_scissor": int(below.sum()),
        "published_agreement": published_agreement(table, agreement_tolerance_ev),
    }
