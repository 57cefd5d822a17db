"""What each material is made of, chemically: oxidation states and cation environments.

Per material: its elements; each cation's oxidation state (pymatgen's
bond-valence analysis, else the most likely composition-based guess, else
unknown); each cation's coordination environment from pymatgen ChemEnv (e.g.
T:4 tetrahedral, O:6 octahedral, S:5 square pyramidal); whether a tetrahedron
is isolated (none of its anions belongs to another polyhedron of the same
element); and the species of the cations that share its anions.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from specgroups.errors import InputError
from specgroups.names import chemical_formula

ALKALI = frozenset({"Li", "Na", "K", "Rb", "Cs"})
ANIONS = frozenset({"O", "S", "Se", "Te", "F", "Cl", "Br", "I", "N"})
# ChemEnv's default neighbour search; 1.41 x the shortest distance is its own recommendation.
MAXIMUM_DISTANCE_FACTOR = 1.41
# per-material records cached under a key of the structure and this context: a change here recomputes them
CACHE_CONTEXT = {"analysis": "chemistry", "version": 2}
# which of site_features' names are of which kind, for the chemical coherence of each kind
FEATURE_KINDS = {
    "elements": lambda name: name.startswith("element "),
    "oxidation_states": lambda name: " " not in name,
    "environments": lambda name: ":" in name,
}


def oxidation_states(structure, material_id: str) -> tuple[list[float | None], str]:
    """Per-site oxidation states and the method that gave them ("bond_valence", "composition" or "unknown")."""
    from pymatgen.analysis.bond_valence import BVAnalyzer

    try:
        return [float(v) for v in BVAnalyzer().get_valences(structure)], "bond_valence"
    except ValueError:
        pass  # BVAnalyzer raises ValueError when no charge-balanced assignment exists
    guesses = structure.composition.oxi_state_guesses(max_sites=-1)
    if guesses:
        return [float(guesses[0][site.specie.symbol]) for site in structure], "composition"
    return [None] * len(structure), "unknown"


def strategy_neighbour_set(environments, strategy, index: int) -> tuple[int, int, object] | None:
    """(coordination number, position in ChemEnv's list for it, the neighbour set) that ChemEnv's
    SimplestChemenvStrategy reads for a site of ``environments`` (a StructureEnvironments): the set its
    Voronoi analysis found at the strategy's distance and angle cutoffs, looked up as
    ``SimplestChemenvStrategy.get_site_coordination_environment`` does; None when it found none."""
    voronoi = environments.voronoi
    lowest_distances = [entry["min"] for entry in voronoi.neighbors_normalized_distances[index]]
    highest_angles = [entry["max"] for entry in voronoi.neighbors_normalized_angles[index]]
    cutoffs = (
        int(np.searchsorted(lowest_distances, float(strategy.distance_cutoff), side="right")) - 1,
        int(np.searchsorted(-np.asarray(highest_angles), -float(strategy.angle_cutoff), side="right")) - 1,
    )
    for coordination, neighbour_sets in environments.neighbors_sets[index].items():
        for position, neighbour_set in enumerate(neighbour_sets):
            for source in neighbour_set.sources:
                if (
                    source.get("origin") == "dist_ang_ac_voronoi"
                    and source.get("ac") == strategy.additional_condition
                    and (source["idp"], source["iap"]) == cutoffs
                ):
                    return coordination, position, neighbour_set
    return None


def symmetry_classes(structure) -> list[int]:
    """Per site, the index of the first site symmetry-equivalent to it (spglib at pymatgen's default
    tolerance); every site its own class where spglib finds no symmetry."""
    from pymatgen.symmetry.analyzer import SpacegroupAnalyzer

    try:
        return [int(site) for site in SpacegroupAnalyzer(structure).get_symmetry_dataset().equivalent_atoms]
    except ValueError:  # pymatgen's SymmetryUndeterminedError
        return list(range(len(structure)))


def measure_strategy_neighbour_sets(finder, environments, strategy, cation_indices: list[int]) -> None:
    """Compute into ``environments`` (the StructureEnvironments of ``finder``'s structure, its neighbour sets
    found) the continuous symmetry measures of the one neighbour set per cation site that ``strategy`` reads
    (:func:`strategy_neighbour_set`), once per class of symmetry-equivalent sites (:func:`symmetry_classes`)
    with the same coordination number: symmetry makes their measures equal."""
    from pymatgen.analysis.chemenv.coordination_environments.coordination_geometry_finder import LocalGeometryFinder

    classes, computed = symmetry_classes(environments.structure), {}
    for index in cation_indices:
        selected = strategy_neighbour_set(environments, strategy, index) if environments.neighbors_sets[index] else None
        if selected is None:
            continue
        coordination, position, neighbour_set = selected
        environments.ce_list[index] = {coordination: [None] * len(environments.neighbors_sets[index][coordination])}
        key = (classes[index], coordination)
        if key in computed:
            environments.update_coordination_environments(index, coordination, neighbour_set, computed[key])
        else:
            computed[key] = finder.update_nb_set_environments(
                environments,
                index,
                coordination,
                position,
                neighbour_set,
                optimization=LocalGeometryFinder.PRESETS["DEFAULT"]["optimization"],
            )


def coordination_environments(
    structure, valences: list[float | None], cation_indices: list[int], every_neighbour_set: bool = False
) -> dict[int, dict]:
    """ChemEnv symbol and anion neighbours (index, image) of each cation site, as pymatgen's
    SimplestChemenvStrategy reads them from ChemEnv's structure environments.

    ChemEnv computes the continuous symmetry measures of every neighbour set its Voronoi analysis finds (at
    every distance and angle cutoff), and the strategy then reads one set per site. This computes the measures
    of that set only, once per class of symmetry-equivalent sites (:func:`measure_strategy_neighbour_sets`):
    the same environments and neighbours as ChemEnv as is (``every_neighbour_set=True``) for a fraction of
    its CPU time (``benchmarks/chemistry.json``: both on every shared structure).
    """
    from pymatgen.analysis.chemenv.coordination_environments.chemenv_strategies import SimplestChemenvStrategy
    from pymatgen.analysis.chemenv.coordination_environments.coordination_geometry_finder import LocalGeometryFinder
    from pymatgen.analysis.chemenv.coordination_environments.structure_environments import LightStructureEnvironments

    finder = LocalGeometryFinder()
    finder.setup_structure(structure)
    logging.getLogger("pymatgen.analysis.chemenv").setLevel(logging.ERROR)
    known = all(v is not None for v in valences)
    environments = finder.compute_structure_environments(
        only_cations=known,
        valences=valences if known else "undefined",
        maximum_distance_factor=MAXIMUM_DISTANCE_FACTOR,
        only_indices=cation_indices,
        # max_cn 0: the neighbour sets without any symmetry measure
        max_cn=None if every_neighbour_set else 0,
    )
    strategy = SimplestChemenvStrategy()
    if not every_neighbour_set:
        measure_strategy_neighbour_sets(finder, environments, strategy, cation_indices)
    light = LightStructureEnvironments.from_structure_environments(
        strategy=strategy, structure_environments=environments
    )
    result = {}
    for index in cation_indices:
        found = light.coordination_environments[index]
        neighbours = light.neighbors_sets[index][0].neighb_indices_and_images if light.neighbors_sets[index] else []
        result[index] = {
            "environment": found[0]["ce_symbol"] if found else "unknown",
            "neighbours": [(int(n["index"]), tuple(int(x) for x in n["image_cell"])) for n in neighbours],
        }
    return result


def material_chemistry(structure, material_id: str) -> dict:
    """The chemistry record of one material (JSON-ready)."""
    if not structure.is_ordered:
        raise InputError(f"{material_id}: disordered structures are not supported")
    symbols = [site.specie.symbol for site in structure]
    valences, method = oxidation_states(structure, material_id)
    cations = [
        i for i, symbol in enumerate(symbols) if symbol not in ANIONS and (valences[i] is None or valences[i] > 0)
    ]
    environments = coordination_environments(structure, valences, cations)
    # which cations (index, image) hold each anion: a neighbour (j, image) of cation i means
    # anion j in cell `image` belongs to i, i.e. i in cell -image holds anion j of the home cell
    holders: dict[int, list[tuple[int, tuple]]] = defaultdict(list)
    for index, found in environments.items():
        for anion, image in found["neighbours"]:
            holders[anion].append((index, tuple(-x for x in image)))
    sites = []
    for index in cations:
        found = environments[index]
        shared_with = {
            (other, tuple(a - b for a, b in zip(other_image, tuple(-x for x in image))))
            for anion, image in found["neighbours"]
            for other, other_image in holders[anion]
        } - {(index, (0, 0, 0))}
        neighbour_species = sorted({symbols[other] for other, _ in shared_with})
        same_element = [other for other, _ in shared_with if symbols[other] == symbols[index]]
        sites.append(
            {
                "index": index,
                "element": symbols[index],
                "oxidation_state": valences[index],
                "environment": found["environment"],
                "coordination_number": len(found["neighbours"]),
                "isolated": not same_element,
                "neighbour_cations": neighbour_species,
                "alkali_neighbours_only": bool(neighbour_species) and set(neighbour_species) <= ALKALI,
            }
        )
    return {
        "id": material_id,
        "formula": chemical_formula(structure.composition),
        "elements": sorted(set(symbols)),
        "oxidation_state_method": method,
        "cations": sites,
    }


def feature_chains(record: dict) -> list[list[str]]:
    """A material's binary features for enrichment tests, as chains from the most general to the most
    specific: ["element V"], ["element V", "V5+", "V5+ T:4", "V5+ isolated T:4", "V5+ isolated T:4 among alkali"].
    Each feature's carriers are a subset of those of the feature before it (:func:`feature_parents`)."""
    chains = [[f"element {element}"] for element in record["elements"]]
    for site in record["cations"]:
        state = site["oxidation_state"]
        ion = f"{site['element']}{'' if state is None else f'{abs(round(state)):d}' + ('+' if state > 0 else '-')}"
        chain = [f"element {site['element']}", ion, f"{ion} {site['environment']}"]
        if site["environment"] == "T:4" and site["isolated"]:
            chain.append(f"{ion} isolated T:4")
            if site["alkali_neighbours_only"]:
                chain.append(f"{ion} isolated T:4 among alkali")
        chains.append(chain)
    return chains


def site_features(record: dict) -> set[str]:
    """Every feature of :func:`feature_chains`, e.g. "V5+", "V5+ T:4", "V5+ isolated T:4 among alkali"."""
    return {feature for chain in feature_chains(record) for feature in chain}


def feature_parents(records: list[dict]) -> dict[str, str]:
    """{feature: the feature one step more general in its chain} over ``records``; "element X" has none."""
    return {
        chain[k]: chain[k - 1] for record in records for chain in feature_chains(record) for k in range(1, len(chain))
    }


def chemistry_record(structure_dict: dict, material_id: str) -> dict:
    """One material's chemistry record, or {"id", "error"} when its analysis fails (a batch goes on)."""
    from pymatgen.core import Structure

    try:
        return material_chemistry(Structure.from_dict(structure_dict), material_id)
    except Exception as error:  # ChemEnv and BVAnalyzer fail in many ways on odd structures
        return {"id": material_id, "error": f"{type(error).__name__}: {error}"}


def chemistry_of_materials(structures: dict[str, dict], cache_dir, workers: int) -> dict[str, dict]:
    """{material id: chemistry record} of pymatgen structure dicts, in ``workers`` processes; each record is
    cached under the structure's fingerprint, so unchanged structures are never analysed again."""
    from pymatgen.core import Structure

    from specgroups.io.parallel import map_cached
    from specgroups.structures import structure_fingerprint

    keys = {m: structure_fingerprint(Structure.from_dict(s), CACHE_CONTEXT) for m, s in structures.items()}
    by_key = map_cached(
        chemistry_record, {keys[m]: (s, m) for m, s in structures.items()}, cache_dir, workers, "chemistry"
    )
    return {material_id: {**by_key[keys[material_id]], "id": material_id} for material_id in structures}


def feature_table(records: dict[str, dict], ids: list[str]) -> tuple[list[str], np.ndarray, list[str], np.ndarray]:
    """(the ids with a chemistry record, their rows in ``ids``, feature names, materials x features boolean
    matrix of :func:`site_features`) for enrichment and coherence; materials whose analysis failed are left out."""
    from specgroups.analysis.enrichment import feature_matrix

    usable = [material_id for material_id in ids if "error" not in records[material_id]]
    row_of = {material_id: row for row, material_id in enumerate(ids)}
    names, matrix = feature_matrix({m: site_features(records[m]) for m in usable}, usable)
    return usable, np.array([row_of[m] for m in usable], dtype=int), names, matrix


@dataclass(frozen=True)
class ChemistrySettings:
    """Processes that analyse materials in parallel (each record is cached by structure, so a rerun with another
    count gives the same records)."""

    workers: int


def failed_materials(records: dict[str, dict]) -> dict[str, str]:
    """{material id: why its chemistry could not be determined} of the records that hold an error."""
    return {material_id: record["error"] for material_id, record in records.items() if "error" in record}
