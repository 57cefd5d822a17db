"""Building ALIGNN spectrum models (pure PyTorch) and loading the authors' checkpoints."""

from __future__ import annotations

from pathlib import Path

import torch

from specgroups.errors import InputError
from specgroups.io.archives import read_json_archive
from specgroups.io.atomic import write_json_atomic, write_torch_atomic

# The pure model has this buffer; DGL-era checkpoints do not.
PURE_ONLY_KEYS = {"_species_table"}
# Settings every spectrum model needs, whatever a config says: a (B, 1501) output
# times the atom count crashes, and forces of a spectrum mean nothing.
SPECTRUM_OVERRIDES = {
    "name": "alignn_atomwise_pure",
    "energy_mult_natoms": False,
    "calculate_gradient": False,
    "gradwise_weight": 0.0,
}


# alignn's checkpoints: the best-on-validation epoch's weights and the last epoch's (the study's table is the last's)
CHECKPOINTS = ("best", "last")


def build_model(architecture: dict):
    """An ``ALIGNNAtomWisePure`` for the given architecture (alignn config keys, e.g. alignn_layers, hidden_features)."""
    from alignn.models.alignn_atomwise_pure import ALIGNNAtomWisePure, ALIGNNAtomWisePureConfig

    known = set(ALIGNNAtomWisePureConfig.model_fields)
    unknown = sorted(set(architecture) - known)
    if unknown:
        raise InputError(f"params: unknown model settings {unknown}")
    try:
        config = ALIGNNAtomWisePureConfig(**{**architecture, **SPECTRUM_OVERRIDES})
    except ValueError as error:  # pydantic's ValidationError
        raise InputError(f"params: invalid model settings ({error})") from error
    return ALIGNNAtomWisePure(config)


def load_model(run_dir: str | Path, device: str = "cpu", checkpoint: str = "best"):
    """Load a run folder of alignn 2024 (``config.json[.tar.gz]`` + ``<checkpoint>_model.pt``: ``best``, the
    best-on-validation epoch, or ``last``, the last epoch) into the pure model.

    The authors trained alignn's DGL model ``alignn_atomwise``; its state_dict
    has the same 192 tensors as ``ALIGNNAtomWisePure``. The checkpoint is read
    with ``weights_only=True`` so a file from the internet cannot run code
    (alignn's own ``load_pure_torch_model`` uses weights_only=False).
    Returns (model in eval mode, the run's config dict).
    """
    if checkpoint not in CHECKPOINTS:
        raise InputError(f"params: checkpoint must be one of {CHECKPOINTS}, got {checkpoint!r}")
    run_dir = Path(run_dir)
    config_path, checkpoint_path = run_dir / "config.json", run_dir / f"{checkpoint}_model.pt"
    if not config_path.is_file() and (run_dir / "config.json.tar.gz").is_file():
        config_path = run_dir / "config.json.tar.gz"  # the authors' repository archives its configs
    for path in (config_path, checkpoint_path):
        if not path.is_file():
            raise InputError(f"{path}: not found (a run folder needs config.json and {checkpoint}_model.pt)")
    config = read_json_archive(config_path)
    try:
        architecture = dict(config["model"])
    except (KeyError, TypeError, ValueError) as error:
        raise InputError(f"{config_path}: not an alignn run config with a 'model' section ({error})") from error
    from alignn.models.alignn_atomwise_pure import ALIGNNAtomWisePureConfig

    architecture = {key: value for key, value in architecture.items() if key in ALIGNNAtomWisePureConfig.model_fields}
    model = build_model(architecture)
    try:
        state = torch.load(checkpoint_path, map_location=device, weights_only=True)
    except Exception as error:  # torch raises UnpicklingError, RuntimeError, EOFError ... for a bad file
        raise InputError(
            f"{checkpoint_path}: not a loadable weights-only checkpoint ({type(error).__name__}: {error})"
        ) from error
    if isinstance(state, dict) and isinstance(state.get("model"), dict):
        state = state["model"]
    expected = model.state_dict()
    wrong_shapes = [
        f"{key} {tuple(value.shape)} vs {tuple(expected[key].shape)}"
        for key, value in state.items()
        if key in expected and tuple(value.shape) != tuple(expected[key].shape)
    ]
    missing = sorted(set(expected) - set(state) - PURE_ONLY_KEYS)
    unexpected = sorted(set(state) - set(expected))
    if wrong_shapes or missing or unexpected:
        raise InputError(
            f"{checkpoint_path}: does not match {config_path}: "
            f"shapes {wrong_shapes[:3]}, missing {missing[:3]}, unexpected {unexpected[:3]}"
        )
    model.load_state_dict({**expected, **state})
    return model.to(device).eval(), config


def load_published_model(run_dir: str | Path, points: int, device: str = "cpu", checkpoint: str = "best"):
    """The authors' checkpoint (a run folder of alignn 2024; ``best`` or ``last``) as (model, architecture), checked
    to predict spectra of ``points`` energies; the architecture leaves out the settings every spectrum model overrides."""
    model, run_config = load_model(run_dir, device=device, checkpoint=checkpoint)
    known = type(model.config).model_fields
    architecture = {k: v for k, v in run_config["model"].items() if k in known and k not in SPECTRUM_OVERRIDES}
    if architecture.get("output_features") != points:
        raise InputError(
            f"{run_dir}: the model has {architecture.get('output_features')} outputs, the spectra {points} points"
        )
    return model, architecture


def published_checkpoints(run_dir: str | Path, points: int, device: str, checkpoint: str) -> tuple[object, dict, dict]:
    """(the model at ``checkpoint``, to evaluate; its architecture; the best checkpoint's state, to save) of an
    alignn 2024 run folder (:func:`load_published_model`)."""
    model, architecture = load_published_model(run_dir, points, device, checkpoint)
    best = model if checkpoint == "best" else load_published_model(run_dir, points, device, "best")[0]
    return model, architecture, best.state_dict()


def save_run(model_dir: str | Path, architecture: dict, training: dict, state: dict) -> None:
    """A run folder that :func:`load_model` reads: ``config.json`` (model and training settings) and ``best_model.pt``."""
    model_dir = Path(model_dir)
    write_json_atomic(
        model_dir / "config.json", {"model": {**architecture, **SPECTRUM_OVERRIDES}, "training": training}
    )
    write_torch_atomic(model_dir / "best_model.pt", state)
