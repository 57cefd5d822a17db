"""Run one material's GPAW calculation in its own process.

``python -m specgroups.firstprinciples.worker TASK_JSON OUT_DIR``

A separate process per material keeps GPAW's memory, a crash in its C code,
and the per-material peak memory measurement away from the batch. The task
names its ``calculation``: ``optics`` (the spectrum), ``gllbsc`` (the
corrected gap), ``convergence`` (the convergence study, with its plan in
``options``), ``localisation`` (how far the CBM spreads, with the bond cutoff
and finite-difference step in ``options``) or ``cell_shape`` (the given cell
against its Niggli-reduced cell, see ``cells.py``) or ``relaxed_spectrum`` (a relaxation, then the
spectrum and the GLLB-SC gap, with the relaxation's settings in ``options``: ``substitution.py``).
"""

from __future__ import annotations

import sys
import traceback
from pathlib import Path

from specgroups.errors import InputError
from specgroups.firstprinciples.gaps import recorded_settings as gllbsc_settings
from specgroups.firstprinciples.results import write_result
from specgroups.firstprinciples.settings import OpticsSettings
from specgroups.io.atomic import read_json

CALCULATIONS = ("optics", "gllbsc", "convergence", "localisation", "cell_shape", "zone_boundary", "relaxed_spectrum")
# exit status of a worker whose task's settings its code cannot read: the library changed under a running batch
# (a settings field added or removed), which must not be recorded as the material's failure
TASK_UNREADABLE = 3


def expected_settings(material: dict, settings: OpticsSettings, calculation: str) -> dict:
    """The settings a result of ``calculation`` for this material (a materials.json entry) records."""
    elements = {species["element"] for site in material["structure"]["sites"] for species in site["species"]}
    if calculation == "gllbsc":
        return gllbsc_settings(settings, elements)
    return settings.record(
        elements,
        len(material["structure"]["sites"]) if calculation in ("optics", "zone_boundary", "relaxed_spectrum") else None,
    )


def calculate(calculation: str, structure, material_id: str, settings, options: dict) -> dict:
    """The result dict of one calculation (see :data:`CALCULATIONS`)."""
    if calculation == "optics":
        from specgroups.firstprinciples.calculation import compute_optics

        return compute_optics(
            structure, material_id, settings, first_empty_band_round=int(options.get("first_empty_band_round", 1))
        ).as_dict()
    if calculation == "gllbsc":
        from specgroups.firstprinciples.gaps import compute_corrected_gap

        return compute_corrected_gap(structure, material_id, settings).as_dict()
    if calculation == "convergence":
        from specgroups.firstprinciples.convergence import ConvergencePlan, compute_convergence

        return compute_convergence(structure, material_id, settings, ConvergencePlan.from_params(options))
    if calculation == "localisation":
        from specgroups.firstprinciples.localisation import compute_localisation

        return compute_localisation(
            structure,
            material_id,
            settings,
            float(options["bond_cutoff"]),
            float(options["mass_step_per_a"]),
            options["mesh"],
        ).as_dict()
    if calculation == "zone_boundary":
        from specgroups.firstprinciples.meshes import compute_zone_boundary_gap

        return compute_zone_boundary_gap(structure, material_id, settings).as_dict()
    if calculation == "relaxed_spectrum":
        from specgroups.firstprinciples.substitution import RelaxationSettings, compute_relaxed_spectrum

        return compute_relaxed_spectrum(
            structure, material_id, settings, RelaxationSettings.from_params(options)
        ).as_dict()
    if calculation == "cell_shape":
        from specgroups.firstprinciples.cells import compare_cell_shapes

        return compare_cell_shapes(structure, material_id, settings)
    raise ValueError(f"unknown calculation {calculation!r}; known: {CALCULATIONS}")


def main(task_path: str, out_dir: str) -> int:
    from pymatgen.core import Structure

    task = read_json(task_path)
    structure = Structure.from_dict(task["structure"])
    try:
        settings = OpticsSettings.from_params(task["settings"])
    except InputError as error:
        # says nothing about the material: the code read here is not the code that wrote the task
        print(f"{task['id']}: {error}", file=sys.stderr)
        return TASK_UNREADABLE
    try:
        result = calculate(task["calculation"], structure, task["id"], settings, task.get("options") or {})
    except Exception as error:  # any GPAW failure is recorded for this material, the batch goes on
        result = {
            "material_id": task["id"],
            "formula": structure.composition.reduced_formula,
            "nsites": len(structure),
            "status": "failed",
            "reason": f"{type(error).__name__}: {error}; {traceback.format_exc(limit=3)[-600:]}",
            "settings": expected_settings(task, settings, task["calculation"]),
        }
    write_result(Path(out_dir), result)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
