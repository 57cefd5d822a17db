"""Reading the authors' published data (github.com/takahashi-akira-36m/opt_absorption_alignn).

Their layout, at the commit data.dvc and model.dvc pin:

- ``data/alignn_training_data/POSCAR_<formula>_<mp ids>.vasp``: the structures;
- ``data/first_principles_calculation/<formula>_<mp ids>.json.tar.gz``: one archive per material;
- ``data/onset_edge.json.tar.gz``: min_gap, direct_gap, onset_energy, absorption_edge_integral per material;
- ``model/neighbor_N/hidden_H/<date>/<time>/``: a run (config.json, best_model.pt, ids_train_val_test.json.tar.gz).

The archives could not be inspected from here. The group's tool vise writes
dielectric functions as ``DieleFuncData`` JSON, and pymatgen's ``Vasprun.dielectric``
gives [energies, real, imag] with a row per energy; either is found at any depth of
the archive's JSON document. Anything else fails with an InputError describing the
document's shape, and the dataset stage leaves such materials out up to
``dataset.max_unreadable_share``. Archives are read with
``specgroups.io.archives`` (in memory, unsafe members refused).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from specgroups.io.archives import read_json_archive
from specgroups.errors import InputError
from specgroups.spectra import DielectricFunction, dielectric_from_vise_dict

STRUCTURES_DIR = "alignn_training_data"
ARCHIVES_DIR = "first_principles_calculation"
ONSET_ARCHIVE = "onset_edge.json.tar.gz"
SPLIT_KEYS = {"id_train": "train", "id_val": "val", "id_test": "test"}
MATERIAL_ID_PATTERN = re.compile(r"^(?:POSCAR_)?(?P<formula>[^_]+)_(?P<ids>(?:[a-z]+-\d+_?)+?)(?:\.vasp|\.json\.tar\.gz|\.json)?$")


@dataclass(frozen=True)
class AuthorsName:
    """A material as the authors name it: ``<formula>_<id>[_<id>...]``; every id is kept."""

    material_id: str
    formula: str
    mp_ids: tuple[str, ...]


def parse_name(file_name: str) -> AuthorsName:
    """``POSCAR_Ag3PO4_mp-1229128_mp-4198.vasp`` -> id ``Ag3PO4_mp-1229128_mp-4198``, formula, both mp ids."""
    match = MATERIAL_ID_PATTERN.match(PurePosixPath(file_name).name)
    if not match:
        raise InputError(f"{file_name}: not named <formula>_<mp-id>[_<mp-id>...] as in the authors' repository")
    ids = tuple(match["ids"].rstrip("_").split("_"))
    return AuthorsName(f"{match['formula']}_{'_'.join(ids)}", match["formula"], ids)


def _is_numbers(value: object) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(x, (int, float)) for x in value[:8])


def _pymatgen_layout(value: object) -> bool:
    """[energies, real, imag] with one 6-component row per energy: pymatgen's ``Vasprun.dielectric``."""
    return (isinstance(value, list) and len(value) == 3 and _is_numbers(value[0])
            and all(isinstance(part, list) and len(part) == len(value[0]) and isinstance(part[0], list) and len(part[0]) == 6 for part in value[1:]))


def dielectric_documents(data: object, where: str = "") -> list[tuple[str, dict]]:
    """Every dielectric function in a JSON document, at any depth, with where it sits ("a/b"): a mapping
    holding ``diele_func_imag`` (vise's DieleFuncData, with or without ``directions``) or a list in
    pymatgen's layout (:func:`_pymatgen_layout`), the latter as a DieleFuncData-style mapping."""
    if isinstance(data, dict) and "diele_func_imag" in data:
        return [(where or "/", data)]
    if _pymatgen_layout(data):
        return [(where or "/", {"energies": data[0], "diele_func_real": data[1], "diele_func_imag": data[2]})]
    children = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) and not _is_numbers(data) else []
    return [found for key, value in children for found in dielectric_documents(value, f"{where}/{key}")]


def document_shape(data: object, depth: int = 2) -> str:
    """A short description of a JSON document's structure (keys, list lengths) to ``depth`` levels."""
    if isinstance(data, dict):
        if depth == 0:
            return "{...}"
        return "{" + ", ".join(f"{key}: {document_shape(value, depth - 1)}" for key, value in list(data.items())[:8]) + (", ..." if len(data) > 8 else "") + "}"
    if isinstance(data, list):
        return f"list[{len(data)}]" + (f" of {document_shape(data[0], depth - 1)}" if data and depth > 0 else "")
    return type(data).__name__


def dielectric_from_archive(path: str | Path) -> DielectricFunction:
    """The dielectric function in one material's archive, at any depth of its JSON document
    (:func:`dielectric_documents`); InputError naming the document's shape when there is none or several."""
    data = read_json_archive(path)
    found = dielectric_documents(data)
    if len(found) != 1:
        where = [place for place, _ in found]
        raise InputError(f"{path}: expected one dielectric function, found {len(found)} {where or ''}in a document shaped {document_shape(data)}")
    return dielectric_from_vise_dict(found[0][1], str(path))


def read_onset_table(path: str | Path) -> dict[str, dict]:
    """{material id: {min_gap, direct_gap, onset_energy, absorption_edge_integral}} from onset_edge.json.tar.gz."""
    data = read_json_archive(path)
    required = {"min_gap", "direct_gap", "onset_energy", "absorption_edge_integral"}
    if not isinstance(data, dict) or not data:
        raise InputError(f"{path}: expected a mapping of materials to onset data, found {type(data).__name__}")
    table = {}
    for key, values in data.items():
        if not isinstance(values, dict) or not required <= set(values):
            found = sorted(values) if isinstance(values, dict) else type(values).__name__
            raise InputError(f"{path}: entry {key!r} needs {sorted(required)}, found {found}")
        table[parse_name(key).material_id] = values
    return table


def read_split(path: str | Path) -> dict[str, str]:
    """{material id: train|val|test} from alignn's ``ids_train_val_test.json`` (plain or .tar.gz)."""
    data = read_json_archive(path)
    if not isinstance(data, dict) or not set(SPLIT_KEYS) <= set(data):
        found = sorted(data) if isinstance(data, dict) else type(data).__name__
        raise InputError(f"{path}: expected keys {sorted(SPLIT_KEYS)}, found {found}")
    split = {}
    for key, label in SPLIT_KEYS.items():
        for name in data[key]:
            material_id = parse_name(str(name)).material_id
            if material_id in split:
                raise InputError(f"{path}: {material_id} is in more than one split")
            split[material_id] = label
    return split


def find_run(model_root: str | Path) -> Path:
    """The one run folder (config.json + best_model.pt) under e.g. ``model/neighbor_20/hidden_64``."""
    model_root = Path(model_root)
    runs = sorted({path.parent for path in model_root.rglob("best_model.pt") if run_config_path(path.parent)})
    if len(runs) != 1:
        raise InputError(f"{model_root}: expected one run folder with config.json and best_model.pt, found {[str(r) for r in runs]}")
    return runs[0]


def _plain_or_archived(run_dir: Path, name: str) -> Path | None:
    for candidate in (run_dir / name, run_dir / f"{name}.tar.gz"):
        if candidate.is_file():
            return candidate
    return None


def split_file(run_dir: Path) -> Path | None:
    """The run's ids_train_val_test.json[.tar.gz], if it has one."""
    return _plain_or_archived(Path(run_dir), "ids_train_val_test.json")


def run_config_path(run_dir: Path) -> Path | None:
    """The run's config.json[.tar.gz], if it has one (the authors archived theirs)."""
    return _plain_or_archived(Path(run_dir), "config.json")
