"""The spectrum model: ALIGNN graphs, the network, training, per-layer features, evaluation, and fitting one
model for a dataset (:mod:`specgroups.model.fit`)."""

__all__ = ["evaluation", "features", "fit", "graphs", "network", "training"]
