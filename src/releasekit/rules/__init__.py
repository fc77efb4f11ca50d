"""Integrity rules (DESIGN.md section 6): one small module each, SQL over the database → ``findings``.

Data findings are facts about the source: they are published, not hidden. A
register decides in ``metadata.yml`` how each rule counts (``error``,
``warning`` or ``off``, optionally ``error_if: "> 0.5%"``), and ``validate``
applies that verdict to the package.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlite_utils

from ..config import Release, RuleSetting
from .ballots_sum_mismatch import RULE as BALLOTS_SUM_MISMATCH
from .base import SEVERITIES, Rule
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

__all__ = ["BY_SLUG", "RULES", "SEVERITIES", "Rule", "breaches", "run_rules"]


@dataclass(frozen=True)
class Breach:
    """A rule whose error findings pass the register's threshold."""

    rule: str
    findings: int
    rows: int
    error_if: str | None


def setting(settings: dict[str, RuleSetting], slug: str) -> RuleSetting:
    """The register's setting for a rule, or the rule's default."""
    return settings.get(slug) or RuleSetting(BY_SLUG[slug].default_severity)


def run_rules(db: sqlite_utils.Database, release: Release) -> dict[str, int]:
    """Run every rule for every register and write ``findings``; return counts per rule."""
    with db.conn:
        for register in release.registers:
            if not register.sources:
                continue
            for rule in RULES:
                severity = setting(register.rules, rule.slug).severity
                if severity == "off":
                    continue
                db.conn.execute(
                    "INSERT OR IGNORE INTO findings (rule, kode_pemilu, snapshot, key, severity, expected, actual, "
                    f"detail, register) WITH q(c0, c1, c2, c3, c4, c5, c6) AS ({rule.sql}) "
                    "SELECT ?, c0, c1, c2, ?, c3, c4, c5, ? FROM q "
                    "WHERE c6 IN (SELECT path FROM sources WHERE register = ?) ORDER BY c0, c1, c2",
                    (rule.slug, severity, register.id, register.id),
                )
    return dict(db.execute("SELECT rule, count(*) FROM findings GROUP BY rule ORDER BY rule").fetchall())


def exceeds(error_if: str | None, findings: int, rows: int) -> bool:
    """Whether ``findings`` error findings out of ``rows`` scoped rows break the threshold.

    No threshold means any error finding counts.
    """
    if not error_if:
        return findings > 0
    match = THRESHOLD.match(error_if)
    if not match:
        raise ValueError(f"bad threshold {error_if!r}")
    op, number, percent = match.groups()
    limit = float(number) * rows / 100 if percent else float(number)
    return findings >= limit if op == ">=" else findings > limit


def breaches(counts: dict[str, int], settings: dict[str, RuleSetting], rows: int) -> list[Breach]:
    """Rules set to ``error`` whose finding counts break their thresholds."""
    out = []
    for slug, count in sorted(counts.items()):
        if slug not in BY_SLUG:
            continue
        s = setting(settings, slug)
        if s.severity == "error" and exceeds(s.error_if, count, rows):
            out.append(Breach(slug, count, rows, s.error_if))
    return out
