"""Stage `zone_boundary` (first-principles profile): the direct gap of every V5+/Cr6+ oxide on a k-mesh that holds
the zone boundary, beside the optics grid's (GPAW; specgroups.firstprinciples.meshes)."""

from __future__ import annotations

from specgroups.firstprinciples.runner import batch_summary, run_batch_from_params
from specgroups.firstprinciples.settings import OpticsSettings
from stages._common import stage_main


def run(profile) -> str:
    params = profile.section("zone_boundary")
    settings = OpticsSettings.from_params(profile.section("gpaw"))
    count, counts = run_batch_from_params(params, settings, "zone_boundary")
    return batch_summary("zone_boundary", count, counts, params["output"])


if __name__ == "__main__":
    stage_main(run, __doc__, overlay=False)
