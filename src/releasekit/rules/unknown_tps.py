"""``unknown-tps``: a result's TPS is not in the TPS list of its village."""

from .base import Need, Rule

# From the TPS no list holds, in villages some list covers, to their results (by the kode_tps index):
# the villages are few or none, the results many.
RULE = Rule(
    "unknown-tps", "hasil_tps",
    "The TPS is not in its village's TPS list",
    "TPS tidak ada dalam daftar TPS desa/kelurahannya",
    """
    WITH listed AS MATERIALIZED (SELECT DISTINCT kode_wilayah FROM tps WHERE sumber IS NOT NULL)
    SELECT h.kode_pemilu, h.snapshot, h.kode_tps, NULL, NULL,
           'TPS ' || h.kode_tps || ' is not in the TPS list of village ' || t.kode_wilayah, h.sumber
    FROM tps t
    CROSS JOIN hasil_tps h ON h.kode_tps = t.kode_tps
    WHERE t.sumber IS NULL AND t.kode_wilayah IN listed
    """,
    needs=(Need("hasil_tps"), Need("tps", "sumber IS NOT NULL", "no list of TPS", "tanpa daftar TPS", scoped=False),),
)
