"""Fixtures shared across test modules."""

from __future__ import annotations

import pytest

from tests.helpers import small_pipeline


@pytest.fixture(scope="session")
def pipeline_repo(tmp_path_factory):
    """A small copy of the default profile that has run dataset -> ... -> chemistry (30 epochs), lock committed.
    Tests may add remotes or push from it, not change its params or outputs."""
    return small_pipeline(tmp_path_factory.mktemp("pipeline"), epochs=30, until="chemistry")


def pytest_collection_modifyitems(items):
    """Under pytest-xdist (``make test`` runs ``-n auto --dist loadgroup``) the tests of the shared small pipeline
    go to one worker, which builds it once."""
    for item in items:
        if "pipeline_repo" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group("pipeline_repo"))
