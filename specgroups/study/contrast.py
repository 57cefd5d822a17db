"""The study's headline contrast, in one place: V5+ and Cr6+ oxides by the environment of their tetrahedra.

Every V5+/Cr6+ site of a material (its chemistry record, :func:`specgroups.analysis.chemistry.material_chemistry`:
ChemEnv environments, and the cations whose ChemEnv neighbour sets hold the same anions) falls in one class:

- ``isolated_alkali``: a tetrahedron (ChemEnv T:4) sharing no anion with another V/Cr polyhedron, whose
  anions are bonded only to alkali ions (Li, Na, K, Rb, Cs) besides the V/Cr;
- ``isolated_other``: such an isolated tetrahedron whose anions are bonded to other cations as well;
- ``connected``: sharing an anion with another V/Cr polyhedron, or not tetrahedral.

A material takes the class of its least isolated site (the order above). The contrast is drawn on oxides
(O the only anion); the chalcogenide analogues (S, Se, Te) are classified alike and reported apart.
Used by the chemistry stage (classes, per-cation differences, the pair of clusters), the electronic
stage (per-material CBM localisation by class, representatives), the figures and the report.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from specgroups.analysis.chemistry import ALKALI, ANIONS
from specgroups.analysis.clustering import by_centrality, merge_height
from specgroups.analysis.enrichment import difference_with_interval, family_difference_interval, mean_with_interval
from specgroups.errors import InputError

HEADLINE_IONS = frozenset({("V", 5.0), ("Cr", 6.0)})
HEADLINE_CATIONS = ("V", "Cr")
ENVIRONMENTS = ("isolated_alkali", "isolated_other", "connected")
# the study's contrast (isolated among alkali against the same cation anywhere else), then each pair of classes
COMPARISONS = (
    ("isolated_alkali", "elsewhere"),
    ("isolated_alkali", "isolated_other"),
    ("isolated_alkali", "connected"),
    ("isolated_other", "connected"),
)
CONTRAST_COLUMNS = ["id", "cation", "environment", "family"]


def site_environment(site: dict) -> str:
    """The class (:data:`ENVIRONMENTS`) of one V/Cr site of a chemistry record."""
    if site["environment"] != "T:4" or set(site["neighbour_cations"]) & set(HEADLINE_CATIONS):
        return "connected"
    return (
        "isolated_alkali"
        if site["neighbour_cations"] and set(site["neighbour_cations"]) <= ALKALI
        else "isolated_other"
    )


def material_environment(record: dict) -> dict | None:
    """``{"cation", "anion", "environment"}`` of a material with V5+/Cr6+ sites: its headline cation(s)
    ("V", "Cr", or "Cr+V"), its anion(s) ("O" for an oxide, e.g. "S" or "O+S" otherwise) and its least
    isolated site's class; None without V5+/Cr6+ (or without a record)."""
    if "error" in record:
        return None
    sites = [site for site in record["cations"] if (site["element"], site["oxidation_state"]) in HEADLINE_IONS]
    if not sites:
        return None
    return {
        "cation": "+".join(sorted({site["element"] for site in sites})),
        "anion": "+".join(sorted(set(record["elements"]) & ANIONS)),
        "environment": max((site_environment(site) for site in sites), key=ENVIRONMENTS.index),
    }


def environment_table(records: dict[str, dict], ids: list[str]) -> pd.DataFrame:
    """One row per material of ``ids`` with V5+/Cr6+: id, cation, anion, environment (:func:`material_environment`)."""
    rows = [
        {"id": material_id, **found} for material_id in ids if (found := material_environment(records[material_id]))
    ]
    return pd.DataFrame(rows, columns=["id", "cation", "anion", "environment"])


def oxides(environments: pd.DataFrame) -> pd.DataFrame:
    """The rows of an :func:`environment_table` whose only anion is O: the contrast (``contrast.csv``)."""
    return environments[environments["anion"] == "O"].reset_index(drop=True)


def environment_differences(
    contrast: pd.DataFrame, quantities: dict[str, dict[str, float]], rng: np.random.Generator, rounds: int
) -> dict:
    """Per cation of the oxides (``contrast``: id, cation, environment and, where known, the structure ``family``),
    the class counts, members and, for each quantity ({name: {id: value}}, e.g. onset energy and log10 I), the mean
    of each class and the differences of :data:`COMPARISONS` ("elsewhere": every other class together), each with a
    bootstrap 95 % interval of ``rounds`` resamples of materials
    (:func:`specgroups.analysis.enrichment.difference_with_interval`) and, with families, one of resampled families
    (``ci95_families``, ``n_families``: :func:`specgroups.analysis.enrichment.family_difference_interval`)."""
    result = {}
    for cation in HEADLINE_CATIONS:
        rows = contrast[contrast["cation"] == cation]
        if rows.empty:
            continue
        ids = {env: rows.loc[rows["environment"] == env, "id"].tolist() for env in ENVIRONMENTS}
        ids["elsewhere"] = ids["isolated_other"] + ids["connected"]
        family = dict(zip(rows["id"], rows["family"])) if "family" in rows else None
        entry = {
            "counts": {env: len(ids[env]) for env in ENVIRONMENTS},
            "members": {env: ids[env] for env in ENVIRONMENTS},
        }
        for name, values in quantities.items():
            of = {env: np.array([values[m] for m in members], dtype=float) for env, members in ids.items()}
            differences = {f"{a} - {b}": difference_with_interval(of[a], of[b], rng, rounds) for a, b in COMPARISONS}
            if family is not None:
                for a, b in COMPARISONS:
                    families = [[family[m] for m in ids[side]] for side in (a, b)]
                    differences[f"{a} - {b}"] |= family_difference_interval(
                        of[a], families[0], of[b], families[1], rng, rounds
                    )
            entry[name] = {
                "means": {env: mean_with_interval(of[env], rng, rounds) for env in ENVIRONMENTS},
                "differences": differences,
            }
        result[cation] = entry
    return result


def clusters_of_environments(contrast: pd.DataFrame, cluster_of: dict[str, int]) -> dict[str, dict[int, int]]:
    """{class: {cluster: number of the class's oxides (``contrast``) in it}}, clusters in increasing order."""
    return {
        env: {
            int(c): int(n)
            for c, n in sorted(
                pd.Series([cluster_of[m] for m in contrast.loc[contrast["environment"] == env, "id"]])
                .value_counts()
                .items()
            )
        }
        for env in ENVIRONMENTS
    }


def cluster_pair(contrast: pd.DataFrame, ids: list[str], labels: np.ndarray, linkage: np.ndarray) -> dict | None:
    """The pair of clusters the data picks, as the study's 74 against 70: the cluster holding the most
    ``isolated_alkali`` oxides (ties: the lower label), against the cluster nearest it in the dendrogram
    (:func:`merge_height`; ties: more such oxides, then the lower label) among those holding V/Cr oxides of
    the other classes. None when either side is empty."""
    from scipy.cluster.hierarchy import cophenet

    row_of = {material_id: row for row, material_id in enumerate(ids)}
    alkali = [int(labels[row_of[m]]) for m in contrast.loc[contrast["environment"] == "isolated_alkali", "id"]]
    others = [int(labels[row_of[m]]) for m in contrast.loc[contrast["environment"] != "isolated_alkali", "id"]]
    first = max(set(alkali), key=lambda c: (alkali.count(c), -c)) if alkali else None
    candidates = sorted(set(others) - {first})
    if first is None or not candidates:
        return None
    cophenetic, first_row = cophenet(linkage), int(np.flatnonzero(labels == first)[0])
    heights = {c: merge_height(cophenetic, first_row, int(np.flatnonzero(labels == c)[0])) for c in candidates}
    second = min(candidates, key=lambda c: (heights[c], -others.count(c), c))
    return {
        "isolated_alkali_cluster": first,
        "other_cluster": second,
        "merge_height": heights[second],
        "isolated_alkali_in_it": alkali.count(first),
        "others_in_it": others.count(second),
    }


def pair_contrast(
    pair: dict, contrast: pd.DataFrame, table: pd.DataFrame, labels: np.ndarray, rng: np.random.Generator, rounds: int
) -> dict:
    """The pair's members (formulas) with each V/Cr oxide's class, and the onset difference of the two
    clusters' whole membership (first minus second, bootstrap 95 % interval)."""
    env_of = dict(zip(contrast["id"], contrast["environment"]))
    onsets = table["onset_energy_ev"].to_numpy()
    first, second = labels == pair["isolated_alkali_cluster"], labels == pair["other_cluster"]
    members = {
        key: [
            {"id": m, "formula": f, "environment": env_of.get(m)}
            for m, f in zip(table["id"][mask], table["formula"][mask])
        ]
        for key, mask in (("isolated_alkali_cluster", first), ("other_cluster", second))
    }
    return {
        **pair,
        "members": members,
        "onset_first_minus_second_ev": difference_with_interval(onsets[first], onsets[second], rng, rounds),
    }


def representatives(
    pair: dict | None,
    contrast: pd.DataFrame,
    table: pd.DataFrame,
    labels: np.ndarray,
    chosen: dict,
    max_sites: int,
    vectors: dict[str, np.ndarray],
) -> dict[str, str | None]:
    """The material whose electronic structure stands for each side of the pair: ``chosen[side]`` when given,
    else the most central (nearest the mean of their vectors in the clustering representation) among the
    side's oxides with at most ``max_sites`` sites: the ``isolated_alkali`` oxides of the first cluster, and
    the other classes' oxides of the second; both of one cation where the two sides share one (a like-for-like
    pair: a Cr6+ against a V5+ compound would mix the cation into the contrast); None when a side has no such
    member."""
    nsites = dict(zip(table["id"], table["nsites"]))
    cluster_of = dict(zip(table["id"], labels))
    sides = {"isolated_alkali": [], "other": []}
    if pair:
        sides["isolated_alkali"] = [
            m
            for m, env in zip(contrast["id"], contrast["environment"])
            if env == "isolated_alkali" and cluster_of[m] == pair["isolated_alkali_cluster"]
        ]
        sides["other"] = [
            m
            for m, env in zip(contrast["id"], contrast["environment"])
            if env != "isolated_alkali" and cluster_of[m] == pair["other_cluster"]
        ]
    picked, cation_of = {}, dict(zip(contrast["id"], contrast["cation"]))
    shared = {cation_of[m] for m in sides["isolated_alkali"]} & {cation_of[m] for m in sides["other"]}
    for side, members in sides.items():
        cations = {cation_of.get(picked.get("isolated_alkali"))} if side == "other" else shared
        members = [m for m in members if cation_of[m] in cations] or members
        if chosen.get(side):
            if chosen[side] not in nsites:
                raise InputError(f"params: electronic representative {chosen[side]!r} is not in the dataset")
            picked[side] = chosen[side]
            continue
        central = [members[i] for i in by_centrality(np.stack([vectors[m] for m in members]))] if members else []
        small = [m for m in central if int(nsites[m]) <= max_sites]
        picked[side] = small[0] if small else None
    return picked


def headline_contrast(
    records: dict[str, dict],
    table: pd.DataFrame,
    labels: np.ndarray,
    linkage: np.ndarray,
    rng: np.random.Generator,
    rounds: int,
    families: dict[str, str],
) -> tuple[pd.DataFrame, dict]:
    """The whole contrast of a dataset (``table``: the dataset's materials, rows in ``labels`` order; ``families``:
    each material's structure family, :func:`specgroups.structures.structure_family`): the
    :func:`environment_table` with the families, and a JSON-ready summary of it: the classes of the oxides by cation with
    their onset (eV) and log10 I differences (:func:`environment_differences`), the clusters holding each
    class, the pair of clusters (:func:`cluster_pair`, :func:`pair_contrast`) and the chalcogenide analogues
    with their classes and onsets."""
    ids = table["id"].tolist()
    environments = environment_table(records, ids)
    environments["family"] = environments["id"].map(families)
    quantities = {name: dict(zip(ids, table[name])) for name in ("onset_energy_ev", "log10_edge_integral")}
    contrast = oxides(environments)
    pair = cluster_pair(contrast, ids, labels, linkage)
    formula = dict(zip(ids, table["formula"]))
    analogues = environments[environments["anion"] != "O"]
    return environments, {
        "by_cation": environment_differences(contrast, quantities, rng, rounds),
        "formulas": {m: formula[m] for m in environments["id"]},
        "clusters": clusters_of_environments(contrast, dict(zip(ids, labels.tolist()))),
        "pair": pair_contrast(pair, contrast, table, labels, rng, rounds) if pair else None,
        "chalcogenide_analogues": [
            {**row, "formula": formula[row["id"]], "onset_energy_ev": quantities["onset_energy_ev"][row["id"]]}
            for row in analogues.to_dict("records")
        ],
    }


def onset_differences(contrast: dict) -> dict[str, float]:
    """{cation: onset of its isolated_alkali oxides minus those elsewhere (eV, 2 decimals)} of a :func:`headline_contrast`."""
    return {
        cation: round(entry["onset_energy_ev"]["differences"]["isolated_alkali - elsewhere"]["difference"], 2)
        for cation, entry in contrast["by_cation"].items()
    }


def pair_sides(pair: dict | None, labels: np.ndarray) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """The rows of each side of the pair ({"isolated_alkali": rows of its first cluster, "other": of its second})
    and a title for each ("cluster 4, most isolated_alkali"); empty sides without a pair."""
    if not pair:
        return {side: np.array([], dtype=int) for side in ("isolated_alkali", "other")}, {
            "isolated_alkali": "no pair",
            "other": "no pair",
        }
    first, second = pair["isolated_alkali_cluster"], pair["other_cluster"]
    return (
        {"isolated_alkali": np.flatnonzero(labels == first), "other": np.flatnonzero(labels == second)},
        {"isolated_alkali": f"cluster {first}", "other": f"cluster {second}"},
    )
