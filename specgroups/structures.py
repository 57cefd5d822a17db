"""Reading and validating crystal structures as pymatgen ``Structure`` objects."""

from __future__ import annotations

import hashlib
import json
import os
import re
import warnings
from pathlib import Path

import numpy as np
from pymatgen.core import Structure

from specgroups.errors import InputError

# Closer than this (angstrom) two atoms overlap: the shortest real bonds (O-H) are about 0.96 A.
MIN_INTERATOMIC_DISTANCE = 0.5


def structure_from_poscar(text: str, source: str) -> Structure:
    """Parse POSCAR text (coordinate lines may end with element symbols, as in the study's files)."""
    from pymatgen.io.vasp import Poscar

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            structure = Poscar.from_str(text).structure
    except Exception as error:  # pymatgen raises ValueError, IndexError, ... for malformed POSCARs
        raise InputError(f"{source}: not a readable POSCAR ({type(error).__name__}: {error})") from error
    return validate_structure(structure, source)


def read_structure(path: str | Path) -> Structure:
    """Read a POSCAR/CONTCAR, CIF or pymatgen JSON file and validate it."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: file not found")
    name = path.name.lower()
    try:
        if name.endswith(".json"):
            structure = Structure.from_dict(json.loads(path.read_text()))
        elif name.endswith(".cif"):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                structure = Structure.from_file(path)
        else:
            return structure_from_poscar(path.read_text(), str(path))
    except InputError:
        raise
    except Exception as error:  # parser-specific errors all mean "unreadable"
        raise InputError(f"{path}: not a readable structure ({type(error).__name__}: {error})") from error
    return validate_structure(structure, str(path))


MATERIALS_PROJECT_ID = re.compile(r"^mp-\d+$")


def structure_from_materials_project(material_id: str) -> Structure:
    """A Materials Project structure by id; the API key comes only from the MP_API_KEY environment variable."""
    if not MATERIALS_PROJECT_ID.match(material_id):
        raise InputError(f"{material_id}: not a Materials Project id (mp-<number>)")
    api_key = os.environ.get("MP_API_KEY", "").strip()
    if not api_key:
        raise InputError(
            f"{material_id}: fetching from the Materials Project needs an API key in the MP_API_KEY environment "
            "variable (https://materialsproject.org/api); or give a CIF, POSCAR or pymatgen JSON file instead"
        )
    from mp_api.client import MPRester

    try:
        with MPRester(api_key, mute_progress_bars=True) as rester:
            structure = rester.get_structure_by_material_id(material_id)
    except Exception as error:  # network, authentication and missing-id errors all stop here
        raise InputError(
            f"{material_id}: the Materials Project did not return it ({type(error).__name__}: {error})"
        ) from error
    return validate_structure(structure, material_id)


def validate_structure(structure: Structure, source: str) -> Structure:
    """Raise InputError for an empty structure or overlapping atoms."""
    if len(structure) == 0:
        raise InputError(f"{source}: the structure has no atoms")
    if not np.all(np.isfinite(structure.frac_coords)) or structure.volume <= 0:
        raise InputError(f"{source}: the structure has non-finite coordinates or a degenerate cell")
    if len(structure) > 1:
        distances = structure.distance_matrix + np.eye(len(structure)) * 1e9
        i, j = np.unravel_index(np.argmin(distances), distances.shape)
        if distances[i, j] < MIN_INTERATOMIC_DISTANCE:
            raise InputError(
                f"{source}: atoms {i} ({structure[i].species_string}) and {j} ({structure[j].species_string}) "
                f"overlap ({distances[i, j]:.3f} A apart, minimum {MIN_INTERATOMIC_DISTANCE} A)"
            )
    return structure


def structure_fingerprint(structure: Structure, context: dict) -> str:
    """Hash of a structure (lattice, species, wrapped fractional coordinates) and the settings of an analysis.

    Cache files named by it are reused exactly when the structure and the settings are unchanged.
    """
    payload = {
        "lattice": np.round(structure.lattice.matrix, 6).tolist(),
        "species": [site.species_string for site in structure],
        "frac_coords": np.round(np.mod(structure.frac_coords, 1.0), 6).tolist(),
        "context": context,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:32]


def structure_family(structure: Structure) -> str:
    """The structure family a material belongs to: its anonymised formula and space group number (symprec 0.1 A),
    e.g. ``A3BC8 #166``. Members of one family (K3ScV2O8 and Rb3YV2O8; a polymorph-free series of substitutions)
    share a prototype; two polymorphs of one compound are two families."""
    from pymatgen.symmetry.analyzer import SpacegroupAnalyzer

    number = SpacegroupAnalyzer(structure, symprec=0.1).get_space_group_number()
    return f"{structure.composition.reduced_composition.anonymized_formula} #{number}"
