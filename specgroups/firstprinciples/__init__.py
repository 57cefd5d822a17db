"""The first-principles pipeline: GPAW settings, optics calculations, GLLB-SC gaps, CBM localisation, band edges on
even grids, cell shapes, relaxed substitutions, convergence, results on disk, validation, and the resumable batch
runner."""

__all__ = [
    "calculation",
    "cells",
    "convergence",
    "electronic",
    "gaps",
    "localisation",
    "meshes",
    "paw_corrections",
    "results",
    "runner",
    "selection",
    "settings",
    "substitution",
    "validation",
    "worker",
]
