"""Reader ``kawalpemilu2019-csv``: KawalPemilu 2019 per-TPS CSVs (FORMATS.md section 13).

``Link KawalPemilu,Nama Kelurahan,Nomor TPS,Suara 01,Suara 02,Suara Sah``, one row
per TPS of the 2019 presidential election. The files carry no KPU region or TPS
code: the village is only KPU 2019's internal numeric id inside the link
(``https://kawalpemilu.org#25826``; negative overseas, ``#-990414``) and its name
chain packed in one field (``"PULAU PANGGANG, KEPULAUAN SERIBU UTARA, KEPULAUAN
SERIBU, DKI JAKARTA"``); the TPS only its unpadded number within the village
(overseas ``1001`` …). A 13-character ``kode_tps`` would have to be made up (the
2019 ids are not KPU codes, and matching the names to a region list misses
villages whose spelling changed between vintages), so the lowest level keyed
honestly is the **village, by its KPU 2019 id**:

* the TPS rows of a village are summed into one ``hasil_wilayah`` row
  (``kode_wilayah`` = the id as written, ``tps_total`` = its TPS rows,
  ``suara_sah`` = Σ Suara Sah) and ``suara_wilayah`` rows for candidates 1 and 2
  (Σ Suara 01, Σ Suara 02); a figure missing in any of the village's rows makes
  the village's sum NULL, never a partial sum;
* each TPS row is one record of the source's accounting (the village's row
  stands for all of them): a row that cannot be read (a link without an id, a
  count that is not a whole number, a TPS number repeated within a village, a
  village id named two ways) is quarantined with its ``file:line``, the rest of
  its village loads.

All-zero rows (a TPS with no figures yet, or none at all) are summed as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..tables import HASIL_WILAYAH_VALUES
from .base import DIFFERENT, IDENTICAL, AreaResult, ReadContext, Reader, Record, Rejected
from .fixed_csv import fixed_rows
from .numbers import no_count, parse_count
from .textio import TextOptions

if TYPE_CHECKING:
    from ..config import Source
    from ..elections import Election

LINK, NAME, NUMBER = "Link KawalPemilu", "Nama Kelurahan", "Nomor TPS"
#: Figure column → ballot number (``Suara 01`` is pair 01) or, for ``Suara Sah``, None.
FIGURES = (("Suara 01", 1), ("Suara 02", 2), ("Suara Sah", None))
COLUMNS = (LINK, NAME, NUMBER, *(c for c, _ in FIGURES))
VILLAGE_ID = re.compile(r"^https?://(?:www\.)?kawalpemilu\.org/?#(-?[0-9]{1,12})$")
OPTIONS = TextOptions(delimiter=",")


@dataclass
class _Village:
    """The running sums of one village's TPS rows."""

    locator: str
    name: str
    rows: int = 0
    #: Column → sum, None once a row lacks the figure.
    sums: dict[str, int | None] = field(default_factory=lambda: {c: 0 for c, _ in FIGURES})
    #: TPS number → (locator, figures) of the row kept, to tell duplicates.
    tps: dict[int, tuple[str, tuple[int | None, ...]]] = field(default_factory=dict)


class KawalPemilu2019Reader(Reader):
    """KawalPemilu 2019 per-TPS CSVs, summed per village (keyed on the KPU 2019 village id)."""

    name = "kawalpemilu2019-csv"
    code_system = "own"  # (readers.codes: its areas are keyed on the source's own ids)
    version = "1"
    needs_election = True
    summary = "KawalPemilu 2019 per-TPS CSVs, summed per village keyed on KPU 2019's internal village id"

    def check(self, source: Source, election: Election | None, where: str) -> None:
        """The election must be the 2019 presidential election, with candidates 1 and 2 (Suara 01, Suara 02)."""
        super().check(source, election, where)
        assert election is not None  # needs_election
        self.refuse_other_pilpres(election, where, 2019, "KawalPemilu 2019's files hold the Pilpres 2019 votes of its "
                                  "two pairs", "the columns Suara 01 and Suara 02",
                                  "use election: ppwp-2019, or declare its peserta under elections")

    def read(self, ctx: ReadContext) -> Iterator[Record]:
        """Yield a :class:`Rejected` per unreadable row, then one :class:`AreaResult` per village."""
        villages: dict[str, _Village] = {}
        for row in fixed_rows(ctx, OPTIONS, COLUMNS, self.name):
            if isinstance(row, Rejected):
                yield row
                continue
            problem = _add(villages, row.cells, row.at, row.locator)
            if problem:
                yield Rejected(row.locator, problem, row.raw)
        for kode, village in villages.items():
            if village.rows:
                yield _result(kode, village)


def _add(villages: dict[str, _Village], cells: list[str], at: dict[str, int], locator: str) -> str | None:
    """Add one TPS row to its village's sums; why not, in words."""
    link = cells[at[LINK]].strip()
    match = VILLAGE_ID.fullmatch(link)
    if match is None:
        return f"{LINK}: '{link[:60]}' is not https://kawalpemilu.org#<village id>"
    number_text = cells[at[NUMBER]].strip()
    if not number_text.isascii() or not number_text.isdigit():
        return f"{NUMBER}: '{number_text[:20]}' is not a TPS number"
    figures: list[int | None] = []
    for column, _ in FIGURES:
        try:
            figure = parse_count(cells[at[column]])
        except ValueError as e:
            return f"{column}: {e}"
        if figure is not None and (why := no_count(figure)):  # (in the village's sum, it would set it all aside)
            return f"{column}: {why}"
        figures.append(figure)
    kode, name, number = match.group(1), cells[at[NAME]].strip(), int(number_text)
    village = villages.setdefault(kode, _Village(locator, name))
    if name != village.name:
        return f"village {kode} is named '{name[:80]}' here but '{village.name[:80]}' at {village.locator}"
    kept = village.tps.get(number)
    if kept is not None:
        kind = IDENTICAL if kept[1] == tuple(figures) else DIFFERENT
        return (f"duplicate-key: TPS {number} of village {kode} already read at {kept[0]}; this is {kind}, "
                "the first one is kept")
    village.tps[number] = (locator, tuple(figures))
    village.rows += 1
    for (column, _), value in zip(FIGURES, figures, strict=True):
        total = village.sums[column]
        village.sums[column] = None if total is None or value is None else total + value
    return None


def _result(kode: str, village: _Village) -> AreaResult:
    values = {"tps_total": village.rows, "suara_sah": village.sums["Suara Sah"]}
    votes = {}
    for column, nomor in FIGURES:
        total = village.sums[column]
        if nomor is not None and total is not None:
            votes[nomor] = total
    return AreaResult(f"{village.locator} (village {kode}: {village.rows} TPS rows)", kode,
                      tuple(values.get(c) for c in HASIL_WILAYAH_VALUES), votes or None, [], raw=village.name,
                      records=village.rows)
