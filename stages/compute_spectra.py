"""Stage `spectra` (first-principles profile): GPAW dielectric functions for the selected materials."""

from __future__ import annotations

from pathlib import Path

from specgroups.atomic import read_json
from specgroups.firstprinciples.runner import run_batch
from specgroups.firstprinciples.settings import OpticsSettings
from stages._common import load_params, stage_main


def run(arguments) -> str:
    params = load_params(arguments.params, "spectra")
    settings = OpticsSettings.from_params(load_params(arguments.params, "gpaw"))
    materials = read_json(params["materials"])
    limit = params.get("limit")
    if limit:
        materials = materials[: int(limit)]
    counts = run_batch(
        materials,
        settings,
        Path(params["output"]),
        n_workers=int(params["workers"]),
        scheduler_address=params.get("scheduler_address") or None,
        timeout_s=float(params["timeout_s"]),
    )
    if counts["interrupted"]:
        # Exiting non-zero keeps DVC from locking an output that misses these materials.
        raise SystemExit(f"spectra: {counts['interrupted']} calculations were interrupted; run the stage again to finish them")
    return (
        f"spectra: {len(materials)} materials, {counts['done_before']} already done, "
        f"{counts['ok']} ok / {counts['metal']} metal / {counts['failed']} failed now -> {params['output']}"
    )


if __name__ == "__main__":
    stage_main(run, __doc__)
