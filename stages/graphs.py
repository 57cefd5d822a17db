"""Stage `graphs`: ALIGNN k-nearest graphs for every material of the dataset (cached by structure hash)."""

from __future__ import annotations

from specgroups.io.dataset import read_dataset
from specgroups.model.graphs import GraphSettings, update_graph_cache
from stages._common import stage_main


def run(profile) -> str:
    settings, output = profile.settings(GraphSettings, "graphs"), profile.layout.graphs
    dataset = read_dataset(profile.layout.dataset)
    index = update_graph_cache(dataset.structures, dataset.ids, settings, output)
    return (
        f"graphs: {len(index)} materials (cutoff {settings.cutoff} A, {settings.max_neighbors} neighbours) -> {output}"
    )


if __name__ == "__main__":
    stage_main(run, __doc__)
