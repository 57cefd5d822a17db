"""The headline's onsets against measured optical absorption edges.

``data/demo/measured_edges.csv`` holds, for the V5+/Cr6+ oxides of the headline table that have one, a measured
edge (eV: diffuse reflectance or optical absorption, from the source each row cites, with the method and a note on
the polymorph). Per material the error of each level of theory is the computed value minus the measured edge:

- ``pbe_onset_ev``: the PBE onset (the corrected onset minus the scissor, as the headline table defines it);
- ``onset_ev``: the dataset's onset, the spectrum shifted to the GLLB-SC gap;
- ``corrected_gap_ev``: the GLLB-SC fundamental gap.

Per level: the mean signed error, the mean absolute error and Spearman's rank correlation with the measured edges
(does the level order the materials as experiment does?). Per pair of neighbour classes with at least
``min_per_class`` measured materials on each side: the class contrast (difference of means, 95 % bootstrap
interval) measured and on each level, over the same materials, so that the levels are compared like for like.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import spearmanr

from specgroups.analysis.enrichment import difference_with_interval
from specgroups.errors import InputError

MEASURED_COLUMNS = ("id", "formula", "measured_edge_ev", "method", "reference")


@dataclass(frozen=True)
class AnchorSettings:
    """The ``anchors`` params: whether the stage runs (false for a profile of another quantity), the measured
    edges (CSV), the fewest measured materials per neighbour class for a contrast, the first-principles results
    of the swaps (:mod:`specgroups.study.substitutions`; null: none), bootstrap resamples and seed."""

    enabled: bool
    measured_edges: str
    min_per_class: int
    substitutions: str | None
    bootstrap_rounds: int
    seed: int


LEVELS = ("pbe_onset_ev", "onset_ev", "corrected_gap_ev")


def measured_edges(frame: pd.DataFrame, source: str) -> pd.DataFrame:
    """The measured-edges table (:data:`MEASURED_COLUMNS` and any others), checked: InputError naming ``source``
    and the row for a missing column, a repeated id, or an edge that is not a positive number."""
    missing = [column for column in MEASURED_COLUMNS if column not in frame.columns]
    if missing:
        raise InputError(f"{source}: missing columns {missing}")
    edges = pd.to_numeric(frame["measured_edge_ev"], errors="coerce")
    bad = frame.loc[~(edges > 0), "id"].tolist()
    if bad:
        raise InputError(f"{source}: measured_edge_ev is not a positive number for {bad}")
    repeated = frame.loc[frame["id"].duplicated(), "id"].tolist()
    if repeated:
        raise InputError(f"{source}: ids {repeated} appear more than once")
    return frame.assign(measured_edge_ev=edges)


def against_measured(
    table: pd.DataFrame, measured: pd.DataFrame, rng: np.random.Generator, rounds: int, min_per_class: int
) -> dict:
    """The headline table's materials that have a measured edge, the errors of each level and the class contrasts
    (see the module); measured rows whose id the table lacks are listed under ``not_in_table``."""
    joined = table.merge(measured[["id", "measured_edge_ev", "method", "reference"]], on="id")
    materials = [
        {
            "id": row.id,
            "formula": row.formula,
            "cation": row.cation,
            "neighbour_class": row.neighbour_class,
            "measured_edge_ev": float(row.measured_edge_ev),
            **{level: float(getattr(row, level)) for level in LEVELS},
            "reference": row.reference,
        }
        for row in joined.itertuples()
    ]
    measured_values = joined["measured_edge_ev"].to_numpy(float)
    levels = {}
    for level in LEVELS:
        errors = joined[level].to_numpy(float) - measured_values
        levels[level] = {
            "mean_signed_error_ev": float(errors.mean()) if len(errors) else None,
            "mean_absolute_error_ev": float(np.abs(errors).mean()) if len(errors) else None,
            "spearman": float(spearmanr(joined[level], measured_values).statistic) if len(errors) > 2 else None,
        }
    counts = joined["neighbour_class"].value_counts()
    classes = [name for name in counts.index if counts[name] >= min_per_class]
    contrasts = {}
    for k, first in enumerate(sorted(classes)):
        for second in sorted(classes)[k + 1 :]:
            a, b = joined[joined.neighbour_class == first], joined[joined.neighbour_class == second]
            contrasts[f"{first} - {second}"] = {
                column: difference_with_interval(a[column], b[column], rng, rounds)
                for column in ("measured_edge_ev", *LEVELS)
            }
    return {
        "materials": materials,
        "classes": counts.to_dict(),
        "levels": levels,
        "contrasts": contrasts,
        "not_in_table": sorted(set(measured["id"]) - set(table["id"])),
    }
