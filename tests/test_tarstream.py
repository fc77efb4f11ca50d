"""The fast tar reader reads what tarfile reads, and refuses what tarfile refuses."""

from __future__ import annotations

import gzip
import io
import tarfile

import pytest

from releasekit.readers.tarstream import NotAFile, TarError, iter_tar

LONG = "pemilu/hhcw/ppwp/" + "/".join(["x" * 40] * 4) + "/3171012001001.json"  # > 100 characters


def _archive(fmt: int, members: list[tuple[str, bytes]], *, gz: bool = True) -> bytes:
    """The members, then the members that are no file (:func:`_not_files`), after a folder."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=fmt) as tar:
        folder = tarfile.TarInfo("pemilu")
        folder.type = tarfile.DIRTYPE
        tar.addfile(folder)
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        for name, kind, target in _not_files(members):
            info = tarfile.TarInfo(name)
            info.type, info.linkname = kind, target
            tar.addfile(info)
    data = out.getvalue()
    return gzip.compress(data, mtime=0) if gz else data


def _not_files(members: list[tuple[str, bytes]]) -> list[tuple[str, bytes, str]]:
    """A symbolic link, a hard link (to the longest member: a GNU long link name or a pax linkpath), a pipe, a
    device."""
    longest = max((name for name, _ in members), key=len)
    return [("pemilu/link.json", tarfile.SYMTYPE, members[0][0]), ("pemilu/hard.json", tarfile.LNKTYPE, longest),
            ("pemilu/fifo", tarfile.FIFOTYPE, ""), ("pemilu/tty", tarfile.CHRTYPE, "")]


KINDS = {tarfile.SYMTYPE: "a symbolic link", tarfile.LNKTYPE: "a hard link", tarfile.FIFOTYPE: "a named pipe",
         tarfile.CHRTYPE: "a character device"}


def _expected(members: list[tuple[str, bytes]]) -> list[tuple[str, bytes | NotAFile]]:
    return [*members, *((name, NotAFile(KINDS[kind], target)) for name, kind, target in _not_files(members))]


def _tarfile_members(data: bytes) -> list[tuple[str, bytes | NotAFile]]:
    out: list[tuple[str, bytes | NotAFile]] = []
    with tarfile.open(fileobj=io.BytesIO(data), mode="r|*") as tar:
        for info in tar:
            handle = tar.extractfile(info) if info.isfile() else None
            if handle is not None:
                out.append((info.name, handle.read()))
            elif not info.isdir():
                out.append((info.name, NotAFile(KINDS[info.type], info.linkname)))
    return out


MEMBERS = [("a/1101012001001.json", b'{"chart": null}'), (LONG, b"{}" * 700), ("a/empty.json", b""),
           ("a/\u00e9t\u00e9.json", b"[1]")]


@pytest.mark.parametrize("fmt", [tarfile.USTAR_FORMAT, tarfile.GNU_FORMAT, tarfile.PAX_FORMAT])
@pytest.mark.parametrize("gz", [True, False])
def test_same_members_as_tarfile(fmt: int, gz: bool) -> None:
    members = MEMBERS if fmt != tarfile.USTAR_FORMAT else [m for m in MEMBERS if len(m[0]) < 100]
    data = _archive(fmt, members, gz=gz)
    got = list(iter_tar(io.BytesIO(data), gz))
    assert got == _tarfile_members(data) == _expected(members)


def test_multi_member_gzip_and_progress() -> None:
    plain = _archive(tarfile.GNU_FORMAT, MEMBERS, gz=False)
    half = len(plain) // 1024 * 512
    data = gzip.compress(plain[:half], mtime=0) + gzip.compress(plain[half:], mtime=0)
    seen: list[int] = []
    assert list(iter_tar(io.BytesIO(data), True, seen.append)) == _expected(MEMBERS)
    assert len(seen) == len(MEMBERS) and seen == sorted(seen)


@pytest.mark.parametrize("cut", [100, 700, 1500])
def test_truncated_archive_raises_after_the_members_it_could_read(cut: int) -> None:
    data = _archive(tarfile.GNU_FORMAT, MEMBERS, gz=False)[:cut]
    got = []
    with pytest.raises(TarError, match="unexpected end of data"):
        for member in iter_tar(io.BytesIO(data), False):
            got.append(member)
    assert got == _expected(MEMBERS)[: len(got)]


def test_truncated_gzip_stream() -> None:
    data = _archive(tarfile.GNU_FORMAT, MEMBERS)
    with pytest.raises(TarError, match="end-of-stream"):
        list(iter_tar(io.BytesIO(data[: len(data) - 20]), True))


def test_bad_checksum_and_empty_file() -> None:
    data = bytearray(_archive(tarfile.USTAR_FORMAT, MEMBERS[:1], gz=False))
    data[0] ^= 1
    with pytest.raises(TarError, match="bad checksum"):
        list(iter_tar(io.BytesIO(bytes(data)), False))
    with pytest.raises(TarError, match="empty file"):
        list(iter_tar(io.BytesIO(b""), False))
