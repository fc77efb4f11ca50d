"""What an integrity rule is: a slug, a scope table, bilingual text and one SQL query.

A rule's ``sql`` selects the offending rows as
``(kode_pemilu, snapshot, key, expected, actual, detail, sumber)``; the runner
scopes it to one register's sources and writes ``findings`` rows with the
severity the register gives the rule.
"""

from __future__ import annotations

from dataclasses import dataclass

SEVERITIES = ("error", "warning", "off")

#: The count triples of hasil_tps (``_j`` = ``_l`` + ``_p``).
TRIPLES = ("pemilih_dpt", "pengguna_dpt", "pengguna_dptb", "pengguna_dpk", "pengguna_total")
#: Every count column of hasil_tps.
COUNTS = tuple(f"{t}_{s}" for t in TRIPLES for s in "jlp") + ("suara_sah", "suara_tidak_sah", "suara_total")


@dataclass(frozen=True)
class Rule:
    """An integrity rule (DESIGN.md section 6)."""

    slug: str
    table: str
    en: str
    id: str
    sql: str
    default_severity: str = "warning"

    @property
    def title(self) -> str:
        """English then Indonesian, for people."""
        return f"{self.en} / {self.id}"
