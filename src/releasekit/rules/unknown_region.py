"""``unknown-region``: a result's village is in no region list, where a list covers its province."""

from .base import Need, Rule

# From the villages no list holds to their TPS and results (by the kode_wilayah and kode_tps indexes).
RULE = Rule(
    "unknown-region", "hasil_tps",
    "The TPS's village is not in the region list",
    "Desa/kelurahan TPS tidak ada dalam daftar wilayah",
    """
    SELECT h.kode_pemilu, h.snapshot, h.kode_tps, NULL, NULL,
           'village ' || t.kode_wilayah || ' is in no region list', h.sumber
    FROM wilayah w
    CROSS JOIN tps t ON t.kode_wilayah = w.kode_wilayah
    CROSS JOIN hasil_tps h ON h.kode_tps = t.kode_tps
    WHERE w.sumber IS NULL
      AND substr(t.kode_wilayah, 1, 2) IN (SELECT substr(l.kode_wilayah, 1, 2) FROM wilayah l
                                            WHERE l.tingkat = 4 AND l.sumber IS NOT NULL)
    """,
    needs=(Need("hasil_tps"), Need("wilayah", "tingkat = 4 AND sumber IS NOT NULL", "no region list naming villages",
                                   "tanpa daftar wilayah yang memuat desa/kelurahan", scoped=False)),
)
