"""Oxidation states, coordination environments and the isolated-tetrahedron detector on known structures."""

from __future__ import annotations

from pathlib import Path

import pytest

from specgroups.analysis.chemistry import material_chemistry, site_features
from tests.helpers import oxide_id, oxide_structure

ROOT = Path(__file__).parents[2]


def vanadium_sites(formula: str) -> tuple[dict, list[dict]]:
    record = material_chemistry(oxide_structure(oxide_id(formula)), formula)
    return record, [site for site in record["cations"] if site["element"] == "V"]


def test_na3vo4_isolated_tetrahedra_among_sodium():
    record, sites = vanadium_sites("Na3VO4")
    assert record["oxidation_state_method"] == "bond_valence"
    assert all(
        s["oxidation_state"] == 5.0 and s["environment"] == "T:4" and s["coordination_number"] == 4 for s in sites
    )
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


@pytest.mark.parametrize(
    "material_id", ["mp-29188", "mp-1070151", pytest.param("mp-19232", marks=pytest.mark.slow), "mp-1077979"]
)
def test_environments_equal_chemenv_computing_every_neighbour_set(material_id):
    """The stage's environments (one neighbour set per site, once per symmetry class) equal ChemEnv's as is on
    embedded materials where each shortcut matters: VHgO3, whose V reads ChemEnv's second neighbour set of its
    coordination number; K2CrO4 (28 sites, 12 cations in three symmetry classes); KFe2S2 and InPd5Se, whose bond
    valences fail (ChemEnv without valences)."""
    from pymatgen.core import Structure

    from specgroups.analysis.chemistry import ANIONS, coordination_environments, oxidation_states
    from specgroups.io.atomic import read_json

    material = next(m for m in read_json(ROOT / "data/demo/materials.json") if m["id"] == material_id)
    structure = Structure.from_dict(material["structure"])
    valences, _ = oxidation_states(structure, material_id)
    cations = [
        i
        for i, site in enumerate(structure)
        if site.specie.symbol not in ANIONS and (valences[i] is None or valences[i] > 0)
    ]
    stage = coordination_environments(structure, valences, cations)
    assert stage == coordination_environments(structure, valences, cations, every_neighbour_set=True)
    assert all(found["environment"] != "unknown" and found["neighbours"] for found in stage.values())


def test_symmetry_classes_of_a_chromate_and_of_a_cell_without_symmetry():
    from pymatgen.core import Lattice, Structure

    from specgroups.analysis.chemistry import symmetry_classes
    from specgroups.io.atomic import read_json

    chromate = Structure.from_dict(
        next(m for m in read_json(ROOT / "data/demo/materials.json") if m["id"] == "mp-19232")["structure"]
    )
    classes = symmetry_classes(chromate)
    assert len(set(classes)) == 6 and sorted({chromate[c].specie.symbol for c in classes}) == ["Cr", "K", "O"]
    assert all(chromate[i].specie == chromate[c].specie for i, c in enumerate(classes))
    triclinic = Structure(
        Lattice.from_parameters(3.1, 4.3, 5.7, 71, 83, 97),
        ["Na", "Cl", "Cl"],
        [[0, 0, 0], [0.31, 0.22, 0.47], [0.6, 0.13, 0.82]],
    )
    assert symmetry_classes(triclinic) == [0, 1, 2]
