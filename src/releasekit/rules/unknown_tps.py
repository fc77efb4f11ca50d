"""``unknown-tps``: a result's TPS is not in the TPS list of its village."""

from .base import Rule

RULE = Rule(
    "unknown-tps", "hasil_tps",
    "The TPS is not in its village's TPS list",
    "TPS tidak ada dalam daftar TPS desa/kelurahannya",
    """
    SELECT h.kode_pemilu, h.snapshot, h.kode_tps, NULL, NULL,
           'TPS ' || h.kode_tps || ' is not in the TPS list of village ' || t.kode_wilayah, h.sumber
    FROM hasil_tps h
    JOIN tps t ON t.kode_tps = h.kode_tps
    WHERE t.sumber IS NULL
      AND EXISTS (SELECT 1 FROM tps l WHERE l.kode_wilayah = t.kode_wilayah AND l.sumber IS NOT NULL)
    """,
)
