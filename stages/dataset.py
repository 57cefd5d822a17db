"""Stage `dataset`: first-principles dielectric functions -> log10 alpha table, onsets and split.

The materials come from the source that ``dataset.source`` names (``specgroups.sources``).
"""

from __future__ import annotations

from pathlib import Path

from specgroups.assemble import SpectrumOptions, assemble_dataset
from specgroups.atomic import write_csv_atomic
from specgroups.dataset import ONSET_SOURCES, dataset_summary, with_published_onsets, write_dataset
from specgroups.errors import InputError
from specgroups.metrics import dataset_metrics, write_results
from specgroups.sources import materials_from_params
from stages._common import load_params, stage_main


def run(arguments) -> str:
    params = load_params(arguments.params, "dataset")
    options = SpectrumOptions.from_params(params)
    split = dict(params["split"])
    seed = int(split.pop("seed"))
    materials, fixed_split = materials_from_params(params, float(options.grid[-1]))
    dataset, excluded = assemble_dataset(materials, options, split, seed, fixed_split)
    if params["onset_metrics_from"] not in ONSET_SOURCES:
        raise InputError(f"params: dataset.onset_metrics_from must be one of {ONSET_SOURCES}, got {params['onset_metrics_from']!r}")
    if params["onset_metrics_from"] == "authors":
        dataset.materials = with_published_onsets(dataset.materials)
    output = Path(params["output"])
    write_dataset(output, dataset)
    write_csv_atomic(output / "excluded.csv", excluded)
    summary = dataset_summary(dataset, excluded, float(params["published_agreement_tolerance_ev"]))
    write_results(params, summary, dataset_metrics)
    return f"dataset: {summary['materials']} materials ({summary['split']}), {summary['excluded']} excluded -> {output}"


if __name__ == "__main__":
    stage_main(run, __doc__)
