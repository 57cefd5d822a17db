"""Map a function over materials in parallel with Dask, caching each result in its own file.

Results are written atomically by the parent as they arrive, so a killed run
keeps every finished material and the next run computes only the rest.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from tqdm import tqdm

from specgroups.io.atomic import read_json, write_json_atomic


def map_cached(
    function: Callable[..., dict],
    tasks: dict[str, tuple],
    cache_dir: str | Path,
    workers: int,
    description: str,
) -> dict[str, dict]:
    """{key: function(*arguments)} for ``tasks`` {key: arguments}, reading cached ``<key>.json`` files first."""
    cache_dir = Path(cache_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    results = {key: read_json(cache_dir / f"{key}.json") for key in tasks if (cache_dir / f"{key}.json").is_file()}
    pending = {key: arguments for key, arguments in tasks.items() if key not in results}
    with tqdm(total=len(tasks), initial=len(results), desc=description, unit="material") as progress:
        if workers <= 1 or len(pending) <= 1:
            for key, arguments in pending.items():
                results[key] = function(*arguments)
                write_json_atomic(cache_dir / f"{key}.json", results[key])
                progress.update()
            return results
        from dask.distributed import Client, LocalCluster, as_completed

        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster:
            with Client(cluster) as client:
                futures = {client.submit(function, *arguments, pure=False): key for key, arguments in pending.items()}
                for future in as_completed(futures):
                    key = futures[future]
                    results[key] = future.result()
                    write_json_atomic(cache_dir / f"{key}.json", results[key])
                    progress.update()
    return results
