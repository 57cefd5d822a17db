"""Stage `train`: an ensemble of ALIGNN spectrum models (member 0: the profile's model, with its evaluation,
metrics and plots; the others in their own run folders), each with its best-on-validation checkpoint.

``train.mode``: ``retrain`` trains from scratch (one member under torchrun: DDP, one rank per GPU);
``published`` takes the authors' checkpoint (``published_run``, a run folder of alignn 2024) through
``load_model`` and only evaluates it. ``train.checkpoint`` (best or last epoch) is the one evaluated; the
saved run, whose features the embed stage extracts, is always the best, as the authors' feature extraction
reads ``best_model.pt``. ``train.ensemble``: how many members, how many train at once (:mod:`specgroups.model.ensemble`).
"""

from __future__ import annotations

from specgroups.io.atomic import write_csv_atomic
from specgroups.io.dataset import read_dataset
from specgroups.io.metrics import train_metrics, write_results
from specgroups.model.ensemble import EnsembleSettings, fit_ensemble, for_source, member_summary, save_members
from specgroups.model.fit import ModelSource
from specgroups.model.network import save_run
from specgroups.model.training import TrainingSettings
from stages._common import stage_main


def run(profile) -> str:
    layout, settings = profile.layout, profile.settings(TrainingSettings, "train")
    source, threshold = profile.settings(ModelSource, "train"), float(profile.section("dataset")["onset_threshold"])
    ensemble = for_source(profile.settings(EnsembleSettings, "train.ensemble"), source.mode)
    members = [
        fitted
        for fitted, _ in fit_ensemble(
            read_dataset(layout.dataset), layout.graphs, source, settings, threshold, ensemble
        )
    ]
    if members[0] is None:
        return "train: a distributed rank other than the first finished; the first writes the outputs"
    fitted = members[0]
    write_csv_atomic(layout.plot("onset_parity.csv"), fitted.parity, "%.4f")
    for name, table in fitted.examples.items():
        write_csv_atomic(layout.plot("test_spectra") / f"{name}.csv", table, "%.4f")
    save_run(layout.model, fitted.architecture, settings.__dict__, fitted.result.best_state)
    save_members(layout.members, members, settings, ensemble)
    write_csv_atomic(layout.plot("learning_curve.csv"), fitted.learning_curve, "%.6g")
    write_results(
        layout, "train", {**fitted.evaluation, "ensemble": member_summary(members, settings, ensemble)}, train_metrics
    )
    spread = member_summary(members, settings, ensemble)["test_mae"]
    return (
        f"train: test MAE {fitted.evaluation['spectrum_mae']['test']:.3f} (mean-spectrum baseline "
        f"{fitted.evaluation['mean_spectrum_baseline_test_mae']:.3f}), onset R^2 {fitted.evaluation['onset_r2_test']:.3f}, "
        f"{source.mode}, best epoch {fitted.result.best_epoch}; {len(members)} members, test MAE "
        f"{spread['min']:.3f}-{spread['max']:.3f} -> {layout.model}, {layout.members}"
    )


if __name__ == "__main__":
    stage_main(run, __doc__)
