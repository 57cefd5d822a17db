"""The on-disk dataset format: round trip, validation, splits."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from specgroups import InputError
from specgroups.io.dataset import (
    MATERIAL_COLUMNS,
    SpectralDataset,
    assign_splits,
    published_agreement,
    read_dataset,
    with_published_onsets,
    write_dataset,
)
from tests.helpers import study_grid


def small_dataset(count: int = 4) -> SpectralDataset:
    grid = study_grid()
    rows = [
        {
            "id": f"mp-{i}",
            "formula": "MgO",
            "nsites": 2,
            "split": "train",
            "onset_energy_ev": 5.0 + i,
            "absorption_edge_integral": 0.5,
            "min_gap_ev": 4.6,
            "direct_gap_ev": 4.6,
            "scissor_ev": 0.0,
            "source": "test",
        }
        for i in range(count)
    ]
    spectra = np.tile(np.clip(2.0 + (grid - 5.0), 2.0, 6.0), (count, 1)).astype(np.float32)
    structures = {row["id"]: {"sites": [1, 2]} for row in rows}
    return SpectralDataset(pd.DataFrame(rows, columns=MATERIAL_COLUMNS), spectra, grid, structures)


def test_round_trip(tmp_path):
    dataset = small_dataset()
    write_dataset(tmp_path, dataset)
    again = read_dataset(tmp_path)
    assert again.ids == dataset.ids
    np.testing.assert_array_equal(again.spectra, dataset.spectra)
    np.testing.assert_array_equal(again.energy_grid, dataset.energy_grid)
    assert again.spectra.dtype == np.float32 and again.spectra.shape == (4, 1501)
    assert again.structures == dataset.structures
    assert list(again.materials.columns) == list(MATERIAL_COLUMNS)


def test_duplicate_ids(tmp_path):
    dataset = small_dataset()
    dataset.materials.loc[1, "id"] = "mp-0"
    with pytest.raises(InputError, match="duplicate material ids"):
        write_dataset(tmp_path, dataset)
    assert not (tmp_path / "materials.csv").exists()


def test_spectrum_of_the_wrong_length(tmp_path):
    dataset = small_dataset()
    write_dataset(tmp_path, dataset)
    np.save(tmp_path / "spectra.npy", dataset.spectra[:, :1000])
    with pytest.raises(InputError, match=r"spectra have 1000 points but the energy grid has 1501"):
        read_dataset(tmp_path)


def test_empty_dataset(tmp_path):
    dataset = small_dataset(0)
    with pytest.raises(InputError, match="empty"):
        write_dataset(tmp_path, dataset)


def test_missing_files_are_named(tmp_path):
    with pytest.raises(InputError, match="spectra.npy"):
        read_dataset(tmp_path)


def test_splits_follow_fractions_and_seed():
    fractions = {"train": 0.8, "val": 0.05, "test": 0.15}
    labels = assign_splits(200, fractions, seed=123)
    assert labels.count("train") == 160 and labels.count("val") == 10 and labels.count("test") == 30
    assert labels == assign_splits(200, fractions, seed=123)
    assert labels != assign_splits(200, fractions, seed=124)
    with pytest.raises(InputError, match="sum to"):
        assign_splits(10, {"train": 0.8, "val": 0.3, "test": 0.15}, seed=1)


def published(onsets: list[float], recomputed: list[float]) -> pd.DataFrame:
    table = small_dataset(len(onsets)).materials
    table["onset_energy_ev"] = recomputed
    table["absorption_edge_integral"] = 1e4
    table["published_onset_energy_ev"] = onsets
    table["published_absorption_edge_integral"] = 2e4
    return table


def test_published_onsets_replace_the_recomputed_where_given_and_both_are_kept():
    table = published([3.0, np.nan, 5.0, 6.0], [2.0, 3.0, 4.0, 5.0])
    used = with_published_onsets(table)
    assert used["onset_energy_ev"].tolist() == [3.0, 3.0, 5.0, 6.0] and used["recomputed_onset_energy_ev"].tolist() == [
        2.0,
        3.0,
        4.0,
        5.0,
    ]
    np.testing.assert_allclose(used["log10_edge_integral"], np.log10(2e4))


def test_agreement_with_published_onsets_says_what_a_large_difference_means():
    shifted = published_agreement(published([3.0, np.nan, 5.0, 7.0], [2.0, 3.0, 4.0, 5.0]), 0.1)
    onsets = shifted["onset_energy_ev"]
    assert onsets["materials"] == 3 and onsets["mean_absolute_difference"] == pytest.approx(4 / 3)
    assert onsets["worst"][0] == {"id": "mp-3", "recomputed": 5.0, "published": 7.0}
    assert not shifted["onsets_agree"] and "without the study's onset and shape correction" in shifted["reading"]
    assert shifted["log10_edge_integral"]["mean_absolute_difference"] == pytest.approx(np.log10(2))
    # after the swap the agreement is still read against the recomputed values
    assert published_agreement(with_published_onsets(published([3.0, 4.0, 5.0, 7.0], [3.0, 4.0, 5.0, 7.05])), 0.1)[
        "onsets_agree"
    ]
    assert (
        published_agreement(
            small_dataset().materials.assign(
                published_onset_energy_ev=np.nan, published_absorption_edge_integral=np.nan
            ),
            0.1,
        )
        is None
    )
