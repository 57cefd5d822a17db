"""The headline's two effects separated: the chemistry of the cations around an isolated V5+/Cr6+ tetrahedron, and
its isolation from other V/Cr polyhedra.

The study's class ``isolated_other`` (:mod:`specgroups.study.contrast`) holds two kinds of neighbours that act on the
band edges in opposite ways, so it is split by the cations bonded to the tetrahedra's anions (ChemEnv neighbour sets,
:func:`specgroups.analysis.chemistry.material_chemistry`):

- ``alkali``: alkali ions only (the study's ``isolated_alkali``);
- ``acceptor``: at least one cation with low-lying empty or lone-pair states (params ``neighbours.acceptors``):
  d10 ions (Zn2+, Cd2+, Hg2+, Cu+, Ag+, Ga3+, In3+, Tl3+), whose empty s states can take the conduction band edge
  below the V/Cr d(e) level, and ns2 ions (Tl+, Sn2+, Pb2+, Sb3+, Bi3+), whose filled s-p lone-pair states can
  lift the valence band edge above O 2p;
- ``closed_shell``: other closed-shell, electropositive cations (alkaline earths, Sc, Y, La, Al, ...), with or
  without alkali ions, whose empty states lie far above the V/Cr d(e) level.

A material with V5+/Cr6+ takes its least isolated site's class (``connected`` when a site shares an anion with
another V/Cr polyhedron or is not tetrahedral) and, when isolated, the neighbour class of the union of its isolated
sites' neighbours. The isolation distance is the shortest V/Cr-V/Cr distance (A) in the structure.

The onset regression compares nested linear models of the corrected onset by their leave-one-family-out error
(a family: the anonymised formula and space group, so that a material's polymorph-free structural siblings, such
as the double vanadates, are never on both sides of a fit).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from pymatgen.core import Element, Structure

from specgroups.analysis.chemistry import ALKALI
from specgroups.analysis.enrichment import difference_with_interval, mean_with_interval
from specgroups.structures import structure_family
from specgroups.study.contrast import HEADLINE_CATIONS, HEADLINE_IONS, site_environment

NEIGHBOUR_CLASSES = ("alkali", "closed_shell", "acceptor")
# nested models of the corrected onset: each adds one term to the one before
MODELS = {
    "cation": ["cation_cr"],
    "+ alkali": ["cation_cr", "alkali"],
    "+ acceptor": ["cation_cr", "alkali", "acceptor"],
    "+ isolation distance": ["cation_cr", "alkali", "acceptor", "isolation_distance_a"],
    "+ neighbour electronegativity": [
        "cation_cr",
        "alkali",
        "acceptor",
        "isolation_distance_a",
        "neighbour_electronegativity",
    ],
}
EVEN_GRID_COLUMNS = (
    "even_grid_direct_gap_ev",
    "even_grid_band_gap_ev",
    "onset_overstatement_ev",
    "corrected_onset_overstatement_ev",
)
TABLE_COLUMNS = [
    "id",
    "formula",
    "cation",
    "environment",
    "neighbour_class",
    "neighbours",
    "isolation_distance_a",
    "neighbour_electronegativity",
    "family",
    "pbe_gap_ev",
    "pbe_direct_gap_ev",
    "corrected_gap_ev",
    "pbe_onset_ev",
    "onset_ev",
    *EVEN_GRID_COLUMNS,
]


@dataclass(frozen=True)
class NeighbourSettings:
    """The ``neighbours`` params: the acceptor elements (see the module), the first-principles results of the
    direct gaps on even grids (:mod:`specgroups.firstprinciples.meshes`), bootstrap resamples and seed of the
    class contrasts' 95 % intervals."""

    acceptors: tuple[str, ...]
    zone_boundary: str
    bootstrap_rounds: int
    seed: int


def neighbour_class(record: dict, acceptors: frozenset[str]) -> tuple[str, list[str]] | None:
    """(neighbour class, sorted neighbour elements) of a chemistry record's isolated V5+/Cr6+ tetrahedra; None when
    a site is connected or the record has no V5+/Cr6+."""
    sites = [site for site in record.get("cations", []) if (site["element"], site["oxidation_state"]) in HEADLINE_IONS]
    if not sites or any(site_environment(site) == "connected" for site in sites):
        return None
    neighbours = sorted(set().union(*(site["neighbour_cations"] for site in sites)))
    return class_of_neighbours(neighbours, acceptors), neighbours


def class_of_neighbours(neighbours, acceptors: frozenset[str]) -> str:
    """The neighbour class (see the module) of an isolated tetrahedron bonded, through its anions, to these cations."""
    if set(neighbours) & acceptors:
        return "acceptor"
    return "alkali" if set(neighbours) <= ALKALI else "closed_shell"


def isolation_distance(structure: Structure) -> float:
    """The shortest distance (A) between two V/Cr sites, periodic images included (inf for one site in a cell
    larger than 12 A)."""
    sites = [i for i, site in enumerate(structure) if site.specie.symbol in HEADLINE_CATIONS]
    shortest = np.inf
    for i in sites:
        for neighbour in structure.get_neighbors(structure[i], 12.0):
            if neighbour.specie.symbol in HEADLINE_CATIONS and neighbour.nn_distance > 1e-6:
                shortest = min(shortest, neighbour.nn_distance)
    return float(shortest)


def headline_materials(
    contrast: pd.DataFrame,
    materials: pd.DataFrame,
    records: dict[str, dict],
    structures: dict[str, dict],
    acceptors,
    even_grids: dict[str, dict],
) -> pd.DataFrame:
    """The per-material table (:data:`TABLE_COLUMNS`) of the contrast's oxides (``contrast``: id, cation,
    environment); ``materials``: the dataset's table (onset, gaps and the scissor applied, eV); ``even_grids``: the
    zone-boundary results by id (:mod:`specgroups.firstprinciples.meshes`; NaN for a material without an "ok" one):
    the direct gap on the even grid and how far the optics grid's direct gap lies above it."""
    by_id = materials.set_index("id")
    rows = []
    for material in contrast.itertuples():
        structure = Structure.from_dict(structures[material.id])
        found = neighbour_class(records[material.id], frozenset(acceptors))
        others = [e for e in (found[1] if found else []) if e not in HEADLINE_CATIONS]
        row = by_id.loc[material.id]
        rows.append(
            {
                "id": material.id,
                "formula": row["formula"],
                "cation": material.cation,
                "environment": material.environment,
                "neighbour_class": found[0] if found else "connected",
                "neighbours": " ".join(found[1]) if found else "",
                "isolation_distance_a": isolation_distance(structure),
                "neighbour_electronegativity": float(np.mean([Element(e).X for e in others])) if others else np.nan,
                "family": structure_family(structure),
                "pbe_gap_ev": row["min_gap_ev"],
                "pbe_direct_gap_ev": row["direct_gap_ev"],
                "corrected_gap_ev": row["corrected_gap_ev"],
                "pbe_onset_ev": row["onset_energy_ev"] - row["scissor_ev"],
                "onset_ev": row["onset_energy_ev"],
                **even_grid_columns(even_grids.get(material.id), row["direct_gap_ev"], row["min_gap_ev"]),
            }
        )
    return pd.DataFrame(rows, columns=TABLE_COLUMNS)


def onset_overstatement(optics_direct_gap_ev: float, even_direct_gap_ev: float) -> float:
    """How far the optics grid's direct gap (the spectrum's onset before the scissor) lies above the lowest direct
    transition of either grid, the optics one or the even one of :mod:`specgroups.firstprinciples.meshes` (eV, >= 0)."""
    return float(np.maximum(0.0, optics_direct_gap_ev - even_direct_gap_ev))  # NaN where a gap is unknown


def even_grid_columns(result: dict | None, optics_direct_gap_ev: float, optics_band_gap_ev: float) -> dict[str, float]:
    """The even grid's direct and fundamental gaps, the PBE onset's :func:`onset_overstatement`, and the corrected
    onset's (eV): the scissor to the GLLB-SC gap starts from the fundamental gap, so the corrected onset moves by the
    direct gap's overstatement minus the fundamental gap's (:mod:`specgroups.firstprinciples.meshes`)."""
    if not result or result["status"] != "ok":
        return dict.fromkeys(EVEN_GRID_COLUMNS, np.nan)
    direct = onset_overstatement(optics_direct_gap_ev, result["direct_gap_ev"])
    fundamental = onset_overstatement(optics_band_gap_ev, result["band_gap_ev"])
    return {
        "even_grid_direct_gap_ev": result["direct_gap_ev"],
        "even_grid_band_gap_ev": result["band_gap_ev"],
        "onset_overstatement_ev": direct,
        "corrected_onset_overstatement_ev": direct - fundamental,
    }


def class_contrasts(table: pd.DataFrame, rng: np.random.Generator, rounds: int) -> dict:
    """Per cation, the mean corrected and PBE onset of each neighbour class (and ``connected``) and the differences
    of each pair of neighbour classes, with bootstrap 95 % intervals over materials."""
    classes = (*NEIGHBOUR_CLASSES, "connected")
    pairs = [(a, b) for k, a in enumerate(NEIGHBOUR_CLASSES) for b in NEIGHBOUR_CLASSES[k + 1 :]]
    result = {}
    for cation in HEADLINE_CATIONS:
        rows = table[table["cation"] == cation]
        result[cation] = {
            level: {
                "means": {
                    c: mean_with_interval(rows.loc[rows.neighbour_class == c, column], rng, rounds) for c in classes
                },
                "differences": {
                    f"{a} - {b}": difference_with_interval(
                        rows.loc[rows.neighbour_class == a, column],
                        rows.loc[rows.neighbour_class == b, column],
                        rng,
                        rounds,
                    )
                    for a, b in pairs
                },
            }
            for level, column in (("corrected", "onset_ev"), ("pbe", "pbe_onset_ev"))
        }
    return result


def design_matrix(table: pd.DataFrame, terms: list[str]) -> np.ndarray:
    """Intercept and ``terms`` of the isolated materials' table (0/1 indicators for the cation and classes)."""
    columns = {
        "cation_cr": (table["cation"] == "Cr").astype(float),
        "alkali": (table["neighbour_class"] == "alkali").astype(float),
        "acceptor": (table["neighbour_class"] == "acceptor").astype(float),
        "isolation_distance_a": table["isolation_distance_a"],
        "neighbour_electronegativity": table["neighbour_electronegativity"],
    }
    return np.column_stack([np.ones(len(table)), *(np.asarray(columns[t], dtype=float) for t in terms)])


def onset_regression(table: pd.DataFrame) -> dict:
    """The nested :data:`MODELS` of the corrected onset (eV) over the isolated single-cation materials: per model
    the in-sample coefficients and the leave-one-family-out RMSE (fit without a family, predict it), beside the
    RMSE of predicting every material by the others' mean; ``best``: the model of least out-of-sample error."""
    rows = table[table["neighbour_class"].isin(NEIGHBOUR_CLASSES) & table["cation"].isin(HEADLINE_CATIONS)]
    rows = rows[np.isfinite(rows["isolation_distance_a"])].fillna({"neighbour_electronegativity": 0.0})
    onset, families = rows["onset_ev"].to_numpy(float), rows["family"].to_numpy()
    found = {}
    for name, terms in {"mean only": [], **MODELS}.items():
        matrix = design_matrix(rows, terms)
        errors = np.empty(len(rows))
        for family in np.unique(families):
            out = families == family
            coefficients, *_ = np.linalg.lstsq(matrix[~out], onset[~out], rcond=None)
            errors[out] = matrix[out] @ coefficients - onset[out]
        coefficients, *_ = np.linalg.lstsq(matrix, onset, rcond=None)
        found[name] = {
            "terms": terms,
            "coefficients": dict(zip(["intercept", *terms], coefficients.tolist())),
            "leave_one_family_out_rmse_ev": float(np.sqrt(np.mean(errors**2))),
        }
    best = min(found, key=lambda name: found[name]["leave_one_family_out_rmse_ev"])
    return {"materials": len(rows), "families": int(len(np.unique(families))), "models": found, "best": best}


def onset_overstatements(table: pd.DataFrame) -> dict:
    """How far the optics grids overstate the onsets (eV), over the materials with an even-grid result: their
    count, the mean and largest overstatement of the PBE onset and of the corrected one, and the materials whose
    PBE onset is overstated by more than 0.05 eV."""
    done = table[np.isfinite(table["onset_overstatement_ev"])]
    above = done[done["onset_overstatement_ev"] > 0.05].sort_values("onset_overstatement_ev", ascending=False)
    return {
        "materials": len(done),
        "of": len(table),
        "mean_ev": float(done["onset_overstatement_ev"].mean()) if len(done) else None,
        "max_ev": float(done["onset_overstatement_ev"].max()) if len(done) else None,
        "corrected_mean_ev": float(done["corrected_onset_overstatement_ev"].mean()) if len(done) else None,
        "corrected_max_ev": float(done["corrected_onset_overstatement_ev"].max()) if len(done) else None,
        "above_0_05_ev": [
            {"id": r.id, "formula": r.formula, "overstatement_ev": float(r.onset_overstatement_ev)}
            for r in above.itertuples()
        ],
    }
