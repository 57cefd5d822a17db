"""Stage `pretrained`: per-material features of a universal pretrained model that never saw a spectrum (CHGNet),
a baseline the scan and cluster stages compare the spectrum model's clusters with."""

from __future__ import annotations

from specgroups.io.dataset import read_dataset
from specgroups.io.outputs import write_pretrained_features
from specgroups.model.pretrained import PretrainedSettings, chgnet_features
from stages._common import stage_main


def run(profile) -> str:
    settings, layout = profile.settings(PretrainedSettings, "pretrained"), profile.layout
    dataset = read_dataset(layout.dataset)
    features = chgnet_features(dataset.structures, dataset.ids, settings)
    write_pretrained_features(layout.pretrained_features, dataset.ids, {"chgnet": features})
    return (
        f"pretrained: CHGNet {settings.model} features ({features.shape[1]} per material) of {len(dataset.ids)} "
        f"materials -> {layout.pretrained_features}"
    )


if __name__ == "__main__":
    stage_main(run, __doc__)
