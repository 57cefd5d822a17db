"""The neighbour classes put to a fixed-framework test: what swapping an acceptor neighbour for a closed-shell one does
to the onset, against what the classes predict.

Each swap (first-principles stage ``substitutions``, :mod:`specgroups.firstprinciples.substitution`) gives two
relaxed structures of one framework: the parent and the substituted. Their onsets are measured as the dataset's are
(:func:`specgroups.spectra.onset_metrics` at the dataset's threshold, eps_imag cut below the lowest direct
transition): the corrected onset (scissor to the structure's own GLLB-SC gap) and the PBE onset (that minus the
scissor, as the headline table defines it).

- ``observed_ev``: substituted onset minus relaxed parent's, per level;
- ``predicted_ev``: the class contrast of the headline table (:func:`specgroups.study.neighbours.class_contrasts`)
  between the substituted structure's neighbour class and the parent's, for the parent's cation, with its 95 %
  bootstrap interval;
- ``within_prediction``: whether the observed change (corrected level) lies inside that interval;
- ``geometry_ev``: the relaxed parent's corrected onset minus the dataset's onset of the parent (its database
  geometry), the part of any comparison that the relaxation protocol alone contributes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from specgroups.data.assemble import SpectrumOptions
from specgroups.errors import InputError
from specgroups.spectra import DielectricFunction, log_absorption_on_grid, onset_metrics
from specgroups.study.neighbours import class_of_neighbours


def structure_onsets(result: dict, dielectric: DielectricFunction, options: SpectrumOptions) -> dict[str, float]:
    """Corrected and PBE onsets (eV) of one ``relaxed_spectrum`` result (its optics and GLLB-SC parts) and its
    dielectric function, as the dataset and the headline table define them: the corrected onset of the spectrum
    shifted to the GLLB-SC gap, on the dataset's grid and threshold; the PBE onset that minus the scissor."""
    optics, gllbsc = result["optics"], result["gllbsc"]
    scissor = max(0.0, gllbsc["corrected_gap_ev"] - optics["band_gap_ev"])
    spectrum = log_absorption_on_grid(
        dielectric, options.grid, options.floor, scissor, optics["direct_gap_ev"] + scissor
    )
    onset = onset_metrics(options.grid, spectrum, options.onset_threshold, options.edge_window_ev).onset_energy_ev
    return {"corrected": onset, "pbe": onset - scissor}


def swapped_elements(parent: dict, substituted: dict) -> dict[str, str]:
    """{replaced: replacing} between two ``relaxed_spectrum`` results of one framework, read from their structures'
    compositions; InputError unless exactly one element was swapped."""
    elements = [{site["species"][0]["element"] for site in r["structure"]["sites"]} for r in (parent, substituted)]
    replaced, replacing = sorted(elements[0] - elements[1]), sorted(elements[1] - elements[0])
    if len(replaced) != 1 or len(replacing) != 1:
        raise InputError(
            f"{substituted['material_id']}: not one element swapped from {parent['material_id']} "
            f"(replaced {replaced}, replacing {replacing})"
        )
    return {replaced[0]: replacing[0]}


def class_change(differences: dict, after: str, before: str) -> dict:
    """The class contrast ``after - before`` (difference, 95 % interval, counts) from a table of contrasts keyed
    ``"a - b"`` in either order; zero when the class does not change, NaN when the table lacks the pair."""
    if after == before:
        return {"difference": 0.0, "ci95": [0.0, 0.0], "n": []}
    if f"{after} - {before}" in differences:
        return differences[f"{after} - {before}"]
    if f"{before} - {after}" in differences:
        found = differences[f"{before} - {after}"]
        return {
            "difference": -found["difference"],
            "ci95": [-found["ci95"][1], -found["ci95"][0]],
            "n": found["n"][::-1],
        }
    return {"difference": float("nan"), "ci95": [float("nan"), float("nan")], "n": []}


def swap_effect(
    parent: dict,
    substituted: dict,
    onsets: dict[str, dict[str, float]],
    parent_row: dict,
    contrasts: dict,
    acceptors: frozenset[str],
) -> dict:
    """One swap's observed and predicted onset change (see the module). ``parent``/``substituted``: the two
    ``relaxed_spectrum`` results; ``onsets``: their :func:`structure_onsets` by id; ``parent_row``: the parent's
    row of the headline table; ``contrasts``: the neighbours stage's class contrasts (by cation and level)."""
    swap = swapped_elements(parent, substituted)
    neighbours = [swap.get(element, element) for element in parent_row["neighbours"].split()]
    before, after = parent_row["neighbour_class"], class_of_neighbours(neighbours, acceptors)
    cation, levels = parent_row["cation"], ("pbe", "corrected")
    first, second = onsets[parent["material_id"]], onsets[substituted["material_id"]]
    observed = {level: second[level] - first[level] for level in levels}
    predicted = {level: class_change(contrasts[cation][level]["differences"], after, before) for level in levels}
    low, high = predicted["corrected"]["ci95"]
    return {
        "parent": parent_row["id"],
        "formula": parent_row["formula"],
        "substituted_formula": substituted["formula"],
        "swap": swap,
        "cation": cation,
        "neighbour_class": [before, after],
        "onsets_ev": {"parent": first, "substituted": second},
        "observed_ev": observed,
        "predicted_ev": predicted,
        "within_prediction": bool(low <= observed["corrected"] <= high) if np.isfinite(low) else None,
        "geometry_ev": first["corrected"] - float(parent_row["onset_ev"]),
        "relaxation": {"parent": parent["relaxation"], "substituted": substituted["relaxation"]},
        "cpu_hours": round((parent["cpu_seconds"]["total"] + substituted["cpu_seconds"]["total"]) / 3600.0, 3),
    }


def swap_effects(
    results: dict[str, dict],
    dielectrics: dict[str, DielectricFunction],
    table: pd.DataFrame,
    contrasts: dict,
    acceptors,
    options: SpectrumOptions,
) -> dict:
    """Every swap whose parent (id ``<parent>-relaxed``) and substituted structure (``<parent>-<swap>``) both have
    an "ok" result (``results`` and ``dielectrics`` by id; ``table``: the headline table); a substituted structure
    whose pair is incomplete is listed as pending, with both statuses (parent first)."""
    rows = table.set_index("id", drop=False)
    parents = sorted(key for key in results if key.endswith("-relaxed"))
    effects, pending = [], []
    for key in sorted(key for key in results if not key.endswith("-relaxed")):
        parent_key = next((p for p in parents if key.startswith(p.removesuffix("relaxed"))), None)
        pair = (results.get(parent_key, {"status": "not computed"}), results[key])
        parent_id = (parent_key or "").removesuffix("-relaxed")
        if any(r["status"] != "ok" for r in pair) or parent_id not in rows.index:
            pending.append({"id": key, "status": [r["status"] for r in pair], "reason": pair[1].get("reason", "")})
            continue
        onsets = {r["material_id"]: structure_onsets(r, dielectrics[r["material_id"]], options) for r in pair}
        effects.append(swap_effect(*pair, onsets, rows.loc[parent_id].to_dict(), contrasts, frozenset(acceptors)))
    return {"swaps": effects, "pending": pending}
