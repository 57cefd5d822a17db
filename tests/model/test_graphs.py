"""ALIGNN k-nearest graphs without DGL: structure, invariances, cache, bad input."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from pymatgen.core import Lattice, Structure

from specgroups import InputError
from specgroups.model.graphs import (
    GraphSettings,
    build_graph_cache,
    graph_key,
    graph_tensors,
    load_graph,
    to_graph_pair,
)
from tests.helpers import oxide_id, oxide_structure

SETTINGS = GraphSettings(cutoff=10.0, max_neighbors=12)


@pytest.fixture(scope="module")
def yvo4():
    return oxide_structure(oxide_id("YVO4"))


def test_k_nearest_graph_of_a_real_oxide(yvo4):
    tensors = graph_tensors(yvo4, "YVO4", SETTINGS)
    n = len(yvo4)
    src, dst = tensors["src"], tensors["dst"]
    assert int(tensors["num_nodes"]) == n and tensors["atom_features"].shape == (n, 92)
    # undirected: every edge has its reverse with the opposite bond vector
    key = lambda s, d, r: (int(s), int(d), tuple(np.round(r, 4) + 0.0))  # noqa: E731 (+0.0 folds -0.0)
    edges = {key(s, d, r) for s, d, r in zip(src, dst, tensors["r"].numpy())}
    assert all(key(d, s, -np.asarray(r)) in edges for s, d, r in edges)
    # every atom has at least k incoming edges (neighbours out to the k-th shell)
    assert torch.bincount(dst, minlength=n).min() >= SETTINGS.max_neighbors
    # the line graph joins edge (u, v) to every edge leaving v, backtracking included
    out_degree = torch.bincount(src, minlength=n)
    assert len(tensors["line_src"]) == int(out_degree[dst].sum())
    assert torch.all(dst[tensors["line_src"]] == src[tensors["line_dst"]])
    assert torch.all(tensors["cosines"].abs() <= 1.0)


def test_bond_lengths_match_pymatgen_distances(yvo4):
    tensors = graph_tensors(yvo4, "YVO4", SETTINGS)
    lengths = tensors["r"].norm(dim=1).numpy()
    shortest = min(n.nn_distance for n in yvo4.get_neighbors(yvo4[0], 3.0))
    v_site = next(i for i, s in enumerate(yvo4) if s.specie.symbol == "V")
    v_o = min(n.nn_distance for n in yvo4.get_neighbors(yvo4[v_site], 2.5))
    assert lengths.min() == pytest.approx(min(shortest, v_o), abs=1e-4)


def test_graph_is_invariant_to_a_translation(yvo4):
    moved = yvo4.copy()
    moved.translate_sites(list(range(len(moved))), [0.13, 0.27, 0.31])
    a, b = graph_tensors(yvo4, "a", SETTINGS), graph_tensors(moved, "b", SETTINGS)
    assert len(a["src"]) == len(b["src"]) and len(a["line_src"]) == len(b["line_src"])
    assert np.allclose(np.sort(a["r"].norm(dim=1).numpy()), np.sort(b["r"].norm(dim=1).numpy()), atol=1e-4)


def test_cache_reuses_and_keys_by_structure_and_settings(tmp_path, yvo4):
    mgo = oxide_structure("mp-1265")
    index = build_graph_cache({"YVO4": yvo4, "MgO": mgo}, SETTINGS, tmp_path)
    assert len(set(index.values())) == 2
    stamp = (tmp_path / index["MgO"]).stat().st_mtime_ns
    again = build_graph_cache({"MgO": mgo}, SETTINGS, tmp_path)
    assert again["MgO"] == index["MgO"] and (tmp_path / index["MgO"]).stat().st_mtime_ns == stamp
    assert graph_key(mgo, GraphSettings(10.0, 20)) != graph_key(mgo, SETTINGS)
    strained = mgo.copy()
    strained.scale_lattice(mgo.volume * 1.01)
    assert graph_key(strained, SETTINGS) != graph_key(mgo, SETTINGS)
    graph, line_graph = to_graph_pair(load_graph(tmp_path / index["MgO"]))
    assert graph.num_nodes == 2 and line_graph.num_nodes == graph.num_edges


def test_overlapping_atoms_are_named():
    structure = Structure(Lattice.cubic(4.0), ["Mg", "O", "O"], [[0, 0, 0], [0.5, 0.5, 0.5], [0.51, 0.5, 0.5]])
    with pytest.raises(InputError, match="mp-bad: atoms 1 \\(O\\) and 2 \\(O\\) overlap"):
        graph_tensors(structure, "mp-bad", SETTINGS)


def test_element_without_cgcnn_features_is_named():
    structure = Structure(Lattice.cubic(5.0), ["Md", "O"], [[0, 0, 0], [0.5, 0.5, 0.5]])
    with pytest.raises(InputError, match=r"mp-md: no cgcnn atom features for \['Md'\]"):
        graph_tensors(structure, "mp-md", SETTINGS)


def test_two_builds_of_the_cache_are_byte_identical(tmp_path, yvo4):
    """torch.save to a file would name its zip folder after the (random) temporary file's name."""
    first = build_graph_cache({"YVO4": yvo4}, SETTINGS, tmp_path / "a")
    second = build_graph_cache({"YVO4": yvo4}, SETTINGS, tmp_path / "b")
    assert (tmp_path / "a" / first["YVO4"]).read_bytes() == (tmp_path / "b" / second["YVO4"]).read_bytes()
