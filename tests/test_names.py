"""specgroups.names: formulas as chemists write them, ChemEnv symbols spelled out."""

from __future__ import annotations

import json

import pytest
from pymatgen.core import Composition

from specgroups import InputError
from specgroups.names import chemical_formula, environment_name, environments_named
from tests.helpers import ROOT, oxide_id

# The embedded set's names (the Materials Project's order) and the names chemists write.
WRITTEN_BY_CHEMISTS = {
    "VAg3O4": "Ag3VO4",
    "V2CdO6": "CdV2O6",
    "CrPb2O5": "Pb2CrO5",
    "CrHgO4": "HgCrO4",
    "VBiO4": "BiVO4",
    "Cs3Se4V": "Cs3VSe4",
    "S4Tl3V": "Tl3VS4",
    "Cd2S2": "CdS",
    "SiS2": "SiS2",
    "Na3VO4": "Na3VO4",
    "Ba2CaWO6": "Ba2CaWO6",
    "TiSnO3": "SnTiO3",
}


@pytest.mark.parametrize("given", sorted(WRITTEN_BY_CHEMISTS))
def test_formulas_are_written_cations_first_with_the_oxoanion_centre_last(given):
    assert chemical_formula(given) == WRITTEN_BY_CHEMISTS[given]
    assert Composition(chemical_formula(given)).reduced_composition == Composition(given).reduced_composition


def test_the_order_does_not_depend_on_how_the_formula_was_written():
    assert (
        chemical_formula("Ba2ZrSnO6") == chemical_formula("Ba2SnZrO6") == chemical_formula("O6SnZrBa2") == "Ba2SnZrO6"
    )


def test_a_composition_without_an_oxidation_state_guess_keeps_pymatgens_reduced_formula():
    assert not Composition("Cu3Au").oxi_state_guesses(max_sites=-50)
    assert chemical_formula("Cu3Au") == Composition("Cu3Au").reduced_formula


def test_a_string_that_is_no_formula_is_an_input_error():
    with pytest.raises(InputError, match="not a chemical formula"):
        chemical_formula("Xq2O")


def test_environment_symbols_are_spelled_out_once_each():
    assert environment_name("O:6") == "octahedron (O:6)" and environment_name("T:4") == "tetrahedron (T:4)"
    assert environment_name("not a symbol") == "not a symbol"
    named = environments_named(
        ["V5+ T:4 isolated alkali", "Ga3+ O:6", "Cr6+ T:4", "q = 0.01", "K1+ BS_2:10", "ends in S:1."]
    )
    assert list(named) == ["BS_2:10", "O:6", "S:1", "T:4"] and named["T:4"] == "tetrahedron (T:4)"
    assert named["BS_2:10"] == "bicapped square prism (adjacent faces) (BS_2:10)"


def test_the_committed_results_name_every_v_cr_oxide_as_chemists_do():
    # results/interpret.json (in git) carries the dataset's formulas of every V5+/Cr6+ oxide
    formulas = json.loads((ROOT / "results/interpret.json").read_text())["headline"]["formulas"]
    assert (
        formulas[oxide_id("VAg3O4")] == "Ag3VO4" and formulas[oxide_id("V2Cd2O7")] == "Cd2V2O7" and len(formulas) == 44
    )  # and 2 chalcogenides
    for material_id, formula in formulas.items():
        assert formula == chemical_formula(formula), material_id


def test_every_embedded_formula_has_one_chemists_order():
    for material in json.loads((ROOT / "data/demo/materials.json").read_text()):
        formula = chemical_formula(material["formula"])
        assert (
            chemical_formula(formula) == formula
            and Composition(formula).reduced_composition == Composition(material["formula"]).reduced_composition
        )
