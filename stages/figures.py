"""Stage `figures`: figure 1 (workflow), 2 (every cluster), 3 (the contrasted pair of clusters), 4 (stability
across the ensemble) and per-cluster panels."""

from __future__ import annotations

from specgroups.io.atomic import read_json
from specgroups.io.dataset import read_dataset
from specgroups.io.outputs import read_clusters, read_interpretation
from specgroups.present.figures import FigureSettings, draw_figures
from stages._common import stage_main


def run(profile) -> str:
    settings, layout = profile.settings(FigureSettings, "figures"), profile.layout
    dataset = read_dataset(layout.dataset)
    clusters = read_clusters(layout.clusters, dataset.ids)
    pair = read_interpretation(layout.interpretation).contrast["pair"]
    summaries = {stage: read_json(layout.results(stage)) for stage in ("dataset", "train", "cluster", "electronic")}
    written = draw_figures(
        profile.params, settings, dataset, clusters, pair, summaries, layout.dvc_yaml, layout.electronic, layout.figures
    )
    clusters = len(set(clusters["labels"].tolist()))
    return f"figures: {len(written)} files (figures 1-4 and {clusters} cluster panels) -> {layout.figures}"


if __name__ == "__main__":
    stage_main(run, __doc__)
