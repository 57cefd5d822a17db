"""Where a profile's artifacts live: every path derives from the profile's root folder, none from params.

The default profile's root is the repository itself (``.``); another profile's is ``profiles/<name>``.
Under a root: ``data/`` holds what stages pass to each other, ``results/`` the whole results that
feed the figures, the report and ``metrics/`` (the headline numbers and plot tables DVC shows), and
``figures/`` the figures. The default profile keeps its model in ``models/default`` and its report in
``paper/``, where the study's users look for them; other profiles keep both under their root.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DEFAULT_ROOT = Path(".")


@dataclass(frozen=True)
class ProfileLayout:
    """The paths of one profile's artifacts, relative to the repository root."""

    root: Path

    @classmethod
    def of(cls, root: str | Path = DEFAULT_ROOT) -> "ProfileLayout":
        return cls(Path(root))

    @property
    def is_default(self) -> bool:
        return self.root == DEFAULT_ROOT

    def _data(self, name: str) -> Path:
        return self.root / "data" / name

    def results(self, stage: str) -> Path:
        """The stage's whole results (``results/<stage>.json``)."""
        return self.root / "results" / f"{stage}.json"

    def results_table(self, name: str) -> Path:
        """A per-material table a reader checks without running the pipeline (``results/<name>.csv``, in git)."""
        return self.root / "results" / f"{name}.csv"

    def metrics(self, stage: str) -> Path:
        """The stage's headline numbers (``metrics/<stage>.json``), which ``dvc metrics show`` lists."""
        return self.root / "metrics" / f"{stage}.json"

    def plot(self, name: str) -> Path:
        """A plot table that ``dvc plots show`` draws (``metrics/<name>``: a CSV or a folder of them)."""
        return self.root / "metrics" / name

    @property
    def params(self) -> Path:
        return self.root / "params.yaml"

    @property
    def dvc_yaml(self) -> Path:
        return self.root / "dvc.yaml"

    @property
    def dvc_lock(self) -> Path:
        return self.root / "dvc.lock"

    @property
    def dataset(self) -> Path:
        return self._data("dataset")

    @property
    def graphs(self) -> Path:
        return self._data("graphs")

    @property
    def model(self) -> Path:
        return Path("models/default") if self.is_default else self.root / "model"

    @property
    def members(self) -> Path:
        """The other members of the ensemble (member 0 is :attr:`model`), one run folder each."""
        return Path("models/members") if self.is_default else self.root / "members"

    @property
    def features(self) -> Path:
        """Member 0's features (the model the CLI predicts with)."""
        return self._data("features.npz")

    @property
    def ensemble_features(self) -> Path:
        """Every member's features: one (members x materials x dimensions) array per representation."""
        return self._data("ensemble_features.npz")

    @property
    def chemistry(self) -> Path:
        """Per-material chemistry (``materials.json``), which needs no model."""
        return self._data("chemistry")

    @property
    def chemistry_cache(self) -> Path:
        return self._data("chemistry_cache")

    @property
    def pretrained_features(self) -> Path:
        """A universal pretrained model's per-material features (a baseline that never saw a spectrum)."""
        return self._data("pretrained_features.npz")

    @property
    def clustering_choice(self) -> Path:
        """The scan rule's pick of representation and cluster count, which the cluster stage reads."""
        return self._data("clustering_choice.json")

    @property
    def clusters(self) -> Path:
        return self._data("clusters.npz")

    @property
    def interpretation(self) -> Path:
        """Enrichment, per-cluster summaries, guidelines and the V5+/Cr6+ contrast of the clusters."""
        return self._data("interpretation")

    @property
    def electronic(self) -> Path:
        return self._data("electronic")

    @property
    def figures(self) -> Path:
        return self.root / "figures"

    @property
    def report_markdown(self) -> Path:
        return Path("paper/report.md") if self.is_default else self.root / "report.md"

    @property
    def report_html(self) -> Path:
        return Path("paper/report.html") if self.is_default else self.root / "report.html"
