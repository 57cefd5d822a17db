"""Oxidation states, coordination environments and the isolated-tetrahedron detector on known structures."""

from __future__ import annotations

from specgroups.chemistry import material_chemistry, site_features
from tests.helpers import oxide_id, oxide_structure


def vanadium_sites(formula: str) -> tuple[dict, list[dict]]:
    record = material_chemistry(oxide_structure(oxide_id(formula)), formula)
    return record, [site for site in record["cations"] if site["element"] == "V"]


def test_na3vo4_isolated_tetrahedra_among_sodium():
    record, sites = vanadium_sites("Na3VO4")
    assert record["oxidation_state_method"] == "bond_valence"
    assert all(s["oxidation_state"] == 5.0 and s["environment"] == "T:4" and s["coordination_number"] == 4 for s in sites)
    assert all(s["isolated"] and s["neighbour_cations"] == ["Na"] and s["alkali_neighbours_only"] for s in sites)
    assert "V5+ isolated T:4 among alkali" in site_features(record)
    sodium = [s for s in record["cations"] if s["element"] == "Na"]
    assert sodium and all(s["oxidation_state"] == 1.0 for s in sodium)


def test_v2o5_square_pyramids_share_oxygen():
    record, sites = vanadium_sites("V2O5")
    assert all(s["environment"] == "S:5" and not s["isolated"] for s in sites)
    assert "V5+ isolated T:4" not in site_features(record)


def test_pyrovanadate_tetrahedra_share_a_corner():
    _, sites = vanadium_sites("V2Cd2O7")
    assert all(s["environment"] == "T:4" and not s["isolated"] and "V" in s["neighbour_cations"] for s in sites)


def test_yvo4_isolated_tetrahedra_but_not_among_alkali():
    record, sites = vanadium_sites("YVO4")
    assert all(s["environment"] == "T:4" and s["isolated"] and s["neighbour_cations"] == ["Y"] for s in sites)
    assert {"V5+ isolated T:4", "Y3+"} <= site_features(record)


def test_magnesium_oxide_is_rock_salt():
    record = material_chemistry(oxide_structure("mp-1265"), "MgO")
    assert [s["environment"] for s in record["cations"]] == ["O:6"]
