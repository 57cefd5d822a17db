"""What every benchmark records: the machine, and a command's wall time, CPU time and peak memory.

The command runs in its own process with pinned BLAS/OpenMP threads. CPU time
comes from ``os.wait4`` (the process and the descendants it reaped, e.g. Dask
workers). Peak memory is reported twice: ``peak_rss_mb``, the largest single
process (``ru_maxrss``), and ``peak_tree_rss_mb``, the largest sum of resident
memory over the process and all its descendants, sampled every 0.2 s; the second
is what a machine must hold when a stage runs several workers.
"""

from __future__ import annotations

import os
import platform
import subprocess
import threading
import time
from pathlib import Path

import psutil

THREAD_ENVIRONMENT = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def _cpu_model() -> tuple[str, bool]:
    """The processor's model name and whether it has AVX-512 (numpy and OpenBLAS take other code paths on it),
    from /proc/cpuinfo; platform.processor() is empty on Linux."""
    try:
        info = Path("/proc/cpuinfo").read_text()
    except OSError:
        return platform.processor(), False
    model = next((line.split(":", 1)[1].strip() for line in info.splitlines() if line.startswith("model name")), "")
    return model, " avx512f" in info


def machine() -> dict:
    model, avx512 = _cpu_model()
    return {
        "platform": platform.platform(),
        "processor": model,
        "avx512": avx512,
        "cpus": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        # 1-, 5- and 15-minute load averages when the benchmark wrote its result: above 0 means other processes
        # shared the cores, which slows every side of a side-by-side ratio alike, noisily
        "load_average": [round(value, 2) for value in os.getloadavg()],
    }


def _tree_rss_mb(process: psutil.Process) -> float:
    total = 0
    for member in [process, *process.children(recursive=True)]:
        try:
            total += member.memory_info().rss
        except psutil.Error:  # a worker that ended between the listing and the read
            pass
    return total / 2**20


def run_measured(command: list[str], threads: int, cwd: Path) -> tuple[str, dict]:
    """Run ``command``; its stdout and stderr, and {wall_s, cpu_s, peak_rss_mb, peak_tree_rss_mb}."""
    environment = {**os.environ, **{name: str(threads) for name in THREAD_ENVIRONMENT}}
    start = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=cwd, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    peak_tree = [0.0]
    finished = threading.Event()

    def sample() -> None:
        watched = psutil.Process(process.pid)
        while not finished.wait(0.2):
            try:
                peak_tree[0] = max(peak_tree[0], _tree_rss_mb(watched))
            except psutil.Error:
                return

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output = process.stdout.read()
    finished.set()  # before the reap: a reaped pid could be reused by another process
    sampler.join()
    _, status, usage = os.wait4(process.pid, 0)
    returncode = os.waitstatus_to_exitcode(status)
    if returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, command))} failed ({returncode}):\n{output[-3000:]}")
    return output, {
        "wall_s": round(time.perf_counter() - start, 1),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
        "peak_rss_mb": round(usage.ru_maxrss / 1024),
        "peak_tree_rss_mb": round(max(peak_tree[0], usage.ru_maxrss / 1024)),
    }
