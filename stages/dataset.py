"""Stage `dataset`: first-principles dielectric functions -> log10 alpha table, onsets and split.

The materials come from the source that ``dataset.source`` names (``specgroups.data.sources``).
"""

from __future__ import annotations

from specgroups.data.assemble import SpectrumOptions, assemble_dataset
from specgroups.data.sources import materials_from_params
from specgroups.io.atomic import write_csv_atomic
from specgroups.io.dataset import dataset_summary, onset_metrics_from, write_dataset
from specgroups.io.metrics import dataset_metrics, write_results
from stages._common import stage_main


def run(profile) -> str:
    params, output = profile.section("dataset"), profile.layout.dataset
    options = SpectrumOptions.from_params(params)
    split = dict(params["split"])
    seed = int(split.pop("seed"))
    materials, fixed_split = materials_from_params(params, float(options.grid[-1]))
    dataset, excluded = assemble_dataset(materials, options, split, seed, fixed_split)
    dataset.materials = onset_metrics_from(dataset.materials, params["onset_metrics_from"])
    write_dataset(output, dataset)
    write_csv_atomic(output / "excluded.csv", excluded)
    summary = dataset_summary(dataset, excluded, float(params["published_agreement_tolerance_ev"]))
    write_results(profile.layout, "dataset", summary, dataset_metrics)
    return f"dataset: {summary['materials']} materials ({summary['split']}), {summary['excluded']} excluded -> {output}"


if __name__ == "__main__":
    stage_main(run, __doc__)
