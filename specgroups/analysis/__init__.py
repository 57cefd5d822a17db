"""The reusable method on any (structure, spectrum) data: per-material chemistry, Ward clustering, the scan of
representations and counts, enrichment, design guidelines, interpretation of a clustering, placement of new
materials."""

__all__ = ["chemistry", "clustering", "enrichment", "guidelines", "interpret", "placement", "scan"]
