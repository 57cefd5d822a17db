"""Stage `substitutions` (first-principles profile): four V5+/Cr6+ oxides with their acceptor neighbour swapped
for a closed-shell cation, parent and substituted relaxed alike, then spectrum and GLLB-SC gap (GPAW;
specgroups.firstprinciples.substitution)."""

from __future__ import annotations

from specgroups.firstprinciples.runner import batch_summary, run_batch_from_params
from specgroups.firstprinciples.settings import OpticsSettings
from specgroups.firstprinciples.substitution import RelaxationSettings, substitution_tasks
from specgroups.io.atomic import read_json
from stages._common import stage_main


def run(profile) -> str:
    params = profile.section("substitutions")
    settings = OpticsSettings.from_params(profile.section("gpaw"))
    relaxation = RelaxationSettings.from_params(params["relaxation"])
    materials = {material["id"]: material for material in read_json(params["materials"])}
    tasks = substitution_tasks(materials, params["swaps"])
    count, counts = run_batch_from_params(params, settings, "relaxed_spectrum", vars(relaxation), tasks)
    return batch_summary("substitutions", count, counts, params["output"])


if __name__ == "__main__":
    stage_main(run, __doc__, overlay=False)
