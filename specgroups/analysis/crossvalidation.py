"""Guidelines re-derived in every fold of a grouped, repeated cross-validation: how often their intervals hold for
materials no derivation saw, and how stable each guideline is.

The clusters are cut from all materials without onsets or chemistry, so they stay fixed; in each fold the held-out
materials' onsets and chemistry play no part in reading the guidelines off the others
(:func:`specgroups.analysis.guidelines.validated_guidelines`), which then face them. Folds are grouped by structure
family (:func:`specgroups.structures.structure_family`: anonymised formula and space group), so that the members of
one family, whose onsets are close (the double vanadates, the alkali chromates), are never on both sides of a fold,
with the polymorphs of one compound joined into one family (:func:`with_polymorphs`): two stackings of a delafossite
are two space groups but nearly one spectrum. ``benchmarks/families.py`` measures this grouping against the
anonymised formula and space group alone and against StructureMatcher's prototypes. ``folds`` x ``repeats``
shuffled partitions: every material is held out once per repeat.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace

import numpy as np
from scipy.stats import binomtest
from sklearn.model_selection import GroupKFold

from specgroups.analysis.guidelines import GuidelineRules, Materials, validated_guidelines


def with_polymorphs(families: dict[str, str], formulas: dict[str, str]) -> dict[str, str]:
    """Each material's family (``families`` by id) with the families of materials that share a reduced formula
    (``formulas`` by id) joined, transitively (connected components); a joined family takes the name of the first of
    its families in sorted order."""
    parent = {family: family for family in families.values()}

    def root(family: str) -> str:
        while parent[family] != family:
            family = parent[family]
        return family

    first_of_formula: dict[str, str] = {}
    for material_id in sorted(families):
        family = root(families[material_id])
        other = root(first_of_formula.setdefault(formulas[material_id], family))
        parent[max(family, other)] = min(family, other)
    return {material_id: root(family) for material_id, family in families.items()}


def material_families(structures: dict[str, dict]) -> dict[str, str]:
    """Each material's structure family (``structures``: pymatgen dicts by id): the anonymised formula and space
    group (:func:`specgroups.structures.structure_family`), polymorphs joined (:func:`with_polymorphs`)."""
    from pymatgen.core import Structure

    from specgroups.structures import structure_family

    found = {material_id: Structure.from_dict(structure) for material_id, structure in structures.items()}
    return with_polymorphs(
        {m: structure_family(s) for m, s in found.items()}, {m: s.composition.reduced_formula for m, s in found.items()}
    )


@dataclass(frozen=True)
class CrossValidationPlan:
    """``folds`` x ``repeats`` partitions grouped by structure family; ``bootstrap_rounds`` of each fold's
    guideline intervals (they decide only whether a contrast claims a direction)."""

    folds: int
    repeats: int
    bootstrap_rounds: int


def family_folds(families: np.ndarray, plan: CrossValidationPlan, seed: int) -> list[np.ndarray]:
    """Held-out masks, ``folds`` per repeat: each repeat a shuffled :class:`sklearn.model_selection.GroupKFold`
    of the families, so that a family is held out whole."""
    masks = []
    for repeat in range(plan.repeats):
        splitter = GroupKFold(n_splits=plan.folds, shuffle=True, random_state=seed + repeat)
        for _, held_out in splitter.split(np.zeros(len(families)), groups=families):
            masks.append(np.isin(np.arange(len(families)), held_out))
    return masks


def cross_validated_guidelines(
    materials: Materials,
    families: np.ndarray,
    parents: dict[str, str],
    nearest: dict[int, int],
    min_count: int,
    max_q_value: float,
    rules: GuidelineRules,
    plan: CrossValidationPlan,
    seed: int,
) -> dict:
    """Over every fold of :func:`family_folds` (``materials``: all of them, none held out; ``families`` per row):

    - ``coverage``: of the (guideline, held-out carrier) pairs under a bounded interval of a non-trivial guideline,
      the share inside it, with its Clopper-Pearson 95 % interval (``coverage_ci95``) and ``held_out_pairs``;
    - ``statuses``: the fold guidelines' statuses (held, failed, untested), over the non-trivial ones;
    - ``appearances``: {"feature in cluster c": the share of folds that state it}: a guideline's stability.
    """
    folds = family_folds(families, plan, seed)
    pairs = inside = 0
    statuses: Counter = Counter()
    appearances: Counter = Counter()
    for index, held_out in enumerate(folds):
        fold = replace(materials, held_out=held_out)
        rng = np.random.default_rng(seed + index)
        _, found, _ = validated_guidelines(
            fold, parents, nearest, min_count, max_q_value, rules, rng, plan.bootstrap_rounds
        )
        for g in found:
            appearances[f"{g['feature']} in cluster {g['cluster']}"] += 1
            if g["trivial"]:
                continue
            statuses[g["validation"]["status"]] += 1
            if g["validation"]["bounded"]:
                pairs += g["validation"]["held_out_carriers"]
                inside += g["validation"]["in_interval"]
    interval = binomtest(inside, pairs).proportion_ci(0.95) if pairs else None
    return {
        "folds": plan.folds,
        "repeats": plan.repeats,
        "families": int(len(np.unique(families))),
        "nominal_level": rules.level,
        "held_out_pairs": pairs,
        "coverage": inside / pairs if pairs else None,
        "coverage_ci95": [float(interval.low), float(interval.high)] if interval else None,
        "statuses": {status: statuses[status] for status in ("held", "failed", "untested")},
        "appearances": {name: count / len(folds) for name, count in sorted(appearances.items())},
    }
