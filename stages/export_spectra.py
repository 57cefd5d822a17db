"""Stage `export` (eps2 profile): a generic spectra table from the GPAW results, e.g. eps_imag per material.

Writes what the dataset stage's ``table`` source reads: an .npz with
``material_ids``, ``energies`` and ``values`` (materials x energies), and a JSON
object {id: {"formula", "structure"}}. Only materials computed as ``ok`` with every
transition up to ``complete_to_ev`` included are kept.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np

from specgroups.atomic import read_json, write_bytes_atomic
from specgroups.errors import InputError
from specgroups.firstprinciples.results import dielectric_path, exclusion_reason, load_results
from specgroups.spectra import read_dielectric
from stages._common import load_params, stage_main

QUANTITIES = {"eps_imag": lambda d: d.eps_imag, "eps_real": lambda d: d.eps_real}


def run(arguments) -> str:
    params = load_params(arguments.params, "export")
    if params["quantity"] not in QUANTITIES:
        raise InputError(f"{arguments.params}: export.quantity must be one of {list(QUANTITIES)}, got {params['quantity']!r}")
    results_dir = Path(params["first_principles"])
    results = load_results(results_dir)
    complete_to_ev = float(params["complete_to_ev"])
    materials = [m for m in read_json(params["materials"]) if not exclusion_reason(results.get(m["id"]), complete_to_ev)]
    if not materials:
        raise InputError(f"{results_dir}: no material computed as ok with transitions complete to {complete_to_ev:g} eV")
    dielectrics = [read_dielectric(dielectric_path(results_dir, m["id"])) for m in materials]
    energies = dielectrics[0].energies
    if any(not np.array_equal(d.energies, energies) for d in dielectrics):
        raise InputError(f"{results_dir}: the dielectric functions are not on one energy axis")
    values = np.stack([QUANTITIES[params["quantity"]](d) for d in dielectrics])
    buffer = io.BytesIO()
    np.savez(buffer, material_ids=np.array([m["id"] for m in materials]), energies=energies, values=values)
    write_bytes_atomic(params["spectra"], buffer.getvalue())
    structures = {m["id"]: {"formula": m["formula"], "structure": m["structure"]} for m in materials}
    write_bytes_atomic(params["structures"], json.dumps(structures).encode())
    return f"export: {params['quantity']} of {len(materials)} materials on {len(energies)} energies -> {params['spectra']}"


if __name__ == "__main__":
    stage_main(run, __doc__)
