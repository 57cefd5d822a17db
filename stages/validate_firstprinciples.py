"""Stage `validate` (first-principles profile): GPAW against VASP (MgSe), experiment (MgO, measured gaps),
PBEsol gaps; the direct-gap cut; the convergence table; CPU hours."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pandas as pd
from pymatgen.core import Structure

from specgroups.atomic import read_json, write_json_atomic
from specgroups.firstprinciples import validation
from specgroups.firstprinciples.results import dielectric_path, labelled_dielectric_path, load_results
from specgroups.firstprinciples.settings import OpticsSettings
from specgroups.spectra import energy_grid, read_dielectric
from stages._common import load_params, stage_main


def run(arguments) -> str:
    params = load_params(arguments.params, "validate")
    settings = OpticsSettings.from_params(load_params(arguments.params, "gpaw"))
    grid, floor, threshold = energy_grid(**params["grid"]), float(params["floor"]), float(params["onset_threshold"])
    mgse = validation.against_vasp(params["vasp_reference"], settings, grid)
    mgo = validation.against_experiment(Structure.from_dict(next(r for r in read_json(params["oxides"]) if r["id"] == params["mgo_id"])["structure"]),
                                        params["mgo_id"], settings, params["mgo_measured_gap_ev"], params["mgo_measured_eps_inf"])
    materials = {m["id"]: m for m in read_json(params["materials"])}
    spectra_dir, gaps_dir, convergence_dir = (Path(params[key]) for key in ("first_principles", "gaps", "convergence"))
    results = {k: v for k, v in load_results(spectra_dir).items() if k in materials}
    corrected, convergence, cell_shapes = load_results(gaps_dir), load_results(convergence_dir), load_results(Path(params["cell_shapes"]))
    spectrum = lambda material_id: read_dielectric(dielectric_path(spectra_dir, material_id))  # noqa: E731
    measured = validation.gaps_against_measured(pd.read_csv(params["measured_gaps"]), results, corrected)
    table = validation.convergence_table(convergence, lambda i, label: read_dielectric(labelled_dielectric_path(convergence_dir, i, label)),
                                         grid, floor, threshold, float(params["edge_window_ev"]), settings.broadening_ev)
    write_json_atomic(params["output"], {
        "mgse_gpaw_vs_vasp": mgse["as_computed"], "mgse_gpaw_vs_vasp_cut_below_gap": mgse["cut_below_gap"],
        "mgo_gpaw_vs_experiment": mgo,
        "gaps_gpaw_pbe_vs_pbesol_database": validation.gaps_against_database(materials, results),
        "gaps_vs_measured": measured,
        "onsets_vs_direct_gaps": validation.onsets_against_direct_gaps(results, spectrum, grid, floor, threshold),
        "direct_gap_cut_example": validation.direct_gap_cut_example(results[params["indirect_example"]], spectrum(params["indirect_example"]), grid, floor, threshold),
        "convergence": table,
        "convergence_summary": validation.convergence_summary(table, settings.spectrum_kpoint_density, settings.broadening_ev),
        "skewed_cells": validation.skewed_cells(materials, cell_shapes),
        "cpu_hours": {name: validation.cpu_hours(batch) for name, batch in
                      (("spectra", results), ("gaps", corrected), ("convergence", convergence), ("cell_shapes", cell_shapes))},
        "dataset": validation.dataset_counts(materials, results, float(grid[-1])),
        "spectra_settings": validation.spectra_on_present_settings(materials, results, settings),
    })  # fmt: skip
    return (f"validate: MgSe log-alpha MAE {mgse['as_computed']['mean_absolute_log_alpha']} vs VASP; gaps vs {measured['materials']} measured: MAE "
            f"PBE {measured.get('pbe_mean_absolute_error_ev')} eV, GLLB-SC {measured.get('gllbsc_mean_absolute_error_ev')} eV -> {params['output']}")


if __name__ == "__main__":
    stage_main(run, __doc__)
