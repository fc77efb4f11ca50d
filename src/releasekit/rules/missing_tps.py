"""``missing-tps``: a listed TPS with no result in a snapshot (completeness).

Checked per snapshot, for the provinces that snapshot has results in: a TPS
list for the whole country does not make a one-province export "incomplete"
elsewhere.
"""

from .base import Need, Rule

RULE = Rule(
    "missing-tps", "hasil_tps",
    "A TPS in the official list has no result",
    "TPS dalam daftar resmi tidak memiliki hasil",
    """
    SELECT snap.kode_pemilu, snap.snapshot, t.kode_tps, NULL, NULL,
           'no result for listed TPS ' || t.kode_tps, snap.sumber
    FROM (SELECT DISTINCT kode_pemilu, snapshot, sumber, substr(kode_tps, 1, 2) AS prov FROM hasil_tps) snap
    JOIN tps t ON t.sumber IS NOT NULL AND substr(t.kode_tps, 1, 2) = snap.prov
    WHERE NOT EXISTS (SELECT 1 FROM hasil_tps h WHERE h.kode_pemilu = snap.kode_pemilu
                      AND h.snapshot = snap.snapshot AND h.kode_tps = t.kode_tps)
    """,
    needs=(Need("hasil_tps"), Need("tps", "sumber IS NOT NULL", "no list of TPS", "tanpa daftar TPS", scoped=False),),
)
