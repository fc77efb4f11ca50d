"""Reader ``pemiluapi-2004-csv``: pemiluAPI's 2004 Surabaya recap (FORMATS.md section 17).

``perolehan_suara_DPD_surabaya2004/recapitulations.csv``:
``id,entity_type,entity_id,sub_districts_id,voice,description``, one row per
kecamatan of Kota Surabaya (``sub_districts_id``, pemiluAPI's own id 1–31, named in
``subdistricts.csv``) and vote-getter. The file holds two elections:

* ``Party`` rows — DPR 2004 votes per party (``entity_id`` = the party's 2004 ballot
  number, ``parties.csv``), read by a source whose election has ``jenis: dpr``;
* ``Candidate`` rows — DPD 2004 votes per candidate (``entity_id`` = pemiluAPI's
  candidate id, ``candidates.csv``), read by a source whose election has ``jenis: dpd``;
* ``PartyMember`` rows — votes of a party's DPR candidates (``party_members.csv``),
  which no canonical table holds (a party's total is its ``Party`` row).

The source's election picks its rows: they load as ``hasil_wilayah`` rows keyed on
the kecamatan id (figures NULL: the file has none) and ``suara_wilayah`` votes; an
empty ``voice`` is NULL. ``entity_id`` is mapped to a ballot number through the
election's ``peserta`` ``id_sumber`` when they are declared, else it must be a ballot
number of the election. Every other row (the other election's, ``PartyMember``) is
quarantined with the reason, so ``records_in`` is every row of the file.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..errors import ConfigError
from ..privacy import brief
from .base import MAX_AREA_CODE, ReadContext, Reader, Record, Rejected, ResultPart
from .fixed_csv import fixed_rows
from .numbers import parse_count
from .textio import TextOptions

if TYPE_CHECKING:
    from ..config import Source
    from ..elections import Election

COLUMNS = ("entity_type", "entity_id", "sub_districts_id", "voice")
#: Election ``jenis`` → the entity_type it reads, and what those rows are.
KINDS = {"dpr": ("Party", "DPR votes per party"), "dpd": ("Candidate", "DPD votes per candidate")}
OTHER = {"PartyMember": "votes of a party's DPR candidate (caleg): no canonical table holds them; the party's "
                        "total is its Party row"}
OPTIONS = TextOptions(delimiter=",")


class PemiluApi2004Reader(Reader):
    """pemiluAPI's 2004 recapitulation table (DPR party and DPD candidate votes per kecamatan)."""

    name = "pemiluapi-2004-csv"
    code_system = "own"  # (readers.codes: its areas are keyed on the source's own ids)
    version = "1"
    needs_election = True
    summary = "pemiluAPI 2004 recapitulations.csv: DPR party or DPD candidate votes per kecamatan"

    def check(self, source: Source, election: Election | None, where: str) -> None:
        """The election must be a DPR or DPD election of 2004 (its ``jenis`` picks the rows) with candidates."""
        super().check(source, election, where)
        assert election is not None  # needs_election
        if election.jenis not in KINDS:
            raise ConfigError(f"{where}/election: {election.kode_pemilu} has jenis '{election.jenis}'; this file "
                              "holds DPR party votes (jenis dpr) and DPD candidate votes (jenis dpd)",
                              hint="declare the election under elections with jenis: dpr or jenis: dpd")
        if election.tahun != 2004:  # (review AN: the 2004 votes loaded as dpr-2024's, exit 0)
            raise ConfigError(f"{where}/election: {election.kode_pemilu} is of {election.tahun}; this file holds the "
                              "2004 DPR and DPD votes", hint="declare the election with tahun: 2004, as dpr-2004")
        if not election.peserta:
            raise ConfigError(f"{where}/election: {election.kode_pemilu} has no peserta",
                              hint="declare the parties or candidates under elections/peserta")

    def read(self, ctx: ReadContext) -> Iterator[Record]:
        """Yield a :class:`ResultPart` per row of the election's kind, a :class:`Rejected` for every other row."""
        election = ctx.election
        assert election is not None and election.jenis in KINDS
        wanted, what = KINDS[election.jenis]
        by_id = election.nomor_by_source_id()
        ballots = {p.nomor_urut for p in election.peserta}
        others = {kind: f"{words}, which a source with an election of jenis {jenis} reads; this source reads "
                        f"{election.kode_pemilu} ({wanted} rows)"
                  for jenis, (kind, words) in KINDS.items() if kind != wanted} | OTHER
        for row in fixed_rows(ctx, OPTIONS, COLUMNS, self.name):
            if isinstance(row, Rejected):
                yield row
                continue
            kind = row.cells[row.at["entity_type"]].strip()
            if kind != wanted:
                why = others.get(kind, f"unknown entity_type (known: {', '.join(sorted([*others, wanted]))})")
                yield Rejected(row.locator, f"entity_type {brief(kind)}: {why}", row.raw)
                continue
            yield _part(row.cells, row.at, row.locator, row.raw, by_id, ballots)


def _part(cells: list[str], at: dict[str, int], locator: str, raw: str | None, by_id: dict[str, int],
          ballots: set[int]) -> Record:
    entity = cells[at["entity_id"]].strip()
    if by_id:
        nomor = by_id.get(entity)
        if nomor is None:
            return Rejected(locator, f"entity_id '{brief(entity)}' is not the id_sumber of a candidate "
                                     "(declare it under elections/peserta)", raw)
    elif entity.isascii() and entity.isdigit() and int(entity) in ballots:
        nomor = int(entity)
    else:
        return Rejected(locator, f"entity_id '{brief(entity)}' is not a ballot number of the election "
                                 f"(known: {', '.join(map(str, sorted(ballots)))})", raw)
    area = cells[at["sub_districts_id"]].strip()
    if not (area.isascii() and area.isdigit() and len(area) <= MAX_AREA_CODE):
        return Rejected(locator, f"sub_districts_id: '{brief(area)}' is not a kecamatan id", raw)
    try:
        votes = parse_count(cells[at["voice"]])
    except ValueError as e:
        return Rejected(locator, f"voice: {e}", raw)
    return ResultPart(locator, area, True, {}, nomor, votes, raw)
