"""Stage `anchors`: the headline's onsets against measured absorption edges, and the neighbour classes against
swaps of the neighbour cation in fixed frameworks (the first-principles stage substitutions, where computed)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from specgroups.data.assemble import SpectrumOptions
from specgroups.firstprinciples.results import dielectric_path, load_results
from specgroups.io.atomic import read_json, write_json_atomic
from specgroups.spectra import read_dielectric
from specgroups.study.experiment import AnchorSettings, against_measured, measured_edges
from specgroups.study.substitutions import swap_effects
from stages._common import stage_main


def run(profile) -> str:
    settings, layout = profile.settings(AnchorSettings, "anchors"), profile.layout
    if not settings.enabled:
        write_json_atomic(layout.results("anchors"), {"enabled": False})
        return f"anchors: not computed (anchors.enabled is false) -> {layout.results('anchors')}"
    table, neighbours = pd.read_csv(layout.results_table("headline_materials")), read_json(layout.results("neighbours"))
    measured = measured_edges(pd.read_csv(settings.measured_edges), settings.measured_edges)
    rng = np.random.default_rng(settings.seed)
    experiment = against_measured(table, measured, rng, settings.bootstrap_rounds, settings.min_per_class)
    folder = settings.substitutions
    swapped = load_results(folder) if folder else {}
    dielectrics = {
        key: read_dielectric(dielectric_path(folder, key)) for key, r in swapped.items() if r["status"] == "ok"
    }
    options = SpectrumOptions.from_params(profile.section("dataset"))
    swaps = swap_effects(swapped, dielectrics, table, neighbours["contrasts"], neighbours["acceptors"], options)
    write_json_atomic(layout.results("anchors"), {"enabled": True, "experiment": experiment, "substitutions": swaps})
    return (
        f"anchors: {len(experiment['materials'])} oxides with a measured edge, {len(swaps['swaps'])} swaps "
        f"({len(swaps['pending'])} pending) -> {layout.results('anchors')}"
    )


if __name__ == "__main__":
    stage_main(run, __doc__)
