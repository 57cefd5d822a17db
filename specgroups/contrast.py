"""The study's headline contrast, in one place: V5+/Cr6+ in isolated tetrahedra among alkali ions against
the same cations in other environments.

Used by the chemistry stage (groups, clusters, onsets), the electronic stage (each group's
representative and the comparison of their CBMs) and the figures (figure 3).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from specgroups.clustering import by_centrality
from specgroups.enrichment import difference_with_interval
from specgroups.errors import InputError

HEADLINE_IONS = frozenset({("V", 5.0), ("Cr", 6.0)})
GROUPS = ("isolated_alkali", "other")


def headline_class(record: dict) -> str | None:
    """A material's side of the contrast, from its chemistry record (:func:`specgroups.chemistry.material_chemistry`):
    "isolated_alkali" when every V5+/Cr6+ site is an isolated tetrahedron whose anions are shared with alkali
    ions only, "other" for V5+/Cr6+ in any other environment, None without V5+ or Cr6+ (or without a record)."""
    if "error" in record:
        return None
    headline = [site for site in record["cations"] if (site["element"], site["oxidation_state"]) in HEADLINE_IONS]
    if not headline:
        return None
    isolated = all(s["environment"] == "T:4" and s["isolated"] and s["alkali_neighbours_only"] for s in headline)
    return "isolated_alkali" if isolated else "other"


def headline_groups(records: dict[str, dict], ids: list[str]) -> dict[str, list[int]]:
    """{group: rows of ``ids`` in it} for both groups."""
    classes = [headline_class(records[material_id]) for material_id in ids]
    return {group: [row for row, found in enumerate(classes) if found == group] for group in GROUPS}


def headline_contrast(records: dict[str, dict], table: pd.DataFrame, labels: np.ndarray, rng: np.random.Generator, rounds: int) -> dict:
    """The two groups' members and clusters, and how the clusters and onsets separate them.

    - ``separation_purity``: the fraction of the groups' materials whose cluster holds no material of the
      other group (1: the clustering separates them completely);
    - ``onset_isolated_alkali_minus_other_ev``: difference of the groups' mean onset energies (eV) with a
      bootstrap 95% interval of ``rounds`` resamples (:func:`specgroups.enrichment.difference_with_interval`).
    """
    groups = headline_groups(records, table["id"].tolist())
    clusters = {group: sorted({int(labels[row]) for row in rows}) for group, rows in groups.items()}
    shared = sorted(set(clusters["isolated_alkali"]) & set(clusters["other"]))
    pure = sum(int(labels[row]) not in shared for rows in groups.values() for row in rows)
    total = sum(len(rows) for rows in groups.values())
    onsets = table["onset_energy_ev"].to_numpy()
    return {
        "members": {group: [table["formula"].iloc[row] for row in rows] for group, rows in groups.items()},
        "clusters": clusters,
        "clusters_holding_both": shared,
        "separation_purity": pure / total if total else float("nan"),
        "onset_isolated_alkali_minus_other_ev": difference_with_interval(onsets[groups["isolated_alkali"]], onsets[groups["other"]], rng, rounds),
    }


def representatives(records: dict[str, dict], table: pd.DataFrame, chosen: dict, max_sites: int, vectors: dict[str, np.ndarray]) -> dict[str, str | None]:
    """The material whose electronic structure stands for each group: ``chosen[group]`` when given, else the
    group's most central member (nearest the mean of the group's vectors in the clustering representation)
    among those with at most ``max_sites`` sites; None when the group has no such member."""
    nsites = dict(zip(table["id"], table["nsites"]))
    groups = headline_groups(records, table["id"].tolist())
    picked = {}
    for group, rows in groups.items():
        if chosen.get(group):
            if chosen[group] not in nsites:
                raise InputError(f"params: electronic representative {chosen[group]!r} is not in the dataset")
            picked[group] = chosen[group]
            continue
        members = [table["id"].iloc[row] for row in rows]
        central = [members[i] for i in by_centrality(np.stack([vectors[m] for m in members]))] if members else []
        small = [m for m in central if int(nsites[m]) <= max_sites]
        picked[group] = small[0] if small else None
    return picked


def cbm_comparison(results: dict[str, dict]) -> dict | None:
    """The ratio of the representatives' CBM inverse participation ratios (isolated_alkali over other) and
    whether the isolated_alkali CBM is the more localised; None unless both groups were computed."""
    computed = {group: result for group, result in results.items() if result.get("material")}
    if set(computed) != set(GROUPS):
        return None
    ipr = {group: result["cbm"]["inverse_participation_ratio"] for group, result in computed.items()}
    return {
        "cbm_ipr_isolated_alkali_over_other": ipr["isolated_alkali"] / ipr["other"],
        "claim_cbm_more_localised_in_isolated_alkali": bool(ipr["isolated_alkali"] > ipr["other"]),
    }
