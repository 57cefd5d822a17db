"""Stage `validate` (first-principles profile): GPAW against VASP (MgSe), experiment (MgO) and PBEsol gaps."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from pymatgen.core import Structure

from specgroups.atomic import read_json, write_json_atomic
from specgroups.firstprinciples.calculation import compute_optics
from specgroups.firstprinciples.results import exclusion_reason, load_results
from specgroups.firstprinciples.settings import OpticsSettings
from specgroups.firstprinciples.validation import compare_spectra, gap_agreement
from specgroups.spectra import dielectric_from_vise_dict, read_dielectric, study_energy_grid
from stages._common import load_params, stage_main


def run(arguments) -> str:
    params = load_params(arguments.params, "validate")
    settings = OpticsSettings.from_params(load_params(arguments.params, "gpaw"))
    grid = study_energy_grid()

    from pymatgen.io.vasp import Vasprun

    vasp_path = params["vasp_reference"]
    vasp = read_dielectric(vasp_path)
    structure = Vasprun(vasp_path, parse_dos=False, parse_potcar_file=False).final_structure
    mgse = compute_optics(structure, "MgSe (VASP fixture structure)", settings)
    gpaw_mgse = dielectric_from_vise_dict(mgse.dielectric, "GPAW MgSe")
    mgse_comparison = compare_spectra(vasp, gpaw_mgse, grid)
    mgse_cut = compare_spectra(vasp, gpaw_mgse, grid, cut_below_gap=True)

    mgo_record = next(r for r in read_json(params["oxides"]) if r["id"] == params["mgo_id"])
    mgo = compute_optics(Structure.from_dict(mgo_record["structure"]), params["mgo_id"], settings)
    mgo_dielectric = dielectric_from_vise_dict(mgo.dielectric, "GPAW MgO")

    materials = {m["id"]: m for m in read_json(params["materials"])}
    results = load_results(Path(params["first_principles"]))
    finished = [r for r in results.values() if r["status"] == "ok" and materials.get(r["material_id"], {}).get("reference_gap_ev") is not None]
    gaps = gap_agreement(
        [r["band_gap_ev"] for r in finished], [materials[r["material_id"]]["reference_gap_ev"] for r in finished]
    )
    statuses = [r["status"] for r in results.values()]
    usable = [r["material_id"] for r in results.values() if not exclusion_reason(r, float(grid[-1]))]
    report = {
        "mgse_gpaw_vs_vasp": {**mgse_comparison, "vasp_file": vasp_path, "cpu_seconds": mgse.cpu_seconds["total"]},
        "mgse_gpaw_vs_vasp_cut_below_gap": mgse_cut,
        "mgo_gpaw_vs_experiment": {
            "gap_ev": round(mgo.band_gap_ev, 3),
            "measured_gap_ev": params["mgo_measured_gap_ev"],
            "eps_inf": round(float(mgo_dielectric.eps_real[0]), 3),
            "measured_eps_inf": params["mgo_measured_eps_inf"],
        },
        "gaps_gpaw_pbe_vs_pbesol_database": gaps,
        "dataset": {
            "computed": len(results),
            "ok": statuses.count("ok"),
            "metal": statuses.count("metal"),
            "failed": statuses.count("failed"),
            "min_transitions_complete_to_ev": round(min(r["transitions_complete_to_ev"] for r in results.values() if r["status"] == "ok"), 2),
            # what the dataset stage can use: non-metallic, every transition on the 0-15 eV grid included
            "complete_to_grid_end": len(usable),
            "complete_to_grid_end_by_source": dict(Counter(materials[material_id]["source"] for material_id in usable)),
            "not_computed": len(set(materials) - set(results)),
        },
    }
    write_json_atomic(params["output"], report)
    return (
        f"validate: MgSe log-alpha MAE {mgse_comparison['mean_absolute_log_alpha']} "
        f"({mgse_cut['mean_absolute_log_alpha']} cut below the gap) vs VASP, "
        f"MgO gap {mgo.band_gap_ev:.2f} eV, gaps vs PBEsol r={gaps['pearson_r']} -> {params['output']}"
    )


if __name__ == "__main__":
    stage_main(run, __doc__)
