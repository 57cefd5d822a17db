"""Stage `convergence` (first-principles profile): the spectra at denser optics k-grids and other broadenings."""

from __future__ import annotations

from specgroups.firstprinciples.runner import batch_summary, run_batch_from_params
from specgroups.firstprinciples.settings import OpticsSettings
from stages._common import stage_main


def run(profile) -> str:
    params = profile.section("convergence")
    settings = OpticsSettings.from_params(profile.section("gpaw"))
    keys = ("optics_kpoint_densities", "broadenings_ev", "small_cell_max_sites", "small_cell_densities")
    plan = {key: params[key] for key in keys}
    count, counts = run_batch_from_params(params, settings, "convergence", plan)
    return batch_summary("convergence", count, counts, params["output"])


if __name__ == "__main__":
    stage_main(run, __doc__, overlay=False)
