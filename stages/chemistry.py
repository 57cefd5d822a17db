"""Stage `chemistry`: per-material oxidation states and coordination environments (ChemEnv); needs no model."""

from __future__ import annotations

from specgroups.analysis.chemistry import ChemistrySettings, chemistry_of_materials, failed_materials
from specgroups.io.atomic import write_json_atomic
from specgroups.io.dataset import read_dataset
from specgroups.io.outputs import write_chemistry
from stages._common import stage_main


def run(profile) -> str:
    settings, layout = profile.settings(ChemistrySettings, "chemistry"), profile.layout
    dataset = read_dataset(layout.dataset)
    records = chemistry_of_materials(dataset.structures, layout.chemistry_cache, settings.workers)
    write_chemistry(layout.chemistry, records)
    failed = failed_materials(records)
    write_json_atomic(layout.results("chemistry"), {"materials": len(dataset.ids), "chemistry_failed": failed})
    return f"chemistry: {len(records) - len(failed)} of {len(records)} materials with oxidation states and environments -> {layout.chemistry}"


if __name__ == "__main__":
    stage_main(run, __doc__)
