"""Presentation: the figures (figure 4, stability, in its own module) and the report, drawn and rendered from stage
outputs; they decide nothing."""

__all__ = ["figures", "report", "stability"]
