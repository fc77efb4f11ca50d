"""``votes-sum-mismatch``: Σ votes over candidates ≠ valid votes (both present)."""

from .base import Rule

RULE = Rule(
    "votes-sum-mismatch", "hasil_tps",
    "Sum of candidate votes differs from valid votes",
    "Jumlah suara peserta berbeda dengan suara sah",
    """
    SELECT h.kode_pemilu, h.snapshot, h.kode_tps, h.suara_sah, s.total,
           'sum of votes ' || s.total || ' <> suara_sah ' || h.suara_sah, h.sumber
    FROM hasil_tps h
    JOIN (SELECT kode_pemilu, snapshot, kode_tps, sum(suara) AS total
          FROM suara GROUP BY kode_pemilu, snapshot, kode_tps HAVING count(suara) = count(*)) s
      ON s.kode_pemilu = h.kode_pemilu AND s.snapshot = h.snapshot AND s.kode_tps = h.kode_tps
    WHERE h.suara_sah IS NOT NULL AND s.total <> h.suara_sah
    """,
)
