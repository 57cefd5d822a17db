"""Per-material features from every layer of a trained ALIGNN model, via forward hooks.

For each crystal: the mean over atoms of the node features after each ALIGNN
layer and each GCN layer, the pooled vector fed to the final linear layer, and
the predicted spectrum. The pooled vector is the mean of the last GCN layer's
output, so those two representations are equal by construction.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from specgroups.model.graphs import GraphSet
from specgroups.model.training import batches


def _mean_over_atoms(graph, node_features: torch.Tensor) -> torch.Tensor:
    from alignn.models.alignn_atomwise_pure import scatter_mean

    return scatter_mean(node_features, graph.node_batch_id, graph.batch_size)


def representation_names(model) -> list[str]:
    names = [f"alignn_{i + 1}" for i in range(len(model.alignn_layers))]
    names += [f"gcn_{i + 1}" for i in range(len(model.gcn_layers))]
    return names + ["pooled", "predicted"]


def extract_features(model, data: GraphSet, batch_size: int, device: torch.device) -> dict[str, np.ndarray]:
    """{representation name: (materials x features) array}, in ``data``'s order, batched."""
    captured: dict[str, list[torch.Tensor]] = {name: [] for name in representation_names(model)}

    def after_layer(name):
        def hook(module, inputs, output):
            captured[name].append(_mean_over_atoms(inputs[0], output[0]).detach().cpu())

        return hook

    def before_output(module, inputs):
        captured["pooled"].append(inputs[0].detach().cpu())

    handles = [
        layer.register_forward_hook(after_layer(f"alignn_{i + 1}")) for i, layer in enumerate(model.alignn_layers)
    ]
    handles += [layer.register_forward_hook(after_layer(f"gcn_{i + 1}")) for i, layer in enumerate(model.gcn_layers)]
    handles.append(model.fc.register_forward_pre_hook(before_output))
    model.eval()
    try:
        with torch.no_grad():
            for inputs, targets in batches(data, list(range(len(data))), batch_size, device):
                captured["predicted"].append(model(inputs)["out"].reshape(len(targets), -1).cpu())
    finally:
        for handle in handles:
            handle.remove()
    features = {name: torch.cat(parts).numpy() for name, parts in captured.items()}
    for name, values in features.items():
        if values.shape[0] != len(data):
            raise RuntimeError(f"hook for {name} captured {values.shape[0]} rows for {len(data)} materials")
    return features


@dataclass(frozen=True)
class EmbedSettings:
    """Feature extraction: materials per batch, the seed and threads of torch, and the device (cpu, cuda, auto)."""

    batch_size: int
    seed: int
    threads: int
    device: str


def embed_materials(
    model_dir: str | Path, ids: list[str], spectra: np.ndarray, graphs_dir: str | Path, settings: EmbedSettings
) -> dict[str, np.ndarray]:
    """:func:`extract_features` of the trained run in ``model_dir`` for the materials ``ids`` (their graphs in
    ``graphs_dir``, their reference ``spectra`` in the same order), deterministically."""
    from specgroups.model.graphs import load_graph_set
    from specgroups.model.network import load_model
    from specgroups.model.training import make_deterministic, resolve_device

    make_deterministic(settings.seed, settings.threads)
    device = resolve_device(settings.device)
    model, _ = load_model(model_dir, device=str(device))
    return extract_features(model, load_graph_set(graphs_dir, ids, spectra), settings.batch_size, device)
