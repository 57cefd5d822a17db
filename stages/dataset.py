"""Stage `dataset`: first-principles dielectric functions -> log10 alpha table, onsets and split.

Three sources (``dataset.source``): ``embedded``, the GPAW results of
profiles/firstprinciples (data/demo/); ``authors``, the files of the authors'
repository imported by data.dvc (the paper profile); ``table``, any spectrum per
material on any energy axis (``table.spectra``: an .npz with ``material_ids``,
``energies`` and ``values``, materials x energies; ``table.structures``: a JSON
object {id: {"formula", "structure": pymatgen dict}}), used as it is.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from specgroups import authors
from specgroups.assemble import MaterialInput, OnsetCorrection, SpectrumOptions, assemble_dataset
from specgroups.atomic import atomic_path, read_json, write_json_atomic
from specgroups.dataset import write_dataset
from specgroups.errors import InputError
from specgroups.firstprinciples.results import dielectric_path, exclusion_reason, load_results
from specgroups.spectra import read_dielectric
from specgroups.structures import structure_from_poscar
from stages._common import load_params, stage_main


def reference_gaps(path: str | None) -> dict[str, float]:
    if not path:
        return {}
    table = pd.read_csv(path)
    if not {"id", "reference_gap_ev"} <= set(table.columns):
        raise InputError(f"{path}: needs columns id and reference_gap_ev, found {list(table.columns)}")
    return dict(zip(table["id"].astype(str), table["reference_gap_ev"].astype(float)))


def embedded_candidates(params: dict, references: dict[str, float], grid_max_ev: float):
    materials = read_json(params["materials"])
    results_dir = Path(params["first_principles"])
    results = load_results(results_dir)
    for material in materials:
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


def authors_candidates(params: dict, references: dict[str, float], split: dict[str, str] | None):
    """Every POSCAR of the authors' data folder, with its archive and their onset table's gaps."""
    root = Path(params["root"])
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
        elif split is not None and name.material_id not in split:
            reason = "not in the authors' train/val/test split"
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
        )


def table_candidates(params: dict):
    """Every material of a generic spectra table, with its structure."""
    spectra_path, structures_path = Path(params["spectra"]), Path(params["structures"])
    if not spectra_path.is_file():
        raise InputError(f"{spectra_path}: not found")
    try:
        with np.load(spectra_path, allow_pickle=False) as table:
            ids, energies, values = table["material_ids"].astype(str), table["energies"], table["values"]
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
        yield MaterialInput(material_id, entry["formula"], entry["structure"], "table", None, energies=energies, values=row)


def run(arguments) -> str:
    params = load_params(arguments.params, "dataset")
    grid = np.linspace(params["grid"]["min_ev"], params["grid"]["max_ev"], int(params["grid"]["points"]))
    correction_params = params["onset_correction"]
    options = SpectrumOptions(
        grid=grid,
        floor=float(params["floor"]),
        onset_threshold=float(params["onset_threshold"]),
        edge_window_ev=float(params["edge_window_ev"]),
        correction=OnsetCorrection(
            correction_params["mode"], float(correction_params["constant_ev"]), bool(correction_params["cut_below_gap"])
        ),
    )
    split = dict(params["split"])
    seed = int(split.pop("seed"))
    references = reference_gaps(correction_params.get("reference_gaps"))
    fixed_split = None
    if params["source"] == "embedded":
        materials = embedded_candidates(params, references, float(grid[-1]))
    elif params["source"] == "authors":
        run_split = params["authors"].get("split_from_run")
        if run_split:
            split_path = authors.split_file(authors.find_run(run_split))
            fixed_split = authors.read_split(split_path) if split_path else None
        materials = authors_candidates(params["authors"], references, fixed_split)
    elif params["source"] == "table":
        materials = table_candidates(params["table"])
    else:
        raise InputError(f"{arguments.params}: dataset.source must be 'embedded', 'authors' or 'table', got {params['source']!r}")
    dataset, excluded = assemble_dataset(materials, options, split, seed, fixed_split)
    output = Path(params["output"])
    write_dataset(output, dataset)
    with atomic_path(output / "excluded.csv") as temporary:
        excluded.to_csv(temporary, index=False)
    table = dataset.materials
    metrics = {
        "materials": len(table),
        "excluded": len(excluded),
        "excluded_by_reason": excluded["reason"].str.split(":").str[0].value_counts().to_dict(),
        "split": table["split"].value_counts().to_dict(),
        "by_source": table["source"].value_counts().to_dict(),
        "onset_energy_ev": {"mean": float(table["onset_energy_ev"].mean()), "std": float(table["onset_energy_ev"].std())},
        "log_alpha_range": [float(dataset.spectra.min()), float(dataset.spectra.max())],
    }
    write_json_atomic(params["metrics"], metrics)
    return f"dataset: {len(table)} materials ({metrics['split']}), {len(excluded)} excluded -> {output}"


if __name__ == "__main__":
    stage_main(run, __doc__)
