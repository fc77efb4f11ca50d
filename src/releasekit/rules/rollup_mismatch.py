"""``rollup-mismatch``: Σ votes over the TPS of an area ≠ the total an aggregate source publishes.

Compared per election, snapshot, area and candidate, only where the TPS results
cover the area: as many TPS have votes as the source says the area has
(``tps_total``), or the area is a single TPS. A TPS whose figure for the candidate is missing
does not count towards covering the area. A sample of TPS therefore does not
"mismatch" every province it touches. Key: ``kode_wilayah/nomor_urut`` (``0`` = national).

The TPS votes added up are every register's: a register that publishes area totals is checked against the per-TPS
results another register holds, and is checked when the release has any (review CG B1: it said "no hasil_tps rows"
beside a finding).
"""

from .base import AREA_CANDIDATE, Need, Reading, Rule

_LEVELS = " UNION ALL ".join(
    f"SELECT kode_pemilu, snapshot, {prefix} AS kode, nomor_urut, sum(suara) AS total, count(suara) AS n "
    f"FROM suara GROUP BY kode_pemilu, snapshot, {prefix}, nomor_urut"
    for prefix in ("'0'", "substr(kode_tps, 1, 2)", "substr(kode_tps, 1, 4)", "substr(kode_tps, 1, 6)",
                   "substr(kode_tps, 1, 10)", "kode_tps")
)

RULE = Rule(
    "rollup-mismatch", "hasil_wilayah",
    "TPS votes do not add up to the published total of the area",
    "Jumlah suara TPS tidak sama dengan total wilayah yang dipublikasikan",
    f"""
    SELECT a.kode_pemilu, a.snapshot, a.kode_wilayah || '/' || a.nomor_urut, a.suara, t.total,
           'sum over ' || t.n || ' TPS is ' || t.total || ', published ' || a.suara, h.sumber
    FROM suara_wilayah a
    JOIN hasil_wilayah h ON h.kode_pemilu = a.kode_pemilu AND h.snapshot = a.snapshot
      AND h.kode_wilayah = a.kode_wilayah
    JOIN ({_LEVELS}) t ON t.kode_pemilu = a.kode_pemilu AND t.snapshot = a.snapshot AND t.kode = a.kode_wilayah
      AND t.nomor_urut = a.nomor_urut
    WHERE t.total <> a.suara
      AND ((h.tps_total IS NOT NULL AND t.n >= h.tps_total) OR length(a.kode_wilayah) = 13)
    """,
    reads=Reading(key=AREA_CANDIDATE,
                  expected="the published total / total yang dipublikasikan (`suara_wilayah.suara`)",
                  actual="Σ `suara` over the area's TPS / seluruh TPS wilayah itu"),
    # (the register's area totals, and TPS votes of any register to add up: the query sums every register's, so a
    # register of published totals is checked against another's TPS results, review CG B1)
    needs=(Need("hasil_wilayah", "1", "no published area totals (hasil_wilayah)",
                "tanpa total wilayah yang dipublikasikan (hasil_wilayah)"),
           Need("suara", "1", "no TPS votes in the release to add up (suara)",
                "tanpa suara TPS dalam rilis untuk dijumlahkan (suara)", scoped=False)),
)
