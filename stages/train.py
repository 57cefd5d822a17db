"""Stage `train`: ALIGNN spectrum model, best-on-validation checkpoint, an evaluation, metrics and plots.

``train.mode``: ``retrain`` trains from scratch (under torchrun: DDP, one rank
per GPU); ``published`` takes the authors' checkpoint (``published_run``, a
run folder of alignn 2024) through ``load_model`` and only evaluates it.
``train.checkpoint`` (best or last epoch) is the one evaluated; the saved run,
whose features the embed stage extracts, is always the best, as the authors'
feature extraction reads ``best_model.pt``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from specgroups.atomic import write_csv_atomic
from specgroups.authors import find_run
from specgroups.dataset import read_dataset
from specgroups.evaluation import example_spectra, split_metrics
from specgroups.graphs import load_split_sets
from specgroups.model import build_model, published_checkpoints, save_run
from specgroups.metrics import train_metrics, write_results
from specgroups.training import TrainingResult, TrainingSettings, make_deterministic, predict, resolve_device, start_distributed, train
from stages._common import load_params, stage_main


def run(arguments) -> str:
    params = load_params(arguments.params, "train")
    settings = TrainingSettings.from_params(params, arguments.params)
    make_deterministic(settings.seed, settings.threads)
    dataset = read_dataset(params["dataset"])
    sets = load_split_sets(params["graphs"], dataset.materials, dataset.spectra)
    device = resolve_device(settings.device)
    if params["mode"] == "published":
        model, architecture, best = published_checkpoints(find_run(params["published_run"]), dataset.spectra.shape[1], str(device), params["checkpoint"])
        result = TrainingResult(best_state=best, best_epoch=-1)
    else:
        architecture = {**params["architecture"], "output_features": dataset.spectra.shape[1]}
        model, distributed = build_model(architecture), start_distributed(settings.device)
        result = train(model, sets["train"], sets["val"], settings, distributed)
        if not distributed.is_main:
            return f"train: rank {distributed.rank} of {distributed.world_size} finished; rank 0 writes the outputs"
        if params["checkpoint"] == "best":  # else evaluate the last epoch's weights, which the model holds
            model.load_state_dict(result.best_state)
    predictions, targets = {split: predict(model, data, settings.batch_size, device) for split, data in sets.items()}, {split: data.targets.numpy() for split, data in sets.items()}
    evaluation, parity = split_metrics(predictions, targets, dataset.energy_grid, sets["test"].ids, float(params["onset_threshold"]))
    write_csv_atomic(params["onset_parity"], parity, "%.4f")
    names = [f"{formula}_{m}" for m, formula in dataset.materials.set_index("id").loc[sets["test"].ids, "formula"].items()]
    for name, table in example_spectra(predictions["test"], targets["test"], dataset.energy_grid, names, list(params["example_spectra_quantiles"])).items():
        write_csv_atomic(Path(params["example_spectra"]) / f"{name}.csv", table, "%.4f")
    save_run(params["model_dir"], architecture, settings.__dict__, result.best_state)
    write_csv_atomic(params["learning_curve"], pd.DataFrame(result.history, columns=["epoch", "train_loss", "val_mae"]), "%.6g")
    evaluation.update(mode=params["mode"], checkpoint=params["checkpoint"], best_epoch=result.best_epoch, epochs=settings.epochs if params["mode"] == "retrain" else 0,
                      materials={split: len(data) for split, data in sets.items()}, device=str(device), threads=settings.threads)
    write_results(params, evaluation, train_metrics)
    return (f"train: test MAE {evaluation['spectrum_mae']['test']:.3f} (mean-spectrum baseline {evaluation['mean_spectrum_baseline_test_mae']:.3f}), "
            f"onset R^2 {evaluation['onset_r2_test']:.3f}, {params['mode']}, best epoch {result.best_epoch} -> {params['model_dir']}")


if __name__ == "__main__":
    stage_main(run, __doc__)
