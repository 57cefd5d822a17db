"""ALIGNN crystal graphs without DGL, and their cache.

The graph is alignn's ``k-nearest`` graph, built as alignn builds it for DGL:
``alignn.graphs.nearest_neighbor_edges`` (every neighbour out to the shell of
the k-th nearest, canonised periodic images, cutoff grown until every atom has
k neighbours) -> ``build_undirected_edgedata`` (both directions of every edge)
-> the line graph with backtracking (DGL's ``line_graph``) and bond-angle
cosines. ``alignn.torch_graph_builder.build_pure_torch_graph`` is faster but
is a different graph (a radius cut plus the 20 nearest, no shell ties): its
edge counts matched k-nearest for 12 of 200 structures of data/sources.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from specgroups.errors import InputError
from specgroups.io.atomic import write_json_atomic, write_torch_atomic
from specgroups.structures import structure_fingerprint, validate_structure

GRAPH_FORMAT_VERSION = 1


@dataclass(frozen=True)
class GraphSettings:
    cutoff: float
    max_neighbors: int
    atom_features: str = "cgcnn"


@lru_cache(maxsize=None)
def atom_feature_table(kind: str) -> dict[int, np.ndarray]:
    """Atom feature vectors by atomic number (jarvis-tools' CGCNN table: Z = 1-100).

    Read directly: ``jarvis.core.specie.get_node_attributes`` silently returns
    element 103's features for any element it lacks.
    """
    if kind != "cgcnn":
        raise InputError(f"params: atom features {kind!r} are not supported (only 'cgcnn')")
    from jarvis.core import specie

    with open(specie.cgcnn_feature_json) as handle:
        table = json.load(handle)
    return {int(z): np.asarray(vector, dtype=np.float32) for z, vector in table.items()}


def graph_key(structure, settings: GraphSettings) -> str:
    """Hash of the structure and the graph settings: the graph's cache file name."""
    return structure_fingerprint(structure, {"graph_format": GRAPH_FORMAT_VERSION, **asdict(settings)})


def check_graph_input(structure, material_id: str, settings: GraphSettings) -> None:
    """InputError naming the material for overlapping atoms, partial occupancies or atoms without features."""
    validate_structure(structure, material_id)
    if not structure.is_ordered:
        raise InputError(f"{material_id}: disordered sites (partial occupancies) cannot be turned into a graph")
    table = atom_feature_table(settings.atom_features)
    unknown = sorted({site.specie.symbol for site in structure if site.specie.Z not in table})
    if unknown:
        raise InputError(f"{material_id}: no {settings.atom_features} atom features for {unknown}")


def graph_tensors(structure, material_id: str, settings: GraphSettings) -> dict[str, torch.Tensor]:
    """The graph and line graph of one structure as a dict of tensors (what the cache stores)."""
    from alignn.graphs import build_undirected_edgedata, nearest_neighbor_edges
    from alignn.torch_graph_builder import _line_graph_edges, torch_bond_cosines
    from jarvis.core.atoms import Atoms

    check_graph_input(structure, material_id, settings)
    table = atom_feature_table(settings.atom_features)
    atoms = Atoms(
        lattice_mat=structure.lattice.matrix,
        coords=structure.frac_coords,
        elements=[site.specie.symbol for site in structure],
        cartesian=False,
    )
    edges, _ = nearest_neighbor_edges(
        atoms, cutoff=settings.cutoff, max_neighbors=settings.max_neighbors, use_canonize=True
    )
    src, dst, bond_vectors, _ = build_undirected_edgedata(atoms, edges)
    without = sorted(set(range(len(structure))) - set(dst.tolist()))
    if without:
        raise InputError(f"{material_id}: atoms {without} have no neighbours in the k-nearest graph")
    bond_vectors = bond_vectors.to(torch.float32)
    line_src, line_dst = _line_graph_edges(src, dst, len(structure))
    return {
        "num_nodes": torch.tensor(len(structure)),
        "src": src,
        "dst": dst,
        "atom_features": torch.from_numpy(np.stack([table[site.specie.Z] for site in structure])),
        "r": bond_vectors,
        "line_src": line_src,
        "line_dst": line_dst,
        "cosines": torch_bond_cosines(bond_vectors[line_src], bond_vectors[line_dst]),
    }


def to_graph_pair(tensors: dict[str, torch.Tensor]):
    """alignn ``TorchGraph`` pair (graph, line graph) from cached tensors."""
    from alignn.torch_graph_builder import TorchGraph

    graph = TorchGraph(
        num_nodes=int(tensors["num_nodes"]),
        src=tensors["src"],
        dst=tensors["dst"],
        ndata={"atom_features": tensors["atom_features"]},
        edata={"r": tensors["r"]},
    )
    line_graph = TorchGraph(
        num_nodes=graph.num_edges,
        src=tensors["line_src"],
        dst=tensors["line_dst"],
        ndata={"r": tensors["r"]},
        edata={"h": tensors["cosines"]},
    )
    return graph, line_graph


def build_graph_cache(structures: dict, settings: GraphSettings, cache_dir: str | Path) -> dict[str, str]:
    """Graph file name for every material, building only those missing from ``cache_dir``.

    ``structures`` maps material id -> pymatgen Structure. Files are named by
    :func:`graph_key`, so a changed structure or setting gets a new file and
    an unchanged one is reused. Returns {material id: file name}.
    """
    for material_id, structure in structures.items():  # cheap checks first: bad input writes nothing
        check_graph_input(structure, material_id, settings)
    cache_dir = Path(cache_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    index = {}
    for material_id, structure in tqdm(structures.items(), desc="graphs", unit="material"):
        name = f"{graph_key(structure, settings)}.pt"
        if not (cache_dir / name).is_file():
            tensors = graph_tensors(structure, material_id, settings)
            write_torch_atomic(cache_dir / name, tensors)
        index[material_id] = name
    return index


def update_graph_cache(
    structures: dict[str, dict], ids: list[str], settings: GraphSettings, cache_dir: str | Path
) -> dict[str, str]:
    """The graph cache of a dataset's materials (``ids``; ``structures``: pymatgen dicts by id): built where
    missing, files no material uses any more removed, and its ``index.json`` ({material id: file name}) written."""
    from pymatgen.core import Structure

    cache_dir = Path(cache_dir)
    index = build_graph_cache({m: Structure.from_dict(structures[m]) for m in ids}, settings, cache_dir)
    for stale in {path.name for path in cache_dir.glob("*.pt")} - set(index.values()):
        (cache_dir / stale).unlink()
    write_json_atomic(cache_dir / "index.json", index)
    return index


def load_graph(path: str | Path) -> dict[str, torch.Tensor]:
    """Cached graph tensors; loading never runs pickled code (weights_only)."""
    return torch.load(path, weights_only=True)


@dataclass
class GraphSet:
    """Graph pairs (alignn TorchGraph) and their target spectra, in the same order."""

    ids: list[str]
    pairs: list
    targets: torch.Tensor

    def __len__(self) -> int:
        return len(self.ids)


def load_graph_set(graph_dir: str | Path, ids: list[str], targets: np.ndarray) -> GraphSet:
    """The graphs of ``ids`` from a cache directory with an ``index.json`` (written by the graphs stage)."""
    graph_dir = Path(graph_dir)
    index_path = graph_dir / "index.json"
    if not index_path.is_file():
        raise InputError(f"{index_path}: not found (run the graphs stage)")
    index = json.loads(index_path.read_text())
    missing = [material_id for material_id in ids if material_id not in index]
    if missing:
        raise InputError(f"{index_path}: no graph for {missing[:5]}")
    pairs = [to_graph_pair(load_graph(graph_dir / index[material_id])) for material_id in ids]
    return GraphSet(list(ids), pairs, torch.as_tensor(np.asarray(targets), dtype=torch.float32))


def load_split_sets(graph_dir: str | Path, materials, spectra: np.ndarray) -> dict[str, GraphSet]:
    """{train, val, test: GraphSet} of a dataset's materials table (its ``split`` column) and spectra."""
    sets = {}
    for split in ("train", "val", "test"):
        rows = np.flatnonzero(materials["split"].to_numpy() == split)
        if len(rows) == 0:
            raise InputError(f"{graph_dir}: the dataset's {split} split is empty")
        sets[split] = load_graph_set(graph_dir, materials["id"].iloc[rows].tolist(), spectra[rows])
    return sets
