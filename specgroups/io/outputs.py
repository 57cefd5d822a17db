"""The stage artifacts that stages pass to each other, each read and written here and nowhere else.

- ``features.npz`` (embed): ``material_ids``, ``split``, ``reference`` (the reference spectra) and one
  array of per-material features per representation (``alignn_1``, ..., ``pooled``, ``predicted``), of member 0;
- ``ensemble_features.npz`` (embed): ``material_ids`` and per representation every member's features, stacked;
- ``pretrained_features.npz`` (pretrained): ``material_ids`` and one array of per-material features per universal
  pretrained model (``chgnet``), a baseline that never saw a spectrum;
- ``clustering_choice.json`` (scan): the representation and cluster count the scan rule picks;
- ``clusters.npz`` (cluster): ``material_ids``, the chosen ``representation``, its consensus ``labels`` and
  ``linkage``, ``labels_<name>`` and ``linkage_<name>`` of every representation and baseline, and the chosen
  consensus's ``coassociation``, ``member_labels``, ``member_linkages`` (each member's Ward linkage) and
  per-material ``confidence``;
- the chemistry folder (chemistry): ``materials.json``, one record per material;
- the interpretation folder (interpret): ``enrichment.csv``, ``clusters.json``, ``guidelines.json``,
  ``contrast.csv`` and ``contrast.json`` (the V5+/Cr6+ contrast and the contrasted pair of clusters).

Every writer is atomic; every reader raises InputError naming the file and the stage that writes it.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from specgroups.errors import InputError
from specgroups.io.atomic import read_json, write_bytes_atomic, write_csv_atomic, write_json_atomic

REPRESENTATION_EXCLUDED_KEYS = ("material_ids", "split")


def write_arrays(path: str | Path, **arrays: np.ndarray) -> None:
    """Plain arrays to an uncompressed .npz, atomically (the bytes depend only on the arrays and their order)."""
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    write_bytes_atomic(Path(path), buffer.getvalue())


def read_arrays(path: str | Path, stage: str) -> dict[str, np.ndarray]:
    """The arrays of an .npz that ``stage`` writes (no pickled objects allowed)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: not found (run the {stage} stage)")
    try:
        with np.load(path, allow_pickle=False) as archive:
            return {name: archive[name] for name in archive.files}
    except ValueError as error:  # object arrays would need unpickling, which is refused
        raise InputError(f"{path}: not a plain-array .npz ({error})") from error


def _read_json(path: Path, stage: str):
    if not path.is_file():
        raise InputError(f"{path}: not found (run the {stage} stage)")
    return read_json(path)


def write_features(
    path: str | Path, material_ids: list[str], split: np.ndarray, reference: np.ndarray, features: dict[str, np.ndarray]
) -> None:
    write_arrays(
        path, material_ids=np.array(material_ids), split=np.asarray(split).astype(str), reference=reference, **features
    )


def read_features(path: str | Path) -> dict[str, np.ndarray]:
    return read_arrays(path, "embed")


def write_ensemble_features(path: str | Path, material_ids: list[str], members: list[dict[str, np.ndarray]]) -> None:
    """Every member's features: per representation one (members x materials x dimensions) array."""
    stacked = {name: np.stack([features[name] for features in members]) for name in members[0]}
    write_arrays(path, material_ids=np.array(material_ids), **stacked)


def read_ensemble_features(path: str | Path, material_ids: list[str] | None = None) -> dict[str, np.ndarray]:
    """The arrays of an ensemble_features.npz; InputError if ``material_ids`` are given and differ from its materials."""
    return _arrays_of_materials(path, "embed", material_ids)


def _arrays_of_materials(path: str | Path, stage: str, material_ids: list[str] | None) -> dict[str, np.ndarray]:
    arrays = read_arrays(path, stage)
    if material_ids is not None and list(arrays["material_ids"]) != list(material_ids):
        raise InputError(f"{path}: its materials differ from those of the dataset")
    return arrays


def write_pretrained_features(path: str | Path, material_ids: list[str], features: dict[str, np.ndarray]) -> None:
    """Per pretrained model one (materials x dimensions) array."""
    write_arrays(path, material_ids=np.array(material_ids), **features)


def read_pretrained_features(path: str | Path, material_ids: list[str]) -> dict[str, np.ndarray]:
    """{pretrained model: materials x dimensions}; InputError if its materials are not ``material_ids``."""
    arrays = _arrays_of_materials(path, "pretrained", material_ids)
    return {name: values for name, values in arrays.items() if name != "material_ids"}


def representation_names(features: dict[str, np.ndarray]) -> list[str]:
    """The representations of a features.npz, in its order (``reference`` is one: the reference spectra)."""
    return [name for name in features if name not in REPRESENTATION_EXCLUDED_KEYS]


@dataclass(frozen=True)
class ClusteringChoice:
    """A representation and a cluster count, and what chose them (``scan rule`` or ``params``)."""

    representation: str
    n_clusters: int
    chosen_by: str


def resolve_choice(
    picked: ClusteringChoice | None, representation: str | None, n_clusters: int | None, names: list[str]
) -> ClusteringChoice:
    """The clustering used downstream: the scan's ``picked`` one, with ``representation`` and ``n_clusters``
    (params) in place of its own where set; InputError when neither says, or for an unknown representation."""
    if representation is None and picked is None or n_clusters is None and picked is None:
        raise InputError(
            "params: the scan rule picked no clustering; set cluster.representation and cluster.n_clusters"
        )
    chosen = ClusteringChoice(
        representation if representation is not None else picked.representation,
        n_clusters if n_clusters is not None else picked.n_clusters,
        "scan rule" if representation is None and n_clusters is None else "params",
    )
    if chosen.representation not in names:
        raise InputError(f"params: cluster.representation {chosen.representation!r} is not one of {names}")
    return chosen


def clustering_choice(
    path: str | Path, representation: str | None, n_clusters: int | None, names: list[str]
) -> ClusteringChoice:
    """:func:`resolve_choice` of the scan's pick at ``path``, read only when params leave something to it."""
    picked = None if representation is not None and n_clusters is not None else read_clustering_choice(path)
    return resolve_choice(picked, representation, n_clusters, names)


def write_clustering_choice(path: str | Path, choice: ClusteringChoice | None) -> None:
    write_json_atomic(path, choice.__dict__ if choice else None)


def read_clustering_choice(path: str | Path) -> ClusteringChoice | None:
    """The scan rule's pick; None when it picked nothing (no scanned clustering qualified)."""
    path = Path(path)
    data = _read_json(path, "scan")
    if data is None:
        return None
    try:
        return ClusteringChoice(str(data["representation"]), int(data["n_clusters"]), str(data["chosen_by"]))
    except (KeyError, TypeError, ValueError) as error:
        raise InputError(f"{path}: not a clustering choice ({error})") from error


def write_clusters(
    path: str | Path,
    material_ids: np.ndarray,
    chosen: str,
    labels: dict[str, np.ndarray],
    linkages: dict[str, np.ndarray],
    **consensus: np.ndarray,
) -> None:
    """The chosen clustering (``labels``, ``linkage``), every representation's, and arrays of the chosen consensus
    (``coassociation``, ``member_labels``, ``member_linkages``, ``confidence``)."""
    write_arrays(
        path,
        material_ids=material_ids,
        representation=np.array(chosen),
        labels=labels[chosen],
        linkage=linkages[chosen],
        **{f"labels_{name}": values for name, values in labels.items()},
        **{f"linkage_{name}": values for name, values in linkages.items()},
        **consensus,
    )


def read_clusters(path: str | Path, material_ids: list[str] | None = None) -> dict[str, np.ndarray]:
    """The arrays of a clusters.npz; InputError if ``material_ids`` are given and differ from its materials."""
    return _arrays_of_materials(path, "cluster", material_ids)


def write_chemistry(folder: str | Path, records: dict[str, dict]) -> None:
    write_json_atomic(Path(folder) / "materials.json", records)


def read_chemistry(folder: str | Path) -> dict[str, dict]:
    return _read_json(Path(folder) / "materials.json", "chemistry")


@dataclass(frozen=True)
class Interpretation:
    """What the clusters say: enrichment tests, per-cluster summaries, guidelines, the V5+/Cr6+ oxides'
    environments (one row each) and their contrast (``by_cation``, ``pair``)."""

    enrichment: pd.DataFrame
    clusters: dict
    guidelines: list[dict]
    contrast_oxides: pd.DataFrame
    contrast: dict


def write_interpretation(folder: str | Path, interpretation: Interpretation) -> None:
    folder = Path(folder)
    write_csv_atomic(folder / "enrichment.csv", interpretation.enrichment, "%.4g")
    write_json_atomic(folder / "clusters.json", interpretation.clusters)
    write_json_atomic(folder / "guidelines.json", interpretation.guidelines)
    write_csv_atomic(folder / "contrast.csv", interpretation.contrast_oxides)
    write_json_atomic(folder / "contrast.json", interpretation.contrast)


def read_interpretation(folder: str | Path) -> Interpretation:
    folder = Path(folder)
    for name in ("enrichment.csv", "contrast.csv"):
        if not (folder / name).is_file():
            raise InputError(f"{folder / name}: not found (run the interpret stage)")
    return Interpretation(
        enrichment=pd.read_csv(folder / "enrichment.csv"),
        clusters=_read_json(folder / "clusters.json", "interpret"),
        guidelines=_read_json(folder / "guidelines.json", "interpret"),
        contrast_oxides=pd.read_csv(folder / "contrast.csv"),
        contrast=_read_json(folder / "contrast.json", "interpret"),
    )
