"""The headline's mechanism on every V5+/Cr6+ oxide: how far the CBM spreads, by environment class.

The per-material measures are those of :mod:`specgroups.firstprinciples.localisation` (computed in
the first-principles profile, read here); the classes are those of :mod:`specgroups.study.contrast`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from specgroups.errors import InputError
from specgroups.study.contrast import environment_differences

# each measure, and the baseline it is read against (see specgroups.firstprinciples.localisation)
MEASURES = {
    "cbm_weight_mo4": "vbm_weight_mo4",
    "cbm_weight_other_cations": None,
    "lowest_conduction_band_width_ev": "highest_valence_band_width_ev",
    "cbm_curvature_mass": None,
    "cbm_conductivity_mass": None,
    "conduction_minus_valence_width_ev": None,
}
# the band-width claim net of the valence band: a narrower lowest conduction band is evidence of a localised CBM
# only where it narrows more than the highest valence band, which a smaller dispersion of the whole crystal (larger
# cells, fewer k-points, longer distances) narrows alike
CONTROLLED_WIDTH = "conduction_minus_valence_width_ev"
# each oxide's identity (its structure family: the unit its class contrasts resample), then its measures
IDENTITY_COLUMNS = ["id", "formula", "cation", "environment", "family", "status"]
MEASURE_COLUMNS = ["band_gap_ev", "cbm_weight_headline_cation", *[n for pair in MEASURES.items() for n in pair if n]]
COLUMNS = IDENTITY_COLUMNS + MEASURE_COLUMNS


def curvature_mass(masses: list[float | None] | None) -> float:
    """The harmonic mean of the principal masses' magnitudes, 3 / sum_i(1/|m_i|) (electron masses): how flat the
    lowest conduction band is at the mesh's CBM whatever the signs of its curvatures. Equal to the conductivity
    mass at a minimum; still defined where a flat band's minimum falls between mesh points (a negative
    curvature), which would otherwise drop exactly the flattest bands. NaN without masses; an infinite mass
    (zero curvature) counts as 1/|m| = 0."""
    if not masses or any(m is None for m in masses):
        return float("nan")
    inverse = sum(1 / abs(m) for m in masses)
    return float(3 / inverse) if inverse > 0 else float("inf")


def localisation_table(contrast: pd.DataFrame, results: dict[str, dict], formulas: dict[str, str]) -> pd.DataFrame:
    """One row per oxide of the contrast (id, cation, environment, family; ``formulas`` by id) with its localisation
    result's measures (:data:`COLUMNS`); NaN where the calculation did not finish ("status" says why:
    "missing" without a result)."""
    rows = []
    for row in contrast.to_dict("records"):
        result = results.get(row["id"], {"status": "missing"})
        ok = result["status"] == "ok"
        derived = {
            "cbm_curvature_mass": curvature_mass(result.get("cbm_masses")),
            CONTROLLED_WIDTH: width_net_of_valence(result),
        }
        rows.append(
            {
                **row,
                "formula": formulas[row["id"]],
                "status": result["status"],
                **{name: ((derived | result).get(name) if ok else None) for name in MEASURE_COLUMNS},
            }
        )
    table = pd.DataFrame(rows, columns=COLUMNS)
    table[MEASURE_COLUMNS] = table[MEASURE_COLUMNS].astype(float)
    return table


def width_net_of_valence(result: dict) -> float | None:
    """The lowest conduction band's width minus the highest valence band's (eV), on the same mesh."""
    widths = result.get("lowest_conduction_band_width_ev"), result.get("highest_valence_band_width_ev")
    return None if None in widths else widths[0] - widths[1]


def localisation_by_class(table: pd.DataFrame, rng: np.random.Generator, rounds: int) -> dict:
    """Per cation, each measure's (and baseline's) class means and class differences with bootstrap 95 %
    intervals (:func:`specgroups.study.contrast.environment_differences`), over the materials with a result."""
    done = table[table["status"] == "ok"]
    quantities = {name: dict(zip(done["id"], done[name])) for pair in MEASURES.items() for name in pair if name}
    return environment_differences(done[["id", "cation", "environment", "family"]], quantities, rng, rounds)


def like_for_like(table: pd.DataFrame, pairs: list[list[str]]) -> list[dict]:
    """Each named pair of oxides (ids, e.g. Na2CrO4 against MgCrO4: one cation, two environments) side by side:
    formula, environment and every measure of each."""
    by_id = table.set_index("id")
    compared = []
    for pair in pairs:
        missing = [m for m in pair if m not in by_id.index]
        if len(pair) != 2 or missing:
            raise InputError(
                f"params: electronic.like_for_like pair {pair} must name two V5+/Cr6+ oxides of the dataset (not: {missing})"
            )
        compared.append(
            {
                side: {
                    "id": m,
                    **{k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in by_id.loc[m].items()},
                }
                for side, m in zip(("a", "b"), pair)
            }
        )
    return compared


# the sign a difference "isolated_alkali - elsewhere" has where the study's claim holds: a later onset, and a
# CBM more localised (more weight on the MO4 units, less on other cations, a narrower band, a heavier mass: the
# curvature mass, defined for every material, not the conductivity mass, undefined for flat bands off the mesh)
CLAIM_SIGNS = {
    "onset_energy_ev": 1,
    "cbm_weight_mo4": 1,
    "cbm_weight_other_cations": -1,
    "lowest_conduction_band_width_ev": -1,
    CONTROLLED_WIDTH: -1,
    "cbm_curvature_mass": 1,
}


# fewer materials than this on either side leave a claim inconclusive: a bootstrap interval of two values is no interval
MIN_MATERIALS_PER_SIDE = 3


def verdict(difference: dict, sign: int) -> str:
    """ "supported" when the 95 % interval of a difference lies wholly on the claimed side of zero (``sign``),
    "not supported" when wholly on the other side (the data say the opposite), "inconclusive" when it spans zero
    or a side has fewer than :data:`MIN_MATERIALS_PER_SIDE` materials (families), "not testable" without an
    interval. Where the difference has one, the interval is the one that resamples structure families
    (``ci95_families``): members of a family are not independent, and resampling materials narrows the interval."""
    interval, counts = (
        (difference["ci95_families"], difference["n_families"])
        if "ci95_families" in difference
        else (difference["ci95"], difference.get("n"))
    )
    low, high = (float("nan") if value is None else sign * value for value in interval)  # JSON writes NaN as null
    if not (low == low and high == high):
        return "not testable"
    if min(counts or [MIN_MATERIALS_PER_SIDE]) < MIN_MATERIALS_PER_SIDE:
        return "inconclusive"
    if min(low, high) > 0:
        return "supported"
    return "not supported" if max(low, high) < 0 else "inconclusive"


def group_claims(group: dict | None) -> list[dict]:
    """The study's group tested across the ensemble (:func:`specgroups.study.group.group_across_members`), as claim
    rows (cation "V/Cr"): it shares one cluster in the members ("supported" when in at least 90 % of them), a stable
    consensus core holds it, and the pair of clusters each member picks keeps the onset contrast ("supported" when
    the 2.5 % bound over members lies above zero, "not supported" when the 97.5 % bound lies below it)."""
    if not group or "members" not in group:
        return []
    members, share = group["members"], group["share_of_members_holding_quorum"]
    pair = group["pair_onset_difference_ev"]
    bounds = pair["range95"] or [None, None]
    counts = [members, group["materials"]]
    pair_verdict = "not testable" if pair["members_with_pair"] < 2 else verdict({"ci95": bounds, "n": None}, 1)
    return [
        {
            "cation": "V/Cr",
            "quantity": "group_in_one_cluster_share",
            "difference": share,
            "ci95": [None, None],
            "n": counts,
            "verdict": "supported" if share >= 0.9 else "not supported",
        },
        {
            "cation": "V/Cr",
            "quantity": "group_in_stable_core",
            "difference": group["consensus_cluster_stability"],
            "ci95": [None, None],
            "n": [group["in_consensus_cluster"], group["materials"]],
            "verdict": "supported" if group["held_by_stable_core"] else "not supported",
        },
        {
            "cation": "V/Cr",
            "quantity": "pair_onset_across_members_ev",
            "difference": pair["median"],
            "ci95": bounds,
            "n": [pair["members_with_pair"], members],
            "verdict": pair_verdict,
        },
    ]


def width_verdict(width: str, net_of_valence: str) -> str:
    """The band-width claim's verdict: "confounded" where the conduction band narrows (``width`` supported) but not
    more than the valence band (``net_of_valence`` not supported); otherwise the width's own verdict."""
    return "confounded" if width == "supported" and net_of_valence != "supported" else width


def claims(
    by_cation_onsets: dict, by_cation_localisation: dict, pair: dict | None = None, group: dict | None = None
) -> list[dict]:
    """Each claim of the headline as its measured support: per cation, the difference "isolated_alkali -
    elsewhere" of the onset (chemistry stage) and of each localisation measure (electronic stage); and the
    cluster separation, the onset of the data-picked pair of clusters (:func:`specgroups.study.contrast.cluster_pair`;
    the first, holding most isolated_alkali oxides, minus the second), cation "V/Cr". Each with its 95 %
    interval, the counts and the :func:`verdict`; then the :func:`group_claims` of the study's group."""
    rows = []
    for cation in sorted(set(by_cation_onsets) | set(by_cation_localisation)):
        for source in (by_cation_onsets, by_cation_localisation):
            for quantity, sign in CLAIM_SIGNS.items():
                if quantity not in source.get(cation, {}):
                    continue
                difference = source[cation][quantity]["differences"]["isolated_alkali - elsewhere"]
                found = verdict(difference, sign)
                if quantity == "lowest_conduction_band_width_ev" and CONTROLLED_WIDTH in source[cation]:
                    net = source[cation][CONTROLLED_WIDTH]["differences"]["isolated_alkali - elsewhere"]
                    found = width_verdict(found, verdict(net, CLAIM_SIGNS[CONTROLLED_WIDTH]))
                rows.append({"cation": cation, "quantity": quantity, **difference, "verdict": found})
    if pair:
        difference = pair["onset_first_minus_second_ev"]
        rows.append(
            {"cation": "V/Cr", "quantity": "cluster_pair_onset_ev", **difference, "verdict": verdict(difference, 1)}
        )
    rows.extend(group_claims(group))
    return rows


@dataclass(frozen=True)
class ElectronicSettings:
    """The ``electronic`` params. ``enabled`` false skips GPAW (a profile of another quantity); ``localisation``:
    the first-principles profile's CBM localisation results (null: none); ``like_for_like``: pairs of oxide ids
    of one cation in two environments; ``bootstrap_rounds`` and ``seed`` of every 95 % interval;
    ``representatives``: {side: material id or null (the most central oxide with at most ``max_sites`` sites)};
    atoms within ``bond_cutoff`` (A) of a V/Cr site make its tetrahedron, CBM density is counted within
    ``radius`` (A) of them; ``gpaw``: the optics settings of the representatives' runs."""

    enabled: bool
    localisation: str | None
    like_for_like: tuple[tuple[str, ...], ...]
    bootstrap_rounds: int
    seed: int
    representatives: dict
    max_sites: int
    bond_cutoff: float
    radius: float
    gpaw: dict


@dataclass(frozen=True)
class Mechanism:
    """The per-oxide localisation table (None when not computed) and the JSON-ready summary, with the claims."""

    table: pd.DataFrame | None
    summary: dict


def explain_contrast(
    dataset,
    oxides: pd.DataFrame,
    contrast: dict,
    clusters: dict,
    features: dict,
    settings: ElectronicSettings,
    out_dir: Path,
) -> Mechanism:
    """The mechanism of the contrast (``oxides``, ``contrast``: the interpret stage's): the localisation of every
    V5+/Cr6+ oxide by class, like-for-like pairs, and the CBM of a representative of each side of the contrasted
    pair of clusters (GPAW, cube files in ``out_dir``); then every claim's verdict (:func:`claims`)."""
    from specgroups.firstprinciples.electronic import representative_states
    from specgroups.firstprinciples.results import load_results
    from specgroups.firstprinciples.settings import OpticsSettings
    from specgroups.study.contrast import representatives

    if not settings.enabled:
        summary = {
            "enabled": False,
            "representation": None,
            "representatives": {},
            "localisation": {},
            "like_for_like": [],
        }
        return Mechanism(
            None, {**summary, "claims": claims(contrast["by_cation"], {}, contrast["pair"], contrast.get("group"))}
        )
    formulas = dict(zip(dataset.materials["id"], dataset.materials["formula"]))
    table = localisation_table(
        oxides, load_results(Path(settings.localisation)) if settings.localisation else {}, formulas
    )
    rng = np.random.default_rng(settings.seed)
    representation = str(clusters["representation"])
    vectors = dict(zip(features["material_ids"].tolist(), features[representation]))
    picked = representatives(
        contrast["pair"],
        oxides,
        dataset.materials,
        clusters["labels"],
        settings.representatives or {},
        settings.max_sites,
        vectors,
    )
    why_none = f"no {{side}} oxide with at most {settings.max_sites} sites on its side of the pair"
    states = representative_states(
        picked,
        dataset.structures,
        OpticsSettings.from_params(settings.gpaw),
        settings.bond_cutoff,
        settings.radius,
        out_dir,
        why_none,
    )
    by_class = localisation_by_class(table, rng, settings.bootstrap_rounds)
    summary = {
        "enabled": True,
        "representation": representation,
        "pair": contrast["pair"],
        "representatives": states,
        "localisation": by_class,
        "like_for_like": like_for_like(table, [list(pair) for pair in settings.like_for_like]),
        "not_computed": table.loc[table["status"] != "ok", ["id", "status"]].to_dict("records"),
        "claims": claims(contrast["by_cation"], by_class, contrast["pair"], contrast.get("group")),
    }
    return Mechanism(table, summary)
