"""Stage `train`: ALIGNN spectrum model, best-on-validation checkpoint, metrics and learning curve.

``train.mode``: ``retrain`` trains from scratch (under torchrun: DDP, one rank
per GPU); ``published`` takes the authors' checkpoint (``published_run``, a
run folder of alignn 2024) through ``load_model`` and only evaluates it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import torch
from sklearn.metrics import r2_score

from specgroups.atomic import atomic_path, write_bytes_atomic, write_json_atomic
from specgroups.dataset import read_dataset
from specgroups.errors import InputError
from specgroups.graphs import load_graph_set
from specgroups.authors import find_run
from specgroups.model import SPECTRUM_OVERRIDES, build_model, load_model
from specgroups.spectra import onset_metrics
from specgroups.training import (
    TrainingResult,
    TrainingSettings,
    make_deterministic,
    predict,
    resolve_device,
    start_distributed,
    train,
)
from stages._common import load_params, stage_main

SETTING_KEYS = list(TrainingSettings.__dataclass_fields__)


def onset_parity(grid: np.ndarray, ids: list[str], predicted: np.ndarray, reference: np.ndarray, threshold: float) -> pd.DataFrame:
    """Onset energies from the reference and the predicted spectra, per material (NaN where a spectrum has none)."""
    return pd.DataFrame(
        {
            "id": ids,
            "reference_onset_ev": [onset_metrics(grid, r, threshold).onset_energy_ev for r in reference],
            "predicted_onset_ev": [onset_metrics(grid, p, threshold).onset_energy_ev for p in predicted],
        }
    )


def onset_r2(parity: pd.DataFrame) -> tuple[float, int]:
    """R^2 of predicted vs reference onset energies, over materials where both spectra have an onset."""
    finite = parity.dropna()
    if len(finite) < 2:
        return float("nan"), len(finite)
    return float(r2_score(finite["reference_onset_ev"], finite["predicted_onset_ev"])), len(finite)


def run(arguments) -> str:
    params = load_params(arguments.params, "train")
    missing = [key for key in SETTING_KEYS if key not in params]
    if missing:
        raise InputError(f"{arguments.params}: train lacks {missing}")
    settings = TrainingSettings(**{key: params[key] for key in SETTING_KEYS})
    if params["mode"] not in ("retrain", "published"):
        raise InputError(f"{arguments.params}: train.mode must be 'retrain' or 'published', got {params['mode']!r}")
    make_deterministic(settings.seed, settings.threads)
    dataset = read_dataset(params["dataset"])

    table = dataset.materials
    sets = {}
    for split in ("train", "val", "test"):
        rows = np.flatnonzero(table["split"].to_numpy() == split)
        if len(rows) == 0:
            raise InputError(f"{params['dataset']}: the {split} split is empty")
        sets[split] = load_graph_set(params["graphs"], table["id"].iloc[rows].tolist(), dataset.spectra[rows])

    device = resolve_device(settings.device)
    if params["mode"] == "published":
        run_dir = find_run(params["published_run"])
        model, run_config = load_model(run_dir, device=str(device))
        known = type(model.config).model_fields
        architecture = {k: v for k, v in run_config["model"].items() if k in known and k not in SPECTRUM_OVERRIDES}
        if architecture.get("output_features") != dataset.spectra.shape[1]:
            raise InputError(f"{run_dir}: the model has {architecture.get('output_features')} outputs, the spectra {dataset.spectra.shape[1]} points")
        result = TrainingResult(best_state=model.state_dict(), best_epoch=-1)
    else:
        architecture = {**params["architecture"], "output_features": dataset.spectra.shape[1]}
        model = build_model(architecture)
        distributed = start_distributed(settings.device)
        result = train(model, sets["train"], sets["val"], settings, distributed)
        if not distributed.is_main:
            return f"train: rank {distributed.rank} of {distributed.world_size} finished; rank 0 writes the outputs"
        model.load_state_dict(result.best_state)
    errors, predictions = {}, {}
    for split, data in sets.items():
        predictions[split] = predict(model, data, settings.batch_size, device)
        errors[split] = float(np.mean(np.abs(predictions[split] - data.targets.numpy())))
    mean_spectrum = sets["train"].targets.numpy().mean(axis=0)
    baseline = float(np.mean(np.abs(mean_spectrum[None, :] - sets["test"].targets.numpy())))
    threshold = float(params["onset_threshold"])
    parity = onset_parity(dataset.energy_grid, sets["test"].ids, predictions["test"], sets["test"].targets.numpy(), threshold)
    r2, counted = onset_r2(parity)
    write_bytes_atomic(params["onset_parity"], parity.to_csv(index=False, float_format="%.4f").encode())

    model_dir = Path(params["model_dir"])
    write_json_atomic(model_dir / "config.json", {"model": {**architecture, **SPECTRUM_OVERRIDES}, "training": settings.__dict__})
    with atomic_path(model_dir / "best_model.pt") as temporary:
        torch.save(result.best_state, temporary)
    history = pd.DataFrame(result.history, columns=["epoch", "train_loss", "val_mae", "train_seconds", "seconds"])
    write_bytes_atomic(params["learning_curve"], history.drop(columns=["seconds", "train_seconds"]).to_csv(index=False, float_format="%.6g").encode())
    metrics = {
        "spectrum_mae": {split: round(value, 4) for split, value in errors.items()},
        "mean_spectrum_baseline_test_mae": round(baseline, 4),
        "onset_r2_test": round(r2, 4),
        "onset_r2_materials": counted,
        "mode": params["mode"],
        "best_epoch": result.best_epoch,
        "epochs": settings.epochs if params["mode"] == "retrain" else 0,
        "materials": {split: len(data) for split, data in sets.items()},
        "device": str(device),
        "threads": settings.threads,
    }
    write_json_atomic(params["metrics"], metrics)
    trained = (
        f"best epoch {result.best_epoch}/{settings.epochs}, {history['train_seconds'].mean():.1f} s/epoch training"
        if params["mode"] == "retrain"
        else f"published model {params['published_run']}"
    )
    return f"train: test MAE {errors['test']:.3f} (mean-spectrum baseline {baseline:.3f}), onset R^2 {r2:.3f}, {trained} -> {model_dir}"


if __name__ == "__main__":
    stage_main(run, __doc__)
