"""A fallback for GPAW's PAW pair-density corrections where its fast transform fails.

``gpaw.response.paw`` takes each pair-density correction to reciprocal space
with a fast Fourier-Bessel transform (FFBT) on a hardcoded grid (rcut 50 bohr,
4 x 2**12 points; GPAW's comment points to its issue 984) and checks it, at
the largest and the mean |G + q| it is asked for, against a direct quadrature
on the setup's radial grid, raising ``AssertionError: FFBT mismatch`` when
they differ. For La (f partial waves, so pair densities up to l = 6) the check
fails at small |G + q|: at 0.1 bohr^-1 the FFBT gives 4e-3 where the quadrature
gives 5e-9, and more radial points make it worse (measured with GPAW 26.7.0
and gpaw-data 1.2.1). Every La compound failed that way.

Inside :func:`quadrature_fallback`, a transform that fails GPAW's check is
replaced by that same quadrature, evaluated at every requested |G + q|: GPAW's
own reference, slower but free of the FFBT's grid. Transforms that pass the
check are GPAW's, unchanged, so materials that never need the fallback give
bit-identical results.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
from scipy.special import spherical_jn

# below this k*r, j_l(x)/x^l is taken from its series: the quotient loses all digits for large l
_SERIES_BELOW = 1e-2


def rescaled_bessel(l: int, x: np.ndarray) -> np.ndarray:
    """j_l(x) / x^l, finite at x = 0."""
    x = np.asarray(x, dtype=float)
    double_factorial = math.prod(range(2 * l + 1, 0, -2))
    series = (1.0 - x**2 / (2 * (2 * l + 3))) / double_factorial
    small = x < _SERIES_BELOW
    safe_x = np.where(small, 1.0, x)
    return np.where(small, series, spherical_jn(l, safe_x) / safe_x**l)


def rescaled_transform_by_quadrature(k: np.ndarray, l: int, rgd, f_g: np.ndarray) -> np.ndarray:
    """4 pi / k^l * integral r^2 j_l(kr) f(r) dr on GPAW's radial grid, the quantity the FFBT spline holds."""
    k = np.asarray(k, dtype=float)
    r_g = rgd.r_g
    kernel = r_g[np.newaxis] ** l * rescaled_bessel(l, k[:, np.newaxis] * r_g[np.newaxis])
    return 4 * np.pi * rgd.integrate_trapz(kernel * f_g[np.newaxis])


@contextmanager
def quadrature_fallback() -> Iterator[list[int]]:
    """Within the block, GPAW's PAW transforms that fail their self-check fall back to quadrature.

    Yields a list that gets the angular momentum l of each fallback, so the
    caller can record how many were needed.
    """
    from gpaw.response.paw import SelfTestingKSpline

    checked_map = SelfTestingKSpline.map
    fallbacks: list[int] = []

    def map_with_fallback(spline, k_G):
        try:
            return checked_map(spline, k_G)
        except AssertionError:  # GPAW signals both a k beyond the spline and an FFBT mismatch this way
            fallbacks.append(spline.l)
            return rescaled_transform_by_quadrature(k_G, spline.l, spline.rgd, spline.f_g)

    SelfTestingKSpline.map = map_with_fallback
    try:
        yield fallbacks
    finally:
        SelfTestingKSpline.map = checked_map
