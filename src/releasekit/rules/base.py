"""What an integrity rule is: a slug, a scope table, bilingual text and one SQL query.

A rule's ``sql`` selects the offending rows as
``(kode_pemilu, snapshot, key, expected, actual, detail, sumber)``; the runner
scopes it to one register's sources and writes ``findings`` rows with the
severity the register gives the rule. A rule that also applies to the totals an
aggregate source publishes per area has an ``area_sql`` of the same shape over
``hasil_wilayah``/``suara_wilayah``, keyed by ``kode_wilayah``: the older elections'
readers write only those tables.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..tables import HASIL_WILAYAH

SEVERITIES = ("error", "warning", "off")

#: The count triples of hasil_tps (``_j`` = ``_l`` + ``_p``).
TRIPLES = ("pemilih_dpt", "pengguna_dpt", "pengguna_dptb", "pengguna_dpk", "pengguna_total")
#: Every count column of hasil_tps.
COUNTS = tuple(f"{t}_{s}" for t in TRIPLES for s in "jlp") + ("suara_sah", "suara_tidak_sah", "suara_total")
#: The table of published area totals, which a rule's ``area_sql`` reads.
AREA_TABLE = HASIL_WILAYAH.name
#: The ``TEMP`` table of (kode_pemilu, snapshot, kode_tps) each rules' connection holds of each TPS a record of the
#: snapshot's sources quarantined (:func:`releasekit.snapshots.unreadable_tps`).
UNREADABLE_TPS = "unreadable_tps"
#: Every count column of hasil_wilayah.
AREA_COUNTS = tuple(f.name for f in HASIL_WILAYAH.fields if f.type == "integer")


@dataclass(frozen=True)
class Reading:
    """How to read a rule's findings, for the package README (review AX #4: the meaning of ``expected`` and ``actual``
    changes from rule to rule, and the package said so nowhere): each a column expression or a few words, English /
    Indonesian; an empty ``expected`` or ``actual`` is a finding that leaves it empty."""

    key: str = "`kode_tps`"
    expected: str = ""
    actual: str = ""


#: The key of a finding about a TPS result, or about the totals an aggregate source publishes for an area.
TPS_OR_AREA = "`kode_tps`, or `kode_wilayah` of a published area / wilayah yang dipublikasikan"
#: The key of a finding about one voter of a voter list: never a name, a NIK or a birth date.
VOTER = "`kode_tps/nomor`: the voter's number in the TPS list / nomor pemilih dalam daftar TPS"
#: The key of a finding about a candidate's total in an area.
AREA_CANDIDATE = "`kode_wilayah/nomor_urut` (`0` national / nasional)"


@dataclass(frozen=True)
class Need:
    """What a rule needs to check anything: a row of ``table`` where ``where`` holds, read from the register's sources
    (``scoped``) or from any (a region list, which any register may declare). ``en`` / ``id`` say what is missing when
    there is none ("no status_suara"); without them, that the table has no such rows."""

    table: str
    where: str = "1"
    en: str = ""
    id: str = ""
    scoped: bool = True


#: What a rule comparing a day with the one before needs: a snapshot of the register after its first of the election
#: (``changes`` holds only what differs: two identical days were compared all the same).
TWO_SNAPSHOTS = Need(
    "snapshots", "snapshot > (SELECT min(s.snapshot) FROM snapshots s WHERE s.kode_pemilu = snapshots.kode_pemilu "
    "AND s.source IN (SELECT path FROM sources WHERE register = (SELECT register FROM sources "
    "WHERE path = snapshots.source)))",
    "one snapshot only: no pair of days to compare", "hanya satu snapshot: tidak ada pasangan hari untuk dibandingkan")


#: What a rule reading the candidates' votes of the register's TPS needs: a result with a row of ``suara`` (results
#: that give ``suara_sah`` and no candidate, a CSV mapping without ``votes``, leave such a rule nothing to compare: its
#: 0 was read as checked, review CG B2).
CANDIDATE_VOTES = Need(
    "hasil_tps", "EXISTS (SELECT 1 FROM suara s WHERE s.kode_pemilu = hasil_tps.kode_pemilu "
    "AND s.snapshot = hasil_tps.snapshot AND s.kode_tps = hasil_tps.kode_tps)",
    "no candidate's votes (suara)", "tanpa suara peserta (suara)")


@dataclass(frozen=True)
class Rule:
    """An integrity rule (DESIGN.md section 6)."""

    slug: str
    table: str
    en: str
    id: str
    sql: str
    default_severity: str = "warning"
    #: The same check over published area totals (``hasil_wilayah``, ``suara_wilayah``), if it applies there.
    area_sql: str | None = None
    #: What its findings' ``key``, ``expected`` and ``actual`` are.
    reads: Reading = Reading()
    #: What it needs to check anything, all of it (none given: a row of its table); a rule with an ``area_sql``
    #: checks something too when the register has rows of the area table where ``area_needs`` holds.
    needs: tuple[Need, ...] = ()
    area_needs: str = "1"

    @property
    def all_needs(self) -> tuple[Need, ...]:
        """What the rule needs to check the rows of its own table: :attr:`needs`, else a row of :attr:`table`."""
        return self.needs or (Need(self.table),)

    @property
    def checks(self) -> tuple[tuple[str, str], ...]:
        """(table, query) of each of the rule's queries: its own, and its ``area_sql`` over ``hasil_wilayah``."""
        return ((self.table, self.sql),) + (((AREA_TABLE, self.area_sql),) if self.area_sql else ())

    @property
    def tables(self) -> tuple[str, ...]:
        """The tables whose rows the rule checks: its own, and ``hasil_wilayah`` when it has an ``area_sql``."""
        return tuple(table for table, _ in self.checks)

    @property
    def title(self) -> str:
        """English then Indonesian, for people."""
        return f"{self.en} / {self.id}"
