"""Reader ``sirekap-tps-json``: Sirekap 2024 per-TPS result JSON (FORMATS.md section 1).

Accepts a folder tree, a ``.zip``, a ``.tar(.gz)``, a single ``.json`` file, or
JSON Lines (``.jsonl``/``.ndjson``, optionally gzipped) where each line is a
Sirekap object with a ``kode_tps`` key (or a ``path`` key ending in the TPS file
name). In files, the TPS code comes from the file name. JSON Lines are read line
by line, a buffer at a time, whatever their size: a file, or a member streamed from
its folder or archive (:mod:`.bytelines`; a line of a member may hold up to
:data:`~releasekit.readers.members.MEMBER_LIMIT` bytes, as a ``.json`` member may).

Every serialisation variant parses (compact, pretty with CRLF, no trailing
newline, any key order); the literal ``"null": null`` chart key is ignored; a
record with ``chart`` and ``administrasi`` both null is a TPS with NULL results.

No value in the file is read past: ``administrasi`` holds the 18 keys of :data:`ADMIN_KEYS` and no other (every
real per-TPS file does, every key of them), so a key it does not know (``suaraSah``, ``"suara_sah "``)
quarantines the record, naming the key, as an unknown chart key does; a key it lacks is NULL. Other keys at
the top level are ignored (``mode``, which a tenth of the real files carry, and whatever a scraper adds to a
JSON Lines line), but not one that is a known key written with other case, spaces, underscores or hyphens
(``"Chart"``, ``"ts "``, ``statusSuara``), which would leave its value unread. The chart's ``"null"`` key
must hold null, as it does in every real file.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from functools import partial
from itertools import chain
from pathlib import Path
from typing import Any

from ..errors import SourceError
from ..privacy import brief
from ..tables import TPS_CODE, TPS_CODE_TEXT
from . import members, memberstream
from .base import (
    INT64,
    JSON_ERRORS,
    TIMESTAMP_TEXT,
    ReadContext,
    Reader,
    Record,
    Rejected,
    TpsResult,
    clip,
    invalid_json,
    is_count,
    is_timestamp,
    show,
)
from .bytelines import byte_lines, cut
from .inflate import CheckedGzipFile
from .jsontext import DuplicateKeyError, loads
from .members import ARCHIVE_ERRORS, Member, Streamed, members_named, stem
from .textio import looks_utf16, refuse_utf16

TRIPLES = ("pemilih_dpt", "pengguna_dpt", "pengguna_dptb", "pengguna_non_dpt", "pengguna_total")
#: administrasi keys in hasil_tps column order (pengguna_non_dpt is stored as pengguna_dpk).
ADMIN_KEYS = tuple(f"{t}_{s}" for t in TRIPLES for s in "jlp") + ("suara_sah", "suara_tidak_sah", "suara_total")
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")
NO_FIGURES: tuple[None, ...] = (None,) * len(ADMIN_KEYS)
_ADMIN_SET = frozenset(ADMIN_KEYS)
#: The administrasi keys as the reasons list them (the order FORMATS.md gives).
_ADMIN_TEXT = ("suara_sah, suara_tidak_sah, suara_total, "
               + ", ".join(f"{t}_{{j,l,p}}" for t in TRIPLES))


class RecordError(ValueError):
    """A Sirekap object that does not have the documented shape."""


#: The keys of a Sirekap per-TPS result: an object with none of them is none.
SIREKAP_KEYS = frozenset(("chart", "administrasi", "ts", "psu", "images", "status_suara", "status_adm", "mode"))


def squash(key: str) -> str:
    """``key`` as a near miss is matched: letters and digits only, lower case (``Suara_Sah `` → ``suarasah``)."""
    return "".join(filter(str.isalnum, key.casefold()))


#: A top-level key, squashed (:func:`squash`) → the key it is written for.
_SQUASHED = {squash(key): key for key in SIREKAP_KEYS}
_ADMIN_SQUASHED = {squash(key): key for key in ADMIN_KEYS}


def quote(key: str) -> str:
    """A key from the file, quoted in a reason: its first 40 characters, with invisible ones escaped."""
    return f"'{brief(json.dumps(key)[1:-1])}'"


def _unknown_admin(adm: dict[str, Any]) -> str:
    """The reason for administrasi keys outside :data:`ADMIN_KEYS`, naming them (up to three)."""
    unknown = [key for key in adm if key not in _ADMIN_SET]
    named = ", ".join(quote(key) + (f" ('{_ADMIN_SQUASHED[squash(key)]}' written otherwise)"
                                    if squash(key) in _ADMIN_SQUASHED else "") for key in unknown[:3])
    more = f" and {len(unknown) - 3} more" if len(unknown) > 3 else ""
    return (f"administrasi: unknown key{'s' if len(unknown) > 1 else ''} {named}{more}, whose value would not be "
            f"read (known: {_ADMIN_TEXT})")


def _near_misses(obj: dict[str, Any]) -> None:
    """Refuse a top-level key that is a known one written otherwise (``"Chart"``, ``"ts "``): its value is unread.

    :raises RecordError: naming the key and the one it is written for.
    """
    for key in obj:
        if key not in SIREKAP_KEYS and squash(key) in _SQUASHED:
            raise RecordError(f"unknown key {quote(key)} ('{_SQUASHED[squash(key)]}' written otherwise), whose value "
                              "would not be read (Sirekap writes its keys in lower case, with underscores)")


def _int_or_none(value: Any, where: str) -> int | None:
    if value is None or is_count(value):
        return value  # type: ignore[no-any-return]
    raise RecordError(f"{where}: expected an integer or null, got {show(value)}")


def _bool_or_none(value: Any, where: str) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    raise RecordError(f"{where}: expected true, false or null, got {show(value)}")


def parse_record(obj: Any, kode_tps: str, locator: str, nomor_by_id: dict[str, int]) -> TpsResult:
    """Turn one decoded Sirekap object into a :class:`TpsResult`.

    :raises RecordError: when the object does not have the documented shape.
    """
    if not isinstance(obj, dict):
        raise RecordError(f"expected a JSON object, got {type(obj).__name__}")
    if SIREKAP_KEYS.isdisjoint(obj):  # ({}, an API error body: a TPS with every figure empty, changing a real one)
        keys = brief(", ".join(map(str, obj))) or "none"
        raise RecordError(f"none of a Sirekap result's keys (chart, administrasi, ts, …); its keys: {keys} "
                          "(an error body of the API, or another format)")
    if not SIREKAP_KEYS.issuperset(obj):
        _near_misses(obj)
    chart = obj.get("chart")
    votes: dict[int, int | None] | None = None
    if chart is not None:
        if not isinstance(chart, dict):
            raise RecordError("chart: expected an object or null")
        votes = {}
        for key, value in chart.items():
            if key == "null":
                if value is not None:
                    raise RecordError(f"chart.null: expected null (a key of no candidate), got {show(value)}")
                continue
            nomor = nomor_by_id.get(key)
            if nomor is None:
                known = ", ".join(sorted(nomor_by_id))
                raise RecordError(f"chart: unknown candidate id '{key}' (known: {known})")
            votes[nomor] = value if type(value) is int and -INT64 <= value < INT64 else _int_or_none(
                value, f"chart.{key}")
    adm = obj.get("administrasi")
    if adm is None:
        figures: tuple[int | None, ...] = NO_FIGURES
    elif isinstance(adm, dict):
        if not _ADMIN_SET.issuperset(adm):
            raise RecordError(_unknown_admin(adm))
        figures = tuple(map(adm.get, ADMIN_KEYS))
        if not all(v is None or (type(v) is int and -INT64 <= v < INT64) for v in figures):  # else name the key
            figures = tuple(_int_or_none(adm.get(k), f"administrasi.{k}") for k in ADMIN_KEYS)
    else:
        raise RecordError("administrasi: expected an object or null")
    ts = obj.get("ts")
    if ts is not None and not is_timestamp(ts):
        raise RecordError(f"ts: expected {TIMESTAMP_TEXT} or null, got {show(ts)}")
    psu = obj.get("psu")
    if psu is not None and not isinstance(psu, str):
        raise RecordError("psu: expected a string or null")
    images = obj.get("images")
    if images is None:
        photos = None
    elif isinstance(images, list):
        photos = sum(1 for i in images if isinstance(i, str) and i)
        if photos + images.count(None) != len(images) and not all(i is None or isinstance(i, str) for i in images):
            raise RecordError("images: expected an array of strings (photo addresses) or nulls")
    else:
        raise RecordError("images: expected an array or null")
    values = (
        ts,
        *figures,
        _bool_or_none(obj.get("status_suara"), "status_suara"),
        _bool_or_none(obj.get("status_adm"), "status_adm"),
        psu,
        photos,
    )
    return TpsResult(locator, kode_tps, values, votes)


def _decode(data: bytes | str, kode_tps: str, locator: str, nomor_by_id: dict[str, int]) -> Record:
    try:
        obj = loads(data)
    except DuplicateKeyError as e:
        return Rejected(locator, str(e), clip(data))
    except JSON_ERRORS as e:
        return invalid_json(locator, e, data)
    try:
        record = parse_record(obj, kode_tps, locator, nomor_by_id)
    except RecordError as e:
        return Rejected(locator, str(e), clip(data))
    record.raw = data
    return record


class SirekapTpsReader(Reader):
    """Sirekap per-TPS result JSON, from a folder, archive or JSON Lines."""

    name = "sirekap-tps-json"
    version = "1"
    needs_election = True
    summary = "Sirekap per-TPS result JSON (folder, .zip, .tar.gz, JSON Lines)"

    def read(self, ctx: ReadContext) -> Iterator[Record]:
        """Yield one :class:`TpsResult` or :class:`Rejected` per TPS file or line."""
        assert ctx.election is not None
        nomor_by_id = ctx.election.nomor_by_source_id()
        if ctx.path.is_file() and ctx.path.name.lower().endswith(JSONL_SUFFIXES):
            yield from self._stream_lines(ctx.path, ctx.label, nomor_by_id, ctx.progress or (lambda done: None))
            return
        for member in members_named(ctx, (".json", *JSONL_SUFFIXES), ".json or .jsonl", streamed=JSONL_SUFFIXES):
            if isinstance(member, Rejected):
                yield member
            elif isinstance(member, Streamed):
                yield from self._member_lines(member, nomor_by_id)
            else:
                yield self._file(member, nomor_by_id)

    def _file(self, member: Member, nomor_by_id: dict[str, int]) -> Record:
        kode = stem(member.name)
        if not TPS_CODE.fullmatch(kode):
            return Rejected(member.name, f"file name '{kode}' is not a TPS code ({TPS_CODE_TEXT})",
                            clip(member.data))
        parts = member.name.split("/")
        folder = parts[-2] if len(parts) > 1 else ""
        if len(folder) == 10 and folder[:2].isdigit() and folder != kode[:10]:
            return Rejected(member.name, f"TPS {kode} is filed under village folder {folder}, not {kode[:10]}",
                            clip(member.data))
        return _decode(member.data, kode, member.name, nomor_by_id)

    def _member_lines(self, member: Streamed, nomor_by_id: dict[str, int]) -> Iterator[Record]:
        """A JSON Lines member, gunzipped when its name ends in ``.gz``, cut as ``bytes.splitlines`` cuts."""
        gzipped = member.name.lower().endswith(".gz")
        read = CheckedGzipFile(fileobj=member.stream).read1 if gzipped else member.stream.read
        chunks = iter(partial(read, memberstream.HEAD), b"")  # (a read is one step: one that fails loses no line)
        try:
            first = next(chunks, b"")
        except ARCHIVE_ERRORS as e:
            yield cut(member.name, 1, e)
            return
        if looks_utf16(first):  # one member of an archive: that member alone is set aside
            yield Rejected(member.name, "the file looks like UTF-16, not UTF-8; nothing read from it", clip(first))
            return
        lines = byte_lines(chain((first,), chunks), member.name, members.MEMBER_LIMIT)
        yield from self._lines(member.name, lines, nomor_by_id)

    def _stream_lines(self, path: Path, label: str, nomor_by_id: dict[str, int],
                      progress: members.Progress) -> Iterator[Record]:
        """Read a JSON Lines file (gunzipped when its name ends in ``.gz``) as a member is read: a buffer at a time,
        cut as ``bytes.splitlines`` cuts, so memory stays flat at any size (a line over
        :data:`~.members.MEMBER_LIMIT` is set aside, read past) and a cut or corrupt ``.gz`` loads the lines
        before the break.

        :raises releasekit.readers.textio.TextDecodeError: the file is UTF-16 (every line would be quarantined,
            each for a misleading reason).
        :raises SourceError: the file holds no line with data (empty, or blank lines only).
        """
        with path.open("rb") as raw, (CheckedGzipFile(fileobj=raw) if path.name.lower().endswith(".gz") else raw
                                      ) as handle:
            try:
                head = handle.peek(256)  # (buffered: nothing is consumed; gzip too)
            except ARCHIVE_ERRORS as e:
                yield cut(path.name, 1, e)
                return
            refuse_utf16(head, label)
            # (the file's position, compressed: review BA #2, the progress bar stood at 0% through a national file)
            chunks = members.reported(memberstream.chunks_of(handle), raw.tell, progress)
            empty = True
            for record in self._lines(path.name, byte_lines(chunks, path.name, members.MEMBER_LIMIT), nomor_by_id):
                empty = False
                yield record
            if empty:  # as the CSV readers refuse an empty file: a day that was never downloaded is no day
                raise SourceError(f"{label}: the file is empty (no line with data)",
                                  hint="check that the export was complete, or remove the source")

    def _lines(self, name: str, lines: Iterable[tuple[int, bytes] | Rejected], nomor_by_id: dict[str, int]
               ) -> Iterator[Record]:
        for item in lines:
            if isinstance(item, Rejected):
                yield item
                continue
            number, raw = item
            if not raw.strip():
                continue
            locator = f"{name}:{number}"
            try:
                line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
                obj = loads(line)
            except UnicodeDecodeError as e:
                yield Rejected(locator, f"not UTF-8 at byte {e.start}; re-encode the file as UTF-8", clip(raw))
                continue
            except DuplicateKeyError as e:
                yield Rejected(locator, str(e), clip(line))
                continue
            except JSON_ERRORS as e:
                yield invalid_json(locator, e, raw)
                continue
            kode = None
            if isinstance(obj, dict):
                kode, path = obj.pop("kode_tps", None), obj.pop("path", None)
                if not kode and isinstance(path, str):
                    kode = stem(path)
                if isinstance(obj.get("data"), dict) and "chart" not in obj:
                    obj = obj["data"]
            if type(kode) is int:  # a code written as a JSON number (TPS codes have no leading zero)
                kode = str(kode)
            if not isinstance(kode, str) or not TPS_CODE.fullmatch(kode):
                yield Rejected(locator, f"line has no 'kode_tps' (or 'path') that is a TPS code ({TPS_CODE_TEXT})",
                               clip(line))
                continue
            try:
                record = parse_record(obj, kode, locator, nomor_by_id)
            except RecordError as e:
                yield Rejected(locator, str(e), clip(line))
                continue
            record.raw = line
            yield record
