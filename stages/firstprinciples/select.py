"""Stage `select` (first-principles profile): choose the demo set's materials."""

from __future__ import annotations

from specgroups.errors import InputError
from specgroups.firstprinciples.selection import SelectionRules, drop_duplicates, select_materials
from specgroups.io.atomic import read_json, write_json_atomic
from stages._common import stage_main


def run(profile) -> str:
    params = profile.section("select")
    missing = [key for key in SelectionRules.__dataclass_fields__ if key not in params]
    if missing:
        raise InputError(f"{profile.layout.params}: select lacks {missing}")
    values = {key: params[key] for key in SelectionRules.__dataclass_fields__}
    rules = SelectionRules(**{**values, "include_ids": tuple(values["include_ids"])})
    drawn = select_materials(read_json(params["oxides"]), read_json(params["chalcogenides"]), rules)
    materials, duplicates = drop_duplicates(drawn)
    write_json_atomic(params["output"], materials, indent=None)
    write_json_atomic(params["duplicates"], duplicates)
    sources = {
        source: sum(m["source"] == source for m in materials) for source in ("oxides_pbesol", "chalcogenides_mp")
    }
    return f"select: {len(materials)} materials ({sources}), {len(duplicates)} duplicates dropped -> {params['output']}"


if __name__ == "__main__":
    stage_main(run, __doc__, overlay=False)
