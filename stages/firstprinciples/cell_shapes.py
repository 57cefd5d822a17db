"""Stage `cell_shapes` (first-principles profile): skewed cells against their Niggli-reduced cells, same k-points."""

from __future__ import annotations

from specgroups.firstprinciples.runner import batch_summary, run_batch_from_params
from specgroups.firstprinciples.settings import OpticsSettings
from stages._common import stage_main


def run(profile) -> str:
    params = profile.section("cell_shapes")
    settings = OpticsSettings.from_params(profile.section("gpaw"))
    count, counts = run_batch_from_params(params, settings, "cell_shape")
    return batch_summary("cell_shapes", count, counts, params["output"])


if __name__ == "__main__":
    stage_main(run, __doc__, overlay=False)
