"""The study's contrast: each V5+/Cr6+ material's environment class (hand-checked structures of the set), the
per-cation differences, the clusters of each class, the pair of clusters and the representatives."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
import pytest
from scipy.cluster.hierarchy import cophenet, fcluster, linkage

from specgroups import InputError
from specgroups.analysis.chemistry import material_chemistry
from specgroups.analysis.clustering import merge_height
from specgroups.study.contrast import (
    cluster_pair,
    clusters_of_environments,
    environment_differences,
    environment_table,
    material_environment,
    oxides,
    pair_sides,
    representatives,
    site_environment,
)
from tests.helpers import chalcogenide_structure, oxide_id, oxide_structure


@lru_cache(maxsize=None)
def record(formula: str) -> dict:
    return material_chemistry(oxide_structure(oxide_id(formula)), formula)


# Checked by hand against the structures (polyhedra and the cations bonded to their O atoms):
# Na3VO4, K2CrO4: isolated VO4/CrO4 whose O atoms bond only to Na/K;
# YVO4 (zircon), MgCrO4, Ba3V2O8, Ag3VO4 (VAg3O4): isolated tetrahedra whose O atoms bond to Y, Mg, Ba, Ag;
# V2O5 (square pyramids sharing O), CaV2O6 (edge-sharing VO6 chains), Cd2V2O7 (V2O7 dimers):
# corner- or edge-sharing V polyhedra.
HAND_CHECKED = {
    "Na3VO4": ("V", "isolated_alkali"),
    "K2CrO4": ("Cr", "isolated_alkali"),
    "YVO4": ("V", "isolated_other"),
    "MgCrO4": ("Cr", "isolated_other"),
    "Ba3V2O8": ("V", "isolated_other"),
    "VAg3O4": ("V", "isolated_other"),
    "V2O5": ("V", "connected"),
    "CaV2O6": ("V", "connected"),
    "V2Cd2O7": ("V", "connected"),
}


@pytest.mark.parametrize("formula", sorted(HAND_CHECKED))
def test_each_oxide_falls_in_its_hand_checked_class(formula):
    cation, environment = HAND_CHECKED[formula]
    assert material_environment(record(formula)) == {"cation": cation, "anion": "O", "environment": environment}


def test_anion_is_recorded_so_chalcogenides_are_kept_apart():
    chalcogenide = material_chemistry(chalcogenide_structure("mp-5513"), "Tl3VS4")  # isolated VS4 among Tl+
    found = material_environment(chalcogenide)
    assert found["anion"] == "S" and found["cation"] == "V"
    table = environment_table(
        {"a": record("Na3VO4"), "b": chalcogenide, "c": {"id": "c", "error": "ChemEnv failed"}}, ["a", "b", "c"]
    )
    assert table["id"].tolist() == ["a", "b"] and oxides(table)["id"].tolist() == ["a"]


def test_site_rules_and_least_isolated_site_wins():
    site = {"element": "V", "oxidation_state": 5.0, "environment": "T:4", "neighbour_cations": ["Na"]}
    assert site_environment(site) == "isolated_alkali"
    assert site_environment({**site, "neighbour_cations": ["Na", "Y"]}) == "isolated_other"
    assert site_environment({**site, "neighbour_cations": ["Cr", "Na"]}) == "connected"  # shares O with a Cr polyhedron
    assert site_environment({**site, "environment": "O:6"}) == "connected"
    mixed = {"id": "m", "elements": ["Na", "O", "V"], "cations": [site, {**site, "neighbour_cations": ["Na", "Y"]}]}
    assert material_environment(mixed)["environment"] == "isolated_other"
    assert (
        material_environment(
            {"id": "m", "elements": ["Mg", "O"], "cations": [{**site, "element": "Mg", "oxidation_state": 2.0}]}
        )
        is None
    )
    assert (
        material_environment({**mixed, "cations": [{**site, "oxidation_state": 4.0}]}) is None
    )  # V4+ is not in the contrast


def contrast_of(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["id", "cation", "environment"])


def test_differences_per_cation_with_intervals():
    contrast = contrast_of(
        [
            ("a", "V", "isolated_alkali"),
            ("b", "V", "isolated_alkali"),
            ("c", "V", "isolated_other"),
            ("d", "V", "connected"),
            ("e", "Cr", "isolated_alkali"),
            ("f", "Cr", "connected"),
        ]
    )
    onsets = {"a": 4.0, "b": 4.2, "c": 3.0, "d": 2.0, "e": 3.5, "f": 2.5}
    result = environment_differences(contrast, {"onset_energy_ev": onsets}, np.random.default_rng(0), 500)
    assert result["V"]["counts"] == {"isolated_alkali": 2, "isolated_other": 1, "connected": 1}
    v = result["V"]["onset_energy_ev"]["differences"]
    assert v["isolated_alkali - elsewhere"]["difference"] == pytest.approx(4.1 - 2.5) and v[
        "isolated_alkali - elsewhere"
    ]["n"] == [2, 2]
    assert v["isolated_other - connected"]["difference"] == pytest.approx(1.0)
    assert result["V"]["onset_energy_ev"]["means"]["isolated_alkali"]["mean"] == pytest.approx(4.1)
    cr = result["Cr"]["onset_energy_ev"]["differences"]
    assert cr["isolated_alkali - connected"]["difference"] == pytest.approx(1.0)
    assert np.isnan(cr["isolated_alkali - isolated_other"]["difference"])  # no isolated_other chromate


def test_family_intervals_resample_families_and_are_wider_where_a_family_repeats_itself():
    """Five alkali vanadates of which four are one family against five others of five families: resampling
    materials treats the four as independent; resampling families sees two units on that side."""
    rows = [(f"a{k}", "V", "isolated_alkali", "one family" if k < 4 else "other") for k in range(5)]
    rows += [(f"o{k}", "V", "isolated_other", f"family {k}") for k in range(5)]
    contrast = pd.DataFrame(rows, columns=["id", "cation", "environment", "family"])
    onsets = {"a0": 6.0, "a1": 6.1, "a2": 5.9, "a3": 6.0, "a4": 4.0} | {f"o{k}": 4.0 + 0.2 * k for k in range(5)}
    found = environment_differences(contrast, {"onset_energy_ev": onsets}, np.random.default_rng(0), 4000)
    difference = found["V"]["onset_energy_ev"]["differences"]["isolated_alkali - isolated_other"]
    assert difference["n"] == [5, 5] and difference["n_families"] == [2, 5]
    by_materials, by_families = np.diff(difference["ci95"])[0], np.diff(difference["ci95_families"])[0]
    assert by_families > 1.5 * by_materials
    assert difference["ci95_families"][0] <= difference["difference"] <= difference["ci95_families"][1]


def test_without_families_only_the_materials_interval_is_given():
    contrast = contrast_of([("a", "V", "isolated_alkali"), ("b", "V", "connected"), ("c", "V", "connected")])
    found = environment_differences(contrast, {"q": {"a": 1.0, "b": 0.0, "c": 0.5}}, np.random.default_rng(0), 50)
    assert "ci95_families" not in found["V"]["q"]["differences"]["isolated_alkali - connected"]


def test_pair_is_the_alkali_cluster_and_its_nearest_cluster_in_the_dendrogram():
    rng = np.random.default_rng(3)
    # four well separated blobs on a line: 0 and 1 close, 2 farther, 3 farthest
    points = np.concatenate([rng.normal(centre, 0.1, size=(5, 2)) for centre in ([0, 0], [1, 0], [4, 0], [9, 0])])
    tree = linkage(points, method="ward")
    labels = fcluster(tree, 4, criterion="maxclust")
    ids = [f"m{k}" for k in range(20)]
    blob = {k: int(labels[5 * k]) for k in range(4)}
    contrast = contrast_of(
        [
            ("m0", "V", "isolated_alkali"),
            ("m1", "V", "isolated_alkali"),
            ("m5", "Cr", "isolated_alkali"),
            ("m6", "V", "connected"),
            ("m10", "V", "isolated_other"),
            ("m15", "V", "connected"),
        ]
    )
    pair = cluster_pair(contrast, ids, labels, tree)
    # blob 0 holds two isolated_alkali oxides; blob 1 (nearest) holds a connected one besides its alkali one
    assert pair["isolated_alkali_cluster"] == blob[0] and pair["other_cluster"] == blob[1]
    distances = cophenet(tree)
    assert pair["merge_height"] == pytest.approx(merge_height(distances, 1, 7))
    assert (
        merge_height(distances, 0, 16)
        > merge_height(distances, 0, 11)
        > pair["merge_height"]
        > merge_height(distances, 0, 3)
    )
    assert clusters_of_environments(contrast, dict(zip(ids, labels.tolist())))["isolated_alkali"] == dict(
        sorted({blob[0]: 2, blob[1]: 1}.items())
    )
    sides, titles = pair_sides(pair, labels)
    assert sorted(sides["isolated_alkali"]) == [0, 1, 2, 3, 4] and titles["other"] == f"cluster {blob[1]}"
    assert cluster_pair(contrast[contrast["environment"] == "isolated_alkali"], ids, labels, tree) is None


def test_representatives_are_the_most_central_small_members_of_each_side():
    contrast = contrast_of(
        [
            ("m0", "V", "isolated_alkali"),
            ("m1", "V", "isolated_alkali"),
            ("m2", "V", "isolated_alkali"),
            ("m3", "V", "connected"),
        ]
    )
    table = pd.DataFrame({"id": ["m0", "m1", "m2", "m3"], "nsites": [16, 16, 32, 14]})
    labels = np.array([1, 1, 1, 2])
    pair = {"isolated_alkali_cluster": 1, "other_cluster": 2}
    vectors = {
        "m0": np.array([0.0, 0.0]),
        "m1": np.array([1.0, 0.0]),
        "m2": np.array([0.4, 0.0]),
        "m3": np.array([5.0, 5.0]),
    }
    # the side's mean is (0.47, 0): m2 (0.07 away) is nearest but has 32 sites, then m0 (0.47) before m1 (0.53)
    assert representatives(pair, contrast, table, labels, {}, 16, vectors) == {"isolated_alkali": "m0", "other": "m3"}
    assert representatives(pair, contrast, table, labels, {}, 40, vectors)["isolated_alkali"] == "m2"
    assert representatives(pair, contrast, table, labels, {}, 8, vectors) == {"isolated_alkali": None, "other": None}
    assert representatives(None, contrast, table, labels, {}, 16, vectors) == {"isolated_alkali": None, "other": None}
    assert representatives(pair, contrast, table, labels, {"other": "m1"}, 16, vectors)["other"] == "m1"
    with pytest.raises(InputError, match="'mp-unknown' is not in the dataset"):
        representatives(pair, contrast, table, labels, {"other": "mp-unknown"}, 16, vectors)


def test_the_other_representative_has_the_first_ones_cation_where_its_cluster_has_one():
    contrast = contrast_of(
        [
            ("m0", "Cr", "isolated_alkali"),
            ("m1", "V", "connected"),
            ("m2", "Cr", "isolated_other"),
            ("m3", "V", "connected"),
        ]
    )
    table = pd.DataFrame({"id": ["m0", "m1", "m2", "m3"], "nsites": [14] * 4})
    labels, pair = np.array([1, 2, 2, 2]), {"isolated_alkali_cluster": 1, "other_cluster": 2}
    vectors = {"m0": np.zeros(2), "m1": np.array([5.0, 5.0]), "m2": np.array([9.0, 9.0]), "m3": np.array([5.0, 5.1])}
    # m1 is the most central of cluster 2, but m2 is its only Cr oxide
    assert representatives(pair, contrast, table, labels, {}, 16, vectors) == {"isolated_alkali": "m0", "other": "m2"}
    vanadium = contrast.assign(cation=["V", "V", "Cr", "V"])
    assert representatives(pair, vanadium, table, labels, {}, 16, vectors)["other"] == "m1"
    # cluster 1 holds a Cr and a V alkali oxide, cluster 2 only V oxides: the pair is V against V
    both = contrast_of(
        [
            ("m0", "Cr", "isolated_alkali"),
            ("m4", "V", "isolated_alkali"),
            ("m1", "V", "connected"),
            ("m3", "V", "connected"),
        ]
    )
    wider = pd.DataFrame({"id": ["m0", "m4", "m1", "m3"], "nsites": [14] * 4})
    points = {"m0": np.zeros(2), "m4": np.array([0.0, 3.0]), "m1": np.array([5.0, 5.0]), "m3": np.array([5.0, 5.1])}
    found = representatives(pair, both, wider, np.array([1, 1, 2, 2]), {}, 16, points)
    assert found["isolated_alkali"] == "m4" and found["other"] in ("m1", "m3")
