"""Which structure families the grouped cross-validation should hold out together: three groupings of the default
dataset's materials measured side by side.

    python benchmarks/families.py [--out benchmarks/families.json]

- ``formula_and_space_group``: the anonymised formula and space group number
  (:func:`specgroups.structures.structure_family`);
- ``structure_matcher``: pymatgen's StructureMatcher prototypes (``group_structures(anonymous=True)``, its default
  tolerances), the field's tool for "the same structure type";
- ``with_polymorphs``: the first grouping, with the polymorphs of one reduced formula joined into one family
  (:func:`specgroups.analysis.crossvalidation.with_polymorphs`, the grouping the cross-validation uses).

For each: the number of families and the largest, the CPU seconds, the adjusted Rand index with the first grouping,
and the leaks: pairs of materials of one reduced formula whose onsets lie within 0.1 eV of each other (near
duplicates for a model, e.g. the two delafossite stackings of GaCuO2) that the grouping puts in two families, so that
a fold can hold out one and train on the other. Reads the dataset the default profile's dataset stage writes.
"""

from __future__ import annotations

import argparse
import time
from itertools import combinations
from pathlib import Path

import numpy as np
from measure import machine
from pymatgen.analysis.structure_matcher import StructureMatcher
from pymatgen.core import Structure
from sklearn.metrics import adjusted_rand_score

from specgroups.analysis.crossvalidation import with_polymorphs
from specgroups.io.atomic import write_json_atomic
from specgroups.io.dataset import read_dataset
from specgroups.structures import structure_family

ROOT = Path(__file__).parents[1]
NEAR_ONSET_EV = 0.1


def timed(function, *arguments):
    start = time.process_time()
    return function(*arguments), round(time.process_time() - start, 2)


def by_formula_and_space_group(structures: dict[str, Structure]) -> dict[str, str]:
    return {material_id: structure_family(structure) for material_id, structure in structures.items()}


def by_structure_matcher(structures: dict[str, Structure]) -> dict[str, str]:
    ids = list(structures)
    groups = StructureMatcher().group_structures([structures[i] for i in ids], anonymous=True)
    index = {id(structure): position for position, structure in enumerate(structures[i] for i in ids)}
    return {ids[index[id(member)]]: f"prototype {number}" for number, group in enumerate(groups) for member in group}


def leaks(groups: dict[str, str], formulas: dict[str, str], onsets: dict[str, float]) -> list[list[str]]:
    return [
        [a, b]
        for a, b in combinations(sorted(groups), 2)
        if formulas[a] == formulas[b] and abs(onsets[a] - onsets[b]) < NEAR_ONSET_EV and groups[a] != groups[b]
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "families.json")
    arguments = parser.parse_args()
    dataset = read_dataset(ROOT / "data" / "dataset")
    structures = {m: Structure.from_dict(dataset.structures[m]) for m in dataset.ids}
    formulas = {m: structures[m].composition.reduced_formula for m in dataset.ids}
    onsets = dict(zip(dataset.materials["id"], dataset.materials["onset_energy_ev"]))
    first, first_s = timed(by_formula_and_space_group, structures)
    matched, matched_s = timed(by_structure_matcher, structures)
    joined, joined_s = timed(with_polymorphs, first, formulas)
    order = sorted(dataset.ids)
    record = {"machine": machine(), "materials": len(order), "near_onset_ev": NEAR_ONSET_EV}
    for name, groups, seconds in (
        ("formula_and_space_group", first, first_s),
        ("structure_matcher", matched, matched_s),
        ("with_polymorphs", joined, joined_s + first_s),
    ):
        sizes = np.unique([groups[m] for m in order], return_counts=True)[1]
        found = leaks(groups, formulas, onsets)
        record[name] = {
            "families": int(len(sizes)),
            "largest": int(sizes.max()),
            "cpu_s": seconds,
            "ari_with_formula_and_space_group": round(
                float(adjusted_rand_score([first[m] for m in order], [groups[m] for m in order])), 4
            ),
            "leaks": len(found),
            "leaked_pairs": [[f"{formulas[a]} {a}", b] for a, b in found],
        }
    write_json_atomic(arguments.out, record)
    print(
        {
            name: {k: v for k, v in entry.items() if k != "leaked_pairs"}
            for name, entry in record.items()
            if isinstance(entry, dict) and "families" in entry
        }
    )


if __name__ == "__main__":
    main()
