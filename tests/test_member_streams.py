"""CSV and JSON Lines members of a folder or archive are streamed to their reader, not read whole.

A member read line by line (a text table, JSON Lines) is read from the folder, zip or tar a buffer
at a time as its reader asks, so memory stays flat whatever its size and no member limit applies
(the reader's limit on one line does). These tests shrink :data:`members.MEMBER_LIMIT` (and the
table limit older code had) and :data:`memberstream.HEAD` (what is read before a member is handed on)
so that small files take the paths a national file takes.
"""

from __future__ import annotations

import bz2
import gzip
import io
import json
import random
import tarfile
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest

from conftest import invoke, query, read, write_project
from releasekit import load_release
from releasekit.elections import CATALOGUE
from releasekit.readers import READERS, ReadContext, Rejected, TpsResult, members, memberstream, tarstream
from releasekit.readers.bytelines import byte_lines

T = TypeVar("T")
PPWP = CATALOGUE["ppwp-2024"]
TPS = {"chart": {"100025": 1, "100026": 2, "100027": 3}, "administrasi": None, "ts": "2024-02-15 10:00:00"}
MAPPING = {"table": "hasil_tps", "fields": {"kode_tps": "kode_tps", "suara_sah": "suara_sah"},
           "votes": {1: "paslon_1", 2: "paslon_2", 3: "paslon_3"}}
LIMIT = 4096
KINDS = ["folder", "zip", "cut-zip", "tar", "tar.gz", "tar.bz2", "gzipped-member"]


def _code(i: int) -> str:
    return f"3101{i // 100000:02}{(i // 1000) % 100:04}{i % 1000:03}"


def _csv(rows: int, note: int = 0) -> bytes:
    """A wide ``hasil_tps`` CSV with a broken row every 97 (``note``: an unmapped column of that many bytes)."""
    lines = ["kode_tps,suara_sah,paslon_1,paslon_2,paslon_3,catatan\n"]
    for i in range(1, rows + 1):
        lines.append(f"{_code(i)},{i % 500},{i % 200},{i % 150},{i % 150},{'n' * note}\n" if i % 97 else "ragged,1\n")
    return "".join(lines).encode()


def _jsonl(rows: int) -> bytes:
    """Sirekap JSON Lines with a blank line and a line that is no JSON every 89."""
    lines = [json.dumps({**TPS, "kode_tps": _code(i)}) if i % 89 else "\n{not json" for i in range(1, rows + 1)]
    return ("\n".join(lines) + "\n").encode()


def _container(folder: Path, kind: str, name: str, data: bytes) -> Path:
    """One file, ``name`` holding ``data``, in a container of ``kind`` (a ``gzipped-member``: ``name.gz`` in a zip)."""
    if kind == "folder":
        (folder / "src").mkdir()
        (folder / "src" / name).write_bytes(data)
        return folder / "src"
    if kind in ("zip", "cut-zip", "gzipped-member"):
        if kind == "gzipped-member":
            name, data = name + ".gz", gzip.compress(data, mtime=0)
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
            out.writestr(name, data)
        archive = buf.getvalue()
        path = folder / "src.zip"
        path.write_bytes(archive if kind != "cut-zip" else archive[:archive.find(b"PK\x01\x02")])
        return path
    path = folder / f"src.{kind}"
    with tarfile.open(path, "w:" + kind.partition(".")[2]) as out:
        info = tarfile.TarInfo(name)
        info.size = len(data)
        out.addfile(info, io.BytesIO(data))
    return path


def _csv_context(folder: Path, raw: Path) -> ReadContext:
    """How a build reads ``raw`` as a ``csv`` source mapped by :data:`MAPPING`."""
    project = write_project(folder / "project", {"real-count": [
        {"raw": raw, "format": "csv", "election": "ppwp-2024", "snapshot": "2024-02-16", "csv": MAPPING}]})
    (source,) = load_release(project).sources
    return ReadContext(project / source.path, source.path, PPWP, None, source)


def _shown(records: list[Any]) -> list[tuple[Any, ...]]:
    """What a build keeps of each record (the raw text of a loaded one aside)."""
    return [(r.locator, r.reason) if isinstance(r, Rejected) else (r.locator, r.kode_tps, r.values, r.votes)
            for r in records]


def _peak(read: Callable[[], T]) -> tuple[T, int]:
    """What ``read()`` returns, and the most memory traced while it ran."""
    tracemalloc.start()
    try:
        result = read()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak


@pytest.fixture
def small_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(members, "MEMBER_LIMIT", LIMIT)
    monkeypatch.setattr(members, "TABLE_MEMBER_LIMIT", LIMIT, raising=False)  # (the older code's limit for a CSV)
    monkeypatch.setattr(memberstream, "HEAD", 1024)


@pytest.mark.usefixtures("small_limits")
@pytest.mark.parametrize("kind", KINDS)
def test_a_csv_member_over_the_member_limit_reads_as_the_file_given_bare(tmp_path: Path, kind: str) -> None:
    data = _csv(2000)
    name = "x.csv.gz" if kind == "gzipped-member" else "x.csv"
    (tmp_path / "bare").mkdir()
    bare = tmp_path / "bare" / name
    bare.write_bytes(gzip.compress(data, mtime=0) if kind == "gzipped-member" else data)
    got = list(READERS["csv"].read(_csv_context(tmp_path / "a", _container(tmp_path, kind, "x.csv", data))))
    expected = list(READERS["csv"].read(_csv_context(tmp_path / "b", bare)))
    if kind == "cut-zip":  # (one record more: the missing central directory)
        assert isinstance(got[-1], Rejected) and got.pop().reason.startswith("zip archive's central directory")
    assert _shown(got) == _shown(expected)
    assert sum(isinstance(r, TpsResult) for r in got) == 2000 - 2000 // 97


@pytest.mark.usefixtures("small_limits")
@pytest.mark.parametrize("kind", KINDS)
def test_a_json_lines_member_over_the_member_limit_reads_as_the_file_given_bare(tmp_path: Path, kind: str) -> None:
    data = _jsonl(1000)
    name = "x.jsonl.gz" if kind == "gzipped-member" else "x.jsonl"
    bare = tmp_path / name
    bare.write_bytes(gzip.compress(data, mtime=0) if kind == "gzipped-member" else data)
    got = read("sirekap-tps-json", _container(tmp_path, kind, "x.jsonl", data), PPWP)
    if kind == "cut-zip":
        assert isinstance(got[-1], Rejected) and got.pop().reason.startswith("zip archive's central directory")
    assert _shown(got) == _shown(read("sirekap-tps-json", bare, PPWP))
    assert sum(isinstance(r, TpsResult) for r in got) == 1000 - 1000 // 89


@pytest.mark.parametrize(("kind", "bound"), [("zip", 10 << 20), ("tar.gz", 16 << 20)])  # (tarstream's buffer:
# a MiB read past, a step inflated)
def test_a_50_mb_csv_member_is_read_in_a_few_buffers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      kind: str, bound: int) -> None:
    monkeypatch.setattr(tarstream, "MAX_INFLATE", 1 << 20)  # (inflated a MiB at a time, not 16)
    data = _csv(50_000, note=1000)
    assert len(data) > 50_000_000
    ctx = _csv_context(tmp_path, _container(tmp_path, kind, "x.csv", data))
    del data
    loaded, peak = _peak(lambda: sum(isinstance(r, TpsResult) for r in READERS["csv"].read(ctx)))
    assert loaded == 50_000 - 50_000 // 97
    assert peak < bound, f"{peak:,} bytes"


@pytest.mark.parametrize("kind", ["tar.gz", "zip"])
def test_a_csv_member_inflating_to_a_line_without_end_is_read_past_in_constant_memory(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str) -> None:
    """A 64 MB line (a few KB compressed) is one rejected record, and never held."""
    monkeypatch.setattr(tarstream, "MAX_INFLATE", 1 << 20)
    line = 64 << 20
    data = b"kode_tps,suara_sah,paslon_1,paslon_2,paslon_3\n" + b"3" * line
    ctx = _csv_context(tmp_path, _container(tmp_path, kind, "x.csv", data))
    del data
    records, peak = _peak(lambda: list(READERS["csv"].read(ctx)))
    assert [(r.locator, r.reason) for r in records if isinstance(r, Rejected)] == [
        ("x.csv:2", f"line is {line:,} bytes long, over the limit of 1,048,576; not read")]
    assert len(records) == 1
    assert peak < 10 << 20, f"{peak:,} bytes"


def test_a_json_lines_member_with_a_line_over_the_member_limit_sets_that_line_aside(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(members, "MEMBER_LIMIT", 1 << 20)
    monkeypatch.setattr(tarstream, "MAX_INFLATE", 1 << 20)
    first = json.dumps({**TPS, "kode_tps": _code(1)}).encode()
    data = first + b"\n" + b" " * (32 << 20) + b"\r\n" + first.replace(b'001"', b'002"')
    source = _container(tmp_path, "tar.gz", "x.jsonl", data)
    records, peak = _peak(lambda: read("sirekap-tps-json", source, PPWP))
    assert _shown(records)[1] == ("x.jsonl:2", f"line is {(32 << 20) + 2:,} bytes long, over the limit of "
                                               "1,048,576; not read")
    assert [r.kode_tps for r in records if isinstance(r, TpsResult)] == [_code(1), _code(2)]
    assert peak < 10 << 20, f"{peak:,} bytes"


def _cut(folder: Path, kind: str, name: str, data: bytes) -> Path:
    """A tar archive holding ``name``, cut at two thirds of the member."""
    path = _container(folder, kind, name, data)
    archive = path.read_bytes()
    raw = gzip.decompress(archive) if kind == "tar.gz" else bz2.decompress(archive)
    cut = raw[:512 + len(data) * 2 // 3]
    path.write_bytes(gzip.compress(cut) if kind == "tar.gz" else bz2.compress(cut))
    return path


@pytest.mark.parametrize("kind", ["tar.gz", "tar.bz2"])
@pytest.mark.parametrize("table", [True, False])
def test_an_archive_cut_inside_a_streamed_member_loads_what_came_before(
        make_project: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str, table: bool) -> None:
    """The rows before the cut load; the cut-off line is the one quarantined record of the cut, with its place."""
    monkeypatch.setattr(memberstream, "HEAD", 64 << 10)  # (a cut inside the first HEAD bytes sets the member aside)
    data, name = (_csv(20_000), "x.csv") if table else (_jsonl(5_000), "x.jsonl")
    raw = _cut(tmp_path, kind, name, data)
    source = {"raw": raw, "format": "csv", "csv": MAPPING} if table else {"raw": raw, "format": "sirekap-tps-json"}
    project = make_project({"real-count": [{**source, "election": "ppwp-2024", "snapshot": "2024-02-16"}]})
    result = invoke("build", project)
    assert result.exit_code == 0, result.output
    ((records_in, loaded, quarantined),) = query(
        project, "SELECT records_in, records_loaded, records_quarantined FROM sources")
    assert records_in == loaded + quarantined and loaded > 2_000
    *_, (locator, reason) = query(project, "SELECT locator, reason FROM quarantine ORDER BY rowid")
    line = int(locator.rpartition(":")[2])
    assert locator == f"{name}:{line}" and reason.startswith(f"the file is truncated or corrupt from line {line} on")
    assert query(project, "SELECT count(*) FROM quarantine WHERE reason LIKE '%truncated%'") == [(1,)]
    before = [text for text in data.splitlines()[:line - 1] if text.strip()]
    assert records_in == len(before) - table + 1  # the lines before the cut (not the header) and the cut-off one


def test_a_big_zip_member_whose_crc_fails_is_set_aside_before_any_row_loads(tmp_path: Path,
                                                                             small_limits: None) -> None:
    data = _csv(2000)
    path = _container(tmp_path, "zip", "x.csv", data)
    archive = bytearray(path.read_bytes())
    archive[14] ^= 0xFF  # the CRC-32 of the local header and of the central directory
    archive[archive.find(b"PK\x01\x02") + 16] ^= 0xFF
    path.write_bytes(bytes(archive))
    (record,) = READERS["csv"].read(_csv_context(tmp_path, path))
    assert isinstance(record, Rejected) and record.reason == "zip member is corrupt: Bad CRC-32 for file 'x.csv'"


def test_progress_is_told_as_a_streamed_member_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(memberstream, "HEAD", 1024)
    monkeypatch.setattr(tarstream, "CHUNK", 1024)
    monkeypatch.setattr(tarstream, "SECTION_STEP", 1024)
    raw = _container(tmp_path, "tar", "x.jsonl", _jsonl(1000))
    told: list[tuple[int, int]] = []
    records = READERS["sirekap-tps-json"].read(ReadContext(raw, raw.name, PPWP, lambda n: told.append((n, seen))))
    seen = 0
    for _ in records:
        seen += 1
    assert len(told) > 20 and [n for n, _ in told] == sorted(n for n, _ in told)
    assert len({at for _, at in told}) > 20  # (told between records, not all at the start or at the end)


@pytest.mark.parametrize("seed", range(40))
def test_byte_lines_cut_as_splitlines_whatever_the_chunks(seed: int) -> None:
    rng = random.Random(seed)
    data = bytes(rng.choice(b"ab\r\n") for _ in range(rng.randrange(0, 300)))
    cuts = sorted(rng.sample(range(len(data) + 1), min(len(data) + 1, rng.randrange(0, 40))))
    chunks = [data[a:b] for a, b in zip([0, *cuts], [*cuts, len(data)], strict=True)]
    limit = rng.choice([4, 16, 1000])
    got = list(byte_lines(iter(chunks), "x", limit))
    for number, (line, whole) in enumerate(zip(data.splitlines(), data.splitlines(keepends=True), strict=True), 1):
        item = got[number - 1]
        if len(whole) > limit:
            assert isinstance(item, Rejected) and item.locator == f"x:{number}"
            assert item.reason == f"line is {len(whole):,} bytes long, over the limit of {limit:,}; not read"
        else:
            assert item == (number, line)
    assert len(got) == len(data.splitlines())


@pytest.mark.parametrize("gzipped", [False, True])
def test_a_bare_json_lines_file_sets_a_line_over_the_member_limit_aside(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch,
                                                                       gzipped: bool) -> None:
    """A bare ``.jsonl`` was read with ``for line in file``: a line of 32 MiB was held whole (and one of gigabytes
    would be). It is now read as a member is: set aside with its size, in constant memory."""
    monkeypatch.setattr(members, "MEMBER_LIMIT", 1 << 20)
    first = json.dumps({**TPS, "kode_tps": _code(1)}).encode()
    data = first + b"\n" + b" " * (32 << 20) + b"\n" + first.replace(b'001"', b'002"') + b"\n"
    path = tmp_path / ("x.jsonl.gz" if gzipped else "x.jsonl")
    path.write_bytes(gzip.compress(data, mtime=0, compresslevel=1) if gzipped else data)
    records, peak = _peak(lambda: read("sirekap-tps-json", path, PPWP))
    assert _shown(records)[1] == (f"{path.name}:2", f"line is {(32 << 20) + 1:,} bytes long, over the limit of "
                                                   "1,048,576; not read")
    assert [r.kode_tps for r in records if isinstance(r, TpsResult)] == [_code(1), _code(2)]
    assert peak < 10 << 20, f"{peak:,} bytes"


def test_a_cut_bare_json_lines_gz_loads_the_lines_before_the_cut(tmp_path: Path) -> None:
    """It used to lose the lines read with the cut one's buffer and name no line (``x.jsonl.gz:end``)."""
    data = _jsonl(5_000)
    whole = gzip.compress(data, mtime=0)
    path = tmp_path / "x.jsonl.gz"
    path.write_bytes(whole[:len(whole) * 2 // 3])
    records = read("sirekap-tps-json", path, PPWP)
    *loaded, last = records
    assert isinstance(last, Rejected)
    line = int(last.locator.rpartition(":")[2])
    assert last.reason.startswith(f"the file is truncated or corrupt from line {line} on (EOFError: ")
    whole_lines = tmp_path / "whole" / "x.jsonl.gz"
    whole_lines.parent.mkdir()
    whole_lines.write_bytes(gzip.compress(b"\n".join(data.splitlines()[:line - 1]), mtime=0))
    assert _shown(loaded) == _shown(read("sirekap-tps-json", whole_lines, PPWP))
    assert len(loaded) > 2_000


@pytest.mark.parametrize("name", ["day.jsonl", "day.jsonl.gz"])
def test_a_json_lines_source_reports_the_builds_progress_as_it_is_read(tmp_path: Path, name: str) -> None:
    """Review BA #2: the reader streams a lone JSON Lines file itself, not through iter_members: the build's progress
    got a start and a finish and no update between them, whatever the file's size."""
    from releasekit import build

    lines = b"".join(json.dumps({"kode_tps": _code(i), "chart": None, "administrasi": None, "psu": None,
                                 "ts": "2024-02-15 10:00:00", "status_suara": False, "status_adm": False,
                                 "pad": random.Random(i).randbytes(100).hex()}).encode() + b"\n" for i in range(2_000))
    raw = tmp_path / name
    raw.write_bytes(gzip.compress(lines) if name.endswith(".gz") else lines)
    project = write_project(tmp_path / "project", {"real-count": [
        {"raw": raw, "format": "sirekap-tps-json", "election": "ppwp-2024", "snapshot": "2024-02-15"}]})

    class Recorder:
        def __init__(self) -> None:
            self.calls: list[tuple[str, int]] = []

        def start(self, label: str, total_bytes: int) -> None:
            self.calls.append(("start", total_bytes))

        def update(self, done_bytes: int) -> None:
            self.calls.append(("update", done_bytes))

        def finish(self) -> None:
            self.calls.append(("finish", 0))

    recorder = Recorder()
    build(load_release(project), progress=recorder)
    done = [n for kind, n in recorder.calls if kind == "update"]
    size = raw.stat().st_size
    assert recorder.calls[0] == ("start", size) and recorder.calls[-1][0] == "finish"
    assert len(set(done)) >= 2 and done == sorted(done) and 0 < done[0] < size and done[-1] <= size, done


@pytest.mark.parametrize("name", ["day.jsonl", "day.jsonl.gz"])
def test_a_single_streamed_file_reports_its_progress_as_it_is_read(tmp_path: Path, name: str) -> None:
    """Review AY #5: a JSON Lines source, gzipped or not, reported no progress until read whole (a 16.6 MB file: a
    start, no update, a finish), so the command line's bar stood at 0% the whole time."""
    lines = b"".join(json.dumps({"kode_tps": _code(i), "pad": random.Random(i).randbytes(300).hex()}).encode() + b"\n"
                     for i in range(2_000))
    path = tmp_path / name
    path.write_bytes(gzip.compress(lines) if name.endswith(".gz") else lines)
    done: list[int] = []
    found = members.iter_members(path, done.append, streamed=members.EVERY)
    member = next(found)  # (read before asking for the next member: the file closes then)
    assert isinstance(member, memberstream.Streamed)
    assert member.stream.read() == lines and next(found, None) is None
    size = path.stat().st_size
    assert len(done) >= size // memberstream.BUFFER and done == sorted(done) and 0 < done[-1] <= size, done
