"""Reader ``bps-wilayah-csv``: headerless BPS region CSVs (FORMATS.md section 19).

The layout of the KPU lists (``provinces.csv`` ``id,name``; ``regencies.csv``,
``districts.csv``, ``villages.csv`` ``id,parent_id,name``; CRLF), in BPS MFD codes:
province 2 digits, regency 4, kecamatan **7**, village 10. The rows load into
``wilayah`` with ``sistem_kode`` ``bps``. BPS numbers regencies differently from
KPU and Kemendagri (BPS ``1101`` is KABUPATEN SIMEULUE, KPU ``1101`` is ACEH
SELATAN), so a project that also holds anything in KPU codes is refused
(:func:`releasekit.readers.codes.refuse_mixed_code_systems`).
"""

from __future__ import annotations

from .kpu_wilayah import HeaderlessRegionReader

LEVEL_BY_LENGTH = {2: 1, 4: 2, 7: 3, 10: 4}


class BpsWilayahReader(HeaderlessRegionReader):
    """Headerless BPS region CSVs (provinces, regencies, districts, villages)."""

    name = "bps-wilayah-csv"
    version = "1"
    summary = "headerless BPS region CSVs (MFD codes, kecamatan 7 digits); never joined to KPU codes"
    code_system = "bps"
    levels = LEVEL_BY_LENGTH
    code_words = "BPS"
