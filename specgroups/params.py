"""Reading a profile's params.yaml: the sections a caller needs, or an InputError that names the file."""

from __future__ import annotations

from pathlib import Path

import yaml

from specgroups.errors import InputError


def read_params(path: str | Path, *sections: str) -> dict:
    """{section: mapping} for each of ``sections`` of the params file at ``path``."""
    path = Path(path)
    if not path.is_file():
        # every caller (stages, CLI) takes --params; the usual cause is running outside the project folder
        raise InputError(f"{path}: params file not found (run from the project folder or pass --params)")
    try:
        params = yaml.safe_load(path.read_text())
    except yaml.YAMLError as error:
        raise InputError(f"{path}: not valid YAML ({error})") from error
    if not isinstance(params, dict):
        raise InputError(f"{path}: not a mapping of sections")
    for section in sections:
        if not isinstance(params.get(section), dict):
            raise InputError(f"{path}: no '{section}' section")
    return {section: params[section] for section in sections}
