"""specgroups.study.experiment: the measured-edges table checked, and the levels' errors and class contrasts on the
committed headline table and measured edges, against values computed by hand from those files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from specgroups.errors import InputError
from specgroups.study.experiment import LEVELS, against_measured, measured_edges

ROOT = Path(__file__).resolve().parents[2]
MEASURED = ROOT / "data" / "demo" / "measured_edges.csv"


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return pd.read_csv(ROOT / "results" / "headline_materials.csv")


@pytest.fixture(scope="module")
def measured() -> pd.DataFrame:
    return measured_edges(pd.read_csv(MEASURED), str(MEASURED))


def test_the_committed_edges_each_cite_a_reference_and_a_method(measured):
    assert len(measured) >= 7 and measured["id"].is_unique
    assert measured["reference"].str.len().min() > 20 and measured["method"].notna().all()
    assert measured["measured_edge_ev"].between(1.0, 10.0).all()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f.drop(columns="reference"), r"missing columns \['reference'\]"),
        (
            lambda f: f.assign(measured_edge_ev=["3.8", "x", *f["measured_edge_ev"][2:]]),
            r"measured_edge_ev is not a positive number for \['mp-19133'\]",
        ),
        (lambda f: pd.concat([f, f.iloc[:1]]), r"ids \['mp-19365'\] appear more than once"),
    ],
)
def test_a_bad_table_is_an_input_error_naming_the_file(change, message):
    frame = change(pd.read_csv(MEASURED))
    with pytest.raises(InputError, match=rf"edges\.csv: {message}"):
        measured_edges(frame, "edges.csv")


def test_errors_and_contrasts_are_those_of_the_files(table, measured):
    found = against_measured(table, measured, np.random.default_rng(0), 200, min_per_class=2)
    joined = table.merge(measured, on="id")
    assert {m["id"] for m in found["materials"]} == set(joined["id"]) and found["not_in_table"] == []
    for level in LEVELS:
        errors = joined[level] - joined["measured_edge_ev"]
        assert found["levels"][level]["mean_signed_error_ev"] == pytest.approx(errors.mean())
        assert found["levels"][level]["mean_absolute_error_ev"] == pytest.approx(errors.abs().mean())
    counts = joined["neighbour_class"].value_counts()
    eligible = sorted(c for c in counts.index if counts[c] >= 2)
    assert len(found["contrasts"]) == len(eligible) * (len(eligible) - 1) // 2
    for pair, columns in found["contrasts"].items():
        first, second = pair.split(" - ")
        for column, d in columns.items():
            a = joined.loc[joined.neighbour_class == first, column]
            b = joined.loc[joined.neighbour_class == second, column]
            assert d["difference"] == pytest.approx(a.mean() - b.mean())
            assert d["ci95"][0] <= d["difference"] <= d["ci95"][1] and d["n"] == [len(a), len(b)]


def test_a_class_below_the_minimum_gets_no_contrast(table, measured):
    found = against_measured(table, measured, np.random.default_rng(0), 50, min_per_class=10)
    assert found["contrasts"] == {}


def test_a_measured_material_outside_the_table_is_listed(table, measured):
    extra = pd.concat([measured, measured.iloc[:1].assign(id="mp-0")])
    assert against_measured(table, extra, np.random.default_rng(0), 50, 2)["not_in_table"] == ["mp-0"]
