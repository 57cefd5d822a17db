"""specgroups.params: the sections of a real params file, and errors that name the file."""

from __future__ import annotations

import pytest

from specgroups import InputError
from specgroups.params import read_params
from tests.helpers import ROOT


def test_reads_the_requested_sections_of_the_default_profile():
    params = read_params(ROOT / "params.yaml", "graphs", "cluster")
    assert sorted(params) == ["cluster", "graphs"]
    assert params["graphs"]["cutoff"] > 0 and params["cluster"]["n_clusters"] >= 2


@pytest.mark.parametrize(
    "text, expected",
    [
        (None, "params file not found"),
        ("graphs: [unclosed\n", "not valid YAML"),
        ("- a list\n", "not a mapping of sections"),
        ("graphs: {cutoff: 8}\n", "no 'cluster' section"),
        ("graphs: {cutoff: 8}\ncluster: 12\n", "no 'cluster' section"),
    ],
)
def test_bad_params_files_name_the_file_and_the_fault(tmp_path, text, expected):
    path = tmp_path / "params.yaml"
    if text is not None:
        path.write_text(text)
    with pytest.raises(InputError) as error:
        read_params(path, "graphs", "cluster")
    assert str(error.value).startswith(f"{path}: ") and expected in str(error.value)
