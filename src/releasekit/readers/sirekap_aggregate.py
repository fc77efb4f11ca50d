"""Reader ``sirekap-aggregate-json``: Sirekap published totals per area (FORMATS.md section 2).

Files ``pemilu/hhcw/ppwp.json`` (national), ``ppwp/{p}.json``, ``ppwp/{p}/{kab}.json`` …:
``chart`` holds the area's totals per candidate (and ``persen``, the share of TPS
reporting), ``table`` the totals of each child area, ``progres`` the TPS counts.
One file is one record: its own totals plus its children's. The area code is
the file name; the national file (``ppwp.json``) is area ``0``. Used by the
``rollup-mismatch`` rule to reconcile TPS sums with published totals.

No value in the file is read past. ``chart`` holds candidate ids and ``persen``; a ``table`` entry candidate ids,
``psu``, ``persen`` and ``status_progress``; ``progres`` ``total`` and ``progres`` (every real file holds these and
no other). Any other key there (``"100025 "``, ``Persen``) quarantines the file, naming it (a ``"null": null``, as
the per-TPS chart writes, is passed over). A value of the wrong type does too (``psu`` a number,
``status_progress: "true"``, ``progres`` or ``table`` an array); JSON null, or a key left out, is NULL (a child's
``psu`` is then its parent's). At the top level other keys are ignored (``mode``), but not one that is a known key
written with other case, spaces or underscores (``"Progres"``, ``"psu "``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from ..privacy import shorten
from ..tables import NATIONAL
from .base import (
    JSON_ERRORS,
    TIMESTAMP_TEXT,
    AreaResult,
    ReadContext,
    Reader,
    Record,
    Rejected,
    clip,
    is_count,
    is_timestamp,
    show,
)
from .jsontext import DuplicateKeyError, loads
from .members import members_named, stem
from .sirekap_tps import quote, squash

#: An area's code (a file name): province 2 characters … village 10 (a longer one is no area, and 16 digits
#: may be a NIK).
AREA = re.compile(r"^[0-9]{2}[0-9A-Z]{0,8}$")
#: A child's code in an area's table: an area, or a TPS (13 characters) in a village's table.
CHILD = re.compile(r"^[0-9]{2}(?:[0-9A-Z]{0,8}|[0-9A-Z]{11})$")
#: An area's code length → its children's: province 2 → regency 4 → district 6 → village 10 → TPS 13 (national: 2).
CHILD_LENGTH = {2: 4, 4: 6, 6: 10, 10: 13}


#: The keys beside candidate ids in ``chart`` and in a ``table`` entry, and the keys of ``progres``.
CHART_KEYS = frozenset(("persen",))
CHILD_KEYS = frozenset(("psu", "persen", "status_progress"))
PROGRES_KEYS = frozenset(("total", "progres"))
#: Known top-level keys (``mode`` is not read).
AREA_KEYS = frozenset(("ts", "psu", "chart", "table", "progres", "mode"))
_AREA_SQUASHED = {squash(key): key for key in AREA_KEYS}


def _unknown(key: str, where: str, known: Iterable[str]) -> ValueError:
    """The error for a key of ``where`` (an object; ``""``: the file's) that is none of ``known``, naming it and
    the key it is written for."""
    known = sorted(known)
    meant = next((k for k in known if squash(k) == squash(key)), None)
    written = f" ('{meant}' written otherwise)" if meant is not None else ""
    return ValueError(f"{where + ': ' if where else ''}unknown key {quote(key)}{written}, whose value would not be "
                      f"read (known: {shorten(', '.join(known), 200)})")


def _votes(obj: dict[str, Any], nomor_by_id: dict[str, int], where: str, others: frozenset[str]
           ) -> dict[int, int | None] | None:
    """A chart's (or a table entry's) votes by ballot number; a candidate's ``null`` is NULL (a row of NULL votes, as
    the per-TPS reader loads it), a key left out no row."""
    votes: dict[int, int | None] = {}
    for key, value in obj.items():
        if key in nomor_by_id:
            if value is not None and not is_count(value):
                raise ValueError(f"{where}.{key}: expected an integer or null, got {show(value)}")
            votes[nomor_by_id[key]] = value
        elif key in others:
            continue
        elif key == "null":  # (the per-TPS chart's "null": null)
            if value is not None:
                raise ValueError(f"{where}.null: expected null (a key of no candidate), got {show(value)}")
        elif key.isdigit():
            raise ValueError(f"{where}: unknown candidate id '{key}'")
        else:
            raise _unknown(key, where, [*nomor_by_id, *others])
    return votes or None


def _persen(value: Any, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{where}.persen: expected a finite number")
    return float(value)


def _tps(progres: dict[str, Any], key: str) -> int | None:
    value = progres.get(key)
    if value is not None and not is_count(value):
        raise ValueError(f"progres.{key}: expected an integer")
    return value


def _psu(value: Any, where: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise ValueError(f"{where}: expected a string or null, got {show(value)}")


def parse_area(obj: Any, kode: str, locator: str, nomor_by_id: dict[str, int]) -> AreaResult:
    """Turn one aggregate file into an :class:`AreaResult` with its children."""
    if not isinstance(obj, dict) or not isinstance(obj.get("chart"), dict):
        raise ValueError("expected an object with a 'chart' object")
    if not AREA_KEYS.issuperset(obj):
        for key in obj:
            if key not in AREA_KEYS and squash(key) in _AREA_SQUASHED:
                raise _unknown(key, "", AREA_KEYS)
    progres = obj.get("progres")
    if progres is None:
        progres = {}
    elif not isinstance(progres, dict):
        raise ValueError(f"progres: expected an object or null, got {show(progres)}")
    elif not PROGRES_KEYS.issuperset(progres):
        raise _unknown(next(k for k in progres if k not in PROGRES_KEYS), "progres", PROGRES_KEYS)
    ts = obj.get("ts")
    if ts is not None and not is_timestamp(ts):
        raise ValueError(f"ts: expected {TIMESTAMP_TEXT} or null, got {show(ts)}")
    psu = _psu(obj.get("psu"), "psu")
    # hasil_wilayah after the key: ts, psu, persen, tps_total, tps_masuk, suara_sah, suara_tidak_sah,
    # suara_total (Sirekap publishes no ballot totals per area), status_progress, asal.
    own = (ts, psu, _persen(obj["chart"].get("persen"), "chart"), _tps(progres, "total"), _tps(progres, "progres"),
           None, None, None, None, "chart")
    children: list[tuple[str, tuple[object, ...], Mapping[int, int | None] | None]] = []
    table = obj.get("table")
    if table is None:
        table = {}
    elif not isinstance(table, dict):
        raise ValueError(f"table: expected an object or null, got {show(table)}")
    length = CHILD_LENGTH.get(len(kode), 2)  # (the nation's children are provinces)
    for child, entry in sorted(table.items()):
        if not isinstance(entry, dict) or not CHILD.fullmatch(child):
            raise ValueError(f"table.{child}: expected an area code and an object")
        if not (kode == NATIONAL or child.startswith(kode)) or len(child) != length:
            raise ValueError(f"table.{child}: not an area of {kode if kode != NATIONAL else 'the nation'} one level "
                             f"down (a code of {length} characters starting with its own)")
        status = entry.get("status_progress")
        if status is not None and not isinstance(status, bool):
            raise ValueError(f"table.{child}.status_progress: expected true, false or null, got {show(status)}")
        child_psu = _psu(entry.get("psu"), f"table.{child}.psu")
        values = (ts, psu if child_psu is None else child_psu, _persen(entry.get("persen"), f"table.{child}"),
                  None, None, None, None, None, status, "table")
        children.append((child, values, _votes(entry, nomor_by_id, f"table.{child}", CHILD_KEYS)))
    return AreaResult(locator, kode, own, _votes(obj["chart"], nomor_by_id, "chart", CHART_KEYS), children)


class SirekapAggregateReader(Reader):
    """Sirekap aggregate JSON: published totals per area and per child area."""

    name = "sirekap-aggregate-json"
    version = "1"
    needs_election = True
    summary = "Sirekap aggregate totals per area, pemilu/hhcw/ppwp[/…].json (folder, .zip, .tar.gz)"

    def read(self, ctx: ReadContext) -> Iterator[Record]:
        """Yield one :class:`AreaResult` or :class:`Rejected` per file."""
        assert ctx.election is not None
        nomor_by_id = ctx.election.nomor_by_source_id()
        for member in members_named(ctx, (".json",), ".json"):
            if isinstance(member, Rejected):
                yield member
                continue
            name = stem(member.name)
            kode = NATIONAL if name in (ctx.election.jenis, "ppwp") else name
            if len(kode) == 13:
                yield Rejected(member.name, "a per-TPS file, not an aggregate; read it with sirekap-tps-json")
                continue
            if kode != NATIONAL and not AREA.fullmatch(kode):
                yield Rejected(member.name, f"file name '{name}' is not an area code", clip(member.data))
                continue
            try:
                obj = loads(member.data)
            except DuplicateKeyError as e:
                yield Rejected(member.name, str(e), clip(member.data))
                continue
            except JSON_ERRORS as e:
                reason = shorten(f"invalid JSON: {type(e).__name__}: {e}", 300, "")
                yield Rejected(member.name, reason, clip(member.data))
                continue
            try:
                yield parse_area(obj, kode, member.name, nomor_by_id)
            except ValueError as e:
                yield Rejected(member.name, str(e), clip(member.data))
