"""specgroups.model.ensemble: members differ in seed and validation split, never in the test set, and a member's
model does not depend on how many train at once."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from specgroups import InputError
from specgroups.io.dataset import read_dataset
from specgroups.io.params import profile_params, settings_from
from specgroups.model.ensemble import EnsembleSettings, fit_ensemble, member_split, member_training
from specgroups.model.features import EmbedSettings
from specgroups.model.fit import ModelSource
from specgroups.model.training import TrainingSettings

SPLIT = pd.DataFrame({"split": ["train"] * 14 + ["val"] * 3 + ["test"] * 3})


def test_member_zero_keeps_the_datasets_split_and_the_others_redraw_only_validation():
    assert member_split(SPLIT, 0).tolist() == SPLIT["split"].tolist()
    drawn = [member_split(SPLIT, k) for k in (1, 2, 3)]
    for split in drawn:
        assert (split[-3:] == "test").all() and (split == "val").sum() == 3 and (split[:17] != "test").all()
    assert len({tuple(np.flatnonzero(split == "val")) for split in drawn}) == 3
    assert member_split(SPLIT, 2).tolist() == drawn[1].tolist()  # seeded


def test_each_member_has_its_own_seed_one_thread_and_the_ensembles_epochs():
    settings = TrainingSettings(60, 8, 1e-3, 1e-5, "adamw", "constant", "l1", 123, 2, "cpu", False)
    assert member_training(settings, EnsembleSettings(4, 2, 20), 3) == dataclasses.replace(
        settings, seed=126, threads=1, epochs=20
    )
    assert member_training(settings, EnsembleSettings(4, 2), 0).epochs == 60
    with pytest.raises(InputError, match="at least one member"):
        EnsembleSettings(0, 2)


@pytest.mark.slow
def test_members_are_the_same_trained_one_at_a_time_or_in_parallel(pipeline_repo):
    params = profile_params(pipeline_repo, pipeline_repo)
    dataset = read_dataset(pipeline_repo / "data/dataset")
    arguments = (
        dataset,
        pipeline_repo / "data/graphs",
        settings_from(ModelSource, params["train"], "train"),
        settings_from(TrainingSettings, params["train"], "train"),
        float(params["dataset"]["onset_threshold"]),
    )
    embed = settings_from(EmbedSettings, params["embed"], "embed")
    parallel = fit_ensemble(*arguments, EnsembleSettings(2, 2, 2), embed)
    one_at_a_time = fit_ensemble(*arguments, EnsembleSettings(2, 1, 2), embed)
    for (fitted_a, features_a), (fitted_b, features_b) in zip(parallel, one_at_a_time):
        assert all(np.array_equal(features_a[name], features_b[name]) for name in features_a)
        assert fitted_a.evaluation["spectrum_mae"] == fitted_b.evaluation["spectrum_mae"]
    assert not np.array_equal(parallel[0][1]["pooled"], parallel[1][1]["pooled"])
