"""Integrity rules (DESIGN.md section 6): one small module each, SQL over the database → ``findings``.

Data findings are facts about the source: they are published, not hidden. A
register decides in ``metadata.yml`` how each rule counts (``error``,
``warning`` or ``off``, optionally ``error_if: "> 0.5%"``), and ``validate``
applies that verdict to the package. A percentage is of the rule's population
(:func:`population`): results rows, the voters on the lists, or the lists' TPS.
"""

from __future__ import annotations

import os
import re
import sqlite3
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from ..config import Release, RuleSetting
from ..tables import register_sources
from .ballots_sum_mismatch import RULE as BALLOTS_SUM_MISMATCH
from .base import AREA_TABLE, SEVERITIES, UNREADABLE_TPS, Need, Rule
from .changed_after_complete import RULE as CHANGED_AFTER_COMPLETE
from .dpt_results_mismatch import RULE as DPT_RESULTS_MISMATCH
from .duplicate_nik import RULE as DUPLICATE_NIK
from .invalid_nik import RULE as INVALID_NIK
from .missing_tps import RULE as MISSING_TPS
from .negative_count import RULE as NEGATIVE_COUNT
from .nik_region_mismatch import RULE as NIK_REGION_MISMATCH
from .rollup_mismatch import RULE as ROLLUP_MISMATCH
from .sex_sum_mismatch import RULE as SEX_SUM_MISMATCH
from .total_decreased import RULE as TOTAL_DECREASED
from .turnout_exceeds_registered import RULE as TURNOUT_EXCEEDS_REGISTERED
from .underage_unmarried import RULE as UNDERAGE_UNMARRIED
from .unknown_region import RULE as UNKNOWN_REGION
from .unknown_tps import RULE as UNKNOWN_TPS
from .voters_ballots_mismatch import RULE as VOTERS_BALLOTS_MISMATCH
from .votes_sum_mismatch import RULE as VOTES_SUM_MISMATCH

RULES: tuple[Rule, ...] = (
    VOTES_SUM_MISMATCH, BALLOTS_SUM_MISMATCH, VOTERS_BALLOTS_MISMATCH, SEX_SUM_MISMATCH,
    TURNOUT_EXCEEDS_REGISTERED, NEGATIVE_COUNT, UNKNOWN_REGION, UNKNOWN_TPS, ROLLUP_MISMATCH, MISSING_TPS,
    CHANGED_AFTER_COMPLETE, TOTAL_DECREASED,
    DPT_RESULTS_MISMATCH, DUPLICATE_NIK, INVALID_NIK, NIK_REGION_MISMATCH, UNDERAGE_UNMARRIED,
)
BY_SLUG = {r.slug: r for r in RULES}
THRESHOLD = re.compile(r"^\s*(>=?)\s*([0-9]+(?:\.[0-9]+)?)\s*(%?)\s*$")

__all__ = ["BY_SLUG", "RULES", "SEVERITIES", "Need", "Population", "Rule", "breaches", "not_checked", "population",
           "run_rules", "valid_threshold"]


@dataclass(frozen=True)
class Population:
    """What a rule's ``error_if`` percentage is a percentage of: a register's rows of a table, or a column's sum."""

    #: The table(s) counted: the rows of each, added up.
    tables: tuple[str, ...]
    #: None: the tables' rows; else the sum of this column.
    column: str | None
    #: How a message names it ("12 error finding(s) in 8,000 voter(s) on the list").
    label: str


#: The register's results rows: the population of every rule not named in :data:`POPULATIONS`.
RESULT_ROWS = Population(("hasil_tps",), None, "hasil_tps row(s)")
#: Results rows of TPS and of published areas: the population of a rule that checks both (``area_sql``).
RESULT_AND_AREA_ROWS = Population(("hasil_tps", AREA_TABLE), None, "hasil_tps and hasil_wilayah row(s)")
#: The voters on the register's voter lists (Σ ``dpt_rekap.pemilih_j``): one finding per voter at most.
VOTERS = Population(("dpt_rekap",), "pemilih_j", "voter(s) on the list")
#: The TPS of the register's voter lists (``dpt_rekap`` rows), each compared with its results.
LIST_TPS = Population(("dpt_rekap",), None, "TPS on the voter list")
POPULATIONS: dict[str, Population] = {
    DUPLICATE_NIK.slug: VOTERS, INVALID_NIK.slug: VOTERS, NIK_REGION_MISMATCH.slug: VOTERS,
    UNDERAGE_UNMARRIED.slug: VOTERS, DPT_RESULTS_MISMATCH.slug: LIST_TPS,
    **{rule.slug: RESULT_AND_AREA_ROWS for rule in RULES if rule.area_sql},
}


def population(slug: str) -> Population:
    """What rule ``slug``'s ``error_if`` percentage is a percentage of."""
    return POPULATIONS.get(slug, RESULT_ROWS)


@dataclass(frozen=True)
class Breach:
    """A rule whose error findings pass the register's threshold."""

    rule: str
    findings: int
    #: The size of the rule's population (:func:`population`), which a percentage is of.
    rows: int
    error_if: str | None
    population: Population = RESULT_ROWS


def setting(settings: dict[str, RuleSetting], slug: str) -> RuleSetting:
    """The register's setting for a rule, or the rule's default."""
    return settings.get(slug) or RuleSetting(BY_SLUG[slug].default_severity)


#: The column of a table a rule reads that names the raw source of its row (``sumber`` elsewhere).
_SOURCE_COLUMN = {"changes": "source", "snapshots": "source"}


def not_checked(db: sqlite3.Connection | sqlite_utils.Database, register: str) -> dict[str, str]:
    """Each rule that had nothing to check in a register's data, with what was missing (English / Indonesian): a
    rule run over no rows finds nothing, and its ``0`` read as "checked, nothing wrong" (review CD H1: on a release
    whose sources give no ``status_suara``, ``changed-after-complete`` said 0 beside a query counting 6,530 TPS whose
    votes changed at an unknown status). A rule checks something when the register has every row it :attr:`needs
    <releasekit.rules.base.Rule.needs>`, or, for one with an ``area_sql``, rows of published area totals."""
    seen: dict[Need, bool] = {}

    def has(need: Need) -> bool:
        if need not in seen:
            scope = (f"{_SOURCE_COLUMN.get(need.table, 'sumber')} IN {register_sources('?')} AND "
                     if need.scoped else "")
            seen[need] = db.execute(f"SELECT 1 FROM [{need.table}] WHERE {scope}({need.where}) LIMIT 1",
                                    (register,) if need.scoped else ()).fetchone() is not None
        return seen[need]

    if db.execute("SELECT 1 FROM sources WHERE register = ? LIMIT 1", (register,)).fetchone() is None:
        return dict.fromkeys((rule.slug for rule in RULES),
                             "no data: the register lists no source / tanpa data: register ini tidak mencantumkan "
                             "sumber")
    out = {}
    for rule in RULES:
        missing = next((need for need in rule.all_needs if not has(need)), None)
        if missing is None or rule.area_sql and has(Need(AREA_TABLE, rule.area_needs)):
            continue
        if missing.where != "1" and not has(bare := Need(missing.table, scoped=missing.scoped)):
            missing = bare  # (no row at all: that, not a column, is what is missing)
        out[rule.slug] = (f"{missing.en} / {missing.id}" if missing.en else
                          f"no {missing.table} rows / tanpa baris {missing.table}")
    return out


def run_rules(db: sqlite_utils.Database, release: Release, *, database: Path | None = None,
              unreadable: Sequence[tuple[str, str, str]] = ()) -> dict[str, int]:
    """Run every rule for every register and write ``findings``; return counts per rule.

    :param database: the file ``db`` is open on. With it, and a second CPU, the rules' queries run on two
        connections at once (a thread with its own connection; the voter-list rules, whose flags live in a
        ``TEMP`` table of ``db``'s connection, stay on it). Each query's rows are kept aside in the order it
        gives them and written into ``findings`` afterwards, job by job in the usual order, so the table is
        the same as when every rule runs here, one after another.
    :param unreadable: (kode_pemilu, snapshot, kode_tps) of each TPS a record of the snapshot's sources quarantined
        (:func:`releasekit.snapshots.unreadable_tps`): ``total-decreased`` leaves them out; each connection
        holds them in a ``TEMP`` table.
    """
    # A rule's findings are keyed by rows of its table: with none, there is nothing to check (and a rule's
    # grouping work over other tables is skipped). A rule that also checks published area totals is two jobs.
    _keep_unreadable(db.conn, unreadable)
    tables = {t for r in RULES for t in r.tables}
    empty = {t for t in tables if db.conn.execute(f"SELECT 1 FROM [{t}] LIMIT 1").fetchone() is None}
    jobs: list[Job] = []
    for register in release.registers:
        if not register.sources:
            continue
        for rule in RULES:
            severity = setting(register.rules, rule.slug).severity
            if severity == "off":
                continue
            jobs += [Job(register.id, rule, severity, sql) for table, sql in rule.checks if table not in empty]
    # Every other job goes to the thread, except the voter-list rules (their flags are in this connection's TEMP).
    aside = [i for i, job in enumerate(jobs) if "temp." not in job.sql][1::2]
    worker = None
    if database is not None and aside and len(os.sched_getaffinity(0)) >= 2:
        scratch = database.with_name(database.name + ".rules")
        worker = _RuleWorker(database, scratch, [(i, jobs[i]) for i in aside], unreadable)
    else:
        aside = []
    here = sorted(set(range(len(jobs))) - set(aside))
    try:
        for i in here:
            db.conn.execute(f"CREATE TEMP TABLE [_rule_{i}] AS {_job_sql(jobs[i])}", _job_params(jobs[i]))
    finally:
        if worker is not None:
            worker.join()
    try:
        if worker is not None:
            worker.raise_error()
            db.conn.execute("ATTACH DATABASE ? AS rules_aside", (str(scratch),))
        with db.conn:
            for i in range(len(jobs)):
                schema = "temp" if i in here else "rules_aside"
                db.conn.execute(
                    "insert or ignore into findings (rule, kode_pemilu, snapshot, key, severity, expected, actual, "
                    f"detail, register) SELECT * FROM {schema}.[_rule_{i}] ORDER BY rowid")
        for i in here:
            db.conn.execute(f"DROP TABLE temp.[_rule_{i}]")
    finally:
        if worker is not None:
            db.conn.execute("DETACH DATABASE rules_aside")
            scratch.unlink(missing_ok=True)
    return dict(db.execute("SELECT rule, count(*) FROM findings GROUP BY rule ORDER BY rule").fetchall())


def _keep_unreadable(conn: sqlite3.Connection, unreadable: Sequence[tuple[str, str, str]]) -> None:
    """The connection's ``TEMP`` table :data:`~.base.UNREADABLE_TPS`, holding ``unreadable``."""
    conn.execute(f"DROP TABLE IF EXISTS temp.{UNREADABLE_TPS}")
    conn.execute(f"CREATE TEMP TABLE {UNREADABLE_TPS} (kode_pemilu TEXT, snapshot TEXT, kode_tps TEXT, "
                 "PRIMARY KEY (kode_pemilu, snapshot, kode_tps)) WITHOUT ROWID")
    conn.executemany(f"INSERT OR IGNORE INTO temp.{UNREADABLE_TPS} VALUES (?, ?, ?)", unreadable)
    conn.commit()


@dataclass(frozen=True)
class Job:
    """One query of one rule for one register: the rule's ``sql`` or its ``area_sql``."""

    register: str
    rule: Rule
    severity: str
    sql: str


def _job_sql(job: Job) -> str:
    """One job's findings rows, in the order they go into ``findings``."""
    return (f"WITH q(c0, c1, c2, c3, c4, c5, c6) AS ({job.sql}) "
            "SELECT ? AS rule, c0, c1, c2, ? AS severity, c3, c4, c5, ? AS register FROM q "
            f"WHERE c6 IN {register_sources('?')} ORDER BY c0, c1, c2")


def _job_params(job: Job) -> tuple[str, str, str, str]:
    return (job.rule.slug, job.severity, job.register, job.register)


class _RuleWorker(threading.Thread):
    """Runs some rules' queries on a connection of its own, their rows kept in a scratch database file."""

    def __init__(self, database: Path, scratch: Path, jobs: list[tuple[int, Job]],
                 unreadable: Sequence[tuple[str, str, str]] = ()) -> None:
        super().__init__(name="releasekit-rules", daemon=True)
        self.database, self.scratch, self.jobs, self.unreadable = database, scratch, jobs, unreadable
        self.error: BaseException | None = None
        scratch.unlink(missing_ok=True)
        self.start()

    def run(self) -> None:
        try:
            conn = sqlite3.connect(str(self.database))
            try:
                conn.execute("ATTACH DATABASE ? AS aside", (str(self.scratch),))
                conn.execute("PRAGMA aside.journal_mode = OFF")
                conn.execute("PRAGMA aside.synchronous = OFF")
                _keep_unreadable(conn, self.unreadable)
                for i, job in self.jobs:
                    conn.execute(f"CREATE TABLE aside.[_rule_{i}] AS {_job_sql(job)}", _job_params(job))
                    conn.commit()
            finally:
                conn.close()
        except BaseException as e:  # noqa: BLE001 - raised in the build thread by raise_error()
            self.error = e

    def raise_error(self) -> None:
        if self.error is not None:
            raise self.error


def valid_threshold(error_if: object) -> bool:
    """Whether ``error_if`` is a threshold :func:`exceeds` understands (``"> 0.5%"``, ``">= 10"``; none at all)."""
    return error_if is None or error_if == "" or isinstance(error_if, str) and THRESHOLD.match(error_if) is not None


def exceeds(error_if: str | None, findings: int, rows: int) -> bool:
    """Whether ``findings`` error findings out of a population of ``rows`` break the threshold.

    No threshold means any error finding counts.

    :raises ValueError: for a threshold :func:`valid_threshold` refuses.
    """
    if not error_if:
        return findings > 0
    match = THRESHOLD.match(error_if)
    if not match:
        raise ValueError(f"bad threshold {error_if!r}")
    op, number, percent = match.groups()
    limit = float(number) * rows / 100 if percent else float(number)
    return findings >= limit if op == ">=" else findings > limit


def breaches(counts: dict[str, int], settings: dict[str, RuleSetting], sizes: Mapping[Population, int]
             ) -> list[Breach]:
    """Rules set to ``error`` whose finding counts break their thresholds.

    :param sizes: the size of each rule's population (:func:`population`); a missing one is 0.
    """
    out = []
    for slug, count in sorted(counts.items()):
        if slug not in BY_SLUG:
            continue
        s, of = setting(settings, slug), population(slug)
        if s.severity == "error" and exceeds(s.error_if, count, sizes.get(of, 0)):
            out.append(Breach(slug, count, sizes.get(of, 0), s.error_if, of))
    return out
