"""Reader ``sirekap-wilayah-json``: Sirekap region lists (FORMATS.md section 3).

Each member ``wilayah/pemilu/ppwp/{parent path}.json`` is an array of
``{"nama", "id", "kode", "tingkat"}``; ``0.json`` lists the provinces, and the
file name is the parent's code. ``tingkat`` 1–4 become ``wilayah`` rows and
``tingkat`` 5 becomes ``tps`` rows. Accepts a folder, ``.zip`` or ``.tar.gz``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from ..privacy import brief
from ..tables import CODE_WILAYAH, TPS_CODE, TPS_CODE_TEXT
from .base import (
    JSON_ERRORS,
    MAX_DEPTH,
    ReadContext,
    Reader,
    Record,
    Region,
    Rejected,
    Station,
    clip,
    invalid_json,
    is_count,
    show,
    too_deep,
)
from .jsontext import DuplicateKeyError, loads, loads_marking, repeated_key
from .members import members_named, stem

REGION_CODE = re.compile(CODE_WILAYAH)
#: A region code's length at each ``tingkat``: province, regency, district, village.
LENGTHS = {1: 2, 2: 4, 3: 6, 4: 10}


class SirekapWilayahReader(Reader):
    """Sirekap region-list JSON: provinces down to TPS."""

    name = "sirekap-wilayah-json"
    version = "1"
    provides_places = True
    summary = "Sirekap region lists, wilayah/pemilu/ppwp/**.json (folder, .zip, .tar.gz)"

    def read(self, ctx: ReadContext) -> Iterator[Record]:
        """Yield a :class:`Region` or :class:`Station` per list element."""
        for member in members_named(ctx, (".json",), ".json"):
            if isinstance(member, Rejected):
                yield member
                continue
            name = stem(member.name)
            parent = None if name == "0" else name
            marked = False  # an element whose object (or one inside it) names a key twice is a Repeats
            try:
                try:
                    items = loads(member.data)
                except DuplicateKeyError:
                    items, marked = loads_marking(member.data), True
            except JSON_ERRORS as e:
                yield invalid_json(member.name, e, member.data)
                continue
            if not isinstance(items, list):
                yield Rejected(member.name, "expected a JSON array of regions", clip(member.data))
                continue
            for index, item in enumerate(items):
                yield _element(item, f"{member.name}[{index}]", parent, marked)


def _element(item: object, locator: str, parent: str | None, marked: bool) -> Record:
    if too_deep(item):
        return Rejected(locator, f"nested deeper than {MAX_DEPTH} levels: not a region object")
    raw = clip(json.dumps(item, ensure_ascii=False))
    repeated = repeated_key(item) if marked else None
    if repeated is not None:
        return Rejected(locator, str(DuplicateKeyError(repeated)), raw)
    if not isinstance(item, dict):
        return Rejected(locator, "expected an object with nama, id, kode, tingkat", raw)
    kode, nama, tingkat, ident = item.get("kode"), item.get("nama"), item.get("tingkat"), item.get("id")
    if "kode" not in item:  # (review BD D6: a TPS list of another shape, whose elements have no kode, said "empty")
        return Rejected(locator, "kode: missing (a Sirekap region-list element has nama, id, kode, tingkat; is this "
                        "another kind of file?)", raw)
    if not isinstance(kode, str) or not kode:
        return Rejected(locator, "kode: expected a non-empty string", raw)
    if type(tingkat) is not int or not 1 <= tingkat <= 5:
        return Rejected(locator, "tingkat: expected an integer from 1 to 5", raw)
    if nama is not None and not isinstance(nama, str):
        return Rejected(locator, "nama: expected a string", raw)
    if ident is not None and not is_count(ident) and not (isinstance(ident, str) and ident):
        # (True, 12.0, 1e400, NaN, an object: published as 'True', '12.0', 'inf', 'nan', a Python repr)
        return Rejected(locator, f"id: expected an integer, a non-empty string or null, got {show(ident)}", raw)
    id_sumber = None if ident is None else str(ident)
    if tingkat == 5:
        if not TPS_CODE.fullmatch(kode):
            return Rejected(locator, f"kode '{kode}' is not a TPS code ({TPS_CODE_TEXT})", raw)
        if parent is None or not kode.startswith(parent):  # (a TPS of another village, or in the provinces' list)
            return Rejected(locator, f"TPS kode '{kode}' does not start with its list's parent code "
                            f"'{parent if parent is not None else '0'}'", raw)
        return Station(locator, kode, nama, id_sumber)
    if not REGION_CODE.fullmatch(kode):
        return Rejected(locator, f"kode '{brief(kode)}' is not a region code of 2, 4, 6 or 10 characters", raw)
    if len(kode) != LENGTHS[tingkat]:
        return Rejected(locator, f"kode '{kode}' has {len(kode)} characters: a tingkat {tingkat} code has "
                        f"{LENGTHS[tingkat]}", raw)
    if parent is not None and not kode.startswith(parent):
        return Rejected(locator, f"kode '{kode}' does not start with its list's parent code '{parent}'", raw)
    return Region(locator, kode, tingkat, nama, parent, id_sumber)
