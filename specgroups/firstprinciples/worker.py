"""Run one material's GPAW calculation in its own process.

``python -m specgroups.firstprinciples.worker TASK_JSON OUT_DIR``

A separate process per material keeps GPAW's memory, a crash in its C code,
and the per-material peak memory measurement away from the batch.
"""

from __future__ import annotations

import sys
import traceback
from pathlib import Path

from specgroups.atomic import read_json
from specgroups.firstprinciples.results import write_result


def main(task_path: str, out_dir: str) -> int:
    from pymatgen.core import Structure

    from specgroups.firstprinciples.calculation import OpticsResult, compute_optics
    from specgroups.firstprinciples.settings import OpticsSettings

    task = read_json(task_path)
    structure = Structure.from_dict(task["structure"])
    settings = OpticsSettings.from_params(task["settings"])
    try:
        result = compute_optics(structure, task["id"], settings)
    except Exception as error:  # any GPAW failure is recorded for this material, the batch goes on
        result = OpticsResult(
            material_id=task["id"],
            formula=structure.composition.reduced_formula,
            nsites=len(structure),
            status="failed",
            reason=f"{type(error).__name__}: {error}; {traceback.format_exc(limit=3)[-600:]}",
            settings=settings.as_dict(),
        )
    write_result(Path(out_dir), result.as_dict())
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
