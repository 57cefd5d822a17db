"""Stage `embed`: every layer's per-material features from the trained model, in one features.npz."""

from __future__ import annotations

from specgroups.io.dataset import read_dataset
from specgroups.io.outputs import write_features
from specgroups.model.features import EmbedSettings, embed_materials
from stages._common import stage_main


def run(profile) -> str:
    settings, layout = profile.settings(EmbedSettings, "embed"), profile.layout
    dataset = read_dataset(layout.dataset)
    features = embed_materials(layout.model, dataset.ids, dataset.spectra, layout.graphs, settings)
    write_features(layout.features, dataset.ids, dataset.materials["split"].to_numpy(), dataset.spectra, features)
    shapes = ", ".join(f"{name} {values.shape[1]}" for name, values in features.items())
    return f"embed: {len(dataset.ids)} materials; {shapes} -> {layout.features}"


if __name__ == "__main__":
    stage_main(run, __doc__)
