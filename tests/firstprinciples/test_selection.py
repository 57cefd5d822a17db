"""The demo set's selection rules, on the real structure collections."""

from __future__ import annotations

import dataclasses
import json

import yaml

from specgroups.firstprinciples.selection import HEADLINE_ELEMENTS, SelectionRules, drop_duplicates, select_materials
from specgroups.io.atomic import read_json
from tests.helpers import ROOT, assert_same_decisions

PARAMS = yaml.safe_load((ROOT / "profiles/firstprinciples/params.yaml").read_text())["select"]
RULES = SelectionRules(
    **{key: PARAMS[key] for key in SelectionRules.__dataclass_fields__} | {"include_ids": tuple(PARAMS["include_ids"])}
)
OXIDES = read_json(ROOT / PARAMS["oxides"])
CHALCOGENIDES = read_json(ROOT / PARAMS["chalcogenides"])


def test_committed_list_is_what_the_rules_select():
    kept, dropped = drop_duplicates(select_materials(OXIDES, CHALCOGENIDES, RULES))
    selected = json.loads(json.dumps(kept))  # as the stage writes it
    committed = read_json(ROOT / "data/demo/materials.json")
    assert read_json(ROOT / PARAMS["duplicates"]) == dropped
    assert [(m["id"], m["source"]) for m in committed] == [(m["id"], m["source"]) for m in selected]
    # pymatgen derives lengths, angles and Cartesian coordinates with numpy, whose SIMD paths differ by processor
    assert_same_decisions(committed, selected)


def test_every_small_vanadium_and_chromium_oxide_and_the_alkali_chromates_are_in():
    chosen = {m["id"] for m in select_materials(OXIDES, CHALCOGENIDES, RULES)}
    headline = {
        r["id"]
        for r in OXIDES
        if set(r["elements"]) & set(HEADLINE_ELEMENTS) and r["nsites"] <= 16 and "Th" not in r["elements"]
    }
    assert headline <= chosen and set(RULES.include_ids) <= chosen


def test_top_ups_extend_the_list_without_changing_the_first_draws():
    without = select_materials(
        OXIDES, CHALCOGENIDES, dataclasses.replace(RULES, top_up_chalcogenide_count=0, top_up_oxide_count=0)
    )
    full = select_materials(OXIDES, CHALCOGENIDES, RULES)
    assert full[: len(without)] == without
    added = full[len(without) :]
    assert len(added) == RULES.top_up_chalcogenide_count + RULES.top_up_oxide_count
    assert sum(m["source"] == "chalcogenides_mp" for m in added) == RULES.top_up_chalcogenide_count
    assert len({m["id"] for m in full}) == len(full)


def test_exact_duplicates_are_dropped_keeping_the_lower_id_and_polymorphs_stay():
    drawn = select_materials(OXIDES, CHALCOGENIDES, RULES)
    kept, dropped = drop_duplicates(drawn)
    assert {(d["id"], d["duplicate_of"]) for d in dropped} == {
        ("mp-1178513", "mp-3163"),
        ("mp-19182", "mp-19098"),
        ("mp-733", "mp-223"),
    }
    assert len(kept) == len(drawn) - 3 and [m for m in drawn if m in kept] == kept  # order kept
    delafossites = sorted(m["nsites"] for m in kept if m["formula"] in ("GaCuO2", "GaAgO2"))
    assert delafossites == [4, 4, 8, 8]  # 3R and 2H stackings of each are polymorphs, not duplicates
