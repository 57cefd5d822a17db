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


@pytest.mark.parametrize("profile", ["params.yaml", "profiles/paper/params.yaml", "profiles/eps2/params.yaml"])
def test_the_electronic_stage_uses_the_first_principles_profiles_gpaw_settings(profile):
    """OpticsSettings has no defaults, so these two sections are the only copies of the GPAW settings."""
    first_principles = read_params(ROOT / "profiles/firstprinciples/params.yaml", "gpaw")["gpaw"]
    assert read_params(ROOT / profile, "electronic")["electronic"]["gpaw"] == first_principles


@pytest.mark.parametrize("profile", ["params.yaml", "profiles/paper/params.yaml", "profiles/eps2/params.yaml"])
def test_figure_3_draws_polyhedra_with_the_electronic_stages_bond_cutoff(profile):
    """The figures stage reads electronic.bond_cutoff, so its dvc.yaml entry must declare that param."""
    import yaml

    dvc_yaml = ROOT / profile.replace("params.yaml", "dvc.yaml")
    params = yaml.safe_load(dvc_yaml.read_text())["stages"]["figures"]["params"]
    names = params[0][next(iter(params[0]))] if isinstance(params[0], dict) else params
    assert "electronic.bond_cutoff" in names
