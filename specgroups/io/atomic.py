"""Atomic file writes: a reader sees the old file or the complete new one, never half of one."""

from __future__ import annotations

import gzip
import io
import json
import math
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import numpy as np

if TYPE_CHECKING:
    import pandas


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` only if the block succeeds."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(temporary, 0o666 & ~umask)  # mkstemp's 0600 would hide outputs from other users
    try:
        yield Path(temporary)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def write_bytes_atomic(path: str | Path, data: bytes) -> None:
    with atomic_path(path) as temporary:
        with open(temporary, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())


def write_torch_atomic(path: str | Path, data: object) -> None:
    """``torch.save`` through memory: saved to a file, torch names the archive's folder after the file, so a
    temporary file's random name would make every save's bytes differ; in memory the folder is always "archive"."""
    import torch

    buffer = io.BytesIO()
    torch.save(data, buffer)
    write_bytes_atomic(path, buffer.getvalue())


def _without_nan(data: object) -> object:
    """NaN and infinities become null (not JSON, and DVC's metrics reader rejects them); numpy scalars plain numbers."""
    if isinstance(data, np.generic):
        data = data.item()
    if isinstance(data, float) and not math.isfinite(data):
        return None
    if isinstance(data, dict):
        return {key: _without_nan(value) for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        return [_without_nan(value) for value in data]
    return data


def write_json_atomic(path: str | Path, data: object, indent: int | None = 1) -> None:
    """Write JSON (NaN as null), gzip-compressed when the name ends in .gz with a fixed mtime (reproducible bytes)."""
    text = json.dumps(_without_nan(data), indent=indent, allow_nan=False).encode("utf-8") + b"\n"
    if str(path).endswith(".gz"):
        text = gzip.compress(text, mtime=0)
    write_bytes_atomic(path, text)


def write_csv_atomic(path: str | Path, table: pandas.DataFrame, float_format: str | None = None) -> None:
    """A table as CSV, without its index."""
    write_bytes_atomic(path, table.to_csv(index=False, float_format=float_format).encode("utf-8"))


def read_json(path: str | Path) -> object:
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as handle:
        return json.load(handle)
