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
- ``scissor_ev``: the rigid shift applied (:class:`specgroups.assemble.OnsetCorrection`);
- ``corrected_gap_ev``: ``min_gap_ev + scissor_ev``, the gap the scissor shifts to.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from specgroups.atomic import atomic_path, write_bytes_atomic
from specgroups.errors import InputError

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
)
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
        dataset.materials.loc[:, list(MATERIAL_COLUMNS)].to_csv(temporary, index=False, float_format="%.6g")
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
    sizes = {split: max(1, int(round(fractions[split] * count))) if fractions[split] > 0 else 0 for split in ("val", "test")}
    train = count - sizes["val"] - sizes["test"]
    if train < 1 and fractions["train"] > 0:
        raise InputError(f"{count} materials are too few for a train/val/test split")
    order = np.random.default_rng(seed).permutation(count)
    labels = np.empty(count, dtype=object)
    labels[order[:train]] = "train"
    labels[order[train : train + sizes["val"]]] = "val"
    labels[order[train + sizes["val"] :]] = "test"
    return labels.tolist()


def dataset_summary(dataset: SpectralDataset, excluded: pd.DataFrame) -> dict:
    """Counts (materials, excluded by reason, per split and source), mean and standard deviation of the onset
    energy (eV), the range of the spectra's values, and the scissor: its mean and range (eV), and how many
    onsets lie more than 0.1 eV below the material's lowest direct transition plus the scissor (none should,
    with eps_imag cut below it; materials without a recorded direct gap are not counted)."""
    table = dataset.materials
    below = table["onset_energy_ev"] < table["direct_gap_ev"] + table["scissor_ev"] - 0.1
    return {
        "materials": len(table),
        "excluded": len(excluded),
        "excluded_by_reason": excluded["reason"].str.split(":").str[0].value_counts().to_dict(),
        "split": table["split"].value_counts().to_dict(),
        "by_source": table["source"].value_counts().to_dict(),
        "onset_energy_ev": {"mean": float(table["onset_energy_ev"].mean()), "std": float(table["onset_energy_ev"].std())},
        "log_alpha_range": [float(dataset.spectra.min()), float(dataset.spectra.max())],
        "scissor_ev": {"mean": float(table["scissor_ev"].mean()), "min": float(table["scissor_ev"].min()), "max": float(table["scissor_ev"].max())},
        "onsets_below_direct_gap_plus_scissor": int(below.sum()),
    }
