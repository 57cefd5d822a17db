"""specgroups.io.params: the sections of a real params file, overlays, typed settings whose errors name the key."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from specgroups import InputError
from specgroups.analysis.clustering import ClusterSettings
from specgroups.analysis.interpret import InterpretSettings
from specgroups.analysis.scan import ScanPlan
from specgroups.io.params import profile_params, read_params, settings_from
from specgroups.model.fit import ModelSource
from specgroups.model.training import TrainingSettings
from specgroups.study.mechanism import ElectronicSettings
from tests.helpers import ROOT

PROFILES = [".", "profiles/paper", "profiles/eps2"]


def test_reads_the_requested_sections_of_the_default_profile():
    params = read_params(ROOT / "params.yaml", "graphs", "cluster")
    assert sorted(params) == ["cluster", "graphs"]
    assert params["graphs"]["cutoff"] > 0 and params["cluster"]["n_clusters"] is None


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


@pytest.mark.parametrize("profile", PROFILES)
def test_every_section_of_every_profile_reads_as_its_settings(profile):
    params = profile_params(ROOT / profile, ROOT)
    for cls, section in [
        (TrainingSettings, "train"),
        (ModelSource, "train"),
        (ClusterSettings, "cluster"),
        (ScanPlan, "scan"),
        (InterpretSettings, "interpret"),
        (ElectronicSettings, "electronic"),
    ]:
        assert isinstance(settings_from(cls, params[section], section), cls)


@dataclass(frozen=True)
class Example:
    count: int
    level: float
    names: tuple[str, ...]
    label: str | None = None


@pytest.mark.parametrize(
    "section, expected",
    [
        ({"level": 0.8, "names": ["a"]}, "params: example.count is missing"),
        ({"count": "12", "level": 0.8, "names": ["a"]}, "params: example.count must be an integer, got '12'"),
        ({"count": 1.5, "level": 0.8, "names": ["a"]}, "params: example.count must be an integer"),
        ({"count": True, "level": 0.8, "names": ["a"]}, "params: example.count must be an integer"),
        ({"count": 1, "level": None, "names": ["a"]}, "params: example.level must be a number"),
        ({"count": 1, "level": 0.8, "names": "a"}, "params: example.names must be a list"),
        ({"count": 1, "level": 0.8, "names": [3]}, "params: example.names[0] must be a string"),
    ],
)
def test_a_wrong_or_missing_key_is_named(section, expected):
    with pytest.raises(InputError, match=expected.replace("[", r"\[").replace("]", r"\]")):
        settings_from(Example, section, "example")


def test_settings_cast_and_take_defaults():
    settings = settings_from(Example, {"count": 12, "level": 1, "names": ["a", "b"]}, "example")
    assert settings == Example(12, 1.0, ("a", "b"), None) and isinstance(settings.level, float)


@pytest.mark.parametrize("profile", PROFILES)
def test_the_electronic_stage_uses_the_first_principles_profiles_gpaw_settings(profile):
    """OpticsSettings has no defaults, so these two sections are the only copies of the GPAW settings."""
    first_principles = read_params(ROOT / "profiles/firstprinciples/params.yaml", "gpaw")["gpaw"]
    assert profile_params(ROOT / profile, ROOT)["electronic"]["gpaw"] == first_principles
