"""Your own data as a profile: the shapes this field keeps spectra in, read into the ``table`` source's two files.

Three shapes (:data:`SHAPES`):

- ``id_prop``: alignn's training folder. ``id_prop.csv`` has one row per material, ``<structure file>,<v1>,...,<vN>``:
  a spectrum already on a uniform energy grid (``grid``, e.g. the study's 0-15 eV), beside the structure files
  (POSCAR, CIF or pymatgen JSON) it names. The material's id is the file name without its extension. Whether the
  values are log10 alpha is the caller's to say (``logarithmic``).
- ``vasprun``: a folder of VASP optics runs (``LOPTICS``): every ``vasprun.xml`` or ``vasprun.xml.gz`` below it is one
  material, its id the path of its folder below the root (``/`` as ``_``), its structure the run's final one.
- ``records``: a JSON document (optionally gzipped) of per-material records, as pymatgen or OptiMate-style
  collections keep them: a list of records or a mapping ``{id: record}``. A record holds its id (``material_id``,
  ``id`` or ``mp_id``; the mapping's key otherwise), its ``structure`` (pymatgen's dict) and its dielectric function
  as vise's ``DieleFuncData`` keys (``energies``, ``diele_func_real``, ``diele_func_imag``, ``directions``) or as
  ``energies`` with per-direction mappings ``eps_real`` and ``eps_imag`` (``{"xx": [...], "yy": [...], "zz": [...]}``).

For the two dielectric shapes the spectrum is log10(alpha / cm^-1) on ``grid``, computed as the dataset computes it
for the embedded data (:func:`specgroups.spectra.log_absorption_on_grid`, clipped at ``floor``, no scissor).
Anything unreadable is an InputError naming the file (and the material).
"""

from __future__ import annotations

import csv
import gzip
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from specgroups.errors import InputError
from specgroups.io.atomic import atomic_path, write_json_atomic
from specgroups.spectra import (
    DielectricFunction,
    dielectric_from_vise_dict,
    energy_grid,
    log_absorption_on_grid,
    read_dielectric,
)
from specgroups.structures import read_structure, validate_structure

SHAPES = ("id_prop", "vasprun", "records")
RECORD_IDS = ("material_id", "id", "mp_id")
STRUCTURE_EXTENSIONS = ("vasp", "cif", "json", "poscar")


@dataclass(frozen=True)
class ImportedMaterial:
    """One material of a user's data: its id, reduced formula, pymatgen structure dict and spectrum on the grid."""

    material_id: str
    formula: str
    structure: dict
    values: np.ndarray


def imported(material_id: str, structure, values: np.ndarray) -> ImportedMaterial:
    structure = validate_structure(structure, material_id)
    return ImportedMaterial(material_id, structure.composition.reduced_formula, structure.as_dict(), values)


def structure_file_id(name: str) -> str:
    """A material's id from its structure file's name: the name without a structure extension (``.vasp``,
    ``.cif``, ``.json``, ``.poscar``)."""
    name = Path(name).name
    stem, _, extension = name.rpartition(".")
    return stem if stem and extension.lower() in STRUCTURE_EXTENSIONS else name


def read_id_prop(folder: Path, grid: np.ndarray) -> list[ImportedMaterial]:
    """The materials of an alignn ``id_prop.csv`` folder whose rows hold one value per point of ``grid``."""
    table = Path(folder) / "id_prop.csv"
    if not table.is_file():
        raise InputError(f"{table}: not found (an alignn folder holds id_prop.csv beside the structure files)")
    materials = []
    with table.open(newline="") as handle:
        for line, row in enumerate(csv.reader(handle), start=1):
            if not row:
                continue
            where = f"{table}, line {line} ({row[0]})"
            try:
                values = np.asarray(row[1:], dtype=float)
            except ValueError as error:
                raise InputError(f"{where}: the values are not numbers ({error})") from None
            if values.shape != grid.shape or not np.all(np.isfinite(values)):
                raise InputError(f"{where}: {grid.size} finite values expected (one per grid point), got {values.size}")
            path = Path(folder) / row[0]
            materials.append(imported(structure_file_id(row[0]), read_structure(path), values))
    if not materials:
        raise InputError(f"{table}: no material")
    return materials


def log_absorption(dielectric: DielectricFunction, grid: np.ndarray, floor: float, where: str) -> np.ndarray:
    """log10 alpha of a dielectric function on ``grid``; the first energy of a grid that starts below the data's
    (often 0 eV against VASP's first point) takes the data's first value."""
    if grid[0] < dielectric.energies[0] <= grid[1]:
        dielectric = DielectricFunction(
            np.concatenate([[grid[0]], dielectric.energies]),
            np.concatenate([[dielectric.eps_real[0]], dielectric.eps_real]),
            np.concatenate([[dielectric.eps_imag[0]], dielectric.eps_imag]),
            dielectric.band_gap,
            where,
        )
    return log_absorption_on_grid(dielectric, grid, floor)


def read_vasprun_folder(folder: Path, grid: np.ndarray, floor: float) -> list[ImportedMaterial]:
    """The materials of every VASP optics run below ``folder`` (see the module)."""
    from pymatgen.io.vasp import Vasprun

    root = Path(folder)
    runs = sorted(p for pattern in ("vasprun.xml", "vasprun.xml.gz") for p in root.rglob(pattern))
    if not runs:
        raise InputError(f"{root}: no vasprun.xml or vasprun.xml.gz below it")
    materials = []
    for path in runs:
        relative = path.parent.relative_to(root)
        material_id = "_".join(relative.parts) or root.name
        dielectric = read_dielectric(path)
        try:
            structure = Vasprun(str(path), parse_dos=False, parse_eigen=False, parse_potcar_file=False).final_structure
        except Exception as error:  # pymatgen raises many types for a broken file; all mean "unreadable"
            raise InputError(f"{path}: no structure ({type(error).__name__}: {error})") from None
        materials.append(imported(material_id, structure, log_absorption(dielectric, grid, floor, str(path))))
    ids = [m.material_id for m in materials]
    if len(set(ids)) != len(ids):
        raise InputError(f"{root}: two runs give one material id; keep one vasprun.xml per folder")
    return materials


def record_dielectric(record: dict, where: str) -> DielectricFunction:
    """A record's dielectric function, from vise's keys or per-direction ``eps_real``/``eps_imag`` mappings."""
    if isinstance(record.get("eps_real"), dict) and isinstance(record.get("eps_imag"), dict):
        directions = sorted(set(record["eps_real"]) & set(record["eps_imag"]))
        record = {
            "energies": record.get("energies"),
            "directions": directions,
            "diele_func_real": [record["eps_real"][d] for d in directions],
            "diele_func_imag": [record["eps_imag"][d] for d in directions],
            "band_gap": record.get("band_gap"),
        }
    return dielectric_from_vise_dict(record, where)


def read_records(path: Path, grid: np.ndarray, floor: float) -> list[ImportedMaterial]:
    """The materials of a JSON document of records (see the module)."""
    from pymatgen.core import Structure

    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8") as handle:
            document = json.load(handle)
    except (OSError, EOFError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError(f"{path}: not valid JSON ({error})") from None
    if isinstance(document, dict):
        entries = [(str(key), record) for key, record in document.items()]
    elif isinstance(document, list):
        entries = [(None, record) for record in document]
    else:
        raise InputError(f"{path}: expected a list of records or a mapping of id to record")
    materials = []
    for position, (key, record) in enumerate(entries):
        if not isinstance(record, dict):
            raise InputError(f"{path}: record {position} is not a mapping")
        material_id = next((str(record[k]) for k in RECORD_IDS if record.get(k) is not None), key)
        where = f"{path}, material {material_id or f'at position {position}'}"
        if not material_id:
            raise InputError(f"{where}: no id ({' / '.join(RECORD_IDS)})")
        try:
            structure = Structure.from_dict(record["structure"])
        except Exception as error:  # a malformed structure dict raises many types
            raise InputError(f"{where}: no readable pymatgen structure ({type(error).__name__}: {error})") from None
        dielectric = record_dielectric(record, where)
        materials.append(imported(material_id, structure, log_absorption(dielectric, grid, floor, where)))
    ids = [m.material_id for m in materials]
    if len(set(ids)) != len(ids) or not ids:
        raise InputError(f"{path}: {'no record' if not ids else 'repeated material ids'}")
    return materials


def read_user_data(shape: str, source: Path, grid: np.ndarray, floor: float) -> list[ImportedMaterial]:
    """The materials of ``source`` in one of :data:`SHAPES`."""
    if shape == "id_prop":
        return read_id_prop(source, grid)
    if shape == "vasprun":
        return read_vasprun_folder(source, grid, floor)
    if shape == "records":
        return read_records(source, grid, floor)
    raise InputError(f"shape must be one of {SHAPES}, got {shape!r}")


def write_table(materials: list[ImportedMaterial], grid: np.ndarray, spectra_path: Path, structures_path: Path) -> None:
    """The ``table`` source's files: ``spectra_path`` (.npz: material_ids, energies, values) and ``structures_path``
    (JSON: {id: {formula, structure}}), each written atomically."""
    with atomic_path(spectra_path) as temporary:
        with open(temporary, "wb") as handle:
            np.savez_compressed(
                handle,
                material_ids=np.array([m.material_id for m in materials]),
                energies=grid,
                values=np.stack([m.values for m in materials]),
            )
    write_json_atomic(
        structures_path, {m.material_id: {"formula": m.formula, "structure": m.structure} for m in materials}
    )


# what each spectrum is: mixing spectra that differ in these silently is the main hazard across datasets, so a new
# profile records them (``unknown`` where the user did not say)
DESCRIPTION_FIELDS = ("level_of_theory", "broadening_ev", "kpoint_density", "gap_correction", "component")


def spectrum_description(given: dict, shape: str) -> dict:
    """What the imported spectra are (:data:`DESCRIPTION_FIELDS`): the values given, "unknown" for the others, and
    for the dielectric shapes the component the import takes (the mean of xx, yy and zz) unless given."""
    unknown = sorted(set(given) - set(DESCRIPTION_FIELDS))
    if unknown:
        raise InputError(f"spectrum description: unknown fields {unknown}; known: {list(DESCRIPTION_FIELDS)}")
    defaults = {"component": "mean of xx, yy, zz"} if shape in ("vasprun", "records") else {}
    return {field: given.get(field) or defaults.get(field, "unknown") for field in DESCRIPTION_FIELDS}


def profile_overlay(name: str, logarithmic: bool, onset_threshold: float, description: dict) -> dict:
    """The params overlay of a profile of imported data: the table source on its two files with the spectra's
    ``description`` (:func:`spectrum_description`), and no stage that needs the embedded GPAW results
    (electronic, anchors)."""
    data = f"profiles/{name}/data"
    return {
        "dataset": {
            "source": "table",
            "table": {
                "spectra": f"{data}/spectra.npz",
                "structures": f"{data}/structures.json",
                "logarithmic": logarithmic,
                "description": description,
            },
            "onset_threshold": onset_threshold,
            "onset_correction": {"mode": "none", "cut_below_direct_gap": False, "corrected_gaps": None},
        },
        "electronic": {"enabled": False, "localisation": None, "like_for_like": []},
        "anchors": {"enabled": False, "substitutions": None},
        **(
            {}
            if logarithmic
            else {
                "figures": {"quantity": "the imported spectrum", "quantity_label": "spectrum"},
                "report": {"units": "the imported spectrum"},
            }
        ),
    }


def create_profile(
    root: Path, name: str, shape: str, source: Path, logarithmic: bool, description: dict | None = None
) -> tuple[Path, int]:
    """A new profile ``profiles/<name>`` of the project at ``root`` from the user's data: its table files under
    ``data/`` and its params overlay (the grid, floor and onset threshold are the default profile's; ``description``:
    what the spectra are, :func:`spectrum_description`). Returns its folder and its number of materials; InputError
    when the profile exists or the data are unreadable."""
    import yaml

    if not name.isidentifier():
        raise InputError(f"profile name {name!r}: use letters, digits and underscores")
    folder = Path(root) / "profiles" / name
    if (folder / "params.yaml").exists():
        raise InputError(f"{folder}: the profile exists; choose another name or remove it")
    dataset = yaml.safe_load((Path(root) / "params.yaml").read_text())["dataset"]
    grid = energy_grid(**dataset["grid"])
    described = spectrum_description(description or {}, shape)
    materials = read_user_data(shape, Path(source), grid, float(dataset["floor"]))
    write_table(materials, grid, folder / "data" / "spectra.npz", folder / "data" / "structures.json")
    overlay = profile_overlay(name, logarithmic, float(dataset["onset_threshold"]), described)
    header = (
        f"# {name} profile: {len(materials)} materials imported from {source} ({shape}) by\n"
        f"#   specgroups new-profile {name} {source} --shape {shape}{'' if logarithmic else ' --not-logarithmic'}\n"
        "# Only its differences from the default params.yaml are here (specgroups.io.params merges them over it).\n"
    )
    with atomic_path(folder / "params.yaml") as temporary:
        temporary.write_text(header + yaml.safe_dump(overlay, sort_keys=False))
    return folder, len(materials)
