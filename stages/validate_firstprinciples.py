"""Stage `validate` (first-principles profile): GPAW against VASP (MgSe), experiment (MgO) and PBEsol gaps."""

from __future__ import annotations

from pathlib import Path

from pymatgen.core import Structure

from specgroups.atomic import read_json, write_json_atomic
from specgroups.firstprinciples.results import load_results
from specgroups.firstprinciples.settings import OpticsSettings
from specgroups.firstprinciples.validation import against_experiment, against_vasp, dataset_counts, gaps_against_database
from specgroups.spectra import energy_grid
from stages._common import load_params, stage_main


def run(arguments) -> str:
    params = load_params(arguments.params, "validate")
    settings = OpticsSettings.from_params(load_params(arguments.params, "gpaw"))
    grid = energy_grid(**params["grid"])
    mgse = against_vasp(params["vasp_reference"], settings, grid)
    mgo_record = next(r for r in read_json(params["oxides"]) if r["id"] == params["mgo_id"])
    mgo = against_experiment(Structure.from_dict(mgo_record["structure"]), params["mgo_id"], settings,
                             params["mgo_measured_gap_ev"], params["mgo_measured_eps_inf"])
    materials = {m["id"]: m for m in read_json(params["materials"])}
    results = load_results(Path(params["first_principles"]))
    gaps = gaps_against_database(materials, results)
    write_json_atomic(params["output"], {
        "mgse_gpaw_vs_vasp": mgse["as_computed"],
        "mgse_gpaw_vs_vasp_cut_below_gap": mgse["cut_below_gap"],
        "mgo_gpaw_vs_experiment": mgo,
        "gaps_gpaw_pbe_vs_pbesol_database": gaps,
        "dataset": dataset_counts(materials, results, float(grid[-1])),
    })
    return (f"validate: MgSe log-alpha MAE {mgse['as_computed']['mean_absolute_log_alpha']} ({mgse['cut_below_gap']['mean_absolute_log_alpha']} cut "
            f"below the gap) vs VASP, MgO gap {mgo['gap_ev']:.2f} eV, gaps vs PBEsol r={gaps['pearson_r']} -> {params['output']}")


if __name__ == "__main__":
    stage_main(run, __doc__)
