"""Stage `gaps` (first-principles profile): GLLB-SC corrected gaps for the selected materials."""

from __future__ import annotations

from specgroups.firstprinciples.runner import batch_summary, run_batch_from_params
from specgroups.firstprinciples.settings import OpticsSettings
from stages._common import stage_main


def run(profile) -> str:
    params = profile.section("gaps")
    settings = OpticsSettings.from_params(profile.section("gpaw"))
    count, counts = run_batch_from_params(params, settings, "gllbsc")
    return batch_summary("gaps", count, counts, params["output"])


if __name__ == "__main__":
    stage_main(run, __doc__, overlay=False)
