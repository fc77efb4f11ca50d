"""The ``csv:`` mapping of a source in ``metadata.yml``: which column fills which canonical field.

Parsed once from the YAML (already checked against the JSON Schema) into a
frozen :class:`CsvMapping`, and checked against the canonical tables and the
source's election, so a typo is refused before any work with its key path::

    metadata.yml: registers/0/sources/1/csv/fields/suara_sahh: not a field of hasil_tps
    (hint: did you mean 'suara_sah'? ...)

Example (the DKI per-TPS CSV of FORMATS.md section 4c)::

    csv:
      table: hasil_tps
      fields: {kode_tps: kode_tps, ts: ts, suara_sah: suara_sah, pemilih_dpt_j: dpt_j}
      votes: {1: paslon_1, 2: paslon_2, 3: paslon_3}
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError, did_you_mean
from ..tables import HASIL_TPS_VALUES, HASIL_WILAYAH_VALUES
from .numbers import STYLES
from .textio import TextOptions, check_encoding

if TYPE_CHECKING:
    from ..elections import Election

#: Tables a csv source can fill, and the record each row becomes.
TABLES = ("hasil_tps", "hasil_wilayah", "wilayah", "tps")
#: Fields that hold codes: kept as text, stripped, optionally zero-padded.
CODE_FIELDS = ("kode_tps", "kode_wilayah", "nomor_tps", "kode_induk")
#: Canonical fields a mapping may fill, per table (the place's key first).
FIELDS: dict[str, tuple[str, ...]] = {
    "hasil_tps": ("kode_tps", "kode_wilayah", "nomor_tps", *HASIL_TPS_VALUES),
    "hasil_wilayah": ("kode_wilayah", *(c for c in HASIL_WILAYAH_VALUES if c != "asal")),
    "wilayah": ("kode_wilayah", "tingkat", "nama", "kode_induk", "id_sumber"),
    "tps": ("kode_tps", "kode_wilayah", "nomor_tps", "nama", "id_sumber"),
}
RAGGED = ("quarantine", "join-last")


@dataclass(frozen=True)
class LongVotes:
    """A long layout: one row per place and candidate, the candidate named in a column."""

    candidate: str
    count: str
    by: str = "nomor_urut"


@dataclass(frozen=True)
class CsvMapping:
    """How the ``csv`` reader turns a source's rows into canonical records."""

    table: str
    text: TextOptions
    #: canonical field → source column, in declared order.
    fields: tuple[tuple[str, str], ...]
    #: wide layout: ballot number → source column.
    votes: tuple[tuple[int, str], ...] = ()
    long: LongVotes | None = None
    numbers: str = "plain"
    #: code field → width to zero-pad digits-only codes to (``1`` → ``001``).
    pad: tuple[tuple[str, int], ...] = ()
    #: cell texts that mean "missing" besides the empty cell (``NA``, ``-``).
    missing: tuple[str, ...] = ()
    ragged: str = "quarantine"

    @property
    def columns(self) -> tuple[str, ...]:
        """Every source column the mapping reads, in mapping order, without repeats."""
        names = [c for _, c in self.fields] + [c for _, c in self.votes]
        if self.long:
            names += [self.long.candidate, self.long.count]
        return tuple(dict.fromkeys(names))


def parse_csv_mapping(data: dict[str, Any], where: str) -> CsvMapping:
    """Freeze a schema-valid ``csv:`` mapping, refusing what the schema cannot express.

    :param where: ``<metadata.yml>: registers/i/sources/j/csv``, for messages.
    :raises ConfigError: unknown fields, a missing key field, votes on a table without votes …
    """
    table = data["table"]
    allowed = FIELDS[table]
    fields = tuple((str(k), str(v)) for k, v in (data.get("fields") or {}).items())
    for name, _ in fields:
        if name not in allowed:
            raise ConfigError(f"{where}/fields/{name}: not a field of {table}",
                              hint=did_you_mean(name, allowed) + "fields: " + ", ".join(allowed))
    mapped = {name for name, _ in fields}
    if table in ("hasil_tps", "tps") and "kode_tps" not in mapped and not {"kode_wilayah", "nomor_tps"} <= mapped:
        raise ConfigError(f"{where}/fields: no column for kode_tps",
                          hint="map kode_tps, or kode_wilayah (the village) and nomor_tps")
    if table in ("hasil_wilayah", "wilayah") and "kode_wilayah" not in mapped:
        raise ConfigError(f"{where}/fields: no column for kode_wilayah", hint="map kode_wilayah to a column")
    votes = tuple(sorted((_ballot(k, f"{where}/votes"), str(v)) for k, v in (data.get("votes") or {}).items()))
    long = LongVotes(**data["long"]) if data.get("long") else None
    if (votes or long) and table not in ("hasil_tps", "hasil_wilayah"):
        raise ConfigError(f"{where}/{'votes' if votes else 'long'}: the {table} table has no votes",
                          hint="votes go with table: hasil_tps or hasil_wilayah")
    if votes and long:
        raise ConfigError(f"{where}/long: declare votes (wide layout) or long (long layout), not both",
                          hint="a long layout has one row per place and candidate")
    pad = tuple((str(k), int(v)) for k, v in (data.get("pad") or {}).items())
    for name, _ in pad:
        if name not in CODE_FIELDS:
            raise ConfigError(f"{where}/pad/{name}: only codes are padded",
                              hint="pad one of: " + ", ".join(CODE_FIELDS))
    header = bool(data.get("header", True))
    names = tuple(str(n) for n in data.get("names") or ())
    if not header and not names:
        raise ConfigError(f"{where}: 'header: false' needs 'names'", hint="list the columns in order under 'names'")
    encoding = str(data.get("encoding", "utf-8"))
    try:
        check_encoding(encoding)
    except ValueError as e:
        raise ConfigError(f"{where}/encoding: {e}", hint="use utf-8, cp1252 or latin-1") from None
    text = TextOptions(encoding=encoding, delimiter=data.get("delimiter"), header=header, names=names,
                       comment=data.get("comment"), header_prefix=data.get("header_prefix"),
                       skip_lines=int(data.get("skip_lines", 0)))
    mapping = CsvMapping(table, text, fields, votes, long, data.get("numbers", "plain"), pad,
                         tuple(str(m) for m in data.get("missing") or ()), data.get("ragged", "quarantine"))
    if names:
        unknown = [c for c in mapping.columns if c not in names]
        if unknown:
            raise ConfigError(f"{where}: column '{unknown[0]}' is mapped but not in 'names'",
                              hint=did_you_mean(unknown[0], names) + "names: " + ", ".join(names))
    assert mapping.numbers in STYLES and mapping.ragged in RAGGED
    return mapping


def _ballot(key: object, where: str) -> int:
    text = str(key).strip()
    if not text.isdigit() or int(text) < 1:
        raise ConfigError(f"{where}/{key}: a ballot number (nomor_urut) is a whole number from 1",
                          hint="write votes as {1: column_of_candidate_1, 2: ...}")
    return int(text)


def check_candidates(mapping: CsvMapping, election: Election, where: str) -> None:
    """Refuse ballot numbers the election does not have (their votes could not be published)."""
    numbers = {p.nomor_urut for p in election.peserta}
    known = ", ".join(str(n) for n in sorted(numbers)) or "none"
    for nomor, _ in mapping.votes:
        if nomor not in numbers:
            raise ConfigError(f"{where}/votes/{nomor}: {election.kode_pemilu} has no candidate {nomor}",
                              hint=f"candidates: {known}; declare them under elections/peserta")
    if mapping.long and mapping.long.by == "id_sumber" and not election.nomor_by_source_id():
        raise ConfigError(f"{where}/long/by: {election.kode_pemilu} candidates have no id_sumber",
                          hint="declare id_sumber for each candidate under elections/peserta, or use by: nomor_urut")
