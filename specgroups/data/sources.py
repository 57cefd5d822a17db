"""Where a dataset's materials come from (``dataset.source``).

- ``embedded``: the GPAW results of profiles/firstprinciples (``data/demo/``);
- ``authors``: the files of the authors' repository imported by data.dvc (the paper profile);
- ``table``: any spectrum per material on any energy axis (the eps2 profile): an .npz with
  ``material_ids``, ``energies`` and ``values`` (materials x energies), and a JSON object
  {id: {"formula", "structure": pymatgen dict}}, used as it is.

Each reader yields one :class:`~specgroups.data.assemble.MaterialInput` per material,
with the reason when the material is to be left out.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Iterator

import numpy as np
import pandas as pd

from specgroups.data import authors
from specgroups.data.assemble import MaterialInput
from specgroups.io.atomic import read_json
from specgroups.errors import InputError
from specgroups.firstprinciples.results import dielectric_path, exclusion_reason, load_results
from specgroups.spectra import read_dielectric
from specgroups.structures import structure_from_poscar

SOURCES = ("embedded", "authors", "table")


def reference_gaps(path: str | Path | None) -> dict[str, float]:
    """{material id: reference gap (eV)} from a CSV with columns id and reference_gap_ev; {} without a path."""
    if not path:
        return {}
    table = pd.read_csv(path)
    if not {"id", "reference_gap_ev"} <= set(table.columns):
        raise InputError(f"{path}: needs columns id and reference_gap_ev, found {list(table.columns)}")
    return dict(zip(table["id"].astype(str), table["reference_gap_ev"].astype(float)))


def corrected_gaps(results_dir: str | Path | None) -> dict[str, float]:
    """{material id: GLLB-SC gap (eV)} of every material the gaps stage computed as ok; {} without a directory."""
    if not results_dir:
        return {}
    if not Path(results_dir).is_dir():
        raise InputError(f"{results_dir}: no GLLB-SC results (the first-principles profile's gaps stage writes them)")
    return {material_id: record["corrected_gap_ev"] for material_id, record in load_results(Path(results_dir)).items() if record["status"] == "ok"}


def target_gaps(correction: dict) -> dict[str, float]:
    """The gaps an ``onset_correction`` params section shifts to: its ``reference_gaps`` CSV in mode
    reference_gap, its ``corrected_gaps`` (GLLB-SC) in mode corrected_gap, none otherwise."""
    if correction["mode"] == "reference_gap":
        return reference_gaps(correction.get("reference_gaps"))
    if correction["mode"] == "corrected_gap":
        return corrected_gaps(correction.get("corrected_gaps"))
    return {}


def embedded_materials(materials_path: str | Path, results_dir: str | Path, references: dict[str, float], grid_max_ev: float) -> Iterator[MaterialInput]:
    """Every selected material of the embedded set, with its GPAW result (or why it has none usable)."""
    results_dir = Path(results_dir)
    results = load_results(results_dir)
    for material in read_json(materials_path):
        result = results.get(material["id"])
        reason = exclusion_reason(result, grid_max_ev)
        result = result or {}
        yield MaterialInput(
            material_id=material["id"],
            formula=material["formula"],
            structure=material["structure"],
            source=material["source"],
            load_dielectric=partial(read_dielectric, dielectric_path(results_dir, material["id"])),
            min_gap_ev=result.get("band_gap_ev"),
            direct_gap_ev=result.get("direct_gap_ev"),
            reference_gap_ev=references.get(material["id"]),
            exclusion_reason=reason,
        )


def authors_materials(root: str | Path, references: dict[str, float]) -> Iterator[MaterialInput]:
    """Every POSCAR of the authors' data folder, with its archive and their onset table's gaps."""
    root = Path(root)
    poscars = sorted((root / authors.STRUCTURES_DIR).glob("POSCAR_*.vasp"))
    if not poscars:
        raise InputError(f"{root / authors.STRUCTURES_DIR}: no POSCAR_*.vasp files (run `dvc pull data.dvc`)")
    onsets = authors.read_onset_table(root / authors.ONSET_ARCHIVE)
    for poscar in poscars:
        name = authors.parse_name(poscar.name)
        archive = root / authors.ARCHIVES_DIR / f"{name.material_id}.json.tar.gz"
        onset = onsets.get(name.material_id, {})
        reason = ""
        if not archive.is_file():
            reason = f"no first-principles archive {archive.name}"
        yield MaterialInput(
            material_id=name.material_id,
            formula=name.formula,
            structure=structure_from_poscar(poscar.read_text(), source=str(poscar)).as_dict(),
            source="authors",
            load_dielectric=partial(authors.dielectric_from_archive, archive),
            min_gap_ev=onset.get("min_gap"),
            direct_gap_ev=onset.get("direct_gap"),
            reference_gap_ev=references.get(name.material_id),
            exclusion_reason=reason,
            published_onset_energy_ev=onset.get("onset_energy"),
            published_edge_integral=onset.get("absorption_edge_integral"),
        )


def table_materials(spectra_path: str | Path, structures_path: str | Path, logarithmic: bool = False) -> Iterator[MaterialInput]:
    """Every material of a generic spectra table, with its structure; ``logarithmic``: the values are log10 alpha
    (their edge integral is then of alpha itself, as for computed spectra)."""
    spectra_path, structures_path = Path(spectra_path), Path(structures_path)
    if not spectra_path.is_file():
        raise InputError(f"{spectra_path}: not found")
    try:
        with np.load(spectra_path, allow_pickle=False) as table:
            ids, energies, values = table["material_ids"].astype(str).tolist(), table["energies"], table["values"]
    except (ValueError, KeyError, OSError) as error:
        raise InputError(f"{spectra_path}: needs arrays material_ids, energies and values ({error})") from error
    if values.shape != (len(ids), len(energies)):
        raise InputError(f"{spectra_path}: values have shape {values.shape}, expected ({len(ids)}, {len(energies)})")
    structures = read_json(structures_path)
    missing = [material_id for material_id in ids if material_id not in structures]
    if missing:
        raise InputError(f"{structures_path}: no structure for {missing[:5]}")
    for material_id, row in zip(ids, values):
        entry = structures[material_id]
        yield MaterialInput(
            material_id, entry["formula"], entry["structure"], "table", None, energies=energies, values=row,
            logarithmic_values=logarithmic,
        )


def materials_from_params(params: dict, grid_max_ev: float) -> tuple[Iterator[MaterialInput], dict[str, str] | None]:
    """The candidates of the source that a ``dataset`` params section names, and the fixed split (the
    authors' run's) or None to draw one."""
    if params["source"] not in SOURCES:
        raise InputError(f"params: dataset.source must be one of {SOURCES}, got {params['source']!r}")
    references = target_gaps(params["onset_correction"])
    if params["source"] == "embedded":
        return embedded_materials(params["materials"], params["first_principles"], references, grid_max_ev), None
    if params["source"] == "authors":
        fixed_split = None
        run = params["authors"].get("split_from_run")
        if run:
            split_path = authors.split_file(authors.find_run(run))
            fixed_split = authors.read_split(split_path) if split_path else None
        return authors_materials(params["authors"]["root"], references), fixed_split
    table = params["table"]
    return table_materials(table["spectra"], table["structures"], bool(table.get("logarithmic", False))), None
