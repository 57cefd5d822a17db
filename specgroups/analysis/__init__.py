"""The reusable method on any (structure, spectrum) data: per-material chemistry, Ward clustering, consensus
clusters over an ensemble, baselines, the scan of representations and counts, enrichment, design guidelines and
their grouped cross-validation, interpretation of a clustering, placement of new materials."""

__all__ = [
    "baselines",
    "chemistry",
    "clustering",
    "consensus",
    "crossvalidation",
    "enrichment",
    "guidelines",
    "interpret",
    "placement",
    "scan",
]
