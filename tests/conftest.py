"""Fixtures shared across test modules."""

from __future__ import annotations

import pytest

from tests.helpers import small_pipeline


@pytest.fixture(scope="session")
def pipeline_repo(tmp_path_factory):
    """A small copy of the default profile that has run dataset -> ... -> chemistry (30 epochs), lock committed.
    Tests may add remotes or push from it, not change its params or outputs."""
    return small_pipeline(tmp_path_factory.mktemp("pipeline"), epochs=30, until="chemistry")

