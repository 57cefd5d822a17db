"""The study's own claim, in one home: V5+/Cr6+ oxides by the environment of their tetrahedra
(:mod:`specgroups.study.contrast`) and the mechanism, measured from first principles (:mod:`specgroups.study.mechanism`)."""

__all__ = ["contrast", "mechanism"]
