"""Run first-principles calculations for many materials with Dask.

Each material runs in its own single-threaded process (``worker.py``) and
writes its own result files atomically, so a killed batch resumes where it
stopped: materials whose result exists are skipped.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from tqdm import tqdm

from specgroups.errors import InputError
from specgroups.firstprinciples.convergence import ConvergencePlan
from specgroups.firstprinciples.results import is_done, result_path, write_result
from specgroups.firstprinciples.settings import OpticsSettings, stale_settings
from specgroups.firstprinciples.worker import TASK_UNREADABLE, expected_settings
from specgroups.io.atomic import read_json, write_json_atomic

# Two BLAS threads made GPAW 4-7x slower on a 2-core machine: one process per core, one thread each.
SINGLE_THREAD_ENVIRONMENT = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}

# A worker stopped by one of these was interrupted from outside (Ctrl-C, a session or job
# ending), which says nothing about the material: it gets no result and the next run
# calculates it. A SIGKILL stays a failure, since the kernel's out-of-memory killer sends it.
INTERRUPTING_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


def run_material(
    material: dict,
    settings: dict,
    out_dir: str,
    timeout_s: float,
    calculation: str = "optics",
    options: dict | None = None,
) -> dict:
    """Calculate one material (``calculation``, see ``worker.CALCULATIONS``) in a child process; record a
    failure if the child dies or times out.

    An interrupted child (see ``INTERRUPTING_SIGNALS``), or one whose code cannot read the task's settings
    (``worker.TASK_UNREADABLE``: the library changed while the batch ran), records nothing and returns status
    ``interrupted``, so the next run calculates the material.
    """
    out = Path(out_dir).resolve()  # the child runs in a scratch directory
    material_id = material["id"]
    with tempfile.TemporaryDirectory(prefix="specgroups-gpaw-") as scratch:
        task_path = Path(scratch) / "task.json"
        task = {
            "id": material_id,
            "structure": material["structure"],
            "settings": settings,
            "calculation": calculation,
            "options": options or {},
        }
        write_json_atomic(task_path, task)
        environment = {**os.environ, **SINGLE_THREAD_ENVIRONMENT}
        try:
            completed = subprocess.run(
                [sys.executable, "-m", "specgroups.firstprinciples.worker", str(task_path), str(out)],
                cwd=scratch,
                env=environment,
                capture_output=True,
                text=True,
                timeout=timeout_s,
            )
            if -completed.returncode in INTERRUPTING_SIGNALS:
                signal_name = signal.Signals(-completed.returncode).name
                return {
                    "material_id": material_id,
                    "status": "interrupted",
                    "reason": f"worker stopped by {signal_name}",
                }
            if completed.returncode == TASK_UNREADABLE:
                reason = f"worker could not read its settings (library changed under the batch?): {completed.stderr.strip()[-400:]}"
                return {"material_id": material_id, "status": "interrupted", "reason": reason}
            problem = (
                ""
                if completed.returncode == 0
                else f"worker exited with {completed.returncode}: {completed.stderr[-800:]}"
            )
        except subprocess.TimeoutExpired:
            problem = f"timed out after {timeout_s:g} s"
    if problem or not is_done(out, material_id):
        write_result(
            out,
            {
                "material_id": material_id,
                "formula": material.get("formula", ""),
                "nsites": len(material["structure"]["sites"]),
                "status": "failed",
                "reason": problem or "worker wrote no result",
                "settings": expected_settings(material, OpticsSettings.from_params(settings), calculation),
            },
        )
    return read_json(result_path(out, material_id))


def needs_calculation(
    out_dir: Path, material: dict, settings: OpticsSettings, calculation: str = "optics", options: dict | None = None
) -> bool:
    """No result yet; or one computed with other result settings (``settings.stale_settings``: e.g. another
    PAW dataset for one of its elements); or, for a spectrum, one that misses transitions the settings
    require; or, for the convergence study, one with other runs than ``options`` plans; or, for the CBM
    localisation, one computed with other ``options``.

    The transitions case is a result from before ``min_transitions_complete_ev``
    existed (or from a lower value): the empty-band run stopped at a fixed
    number of bands per atom, too few for some heavy-cation compounds.
    """
    if not is_done(out_dir, material["id"]):
        return True
    record = read_json(result_path(out_dir, material["id"]))
    if stale_settings(record.get("settings", {}), expected_settings(material, settings, calculation)):
        return True
    if calculation == "localisation":
        return record.get("options") != options
    if calculation == "convergence" and record["status"] == "ok":
        planned = ConvergencePlan.from_params(options or {}).run_labels(len(material["structure"]["sites"]))
        return {run["label"] for run in record["runs"]} != planned
    return (
        calculation == "optics"
        and record["status"] == "ok"
        and record["transitions_complete_to_ev"] < settings.min_transitions_complete_ev
    )


def first_empty_band_round(out_dir: Path, material: dict, settings: OpticsSettings) -> int:
    """The empty-band run a spectrum's recalculation can start at (see ``calculation.empty_band_run``): the
    last run of the material's earlier result when that result differs from ``settings`` only in a coarser
    optics grid, with the same band rule (the runs before it fell short of ``min_transitions_complete_ev``
    there); 1 otherwise. The grids need not nest, so this is a measured guess, not a bound: BaS's first run
    reaches 8.77 eV above the VBM on density 2.0 and 9.37 eV on 4.0, both short of 15. A guess that is too high
    costs one run's extra bands, whose transitions lie above ``min_transitions_complete_ev`` (they reach the
    spectrum below it only through eps_real's Kramers-Kronig sum)."""
    if not is_done(out_dir, material["id"]):
        return 1
    record = read_json(result_path(out_dir, material["id"]))
    recorded, expected = record.get("settings", {}), expected_settings(material, settings, "optics")
    same_band_rule = all(
        recorded.get(key) == expected[key] for key in ("empty_bands_per_atom", "min_transitions_complete_ev")
    )
    only_denser = (
        stale_settings(recorded, expected) == ["optics_kpoint_density"]
        and recorded["optics_kpoint_density"] < expected["optics_kpoint_density"]
    )
    return (
        int(record.get("empty_band_rounds") or 1) if record["status"] == "ok" and same_band_rule and only_denser else 1
    )


def run_batch(
    materials: list[dict],
    settings: OpticsSettings,
    out_dir: Path,
    n_workers: int = 2,
    scheduler_address: str | None = None,
    timeout_s: float = 7200.0,
    calculation: str = "optics",
    options: dict | None = None,
) -> Counter:
    """Calculate (``calculation``) every material that :func:`needs_calculation`, largest cells first; return
    counts by status.

    Largest first, because the cost grows steeply with the cell (a 28-site
    cell takes about ten times a 10-site one): started last, a large cell would
    keep one worker busy long after the others ran out of work.

    With ``scheduler_address`` the tasks go to an existing Dask scheduler
    (e.g. one started by dask-jobqueue on a cluster); otherwise a LocalCluster
    of ``n_workers`` single-threaded worker processes runs them here.
    """
    from dask.distributed import Client, LocalCluster, as_completed

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    pending = [
        material for material in materials if needs_calculation(out_dir, material, settings, calculation, options)
    ]
    pending.sort(key=lambda material: len(material["structure"]["sites"]), reverse=True)
    counts: Counter = Counter(done_before=len(materials) - len(pending))
    if not pending:
        return counts
    if scheduler_address:
        client = Client(scheduler_address)
        cluster = None
    else:
        cluster = LocalCluster(
            n_workers=n_workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
            env=SINGLE_THREAD_ENVIRONMENT,
        )
        client = Client(cluster)
    try:
        if calculation == "optics":
            options_by_id = {
                m["id"]: {"first_empty_band_round": first_empty_band_round(out_dir, m, settings)} for m in pending
            }
        else:
            options_by_id = {m["id"]: options for m in pending}
        futures = [
            client.submit(
                run_material,
                material,
                settings.as_dict(),
                str(out_dir),
                timeout_s,
                calculation,
                options_by_id[material["id"]],
                key=f"gpaw-{calculation}-{material['id']}",
                pure=False,
            )
            for material in pending
        ]
        with tqdm(total=len(futures), desc=f"GPAW {calculation}", unit="material") as progress:
            for future in as_completed(futures):
                status = future.result()["status"]
                counts[status] += 1
                progress.set_postfix(
                    ok=counts["ok"],
                    metal=counts["metal"],
                    failed=counts["failed"],
                    interrupted=counts["interrupted"],
                    refresh=False,
                )
                progress.update()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return counts


def selected_materials(params: dict) -> list[dict]:
    """The materials of a params section's ``materials`` file that its ``elements``, ``ids`` or ``limit`` select
    (see :func:`run_batch_from_params`)."""
    materials = read_json(params["materials"])
    if params.get("elements"):
        wanted = set(params["elements"])
        materials = [
            m
            for m in materials
            if wanted & {species["element"] for site in m["structure"]["sites"] for species in site["species"]}
        ]
    if params.get("ids"):
        by_id = {material["id"]: material for material in materials}
        missing = [material_id for material_id in params["ids"] if material_id not in by_id]
        if missing:
            raise InputError(f"{params['materials']}: no material {missing}")
        return [by_id[material_id] for material_id in params["ids"]]
    return materials[: int(params["limit"])] if params.get("limit") else materials


def run_batch_from_params(
    params: dict,
    settings: OpticsSettings,
    calculation: str = "optics",
    options: dict | None = None,
    tasks: list[dict] | None = None,
) -> tuple[int, Counter]:
    """Run a batch as a first-principles params section (``spectra``, ``gaps``, ``convergence``,
    ``localisation``) says: its ``materials`` file, optional ``ids`` (only these), ``elements`` (only the
    materials holding one of these) or ``limit`` (only the first N), ``output``, ``workers``,
    ``scheduler_address`` and ``timeout_s``; or, with ``tasks`` (materials.json-style entries the stage made, e.g.
    substituted structures), those tasks. Returns the number of materials and the counts of :func:`run_batch`."""
    materials = selected_materials(params) if tasks is None else tasks
    counts = run_batch(
        materials,
        settings,
        Path(params["output"]),
        n_workers=int(params["workers"]),
        scheduler_address=params.get("scheduler_address") or None,
        timeout_s=float(params["timeout_s"]),
        calculation=calculation,
        options=options,
    )
    return len(materials), counts


def batch_summary(stage: str, count: int, counts: Counter, output: str) -> str:
    """A stage's one-line summary of its batch; SystemExit when calculations were interrupted, so that DVC
    does not lock an output that misses them."""
    if counts["interrupted"]:
        raise SystemExit(
            f"{stage}: {counts['interrupted']} calculations were interrupted; run the stage again to finish them"
        )
    return (
        f"{stage}: {count} materials, {counts['done_before']} already done, "
        f"{counts['ok']} ok / {counts['metal']} metal / {counts['failed']} failed now -> {output}"
    )
