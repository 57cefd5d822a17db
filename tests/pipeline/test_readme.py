"""The README's library example runs as written, on a small profile's trained model."""

from __future__ import annotations

import gzip
import json
import os
import re

import pytest
from pymatgen.core import Structure

from tests.helpers import ROOT

pytestmark = pytest.mark.slow


def test_library_example_runs(pipeline_repo, tmp_path):
    readme = (ROOT / "README.md").read_text()
    code = re.search(r"<!-- library-example[^>]*-->\s*```python\n(.*?)```", readme, re.S).group(1)
    assert len(code.strip().splitlines()) <= 15
    (tmp_path / "cifs").mkdir()
    with gzip.open(ROOT / "data/sources/oxides_pbesol.json.gz", "rt") as handle:
        records = [r for r in json.load(handle) if r["nsites"] <= 6][:6]
    for record in records:
        Structure.from_dict(record["structure"]).to(filename=str(tmp_path / "cifs" / f"{record['id']}.cif"))
    (tmp_path / "models").symlink_to(pipeline_repo / "models")
    namespace: dict = {}
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        exec(compile(code, "README.md", "exec"), namespace)
    finally:
        os.chdir(cwd)
    assert sorted(namespace["features"]) == ["alignn_1", "alignn_2", "gcn_1", "gcn_2", "pooled", "predicted"]
    assert namespace["features"]["pooled"].shape == (6, 64)
    assert sorted(set(namespace["labels"].tolist())) == [1, 2, 3]


def test_every_folder_the_layout_lists_exists():
    """The README's layout section names real folders (a moved or renamed one fails here)."""
    import re

    text = (ROOT / "README.md").read_text()
    section = text[text.index("## Layout") :]
    block = section[section.index("```") + 3 : section.index("```", section.index("```") + 3)]
    folders = {word for line in block.splitlines() for word in re.findall(r"(\S+/)(?=\s)", line + " ")}
    assert len(folders) >= 15
    missing = sorted(folder for folder in folders if not (ROOT / folder).is_dir())
    assert not missing, f"README layout lists folders that do not exist: {missing}"
