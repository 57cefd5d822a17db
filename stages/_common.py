"""What every stage entry point shares: reading its params section and turning InputError into exit 2."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Callable

from specgroups.errors import InputError
from specgroups.params import read_params


def load_params(path: str | Path, section: str) -> dict:
    """The ``section`` mapping of a params.yaml file; InputError if the file or section is missing."""
    return read_params(path, section)[section]


def stage_main(run: Callable[[argparse.Namespace], str], description: str) -> None:
    """Parse ``--params``, run the stage, print its one-line summary; InputError -> one line on stderr, exit 2."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--params", default="params.yaml", help="params file (default: params.yaml)")
    arguments = parser.parse_args()
    try:
        summary = run(arguments)
    except InputError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(2)
    print(summary)
