"""Nothing downloaded or cached is unpickled, no credentials live in the repository, imports use HTTPS."""

from __future__ import annotations

import re
import subprocess

import numpy as np
import pytest
import torch

from specgroups.errors import InputError
from specgroups.io.outputs import read_features
from specgroups.model.graphs import load_graph
from specgroups.structures import structure_from_materials_project
from tests.helpers import ROOT


class Payload:
    def __reduce__(self):
        return (print, ("pickled code ran",))


def test_features_with_pickled_objects_are_refused(tmp_path):
    path = tmp_path / "features.npz"
    np.savez(path, material_ids=np.array(["a"]), pooled=np.array([Payload()], dtype=object))
    with pytest.raises(InputError, match="features.npz: not a plain-array .npz"):
        read_features(path)


def test_graph_cache_with_pickled_code_is_refused(tmp_path, capsys):
    path = tmp_path / "graph.pt"
    torch.save({"payload": Payload()}, path)
    with pytest.raises(Exception, match="Weights only load failed"):
        load_graph(path)
    assert "pickled code ran" not in capsys.readouterr().out


def test_every_load_in_the_code_refuses_pickles():
    """A source check that keeps it so: every torch.load is weights_only=True, every np.load allow_pickle=False."""
    offenders = []
    for path in [*ROOT.glob("specgroups/**/*.py"), *ROOT.glob("stages/*.py"), *ROOT.glob("tools/*.py")]:
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if re.search(r"\btorch\.load\(", line) and "weights_only=True" not in line:
                offenders.append(f"{path.relative_to(ROOT)}:{number}")
            if re.search(r"\bnp\.load\(", line) and "allow_pickle=False" not in line:
                offenders.append(f"{path.relative_to(ROOT)}:{number}")
            if re.search(r"\bpickle\.loads?\(", line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}")
    assert not offenders


CREDENTIALS = [
    re.compile(r"AKIA[0-9A-Z]{16}"),  # AWS access key id
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    re.compile(r"(?i)(secret_access_key|api_key|password)\s*[=:]\s*['\"]?[A-Za-z0-9/+]{16,}"),
    re.compile(r"MP_API_KEY\s*=\s*\S{8,}"),
]


def test_no_credentials_are_committed():
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    found = []
    for name in tracked:
        path = ROOT / name
        if not path.is_file() or path.stat().st_size > 2_000_000 or name.endswith((".gz", ".npy", ".pt", ".png")):
            continue
        text = path.read_text(errors="ignore")
        found += [f"{name}: {pattern.pattern}" for pattern in CREDENTIALS if pattern.search(text)]
    assert not found


def test_remotes_and_imports_use_https_and_verify():
    config = (ROOT / ".dvc/config").read_text()
    for url in re.findall(r"url\s*=\s*(\S+)", config):
        assert url.startswith(("https://", "s3://")), url
    remotes = re.findall(r"\['remote \"([^\"]+)\"'\]", config)
    for remote in remotes:
        section = config.split(f"['remote \"{remote}\"']", 1)[1].split("[", 1)[0]
        assert re.search(r"verify\s*=\s*true", section), remote
    for name in ("data.dvc", "model.dvc"):
        assert "url: https://github.com/" in (ROOT / name).read_text()


def test_materials_project_key_comes_only_from_the_environment(monkeypatch):
    monkeypatch.delenv("MP_API_KEY", raising=False)
    with pytest.raises(
        InputError, match="mp-1265: fetching from the Materials Project needs an API key in the MP_API_KEY"
    ):
        structure_from_materials_project("mp-1265")
    with pytest.raises(InputError, match="not a Materials Project id"):
        structure_from_materials_project("MgO")
