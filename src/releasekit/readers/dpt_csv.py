"""Reader ``dpt-csv``: an individual voter-list (DPT) export, one voter per row (DESIGN.md section 7).

Default header (``dpt: {fields: {...}}`` in ``metadata.yml`` maps other names)::

    kode_tps,nkk,nik,nama,tempat_lahir,tanggal_lahir,jenis_kelamin,status_kawin,alamat,rt,rw,disabilitas,keterangan

A source is one file (``.csv``, ``.txt``, optionally gzipped) or a folder of them, read in
sorted order; files are opened by :mod:`releasekit.readers.textio` (encoding, byte-order
mark, gzip, delimiter sniffing, line numbers, decode errors with a hint) and streamed in
constant memory. The reader checks what the counts need (a TPS code, ``L``/``P``,
``B``/``S``/``P``, a birth date as ``DD-MM-YYYY`` or ``YYYY-MM-DD``); the NIK is checked
later, by :mod:`releasekit.dpt`, because a voter with a bad NIK is still on the list.

Rows are checked a batch at a time with C-level passes over each column (a national list
has 200 million rows) and handed on as :class:`~releasekit.readers.base.VoterRows`; a row
the fast checks refuse is looked at alone, normalised when it can be (``laki-laki``,
spaces, lower case), else rejected. Every rejected row goes to the quarantine, and the
quarantine is published: its raw text is rebuilt with every personal field masked
(:func:`_masked_cells`): a cell that does not fit its column is hidden, for a value out of
place may be a personal one that a row cut wrongly shifted there.

A reason quotes a cell only when it cannot be personal data (review BZ L4), and that cell
is then shown as it is in the raw text too (:meth:`_Checker._quotable`); all of these hold:

- the cell is ``kode_tps``, ``jenis_kelamin`` or ``status_kawin`` (never a birth date, a
  NIK, an NKK, a name or an address), and the row's other checked cells (of those three
  and ``tanggal_lahir``) fit their columns, so that its cells did not move;
- ``jenis_kelamin`` or ``status_kawin``: one ASCII letter, ``-`` or ``?`` (stripped). Not a
  digit (a disability, an RT or RW, a ``keterangan`` is written with digits, and a row's
  TPS, birth year, sex and marital status may single a voter out), nor longer (a name);
- ``kode_tps``: a village code of 10 ASCII digits, one ``-``, ``.`` or ``/``, then a TPS
  number of 1 to 3 digits (``5202022003-1``: 13 digits at most, never a whole NIK or NKK;
  never without the separator, where 12 digits would be a NIK's region and birth date), where
  the village code is that of a valid TPS code the source has already shown (in an earlier
  row or in the row's batch: public digits, as ``dpt_rekap`` publishes every valid TPS code;
  the same bytes always give the same reasons); and the value is no piece of the row's own
  numbers: its NIK and NKK do not begin with the village code, whose last 4 digits are not
  the row's birth day and month (DDMM, DD+40 MM as a NIK writes a woman's, or MMDD); and,
  as a guard should the shape ever widen, no date reads in it
  (:data:`~releasekit.privacy.ANY_DATE`), nor a NIK (:func:`~releasekit.privacy.holds_nik`).

An empty cell is never quoted (its raw cell is empty, as before); nothing else ever is.
"""

from __future__ import annotations

import csv
import datetime
import gc
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from itertools import compress
from operator import add, is_, itemgetter, mul, not_
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from ..errors import ConfigError, SourceError
from ..privacy import ANY_DATE, holds_nik, mask_id, mask_long_numbers, mask_niks, normalise_id
from ..tables import TPS_CODE, TPS_CODE_TEXT
from .base import ReadContext, Reader, Record, Rejected, VoterRows
from .inflate import CorruptStreamError
from .members import folder_files
from .textio import (
    DELIMITERS,
    RUN,
    DamagedError,
    TextOptions,
    TextRow,
    TextRun,
    check_encoding,
    open_table,
    sniff_delimiter,
)

if TYPE_CHECKING:
    from ..config import Source
    from ..elections import Election

COLUMNS = ("kode_tps", "nkk", "nik", "nama", "tempat_lahir", "tanggal_lahir", "jenis_kelamin",
           "status_kawin", "alamat", "rt", "rw", "disabilitas", "keterangan")
#: Columns a voter list must have: without them a row cannot be counted or checked.
REQUIRED = ("kode_tps", "nik", "tanggal_lahir", "jenis_kelamin", "status_kawin")
SUFFIXES = (".csv", ".txt", ".tsv", ".csv.gz", ".txt.gz", ".tsv.gz")
SEX = {"L": "L", "P": "P", "LAKI-LAKI": "L", "PEREMPUAN": "P", "LK": "L", "PR": "P"}
MARRIED = {"B": "B", "S": "S", "P": "P", "BELUM KAWIN": "B", "SUDAH KAWIN": "S", "KAWIN": "S",
           "PERNAH KAWIN": "P", "CERAI": "P"}
_CODES_KAWIN = frozenset("BSP")
#: A ``jenis_kelamin`` or ``status_kawin`` cell a reason may quote (module docstring): one letter, ``-`` or ``?``.
_QUOTABLE_CODE = re.compile(r"[A-Za-z?-]")
#: A ``kode_tps`` cell a reason may quote, in part (module docstring): a village code, one separator, a TPS number.
_QUOTABLE_TPS = re.compile(r"([0-9]{10})[-./][0-9]{1,3}")
#: Disability cells that mean "none".
NO_DISABILITY = frozenset(("", "0", "-", "N", "TIDAK", "TIDAK ADA", "NON", "BUKAN"))
_MEMO_LIMIT = 200_000


@dataclass(frozen=True)
class DptOptions:
    """The ``dpt:`` block of a source: column names and how the text is read."""

    #: canonical column → the file's column name, for the columns named differently.
    fields: tuple[tuple[str, str], ...] = ()
    text: TextOptions = TextOptions()

    def column(self, name: str) -> str:
        """The file's name for canonical column ``name``."""
        return dict(self.fields).get(name, name)


def options_of(source: Source | None) -> DptOptions:
    """What a voter-list source is read with: its ``dpt:`` block, or every default when it gives none."""
    return (source.dpt if source is not None else None) or DptOptions()


def parse_dpt_options(data: Mapping[str, Any] | None, where: str) -> DptOptions:
    """Freeze a ``dpt:`` block (``fields``, ``encoding``, ``delimiter``, ``header``, ``names``, ``skip_lines``).

    :raises ConfigError: an unknown canonical column or encoding, or ``header: false`` without ``names``.
    """
    data = data or {}
    fields = tuple((str(k), str(v)) for k, v in (data.get("fields") or {}).items())
    for name, _ in fields:
        if name not in COLUMNS:
            raise ConfigError(f"{where}/fields/{name}: not a voter-list column",
                              hint="columns: " + ", ".join(COLUMNS))
    encoding = str(data.get("encoding", "utf-8"))
    try:
        check_encoding(encoding)
    except ValueError as e:
        raise ConfigError(f"{where}/encoding: {e}", hint="use utf-8, cp1252 or latin-1") from None
    header = bool(data.get("header", True))
    names = tuple(str(n) for n in data.get("names") or ())
    if not header and not names:
        raise ConfigError(f"{where}: 'header: false' needs 'names'", hint="list the file's columns in order")
    text = TextOptions(encoding=encoding, delimiter=data.get("delimiter"), header=header, names=names,
                       skip_lines=int(data.get("skip_lines", 0)))
    return DptOptions(fields, text)


class DptCsvReader(Reader):
    """Individual voter-list CSV: one voter per row, counted per TPS and checked, never published raw."""

    name = "dpt-csv"
    version = "1"
    needs_election = True
    summary = "individual voter list (DPT) CSV, one voter per row (file, .gz or folder)"
    read_ahead = False  # its row batches cost more to pickle between processes than to read here
    cacheable = False  # its duplicate-NIK checks use a secret made for each build

    def check(self, source: Source, election: Election | None, where: str) -> None:
        """A voter list takes ``dpt`` options, not a ``csv`` mapping."""
        if source.csv is not None:
            raise ConfigError(f"{where}/csv: the dpt-csv reader takes no csv mapping",
                              hint="name the file's columns under 'dpt: {fields: {...}}' instead")

    def read(self, ctx: ReadContext) -> Iterator[Record]:
        """Yield :class:`VoterRows` batches and a masked :class:`Rejected` per bad row, file by file."""
        options = options_of(ctx.source)
        polling = polling_day(ctx.election)
        files = folder_files(ctx.path, ctx.label) if ctx.path.is_dir() else [ctx.path]
        villages: set[str] = set()  # of the valid TPS codes read so far (the quarantine's reasons quote what fits)
        done = 0
        for file in files:
            name = file.relative_to(ctx.path).as_posix() if ctx.path.is_dir() else file.name
            if not name.lower().endswith(SUFFIXES):
                yield Rejected(name, f"not a voter-list CSV (expected {', '.join(SUFFIXES)}); nothing read from it")
                continue
            base = done

            def progress(n: int, base: int = base) -> None:
                if ctx.progress is not None:
                    ctx.progress(base + n)

            try:
                with _collector_paused():
                    yield from _read_file(file, name, options, polling, progress, villages)
            except CorruptStreamError:  # (the loader names the source: the hint is not about options)
                raise
            except SourceError as e:  # name the source too (once); the options of a voter list sit under 'dpt:'
                about_options = e.hint is not None and not isinstance(e, DamagedError)  # (a damaged file's hint is not)
                hint = f"{e.hint} (for this voter list: under 'dpt:')" if about_options else e.hint
                message = e.args[0].removeprefix(f"{name}: ") if not ctx.path.is_dir() else e.args[0]
                raise type(e)(f"{ctx.label}: {message}", hint=hint) from e
            done += file.stat().st_size


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while a voter list streams through.

    Every row allocates a few container objects, so the collector runs every couple of
    hundred rows and promotes the rows a batch still holds, to scan them again later: work
    that finds nothing, as nothing here makes reference cycles. Reference counting frees
    every row as before; the collector's previous state comes back when the file is done
    or the build fails.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def polling_day(election: Election | None) -> int:
    """Polling day as ``YYYYMMDD`` (births after it are impossible); 0 when the election has no date."""
    day = election.tanggal if election else None
    return int(day.replace("-", "")) if day else 0


#: Rows checked and handed on together: enough for C-level passes to dominate, few enough for a batch's
#: objects to stay in the CPU cache (measured: 128 rows build a list 1.7 times faster than 4,096); the
#: size of textio's runs of plain records, so that a run is a batch.
BATCH = RUN
_SEXES = frozenset("LP")
_is_none = partial(is_, None)


T = TypeVar("T")


class _Memo(dict[str, T]):
    """A cell text → its parsed value, each distinct text worked out once.

    Birth dates, disability cells and TPS codes repeat endlessly in a voter list, so a
    dictionary look-up (C speed, through ``map``) replaces parsing; bounded, so garbage
    cannot grow it: when full it starts again.
    """

    def __init__(self, parse: Callable[[str], T]) -> None:
        super().__init__()
        self.parse = parse

    def learn(self, text: str) -> T:
        """Parse ``text`` and remember its value."""
        if len(self) >= _MEMO_LIMIT:
            self.clear()
        value = self[text] = self.parse(text)
        return value


def _looked_up(memo: _Memo[T], texts: Sequence[str]) -> list[T]:
    """``memo``'s value of every text (in one C-level pass; only texts never seen are parsed)."""
    values: list[Any] = list(map(memo.get, texts))
    if _has_none(values):
        for text in set(compress(texts, map(_is_none, values))):  # each new text once, however often it comes
            memo.learn(text)
        values = list(map(memo.get, texts))
        if _has_none(values):  # the memo filled up and started again meanwhile: parse this batch outright
            values = [memo.parse(t) for t in texts]
    return values


def _has_none(values: list[Any]) -> bool:
    """Whether a list of numbers (or booleans) holds a None: ``min`` is a C loop and fails on None.

    (``None in values`` compares every number with None both ways round, several times slower.)
    """
    if values and values[0] is None:  # min() of one value compares nothing
        return True
    try:
        min(values, default=0)
    except TypeError:
        return True
    return False


def _read_file(file: Path, name: str, options: DptOptions, polling_day: int, progress: Any,
               villages: set[str]) -> Iterator[Record]:
    with open_table(file, name, options.text, progress) as table:
        names = [_canonical(h, options) for h in table.header]
        checker = _Checker(name, names, _column_index(table.header, options, name), polling_day, table.delimiter,
                           villages)
        # Plain one-line records come in runs of up to BATCH (textio.RUN); records read line by line
        # (quoted newlines and the like) are gathered into batches of their own, in order.
        cells: list[list[str]] = []
        lines: list[int] = []
        for item in table.runs():
            if type(item) is TextRun:
                if not cells:
                    yield from checker.records(item.cells, list(item.lines))
                    continue
                cells += item.cells
                lines += item.lines
            elif type(item) is TextRow:
                cells.append(item.cells)
                lines.append(item.line)
            else:
                assert isinstance(item, Rejected)
                yield from checker.records(cells, lines)
                cells, lines = [], []
                yield Rejected(item.locator, mask_long_numbers(item.reason),
                               _mask_text(item.raw, table.delimiter, names))
                continue
            if len(cells) >= BATCH:
                yield from checker.records(cells, lines)
                cells, lines = [], []
        yield from checker.records(cells, lines)


class _Checker:
    """Checks one file's rows a batch at a time, column by column, in C-level passes."""

    def __init__(self, name: str, names: list[str], index: dict[str, int], polling_day: int, delimiter: str,
                 villages: set[str] | None = None):
        self.name, self.names, self.index, self.delimiter = mask_niks(name), names, index, delimiter
        #: The village codes (first 10 characters) of the valid TPS codes read so far: those a reason may quote.
        self.villages = set() if villages is None else villages
        self.latest = polling_day or 99991231
        self.required = itemgetter(*(index[c] for c in REQUIRED))
        self.dates: _Memo[int] = _Memo(_date)
        # DD-MM-YYYY cut in two: DD-MM- (366 texts) and YYYY (a few hundred), memos small enough to stay in
        # the CPU cache, where a memo of whole dates (one per day of a century) does not.
        self.day_months: _Memo[int] = _Memo(_day_month)
        self.years: _Memo[int] = _Memo(_year)
        self.disabled: _Memo[bool] = _Memo(lambda text: text.strip().upper() not in NO_DISABILITY)
        self.tps_codes: _Memo[bool] = _Memo(self._tps_code)

    def _tps_code(self, code: str) -> bool:
        """Whether ``code`` is a TPS code (each distinct code once, through :attr:`tps_codes`); its village is kept."""
        valid = TPS_CODE.fullmatch(code) is not None
        if valid and len(self.villages) < _MEMO_LIMIT:  # (some 84,000 villages in the country)
            self.villages.add(code[:10])
        return valid

    def records(self, cells: list[list[str]], lines: list[int]) -> Iterator[Record]:
        """Rows (cells, line) as :class:`VoterRows` (in order), with a masked :class:`Rejected` for each bad row."""
        if cells:
            yield from self._columns(cells, lines)

    def _columns(self, cells: list[list[str]], lines: list[int]) -> Iterator[Record]:
        width = len(self.names)
        if not all(map(width.__eq__, map(len, cells))):  # rare: cut around the ragged rows first
            start = 0
            for bad in compress(range(len(cells)), map(width.__ne__, map(len, cells))):
                if bad > start:
                    yield from self._columns(cells[start:bad], lines[start:bad])
                yield self._careful(cells[bad], lines[bad])
                start = bad + 1
            if start < len(cells):
                yield from self._columns(cells[start:], lines[start:])
            return
        n, index = len(cells), self.index
        columns = list(zip(*cells, strict=True))  # the batch turned into columns in one C-level pass
        tps, sex, kawin = (list(columns[index[c]]) for c in ("kode_tps", "jenis_kelamin", "status_kawin"))
        lahir = self._dates(columns[index["tanggal_lahir"]])
        nik = list(columns[index["nik"]])  # stripped later, by the rare NIK that needs it
        disabled = [False] * n
        if "disabilitas" in index:
            texts = columns[index["disabilitas"]]
            if texts.count("") != n:
                disabled = _looked_up(self.disabled, texts)
        # Whole-batch tests first, each one C-level count or scan (a TPS code is checked once per
        # distinct code: a list comes TPS by TPS); row by row only when one fails.
        codes_ok: list[bool] = _looked_up(self.tps_codes, list(set(tps)))
        if sex.count("L") + sex.count("P") == n and kawin.count("B") + kawin.count("S") + kawin.count("P") == n \
                and 0 not in lahir and max(lahir) <= self.latest and all(codes_ok):
            yield VoterRows(self.name, lines, tps, nik, lahir, sex, kawin, disabled, cells, self.index)
            return
        ok = map(all, zip(_looked_up(self.tps_codes, tps), map(_SEXES.__contains__, sex),
                          map(_CODES_KAWIN.__contains__, kawin), lahir, map(self.latest.__ge__, lahir), strict=True))

        def rows(a: int, b: int) -> VoterRows:
            return VoterRows(self.name, lines[a:b], tps[a:b], nik[a:b], lahir[a:b], sex[a:b], kawin[a:b],
                             disabled[a:b], cells[a:b], self.index)

        start = 0
        for bad in compress(range(n), map(not_, ok)):  # rows the fast checks refuse, looked at alone
            if bad > start:
                yield rows(start, bad)
            yield self._careful(cells[bad], lines[bad])
            start = bad + 1
        if start < n:
            yield rows(start, n)

    def _dates(self, texts: Sequence[str]) -> list[int]:
        """Birth dates as ``YYYYMMDD``, 0 where not a date (:func:`_date`).

        ``DD-MM-YYYY`` is looked up in two parts, each in a small memo: when both parts are
        valid the date is their sum, which is what :func:`_date` gives (a day and month valid
        in a non-leap year are valid in every year). The other dates (29 February,
        ``YYYY-MM-DD``, spaces, garbage) are looked up whole.
        """
        day_months = _looked_up(self.day_months, list(map(_DAY_MONTH, texts)))
        years = _looked_up(self.years, list(map(_YEAR, texts)))
        dates = list(map(add, years, day_months))
        if not (min(day_months) and min(years)):
            memo = self.dates
            for i in compress(range(len(texts)), map(not_, map(mul, day_months, years))):
                date = memo.get(texts[i])
                dates[i] = memo.learn(texts[i]) if date is None else date
        return dates

    def _careful(self, cells: list[str], line: int) -> Record:
        """One row the fast checks refused: normalise what can be (spaces, case, words), else say what is wrong."""
        locator, names = f"{self.name}:{line}", self.names
        if len(cells) != len(names):
            return Rejected(locator, f"{len(cells)} fields, the header has {len(names)}",
                            _masked_cells(cells, names, self.delimiter))
        tps, _, text, sex_text, kawin_text = self.required(cells)
        tps = tps.strip().upper()
        sex, kawin = SEX.get(sex_text.strip().upper()), MARRIED.get(kawin_text.strip().upper())
        lahir = _looked_up(self.dates, [text])[0]
        reason, column = None, ""
        if TPS_CODE.fullmatch(tps) is None:
            reason, column = f"kode_tps is not a TPS code ({TPS_CODE_TEXT})", "kode_tps"
        elif sex is None:
            reason, column = "jenis_kelamin is not L or P", "jenis_kelamin"
        elif kawin is None:
            reason, column = "status_kawin is not B (belum kawin), S (sudah kawin) or P (pernah kawin)", "status_kawin"
        elif not lahir:
            reason = "tanggal_lahir is not a date written DD-MM-YYYY or YYYY-MM-DD"
        elif lahir > self.latest:
            reason = "tanggal_lahir is after polling day"
        if reason is not None or sex is None or kawin is None:
            shown = -1
            if reason is not None and column and self._quotable(column, cells, lahir):
                shown = self.index[column]
                reason = f"{reason}: {cells[shown].strip()!r}"
            return Rejected(locator, reason or "", _masked_cells(cells, names, self.delimiter, shown))
        disabled = _looked_up(self.disabled, [cells[self.index["disabilitas"]]])[0] if "disabilitas" in self.index \
            else False
        nik = cells[self.index["nik"]].strip()
        return VoterRows(self.name, [line], [tps], [nik], [lahir], [sex], [kawin], [disabled], [cells], self.index)

    def _quotable(self, column: str, cells: list[str], lahir: int) -> bool:
        """Whether a rejected row's ``column`` cell (the one its reason is about) cannot be personal data, so that the
        reason may quote it and the raw text show it: the rule of the module docstring (review BZ L4)."""
        index = self.index
        value = cells[index[column]].strip()
        fit = {"kode_tps": TPS_CODE.fullmatch(cells[index["kode_tps"]].strip().upper()) is not None,
               "jenis_kelamin": cells[index["jenis_kelamin"]].strip().upper() in SEX,
               "status_kawin": cells[index["status_kawin"]].strip().upper() in MARRIED}
        if not lahir or not all(ok for other, ok in fit.items() if other != column):  # the row's cells may have moved
            return False
        if column != "kode_tps":
            return _QUOTABLE_CODE.fullmatch(value) is not None
        found = _QUOTABLE_TPS.fullmatch(value)
        if found is None or ANY_DATE.search(value) is not None or holds_nik(value):
            return False
        village = found.group(1)
        if village not in self.villages:  # digits no valid TPS code of this source has shown
            return False
        own = [normalise_id(cells[index[c]]) for c in ("nik", "nkk") if c in index]
        day, month = lahir % 100, lahir // 100 % 100
        birth = (f"{day:02d}{month:02d}", f"{day + 40:02d}{month:02d}", f"{month:02d}{day:02d}")
        return village[6:] not in birth and not any(number.startswith(village) for number in own)


def _canonical(header: str, options: DptOptions) -> str:
    reverse = {v: k for k, v in options.fields}
    return reverse.get(header, header.strip().lower())


def _column_index(header: tuple[str, ...], options: DptOptions, name: str) -> dict[str, int]:
    """Canonical column → position; the required ones must be there."""
    position = {h.strip().lower(): i for i, h in reversed(list(enumerate(header)))}
    index = {}
    for column in COLUMNS:
        wanted = options.column(column).strip().lower()
        if wanted in position:
            index[column] = position[wanted]
            count = sum(h.strip().lower() == wanted for h in header)
            if count > 1:  # which one holds the NIKs? (the csv reader refuses the same)
                raise SourceError(f"{name}: the header has column {options.column(column)!r} {count} times",
                                  hint="rename the one to read under the source's dpt: fields: {"
                                       f"{column}: <column>}}, or remove the others")
    missing = [c for c in REQUIRED if c not in index]
    if missing:
        wanted = ", ".join(repr(options.column(m)) for m in missing)
        if not _looks_like_labels(header):  # a voter, most likely: never quote it
            raise SourceError(f"{name}: the header has no column {wanted}: the first line looks like a voter, not a "
                              "header", hint="is the header missing? see skip_lines / fields")
        found = mask_long_numbers(", ".join(header))[:300]
        between = _between_names(header)
        raise SourceError(f"{name}: the header has no column {wanted} (found: {found})",
                          hint=f"the names are one column with {between!r} between them: set delimiter: "
                               f"{between!r}" if between else
                               "name the file's columns under the source's dpt: fields: {nik: <column>, ...}")
    return index


#: What may stand between column names when a header is read with another delimiter than its own.
_DELIMITERS = re.compile(f"[{re.escape(''.join(DELIMITERS))}]")


def _between_names(header: Sequence[str]) -> str | None:
    """The delimiter a header read as one column has between its names (``nik,nkk,…`` read with ``;``), if any
    (:func:`~releasekit.readers.textio.sniff_delimiter`)."""
    if len(header) != 1 or _DELIMITERS.search(header[0]) is None:
        return None
    return sniff_delimiter(header[0])


#: A column name: a letter or ``_`` first, then letters, digits, spaces and punctuation (``No. KK``, ``L/P``,
#: ``TGL_LAHIR``), no run of 3 digits (``\d``: any script's).
_LABEL = re.compile(r"(?!.*\d{3})[^\W\d][\w .,/()#-]{0,59}")


def _looks_like_labels(header: Sequence[str]) -> bool:
    """Whether a first line reads like column names, which may be quoted in an error.

    A voter's line holds a TPS code, a NIK, a birth date (cells that are no name), and
    codes such as ``L``/``P`` and ``B``/``S``/``P``: two cells that are a sex or a marital
    status make a line a record too. A cell is read as the names another delimiter would make of it.
    """
    cells = [part.strip() for cell in header for part in _DELIMITERS.split(cell)]  # (a wrong delimiter: names
    # joined in one long cell, ``nik,nkk,nama,…``, read one by one)
    codes = sum(cell.upper() in SEX or cell.upper() in MARRIED for cell in cells)
    return codes < 2 and all(_LABEL.fullmatch(cell) for cell in cells if cell)


def _date(text: str) -> int:
    """``DD-MM-YYYY`` or ``YYYY-MM-DD`` (``/`` also accepted) as ``YYYYMMDD``; 0 when it is not a date."""
    text = text.strip()
    if len(text) != 10 or text[2] not in "-/" and text[4] not in "-/":
        return 0
    parts = text.replace("/", "-").split("-")
    if len(parts) != 3 or not all(p.isascii() and p.isdigit() for p in parts):  # isdigit alone passes '²', '٠'
        return 0
    day, month, year = (parts if len(parts[0]) == 2 else parts[::-1])
    try:
        datetime.date(int(year), int(month), int(day))
    except ValueError:
        return 0
    return int(year) * 10000 + int(month) * 100 + int(day) if int(year) >= 1850 else 0


_DAY_MONTH, _YEAR = itemgetter(slice(0, 6)), itemgetter(slice(6, None))


def _day_month(text: str) -> int:
    """``DD-MM-`` (``/`` also accepted) as ``MMDD`` when a date in a non-leap year, else 0."""
    return _date(text + "2001") % 10000 if len(text) == 6 else 0


def _year(text: str) -> int:
    """Four digits after ``DD-MM-`` as ``YYYY0000`` when a year :func:`_date` accepts, else 0."""
    return _date("01-01-" + text) // 10000 * 10000 if len(text) == 4 else 0


def _fits(column: str, value: str) -> bool:
    """Whether ``value`` is a value of ``column`` that a rejected row may show (a TPS code, a sex, a marital status).

    A row cut wrongly (an unquoted comma in a name) shifts its cells: then the column holds what belongs to
    another one, a birth date or a name, and is hidden like it.
    """
    if column == "kode_tps":
        return TPS_CODE.fullmatch(value) is not None
    if column == "jenis_kelamin":
        return value.upper() in SEX
    if column == "status_kawin":
        return value.upper() in MARRIED
    return False


def _masked_cells(cells: list[str], names: list[str], delimiter: str, quoted: int = -1) -> str:
    """A rejected row as published: codes kept, identity numbers masked, every other personal field hidden; the cell
    at ``quoted`` (its reason quotes it: :meth:`_Checker._quotable`) shown as it is."""
    out = []
    for i, cell in enumerate(cells):
        column = names[i] if i < len(names) else ""
        value = cell.strip()
        if not value:
            shown = ""
        elif i == quoted or _fits(column, value):  # a code of its column; anything else may be a shifted personal value
            out.append(value)
            continue
        elif column in ("nik", "nkk"):
            shown = mask_id(value) or ""
        elif column == "tanggal_lahir":
            year = _date(value) // 10000
            shown = f"{year}-**-**" if year else "*" * min(len(value), 10)
        else:
            shown = "***"
        out.append(mask_long_numbers(shown))
    return delimiter.join(out)


def _mask_text(raw: str | None, delimiter: str, names: list[str]) -> str | None:
    """The raw text of a line the CSV parser rejected, cut into cells as well as possible, then masked."""
    if raw is None:
        return None
    try:
        cells = next(csv.reader([raw.rstrip("\r\n")], delimiter=delimiter), [])
    except csv.Error:
        cells = raw.rstrip("\r\n").split(delimiter)
    return _masked_cells(cells, names, delimiter)
