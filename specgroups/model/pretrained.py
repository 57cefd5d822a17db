"""Per-material features of a universal interatomic potential that never saw a spectrum: the baseline that says
whether a spectrum model's features group materials better than any learned description of structure does.

CHGNet (Deng et al., Nat. Mach. Intell. 5, 1031 (2023)) is a graph network trained on the energies, forces,
stresses and magnetic moments of the Materials Project's relaxation trajectories; its weights ship inside its PyPI
wheel, so it runs offline. A material's CHGNet feature is the mean over the cell's atoms of the 64 atom features
after the last interaction layer: CHGNet's ``crystal_fea`` (their sum, as its extensive energy read-out pools them)
divided by the number of atoms, so that a supercell has the features of its cell.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from pymatgen.core import Structure

from specgroups.errors import InputError


@dataclass(frozen=True)
class PretrainedSettings:
    """The ``pretrained`` params: the CHGNet weights (``model``: a version its wheel ships), structures per batch,
    and torch threads."""

    model: str = "0.3.0"
    batch_size: int = 32
    threads: int = 1


def chgnet_features(structures: dict[str, dict], ids: list[str], settings: PretrainedSettings) -> np.ndarray:
    """(materials x 64) CHGNet crystal features of the materials ``ids`` (pymatgen ``Structure.as_dict()`` records
    in ``structures``), in that order; InputError naming a material CHGNet cannot read."""
    from chgnet.model import CHGNet  # imported here: loading CHGNet reads its weights and pulls in its graph code

    torch.set_num_threads(settings.threads)
    model = CHGNet.load(model_name=settings.model, use_device="cpu", verbose=False)
    features = []
    for start in range(0, len(ids), settings.batch_size):
        batch = ids[start : start + settings.batch_size]
        try:
            predictions = model.predict_structure(
                [Structure.from_dict(structures[material_id]) for material_id in batch],
                task="e",
                return_crystal_feas=True,
                batch_size=len(batch),
            )
        except (ValueError, KeyError, RuntimeError) as error:
            raise InputError(f"CHGNet cannot read one of {batch}: {error}") from error
        predictions = [predictions] if isinstance(predictions, dict) else predictions  # a batch of one: no list
        for material_id, prediction in zip(batch, predictions):
            atoms = len(structures[material_id]["sites"])
            features.append(np.asarray(prediction["crystal_fea"], dtype=float) / atoms)
    return np.stack(features)
