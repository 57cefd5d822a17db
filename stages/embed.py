"""Stage `embed`: every layer's per-material features of every member of the ensemble: member 0's in
features.npz (the model the CLI predicts with), every member's in ensemble_features.npz."""

from __future__ import annotations

from specgroups.io.dataset import read_dataset
from specgroups.io.outputs import write_ensemble_features, write_features
from specgroups.model.ensemble import EnsembleSettings, for_source, member_runs
from specgroups.model.features import EmbedSettings, embed_materials
from stages._common import stage_main


def run(profile) -> str:
    settings, layout = profile.settings(EmbedSettings, "embed"), profile.layout
    ensemble = for_source(profile.settings(EnsembleSettings, "train.ensemble"), profile.section("train")["mode"])
    dataset = read_dataset(layout.dataset)
    runs = member_runs(layout.model, layout.members, ensemble)
    members = [embed_materials(run, dataset.ids, dataset.spectra, layout.graphs, settings) for run in runs]
    write_features(layout.features, dataset.ids, dataset.materials["split"].to_numpy(), dataset.spectra, members[0])
    write_ensemble_features(layout.ensemble_features, dataset.ids, members)
    shapes = ", ".join(f"{name} {values.shape[1]}" for name, values in members[0].items())
    return f"embed: {len(dataset.ids)} materials, {len(members)} members; {shapes} -> {layout.features}, {layout.ensemble_features}"


if __name__ == "__main__":
    stage_main(run, __doc__)
