"""specgroups.present.stability: figure 4 from a consensus of hand-made members."""

from __future__ import annotations

import numpy as np

from specgroups.analysis.consensus import consensus_of
from specgroups.present.figures import save
from specgroups.present.stability import stability_figure


def test_the_coassociation_is_drawn_ordered_by_consensus_cluster(tmp_path):
    rng = np.random.default_rng(0)
    centres = np.repeat([[0.0, 0.0], [6.0, 0.0], [0.0, 6.0]], [5, 7, 8], axis=0)
    order = rng.permutation(20)  # the clusters' materials interleaved in the dataset
    members = [(centres + rng.normal(scale=1.5, size=(20, 2)))[order] for _ in range(4)]
    found = consensus_of(members, 3)
    summary = found.summary(stable_core=0.8)
    figure = stability_figure(found.coassociation, found.labels, summary, {"1": 0.4, "2": 0.6})
    drawn = np.asarray(figure.axes[0].images[0].get_array())
    ordered = np.sort(found.labels, kind="stable")
    same = ordered[:, None] == ordered[None, :]
    assert drawn.mean(where=same) > drawn.mean(where=~same)  # blocks on the diagonal
    stable = sum(v["stable"] for v in summary["clusters"].values())
    assert [len(c.get_offsets()) for c in figure.axes[1].collections] == [3 - stable, stable]
    written = save(figure, tmp_path / "figure4_stability")
    assert all(path.stat().st_size > 0 for path in written)


def test_one_member_draws_without_agreement_curves():
    """One member: no seed-to-seed ARI (None in results/cluster.json) and no split-half curve."""
    rng = np.random.default_rng(1)
    found = consensus_of([rng.normal(size=(12, 3))], 3)
    summary = found.summary(stable_core=0.8)
    assert summary["seed_to_seed_ari"] is None or np.isnan(summary["seed_to_seed_ari"])
    for missing in (float("nan"), None):  # as computed, and as results/cluster.json stores it
        summary["seed_to_seed_ari"] = missing
        figure = stability_figure(found.coassociation, found.labels, summary, {})
        labels = [line.get_label() for line in figure.axes[2].lines]
        assert "two single models" not in labels and "target" in labels
