"""Stage `neighbours`: the headline's V5+/Cr6+ oxides by the chemistry of the cations around their isolated
tetrahedra and by their isolation; the per-material table, the class contrasts and the nested onset models."""

from __future__ import annotations

import numpy as np

from specgroups.firstprinciples.results import load_results
from specgroups.io.atomic import write_csv_atomic, write_json_atomic
from specgroups.io.dataset import read_dataset
from specgroups.io.outputs import read_chemistry
from specgroups.study.contrast import environment_table, oxides
from specgroups.study.neighbours import (
    NeighbourSettings,
    class_contrasts,
    headline_materials,
    onset_overstatements,
    onset_regression,
)
from stages._common import stage_main


def run(profile) -> str:
    settings, layout = profile.settings(NeighbourSettings, "neighbours"), profile.layout
    dataset, records = read_dataset(layout.dataset), read_chemistry(layout.chemistry)
    contrast = oxides(environment_table(records, dataset.ids))
    even_grids = load_results(settings.zone_boundary)  # {} until the zone_boundary stage has results
    found = (dataset.materials, records, dataset.structures, settings.acceptors, even_grids)
    table = headline_materials(contrast, *found)
    rng = np.random.default_rng(settings.seed)
    contrasts, regression = class_contrasts(table, rng, settings.bootstrap_rounds), onset_regression(table)
    write_csv_atomic(layout.results_table("headline_materials"), table, "%.4f")
    counts = table["neighbour_class"].value_counts().to_dict()
    results = {
        "acceptors": list(settings.acceptors),
        "counts": counts,
        "contrasts": contrasts,
        "regression": regression,
        "even_grids": onset_overstatements(table),
    }
    write_json_atomic(layout.results("neighbours"), results)
    return (
        f"neighbours: {len(table)} V5+/Cr6+ oxides, {counts}; best onset model out of sample: {regression['best']} "
        f"-> {layout.results_table('headline_materials')}"
    )


if __name__ == "__main__":
    stage_main(run, __doc__)
