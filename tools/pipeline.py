"""Every profile's dvc.yaml, generated from one definition of the pipeline.

The stages, their order, what each reads and writes (from :class:`specgroups.io.layout.ProfileLayout`),
which params each declares, and the code it runs (:func:`stage_deps.code_deps`) are written here once; a
profile contributes only its root folder and the inputs its params name (the data it starts from).

    python tools/pipeline.py           # rewrite dvc.yaml, profiles/eps2/dvc.yaml, profiles/paper/dvc.yaml
    python tools/pipeline.py --check   # list the profiles whose dvc.yaml is not what this writes; exit 1 if any
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from specgroups.io.layout import ProfileLayout  # noqa: E402
from specgroups.io.params import profile_params, read_yaml_mapping  # noqa: E402
from tools.stage_deps import ROOT, code_deps  # noqa: E402

# root folder: (description of its data, stages that run before dataset, whether DVC lists its metrics: a profile
# that has never run here keeps them plain outputs, so that `dvc metrics show` does not warn about missing files)
PROFILES = {
    ".": ("the embedded GPAW spectra (log10 alpha, 0-15 eV, 1501 points)", [], True),
    "profiles/eps2": ("eps_imag (0-15 eV) of the embedded GPAW spectra", ["export"], True),
    "profiles/paper": ("log10 alpha of the study's 2,681 materials from the authors' published data", [], False),
}
HEADER = {
    ".": "Default profile: the embedded GPAW data on a CPU, in minutes.",
    "profiles/eps2": "eps2 profile: the default pipeline on eps_imag instead of log10 alpha, after an `export` stage.",
    "profiles/paper": "Paper profile: the study's data and published checkpoint (dvc pull data.dvc model.dvc first).",
}


def profiles() -> dict[str, tuple]:
    """:data:`PROFILES` and every other ``profiles/<name>/params.yaml`` but the first-principles pipeline's: a profile
    of imported data (``specgroups new-profile``), whose metrics stay plain outputs until it has run."""
    found = dict(PROFILES)
    for params in sorted((ROOT / "profiles").glob("*/params.yaml")):
        root = params.parent.relative_to(ROOT).as_posix()
        if root not in found and root != "profiles/firstprinciples":
            found[root] = (f"the spectra imported into {root}/data", [], False)
    return found


# params each stage reads: whole sections, or single keys of another stage's section
PARAMS = {
    "export": ["export"],
    "dataset": ["dataset"],
    "chemistry": ["chemistry"],
    "pretrained": ["pretrained"],
    "neighbours": ["neighbours"],
    "anchors": ["anchors", "dataset"],
    "graphs": ["graphs"],
    "train": ["train", "dataset.onset_threshold"],
    "embed": ["embed", "train.ensemble", "train.mode"],
    "scan": ["scan", "interpret"],
    "cluster": ["cluster"],
    "interpret": ["interpret", "cluster.stable_core", "cluster.seed"],
    "electronic": ["electronic"],
    "figures": ["figures", "graphs.max_neighbors", "train.architecture", "electronic.bond_cutoff"],
    "report": ["report"],
}
PLOTS = [
    {
        "n_clusters_scan.csv": {
            "title": "The cluster count scan, for the representation the rule picks",
            "x": "n_clusters",
            "y": [
                "environment_coherence_ratio",
                "spectral_coherence_ratio",
                "consensus_stability",
                "split_half_consensus_ari",
                "bootstrap_ari",
                "coverage",
            ],
        }
    },
    {"learning_curve.csv": {"title": "Learning curve", "x": "epoch", "y": ["train_loss", "val_mae"]}},
    {
        "onset_parity.csv": {
            "template": "scatter",
            "x": "reference_onset_ev",
            "y": "predicted_onset_ev",
            "title": "Onset energy of the test materials (eV)",
        }
    },
    {
        "test_spectra": {
            "title": "Reference and predicted spectra of test materials (MAE quantiles 0.1, 0.5, 0.9)",
            "x": "energy_ev",
            "y": ["reference", "predicted"],
        }
    },
]


def _top(path: str) -> str:
    """The folder a DVC import fills (``models/published/neighbor_20/hidden_64`` -> ``models/published``)."""
    return "/".join(Path(path).parts[:2])


def inputs(stage: str, params: dict, layout: ProfileLayout) -> list[str]:
    """The data a stage reads that no stage of this pipeline writes: what the profile's params name."""
    if stage == "export":
        return [params["export"]["materials"], params["export"]["first_principles"]]
    if stage == "dataset":
        section = params["dataset"]
        if section["source"] == "table":
            return [section["table"]["spectra"], section["table"]["structures"]]
        if section["source"] == "authors":
            run = section["authors"].get("split_from_run")
            return [section["authors"]["root"], *([_top(run)] if run else [])]
        gaps = section["onset_correction"]
        extra = (
            [gaps["corrected_gaps"]]
            if gaps["mode"] == "corrected_gap"
            else [gaps["reference_gaps"]]
            if gaps["mode"] == "reference_gap"
            else []
        )
        return [section["materials"], section["first_principles"], *extra]
    if stage == "train" and params["train"]["mode"] == "published":
        return [_top(params["train"]["published_run"])]
    if stage == "electronic" and params["electronic"]["localisation"]:
        return [params["electronic"]["localisation"]]
    if stage == "neighbours":
        return [params["neighbours"]["zone_boundary"]]
    if stage == "anchors" and params["anchors"]["enabled"]:
        return [params["anchors"][key] for key in ("measured_edges", "substitutions") if params["anchors"][key]]
    if stage == "report":
        return [params["report"]["templates"], params["report"]["study"]]
    return []


def stage_io(stage: str, layout: ProfileLayout) -> tuple[list[Path], list, list[Path]]:
    """(deps, outs, metrics) of a stage: paths, and for outs a path or {path: options}."""
    L, unc = layout, lambda path: {path: {"cache": False}}
    results = lambda name: unc(L.results(name))  # noqa: E731
    quantity = Path("data")  # the export stage writes what the table source reads
    table = {
        "export": ([], [L.root / quantity / "eps_imag.npz", L.root / quantity / "structures.json"], []),
        "dataset": ([], [L.dataset, results("dataset")], [L.metrics("dataset")]),
        "chemistry": ([L.dataset], [{L.chemistry_cache: {"persist": True}}, L.chemistry, results("chemistry")], []),
        "pretrained": ([L.dataset], [L.pretrained_features], []),
        "neighbours": (
            [L.dataset, L.chemistry],
            [unc(L.results_table("headline_materials")), results("neighbours")],
            [],
        ),
        "anchors": ([L.results_table("headline_materials"), L.results("neighbours")], [results("anchors")], []),
        "graphs": ([L.dataset], [{L.graphs: {"persist": True}}], []),
        "train": (
            [L.dataset, L.graphs],
            [
                L.model,
                L.members,
                unc(L.plot("learning_curve.csv")),
                unc(L.plot("onset_parity.csv")),
                unc(L.plot("test_spectra")),
                results("train"),
            ],
            [L.metrics("train")],
        ),
        "embed": ([L.dataset, L.graphs, L.model, L.members], [L.features, L.ensemble_features], []),
        "scan": (
            [L.dataset, L.ensemble_features, L.chemistry, L.pretrained_features],
            [L.clustering_choice, results("scan"), unc(L.plot("n_clusters_scan.csv"))],
            [],
        ),
        "cluster": (
            [L.dataset, L.chemistry, L.ensemble_features, L.pretrained_features, L.clustering_choice],
            [L.clusters, results("cluster")],
            [L.metrics("cluster")],
        ),
        "interpret": (
            [L.dataset, L.chemistry, L.clusters, L.ensemble_features],
            [L.interpretation, results("interpret")],
            [L.metrics("interpret")],
        ),
        "electronic": (
            [L.dataset, L.interpretation, L.features, L.clusters],
            [L.electronic, results("electronic")],
            [L.metrics("electronic")],
        ),
        "figures": (
            [
                L.dataset,
                L.clusters,
                L.interpretation,
                L.electronic,
                *(L.results(s) for s in ("dataset", "train", "cluster", "electronic")),
            ],
            [unc(L.figures)],
            [],
        ),
        "report": (
            [
                L.figures,
                L.interpretation,
                *(
                    L.results(s)
                    for s in (
                        "dataset",
                        "train",
                        "cluster",
                        "chemistry",
                        "neighbours",
                        "anchors",
                        "interpret",
                        "electronic",
                        "scan",
                    )
                ),
            ],
            [unc(L.report_markdown), unc(L.report_html)],
            [],
        ),
    }
    return table[stage]


def _has(params: dict, key: str) -> bool:
    for part in key.split("."):
        if not isinstance(params, dict) or part not in params:
            return False
        params = params[part]
    return True


def _posix(entry):
    if isinstance(entry, dict):
        return {Path(path).as_posix(): options for path, options in entry.items()}
    return Path(entry).as_posix()


def stage_definition(stage: str, root: str, params: dict, metrics_listed: bool) -> dict:
    layout = ProfileLayout.of(root)
    deps, outs, metrics = stage_io(stage, layout)
    module = f"stages.eps2.{stage}" if stage == "export" else f"stages.{stage}"
    definition = {}
    if root != ".":
        definition["wdir"] = "../.."
        overlay = read_yaml_mapping(ROOT / root / "params.yaml")
        declared = [{"params.yaml": [k for k in PARAMS[stage] if _has(read_yaml_mapping(ROOT / "params.yaml"), k)]}]
        in_overlay = [k for k in PARAMS[stage] if _has(overlay, k)]
        declared += [{f"{root}/params.yaml": in_overlay}] if in_overlay else []
        declared = [entry for entry in declared if next(iter(entry.values()))]
    else:
        declared = list(PARAMS[stage])
    definition["cmd"] = f"python -m {module}" + ("" if root == "." else f" --profile {root}")
    definition["deps"] = code_deps(module) + [_posix(path) for path in deps] + inputs(stage, params, layout)
    definition["params"] = declared
    metrics = [{Path(path).as_posix(): {"cache": False}} for path in metrics]
    definition["outs"] = [_posix(entry) for entry in outs] + ([] if metrics_listed else metrics)
    if metrics and metrics_listed:
        definition["metrics"] = metrics
    return definition


def pipeline(root: str) -> dict:
    """The dvc.yaml document of the profile at ``root``."""
    params = profile_params(ROOT / root, ROOT)
    described, before, metrics_listed = profiles()[root]
    stages = [
        *before,
        "dataset",
        "chemistry",
        "pretrained",
        "neighbours",
        "anchors",
        "graphs",
        "train",
        "embed",
        "scan",
        "cluster",
        "interpret",
        "electronic",
        "figures",
        "report",
    ]
    name = "default" if root == "." else Path(root).name
    model = "models/default" if root == "." else "model"
    report = "paper/report.html" if root == "." else "report.html"
    rows = [  # name, path, type, description, label
        ("spectral-dataset", "data/dataset", "dataset", f"{described}, onsets and split", "spectra"),
        (
            "spectrum-model",
            model,
            "model",
            f"ALIGNN spectrum model of the {name} profile (an alignn run folder)",
            "alignn",
        ),
        (
            "cluster-assignment",
            "data/clusters.npz",
            "data",
            f"Ward linkage and cluster labels of every representation, and the chosen one ({name} profile)",
            "clusters",
        ),
        ("figures", "figures", "figures", f"Figures 1-3 and the per-cluster panels ({name} profile)", "figures"),
        ("report", report, "report", f"The self-contained HTML report ({name} profile)", "report"),
    ]
    artifacts = {
        key: {"path": path, "type": kind, "desc": desc, "labels": [name, label]}
        for key, path, kind, desc, label in rows
    }
    plots = [{(Path("metrics") / path).as_posix(): options} for entry in PLOTS for path, options in entry.items()]
    document = {"stages": {stage: stage_definition(stage, root, params, metrics_listed) for stage in stages}}
    return {**document, **({"plots": plots} if metrics_listed else {}), "artifacts": artifacts}


def render(root: str) -> str:
    text = yaml.safe_dump(pipeline(root), sort_keys=False, width=120)
    return f"# {HEADER.get(root, f'{Path(root).name} profile: imported data (specgroups new-profile).')}\n# Generated by tools/pipeline.py from one definition of the pipeline: do not edit.\n{text}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only report profiles whose dvc.yaml differs")
    arguments = parser.parse_args(argv)
    status = 0
    for root in profiles():
        path = ROOT / root / "dvc.yaml"
        text = render(root)
        if not path.exists() or path.read_text() != text:
            if arguments.check:
                print(f"{path.relative_to(ROOT)}: not what tools/pipeline.py writes (run it)")
                status = 1
            else:
                path.write_text(text)
                print(f"{path.relative_to(ROOT)}: written")
    return status


if __name__ == "__main__":
    sys.exit(main())
