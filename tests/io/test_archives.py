"""Reading JSON from downloaded archives: crafted unsafe archives are refused before anything is read."""

from __future__ import annotations

import io
import json
import tarfile

import pytest

from specgroups.errors import InputError
from specgroups.io.archives import read_json_archive


def write_archive(path, members: dict[str, bytes], links: dict[str, str] | None = None):
    with tarfile.open(path, "w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        for name, target in (links or {}).items():
            info = tarfile.TarInfo(name)
            info.type = tarfile.SYMTYPE
            info.linkname = target
            archive.addfile(info)
    return path


def test_reads_the_one_json_member_and_plain_json(tmp_path):
    document = {"energies": [0.0, 1.0]}
    archived = write_archive(tmp_path / "a.json.tar.gz", {"a/a.json": json.dumps(document).encode(), "a/README": b"x"})
    assert read_json_archive(archived) == document
    plain = tmp_path / "b.json"
    plain.write_text(json.dumps(document))
    assert read_json_archive(plain) == document


@pytest.mark.parametrize(
    "member", ["../../x.json", "/etc/x.json", "a/../../x.json", "C:/x.json", "..\\..\\x.json"], ids=str
)
def test_path_traversal_is_refused(tmp_path, member):
    archive = write_archive(tmp_path / "evil.json.tar.gz", {member: b"{}"})
    with pytest.raises(InputError, match=r"evil\.json\.tar\.gz: refused archive member"):
        read_json_archive(archive)
    assert not (tmp_path.parent / "x.json").exists()


def test_links_are_refused(tmp_path):
    archive = write_archive(tmp_path / "link.json.tar.gz", {"a.json": b"{}"}, links={"b.json": "/etc/passwd"})
    with pytest.raises(InputError, match="links and devices are not allowed"):
        read_json_archive(archive)


def test_bad_archives_name_the_file(tmp_path):
    with pytest.raises(InputError, match="missing.json.tar.gz: not found"):
        read_json_archive(tmp_path / "missing.json.tar.gz")
    truncated = tmp_path / "truncated.json.tar.gz"
    good = write_archive(tmp_path / "good.json.tar.gz", {"a.json": b"{}" * 1000}).read_bytes()
    truncated.write_bytes(good[: len(good) // 2])
    with pytest.raises(InputError, match="truncated.json.tar.gz: not a readable tar archive"):
        read_json_archive(truncated)
    two = write_archive(tmp_path / "two.json.tar.gz", {"a.json": b"{}", "b.json": b"{}"})
    with pytest.raises(
        InputError, match=r"expected one \.json member \(or one named two\.json\), found \['a.json', 'b.json'\]"
    ):
        read_json_archive(two)
    broken = write_archive(tmp_path / "broken.json.tar.gz", {"a.json": b"{not json"})
    with pytest.raises(InputError, match="broken.json.tar.gz: not valid JSON"):
        read_json_archive(broken)


def test_mac_metadata_is_ignored_and_the_member_named_like_the_archive_wins(tmp_path):
    mac = write_archive(
        tmp_path / "BaS_mp-1500.json.tar.gz",
        {
            "BaS_mp-1500.json": b'{"x": 1}',
            "._BaS_mp-1500.json": b"\x00\x05",
            "__MACOSX/._BaS_mp-1500.json": b"\x00\x05",
        },
    )
    assert read_json_archive(mac) == {"x": 1}
    several = write_archive(
        tmp_path / "BaS_mp-1500.tar.gz", {"run/vasprun_summary.json": b'{"y": 2}', "run/BaS_mp-1500.json": b'{"x": 1}'}
    )
    assert read_json_archive(several) == {"x": 1}
