"""``unknown-region``: a result's village is in no region list, where a list covers its province."""

from .base import Rule

RULE = Rule(
    "unknown-region", "hasil_tps",
    "The TPS's village is not in the region list",
    "Desa/kelurahan TPS tidak ada dalam daftar wilayah",
    """
    SELECT h.kode_pemilu, h.snapshot, h.kode_tps, NULL, NULL,
           'village ' || t.kode_wilayah || ' is in no region list', h.sumber
    FROM hasil_tps h
    JOIN tps t ON t.kode_tps = h.kode_tps
    JOIN wilayah w ON w.kode_wilayah = t.kode_wilayah
    WHERE w.sumber IS NULL
      AND substr(t.kode_wilayah, 1, 2) IN (SELECT substr(l.kode_wilayah, 1, 2) FROM wilayah l
                                            WHERE l.tingkat = 4 AND l.sumber IS NOT NULL)
    """,
)
