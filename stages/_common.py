"""What every stage entry point shares: reading its params section and turning InputError into exit 2."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Callable

import yaml

from specgroups.errors import InputError


def load_params(path: str | Path, section: str) -> dict:
    """The ``section`` mapping of a params.yaml file; InputError if the file or section is missing."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: params file not found")
    try:
        params = yaml.safe_load(path.read_text())
    except yaml.YAMLError as error:
        raise InputError(f"{path}: not valid YAML ({error})") from error
    if not isinstance(params, dict) or not isinstance(params.get(section), dict):
        raise InputError(f"{path}: no '{section}' section")
    return params[section]


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
