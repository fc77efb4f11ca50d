"""Reader ``kpu-wilayah-csv``: headerless KPU region CSVs (FORMATS.md section 11).

``provinces.csv`` is ``id,name``; ``regencies.csv``, ``districts.csv`` and
``villages.csv`` are ``id,parent_id,name``. The path may be one such file or a
folder of them (read in sorted order). The level comes from the code length
(2, 4, 6, 10). Two real village rows carry an unquoted comma in the name
(``1207281007,120728,LUBUK PAKAM I,II``): the first two fields are codes and the
rest is the name, so they load with the comma restored, and the row's
``catatan`` records the repair.

:class:`HeaderlessRegionReader` is shared with ``bps-wilayah-csv`` (the same
layout in BPS codes, :mod:`releasekit.readers.bps_wilayah`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import ClassVar

from ..tables import LEVEL_BY_LENGTH
from .base import ReadContext, Reader, Record, Region, Rejected, clip
from .members import Member, holds_members, members_named
from .textio import TextDecodeError, TextOptions, open_table, without_encoding_option

#: Rows are id,name or id,parent_id,name (the name may hold unquoted commas), so no header and no fixed width.
HEADERLESS = TextOptions(delimiter=",", header=False, names=("id", "parent_id", "name"))
CODE = re.compile(r"^[0-9]{2}[0-9A-Z]*$")
FILE_ORDER = ("provinces", "regencies", "districts", "villages")


def repaired(fields: int, expected: int) -> str:
    """The ``catatan`` of a row whose name held unquoted commas (``fields`` read where ``expected``)."""
    return (f"repaired: the name held {fields - expected} unquoted comma(s), so the row had {fields} fields "
            f"where {expected} belong; read as {'code, parent code' if expected == 3 else 'code'}, then the rest "
            "as the name")


class HeaderlessRegionReader(Reader):
    """Headerless region CSVs (provinces, regencies, districts, villages) of one code system."""

    provides_places = True
    #: Code length → ``tingkat``.
    levels: ClassVar[dict[int, int]]
    #: What the codes are called in messages.
    code_words: ClassVar[str]

    def read(self, ctx: ReadContext) -> Iterator[Record]:
        """Yield a :class:`Region` or :class:`Rejected` per CSV row, provinces first."""
        # A region list is a few MB at most, so the files can be held to read them top-down.
        for member in sorted(members_named(ctx, (".csv",), ".csv"), key=_top_down):
            if isinstance(member, Rejected):
                yield member
                continue
            # An empty file, UTF-16, bytes that are not UTF-8 stop the build, naming the file and line: a region
            # list is small enough to fix by hand, and a file of it set aside would leave its regions unnamed.
            label = f"{ctx.label}: {member.name}" if holds_members(ctx.path) else ctx.label
            try:
                with open_table(member.data, member.name, HEADERLESS, label=label) as table:
                    for item in table:
                        yield item if isinstance(item, Rejected) else self._row(item.cells,
                                                                                f"{member.name}:{item.line}")
            except TextDecodeError as e:  # (this reader has no encoding option: the hint says what to do instead)
                raise without_encoding_option(e) from None

    def _row(self, row: list[str], locator: str) -> Record:
        raw = clip(",".join(row))
        code = row[0].strip()
        level = self.levels.get(len(code))
        if level is None or not CODE.fullmatch(code):
            *most, last = map(str, sorted(self.levels))
            lengths = f"{', '.join(most)} or {last}"
            return Rejected(locator, f"'{code}' is not a {self.code_words} region code of {lengths} characters", raw)
        if level == 1:
            if len(row) < 2:
                return Rejected(locator, "expected id,name", raw)
            return Region(locator, code, 1, ",".join(row[1:]).strip() or None, None, raw=raw,
                          sistem_kode=self.code_system, catatan=repaired(len(row), 2) if len(row) > 2 else None)
        if len(row) < 3:
            return Rejected(locator, "expected id,parent_id,name", raw)
        parent = row[1].strip()
        if not code.startswith(parent) or self.levels.get(len(parent)) != level - 1:
            return Rejected(locator, f"parent '{parent}' is not the parent code of '{code}'", raw)
        # Names with an unquoted comma split into extra fields: the rest of the row is the name.
        return Region(locator, code, level, ",".join(row[2:]).strip() or None, parent, raw=raw,
                      sistem_kode=self.code_system, catatan=repaired(len(row), 3) if len(row) > 3 else None)


class KpuWilayahReader(HeaderlessRegionReader):
    """Headerless KPU region CSVs (provinces, regencies, districts, villages)."""

    name = "kpu-wilayah-csv"
    version = "2"
    summary = "headerless KPU region CSVs: id,name or id,parent_id,name (file or folder)"
    levels = LEVEL_BY_LENGTH
    code_words = "KPU"


def _top_down(member: Member | Rejected) -> tuple[int, str]:
    name = member.locator if isinstance(member, Rejected) else member.name
    stem = name.rsplit("/", 1)[-1].split(".", 1)[0].lower()
    return (FILE_ORDER.index(stem) if stem in FILE_ORDER else len(FILE_ORDER), name)
