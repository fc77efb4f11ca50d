"""Reader ``csv``: any CSV with a column mapping declared on the source (DESIGN.md section 4).

The mapping (:mod:`~releasekit.readers.csv_mapping`) names the canonical table
the rows fill and which column holds which field; :mod:`~releasekit.readers.textio`
handles encodings, BOMs, gzip, delimiters, comment and header lines and CR-only
line ends. One row is one record:

* ``hasil_tps`` — a :class:`TpsResult` (wide layout: one column per candidate), or
  a :class:`ResultPart` (long layout: one row per TPS and candidate);
* ``hasil_wilayah`` — an :class:`AreaResult` (or a :class:`ResultPart`) for an area;
* ``wilayah`` — a :class:`Region`; ``tps`` — a :class:`Station`.

Every cell is read strictly: a count that is not a whole number in the declared
style, a code with a letter where digits belong, a formula-looking text
(``=HYPERLINK(…)``), a NIK-like value or a ragged row makes the row a
:class:`Rejected` with its ``file:line``, never a guess and never a silent skip.
A mapped column missing from the header stops the build (a declaration error).
The path may be one file (plain or gzipped, streamed) or a folder or archive of
CSV files that share the mapping (each streamed from it too, whatever its size).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ConfigError, SourceError, did_you_mean
from ..privacy import RECORD_NOT_QUOTED, brief, holds_nik, looks_like_a_record
from ..tables import BY_NAME, CODE_AREA, HASIL_TPS_VALUES, HASIL_WILAYAH_VALUES, LEVEL_BY_LENGTH, TPS_CODE
from .base import (
    FORMULA,
    MAX_AREA_CODE,
    TIMESTAMP_TEXT,
    TPS_CODE_LENGTH,
    AreaResult,
    ReadContext,
    Reader,
    Record,
    Region,
    Rejected,
    ResultPart,
    Station,
    TpsResult,
    clip,
    is_timestamp,
)
from .csv_mapping import CODE_FIELDS, CsvMapping, check_candidates
from .members import EVERY, MemberStream, Streamed, holds_members, members_named
from .numbers import parse_count, parse_decimal, parse_flag
from .textio import Progress, TextRow, open_table

if TYPE_CHECKING:
    from ..config import Source
    from ..elections import Election

REGION_CODE = re.compile(r"^(?:[0-9]+|99[0-9A-Z]*)$")
AREA_CODE = re.compile(CODE_AREA)
PARENT_LENGTH = {4: 2, 6: 4, 10: 6}
CSV_SUFFIXES = (".csv", ".tsv", ".txt", ".csv.gz", ".tsv.gz", ".txt.gz")


#: About how many characters of a header a hint lists.
LISTED_CHARACTERS = 300


def _listed(header: Sequence[str]) -> str:
    """The columns of a header for a hint: whole names, as many as fit in about :data:`LISTED_CHARACTERS`."""
    shown: list[str] = []
    length = 0  # of ", ".join(shown)
    for name in header:
        name = name or "(empty)"
        if shown and length + 2 + len(name) > LISTED_CHARACTERS:
            return ", ".join(shown) + f" … and {len(header) - len(shown)} more"
        length += (2 if shown else 0) + len(name)
        shown.append(name)
    return ", ".join(shown)


def _columns(header: Sequence[str], column: str) -> str:
    """The hint for a ``column`` missing from ``header``: its columns, unless it reads as a record (never quoted:
    it may be a voter's)."""
    if looks_like_a_record(header):
        return f"{RECORD_NOT_QUOTED}; is the header missing? (see skip_lines, names)"
    return did_you_mean(column, header) + "the columns are: " + _listed(header)


class CellError(ValueError):
    """A cell that does not hold what its field needs."""


def tps_code_problem(code: str) -> str:
    """Why ``code`` is not a TPS code, in words."""
    if len(code) != 13:
        return f"'{code}' has {len(code)} characters, a TPS code has 13"
    if not code.startswith("99"):
        bad = _not_a_digit(code)
        if bad is not None:
            return f"'{code}' has '{code[bad]}' at position {bad + 1} where a digit belongs"
    return f"'{code}' is not a TPS code (13 digits; overseas 99 + 11 digits or capital letters)"


def _mapped_at(mapping: CsvMapping, column: str) -> str:
    """The key under ``csv`` that maps ``column``, one of ``mapping.columns`` (the first, where several do):
    ``fields/suara_total``."""
    keys = [f"fields/{f}" for f, c in mapping.fields if c == column] + \
        [f"votes/{n}" for n, c in mapping.votes if c == column]
    if mapping.long:
        keys += [f"long/{key}" for key, c in (("candidate", mapping.long.candidate), ("count", mapping.long.count))
                 if c == column]
    return keys[0]


class _Plan:
    """A mapping bound to one file's header: column positions and a converter per field."""

    def __init__(self, mapping: CsvMapping, header: tuple[str, ...], name: str, header_line: int | None,
                 election: Election | None, declared: str) -> None:
        self.mapping = mapping
        self.width = len(header)
        self.missing = frozenset(mapping.missing)
        positions: dict[str, int] = {}
        for column in mapping.columns:
            found = [i for i, h in enumerate(header) if h == column]
            where = f"{name}: line {header_line}" if header_line else f"{name}: names"
            if not found:
                raise SourceError(f"{where}: no column '{column}' (mapped at {declared}/{_mapped_at(mapping, column)})",
                                  hint=_columns(header, column))
            if len(found) > 1:
                raise SourceError(f"{where}: column '{column}' appears {len(found)} times",
                                  hint="rename one of them with 'names'")
            positions[column] = found[0]
        self.fields = [(f, positions[c], self._converter(f)) for f, c in mapping.fields]
        self.votes = [(n, positions[c]) for n, c in mapping.votes]
        self.long = (positions[mapping.long.candidate], positions[mapping.long.count]) if mapping.long else None
        self.by_id = election.nomor_by_source_id() if election else {}
        #: Ballot number as written (without leading zeros) → the number.
        self.ballots = {str(p.nomor_urut): p.nomor_urut for p in election.peserta} if election else {}

    def _converter(self, field: str) -> Callable[[str], object]:
        style = self.mapping.numbers
        if field in CODE_FIELDS:
            width = dict(self.mapping.pad).get(field)
            return lambda cell: _code(cell, width)
        if field == "tingkat":
            return _tingkat
        if field == "ts":
            return _ts
        kind = BY_NAME[self.mapping.table].field(field).type if field in BY_NAME[self.mapping.table].columns \
            else "string"
        if kind == "integer":
            return lambda cell: parse_count(cell, style)
        if kind == "number":
            return lambda cell: parse_decimal(cell, style)
        if kind == "boolean":
            return parse_flag
        return _text

    def record(self, row: TextRow, locator: str, delimiter: str) -> Record:
        cells = row.cells
        if len(cells) != self.width:
            if len(cells) > self.width and self.mapping.ragged == "join-last":
                cells = cells[:self.width - 1] + [delimiter.join(cells[self.width - 1:])]
            else:
                return Rejected(locator, f"ragged row: {len(cells)} fields where the header has {self.width}",
                                clip(row.raw))
        try:
            values = {}
            for field, index, convert in self.fields:
                cell = cells[index]
                try:
                    values[field] = None if self.missing and cell.strip() in self.missing else convert(cell)
                except ValueError as e:
                    raise CellError(f"{field} (column {index + 1}): {e}") from None
            return self._build(values, cells, locator, row.raw)
        except CellError as e:
            return Rejected(locator, str(e), clip(row.raw))

    def _count(self, cell: str, what: str) -> int | None:
        if self.missing and cell.strip() in self.missing:
            return None
        try:
            return parse_count(cell, self.mapping.numbers)
        except ValueError as e:
            raise CellError(f"{what}: {e}") from None

    def _build(self, values: dict[str, object], cells: list[str], locator: str, raw: str) -> Record:
        table = self.mapping.table
        if table in ("hasil_tps", "tps"):
            kode = _tps_code(values)
        else:
            kode = _region_code(values, area=table == "hasil_wilayah")
        if table == "tps":
            return Station(locator, kode, _str(values.get("nama")), _str(values.get("id_sumber")), raw=raw,
                           nomor_tps=_str(values.get("nomor_tps")))
        if table == "wilayah":
            return _region(kode, values, locator, raw)
        if self.long is not None:
            return self._part(kode, values, cells, locator, raw, area=table == "hasil_wilayah")
        votes: dict[int, int | None] | None = {
            n: self._count(cells[i], f"votes for {n} (column {i + 1})") for n, i in self.votes}
        if not votes or all(v is None for v in votes.values()):
            votes = None
        if table == "hasil_tps":
            return TpsResult(locator, kode, tuple(map(values.get, HASIL_TPS_VALUES)), votes, raw)
        area_votes = None if votes is None else {n: v for n, v in votes.items() if v is not None} or None
        return AreaResult(locator, kode, tuple(map(values.get, HASIL_WILAYAH_VALUES)), area_votes, [], raw=raw)

    def _part(self, kode: str, values: dict[str, object], cells: list[str], locator: str, raw: str,
              area: bool) -> ResultPart:
        assert self.long is not None and self.mapping.long is not None
        which, count = self.long
        candidate = cells[which].strip()
        if self.mapping.long.by == "id_sumber":
            nomor = self.by_id.get(candidate)
            if nomor is None:
                raise CellError(f"candidate (column {which + 1}): '{brief(candidate)}' is not the id_sumber of a "
                                f"candidate (known: {', '.join(sorted(self.by_id))})")
        else:
            found = self.ballots.get(candidate.lstrip("0"))
            if found is None:
                known = ", ".join(str(n) for n in sorted(self.ballots.values()))
                raise CellError(f"candidate (column {which + 1}): '{brief(candidate)}' is not a ballot number "
                                f"(known: {known})")
            nomor = found
        figures = {f: v for f, v in values.items() if f not in CODE_FIELDS}
        suara = self._count(cells[count], f"votes (column {count + 1})")
        return ResultPart(locator, kode, area, figures, nomor, suara, raw)


def _code(cell: str, width: int | None) -> str | None:
    code = cell.strip(" \t")  # (spaces a spreadsheet left; a line break in a quoted cell is no code's)
    if not code:
        return None
    if width and len(code) < width and _not_a_digit(code) is None:
        code = code.zfill(width)
    return code


def _tingkat(cell: str) -> int | None:
    text = cell.strip()
    if not text:
        return None
    if text not in ("1", "2", "3", "4"):
        raise ValueError(f"'{brief(text)}' is not a level from 1 (province) to 4 (village)")
    return int(text)


#: What a cell holding a NIK-like number is refused with (the loader withholds the record's raw text for it).
NIK_CELL = "holds a NIK-like number (personal data)"


def _text(cell: str) -> str | None:
    text = cell.strip()
    if not text:
        return None
    if FORMULA.match(text):
        raise ValueError(f"'{brief(text)}' looks like a spreadsheet formula; not loaded (CSV injection risk)")
    if holds_nik(text):
        raise ValueError(f"{NIK_CELL}; not loaded")
    return text


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _ts(cell: str) -> str | None:
    """An update time, in the one form the packages declare (``tables.TS_PATTERN``)."""
    text = _text(cell)
    if text is not None and not is_timestamp(text):
        raise ValueError(f"'{brief(text)}' is not {TIMESTAMP_TEXT}")
    return text


def _tps_code(values: dict[str, object]) -> str:
    kode = values.get("kode_tps")
    if kode is None:
        desa, nomor = values.get("kode_wilayah"), values.get("nomor_tps")
        if desa is None or nomor is None:
            raise CellError("no TPS code: kode_wilayah and nomor_tps are both needed")
        kode = f"{desa}{nomor}"
    assert isinstance(kode, str)
    if not TPS_CODE.fullmatch(kode):
        raise CellError(f"kode_tps: {tps_code_problem(kode)}")
    return kode


def _region_code(values: dict[str, object], *, area: bool) -> str:
    kode = values.get("kode_wilayah")
    if not isinstance(kode, str):
        raise CellError("kode_wilayah: empty")
    if area:
        if not AREA_CODE.fullmatch(kode):
            raise CellError(f"kode_wilayah: '{brief(kode)}' is not an area code (digits or capital letters)")
        size = len(kode.lstrip("-").replace(".", ""))
        if size > MAX_AREA_CODE and size != TPS_CODE_LENGTH:
            raise CellError(f"kode_wilayah: '{kode}' has {size} digits or letters; an area code has at most "
                            f"{MAX_AREA_CODE} (a village), or {TPS_CODE_LENGTH} (a TPS)")
        return kode
    if len(kode) not in LEVEL_BY_LENGTH:
        raise CellError(f"kode_wilayah: '{brief(kode)}' has {len(kode)} characters; a region code has 2, 4, 6 or 10")
    if not REGION_CODE.fullmatch(kode):
        bad = _not_a_digit(kode) or 0
        raise CellError(f"kode_wilayah: '{kode}' has '{kode[bad]}' at position {bad + 1} where a digit belongs")
    return kode


def _not_a_digit(code: str) -> int | None:
    """The index of the first character of ``code`` that is not an ASCII digit (``３`` is not one), or None."""
    return next((i for i, c in enumerate(code) if not "0" <= c <= "9"), None)


def _region(kode: str, values: dict[str, object], locator: str, raw: str) -> Region:
    level = LEVEL_BY_LENGTH[len(kode)]
    declared = values.get("tingkat")
    if declared is not None and declared != level:
        raise CellError(f"tingkat: {declared} does not fit the {len(kode)}-character code '{kode}' (level {level})")
    parent = kode[:PARENT_LENGTH[len(kode)]] if level > 1 else None
    induk = values.get("kode_induk")
    if induk is not None and induk != parent:
        raise CellError(f"kode_induk: '{brief(str(induk))}' is not the parent code of '{kode}'")
    return Region(locator, kode, level, _str(values.get("nama")), parent, _str(values.get("id_sumber")), raw=raw)


class CsvReader(Reader):
    """Any CSV (or ``.csv.gz``, or a folder/archive of them) read through a declared mapping."""

    name = "csv"
    version = "1"
    summary = "any CSV with a declared column mapping, delimiter, encoding and number style"

    def places_first(self, source: Source) -> bool:
        """Region and TPS lists load before results."""
        return source.csv is not None and source.csv.table in ("wilayah", "tps")

    def check(self, source: Source, election: Election | None, where: str) -> None:
        """The source needs a mapping, and result tables need an election with the mapped candidates."""
        mapping = source.csv
        if mapping is None:
            raise ConfigError(f"{where}: the csv reader needs a 'csv' mapping",
                              hint="add csv: {table: hasil_tps, fields: {kode_tps: <column>, ...}}")
        self.refuse_dpt_options(source, where)
        if mapping.table.startswith("hasil_"):
            if election is None:
                raise ConfigError(f"{where}: rows for {mapping.table} need 'election'",
                                  hint="for example election: ppwp-2024")
            if not source.snapshot:
                raise ConfigError(f"{where}: no 'snapshot' (and no 'retrieved' to take it from)",
                                  hint="add snapshot: \"YYYY-MM-DD\", the day the export describes")
            check_candidates(mapping, election, f"{where}/csv")

    def preflight(self, ctx: ReadContext) -> None:
        """Bind the mapping to the header of a source that is one file, as :meth:`read` does first (a folder's or
        an archive's files are each checked when read: a national folder holds hundreds of thousands)."""
        assert ctx.source is not None and ctx.source.csv is not None
        if not holds_members(ctx.path):
            with open_table(ctx.path, ctx.path.name, ctx.source.csv.text, None, ctx.label) as table:
                _Plan(ctx.source.csv, table.header, ctx.label, table.header_line, ctx.election,
                      f"{ctx.source.where}/csv")

    def read(self, ctx: ReadContext) -> Iterator[Record]:
        """Yield one record or :class:`Rejected` per CSV row (and per unreadable line)."""
        assert ctx.source is not None and ctx.source.csv is not None
        mapping = ctx.source.csv
        declared = f"{ctx.source.where}/csv"
        path = ctx.path
        if holds_members(path):
            for member in members_named(ctx, CSV_SUFFIXES, "CSV", streamed=EVERY):
                if isinstance(member, Rejected):
                    yield member
                else:
                    yield from self._table(member.stream if isinstance(member, Streamed) else member.data,
                                           member.name, f"{ctx.label}: {member.name}", mapping, ctx.election, None,
                                           declared)
        else:
            yield from self._table(path, path.name, ctx.label, mapping, ctx.election, ctx.progress, declared)

    def _table(self, source: Path | bytes | MemberStream, name: str, label: str, mapping: CsvMapping,
               election: Election | None, progress: Progress | None, declared: str) -> Iterator[Record]:
        """``declared``: where the mapping is (``metadata.yml: registers/0/sources/1/csv``), for a message."""
        with open_table(source, name, mapping.text, progress, label) as table:
            plan = _Plan(mapping, table.header, label, table.header_line, election, declared)
            for item in table:
                if isinstance(item, Rejected):
                    yield item
                else:
                    yield plan.record(item, f"{name}:{item.line}", table.delimiter)
