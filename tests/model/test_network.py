"""Building the pure-torch model and loading run folders in the authors' (alignn 2024) format."""

from __future__ import annotations

import json

import pytest
import torch

from specgroups import InputError
from specgroups.model.network import build_model, load_model

ARCHITECTURE = {
    "alignn_layers": 4,
    "gcn_layers": 4,
    "atom_input_features": 92,
    "edge_input_features": 80,
    "triplet_input_features": 40,
    "embedding_features": 64,
    "hidden_features": 32,
    "output_features": 1501,
}


def authors_run_folder(path, architecture=ARCHITECTURE, state=None):
    """A run folder as alignn 2024.3.24 wrote it: DGL model name, extra config keys, no _species_table."""
    model = build_model(architecture)
    state = state if state is not None else {k: v for k, v in model.state_dict().items() if k != "_species_table"}
    config = {
        "version": "abc123",
        "dataset": "user_data",
        "target": "target",
        "neighbor_strategy": "k-nearest",
        "cutoff": 10.0,
        "max_neighbors": 20,
        "batch_size": 4,
        "epochs": 500,
        "learning_rate": 0.001,
        "model": {"name": "alignn_atomwise", **architecture, "link": "identity"},
    }
    path.mkdir(parents=True, exist_ok=True)
    (path / "config.json").write_text(json.dumps(config))
    torch.save(state, path / "best_model.pt")
    return model


def test_authors_checkpoint_loads_with_identical_weights(tmp_path):
    original = authors_run_folder(tmp_path / "run")
    loaded, config = load_model(tmp_path / "run")
    assert config["model"]["name"] == "alignn_atomwise"
    assert not loaded.training and len(loaded.alignn_layers) == 4 and len(loaded.gcn_layers) == 4
    for key, value in original.state_dict().items():
        if key != "_species_table":
            assert torch.equal(value, loaded.state_dict()[key]), key
    assert len([k for k in loaded.state_dict() if k != "_species_table"]) == 192


def test_checkpoint_that_does_not_match_its_config(tmp_path):
    authors_run_folder(tmp_path / "run")
    config = json.loads((tmp_path / "run/config.json").read_text())
    config["model"]["hidden_features"] = 64
    (tmp_path / "run/config.json").write_text(json.dumps(config))
    with pytest.raises(InputError, match="best_model.pt: does not match .*config.json"):
        load_model(tmp_path / "run")


def test_checkpoint_with_pickled_code_is_refused(tmp_path):
    authors_run_folder(tmp_path / "run", state={"model": {"weights": torch.zeros(1)}, "callback": InputError("x")})
    with pytest.raises(InputError, match="not a loadable weights-only checkpoint"):
        load_model(tmp_path / "run")


def test_missing_run_files(tmp_path):
    with pytest.raises(InputError, match="config.json: not found"):
        load_model(tmp_path)


def test_spectrum_settings_are_forced():
    model = build_model({**ARCHITECTURE, "energy_mult_natoms": True, "calculate_gradient": True})
    assert model.config.energy_mult_natoms is False and model.config.calculate_gradient is False
    with pytest.raises(InputError, match="unknown model settings"):
        build_model({**ARCHITECTURE, "hiden_features": 3})


def test_a_saved_run_loads_back_and_saving_twice_gives_the_same_bytes(tmp_path):
    from specgroups.model.network import save_run

    architecture = {**ARCHITECTURE, "alignn_layers": 1, "gcn_layers": 1, "hidden_features": 16}
    model = build_model(architecture)
    for folder in ("a", "b"):
        save_run(tmp_path / folder, architecture, {"epochs": 1}, model.state_dict())
    assert (tmp_path / "a/best_model.pt").read_bytes() == (tmp_path / "b/best_model.pt").read_bytes()
    loaded, config = load_model(tmp_path / "a")
    assert config["training"] == {"epochs": 1}
    assert all(torch.equal(loaded.state_dict()[key], value) for key, value in model.state_dict().items())
