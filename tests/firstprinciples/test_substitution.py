"""specgroups.firstprinciples.substitution: swaps of real structures, the tasks a batch runs, settings checked, and
a GPAW relaxation of a strained MgO cell back towards its PBE volume with its cubic symmetry kept."""

from __future__ import annotations

import os

import pytest
import yaml
from pymatgen.core import Composition, Structure

from specgroups.errors import InputError
from specgroups.firstprinciples.settings import OpticsSettings
from specgroups.firstprinciples.substitution import (
    RelaxationSettings,
    relaxed_with_gpaw,
    substituted_structure,
    substitution_tasks,
    swap_label,
)
from specgroups.io.atomic import read_json
from tests.helpers import ROOT, oxide_id, oxide_structure

PARAMS = yaml.safe_load((ROOT / "profiles/firstprinciples/params.yaml").read_text())
SETTINGS = OpticsSettings.from_params(PARAMS["gpaw"])
os.environ.update({"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"})


def test_a_swap_replaces_every_site_of_the_element_and_keeps_the_rest():
    parent = oxide_structure("mp-18781")  # CdCrO4
    swapped = substituted_structure(parent, {"Cd": "Mg"}, "mp-18781")
    assert swapped.composition.reduced_composition == Composition("MgCrO4")
    assert parent.composition.reduced_composition == Composition("CdCrO4")
    assert swapped.lattice == parent.lattice and len(swapped) == len(parent)
    assert [s.frac_coords.tolist() for s in swapped] == [s.frac_coords.tolist() for s in parent]
    assert swapped.get_space_group_info() == parent.get_space_group_info()


def test_a_swap_of_an_absent_element_is_an_input_error_naming_the_material():
    with pytest.raises(InputError, match=r"mp-18781: a swap replaces \['Tl'\]"):
        substituted_structure(oxide_structure("mp-18781"), {"Tl": "K"}, "mp-18781")


def test_the_profiles_swaps_give_a_parent_and_a_substituted_task_each():
    materials = {m["id"]: m for m in read_json(ROOT / PARAMS["substitutions"]["materials"])}
    tasks = substitution_tasks(materials, PARAMS["substitutions"]["swaps"])
    assert len(tasks) == 2 * len(PARAMS["substitutions"]["swaps"])
    for parent, substituted in zip(tasks[::2], tasks[1::2]):
        assert parent["id"] == f"{parent['parent']}-relaxed" and parent["swap"] == {}
        assert substituted["id"] == f"{parent['parent']}-{swap_label(substituted['swap'])}"
        assert Structure.from_dict(parent["structure"]) == Structure.from_dict(materials[parent["parent"]]["structure"])
    assert swap_label({"Tl": "K"}) == "K-for-Tl"
    with pytest.raises(InputError, match="mp-0, which is not in the materials"):
        substitution_tasks(materials, {"mp-0": {"Tl": "K"}})


def test_incomplete_relaxation_settings_are_an_input_error():
    with pytest.raises(InputError, match="substitutions.relaxation"):
        RelaxationSettings.from_params({"max_force_ev_per_a": 0.05})


@pytest.mark.gpaw
@pytest.mark.slow
def test_gpaw_relaxes_displaced_positions_in_a_fixed_cell():
    """Wurtzite ZnO with its oxygen sublattice moved 0.1 A along c: GPAW brings the forces below the threshold and
    the atoms most of the way back, and leaves the cell as it was."""
    structure = oxide_structure(oxide_id("ZnO"))
    displaced = structure.copy()
    oxygen = [i for i, site in enumerate(displaced) if site.specie.symbol == "O"]
    displaced.translate_sites(oxygen, [0.0, 0.0, 0.1], frac_coords=False)
    relaxed, record = relaxed_with_gpaw(displaced, SETTINGS, RelaxationSettings(0.05, 20, 0.05, 10), os.devnull)
    assert record["converged"] and record["max_force_ev_per_a"] <= 0.05 and record["steps"] >= 1
    assert relaxed.lattice == displaced.lattice
    assert record["max_displacement_a"] > 0.05
    assert relaxed.get_space_group_info()[1] == structure.get_space_group_info()[1]
