"""Presentation: the figures and the report, drawn and rendered from stage outputs; they decide nothing."""

__all__ = ["figures", "report"]
