"""Fixtures shared across test modules."""

from __future__ import annotations

import os
import shutil

import pytest

from tests.helpers import small_pipeline


@pytest.fixture(scope="session")
def pipeline_repo(tmp_path_factory):
    """A small copy of the default profile that has run dataset -> ... -> interpret (30 epochs), lock committed.
    Tests may add remotes or push from it, not change its params or outputs.

    Under pytest-xdist the first worker that needs it builds it once for the whole run (a file lock in the
    run's temporary folder, which all workers share) and every worker gets its own copy, so tests of two
    workers never run DVC in one repository at once."""
    if "PYTEST_XDIST_WORKER" not in os.environ:
        return small_pipeline(tmp_path_factory.mktemp("pipeline"), epochs=30, until="interpret")
    from filelock import FileLock

    run_folder = tmp_path_factory.getbasetemp().parent
    built, done = run_folder / "pipeline-built", run_folder / "pipeline-built.done"
    with FileLock(run_folder / "pipeline-built.lock"):
        if not done.is_file():
            shutil.rmtree(built, ignore_errors=True)
            small_pipeline(built, epochs=30, until="interpret")
            done.touch()
    copy = tmp_path_factory.mktemp("pipeline")
    shutil.copytree(built, copy, symlinks=True, dirs_exist_ok=True)
    return copy
