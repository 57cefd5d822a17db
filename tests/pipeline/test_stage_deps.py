"""Every stage of every profile declares the code it runs (tools/stage_deps.py), and DVC acts on it."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys

import pytest
import yaml

from tests.helpers import ROOT, dvc, git

spec = importlib.util.spec_from_file_location("stage_deps", ROOT / "tools/stage_deps.py")
stage_deps = importlib.util.module_from_spec(spec)
spec.loader.exec_module(stage_deps)

LOADED_MODULES = """
import importlib, sys
importlib.import_module(sys.argv[1])
print("\\n".join(sorted(name for name in sys.modules if name.split(".")[0] in ("specgroups", "stages"))))
"""


@pytest.mark.parametrize("profile", stage_deps.PROFILES)
def test_every_stage_declares_exactly_the_code_it_runs(profile):
    assert stage_deps.differences(ROOT / profile) == {}, "run `python tools/stage_deps.py` to rewrite the deps"


def stage_modules() -> list[str]:
    return sorted(
        {
            stage_deps.stage_module(stage["cmd"])
            for profile in stage_deps.PROFILES
            for stage in yaml.safe_load((ROOT / profile).read_text())["stages"].values()
        }
    )


@pytest.mark.slow
@pytest.mark.parametrize("module", stage_modules())
def test_the_import_walk_covers_every_module_python_loads(module):
    """What importing the stage module really loads (imports inside functions load later, so this is a lower
    bound) is within the walk's files; and the walk finds imports made inside functions too."""
    loaded = subprocess.run(
        [sys.executable, "-c", LOADED_MODULES, module], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    files = set(stage_deps.code_deps(module))
    assert {stage_deps.module_path(name).relative_to(ROOT).as_posix() for name in loaded} <= files


def test_the_walk_follows_imports_inside_functions_workers_and_resources():
    assert "specgroups/firstprinciples/worker.py" in stage_deps.code_deps(
        "stages.firstprinciples.spectra"
    )  # python -m ... worker
    assert "specgroups/present/figures.mplstyle" in stage_deps.code_deps("stages.figures")  # read beside figures.py
    # chemistry_of_materials imports structures and parallel inside the function
    assert {"specgroups/structures.py", "specgroups/io/parallel.py"} <= set(stage_deps.code_deps("stages.chemistry"))
    assert "specgroups/firstprinciples/results.py" in stage_deps.code_deps("stages.dataset")


def copy_of_the_project(tmp_path):
    """The tracked files (with their dvc.lock files) in a new git repository, the first-principles stages
    unfrozen: DVC checks no dep of a frozen stage."""
    repo = tmp_path / "repo"
    for name in git(ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard").split("\0"):
        if name and (ROOT / name).is_file():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, repo / name)
    fp = repo / "profiles/firstprinciples/dvc.yaml"
    fp.write_text(fp.read_text().replace("    frozen: true\n", ""))
    git(repo, "init", "-q")
    return repo


def stages_with_modified_code(repo) -> dict[str, set[str]]:
    """{profile:stage: code deps DVC reports as modified}, over the stages that have a lock entry."""
    found = {}
    for profile in stage_deps.PROFILES:
        lock = (repo / profile).with_name("dvc.lock")
        locked = yaml.safe_load(lock.read_text())["stages"] if lock.is_file() else {}
        status = json.loads(dvc(repo, "status", "--no-updates", "--json", profile).stdout or "{}")
        for address, entries in status.items():
            name = address.split(":")[-1]
            modified = {
                path
                for entry in entries
                if isinstance(entry, dict)
                for path, state in entry.get("changed deps", {}).items()
                if state == "modified" and stage_deps.is_code(path)
            }
            if modified and name in locked:
                found[f"{profile}:{name}"] = modified
    return found


def locked_stages(repo, profile: str) -> set[str]:
    lock = (repo / profile).with_name("dvc.lock")
    return set(yaml.safe_load(lock.read_text())["stages"]) if lock.is_file() else set()


@pytest.mark.slow
def test_committed_locks_match_the_code_and_a_change_marks_exactly_its_importers(tmp_path):
    repo = copy_of_the_project(tmp_path)
    assert stages_with_modified_code(repo) == {}, "a dvc.lock is older than the code: rerun that profile"
    for module in ("specgroups/firstprinciples/results.py", "specgroups/structures.py", "specgroups/present/report.py"):
        original = (repo / module).read_text()
        (repo / module).write_text(original + "# a comment changes the file's md5\n")
        expected = {
            f"{profile}:{name}"
            for profile in stage_deps.PROFILES
            for name, stage in yaml.safe_load((repo / profile).read_text())["stages"].items()
            if name in locked_stages(repo, profile)
            and module in stage_deps.code_deps(stage_deps.stage_module(stage["cmd"]))
        }
        assert expected, module
        assert set(stages_with_modified_code(repo)) == expected, module
        (repo / module).write_text(original)
