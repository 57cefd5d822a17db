"""JSON documents from files downloaded from elsewhere, plain or in a tar archive, read safely.

Archives are read in memory, never extracted, and refused outright when a
member's name could escape an extraction directory (absolute paths, ``..``,
drive letters) or a member is a link or a device: such an archive was not
made by the authors' scripts, and the user should know.
"""

from __future__ import annotations

import json
import tarfile
from pathlib import Path, PurePosixPath

from specgroups.errors import InputError

ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".tar")


def checked_members(archive: tarfile.TarFile, path: Path) -> list[tarfile.TarInfo]:
    """Every member of ``archive``, after refusing any unsafe one (InputError naming it)."""
    members = archive.getmembers()
    for member in members:
        name = PurePosixPath(member.name.replace("\\", "/"))
        if name.is_absolute() or ".." in name.parts or (name.parts and ":" in name.parts[0]):
            raise InputError(f"{path}: refused archive member {member.name!r} (absolute path or '..')")
        if not (member.isfile() or member.isdir()):
            raise InputError(f"{path}: refused archive member {member.name!r} (links and devices are not allowed)")
    return members


def is_mac_metadata(name: str) -> bool:
    """AppleDouble (``._name``) and ``__MACOSX/`` members, which archives made on a Mac carry beside each file."""
    parts = PurePosixPath(name.replace("\\", "/")).parts
    return "__MACOSX" in parts or (bool(parts) and parts[-1].startswith("._"))


def json_member(documents: list[tarfile.TarInfo], path: Path) -> tarfile.TarInfo:
    """The one ``.json`` member to read: the only one, or else the one named like the archive
    (``X.json`` in ``X.json.tar.gz`` or ``X.tar.gz``)."""
    if len(documents) == 1:
        return documents[0]
    stem = path.name
    for suffix in ARCHIVE_SUFFIXES:
        stem = stem.removesuffix(suffix)
    named = [m for m in documents if PurePosixPath(m.name).name in (stem, f"{stem}.json")]
    if len(named) != 1:
        raise InputError(
            f"{path}: expected one .json member (or one named {stem.removesuffix('.json')}.json), found {[m.name for m in documents]}"
        )
    return named[0]


def read_json_archive(path: str | Path) -> object:
    """The JSON document in ``path``: a ``.json`` file, or a tar archive's ``.json`` member (:func:`json_member`;
    Mac metadata members are ignored)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: not found")
    try:
        if not path.name.endswith(ARCHIVE_SUFFIXES):
            return json.loads(path.read_bytes())
        with tarfile.open(path, "r:*") as archive:
            documents = [
                m
                for m in checked_members(archive, path)
                if m.isfile() and m.name.endswith(".json") and not is_mac_metadata(m.name)
            ]
            return json.loads(archive.extractfile(json_member(documents, path)).read())
    except (tarfile.TarError, EOFError, OSError) as error:
        raise InputError(f"{path}: not a readable tar archive ({error})") from error
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise InputError(f"{path}: not valid JSON ({error})") from error
