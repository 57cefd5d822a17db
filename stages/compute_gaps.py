"""Stage `gaps` (first-principles profile): GLLB-SC corrected gaps for the selected materials."""

from __future__ import annotations

from specgroups.firstprinciples.runner import batch_summary, run_batch_from_params
from specgroups.firstprinciples.settings import OpticsSettings
from stages._common import load_params, stage_main


def run(arguments) -> str:
    params = load_params(arguments.params, "gaps")
    settings = OpticsSettings.from_params(load_params(arguments.params, "gpaw"))
    count, counts = run_batch_from_params(params, settings, "gllbsc")
    return batch_summary("gaps", count, counts, params["output"])


if __name__ == "__main__":
    stage_main(run, __doc__)
