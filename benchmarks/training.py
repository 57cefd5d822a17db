"""Benchmark of the spectrum model's training and feature extraction on a CPU.

    python benchmarks/training.py [--materials 200] [--epochs 3] [--rounds 2] [--out benchmarks/training.json]

On the same materials (a seeded draw from data/sources) and the
same model and optimiser settings (the default profile's ``train`` section):

- training throughput, crystals per second of the training loop, of
  specgroups' trainer (eager with 1 torch thread, and compiled,
  ``train.compile: true``, with 1 and 2) and of alignn's own trainer
  (``python -m alignn.train_alignn`` with ``alignn_atomwise_pure``; once with
  its default data loader, 4 worker processes and per-epoch output storage,
  and with no workers and no storage, its best case on 2 cores, with 1 and 2
  torch threads), each in
  its own process, interleaved over ``--rounds`` so that load from other
  processes hits all of them alike (target: specgroups >= 1.5x alignn,
  ``speedup_over_alignn``: each trainer at its best on this machine, the compiled
  trainer with 1 or 2 torch threads against alignn's with 1 or 2);
- the compiled trainer's first epoch (compilation included, from an empty
  inductor cache) and its agreement with eager: the largest difference of
  their per-batch outputs over every training batch from the same initial
  weights, and of their weights after the run; whether two compiled runs
  give bit-identical weights;
- peak resident memory of each process (``wait4``'s ru_maxrss);
- feature extraction (every layer, batched as the embed stage does), CPU
  milliseconds per crystal (target: < 30 ms).

The first epoch of every run is dropped (allocator and cache warm-up); the
throughput is the median over the remaining epochs and rounds. Target spectra
are synthetic (a smooth edge at the material's PBEsol gap, or a seeded one for
chalcogenides): the cost of a training step does not depend on their values.
The two trainers do not build the same graph: alignn's trainer can only use its
``pure_torch`` graph (radius cut, then the nearest ``max_neighbors``), ours is
alignn's ``k-nearest`` graph (which keeps ties of the last neighbour shell).
Both are given the same cutoff and neighbour count and the JSON records the
edge and triplet counts of each, so the ratio can be read per edge as well.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml
from measure import machine, run_measured
from shared_materials import shared_materials

ROOT = Path(__file__).parents[1]
# alignn prints each epoch as "<blank> epoch total graph atom grad stress additional time".
ALIGNN_EPOCH_ROW = re.compile(r"^\s+(\d+)\s+(?:[-\d.eE+]+\s+){6}([\d.]+)\s*$")


def draw_materials(count: int, seed: int) -> list[dict]:
    """``count`` materials drawn from both shared structure files: id, structure dict, synthetic spectrum."""
    records = shared_materials()
    rng = np.random.default_rng(seed)
    chosen = [records[i] for i in sorted(rng.choice(len(records), size=count, replace=False))]
    energies = np.linspace(0.0, 15.0, 1501)
    for material in chosen:
        gap = material["reference_gap_ev"] if material["reference_gap_ev"] is not None else rng.uniform(0.5, 3.0)
        material["spectrum"] = 2.0 + 4.0 / (1.0 + np.exp(-(energies - gap - 0.5) / 0.3))
    return chosen


def prepare(workdir: Path, materials: list[dict], params: dict, epochs: int) -> dict:
    """Graph cache for specgroups, a root folder and config for alignn, and the graph sizes of both."""
    from alignn.torch_graph_builder import build_pure_torch_graph
    from jarvis.core.atoms import Atoms
    from pymatgen.core import Structure
    from pymatgen.io.vasp import Poscar

    from specgroups.model.graphs import GraphSettings, build_graph_cache
    from specgroups.model.network import SPECTRUM_OVERRIDES

    graphs = params["graphs"]
    settings = GraphSettings(float(graphs["cutoff"]), int(graphs["max_neighbors"]), str(graphs["atom_features"]))
    structures = {m["id"]: Structure.from_dict(m["structure"]) for m in materials}
    start = time.process_time()
    index = build_graph_cache(structures, settings, workdir / "graphs")
    graph_cpu = time.process_time() - start
    (workdir / "graphs" / "index.json").write_text(json.dumps(index))
    np.save(workdir / "targets.npy", np.stack([m["spectrum"] for m in materials]).astype(np.float32))
    (workdir / "ids.json").write_text(json.dumps([m["id"] for m in materials]))

    folder = workdir / "alignn_root"
    folder.mkdir()
    with open(folder / "id_prop.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        for material in materials:
            name = f"POSCAR-{material['id']}.vasp"
            Poscar(structures[material["id"]]).write_file(folder / name)
            writer.writerow([name, *(f"{value:.6f}" for value in material["spectrum"])])
    train = params["train"]
    n_train = int(round(0.8 * len(materials)))
    n_val = (len(materials) - n_train) // 2
    config = {
        "dataset": "user_data",
        "target": "target",
        "atom_features": graphs["atom_features"],
        "neighbor_strategy": "pure_torch",
        "cutoff": float(graphs["cutoff"]),
        "three_body_cutoff": float(graphs["cutoff"]),
        "max_neighbors": int(graphs["max_neighbors"]),
        "n_train": n_train,
        "n_val": n_val,
        "n_test": len(materials) - n_train - n_val,
        "epochs": epochs,
        "batch_size": int(train["batch_size"]),
        "learning_rate": float(train["learning_rate"]),
        "weight_decay": float(train["weight_decay"]),
        "optimizer": "adamw",
        "scheduler": "none",
        "criterion": "l1",
        "random_seed": int(train["seed"]),
        "keep_data_order": True,
        "model": {**train["architecture"], **SPECTRUM_OVERRIDES, "output_features": 1501},
    }
    (folder / "config_defaults.json").write_text(json.dumps(config, indent=1))
    # alignn's best case: no data-loader worker processes on a 2-core machine, no per-epoch store of outputs
    (folder / "config.json").write_text(json.dumps({**config, "num_workers": 0, "store_outputs": False}, indent=1))

    def sizes(pairs):
        return {"edges": int(sum(g.num_edges for g, _ in pairs)), "triplets": int(sum(lg.num_edges for _, lg in pairs))}

    from specgroups.model.graphs import load_graph, to_graph_pair

    ours = [to_graph_pair(load_graph(workdir / "graphs" / index[m["id"]])) for m in materials]
    theirs = []
    for material in materials:
        structure = structures[material["id"]]
        atoms = Atoms(
            lattice_mat=structure.lattice.matrix,
            coords=structure.frac_coords,
            elements=[site.specie.symbol for site in structure],
            cartesian=False,
        )
        theirs.append(
            build_pure_torch_graph(
                atoms,
                two_body_cutoff=config["cutoff"],
                three_body_cutoff=config["three_body_cutoff"],
                max_neighbors=config["max_neighbors"],
            )
        )
    return {
        "n_train": n_train,
        "n_val": n_val,
        "graph_cpu_ms_per_crystal": 1000 * graph_cpu / len(materials),
        "graph_sizes": {"specgroups_k_nearest": sizes(ours), "alignn_pure_torch": sizes(theirs)},
    }


def weights_digest(state: dict) -> str:
    return hashlib.sha256(b"".join(state[key].numpy().tobytes() for key in sorted(state))).hexdigest()


def worker(
    workdir: Path, threads: int, epochs: int, n_train: int, n_val: int, compiled: bool, weights_out: Path
) -> None:
    """specgroups' side, in its own process: train (saving the final weights to ``weights_out``), then extract
    features; prints one JSON line. Compiled: from an empty inductor cache of its own, and first the largest
    difference between the compiled and the eager forward pass over every training batch."""
    os.environ["TORCHINDUCTOR_CACHE_DIR"] = str(weights_out.with_suffix(".inductor"))
    import torch

    from specgroups.model.features import extract_features
    from specgroups.model.graphs import load_graph_set
    from specgroups.model.network import build_model
    from specgroups.model.training import TrainingSettings, batches, make_deterministic, train

    params = yaml.safe_load((ROOT / "params.yaml").read_text())
    train_params = params["train"]
    settings = TrainingSettings(
        **{
            key: train_params[key]
            for key in TrainingSettings.__dataclass_fields__
            if key not in ("epochs", "threads", "compile")
        },
        epochs=epochs,
        threads=threads,
        compile=compiled,
    )
    make_deterministic(settings.seed, settings.threads)
    ids = json.loads((workdir / "ids.json").read_text())
    targets = np.load(workdir / "targets.npy")
    data = load_graph_set(workdir / "graphs", ids, targets)
    train_set = load_graph_set(workdir / "graphs", ids[:n_train], targets[:n_train])
    val_set = load_graph_set(workdir / "graphs", ids[n_train : n_train + n_val], targets[n_train : n_train + n_val])
    model = build_model({**train_params["architecture"], "output_features": targets.shape[1]})
    agreement = {}
    if compiled:
        network, largest = torch.compile(model, dynamic=True), 0.0
        with torch.no_grad():
            for inputs, _ in batches(train_set, list(range(len(train_set))), settings.batch_size, torch.device("cpu")):
                largest = max(largest, float((network(inputs)["out"] - model(inputs)["out"]).abs().max()))
        agreement = {"forward_max_abs_difference": largest}
        torch.compiler.reset()
    result = train(model, train_set, val_set, settings)
    final = {key: value.detach().clone() for key, value in model.state_dict().items()}
    torch.save(final, weights_out)
    model.load_state_dict(result.best_state)
    start_cpu, start_wall = time.process_time(), time.perf_counter()
    features = extract_features(model, data, int(params["embed"]["batch_size"]), torch.device("cpu"))
    extraction = {
        "cpu_ms_per_crystal": 1000 * (time.process_time() - start_cpu) / len(ids),
        "wall_ms_per_crystal": 1000 * (time.perf_counter() - start_wall) / len(ids),
        "representations": len(features),
    }
    epoch_seconds = [row["train_seconds"] for row in result.history]
    print(
        json.dumps(
            {
                "epoch_seconds": epoch_seconds,
                "feature_extraction": extraction,
                "weights_digest": weights_digest(final),
                **agreement,
            }
        )
    )


def alignn_epoch_seconds(output: str) -> list[float]:
    """Training-loop seconds per epoch from alignn's printed loss table."""
    rows = output.splitlines()
    seconds = []
    for previous, line in zip(rows, rows[1:]):
        match = ALIGNN_EPOCH_ROW.match(line)
        if match and previous.startswith("Train Loss:"):
            seconds.append(float(match.group(2)))
    if not seconds:
        raise RuntimeError(f"no epoch rows found in alignn's output:\n{output[-3000:]}")
    return seconds


def compiled_against_eager(workdir: Path, runs: dict[str, list[dict]]) -> dict:
    """How close the compiled trainer comes to eager (same data, seed and initial weights): per-batch outputs
    before training, weights after the first round's runs (1 and 2 threads); and whether every round of each
    compiled trainer gave the same weights."""
    import torch

    def weights(name: str) -> dict:
        return torch.load(workdir / f"{name}_0.pt", weights_only=True)

    def largest_difference(first: dict, second: dict) -> float:
        return max(float((first[key].float() - second[key].float()).abs().max()) for key in first)

    eager, compiled, compiled_two = (
        weights(name)
        for name in ("specgroups_1_thread", "specgroups_compiled_1_thread", "specgroups_compiled_2_threads")
    )
    compiled_runs = [
        run for name in ("specgroups_compiled_1_thread", "specgroups_compiled_2_threads") for run in runs[name]
    ]
    return {
        "forward_max_abs_difference": max(run["forward_max_abs_difference"] for run in compiled_runs),
        "weights_max_abs_difference_after_run": largest_difference(compiled, eager),
        "weights_max_abs_difference_two_threads_against_one": largest_difference(compiled_two, compiled),
        "weights_bit_identical_to_eager": all(torch.equal(compiled[key], eager[key]) for key in eager),
        "compiled_runs_bit_identical": {
            name: len({run["weights_digest"] for run in runs[name]}) == 1
            for name in ("specgroups_compiled_1_thread", "specgroups_compiled_2_threads")
        },
        "first_epoch_seconds_with_compilation": [run["epoch_seconds"][0] for run in compiled_runs],
        "eager_first_epoch_seconds": [run["epoch_seconds"][0] for run in runs["specgroups_1_thread"]],
    }


def benchmark(materials: int, epochs: int, rounds: int, seed: int) -> dict:
    params = yaml.safe_load((ROOT / "params.yaml").read_text())
    chosen = draw_materials(materials, seed)
    runs: dict[str, list[dict]] = {
        "specgroups_1_thread": [],
        "specgroups_compiled_1_thread": [],
        "specgroups_compiled_2_threads": [],
        "alignn_1_thread": [],
        "alignn_2_threads": [],
        "alignn_1_thread_default_loader": [],
    }
    with tempfile.TemporaryDirectory(prefix="specgroups-training-benchmark-") as scratch:
        workdir = Path(scratch)
        prepared = prepare(workdir, chosen, params, epochs)
        for round_number in range(rounds):
            for name in runs:
                if name.startswith("alignn"):
                    run_dir = workdir / f"{name}_{round_number}"
                    run_dir.mkdir()
                    config = "config_defaults.json" if name.endswith("default_loader") else "config.json"
                    command = [
                        sys.executable,
                        "-m",
                        "alignn.train_alignn",
                        "--root_dir",
                        str(workdir / "alignn_root"),
                        "--config_name",
                        str(workdir / "alignn_root" / config),
                        "--output_dir",
                        str(run_dir / "output"),
                    ]
                    output, usage = run_measured(command, 1 if "1_thread" in name else 2, run_dir)
                    runs[name].append({**usage, "epoch_seconds": alignn_epoch_seconds(output)})
                else:
                    threads = 1 if "1_thread" in name else 2
                    command = [
                        sys.executable,
                        str(Path(__file__).resolve()),
                        "--worker",
                        str(workdir),
                        "--threads",
                        str(threads),
                        "--epochs",
                        str(epochs),
                        "--n-train",
                        str(prepared["n_train"]),
                        "--n-val",
                        str(prepared["n_val"]),
                        "--weights-out",
                        str(workdir / f"{name}_{round_number}.pt"),
                        *(["--compile"] if "compiled" in name else []),
                    ]
                    output, usage = run_measured(command, threads, ROOT)
                    runs[name].append({**usage, **json.loads(output.strip().splitlines()[-1])})
                print(f"round {round_number + 1}/{rounds} {name}: {runs[name][-1]['epoch_seconds']}", file=sys.stderr)
        agreement = compiled_against_eager(workdir, runs)

    def throughput(name: str) -> float:
        seconds = [s for run in runs[name] for s in run["epoch_seconds"][1:]]
        return prepared["n_train"] / float(np.median(seconds))

    speeds = {name: throughput(name) for name in runs}
    ours = max(("specgroups_compiled_1_thread", "specgroups_compiled_2_threads"), key=speeds.get)
    theirs = max(("alignn_1_thread", "alignn_2_threads"), key=speeds.get)
    extraction = [
        run["feature_extraction"]["cpu_ms_per_crystal"]
        for name in runs
        if name.startswith("spec")
        for run in runs[name]
    ]
    edges = prepared["graph_sizes"]
    ours_per_theirs_triplets = edges["specgroups_k_nearest"]["triplets"] / edges["alignn_pure_torch"]["triplets"]
    return {
        "machine": machine(),
        "settings": {
            "materials": materials,
            "seed": seed,
            "epochs_per_run": epochs,
            "rounds": rounds,
            "architecture": params["train"]["architecture"],
            "batch_size": params["train"]["batch_size"],
            "cutoff": params["graphs"]["cutoff"],
            "max_neighbors": params["graphs"]["max_neighbors"],
            **{key: prepared[key] for key in ("n_train", "n_val")},
        },
        "graph_sizes": edges,
        "graph_cpu_ms_per_crystal": round(prepared["graph_cpu_ms_per_crystal"], 1),
        "training_crystals_per_second": {name: round(value, 2) for name, value in speeds.items()},
        # each trainer at its best on this machine (1 or 2 torch threads)
        "speedup_over_alignn": round(speeds[ours] / speeds[theirs], 2),
        "fastest": {"specgroups": ours, "alignn": theirs},
        "speedup_over_alignn_one_thread_each": round(
            speeds["specgroups_compiled_1_thread"] / speeds["alignn_1_thread"], 2
        ),
        "speedup_over_alignn_default_loader": round(speeds[ours] / speeds["alignn_1_thread_default_loader"], 2),
        "speedup_over_alignn_per_triplet": round(speeds[ours] / speeds[theirs] * ours_per_theirs_triplets, 2),
        "eager_speedup_over_alignn": round(speeds["specgroups_1_thread"] / speeds["alignn_1_thread"], 2),
        "compiled_over_eager": round(speeds["specgroups_compiled_1_thread"] / speeds["specgroups_1_thread"], 2),
        "target_speedup_over_alignn": 1.5,
        "compiled_agreement": agreement,
        "two_threads_over_one": {
            "specgroups_compiled": round(
                speeds["specgroups_compiled_2_threads"] / speeds["specgroups_compiled_1_thread"], 2
            ),
            "alignn": round(speeds["alignn_2_threads"] / speeds["alignn_1_thread"], 2),
        },
        "peak_rss_mb": {name: round(max(run["peak_rss_mb"] for run in runs[name]), 0) for name in runs},
        "feature_extraction_cpu_ms_per_crystal": round(float(np.median(extraction)), 1),
        "target_feature_extraction_ms_per_crystal": 30.0,
        "runs": runs,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--materials", type=int, default=200)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "training.json")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--threads", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--n-train", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--n-val", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--weights-out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--compile", action="store_true", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.worker:
        worker(
            arguments.worker,
            arguments.threads,
            arguments.epochs,
            arguments.n_train,
            arguments.n_val,
            arguments.compile,
            arguments.weights_out,
        )
        return
    from specgroups.io.atomic import write_json_atomic

    result = benchmark(arguments.materials, arguments.epochs, arguments.rounds, arguments.seed)
    write_json_atomic(arguments.out, result)
    print(
        f"training: specgroups compiled {result['training_crystals_per_second']['specgroups_compiled_1_thread']} crystals/s vs alignn "
        f"{result['training_crystals_per_second']['alignn_1_thread']} ({result['speedup_over_alignn']}x); "
        f"2 threads {result['two_threads_over_one']}x of 1; features {result['feature_extraction_cpu_ms_per_crystal']} ms/crystal "
        f"-> {arguments.out}"
    )


if __name__ == "__main__":
    main()
