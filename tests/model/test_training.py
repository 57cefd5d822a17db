"""Training on real GPAW spectra (the computed part of data/demo/)."""

from __future__ import annotations

import hashlib
import io

import numpy as np
import pytest
import torch
from pymatgen.core import Structure

from specgroups.model.graphs import GraphSet, GraphSettings, graph_tensors, to_graph_pair
from specgroups.model.network import build_model
from specgroups.model.training import TrainingSettings, make_deterministic, predict, train
from tests.data.test_assemble import demo_candidates
from tests.helpers import study_grid

ARCHITECTURE = {
    "alignn_layers": 1,
    "gcn_layers": 1,
    "atom_input_features": 92,
    "edge_input_features": 80,
    "triplet_input_features": 40,
    "embedding_features": 16,
    "hidden_features": 16,
    "output_features": 1501,
}


def settings(**changes) -> TrainingSettings:
    values = dict(
        epochs=3,
        batch_size=2,
        learning_rate=1e-3,
        weight_decay=1e-5,
        optimizer="adamw",
        scheduler="constant",
        loss="l1",
        seed=123,
        threads=1,
        device="cpu",
        compile=False,
    )
    return TrainingSettings(**{**values, **changes})


def real_set_for_tests() -> GraphSet:
    from specgroups.data.assemble import OnsetCorrection, SpectrumOptions, assemble_dataset

    candidates = demo_candidates(6)
    dataset, _ = assemble_dataset(
        candidates,
        SpectrumOptions(study_grid(), 2.0, 4.0, 1.0, OnsetCorrection(), 0.0),
        {"train": 0.8, "val": 0.05, "test": 0.15},
        1,
    )
    pairs = [
        to_graph_pair(graph_tensors(Structure.from_dict(dataset.structures[i]), i, GraphSettings(10.0, 12)))
        for i in dataset.ids
    ]
    return GraphSet(dataset.ids, pairs, torch.as_tensor(dataset.spectra))


@pytest.fixture(scope="module")
def real_set() -> GraphSet:
    return real_set_for_tests()


def weights_digest(state: dict) -> str:
    buffer = io.BytesIO()
    torch.save({key: state[key] for key in sorted(state)}, buffer)
    return hashlib.sha256(buffer.getvalue()).hexdigest()


def trained(real_set, **changes):
    make_deterministic(123, 1)
    model = build_model(ARCHITECTURE)
    return model, train(model, real_set, real_set, settings(**changes))


def test_same_params_give_bit_identical_weights(real_set):
    _, first = trained(real_set)
    _, second = trained(real_set)
    assert weights_digest(first.best_state) == weights_digest(second.best_state)
    _, other_seed = trained(real_set, seed=7)
    assert weights_digest(other_seed.best_state) != weights_digest(first.best_state)


def test_training_lowers_the_error_and_keeps_the_best_epoch(real_set):
    model, result = trained(real_set, epochs=8, learning_rate=3e-3)
    history = [row["val_mae"] for row in result.history]
    assert history[-1] < history[0]
    assert result.best_epoch == int(np.argmin(history)) + 1
    model.load_state_dict(result.best_state)
    predicted = predict(model, real_set, 4, torch.device("cpu"))
    assert np.mean(np.abs(predicted - real_set.targets.numpy())) == pytest.approx(min(history), rel=1e-5)


@pytest.mark.slow
def test_compiled_model_computes_the_eager_function(real_set, tmp_path):
    """torch.compile's forward agrees with eager within 1e-5 on real batches, for the test model and for the
    study's architecture loaded from a run folder in the authors' format."""
    from specgroups.model.network import load_model
    from specgroups.model.training import batches
    from tests.model.test_network import ARCHITECTURE as STUDY
    from tests.model.test_network import authors_run_folder

    make_deterministic(123, 1)
    authors_run_folder(tmp_path / "run", {**STUDY, "hidden_features": 64})
    for model in (build_model(ARCHITECTURE).train(), load_model(tmp_path / "run")[0]):
        compiled = torch.compile(model, dynamic=True)
        for inputs, _ in batches(real_set, list(range(len(real_set))), 3, torch.device("cpu")):
            with torch.no_grad():
                torch.testing.assert_close(compiled(inputs)["out"], model(inputs)["out"], rtol=0, atol=1e-5)


@pytest.mark.slow
def test_compiled_training_is_reproducible_and_close_to_eager(real_set):
    _, first = trained(real_set, compile=True)
    _, second = trained(real_set, compile=True)
    assert weights_digest(first.best_state) == weights_digest(second.best_state)
    _, eager = trained(real_set)
    assert first.best_epoch == eager.best_epoch
    for key, value in eager.best_state.items():
        torch.testing.assert_close(first.best_state[key], value, rtol=0, atol=1e-4, msg=key)


DDP_WORKER = """
import sys, torch
sys.path.insert(0, {root!r})
from tests.model.test_training import ARCHITECTURE, real_set_for_tests, settings
from specgroups.model.network import build_model
from specgroups.model.training import make_deterministic, start_distributed, train

distributed = start_distributed("cpu")
data = real_set_for_tests()
make_deterministic(123, 1)
result = train(build_model(ARCHITECTURE), data, data, settings(batch_size=2), distributed)
torch.save(result.best_state, {out!r} + f"/rank{{distributed.rank}}.pt")
"""


@pytest.mark.slow
def test_torchrun_ddp_on_cpu_matches_one_process_with_the_combined_batch(real_set, tmp_path):
    """Two Gloo ranks with batch 2 each take the same steps as one process with batch 4."""
    import subprocess
    import sys
    from pathlib import Path

    root = str(Path(__file__).parents[2])
    script = tmp_path / "worker.py"
    script.write_text(DDP_WORKER.format(root=root, out=str(tmp_path)))
    completed = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2", str(script)],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    ranks = [torch.load(tmp_path / f"rank{rank}.pt", weights_only=True) for rank in (0, 1)]
    assert weights_digest(ranks[0]) == weights_digest(ranks[1])
    _, single = trained(real_set, batch_size=4)
    for key, value in single.best_state.items():
        torch.testing.assert_close(ranks[0][key], value, rtol=1e-4, atol=1e-5, msg=key)
