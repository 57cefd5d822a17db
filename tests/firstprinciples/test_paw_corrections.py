"""The quadrature fallback for GPAW's PAW transforms, checked against GPAW itself on real setups."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import spherical_jn

from specgroups.firstprinciples.paw_corrections import (
    quadrature_fallback,
    rescaled_bessel,
    rescaled_transform_by_quadrature,
)

pytestmark = pytest.mark.gpaw

# |G + q| in bohr^-1: the optical limit, the small-|K| range where La's FFBT fails, and plane waves
K_NORMS = np.array([1e-4, 0.05, 0.1, 0.5, 1.0, 3.0, 8.0])


def paw_dataset(symbol: str):
    from gpaw.response.groundstate import ResponsePAWDataset
    from gpaw.setup import create_setup

    return ResponsePAWDataset(create_setup(symbol, xc="PBE"))


def pair_channels(dataset):
    """(j1, j2, l) of every pair-density correction GPAW transforms, by the Gaunt selection rule."""
    for j1, l1 in enumerate(dataset.l_j):
        for j2, l2 in enumerate(dataset.l_j):
            for l in range(abs(l1 - l2), l1 + l2 + 1, 2):
                yield j1, j2, l


def wave_vectors(norms=K_NORMS) -> np.ndarray:
    directions = np.array([[1.0, 0.0, 0.0], [0.6, 0.8, 0.0], [0.0, 0.6, 0.8]])
    return np.concatenate([norm * directions for norm in norms])


# GPAW checks its transform only at the largest and the mean |K| of a call; La's fails when both are small
SMALL_WAVE_VECTORS = wave_vectors(np.array([0.05, 0.1]))


@pytest.mark.parametrize("l", [0, 1, 3, 6])
def test_rescaled_bessel_matches_scipy_and_its_limit_at_zero(l):
    x = np.array([0.02, 0.3, 1.0, 4.0, 12.0])
    assert rescaled_bessel(l, x) == pytest.approx(spherical_jn(l, x) / x**l, rel=1e-12)
    double_factorial = np.prod(np.arange(2 * l + 1, 0, -2))
    assert rescaled_bessel(l, np.array([0.0]))[0] == pytest.approx(1.0 / double_factorial, rel=1e-15)
    # the series and scipy meet smoothly where the series takes over
    assert rescaled_bessel(l, np.array([0.0099999]))[0] == pytest.approx(
        rescaled_bessel(l, np.array([0.0100001]))[0], rel=1e-6
    )


@pytest.mark.parametrize("symbol", ["O", "La"])
def test_quadrature_equals_gpaws_reference_transform(symbol):
    from gpaw.response.paw import fourier_bessel_transform

    dataset = paw_dataset(symbol)
    for j1, j2, l in pair_channels(dataset):
        density = dataset.get_pair_density_correction(j1, j2)
        ours = rescaled_transform_by_quadrature(K_NORMS, l, dataset.rgd, density) * K_NORMS**l
        gpaw = 4 * np.pi * fourier_bessel_transform(K_NORMS, l, dataset.rgd, density)
        assert ours == pytest.approx(gpaw, rel=1e-8, abs=1e-12), (symbol, j1, j2, l)


def test_oxygen_keeps_gpaws_own_transform_bit_for_bit():
    from gpaw.response.paw import calculate_pair_density_correction

    plain = calculate_pair_density_correction(wave_vectors(), pawdata=paw_dataset("O"))
    with quadrature_fallback() as fallbacks:
        guarded = calculate_pair_density_correction(wave_vectors(), pawdata=paw_dataset("O"))
    assert fallbacks == []
    assert np.array_equal(plain, guarded)


def test_lanthanum_fails_in_gpaw_and_falls_back_to_quadrature():
    from gpaw.response.paw import SelfTestingKSpline, calculate_pair_density_correction

    with pytest.raises(AssertionError, match="FFBT mismatch"):
        calculate_pair_density_correction(SMALL_WAVE_VECTORS, pawdata=paw_dataset("La"))

    with quadrature_fallback() as fallbacks:
        corrections = calculate_pair_density_correction(SMALL_WAVE_VECTORS, pawdata=paw_dataset("La"))
    assert SelfTestingKSpline.map.__name__ == "map"  # GPAW's own check is back after the block
    assert fallbacks and min(fallbacks) >= 5  # only channels that need an f partial wave (d-f, f-f)
    assert np.all(np.isfinite(corrections))


def test_quadrature_agrees_with_the_fast_transform_where_gpaw_trusts_it():
    dataset = paw_dataset("O")
    for j1, j2, l in pair_channels(dataset):
        density = dataset.get_pair_density_correction(j1, j2)
        fast = dataset.dn_kspline(j1, j2, l).map(K_NORMS) * K_NORMS**l
        ours = rescaled_transform_by_quadrature(K_NORMS, l, dataset.rgd, density) * K_NORMS**l
        assert ours == pytest.approx(fast, rel=1e-2, abs=1e-3), (j1, j2, l)  # GPAW's own tolerance
