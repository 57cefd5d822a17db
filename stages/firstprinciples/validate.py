"""Stage `validate` (first-principles profile): GPAW against VASP (MgSe), experiment (MgO, measured gaps),
PBEsol gaps; the direct-gap cut; the convergence table; CPU hours."""

from __future__ import annotations

from specgroups.firstprinciples.settings import OpticsSettings
from specgroups.firstprinciples.validation import validation_report
from specgroups.io.atomic import write_json_atomic
from stages._common import stage_main


def run(profile) -> str:
    params = profile.section("validate")
    report = validation_report(params, OpticsSettings.from_params(profile.section("gpaw")))
    write_json_atomic(params["output"], report)
    return (
        f"validate: MgSe log-alpha MAE {report['mgse_gpaw_vs_vasp']['mean_absolute_log_alpha']} vs VASP; gaps vs {report['gaps_vs_measured']['materials']} measured: MAE "
        f"PBE {report['gaps_vs_measured'].get('pbe_mean_absolute_error_ev')} eV, GLLB-SC {report['gaps_vs_measured'].get('gllbsc_mean_absolute_error_ev')} eV -> {params['output']}"
    )


if __name__ == "__main__":
    stage_main(run, __doc__, overlay=False)
