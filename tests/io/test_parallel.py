"""Cached parallel maps (specgroups.io.parallel): one file per result, a cached result is never computed again."""

from __future__ import annotations

import json
import sys

import pytest

from specgroups.io.atomic import read_json, write_json_atomic
from specgroups.io.parallel import map_cached
from tests.helpers import ROOT
from tests.pipeline.test_interruptions import kill_when, start


def test_each_result_is_cached_in_its_own_file_and_never_computed_again(tmp_path):
    calls = []

    def square(x):
        calls.append(x)
        return {"square": x * x}

    cache = tmp_path / "cache"
    assert map_cached(square, {"a": (2,), "b": (3,)}, cache, 1, "squares") == {"a": {"square": 4}, "b": {"square": 9}}
    assert sorted(calls) == [2, 3]
    assert sorted(path.name for path in cache.iterdir()) == ["a.json", "b.json"]
    assert read_json(cache / "b.json") == {"square": 9}
    write_json_atomic(cache / "a.json", {"square": -1})  # so that a recomputed "a" would show
    calls.clear()
    # one task left to compute: it runs here, whatever the number of workers
    again = map_cached(square, {"a": (2,), "c": (4,)}, cache, 4, "squares")
    assert again == {"a": {"square": -1}, "c": {"square": 16}} and calls == [4]
    assert sorted(path.name for path in cache.iterdir()) == ["a.json", "b.json", "c.json"]


CHEMISTRY_BATCH = """
import sys, json
from pymatgen.core import Structure
from specgroups.io.parallel import map_cached
from specgroups.analysis.chemistry import chemistry_record
structures = json.load(open(sys.argv[1]))
map_cached(chemistry_record, {k: (v, k) for k, v in structures.items()}, sys.argv[2], 1, "chemistry")
"""


@pytest.mark.slow
def test_the_chemistry_batch_resumes_without_recomputing(tmp_path):
    materials = json.loads((ROOT / "data/demo/materials.json").read_text())
    chosen = {m["id"]: m["structure"] for m in materials if 4 <= m["nsites"] <= 10}
    chosen = dict(list(chosen.items())[:8])
    (tmp_path / "structures.json").write_text(json.dumps(chosen))
    cache = tmp_path / "cache"
    command = [sys.executable, "-c", CHEMISTRY_BATCH, str(tmp_path / "structures.json"), str(cache)]
    batch = start(command, ROOT)
    kill_when(batch, lambda: len(list(cache.glob("*.json"))) >= 3)
    finished = {path.name: path.stat().st_mtime_ns for path in cache.glob("*.json")}
    assert 3 <= len(finished) < len(chosen)
    rerun = start(command, ROOT)
    assert rerun.wait(timeout=900) == 0
    assert {path.name for path in cache.glob("*.json")} == {f"{k}.json" for k in chosen}
    assert {name: (cache / name).stat().st_mtime_ns for name in finished} == finished
