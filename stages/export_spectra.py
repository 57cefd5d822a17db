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
from specgroups.firstprinciples.results import spectra_table
from stages._common import load_params, stage_main


def run(arguments) -> str:
    params = load_params(arguments.params, "export")
    materials = read_json(params["materials"])
    kept, energies, values = spectra_table(materials, Path(params["first_principles"]), params["quantity"], float(params["complete_to_ev"]))
    buffer = io.BytesIO()
    np.savez(buffer, material_ids=np.array([m["id"] for m in kept]), energies=energies, values=values)
    write_bytes_atomic(params["spectra"], buffer.getvalue())
    structures = {m["id"]: {"formula": m["formula"], "structure": m["structure"]} for m in kept}
    write_bytes_atomic(params["structures"], json.dumps(structures).encode())
    return f"export: {params['quantity']} of {len(kept)} materials on {len(energies)} energies -> {params['spectra']}"


if __name__ == "__main__":
    stage_main(run, __doc__)
