"""Stage `embed`: every layer's per-material features from the trained model, in one features.npz."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from specgroups.atomic import write_bytes_atomic
from specgroups.dataset import read_dataset
from specgroups.features import extract_features
from specgroups.graphs import load_graph_set
from specgroups.model import load_model
from specgroups.training import make_deterministic, resolve_device
from stages._common import load_params, stage_main


def run(arguments) -> str:
    params = load_params(arguments.params, "embed")
    make_deterministic(int(params["seed"]), int(params["threads"]))
    device = resolve_device(params["device"])
    model, _ = load_model(params["model_dir"], device=str(device))
    dataset = read_dataset(params["dataset"])
    data = load_graph_set(params["graphs"], dataset.ids, dataset.spectra)
    features = extract_features(model, data, int(params["batch_size"]), device)
    buffer = io.BytesIO()
    np.savez(
        buffer,
        material_ids=np.array(dataset.ids),
        split=dataset.materials["split"].to_numpy().astype(str),
        reference=dataset.spectra,
        **features,
    )
    write_bytes_atomic(Path(params["output"]), buffer.getvalue())
    shapes = ", ".join(f"{name} {values.shape[1]}" for name, values in features.items())
    return f"embed: {len(dataset.ids)} materials; {shapes} -> {params['output']}"


if __name__ == "__main__":
    stage_main(run, __doc__)
