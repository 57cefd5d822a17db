"""Stage `localisation` (first-principles profile): how far the CBM spreads in every V/Cr compound (GPAW)."""

from __future__ import annotations

from specgroups.firstprinciples.runner import batch_summary, run_batch_from_params
from specgroups.firstprinciples.settings import OpticsSettings
from stages._common import stage_main


def run(profile) -> str:
    params = profile.section("localisation")
    settings = OpticsSettings.from_params(profile.section("gpaw"))
    options = {
        "bond_cutoff": float(params["bond_cutoff"]),
        "mass_step_per_a": float(params["mass_step_per_a"]),
        "mesh": params["mesh"],
    }
    count, counts = run_batch_from_params(params, settings, "localisation", options)
    return batch_summary("localisation", count, counts, params["output"])


if __name__ == "__main__":
    stage_main(run, __doc__, overlay=False)
