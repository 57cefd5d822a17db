"""The study's own claim, in one home: V5+/Cr6+ oxides by the environment of their tetrahedra
(:mod:`specgroups.study.contrast`), by the chemistry of their neighbours (:mod:`specgroups.study.neighbours`), the
study's group across the ensemble (:mod:`specgroups.study.group`), the mechanism, measured from first principles
(:mod:`specgroups.study.mechanism`), and its anchors: the onsets against measured edges
(:mod:`specgroups.study.experiment`) and the neighbour classes against swaps in one framework
(:mod:`specgroups.study.substitutions`)."""

__all__ = ["contrast", "experiment", "group", "mechanism", "neighbours", "substitutions"]
