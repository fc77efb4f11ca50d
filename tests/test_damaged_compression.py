"""A damaged compressed file or archive gives every record it holds before the damage, and names the damage.

A gzip (bzip2, xz) stream cut short gives up its bytes up to the cut exactly, so every line that
ends before the cut loads and the line the cut goes through is the one record quarantined. Reads
that gathered several buffers lost the bytes they had gathered when the next one failed: up to
64 KiB of complete lines before a cut (a buffered ``GzipFile.read``, an exact step of a tar
member), and every line of a ``.jsonl.gz`` of one buffer followed by bytes that are no gzip. A
zeroed tar header, or a tar cut at a member's boundary, read as the archive's end: the members
after it vanished, with nothing quarantined. Each test fails on the code before these fixes.
"""

from __future__ import annotations

import bz2
import gzip
import io
import json
import lzma
import tarfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import invoke, query, read
from releasekit.elections import CATALOGUE
from releasekit.readers import Region, Rejected, TpsResult, memberstream, tarstream
from releasekit.readers.inflate import CheckedGzipFile
from releasekit.readers.memberstream import chunks_of
from releasekit.readers.tarstream import TarError, iter_tar

PPWP = CATALOGUE["ppwp-2024"]
TPS = {"chart": {"100025": 1, "100026": 2, "100027": 3}, "administrasi": None, "ts": "2024-02-15 10:00:00"}
#: Compress a whole file, and inflate the bytes of a cut one as far as they go (what a reader can recover).
COMPRESSIONS: dict[str, tuple[Callable[[bytes], bytes], Callable[[bytes], bytes]]] = {
    "": (lambda data: data, lambda cut: cut),
    ".gz": (lambda data: gzip.compress(data, mtime=0), lambda cut: zlib.decompressobj(31).decompress(cut)),
    ".bz2": (lambda data: bz2.compress(data, 1), lambda cut: bz2.BZ2Decompressor().decompress(cut)),
    ".xz": (lzma.compress, lambda cut: lzma.LZMADecompressor().decompress(cut)),
}


def _code(i: int) -> str:
    return f"3101{i // 100000:02}{(i // 1000) % 100:04}{i % 1000:03}"


def _jsonl(rows: int) -> bytes:
    return "".join(json.dumps({**TPS, "kode_tps": _code(i), "n": i}) + "\n" for i in range(1, rows + 1)).encode()


def _tar(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


def _offsets(plain: bytes) -> list[int]:
    """Where each member's header starts in the plain tar ``plain``."""
    with tarfile.open(fileobj=io.BytesIO(plain)) as tar:
        return [info.offset for info in tar.getmembers()]


def _loaded_and_rest(records: list[Any]) -> tuple[list[Any], list[Rejected]]:
    return [r for r in records if not isinstance(r, Rejected)], [r for r in records if isinstance(r, Rejected)]


# --------------------------------------------------------------------------- every complete line before a cut

def test_a_cut_bare_json_lines_gz_loads_every_line_that_ends_before_the_cut(tmp_path: Path) -> None:
    """1,446 of 1,495 complete lines loaded (the lines in the failed read's 64 KiB were lost)."""
    data = _jsonl(3000)
    whole = gzip.compress(data, mtime=0)
    cut = whole[:len(whole) // 2]
    complete = zlib.decompressobj(31).decompress(cut).count(b"\n")
    (tmp_path / "x.jsonl.gz").write_bytes(cut)
    loaded, rest = _loaded_and_rest(read("sirekap-tps-json", tmp_path / "x.jsonl.gz", PPWP))
    assert len(loaded) == complete > 1000
    assert [r.locator for r in rest] == [f"x.jsonl.gz:{complete + 1}"]
    assert rest[0].reason.startswith(f"the file is truncated or corrupt from line {complete + 1} on (EOFError: ")


def test_bytes_after_a_whole_gzip_stream_lose_no_line_before_them(tmp_path: Path) -> None:
    """A ``.jsonl.gz`` of 53 lines and 7 bytes of garbage after its gzip stream loaded none of them."""
    data = _jsonl(53)
    (tmp_path / "x.jsonl.gz").write_bytes(gzip.compress(data, mtime=0) + b"GARBAGE")
    loaded, rest = _loaded_and_rest(read("sirekap-tps-json", tmp_path / "x.jsonl.gz", PPWP))
    assert [r.kode_tps for r in loaded] == [_code(i) for i in range(1, 54)]
    assert [r.locator for r in rest] == ["x.jsonl.gz:54"] and "Not a gzipped file" in rest[0].reason


def test_chunks_of_a_cut_gzip_file_give_every_byte_before_the_cut(tmp_path: Path) -> None:
    data = _jsonl(3000)
    whole = gzip.compress(data, mtime=0)
    (tmp_path / "x.gz").write_bytes(whole[:len(whole) // 2])
    got = bytearray()
    with CheckedGzipFile(tmp_path / "x.gz") as handle, pytest.raises(EOFError):
        for chunk in chunks_of(handle):
            got += chunk
    assert bytes(got) == zlib.decompressobj(31).decompress(whole[:len(whole) // 2])


@pytest.mark.parametrize("suffix", ["", ".gz", ".bz2", ".xz"])
def test_a_tar_cut_inside_a_json_lines_member_loads_every_line_before_the_cut(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str) -> None:
    """Tarstream read a streamed member in exact 64 KiB steps and tarfile's reads gathered buffers: the step that
    met the cut was lost whole (4,831 of 4,934 complete rows of a real CSV in a cut ``.tar.gz``)."""
    monkeypatch.setattr(memberstream, "HEAD", 1024)  # (a cut inside the first HEAD bytes sets the member aside)
    data = _jsonl(6000)
    compress, recover = COMPRESSIONS[suffix]
    archive = compress(_tar({"day/x.jsonl": data}))
    cut = archive[:len(archive) * 2 // 3]
    complete = recover(cut)[512:512 + len(data)].count(b"\n")
    path = tmp_path / f"x.tar{suffix}"
    path.write_bytes(cut)
    loaded, rest = _loaded_and_rest(read("sirekap-tps-json", path, PPWP))
    assert len(loaded) == complete > 1000
    assert [r.locator for r in rest] == [f"day/x.jsonl:{complete + 1}"]
    assert rest[0].reason.startswith(f"the file is truncated or corrupt from line {complete + 1} on ")


@pytest.mark.parametrize("table", ["csv", "jsonl"])
def test_a_build_of_a_cut_tar_gz_loads_every_row_before_the_cut(make_project: Any, tmp_path: Path, table: str
                                                                 ) -> None:
    """The outcome a build publishes: records_in = loaded + quarantined, every complete row loaded."""
    if table == "csv":
        data = ("kode_tps,suara_sah,paslon_1,paslon_2,paslon_3\n" + "".join(
            f"{_code(i)},{i % 500},{i % 200},{i % 150},{i % 150}\n" for i in range(1, 60_001))).encode()
        source = {"format": "csv", "csv": {"table": "hasil_tps", "fields": {"kode_tps": "kode_tps", "suara_sah":
                                                                            "suara_sah"},
                                           "votes": {1: "paslon_1", 2: "paslon_2", 3: "paslon_3"}}}
    else:
        data, source = _jsonl(20_000), {"format": "sirekap-tps-json"}
    name = f"day/x.{table}"
    archive = gzip.compress(_tar({name: data}), mtime=0)
    cut = archive[:len(archive) * 2 // 3]
    complete = zlib.decompressobj(31).decompress(cut)[512:512 + len(data)].count(b"\n") - (table == "csv")
    (tmp_path / "x.tar.gz").write_bytes(cut)
    project = make_project({"real-count": [{**source, "raw": tmp_path / "x.tar.gz", "election": "ppwp-2024",
                                            "snapshot": "2024-02-16"}]})
    result = invoke("build", project)
    assert result.exit_code == 0, result.output
    assert query(project, "SELECT records_in, records_loaded, records_quarantined FROM sources") == [
        (complete + 1, complete, 1)]
    assert query(project, "SELECT locator FROM quarantine") == [(f"{name}:{complete + 2 - (table == 'jsonl')}",)]


# --------------------------------------------------------------------------- a cut .sql.gz read whole

def _dump(rows: int) -> bytes:
    lines = ["INSERT INTO wilayah (kode, nama) VALUES\n"]
    lines += [f"('11.{i // 100:02}.{i % 100:02}','DESA NOMOR {i}'),\n" for i in range(1, rows)]
    lines.append(f"('11.{rows // 100:02}.{rows % 100:02}','DESA NOMOR {rows}');\n")
    return "".join(lines).encode()


def test_a_cut_sql_gz_loads_the_tuples_before_the_cut(tmp_path: Path) -> None:
    """The dump was read whole, so a cut one was one record ('gzip file is corrupt or truncated') and no region;
    the same dump plain and cut loads every tuple before the cut."""
    whole = gzip.compress(_dump(6000), mtime=0)
    cut = whole[:len(whole) * 3 // 4]
    inflated = zlib.decompressobj(31).decompress(cut)
    (tmp_path / "w.sql.gz").write_bytes(cut)
    loaded, rest = _loaded_and_rest(read("kemendagri-wilayah-sql", tmp_path / "w.sql.gz"))
    complete = inflated.count(b"\n")  # (the INSERT line, then one tuple a line)
    assert len(loaded) == complete - 1 > 3000 and all(isinstance(r, Region) for r in loaded)
    assert [r.locator for r in rest] == [f"w.sql:{complete + 1}"]
    assert rest[0].reason.startswith(f"the file is truncated or corrupt from line {complete + 1} on (EOFError: ")
    assert rest[0].raw == inflated[inflated.rindex(b"\n") + 1:].decode()  # (the cut tuple, never loaded cut short)


def test_bytes_after_a_whole_sql_gz_lose_no_tuple(tmp_path: Path) -> None:
    (tmp_path / "w.sql.gz").write_bytes(gzip.compress(_dump(500), mtime=0) + b"\r\n<html>")
    loaded, rest = _loaded_and_rest(read("kemendagri-wilayah-sql", tmp_path / "w.sql.gz"))
    assert len(loaded) == 500
    assert [r.locator for r in rest] == ["w.sql:502"] and "Not a gzipped file" in rest[0].reason


# --------------------------------------------------------------------------- a zeroed header, a missing end marker

def _tps_tar(members: int) -> bytes:
    """``members`` per-TPS files of one to three blocks."""
    return _tar({f"tps/{_code(i)}.json": json.dumps({**TPS, "pad": "x" * (i % 3 * 400)}).encode()
                 for i in range(1, members + 1)})


@pytest.mark.parametrize("suffix", ["", ".gz", ".bz2", ".xz"])
def test_a_zeroed_tar_header_quarantines_its_member_and_the_members_after_it_load(tmp_path: Path,
                                                                                  suffix: str) -> None:
    """A zero block where a header belongs was taken for the archive's end: 10 of 53 members loaded, nothing
    quarantined, exit 0 (GNU tar: 'A lone zero block at 35')."""
    plain = bytearray(_tps_tar(53))
    offsets = _offsets(bytes(plain))
    at = offsets[10]
    plain[at:at + 512] = bytes(512)
    path = tmp_path / f"t.tar{suffix}"
    path.write_bytes(COMPRESSIONS[suffix][0](bytes(plain)))
    loaded, rest = _loaded_and_rest(read("sirekap-tps-json", path, PPWP))
    assert [r.kode_tps for r in loaded] == [_code(i) for i in range(1, 54) if i != 11]
    ((locator, reason),) = [(r.locator, r.reason) for r in rest]
    assert locator == f"after tps/{_code(10)}.json"
    assert reason.startswith(f"archive is corrupt: a zero block where a member's header belongs, at byte {at:,} of "
                             f"the tar: the {offsets[11] - at:,} bytes from there to the next header")


def test_a_zeroed_last_header_is_read_past_to_the_end_of_archive_marker() -> None:
    plain = bytearray(_tps_tar(3))
    with tarfile.open(fileobj=io.BytesIO(bytes(plain))) as tar:
        last = tar.getmembers()[2]
    at, end = last.offset, last.offset_data + (last.size + 511) // 512 * 512  # (end: the end-of-archive marker)
    plain[at:at + 512] = bytes(512)
    got = list(iter_tar(io.BytesIO(bytes(plain)), False))
    assert [name for name, _ in got] == [f"tps/{_code(1)}.json", f"tps/{_code(2)}.json", ""]
    assert got[-1][1] == tarstream.Gap(at, end - at)  # (the zero block and the member's data)
    assert list(iter_tar(io.BytesIO(bytes(plain[:at + 512])), False))[-1][0] == f"tps/{_code(2)}.json"  # (one
    # zero block at the end of the file is the end: a tar cut inside its end-of-archive marker lost nothing)


@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_a_tar_cut_at_a_member_boundary_is_quarantined_as_truncated(tmp_path: Path, suffix: str) -> None:
    """A plain tar cut after its 20th member loaded 20 members, exit 0 and nothing quarantined, as whole."""
    plain = _tps_tar(53)
    at = _offsets(plain)[20]
    path = tmp_path / f"t.tar{suffix}"
    path.write_bytes(COMPRESSIONS[suffix][0](plain[:at]))
    loaded, rest = _loaded_and_rest(read("sirekap-tps-json", path, PPWP))
    assert len(loaded) == 20 and all(isinstance(r, TpsResult) for r in loaded)
    ((locator, reason),) = [(r.locator, r.reason) for r in rest]
    assert locator == f"after tps/{_code(20)}.json"
    assert reason == (f"archive is truncated or corrupt: TarError: the archive ends at byte {at:,} of the tar without "
                      "its end-of-archive marker (two zero blocks): it was cut short at a member's boundary "
                      "(download or export it again)")


def test_bzip2_and_xz_tars_are_read_as_tarfile_reads_them() -> None:
    plain = _tps_tar(30)
    with tarfile.open(fileobj=io.BytesIO(plain)) as tar:
        expected = [(info.name, tar.extractfile(info).read()) for info in tar]  # type: ignore[union-attr]
    for compression, compress in (("bzip2", lambda d: bz2.compress(d, 1)), ("xz", lzma.compress)):
        data = compress(plain[:len(plain) // 2]) + compress(plain[len(plain) // 2:])  # (two streams: pbzip2, pixz)
        assert list(iter_tar(io.BytesIO(data), compression=compression)) == expected
        with pytest.raises(TarError, match=f"the {compression} data is corrupt"):
            list(iter_tar(io.BytesIO(data[:40] + b"\xff" * 40 + data[80:]), compression=compression))


# ------------------------------------------------------------------ a cut inside a member whose header is read

@pytest.mark.parametrize("suffix", ["", ".gz", ".bz2", ".xz"])
def test_a_tar_cut_inside_its_only_member_quarantines_that_member(tmp_path: Path, suffix: str) -> None:
    """A tar of one per-TPS file cut inside the file's data was refused whole as 'not a tar archive, or one cut
    short before its first file', though its header (and name) had been read: now that member is the one record
    quarantined, named, and the build goes on."""
    plain = _tps_tar(1)
    cut = COMPRESSIONS[suffix][0](plain[:512 + 40])
    path = tmp_path / f"t.tar{suffix}"
    path.write_bytes(cut)
    loaded, rest = _loaded_and_rest(read("sirekap-tps-json", path, PPWP))
    assert loaded == []
    assert [r.locator for r in rest] == [f"tps/{_code(1)}.json"]
    assert rest[0].reason.startswith("archive is truncated or corrupt inside this member: TarError: ")


@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_a_tar_cut_inside_a_member_names_that_member_and_loads_those_before(tmp_path: Path, suffix: str) -> None:
    """Cut inside member 21's data: 20 load and the record quarantined is member 21 (its code is then known to be
    unreadable, not gone: the changelog and ``total-decreased`` read it from the locator); it was 'after' member 20."""
    plain = _tps_tar(53)
    at = _offsets(plain)[20] + 512 + 100
    path = tmp_path / f"t.tar{suffix}"
    path.write_bytes(COMPRESSIONS[suffix][0](plain[:at]))
    loaded, rest = _loaded_and_rest(read("sirekap-tps-json", path, PPWP))
    assert [r.kode_tps for r in loaded] == [_code(i) for i in range(1, 21)]
    assert [r.locator for r in rest] == [f"tps/{_code(21)}.json"]


def test_a_tar_cut_inside_a_members_padding_loads_that_member() -> None:
    """The data of the last member is whole and the cut falls in the zeros padding it to a block: it loads (it was
    read past before being handed on, and lost with the padding)."""
    plain = _tps_tar(2)
    with tarfile.open(fileobj=io.BytesIO(plain)) as tar:
        last = tar.getmembers()[-1]
    at = last.offset_data + last.size + 5
    assert at % 512
    got = []
    with pytest.raises(TarError):
        for name, data in iter_tar(io.BytesIO(plain[:at]), False):
            got.append((name, data))
    assert [name for name, _ in got] == [f"tps/{_code(1)}.json", f"tps/{_code(2)}.json"]
    assert got[-1][1] == plain[last.offset_data:last.offset_data + last.size]


@pytest.mark.parametrize("suffix", [".gz", ".xz"])
def test_a_tar_cut_within_the_head_of_its_only_streamed_member_quarantines_it(
        make_project: Any, tmp_path: Path, suffix: str) -> None:
    """A JSON Lines member is read as a stream once its first MiB is read; a cut inside that MiB, in an archive of no
    other member, refused the archive as no tar. Now the member is one record quarantined, and records_in reconciles."""
    data = _jsonl(2000)
    assert len(data) < memberstream.HEAD
    cut = COMPRESSIONS[suffix][0](_tar({"day/x.jsonl": data}))
    (tmp_path / f"x.tar{suffix}").write_bytes(cut[:len(cut) // 2])
    project = make_project({"real-count": [{"format": "sirekap-tps-json", "raw": tmp_path / f"x.tar{suffix}",
                                            "election": "ppwp-2024", "snapshot": "2024-02-16"}]})
    result = invoke("build", project)
    assert result.exit_code == 0, result.output
    assert query(project, "SELECT records_in, records_loaded, records_quarantined FROM sources") == [(1, 0, 1)]
    assert query(project, "SELECT locator FROM quarantine") == [("day/x.jsonl",)]
