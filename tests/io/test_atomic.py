"""Atomic file writes (specgroups.io.atomic): a reader sees the old file or the whole new one, never half of one."""

from __future__ import annotations

import gzip
import os
import signal
import sys
import time

import numpy as np
import pytest

from specgroups.io.atomic import atomic_path, read_json, write_json_atomic
from tests.helpers import ROOT
from tests.pipeline.test_interruptions import start


def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(tmp_path):
    target = tmp_path / "result.json"
    write_json_atomic(target, {"value": 1})
    with pytest.raises(TypeError, match="not JSON serializable"):
        write_json_atomic(target, {"value": object()})
    with pytest.raises(RuntimeError, match="stopped half way"):
        with atomic_path(target) as temporary:
            assert temporary.parent == tmp_path and temporary != target
            temporary.write_text('{"value": 2, "and then')
            raise RuntimeError("stopped half way")
    assert read_json(target) == {"value": 1}
    assert [path.name for path in tmp_path.iterdir()] == ["result.json"]


def test_json_has_null_for_nan_plain_numbers_and_reproducible_gzip_bytes(tmp_path):
    data = {"gap": float("nan"), "edges": [np.float32(1.5), np.inf, -np.inf, np.int64(3)], "nested": {"x": (np.nan,)}}
    write_json_atomic(tmp_path / "plain.json", data)
    assert read_json(tmp_path / "plain.json") == {"gap": None, "edges": [1.5, None, None, 3], "nested": {"x": [None]}}
    write_json_atomic(tmp_path / "first.json.gz", data)
    time.sleep(1.1)  # gzip would record a later modification time
    write_json_atomic(tmp_path / "second.json.gz", data)
    first = (tmp_path / "first.json.gz").read_bytes()
    assert first == (tmp_path / "second.json.gz").read_bytes()
    assert gzip.decompress(first) == (tmp_path / "plain.json").read_bytes()
    assert read_json(tmp_path / "first.json.gz") == read_json(tmp_path / "plain.json")


def test_a_written_file_has_the_permissions_of_the_umask_not_the_temporary_files(tmp_path):
    previous = os.umask(0o022)
    try:
        write_json_atomic(tmp_path / "shared.json", [1, 2])
    finally:
        os.umask(previous)
    assert (tmp_path / "shared.json").stat().st_mode & 0o777 == 0o644


WRITER = """
import sys
from specgroups.io.atomic import write_bytes_atomic
for k in range(10**6):
    write_bytes_atomic(sys.argv[1], bytes([97 + k % 2]) * 8_000_000)
"""


@pytest.mark.slow
def test_a_file_written_atomically_is_whole_whenever_the_writer_is_killed(tmp_path):
    target = tmp_path / "output.bin"
    seen = set()
    for attempt in range(8):
        writer = start([sys.executable, "-c", WRITER, str(target)], ROOT)
        time.sleep(0.3 + 0.13 * attempt)  # kill at different points of the write/rename cycle
        os.killpg(writer.pid, signal.SIGKILL)
        writer.wait()
        if target.exists():
            data = target.read_bytes()
            assert len(data) == 8_000_000 and len(set(data)) == 1, "a half-written file is visible"
            seen.add(data[:1])
    assert seen, "the writer never finished one file"
