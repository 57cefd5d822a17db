"""The benchmarks' input: every structure of the committed source collections (data/sources), as the demo selection's material records."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from specgroups.firstprinciples.selection import chalcogenide_material, oxide_material

SHARED = Path(__file__).parents[1] / "data" / "sources"


def shared_materials() -> list[dict]:
    """Oxides then chalcogenides: id, formula, nsites, source, reference gap (oxides only), pymatgen structure dict."""
    with gzip.open(SHARED / "oxides_pbesol.json.gz", "rt") as handle:
        materials = [oxide_material(record) for record in json.load(handle)]
    with gzip.open(SHARED / "chalcogenides_mp.json.gz", "rt") as handle:
        materials += [chalcogenide_material(record) for record in json.load(handle)]
    return materials
