"""Stage `export` (eps2 profile): a generic spectra table from the GPAW results, e.g. eps_imag per material.

Writes what the dataset stage's ``table`` source reads: ``data/<quantity>.npz`` with ``material_ids``,
``energies`` and ``values`` (materials x energies), and ``data/structures.json``, {id: {"formula",
"structure"}}. Only materials computed as ``ok`` with every transition up to ``complete_to_ev`` are kept.
"""

from __future__ import annotations

from specgroups.firstprinciples.results import ExportSettings, export_table
from stages._common import stage_main


def run(profile) -> str:
    settings, data = profile.settings(ExportSettings, "export"), profile.layout.root / "data"
    kept, energies = export_table(settings, data / f"{settings.quantity}.npz", data / "structures.json")
    return (
        f"export: {settings.quantity} of {kept} materials on {len(energies)} energies -> {data / settings.quantity}.npz"
    )


if __name__ == "__main__":
    stage_main(run, __doc__)
