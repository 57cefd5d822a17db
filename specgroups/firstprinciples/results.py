"""The on-disk layout of first-principles results: one pair of files per material.

- ``<id>.json``: status, reason, gaps, band-edge k-points, settings, CPU time;
- ``<id>.diele_func.json.gz``: the dielectric function as a vise DieleFuncData
  JSON (only when status is "ok"), readable by ``specgroups.spectra.read_dielectric``;
  ``<id>.<label>.diele_func.json.gz`` where a calculation gives several (the convergence study).

The same layout holds the GLLB-SC gaps (metadata only) and the convergence runs.

The metadata file is written last, so its presence means the material is done.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from specgroups.errors import InputError
from specgroups.io.atomic import read_json, write_json_atomic

STATUSES = ("ok", "metal", "failed")


def _checked_id(material_id: str) -> str:
    if not material_id or "/" in material_id or material_id.startswith("."):
        raise InputError(f"material id {material_id!r} cannot be used as a file name")
    return material_id


def result_path(out_dir: Path, material_id: str) -> Path:
    return Path(out_dir) / f"{_checked_id(material_id)}.json"


def dielectric_path(out_dir: Path, material_id: str) -> Path:
    return Path(out_dir) / f"{_checked_id(material_id)}.diele_func.json.gz"


def labelled_dielectric_path(out_dir: Path, material_id: str, label: str) -> Path:
    """One of several dielectric functions of a material (the convergence study's runs)."""
    return Path(out_dir) / f"{_checked_id(material_id)}.{_checked_id(label)}.diele_func.json.gz"


def write_result(out_dir: Path, result: dict) -> None:
    """Write one material's result atomically: its dielectric function (``dielectric``) or functions
    (``dielectrics``, keyed by label) first, the metadata last."""
    material_id = result["material_id"]
    metadata = {key: value for key, value in result.items() if key not in ("dielectric", "dielectrics")}
    if result.get("dielectric") is not None:
        write_json_atomic(dielectric_path(out_dir, material_id), result["dielectric"], indent=None)
    for label, dielectric in (result.get("dielectrics") or {}).items():
        write_json_atomic(labelled_dielectric_path(out_dir, material_id, label), dielectric, indent=None)
    write_json_atomic(result_path(out_dir, material_id), metadata)


def exclusion_reason(result: dict | None, spectrum_max_ev: float) -> str:
    """Why a material's result cannot give its spectrum up to ``spectrum_max_ev``; "" when it can.

    A spectrum whose interband transitions stop below the grid's end (too few
    empty bands) would read as weak absorption there, so it is left out with
    the reason rather than used.
    """
    if result is None:
        return "no first-principles result"
    if result["status"] != "ok":
        return f"{result['status']}: {result.get('reason', '')}"
    complete_to_ev = result.get("transitions_complete_to_ev")
    if complete_to_ev is not None and complete_to_ev < spectrum_max_ev:
        return (
            f"transitions incomplete: complete only to {complete_to_ev:.2f} eV, the grid ends at {spectrum_max_ev:g} eV"
        )
    return ""


def is_done(out_dir: Path, material_id: str) -> bool:
    return result_path(out_dir, material_id).is_file()


def load_results(out_dir: Path) -> dict[str, dict]:
    """All finished materials' metadata, keyed by material id."""
    results = {}
    for path in sorted(Path(out_dir).glob("*.json")):
        record = read_json(path)
        if not isinstance(record, dict) or record.get("status") not in STATUSES:
            raise InputError(f"{path}: not a first-principles result (no valid 'status')")
        results[record["material_id"]] = record
    return results


DIELECTRIC_QUANTITIES = {"eps_imag": lambda d: d.eps_imag, "eps_real": lambda d: d.eps_real}


def spectra_table(
    materials: list[dict], out_dir: Path, quantity: str, complete_to_ev: float
) -> tuple[list[dict], np.ndarray, np.ndarray]:
    """(the materials kept, their common energy axis in eV, materials x energies values of ``quantity``, one
    of :data:`DIELECTRIC_QUANTITIES`) for every material computed as ``ok`` with every transition up to
    ``complete_to_ev`` included (:func:`exclusion_reason`)."""
    from specgroups.spectra import read_dielectric

    if quantity not in DIELECTRIC_QUANTITIES:
        raise InputError(f"params: export.quantity must be one of {list(DIELECTRIC_QUANTITIES)}, got {quantity!r}")
    results = load_results(out_dir)
    kept = [m for m in materials if not exclusion_reason(results.get(m["id"]), complete_to_ev)]
    if not kept:
        raise InputError(f"{out_dir}: no material computed as ok with transitions complete to {complete_to_ev:g} eV")
    dielectrics = [read_dielectric(dielectric_path(out_dir, m["id"])) for m in kept]
    energies = dielectrics[0].energies
    if any(not np.array_equal(d.energies, energies) for d in dielectrics):
        raise InputError(f"{out_dir}: the dielectric functions are not on one energy axis")
    return kept, energies, np.stack([DIELECTRIC_QUANTITIES[quantity](d) for d in dielectrics])


@dataclass(frozen=True)
class ExportSettings:
    """A spectra table from the results: the selected ``materials`` (JSON), the ``first_principles`` results
    folder, the ``quantity`` exported (e.g. eps_imag) and the energy every transition must reach."""

    materials: str
    first_principles: str
    quantity: str
    complete_to_ev: float


def export_table(settings: ExportSettings, spectra_path: Path, structures_path: Path) -> tuple[int, np.ndarray]:
    """:func:`spectra_table` written as the table source reads it: the arrays to ``spectra_path``, {id: {"formula",
    "structure"}} to ``structures_path``; (materials kept, energies)."""
    import json

    from specgroups.io.atomic import write_bytes_atomic
    from specgroups.io.outputs import write_arrays

    materials = read_json(settings.materials)
    kept, energies, values = spectra_table(
        materials, Path(settings.first_principles), settings.quantity, settings.complete_to_ev
    )
    write_arrays(spectra_path, material_ids=np.array([m["id"] for m in kept]), energies=energies, values=values)
    structures = {m["id"]: {"formula": m["formula"], "structure": m["structure"]} for m in kept}
    write_bytes_atomic(structures_path, json.dumps(structures).encode())
    return len(kept), energies
