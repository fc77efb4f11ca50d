"""Reader ``pemiluapi-2014-csv``: pemiluAPI's 2014 results table ``voices.csv`` (FORMATS.md section 17).

``perolehan-suara-pemilu/voices.csv`` is long (EAV): ``id,pemilu_id,category_id,
province_id,wilayah_id,value``, one row per kabupaten/kota (form DB1) and form line.
``pemilu_id`` 1 is Pilpres 2014, 2 is DPR 2014; ``category_id`` is a line of the
form (``formulir_category.csv``); ``wilayah_id`` is **pemiluAPI's own id** of the
kabupaten/kota (1–497, named in ``provinsi_wilayah.csv``; not a KPU or Kemendagri
code: id ``11`` is Kabupaten Bireuen, not province 11 Aceh, and ``74`` is Kota
Payakumbuh in Sumatera Barat), ``province_id`` the province's two-digit code.

The Pilpres rows of a kabupaten/kota are pivoted into one ``hasil_wilayah`` row keyed
on ``wilayah_id`` as written (categories 50/51/52 → ``suara_sah``/``suara_tidak_sah``/
``suara_total``) and its ``suara_wilayah`` votes (54 → candidate 1 Prabowo–Hatta,
55 → candidate 2 Jokowi–Kalla). Each raw row is one record of the accounting (the
area's row stands for those it was made of); quarantined, with the reason:

* the voter, voter-turnout and ballot-paper lines of the form (no ``hasil_wilayah``
  column holds them at area level);
* the DPR 2014 rows (``pemilu_id`` 2): the file holds no votes per party, and its
  valid/invalid/total votes sit one category before their labels (the value under
  104, a heading, is the valid votes; 104 + 105 = 106), so they are not loaded;
* a value that is empty, negative (``-1``) or not a number (``i9``); a
  ``wilayah_id`` placed in two provinces; a category repeated for a kabupaten/kota
  (``duplicate-key``, the first kept).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..privacy import brief
from ..tables import HASIL_WILAYAH_VALUES
from .base import DIFFERENT, IDENTICAL, AreaResult, ReadContext, Reader, Record, Rejected
from .fixed_csv import fixed_rows
from .numbers import no_count, parse_count
from .textio import TextOptions

if TYPE_CHECKING:
    from ..config import Source
    from ..elections import Election

COLUMNS = ("pemilu_id", "category_id", "province_id", "wilayah_id", "value")
PILPRES = "1"
#: ``category_id`` → ``hasil_wilayah`` column (Pilpres 2014, form DB1).
FIGURES = {"50": "suara_sah", "51": "suara_tidak_sah", "52": "suara_total"}
#: ``category_id`` → ballot number (Pilpres 2014: 1 Prabowo–Hatta, 2 Jokowi–Kalla).
VOTES = {"54": 1, "55": 2}
#: Form lines no canonical column holds at area level: category ids → what they are.
UNLOADED = (
    (range(4, 23), "voters registered (DPT, DPTb, DPK, DPKTb, total) by sex"),
    (range(25, 44), "voters who voted (pengguna hak pilih) by list and sex"),
    (range(45, 49), "ballot papers (received, returned, unused, used)"),
)
OTHER_ELECTIONS = {
    "2": "DPR 2014, which releasekit does not load: the file holds no votes per party, and its valid, invalid "
         "and total votes sit one category before their labels (see README, Older elections)",
}
OPTIONS = TextOptions(delimiter=",")


@dataclass
class _Area:
    """What one kabupaten/kota's rows gave so far."""

    locator: str
    province: str
    rows: int = 0
    figures: dict[str, int] = field(default_factory=dict)
    votes: dict[int, int] = field(default_factory=dict)
    #: category_id → (locator, value) of the row kept, to tell duplicates.
    seen: dict[str, tuple[str, int]] = field(default_factory=dict)


class PemiluApi2014Reader(Reader):
    """pemiluAPI's 2014 ``voices.csv``: Pilpres 2014 figures and votes per kabupaten/kota (pemiluAPI ids)."""

    name = "pemiluapi-2014-csv"
    code_system = "own"  # (readers.codes: its areas are keyed on the source's own ids)
    version = "1"
    needs_election = True
    summary = "pemiluAPI 2014 voices.csv: Pilpres 2014 figures and votes per kabupaten/kota (pemiluAPI's id)"

    def check(self, source: Source, election: Election | None, where: str) -> None:
        """The election must be the 2014 presidential election, with candidates 1 and 2."""
        super().check(source, election, where)
        assert election is not None  # needs_election
        self.refuse_other_pilpres(election, where, 2014, "this reader loads the Pilpres 2014 rows of voices.csv (its "
                                  "DPR 2014 rows have no votes per party)", "categories 54 and 55",
                                  "use election: ppwp-2014")

    def read(self, ctx: ReadContext) -> Iterator[Record]:
        """Yield a :class:`Rejected` per row not loaded, then one :class:`AreaResult` per kabupaten/kota."""
        areas: dict[str, _Area] = {}
        for row in fixed_rows(ctx, OPTIONS, COLUMNS, self.name):
            if isinstance(row, Rejected):
                yield row
                continue
            problem = _add(areas, row.cells, row.at, row.locator)
            if problem:
                yield Rejected(row.locator, problem, row.raw)
        for kode, area in areas.items():
            if area.rows:
                yield AreaResult(f"{area.locator} (wilayah_id {kode}: {area.rows} rows)", kode,
                                 tuple(area.figures.get(c) for c in HASIL_WILAYAH_VALUES), area.votes or None, [],
                                 raw=f"province_id {area.province}, wilayah_id {kode}", records=area.rows)


def _add(areas: dict[str, _Area], cells: list[str], at: dict[str, int], locator: str) -> str | None:
    """Add one row to its kabupaten/kota; why not, in words."""
    pemilu = cells[at["pemilu_id"]].strip()
    if pemilu != PILPRES:
        why = OTHER_ELECTIONS.get(pemilu, "unknown pemilu_id (known: 1 Pilpres 2014, 2 DPR 2014)")
        return f"pemilu_id {pemilu[:20]}: {why}; this source reads Pilpres 2014 (pemilu_id 1)"
    category = cells[at["category_id"]].strip()
    if category not in FIGURES and category not in VOTES:
        number = int(category) if category.isascii() and category.isdigit() and len(category) < 6 else -1
        what = next((words for ids, words in UNLOADED if number in ids), None)
        if what is None:
            return (f"category_id '{category[:20]}': unknown (the Pilpres 2014 figures are 50-52, the votes 54 and "
                    "55)")
        return f"category_id {category}: {what}, a line of form DB1 no hasil_wilayah column holds"
    province, kode = cells[at["province_id"]].strip(), cells[at["wilayah_id"]].strip()
    for column, text in (("province_id", province), ("wilayah_id", kode)):
        if not (text.isascii() and text.isdigit() and len(text) < 13):
            return f"{column}: '{brief(text)}' is not a pemiluAPI id"
    try:
        value = parse_count(cells[at["value"]])
    except ValueError as e:
        return f"value: {e}"
    if value is None:
        return "value: empty, no figure to load"
    if value < 0:
        return f"value: {value} is negative, no count (pemiluAPI's mark of a missing figure)"
    if too_large := no_count(value):  # (in the area's sum, it would set the whole area aside)
        return f"value: {too_large}"
    area = areas.setdefault(kode, _Area(locator, province))
    if province != area.province:
        return (f"wilayah_id {kode} is in province_id {province} here but in {area.province} at {area.locator}; "
                "the first one is kept")
    kept = area.seen.get(category)
    if kept is not None:
        kind = IDENTICAL if kept[1] == value else DIFFERENT
        return (f"duplicate-key: category_id {category} of wilayah_id {kode} already read at {kept[0]}; this is "
                f"{kind}, the first one is kept")
    area.seen[category] = (locator, value)
    area.rows += 1
    if category in FIGURES:
        area.figures[FIGURES[category]] = value
    else:
        area.votes[VOTES[category]] = value
    return None
