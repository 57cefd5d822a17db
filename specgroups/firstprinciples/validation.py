"""How far the GPAW spectra are from references: another code, experiment, another functional."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd

from specgroups.firstprinciples.results import exclusion_reason
from specgroups.firstprinciples.settings import OpticsSettings, stale_settings
from specgroups.firstprinciples.worker import expected_settings
from specgroups.spectra import (
    DielectricFunction,
    dielectric_from_vise_dict,
    log_absorption_on_grid,
    onset_metrics,
    read_dielectric,
)


def compare_spectra(
    reference: DielectricFunction,
    candidate: DielectricFunction,
    grid: np.ndarray,
    reference_cut_ev: float | None = None,
    candidate_cut_ev: float | None = None,
) -> dict:
    """Differences between two dielectric functions on ``grid``, as log10 alpha and onsets.

    ``mean_absolute_log_alpha`` is the study's error measure (log10 units);
    ``onset_difference_ev`` is candidate minus reference at log10 alpha = 4.
    ``reference_cut_ev`` and ``candidate_cut_ev`` zero each one's eps_imag below that energy first
    (:func:`specgroups.spectra.cut_below`).
    """
    reference_log = log_absorption_on_grid(reference, grid, cut_below_ev=reference_cut_ev)
    candidate_log = log_absorption_on_grid(candidate, grid, cut_below_ev=candidate_cut_ev)
    reference_onset = onset_metrics(grid, reference_log).onset_energy_ev
    candidate_onset = onset_metrics(grid, candidate_log).onset_energy_ev
    peak = lambda d: float(d.energies[np.argmax(np.where(d.energies <= grid[-1], d.eps_imag, -np.inf))])  # noqa: E731
    return {
        "mean_absolute_log_alpha": round(float(np.mean(np.abs(candidate_log - reference_log))), 4),
        "reference_onset_ev": round(reference_onset, 3),
        "onset_ev": round(candidate_onset, 3),
        "onset_difference_ev": round(candidate_onset - reference_onset, 3),
        "reference_gap_ev": reference.band_gap,
        "gap_ev": candidate.band_gap,
        "reference_eps_imag_peak_ev": peak(reference),
        "eps_imag_peak_ev": peak(candidate),
        "reference_eps_real_at_0": round(float(reference.eps_real[0]), 3),
        "eps_real_at_0": round(float(candidate.eps_real[0]), 3),
    }


def gap_agreement(computed: np.ndarray, reference: np.ndarray) -> dict:
    """Pearson correlation, mean and mean absolute difference (computed - reference) of two gap lists."""
    computed, reference = np.asarray(computed, dtype=float), np.asarray(reference, dtype=float)
    difference = computed - reference
    return {
        "materials": int(len(computed)),
        "pearson_r": round(float(np.corrcoef(computed, reference)[0, 1]), 4),
        "mean_difference_ev": round(float(difference.mean()), 3),
        "mean_absolute_difference_ev": round(float(np.abs(difference).mean()), 3),
        "max_absolute_difference_ev": round(float(np.abs(difference).max()), 3),
    }


def against_vasp(vasp_path: str, settings: OpticsSettings, grid: np.ndarray) -> dict:
    """GPAW on the structure of a VASP optics run (``vasprun.xml[.gz]``) against that run: :func:`compare_spectra`
    as computed and with eps_imag cut below each one's gap (the VASP run's recorded gap, GPAW's lowest direct
    transition), and GPAW's CPU seconds."""
    from pymatgen.io.vasp import Vasprun

    from specgroups.firstprinciples.calculation import compute_optics

    vasp = read_dielectric(vasp_path)
    structure = Vasprun(vasp_path, parse_dos=False, parse_potcar_file=False).final_structure
    result = compute_optics(structure, f"{structure.composition.reduced_formula} (VASP fixture structure)", settings)
    gpaw = dielectric_from_vise_dict(result.dielectric, f"GPAW {structure.composition.reduced_formula}")
    return {
        "as_computed": {
            **compare_spectra(vasp, gpaw, grid),
            "vasp_file": vasp_path,
            "cpu_seconds": result.cpu_seconds["total"],
        },
        "cut_below_gap": compare_spectra(vasp, gpaw, grid, vasp.band_gap, result.direct_gap_ev),
    }


def against_experiment(
    structure, material_id: str, settings: OpticsSettings, measured_gap_ev: float, measured_eps_inf: float
) -> dict:
    """GPAW's Kohn-Sham gap (eV) and eps_inf (eps_real at the lowest energy) of one material beside measured values."""
    from specgroups.firstprinciples.calculation import compute_optics

    result = compute_optics(structure, material_id, settings)
    dielectric = dielectric_from_vise_dict(result.dielectric, f"GPAW {material_id}")
    return {
        "gap_ev": round(result.band_gap_ev, 3),
        "measured_gap_ev": measured_gap_ev,
        "eps_inf": round(float(dielectric.eps_real[0]), 3),
        "measured_eps_inf": measured_eps_inf,
    }


def gaps_against_database(materials: dict[str, dict], results: dict[str, dict]) -> dict:
    """:func:`gap_agreement` of GPAW's gaps with the selected materials' database gaps, over every finished
    (``ok``) result whose material has one."""
    finished = [
        r
        for r in results.values()
        if r["status"] == "ok" and materials.get(r["material_id"], {}).get("reference_gap_ev") is not None
    ]
    return gap_agreement(
        [r["band_gap_ev"] for r in finished], [materials[r["material_id"]]["reference_gap_ev"] for r in finished]
    )


def dataset_counts(materials: dict[str, dict], results: dict[str, dict], grid_max_ev: float) -> dict:
    """How many selected materials were computed, by status; the lowest energy above the VBM up to which the
    transitions of an ``ok`` result are complete; how many the dataset stage can use (non-metallic, every
    transition up to ``grid_max_ev`` included), by source; how many are not computed yet."""
    statuses = [r["status"] for r in results.values()]
    usable = [r["material_id"] for r in results.values() if not exclusion_reason(r, grid_max_ev)]
    return {
        "computed": len(results),
        "ok": statuses.count("ok"),
        "metal": statuses.count("metal"),
        "failed": statuses.count("failed"),
        "min_transitions_complete_to_ev": round(
            min(r["transitions_complete_to_ev"] for r in results.values() if r["status"] == "ok"), 2
        ),
        "complete_to_grid_end": len(usable),
        "complete_to_grid_end_by_source": dict(Counter(materials[material_id]["source"] for material_id in usable)),
        "not_computed": len(set(materials) - set(results)),
    }


def spectra_on_present_settings(materials: dict[str, dict], results: dict[str, dict], settings: OpticsSettings) -> dict:
    """Whether each spectrum result was computed with the present ``settings``: ``current`` counts the results
    whose recorded result settings (:data:`~specgroups.firstprinciples.settings.RESULT_SETTINGS`) are what
    ``settings`` would record for that material, ``stale`` the others, with the settings they differ in
    (``stale_by_setting``) and their ids; ``by_optics_kpoint_density`` counts every result by the optics grid
    density (points per 1/A) its spectrum was computed on. A stale result is the next spectra run's work."""
    differing = {
        material_id: stale_settings(
            record.get("settings", {}), expected_settings(materials[material_id], settings, "optics")
        )
        for material_id, record in sorted(results.items())
    }
    stale = [material_id for material_id, names in differing.items() if names]
    densities = Counter(f"{results[material_id]['settings']['optics_kpoint_density']:g}" for material_id in differing)
    return {
        "current": len(differing) - len(stale),
        "stale": len(stale),
        "stale_by_setting": dict(sorted(Counter(name for names in differing.values() for name in names).items())),
        "by_optics_kpoint_density": dict(sorted(densities.items(), key=lambda item: float(item[0]))),
        "stale_ids": stale,
    }


def gaps_against_measured(measured: pd.DataFrame, spectra: dict[str, dict], corrected: dict[str, dict]) -> dict:
    """PBE (the spectra's Kohn-Sham gaps) and GLLB-SC gaps (:mod:`specgroups.firstprinciples.gaps`) against
    measured gaps: per material, and the mean absolute and mean signed error (computed - measured, eV) of
    each over the materials that have all three. ``measured`` has columns id, formula, measured_gap_ev,
    reference."""
    rows = []
    for entry in measured.itertuples():
        pbe, gllbsc = spectra.get(entry.id, {}), corrected.get(entry.id, {})
        if pbe.get("status") != "ok" or gllbsc.get("status") != "ok":
            continue
        rows.append(
            {
                "id": entry.id,
                "formula": entry.formula,
                "measured_gap_ev": float(entry.measured_gap_ev),
                "pbe_gap_ev": round(pbe["band_gap_ev"], 3),
                "gllbsc_gap_ev": round(gllbsc["corrected_gap_ev"], 3),
                "reference": entry.reference,
            }
        )
    if not rows:
        return {"materials": 0, "rows": []}
    table = pd.DataFrame(rows)
    errors = {name: table[f"{name}_gap_ev"] - table["measured_gap_ev"] for name in ("pbe", "gllbsc")}
    return {
        "materials": len(rows),
        **{f"{name}_mean_absolute_error_ev": round(float(error.abs().mean()), 3) for name, error in errors.items()},
        **{f"{name}_mean_signed_error_ev": round(float(error.mean()), 3) for name, error in errors.items()},
        "gllbsc_closer_than_pbe": int((errors["gllbsc"].abs() < errors["pbe"].abs()).sum()),
        "rows": rows,
    }


def convergence_table(
    records: dict[str, dict],
    load_dielectric,
    grid: np.ndarray,
    floor: float,
    threshold: float,
    edge_window_ev: float,
    reference_broadening_ev: float,
) -> list[dict]:
    """Per material and run of the convergence study (:mod:`specgroups.firstprinciples.convergence`), the onset
    error (eV), the log10 alpha MAE and the error of log10 I (the absorption-edge integral over
    ``edge_window_ev``, :func:`~specgroups.spectra.onset_metrics`) against its densest optics grid at
    ``reference_broadening_ev`` (:func:`~specgroups.firstprinciples.convergence.convergence_errors`), each
    spectrum cut below its own lowest direct transition as the dataset does, with no scissor.
    ``load_dielectric(material_id, label)`` reads one run's dielectric function."""
    from specgroups.firstprinciples.convergence import convergence_errors

    metrics = lambda spectrum: onset_metrics(grid, spectrum, threshold, edge_window_ev)  # noqa: E731
    rows = []
    for material_id, record in sorted(records.items()):
        if record["status"] != "ok":
            continue
        spectra = {
            run["label"]: log_absorption_on_grid(
                load_dielectric(material_id, run["label"]), grid, floor, cut_below_ev=run["direct_gap_ev"]
            )
            for run in record["runs"]
        }
        for row in convergence_errors(grid, spectra, record["runs"], reference_broadening_ev, metrics):
            rounded = {
                key: round(row[key], 3)
                for key in (
                    "onset_error_ev",
                    "log_alpha_mae",
                    "log_edge_integral_error",
                    "kohn_sham_gap_error_ev",
                    "scissored_onset_error_ev",
                )
            }
            rows.append({"id": material_id, "formula": record["formula"], "nsites": record["nsites"], **row, **rounded})
    return rows


def cpu_hours(results: dict[str, dict]) -> dict[str, float]:
    """CPU hours of a batch's results, per recorded step (``cpu_seconds`` keys) and in all."""
    totals: Counter = Counter()
    for record in results.values():
        totals.update(record.get("cpu_seconds") or {})
    return {step: round(seconds / 3600.0, 2) for step, seconds in sorted(totals.items())}


def onsets_against_direct_gaps(
    results: dict[str, dict],
    load_dielectric,
    grid: np.ndarray,
    floor: float,
    threshold: float,
    tolerance_ev: float = 0.1,
) -> dict:
    """Where the onset (log10 alpha = ``threshold``) lies against the lowest direct transition, unshifted, with
    eps_imag cut below the Kohn-Sham gap (the earlier rule) and below the direct gap (the dataset's rule):
    how many ``ok`` results, and how many indirect ones (direct gap above the Kohn-Sham gap by more than
    ``tolerance_ev``), have their onset more than ``tolerance_ev`` below the direct gap under each rule."""
    counts: Counter = Counter()
    for material_id, result in results.items():
        if result["status"] != "ok":
            continue
        dielectric = load_dielectric(material_id)
        indirect = result["direct_gap_ev"] - result["band_gap_ev"] > tolerance_ev
        counts["materials"] += 1
        counts["indirect"] += indirect
        for rule, cut in (("kohn_sham_gap", result["band_gap_ev"]), ("direct_gap", result["direct_gap_ev"])):
            onset = onset_metrics(
                grid, log_absorption_on_grid(dielectric, grid, floor, cut_below_ev=cut), threshold
            ).onset_energy_ev
            below = bool(onset < result["direct_gap_ev"] - tolerance_ev)
            counts[f"below_with_cut_at_{rule}"] += below
            counts[f"indirect_below_with_cut_at_{rule}"] += below and indirect
    return {"tolerance_ev": tolerance_ev, **dict(counts)}


def direct_gap_cut_example(
    result: dict, dielectric: DielectricFunction, grid: np.ndarray, floor: float, threshold: float
) -> dict:
    """One material's onset (eV) as computed, cut below its Kohn-Sham gap and cut below its lowest direct
    transition, beside both gaps."""
    onset = lambda cut: round(
        onset_metrics(
            grid, log_absorption_on_grid(dielectric, grid, floor, cut_below_ev=cut), threshold
        ).onset_energy_ev,
        3,
    )  # noqa: E731
    return {
        "id": result["material_id"],
        "formula": result["formula"],
        "kohn_sham_gap_ev": round(result["band_gap_ev"], 3),
        "direct_gap_ev": round(result["direct_gap_ev"], 3),
        "onset_uncut_ev": onset(None),
        "onset_cut_at_kohn_sham_gap_ev": onset(result["band_gap_ev"]),
        "onset_cut_at_direct_gap_ev": onset(result["direct_gap_ev"]),
    }


def convergence_summary(
    rows: list[dict],
    spectrum_density,
    broadening_ev: float,
    onset_tolerance_ev: float = 0.1,
    mae_tolerance: float = 0.1,
) -> dict:
    """The spectra's own settings in the convergence table of :func:`convergence_table`: each material's run
    at the optics density its spectrum uses (``spectrum_density(nsites)``, e.g.
    :meth:`~specgroups.firstprinciples.settings.OpticsSettings.spectrum_kpoint_density`) and ``broadening_ev``.
    Per material, the onset error (eV) and log10 alpha MAE of that run against the densest grid, and the errors
    of its Kohn-Sham gap and scissored onset (:func:`~specgroups.firstprinciples.convergence.convergence_errors`);
    the largest of each and of the scissored onset error; how many materials meet both tolerances (the targets:
    0.1 eV, 0.1); and, on the densest grid, how far every other broadening moves the onset and the spectrum."""
    production = [
        row
        for row in rows
        if row["optics_kpoint_density"] == spectrum_density(row["nsites"]) and row["broadening_ev"] == broadening_ev
    ]
    densest = {row["id"]: max(r["optics_kpoint_density"] for r in rows if r["id"] == row["id"]) for row in rows}
    broadening = [
        row
        for row in rows
        if row["optics_kpoint_density"] == densest[row["id"]] and row["broadening_ev"] != broadening_ev
    ]
    within = [
        row
        for row in production
        if abs(row["onset_error_ev"]) <= onset_tolerance_ev and row["log_alpha_mae"] <= mae_tolerance
    ]
    return {
        "materials": len(production),
        "broadening_ev": broadening_ev,
        "max_abs_onset_error_ev": max((abs(row["onset_error_ev"]) for row in production), default=None),
        "max_log_alpha_mae": max((row["log_alpha_mae"] for row in production), default=None),
        "max_abs_scissored_onset_error_ev": max(
            (abs(row["scissored_onset_error_ev"]) for row in production), default=None
        ),
        "within_tolerances": len(within),
        "tolerances": {"onset_ev": onset_tolerance_ev, "log_alpha_mae": mae_tolerance},
        "per_material": [
            {
                key: row[key]
                for key in (
                    "id",
                    "formula",
                    "nsites",
                    "optics_kpoint_density",
                    "kpoint_grid_optics",
                    "onset_error_ev",
                    "log_alpha_mae",
                    "log_edge_integral_error",
                    "kohn_sham_gap_error_ev",
                    "scissored_onset_error_ev",
                )
            }
            for row in production
        ],
        "other_broadenings_on_the_densest_grid": [
            {
                key: row[key]
                for key in (
                    "id",
                    "formula",
                    "broadening_ev",
                    "onset_error_ev",
                    "log_alpha_mae",
                    "log_edge_integral_error",
                )
            }
            for row in broadening
        ],
    }


def skewed_cells(materials: dict[str, dict], comparisons: dict[str, dict]) -> dict:
    """GPAW's cell-angle warning over the set (:mod:`specgroups.firstprinciples.cells`): ``skewed`` counts the
    materials whose cell has an angle outside GPAW's 40-140 degrees (``skewed_ids`` names them); per compared
    material (``comparisons``: :func:`~specgroups.firstprinciples.cells.compare_cell_shapes` results), the
    differences Niggli-reduced minus given cell on the same k-points, in eV (total energy per atom, Kohn-Sham and
    direct gap, the largest band-mean difference), with the largest absolute value of each over them, and each
    cell's k-points in the full zone at the spectrum's density."""
    from pymatgen.core import Structure

    from specgroups.firstprinciples.cells import is_skewed

    skewed = [
        material_id
        for material_id, material in sorted(materials.items())
        if is_skewed(Structure.from_dict(material["structure"]))
    ]
    keys = (
        "energy_per_atom_difference_ev",
        "band_gap_difference_ev",
        "direct_gap_difference_ev",
        "max_band_mean_difference_ev",
    )
    rows = [
        {
            "id": material_id,
            "formula": record["formula"],
            "nsites": record["nsites"],
            "angles_deg": record["cell_angles_deg"]["given"],
            **{key: round(record[key], 4) for key in keys},
            "spectrum_kpoints": {label: int(np.prod(grid)) for label, grid in record["spectrum_kpoint_grids"].items()},
        }
        for material_id, record in sorted(comparisons.items())
        if record["status"] == "ok"
    ]
    return {
        "skewed": len(skewed),
        "materials": len(materials),
        "compared": rows,
        **{f"max_abs_{key}": max((abs(row[key]) for row in rows), default=None) for key in keys},
        "skewed_ids": skewed,
    }


def validation_report(params: dict, settings: OpticsSettings) -> dict:
    """Every validation of the first-principles data that the ``validate`` params section names (paths of the
    results, references and measured gaps; the grid and onset definition): GPAW against VASP (MgSe) and
    experiment (MgO), gaps against the PBEsol database and measured gaps, onsets against direct gaps, the
    direct-gap cut, the convergence table, skewed cells, CPU hours, counts and settings of the spectra."""
    from pathlib import Path

    import pandas as pd
    from pymatgen.core import Structure

    from specgroups.firstprinciples.results import dielectric_path, labelled_dielectric_path, load_results
    from specgroups.io.atomic import read_json
    from specgroups.spectra import energy_grid, read_dielectric

    grid, floor, threshold = energy_grid(**params["grid"]), float(params["floor"]), float(params["onset_threshold"])
    mgse = against_vasp(params["vasp_reference"], settings, grid)
    mgo = against_experiment(
        Structure.from_dict(next(r for r in read_json(params["oxides"]) if r["id"] == params["mgo_id"])["structure"]),
        params["mgo_id"],
        settings,
        params["mgo_measured_gap_ev"],
        params["mgo_measured_eps_inf"],
    )
    materials = {m["id"]: m for m in read_json(params["materials"])}
    spectra_dir, gaps_dir, convergence_dir = (Path(params[key]) for key in ("first_principles", "gaps", "convergence"))
    results = {k: v for k, v in load_results(spectra_dir).items() if k in materials}
    corrected, convergence, cell_shapes = (
        load_results(gaps_dir),
        load_results(convergence_dir),
        load_results(Path(params["cell_shapes"])),
    )
    spectrum = lambda material_id: read_dielectric(dielectric_path(spectra_dir, material_id))  # noqa: E731
    measured = gaps_against_measured(pd.read_csv(params["measured_gaps"]), results, corrected)
    table = convergence_table(
        convergence,
        lambda i, label: read_dielectric(labelled_dielectric_path(convergence_dir, i, label)),
        grid,
        floor,
        threshold,
        float(params["edge_window_ev"]),
        settings.broadening_ev,
    )
    return {
        "mgse_gpaw_vs_vasp": mgse["as_computed"],
        "mgse_gpaw_vs_vasp_cut_below_gap": mgse["cut_below_gap"],
        "mgo_gpaw_vs_experiment": mgo,
        "gaps_gpaw_pbe_vs_pbesol_database": gaps_against_database(materials, results),
        "gaps_vs_measured": measured,
        "onsets_vs_direct_gaps": onsets_against_direct_gaps(results, spectrum, grid, floor, threshold),
        "direct_gap_cut_example": direct_gap_cut_example(
            results[params["indirect_example"]], spectrum(params["indirect_example"]), grid, floor, threshold
        ),
        "convergence": table,
        "convergence_summary": convergence_summary(table, settings.spectrum_kpoint_density, settings.broadening_ev),
        "skewed_cells": skewed_cells(materials, cell_shapes),
        "cpu_hours": {
            name: cpu_hours(batch)
            for name, batch in (
                ("spectra", results),
                ("gaps", corrected),
                ("convergence", convergence),
                ("cell_shapes", cell_shapes),
            )
        },
        "dataset": dataset_counts(materials, results, float(grid[-1])),
        "spectra_settings": spectra_on_present_settings(materials, results, settings),
    }
