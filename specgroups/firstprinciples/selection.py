"""Which materials the embedded (demo) dataset computes, chosen by rules from params."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np
from pymatgen.core import Element

from specgroups.errors import InputError
from specgroups.structures import structure_from_poscar

HEADLINE_ELEMENTS = ("V", "Cr")


@dataclass(frozen=True)
class SelectionRules:
    """How the demo set is drawn from the oxide and chalcogenide collections.

    - every V- or Cr-containing oxide with at most ``headline_max_sites`` sites,
      plus the oxides listed in ``include_ids`` (the study's headline contrast);
    - ``chalcogenide_count`` chalcogenides with at most ``chalcogenide_max_sites``;
    - ``oxide_count`` other oxides with at most ``oxide_max_sites`` sites and a
      reference gap of at least ``oxide_min_reference_gap_ev`` (likely insulators);
    - only elements up to ``max_atomic_number`` (GPAW's PAW datasets stop at Rn, 86);
    - then ``top_up_chalcogenide_count`` and ``top_up_oxide_count`` more, drawn
      with ``seed + 1`` from what the first draws left: a set can grow without
      changing the first draws, whose calculations may already be finished.
    Random draws use ``seed``; the list is ordered headline, chalcogenides,
    oxides, ``include_ids``, then the top-ups, so the cheap materials finish first.
    """

    headline_max_sites: int
    include_ids: tuple[str, ...]
    chalcogenide_count: int
    chalcogenide_max_sites: int
    oxide_count: int
    oxide_max_sites: int
    oxide_min_reference_gap_ev: float
    max_atomic_number: int
    seed: int
    top_up_chalcogenide_count: int
    top_up_oxide_count: int


def _elements_up_to(max_atomic_number: int, elements: list[str]) -> bool:
    return all(Element(symbol).Z <= max_atomic_number for symbol in elements)


def _poscar_elements(poscar: str) -> list[str]:
    """The element symbols on a POSCAR's sixth line (VASP 5 format, as in the chalcogenide collection)."""
    return poscar.splitlines()[5].split()


def _draw(candidates: list[dict], count: int, rng: np.random.Generator, what: str) -> list[dict]:
    if count > len(candidates):
        raise InputError(f"params: {count} {what} requested but only {len(candidates)} match the rules")
    chosen = rng.choice(len(candidates), size=count, replace=False)
    return [candidates[i] for i in sorted(chosen)]


def oxide_material(record: dict) -> dict:
    return {
        "id": record["id"],
        "formula": record["formula"],
        "nsites": record["nsites"],
        "source": "oxides_pbesol",
        "reference_gap_ev": record["band_gap_pbesol_eV"],
        "structure": record["structure"],
    }


def chalcogenide_material(record: dict) -> dict:
    structure = structure_from_poscar(record["poscar"], source=record["id"])
    return {
        "id": record["id"],
        "formula": record["formula"],
        "nsites": record["nsites"],
        "source": "chalcogenides_mp",
        "reference_gap_ev": None,
        "structure": structure.as_dict(),
    }


def select_materials(oxides: list[dict], chalcogenides: list[dict], rules: SelectionRules) -> list[dict]:
    """The demo set's materials (id, formula, nsites, source, reference gap, pymatgen structure dict)."""
    rng = np.random.default_rng(rules.seed)
    computable = partial(_elements_up_to, rules.max_atomic_number)
    oxides = [record for record in oxides if computable(record["elements"])]
    chalcogenides = [record for record in chalcogenides if computable(_poscar_elements(record["poscar"]))]
    by_id = {record["id"]: record for record in oxides}
    missing = [material_id for material_id in rules.include_ids if material_id not in by_id]
    if missing:
        raise InputError(
            f"params: include_ids {missing} are not in the oxide collection (or hold elements beyond Z={rules.max_atomic_number})"
        )
    included = set(rules.include_ids)
    headline = [
        record
        for record in oxides
        if set(record["elements"]) & set(HEADLINE_ELEMENTS)
        and record["nsites"] <= rules.headline_max_sites
        and record["id"] not in included
    ]
    other_oxides = [
        record
        for record in oxides
        if not set(record["elements"]) & set(HEADLINE_ELEMENTS)
        and record["nsites"] <= rules.oxide_max_sites
        and record["band_gap_pbesol_eV"] >= rules.oxide_min_reference_gap_ev
        and record["id"] not in included
    ]
    small_chalcogenides = [record for record in chalcogenides if record["nsites"] <= rules.chalcogenide_max_sites]
    drawn_chalcogenides = _draw(small_chalcogenides, rules.chalcogenide_count, rng, "chalcogenides")
    drawn_oxides = _draw(other_oxides, rules.oxide_count, rng, "oxides")
    top_up_rng = np.random.default_rng(rules.seed + 1)
    top_up_chalcogenides = _draw(
        [r for r in small_chalcogenides if r not in drawn_chalcogenides],
        rules.top_up_chalcogenide_count,
        top_up_rng,
        "more chalcogenides",
    )
    top_up_oxides = _draw(
        [r for r in other_oxides if r not in drawn_oxides], rules.top_up_oxide_count, top_up_rng, "more oxides"
    )
    selected = (
        [oxide_material(record) for record in sorted(headline, key=lambda record: (record["nsites"], record["id"]))]
        + [chalcogenide_material(record) for record in drawn_chalcogenides]
        + [oxide_material(record) for record in drawn_oxides]
        + [oxide_material(by_id[material_id]) for material_id in rules.include_ids]
        + [chalcogenide_material(record) for record in top_up_chalcogenides]
        + [oxide_material(record) for record in top_up_oxides]
    )
    ids = [material["id"] for material in selected]
    if len(set(ids)) != len(ids):
        raise InputError("the oxide and chalcogenide collections share material ids")
    return selected


def _id_order(material_id: str) -> tuple[str, int]:
    """Materials Project ids in numeric order (mp-223 before mp-733 before mp-1178513)."""
    prefix, _, number = material_id.rpartition("-")
    return (prefix, int(number)) if number.isdigit() else (material_id, -1)


def drop_duplicates(materials: list[dict]) -> tuple[list[dict], list[dict]]:
    """(the materials without exact duplicates, a record of each one dropped).

    Two materials are duplicates when pymatgen's ``StructureMatcher`` (its
    default tolerances) maps one structure onto the other: the same crystal
    under two ids (mirror-image enantiomorphs included, which share every
    scalar property). Of each group the lowest id is kept. Polymorphs, which
    the matcher tells apart (e.g. 2H and 3R delafossite stackings), all stay.
    Only materials of one reduced formula are compared.
    """
    from pymatgen.analysis.structure_matcher import StructureMatcher
    from pymatgen.core import Structure

    matcher = StructureMatcher()
    by_formula: dict[str, list[dict]] = {}
    for material in materials:
        by_formula.setdefault(material["formula"], []).append(material)
    dropped: dict[str, str] = {}
    for group in by_formula.values():
        if len(group) < 2:
            continue
        group = sorted(group, key=lambda material: _id_order(material["id"]))
        structures = [Structure.from_dict(material["structure"]) for material in group]
        for index, material in enumerate(group):
            if material["id"] in dropped:
                continue
            for other, structure in zip(group[index + 1 :], structures[index + 1 :]):
                if other["id"] not in dropped and matcher.fit(structures[index], structure):
                    dropped[other["id"]] = material["id"]
    kept = [material for material in materials if material["id"] not in dropped]
    records = [
        {
            "id": material["id"],
            "formula": material["formula"],
            "duplicate_of": dropped[material["id"]],
            "reason": "StructureMatcher maps its structure onto the kept material's (default tolerances); the lower id is kept",
        }
        for material in materials
        if material["id"] in dropped
    ]
    return kept, records
