"""Stage `train`: ALIGNN spectrum model, best-on-validation checkpoint, an evaluation, metrics and plots.

``train.mode``: ``retrain`` trains from scratch (under torchrun: DDP, one rank
per GPU); ``published`` takes the authors' checkpoint (``published_run``, a
run folder of alignn 2024) through ``load_model`` and only evaluates it.
``train.checkpoint`` (best or last epoch) is the one evaluated; the saved run,
whose features the embed stage extracts, is always the best, as the authors'
feature extraction reads ``best_model.pt``.
"""

from __future__ import annotations

from specgroups.io.atomic import write_csv_atomic
from specgroups.io.dataset import read_dataset
from specgroups.io.metrics import train_metrics, write_results
from specgroups.model.fit import ModelSource, fit_and_evaluate
from specgroups.model.network import save_run
from specgroups.model.training import TrainingSettings
from stages._common import stage_main


def run(profile) -> str:
    layout, settings = profile.layout, profile.settings(TrainingSettings, "train")
    source, threshold = profile.settings(ModelSource, "train"), float(profile.section("dataset")["onset_threshold"])
    fitted = fit_and_evaluate(read_dataset(layout.dataset), layout.graphs, source, settings, threshold)
    if fitted is None:
        return "train: a distributed rank other than the first finished; the first writes the outputs"
    write_csv_atomic(layout.plot("onset_parity.csv"), fitted.parity, "%.4f")
    for name, table in fitted.examples.items():
        write_csv_atomic(layout.plot("test_spectra") / f"{name}.csv", table, "%.4f")
    save_run(layout.model, fitted.architecture, settings.__dict__, fitted.result.best_state)
    write_csv_atomic(layout.plot("learning_curve.csv"), fitted.learning_curve, "%.6g")
    write_results(layout, "train", fitted.evaluation, train_metrics)
    evaluation = fitted.evaluation
    return (
        f"train: test MAE {evaluation['spectrum_mae']['test']:.3f} (mean-spectrum baseline "
        f"{evaluation['mean_spectrum_baseline_test_mae']:.3f}), onset R^2 {evaluation['onset_r2_test']:.3f}, "
        f"{source.mode}, best epoch {fitted.result.best_epoch} -> {layout.model}"
    )


if __name__ == "__main__":
    stage_main(run, __doc__)
