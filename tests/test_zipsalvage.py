"""A zip cut before its central directory: the members before the cut, read from their local headers."""

from __future__ import annotations

import io
import random
import struct
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conftest import REPO, query
from releasekit.cli import cli
from releasekit.readers.members import iter_members
from releasekit.readers.zipsalvage import Salvaged, Stop, salvage


class _Unseekable(io.RawIOBase):
    """A stream zipfile cannot seek back in: it then writes each member's sizes in a data descriptor after it."""

    def __init__(self) -> None:
        self.out = io.BytesIO()

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        return self.out.write(data)


def members(seed: int) -> list[tuple[str, bytes]]:
    rng = random.Random(seed)
    return [(f"{n:02d}/{rng.randrange(10**12)}.json", rng.randbytes(rng.randrange(0, 3000)) if n % 3 else
             b'{"chart": {"100025": %d}}' % n * rng.randrange(1, 200)) for n in range(12)]


def archive(items: list[tuple[str, bytes]], *, streamed: bool, zip64: bool = False) -> bytes:
    target: Any = _Unseekable() if streamed else io.BytesIO()
    with zipfile.ZipFile(target, "w") as out:
        for n, (name, data) in enumerate(items):
            method = zipfile.ZIP_STORED if n % 4 == 0 else zipfile.ZIP_DEFLATED  # streamed: sizes after the data
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = method
            with out.open(info, "w", force_zip64=zip64) as handle:
                handle.write(data)
    return (target.out if streamed else target).getvalue()


def read_all(data: bytes) -> tuple[list[Salvaged], str | None]:
    got: list[Salvaged] = []
    try:
        for member in salvage(io.BufferedReader(io.BytesIO(data))):  # type: ignore[arg-type]
            got.append(member)
    except Stop as e:
        return got, str(e)
    return got, None


@pytest.mark.parametrize("zip64", [False, True])
@pytest.mark.parametrize("streamed", [False, True])
def test_a_whole_archive_gives_every_member_as_zipfile_does(streamed: bool, zip64: bool) -> None:
    items = members(1)
    data = archive(items, streamed=streamed, zip64=zip64)
    if streamed:
        assert zipfile.ZipFile(io.BytesIO(data)).infolist()[1].flag_bits & 0x8  # sizes in a data descriptor
    got, stop = read_all(data)
    assert stop is None
    assert [(m.name, m.data) for m in got] == items


@pytest.mark.parametrize("streamed", [False, True])
def test_a_cut_anywhere_gives_the_whole_members_before_it_and_says_where(streamed: bool) -> None:
    items = members(2)
    data = archive(items, streamed=streamed)
    end_of_members = data.index(b"PK\x01\x02")  # the central directory
    headers = [at for at in range(end_of_members) if data.startswith(b"PK\x03\x04", at)]
    assert len(headers) == len(items)
    for cut in [*range(0, len(data), 97), *headers]:
        got, stop = read_all(data[:cut])
        assert [(m.name, m.data) for m in got] == items[:len(got)]  # a prefix, every byte right
        if cut in headers:  # a cut between two members looks like the end of the members
            assert stop is None and len(got) == headers.index(cut)
        elif cut < end_of_members:
            assert stop is not None and len(got) == sum(at < cut for at in headers) - 1
        else:
            assert stop is None and len(got) == len(items)


def test_bytes_that_are_no_zip_stop_at_once() -> None:
    assert read_all(b"hello, this is no zip at all")[1] == "bytes that are no zip member at offset 0"
    got, stop = read_all(b"PK\x03\x04 not really")
    assert got == [] and stop == "the archive ends inside a member's header"


def test_a_corrupt_member_stops_with_its_name() -> None:
    items = members(3)
    data = bytearray(archive(items, streamed=False))
    start = data.index(items[1][0].encode()) + len(items[1][0]) + 20
    data[start] ^= 0xFF  # a byte of member 1's data
    got, stop = read_all(bytes(data[: data.index(b"PK\x01\x02")]))
    assert [m.name for m in got] == [items[0][0]] and stop is not None and stop.startswith(items[1][0])


def test_an_encrypted_member_of_known_size_is_skipped_with_a_reason() -> None:
    items = members(4)[:3]
    data = bytearray(archive(items, streamed=False))
    flags = data.index(items[1][0].encode()) - 30 + 6  # member 1's flag bits, in its local header
    data[flags] |= 0x1
    got, stop = read_all(bytes(data[: data.index(b"PK\x01\x02")]))
    assert stop is None
    assert [(m.name, m.skipped) for m in got] == [
        (items[0][0], ""), (items[1][0], "zip member is encrypted; nothing read from it"), (items[2][0], "")]


def test_an_encrypted_member_with_a_data_descriptor_does_not_hide_the_members_after_it() -> None:
    """Info-ZIP's ``zip -P`` writes encrypted members with their sizes repeated in a descriptor after the data."""
    items = members(6)[:3]
    data = bytearray(archive(items, streamed=True))
    flags = data.index(items[1][0].encode()) - 30 + 6
    data[flags] |= 0x1  # member 1 now reads as encrypted; its header gives no size: skipping it is impossible
    got, stop = read_all(bytes(data[: data.index(b"PK\x01\x02")]))
    assert [m.name for m in got] == [items[0][0]] and stop is not None and "of unknown size" in stop
    sized = bytearray(archive(items, streamed=False))
    at = sized.index(items[1][0].encode()) - 30
    sized[at + 6] |= 0x1 | 0x8  # encrypted, with a descriptor after its (known) size
    end = at + 30 + len(items[1][0]) + struct.unpack_from("<I", sized, at + 18)[0]
    crc = sized[at + 14: at + 18]
    sized[end:end] = b"PK\x07\x08" + crc + sized[at + 18: at + 26]  # signature, CRC-32, the two sizes
    got, stop = read_all(bytes(sized[: sized.index(b"PK\x01\x02")]))
    assert stop is None and [(m.name, m.skipped != "") for m in got] == [
        (items[0][0], False), (items[1][0], True), (items[2][0], False)]


@pytest.mark.parametrize("method", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
def test_a_size_past_the_end_of_the_file_is_a_cut_not_a_crash(method: int) -> None:
    """A ZIP64 extra can claim any size (2**64 - 1): it is not read, allocated or sought past the file's end."""
    name = b"3101011001001.json"
    extra = struct.pack("<HHQQ", 1, 16, 2**64 - 1, 2**64 - 1)
    head = struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 45, 0, method, 0, 0, 0, 0xFFFFFFFF, 0xFFFFFFFF,
                       len(name), len(extra))
    got, stop = read_all(head + name + extra + b"x" * 100)
    assert got == [] and stop == "3101011001001.json: the archive ends inside this member"


def test_iter_members_of_a_cut_zip_ends_with_one_rejected_record(tmp_path: Path) -> None:
    items = members(5)
    data = archive(items, streamed=True)
    path = tmp_path / "x.zip"
    path.write_bytes(data[: len(data) // 2])
    out = list(iter_members(path))
    *loaded, last = out
    assert [(m.name, m.data) for m in loaded] == items[:len(loaded)] and 0 < len(loaded) < len(items)  # type: ignore
    assert last.locator == f"after {items[len(loaded) - 1][0]}"  # type: ignore[union-attr]
    assert "zip archive is truncated or corrupt" in last.reason  # type: ignore[union-attr]


def test_a_cut_demo_zip_loads_the_members_before_the_cut(make_project: Any, cli_runner: CliRunner,
                                                         tmp_path: Path) -> None:
    """The reviewer's case: the demo's results zip cut to a third used to load nothing (1 record in, quarantined)."""
    data = (REPO / "raw" / "ppwp_tps_20240320.zip").read_bytes()
    whole = len(zipfile.ZipFile(io.BytesIO(data)).infolist())
    cut = tmp_path / "ppwp_tps_20240320.zip"
    cut.write_bytes(data[: len(data) // 3])
    project = make_project({"r": [{"raw": cut, "format": "sirekap-tps-json",
                                   "election": "ppwp-2024", "snapshot": "2024-03-20"}]})
    result = cli_runner.invoke(cli, ["build", str(project)])
    assert result.exit_code == 0, result.output
    ((records_in, loaded, quarantined),) = query(
        project, "SELECT records_in, records_loaded, records_quarantined FROM sources")
    reasons = [r for (r,) in query(project, "SELECT reason FROM quarantine")]
    assert whole // 4 < loaded < whole // 2 and records_in == loaded + quarantined, (loaded, reasons[:3])
    assert sum("zip archive is truncated or corrupt" in r for r in reasons) == 1
