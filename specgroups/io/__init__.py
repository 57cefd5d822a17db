"""Files: atomic writes, safe archive reading, params (the default overlaid by a profile), the dataset format, the
profile layout, metrics, parallel caching, and the one owner of each stage artifact (:mod:`specgroups.io.outputs`).

Submodules are imported by name (``from specgroups.io.outputs import read_clusters``), so a stage depends only on
the files it runs."""

__all__ = ["archives", "atomic", "dataset", "layout", "metrics", "outputs", "parallel", "params"]
