"""Reading a profile's params: the default params.yaml with the profile's own differences merged over it.

A profile other than the default keeps in ``profiles/<name>/params.yaml`` only what it does differently
(96 clusters, the published checkpoint, another spectrum); :func:`profile_params` merges it over the
repository's ``params.yaml`` key by key. Mappings merge recursively; any other value (a list, a number,
null) replaces the default's.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from pathlib import Path
from types import UnionType
from typing import Any, Union, get_args, get_origin, get_type_hints

import yaml

from specgroups.errors import InputError

DEFAULT_PARAMS = "params.yaml"


def read_yaml_mapping(path: str | Path) -> dict:
    """The mapping of sections in the YAML file at ``path``; InputError naming the file otherwise."""
    path = Path(path)
    if not path.is_file():
        # every caller (stages, CLI) takes --profile; the usual cause is running outside the project folder
        raise InputError(f"{path}: params file not found (run from the project folder or pass --profile)")
    try:
        params = yaml.safe_load(path.read_text())
    except yaml.YAMLError as error:
        raise InputError(f"{path}: not valid YAML ({error})") from error
    if params is None:
        return {}
    if not isinstance(params, dict):
        raise InputError(f"{path}: not a mapping of sections")
    return params


def merged(default: dict, overlay: dict) -> dict:
    """``overlay`` over ``default``: mappings merge key by key, every other value replaces the default's."""
    result = dict(default)
    for key, value in overlay.items():
        if isinstance(value, dict) and isinstance(default.get(key), dict):
            result[key] = merged(default[key], value)
        else:
            result[key] = value
    return result


def profile_params(root: str | Path = ".", project: str | Path = ".") -> dict:
    """The params of the profile at ``root``: ``project``'s params.yaml, with ``root``'s params.yaml merged over
    it when ``root`` is another folder (a profile's overlay)."""
    default_path = Path(project) / DEFAULT_PARAMS
    params = read_yaml_mapping(default_path)
    overlay_path = Path(root) / DEFAULT_PARAMS
    if overlay_path.resolve() != default_path.resolve():
        params = merged(params, read_yaml_mapping(overlay_path))
    return params


def read_params(path: str | Path, *sections: str) -> dict:
    """{section: mapping} for each of ``sections`` of the params file at ``path`` (no overlay)."""
    params = read_yaml_mapping(path)
    return {section: section_of(params, section, path) for section in sections}


def section_of(params: dict, section: str, source: str | Path = "params") -> dict:
    """The mapping ``params[section]`` (``a.b``: ``params[a][b]``); InputError naming the section if there is none."""
    found = params
    for key in section.split("."):
        found = found.get(key) if isinstance(found, dict) else None
    if not isinstance(found, dict):
        raise InputError(f"{source}: no '{section}' section")
    return found


def _cast(value: Any, kind: Any, where: str) -> Any:
    """``value`` as the annotated ``kind`` (int, float, str, bool, tuple[...], a dataclass, X | None, dict, list)."""
    origin = get_origin(kind)
    if origin in (Union, UnionType):
        options = get_args(kind)
        if value is None and type(None) in options:
            return None
        return _cast(value, next(option for option in options if option is not type(None)), where)
    if is_dataclass(kind):
        return settings_from(kind, value, where)
    if kind is bool:
        if not isinstance(value, bool):
            raise InputError(f"params: {where} must be true or false, got {value!r}")
        return value
    if kind in (int, float):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (kind is int and value != int(value)):
            raise InputError(f"params: {where} must be {'an integer' if kind is int else 'a number'}, got {value!r}")
        return kind(value)
    if kind is str:
        if not isinstance(value, str):
            raise InputError(f"params: {where} must be a string, got {value!r}")
        return value
    if origin is tuple:
        if not isinstance(value, (list, tuple)):
            raise InputError(f"params: {where} must be a list, got {value!r}")
        item = get_args(kind)[0]
        return tuple(_cast(entry, item, f"{where}[{index}]") for index, entry in enumerate(value))
    if kind is dict or origin is dict:
        if not isinstance(value, dict):
            raise InputError(f"params: {where} must be a mapping, got {value!r}")
        return dict(value)
    return value


def settings_from(cls: type, section: Any, where: str) -> Any:
    """A frozen settings dataclass ``cls`` from the params mapping ``section`` (at ``where``, e.g. ``cluster``):
    each field read from the key of its name and cast to its annotation; a field with a default may be left
    out. InputError names the key that is missing or of the wrong type."""
    if not isinstance(section, dict):
        raise InputError(f"params: {where} must be a mapping, got {section!r}")
    hints = get_type_hints(cls)
    values = {}
    for field in fields(cls):
        key = f"{where}.{field.name}"
        if field.name not in section:
            if field.default is field.default_factory:  # both MISSING: the key is required
                raise InputError(f"params: {key} is missing")
            continue
        values[field.name] = _cast(section[field.name], hints[field.name], key)
    return cls(**values)
