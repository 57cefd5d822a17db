"""The spectrum model: ALIGNN graphs, the network, training, per-layer features, evaluation, fitting one model for
a dataset (:mod:`specgroups.model.fit`), the ensemble, and a pretrained model's features as a baseline."""

__all__ = ["ensemble", "evaluation", "features", "fit", "graphs", "network", "pretrained", "training"]
