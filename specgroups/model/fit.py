"""One spectrum model for a dataset: trained here or taken from the authors, then evaluated on every split."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from specgroups.errors import InputError
from specgroups.io.dataset import SpectralDataset
from specgroups.model.evaluation import example_spectra, split_metrics
from specgroups.model.graphs import load_split_sets
from specgroups.model.network import build_model, published_checkpoints
from specgroups.model.training import (
    TrainingResult,
    TrainingSettings,
    make_deterministic,
    predict,
    resolve_device,
    start_distributed,
    train,
)

MODES = ("retrain", "published")
CHECKPOINTS = ("best", "last")


@dataclass(frozen=True)
class ModelSource:
    """Where the model comes from: ``mode`` retrain (train here, with ``architecture``) or published (the
    authors' run folder ``published_run``, only evaluated); ``checkpoint`` (best or last epoch) is the one
    evaluated; the test materials whose MAE ranks at ``example_spectra_quantiles`` are shown as plots."""

    mode: str
    checkpoint: str
    published_run: str | None
    architecture: dict
    example_spectra_quantiles: tuple[float, ...]

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise InputError(f"params: train.mode must be one of {MODES}, got {self.mode!r}")
        if self.checkpoint not in CHECKPOINTS:
            raise InputError(f"params: train.checkpoint must be one of {CHECKPOINTS}, got {self.checkpoint!r}")


@dataclass
class FittedModel:
    """The model's architecture and best weights, the run's history, its evaluation (:func:`split_metrics`
    plus how it was made), the test onsets' parity table and the example spectra by name."""

    architecture: dict
    result: TrainingResult
    evaluation: dict
    parity: pd.DataFrame
    examples: dict[str, pd.DataFrame]

    @property
    def learning_curve(self) -> pd.DataFrame:
        return pd.DataFrame(self.result.history, columns=["epoch", "train_loss", "val_mae"])


def fit_and_evaluate(
    dataset: SpectralDataset,
    graphs_dir: str | Path,
    source: ModelSource,
    settings: TrainingSettings,
    onset_threshold: float,
) -> FittedModel | None:
    """The :class:`FittedModel` of ``dataset``; None on a distributed rank other than the first, which writes."""
    from specgroups.data.authors import find_run

    make_deterministic(settings.seed, settings.threads)
    sets = load_split_sets(graphs_dir, dataset.materials, dataset.spectra)
    device = resolve_device(settings.device)
    if source.mode == "published":
        model, architecture, best = published_checkpoints(
            find_run(source.published_run), dataset.spectra.shape[1], str(device), source.checkpoint
        )
        result = TrainingResult(best_state=best, best_epoch=-1)
    else:
        architecture = {**source.architecture, "output_features": dataset.spectra.shape[1]}
        model, distributed = build_model(architecture), start_distributed(settings.device)
        result = train(model, sets["train"], sets["val"], settings, distributed)
        if not distributed.is_main:
            return None
        if source.checkpoint == "best":  # else evaluate the last epoch's weights, which the model holds
            model.load_state_dict(result.best_state)
    predictions = {split: predict(model, data, settings.batch_size, device) for split, data in sets.items()}
    targets = {split: data.targets.numpy() for split, data in sets.items()}
    evaluation, parity = split_metrics(predictions, targets, dataset.energy_grid, sets["test"].ids, onset_threshold)
    formulas = dataset.materials.set_index("id").loc[sets["test"].ids, "formula"]
    names = [f"{formula}_{m}" for m, formula in formulas.items()]
    examples = example_spectra(
        predictions["test"], targets["test"], dataset.energy_grid, names, list(source.example_spectra_quantiles)
    )
    evaluation.update(
        mode=source.mode,
        checkpoint=source.checkpoint,
        best_epoch=result.best_epoch,
        epochs=settings.epochs if source.mode == "retrain" else 0,
        materials={split: len(data) for split, data in sets.items()},
        device=str(device),
        threads=settings.threads,
    )
    return FittedModel(architecture, result, evaluation, parity, examples)
