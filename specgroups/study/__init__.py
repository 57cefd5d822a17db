"""The study's own claim, in one home: V5+/Cr6+ oxides by the environment of their tetrahedra
(:mod:`specgroups.study.contrast`), by the chemistry of their neighbours (:mod:`specgroups.study.neighbours`), the
study's group across the ensemble (:mod:`specgroups.study.group`) and the mechanism, measured from first principles
(:mod:`specgroups.study.mechanism`)."""

__all__ = ["contrast", "group", "mechanism", "neighbours"]
