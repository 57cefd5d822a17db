"""Presentation: the figures (figure 4, stability, in its own module), the report and the documentation's generated
parts (:mod:`specgroups.present.docs`), drawn and rendered from stage outputs; they decide nothing."""

__all__ = ["docs", "figures", "report", "stability"]
