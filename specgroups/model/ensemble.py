"""An ensemble of spectrum models: members that differ in their random initialisation and training order (the
torch seed) and in which of the training materials validate the checkpoint choice.

Member 0 is the profile's model as one training run makes it (``train.seed``, the dataset's split). Member
``k >= 1`` trains with seed ``train.seed + k`` and a validation set of the same size drawn again, with seed
``k``, from the dataset's training and validation materials; the test materials are never used by any member,
so every member is evaluated on the same held-out set. Members train in parallel processes, one thread each:
a member's weights depend only on its seed and split, not on how many run at once.
"""

from __future__ import annotations

import dataclasses
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

import numpy as np
import pandas as pd

from specgroups.errors import InputError
from specgroups.io.dataset import SpectralDataset
from specgroups.model.features import EmbedSettings


@dataclass(frozen=True)
class EnsembleSettings:
    """``members`` models (at least 1), each trained for ``epochs`` epochs (null: ``train.epochs``), ``workers``
    at a time in separate processes."""

    members: int
    workers: int
    epochs: int | None = None

    def __post_init__(self) -> None:
        if self.members < 1 or self.workers < 1:
            raise InputError(f"params: train.ensemble needs at least one member and one worker, got {self}")


def member_split(materials: pd.DataFrame, member: int) -> np.ndarray:
    """The ``split`` column member ``member`` trains on: the dataset's for member 0; for the others, a validation
    set of the same size drawn with seed ``member`` from the training and validation materials (test unchanged)."""
    split = materials["split"].to_numpy().astype(object).copy()
    if member == 0:
        return split
    pool = np.flatnonzero(np.isin(split, ["train", "val"]))
    chosen = np.random.default_rng(member).choice(pool, size=int((split == "val").sum()), replace=False)
    split[pool] = "train"
    split[chosen] = "val"
    return split


def member_dataset(dataset: SpectralDataset, member: int) -> SpectralDataset:
    """The dataset with member ``member``'s split (:func:`member_split`)."""
    materials = dataset.materials.copy()
    materials["split"] = member_split(dataset.materials, member)
    return dataclasses.replace(dataset, materials=materials)


def member_training(settings, ensemble: EnsembleSettings, member: int):
    """Member ``member``'s :class:`specgroups.model.training.TrainingSettings`: seed ``seed + member``, one
    thread, the ensemble's epochs where it sets them."""
    epochs = ensemble.epochs if ensemble.epochs is not None else settings.epochs
    return dataclasses.replace(settings, seed=settings.seed + member, threads=1, epochs=epochs)


def _fit_member(task: tuple) -> tuple[int, object, dict[str, np.ndarray] | None]:
    """One member: (member, its FittedModel, its features of every material or None without ``embed``); run in a
    worker process."""
    from specgroups.model.features import extract_features
    from specgroups.model.fit import fit_and_evaluate
    from specgroups.model.graphs import load_graph_set
    from specgroups.model.network import build_model
    from specgroups.model.training import make_deterministic, resolve_device

    member, dataset, graphs_dir, source, settings, threshold, embed = task
    fitted = fit_and_evaluate(member_dataset(dataset, member), graphs_dir, source, settings, threshold)
    if embed is None or fitted is None:
        return member, fitted, None
    model = build_model(fitted.architecture)
    model.load_state_dict(fitted.result.best_state)
    make_deterministic(embed.seed, 1)
    data = load_graph_set(graphs_dir, dataset.ids, dataset.spectra)
    return member, fitted, extract_features(model, data, embed.batch_size, resolve_device(embed.device))


def fit_ensemble(
    dataset: SpectralDataset,
    graphs_dir: str | Path,
    source,
    settings,
    threshold: float,
    ensemble: EnsembleSettings,
    embed: EmbedSettings | None = None,
) -> list[tuple[object, dict[str, np.ndarray] | None]]:
    """[(FittedModel, features of every material, or None without ``embed``)] of every member, in member order;
    one member trains in this process (as a single model under torchrun, whose other ranks give None)."""
    tasks = [
        (k, dataset, str(graphs_dir), source, member_training(settings, ensemble, k), threshold, embed)
        for k in range(ensemble.members)
    ]
    if ensemble.workers == 1 or ensemble.members == 1:
        done = [_fit_member(task) for task in tasks]
    else:
        with ProcessPoolExecutor(max_workers=ensemble.workers, mp_context=get_context("spawn")) as pool:
            done = list(pool.map(_fit_member, tasks))
    return [(fitted, features) for _, fitted, features in sorted(done, key=lambda item: item[0])]


def member_folder(members_dir: str | Path, member: int) -> Path:
    """The run folder of member ``member >= 1`` (member 0 is the profile's model folder)."""
    return Path(members_dir) / f"member_{member:02d}"


def save_members(members_dir: str | Path, fitted: list, settings, ensemble: EnsembleSettings) -> None:
    """The run folder of every member but the first, each with its own training settings (the folder is made even
    for a single model, so that it is always the stage's output)."""
    from specgroups.model.network import save_run

    Path(members_dir).mkdir(parents=True, exist_ok=True)
    for member, model in enumerate(fitted[1:], start=1):
        training = member_training(settings, ensemble, member).__dict__
        save_run(member_folder(members_dir, member), model.architecture, training, model.result.best_state)


def member_summary(fitted: list, settings, ensemble: EnsembleSettings) -> dict:
    """JSON-ready: each member's seed, epochs, best epoch, test MAE and onset R^2, and the spread of the test MAE
    over the members (min, max, standard deviation)."""
    rows = [
        {
            "member": member,
            "seed": member_training(settings, ensemble, member).seed,
            "epochs": member_training(settings, ensemble, member).epochs,
            "best_epoch": model.result.best_epoch,
            "test_mae": model.evaluation["spectrum_mae"]["test"],
            "onset_r2_test": model.evaluation["onset_r2_test"],
        }
        for member, model in enumerate(fitted)
    ]
    mae = np.array([row["test_mae"] for row in rows])
    spread = {"min": float(mae.min()), "max": float(mae.max()), "sd": float(mae.std(ddof=1)) if len(mae) > 1 else 0.0}
    return {"members": rows, "test_mae": spread}


def for_source(ensemble: EnsembleSettings, mode: str) -> EnsembleSettings:
    """The ensemble a model source allows: a published checkpoint is one model (its runs are not retrained)."""
    return dataclasses.replace(ensemble, members=1, workers=1) if mode == "published" else ensemble


def member_runs(model_dir: str | Path, members_dir: str | Path, ensemble: EnsembleSettings) -> list[Path]:
    """The run folder of every member, member 0 first."""
    return [Path(model_dir), *(member_folder(members_dir, member) for member in range(1, ensemble.members))]
