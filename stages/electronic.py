"""Stage `electronic`: how far the CBM spreads in every V5+/Cr6+ oxide, by environment class, the CBM of a
representative of each side of the contrasted pair of clusters (GPAW), and the verdict of every claim.

The study's claim: with V5+/Cr6+ in isolated tetrahedra among alkali ions the conduction-band minimum is
localised on the tetrahedra; with the same cations in other environments it spreads through the crystal.
"""

from __future__ import annotations

from specgroups.io.atomic import write_csv_atomic
from specgroups.io.dataset import read_dataset
from specgroups.io.metrics import electronic_metrics, write_results
from specgroups.io.outputs import read_clusters, read_features, read_interpretation
from specgroups.study.mechanism import ElectronicSettings, explain_contrast
from stages._common import stage_main


def run(profile) -> str:
    settings, layout = profile.settings(ElectronicSettings, "electronic"), profile.layout
    layout.electronic.mkdir(parents=True, exist_ok=True)
    dataset, interpretation = read_dataset(layout.dataset), read_interpretation(layout.interpretation)
    clusters, features = read_clusters(layout.clusters, dataset.ids), read_features(layout.features)
    oxides, contrast = interpretation.contrast_oxides, interpretation.contrast
    mechanism = explain_contrast(dataset, oxides, contrast, clusters, features, settings, layout.electronic)
    if mechanism.table is not None:
        write_csv_atomic(layout.electronic / "localisation.csv", mechanism.table, "%.4g")
    write_results(layout, "electronic", mechanism.summary, electronic_metrics)
    if mechanism.table is None:
        return f"electronic: not computed (electronic.enabled is false) -> {layout.results('electronic')}"
    done = int((mechanism.table["status"] == "ok").sum())
    picked = {side: state.get("material") for side, state in mechanism.summary["representatives"].items()}
    return f"electronic: {done} of {len(mechanism.table)} V5+/Cr6+ oxides with their CBM localisation; representatives {picked}"


if __name__ == "__main__":
    stage_main(run, __doc__)
