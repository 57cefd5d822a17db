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


def read_json_archive(path: str | Path) -> object:
    """The JSON document in ``path``: a ``.json`` file, or the only ``.json`` member of a tar archive."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: not found")
    try:
        if not path.name.endswith(ARCHIVE_SUFFIXES):
            return json.loads(path.read_bytes())
        with tarfile.open(path, "r:*") as archive:
            documents = [m for m in checked_members(archive, path) if m.isfile() and m.name.endswith(".json")]
            if len(documents) != 1:
                raise InputError(f"{path}: expected one .json member, found {[m.name for m in documents]}")
            return json.loads(archive.extractfile(documents[0]).read())
    except (tarfile.TarError, EOFError, OSError) as error:
        raise InputError(f"{path}: not a readable tar archive ({error})") from error
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise InputError(f"{path}: not valid JSON ({error})") from error
