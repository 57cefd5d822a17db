"""The `specgroups` command: predict and place new materials, and explain a cluster, from a profile's outputs.

    specgroups predict STRUCTURE... [--model DIR] [--clusters DIR] [--json OUT] [--params params.yaml]
    specgroups explain CLUSTER [--clusters DIR] [--json OUT] [--params params.yaml]
    specgroups new-profile NAME SOURCE --shape {id_prop,vasprun,records} [--not-logarithmic]

STRUCTURE is a CIF, POSCAR or pymatgen JSON file, or a Materials Project id
(mp-1234; needs MP_API_KEY and the network). --model is a trained model folder
(default: the profile's, models/default); --clusters is the folder holding the
profile's data outputs (features.npz, clusters.npz, dataset/, chemistry/;
default: data). The profile's params give the graph settings and onset threshold.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import asdict
from pathlib import Path

import numpy as np

from specgroups.data.imports import SHAPES
from specgroups.errors import InputError
from specgroups.io.atomic import write_json_atomic
from specgroups.io.layout import ProfileLayout
from specgroups.io.params import profile_params
from specgroups.names import chemical_formula


class Profile:
    """What a profile's outputs know about the clusters: features, labels, dataset table, chemistry."""

    def __init__(self, layout, params: dict):
        from specgroups.io.dataset import read_dataset
        from specgroups.io.outputs import read_clusters, read_features, read_interpretation

        features, clusters = read_features(layout.features), read_clusters(layout.clusters)
        self.representation = str(clusters["representation"])
        self.ids = [str(i) for i in clusters["material_ids"]]
        order = {material_id: row for row, material_id in enumerate(features["material_ids"].tolist())}
        rows = [order[material_id] for material_id in self.ids]
        self.vectors = features[self.representation][rows]
        self.reference = features["reference"][rows]
        self.labels = clusters["labels"]
        dataset = read_dataset(layout.dataset)
        self.table = dataset.materials.set_index("id").loc[self.ids]
        self.grid = dataset.energy_grid
        interpretation = read_interpretation(layout.interpretation)
        self.summaries, self.guidelines, self.contrast = (
            interpretation.clusters,
            interpretation.guidelines,
            interpretation.contrast_oxides,
        )
        # the onset as the dataset defines it, so a prediction reads against its cluster's onsets
        self.threshold = float(params["dataset"]["onset_threshold"])
        self.edge_window_ev = float(params["dataset"]["edge_window_ev"])
        # the table source holds spectra as they are (eps_imag in the eps2 profile), unless it says they are log10 alpha
        dataset_params = params["dataset"]
        self.logarithmic = dataset_params["source"] != "table" or bool(dataset_params["table"].get("logarithmic"))

    def statements(self, cluster: int) -> list[str]:
        """The design guidelines of ``cluster`` (their feature is enriched in it), each with its out-of-sample
        status (:func:`specgroups.analysis.guidelines.validate`); guidelines whose contrast claims no direction say so."""
        return [f"[{g['validation']['status']}] {g['statement']}" for g in self.guidelines if g["cluster"] == cluster]

    def environments_in(self, cluster: int) -> dict[str, list[str]]:
        """{class of the headline contrast: formulas of the cluster's V5+/Cr6+ oxides in it} (:mod:`specgroups.study.contrast`)."""
        members = set(np.array(self.ids)[self.labels == cluster])
        rows = self.contrast[self.contrast["id"].isin(members)]
        return {
            env: [str(self.table.loc[m, "formula"]) for m in rows.loc[rows["environment"] == env, "id"]]
            for env in sorted(set(rows["environment"]))
        }


def load_structure(argument: str):
    from specgroups.structures import MATERIALS_PROJECT_ID, read_structure, structure_from_materials_project

    if MATERIALS_PROJECT_ID.match(argument) and not Path(argument).exists():
        return structure_from_materials_project(argument)
    return read_structure(argument)


def predict(structures: list[str], model_dir: Path, profile: Profile, params: dict) -> list[dict]:
    import torch

    from specgroups.analysis.placement import place
    from specgroups.model.features import extract_features
    from specgroups.model.graphs import GraphSet, GraphSettings, graph_tensors, to_graph_pair
    from specgroups.model.network import load_model
    from specgroups.model.training import make_deterministic
    from specgroups.spectra import onset_metrics

    graphs = params["graphs"]
    settings = GraphSettings(float(graphs["cutoff"]), int(graphs["max_neighbors"]), str(graphs["atom_features"]))
    make_deterministic(int(params["embed"]["seed"]), int(params["embed"]["threads"]))
    model, _ = load_model(model_dir)
    loaded = {argument: load_structure(argument) for argument in structures}
    pairs = [to_graph_pair(graph_tensors(structure, argument, settings)) for argument, structure in loaded.items()]
    data = GraphSet(list(loaded), pairs, torch.zeros(len(pairs), len(profile.grid)))
    features = extract_features(model, data, batch_size=int(params["embed"]["batch_size"]), device=torch.device("cpu"))
    results = []
    for row, (argument, structure) in enumerate(loaded.items()):
        spectrum = features["predicted"][row]
        onset = onset_metrics(profile.grid, spectrum, profile.threshold, profile.edge_window_ev, profile.logarithmic)
        placement = place(
            features[profile.representation][row],
            profile.vectors,
            profile.labels,
            int(params["predict"]["nearest_materials"]),
        )
        summary = profile.summaries[str(placement.cluster)]
        results.append(
            {
                "structure": argument,
                "formula": chemical_formula(structure.composition),
                "onset_energy_ev": onset.onset_energy_ev,
                "onset_threshold": profile.threshold,
                "absorption_edge_integral": onset.absorption_edge_integral,
                "log10_edge_integral": float(np.log10(onset.absorption_edge_integral)),
                "energy_grid_ev": profile.grid.tolist(),
                "predicted_log_alpha": spectrum.tolist(),
                "representation": profile.representation,
                "placement": asdict(placement)
                | {"cluster_size": len(summary["members"]), "cluster_onset_ev": summary["onset_energy_ev"]},
                "nearest_materials": [
                    {
                        "id": profile.ids[i],
                        "formula": str(profile.table["formula"].iloc[i]),
                        "distance": distance,
                        "cluster": int(profile.labels[i]),
                        "onset_energy_ev": float(profile.table["onset_energy_ev"].iloc[i]),
                        "reference_log_alpha": profile.reference[i].tolist(),
                    }
                    for i, distance in zip(placement.neighbours, placement.neighbour_distances)
                ],
                "guidelines": profile.statements(placement.cluster),
                "headline_environment": headline_environment(structure, argument),
            }
        )
    return results


def headline_environment(structure, name: str) -> dict | None:
    """The class of a V/Cr compound in the study's contrast (:func:`specgroups.study.contrast.material_environment`,
    from its ChemEnv analysis); None for any other compound."""
    from specgroups.analysis.chemistry import chemistry_record
    from specgroups.study.contrast import HEADLINE_CATIONS, material_environment

    if not {site.specie.symbol for site in structure} & set(HEADLINE_CATIONS):
        return None
    return material_environment(chemistry_record(structure.as_dict(), name))


def prediction_text(result: dict) -> str:
    placement = result["placement"]
    onset = result["onset_energy_ev"]
    cluster_onset = placement["cluster_onset_ev"]
    lines = [
        f"{result['formula']}  ({result['structure']})",
        f"  predicted onset {onset:.2f} eV, log10 of the absorption-edge integral I/(cm^-1 eV) {result['log10_edge_integral']:.2f}"
        if np.isfinite(onset)
        else f"  predicted spectrum never reaches the onset threshold {result['onset_threshold']:g}"
        f" on {result['energy_grid_ev'][0]:g}-{result['energy_grid_ev'][-1]:g} eV: no onset",
        f"  cluster {placement['cluster']} ({placement['cluster_size']} materials, onset {cluster_onset['mean']:.2f}"
        f" +/- {cluster_onset['std'] if cluster_onset['std'] is not None else float('nan'):.2f} eV) in {result['representation']}:"
        f" distance {placement['distance']:.2f} to its centre, {100 * placement['members_closer']:.0f}% of members closer"
        + ("  ** OUTLIER: farther than every member **" if placement["outlier"] else ""),
        "  nearest known materials:",
        *[
            f"    {m['formula']:<12} {m['id']:<12} distance {m['distance']:.2f}  cluster {m['cluster']}  onset {m['onset_energy_ev']:.2f} eV"
            for m in result["nearest_materials"]
        ],
        "  design guidelines of this cluster (held / failed / untested out of sample):"
        if result["guidelines"]
        else "  no design guideline from this cluster",
        *[f"    - {statement}" for statement in result["guidelines"]],
    ]
    if result["headline_environment"]:
        found = result["headline_environment"]
        lines.append(
            f"  headline contrast: {found['cation']} with anion {found['anion']}, environment {found['environment']}"
        )
    return "\n".join(lines)


def explain(cluster: int, profile: Profile) -> dict:
    if str(cluster) not in profile.summaries:
        raise InputError(f"cluster {cluster}: no such cluster (they are numbered 1-{len(profile.summaries)})")
    summary = profile.summaries[str(cluster)]
    return {
        "cluster": cluster,
        "representation": profile.representation,
        **summary,
        "guidelines": profile.statements(cluster),
        "headline_environments": profile.environments_in(cluster),
    }


def explanation_text(result: dict) -> str:
    onset, edge = result["onset_energy_ev"], result["log10_edge_integral"]
    lines = [
        f"cluster {result['cluster']} ({result['representation']}): {len(result['members'])} materials",
        f"  onset {onset['mean']:.2f} +/- {onset['std'] or 0:.2f} eV; log10 I/(cm^-1 eV) {edge['mean']:.2f} +/- {edge['std'] or 0:.2f}",
        "  members: "
        + ", ".join(f"{formula} ({material})" for formula, material in zip(result["formulas"], result["members"])),
        "  shared features (derivation members; enriched against all, or within a more general feature's carriers; q = BH-corrected p):",
        *[
            f"    {row['feature']:<32} {row['in_group']}/{row['group_size']} here vs {100 * row['fraction_in_total']:.0f}% of {row['within'] or 'all'}  q={row['q_value']:.3g}"
            for row in result["enriched"]
        ],
        "  design guidelines (held / failed / untested out of sample):"
        if result["guidelines"]
        else "  no design guideline from this cluster",
        *[f"    - {statement}" for statement in result["guidelines"]],
        "  V5+/Cr6+ oxides by environment (headline contrast): "
        + (
            "; ".join(f"{env} {', '.join(formulas)}" for env, formulas in result["headline_environments"].items())
            or "none"
        ),
    ]
    return "\n".join(lines)


def new_profile(arguments) -> int:
    """``specgroups new-profile``: the profile's files, then its dvc.yaml (the project's ``tools/pipeline.py``)."""
    import subprocess

    from specgroups.data.imports import DESCRIPTION_FIELDS, create_profile, spectrum_description

    try:
        described = {field: getattr(arguments, field) for field in DESCRIPTION_FIELDS}
        folder, count = create_profile(
            arguments.root, arguments.name, arguments.shape, arguments.source, not arguments.not_logarithmic, described
        )
    except InputError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    generator = arguments.root / "tools" / "pipeline.py"
    if generator.is_file():
        subprocess.run([sys.executable, str(generator)], check=True, cwd=arguments.root)
    recorded = spectrum_description(described, arguments.shape)
    unknown = [field for field, value in recorded.items() if value == "unknown"]
    if unknown:
        print(
            f"note: {folder / 'params.yaml'} records {', '.join(unknown)} as unknown; say them (--help) before "
            "comparing these spectra with others",
            file=sys.stderr,
        )
    print(f"{folder}: {count} materials; run: dvc repro {folder.relative_to(arguments.root) / 'dvc.yaml'}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="specgroups", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    predict_parser = commands.add_parser(
        "predict", help="predict spectra of new structures and place them among the clusters"
    )
    predict_parser.add_argument("structures", nargs="+", metavar="STRUCTURE")
    predict_parser.add_argument("--model", type=Path, help="trained model folder (default: the profile's)")
    explain_parser = commands.add_parser("explain", help="a cluster's members, shared features, onsets and contrasts")
    explain_parser.add_argument("cluster", type=int, metavar="CLUSTER")
    new_parser = commands.add_parser(
        "new-profile",
        help="a profile of your own data: alignn id_prop.csv folder, VASP optics runs, or JSON records",
    )
    new_parser.add_argument("name", help="the profile's name: profiles/NAME is created")
    new_parser.add_argument("source", type=Path, help="the id_prop folder, the folder of runs, or the JSON file")
    new_parser.add_argument("--shape", choices=SHAPES, required=True, help="the data's shape (specgroups.data.imports)")
    new_parser.add_argument(
        "--not-logarithmic",
        action="store_true",
        help="id_prop values are a spectrum as it is (e.g. eps_imag), not log10 alpha",
    )
    new_parser.add_argument("--root", type=Path, default=Path("."), help="the project folder (default: here)")
    new_parser.add_argument("--level-of-theory", help="e.g. 'PBE, independent particle' or 'HSE06 + BSE'")
    new_parser.add_argument("--broadening-ev", type=float, help="the spectra's Lorentzian or Gaussian width (eV)")
    new_parser.add_argument("--kpoint-density", type=float, help="k-points per reciprocal angstrom of the optics runs")
    new_parser.add_argument("--gap-correction", help="e.g. 'none', 'scissor to GLLB-SC'")
    new_parser.add_argument(
        "--component",
        help="the tensor component the spectra hold (default for dielectric data: the mean of xx, yy, zz)",
    )
    for sub in (predict_parser, explain_parser):
        sub.add_argument(
            "--profile", default=".", help="the profile's root folder (default: the repository, the default profile)"
        )
        sub.add_argument("--json", type=Path, metavar="OUT", help="also write the result as JSON")
    arguments = parser.parse_args(argv)
    if arguments.command == "new-profile":
        return new_profile(arguments)
    try:
        layout = ProfileLayout.of(arguments.profile)
        params = profile_params(layout.root)
        profile = Profile(layout, params)
        if arguments.command == "predict":
            model_dir = arguments.model or layout.model
            result = predict(arguments.structures, model_dir, profile, params)
            text = "\n\n".join(prediction_text(item) for item in result)
        else:
            result = explain(arguments.cluster, profile)
            text = explanation_text(result)
    except InputError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(text)
    if arguments.json:
        write_json_atomic(arguments.json, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
