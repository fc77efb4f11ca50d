"""Summary tables made at build time: TPS results and votes summed for every area.

Datasette's canned queries (:mod:`releasekit.queries`) read ``rekap_wilayah`` and
``rekap_suara`` instead of grouping 823,000 TPS (× 3 candidates) on every request:
the village level is summed once from ``hasil_tps`` / ``suara``, every higher level
is rolled up from the level below (village → district → regency → province →
national ``0``), so the heavy grouping happens once per build.

Areas are found from the code structure KPU uses (province 2 characters, regency 4,
district 6, village 10, TPS 13), the same prefixes the integrity rules use; names
and parents come from ``wilayah`` when a region list gave them. Sums follow SQL:
a figure no TPS reports stays NULL, never 0.
"""

from __future__ import annotations

import sqlite_utils

from .database import fill_derived, percent
from .tables import NATIONAL, REKAP_SUARA, REKAP_WILAYAH

#: (tingkat, code length) from village up to province; national is level 0, code "0".
LEVELS = ((4, 10), (3, 6), (2, 4), (1, 2))

_TPS_FIGURES = """
    CREATE TEMP TABLE _rekap_tps AS
    SELECT h.kode_pemilu, h.snapshot, substr(h.kode_tps, 1, 10) AS kode,
           h.pemilih_dpt_j, h.pengguna_total_j,
           CASE WHEN h.pengguna_total_j IS NOT NULL THEN h.pemilih_dpt_j END AS dpt_lapor,
           CASE WHEN h.pemilih_dpt_j IS NOT NULL THEN h.pengguna_total_j END AS pengguna_lapor,
           h.pemilih_dpt_j IS NOT NULL AND h.pengguna_total_j IS NOT NULL AS lapor,
           h.suara_sah, h.suara_tidak_sah, h.suara_total,
           EXISTS (SELECT 1 FROM suara s WHERE s.kode_pemilu = h.kode_pemilu AND s.snapshot = h.snapshot
                   AND s.kode_tps = h.kode_tps AND s.suara IS NOT NULL) AS ada_suara
    FROM hasil_tps h
"""

#: TPS known per village and election: listed by a TPS list, or reporting in any snapshot.
#: Written as a UNION of two plain scans (no correlated subquery), so the plan stays linear
#: whatever statistics the fresh database has.
_ELECTIONS = "CREATE TEMP TABLE _rekap_pemilu AS SELECT DISTINCT kode_pemilu FROM hasil_tps"
_LISTED = """
    CREATE TEMP TABLE _rekap_terdaftar AS
    SELECT kode_pemilu, substr(kode_tps, 1, 10) AS kode, count(*) AS n
    FROM (SELECT e.kode_pemilu, t.kode_tps FROM tps t CROSS JOIN _rekap_pemilu e WHERE t.sumber IS NOT NULL
          UNION SELECT kode_pemilu, kode_tps FROM hasil_tps)
    GROUP BY kode_pemilu, kode
"""

#: A region a region list gave, in the codes TPS codes start with (KPU's, which Kemendagri's are; a BPS list is never
#: built beside results: :func:`releasekit.readers.codes.refuse_mixed_code_systems`).
_LISTED_KPU = "sumber IS NOT NULL AND sistem_kode IN ('kpu', 'kemendagri')"
#: The areas one level down that the region lists give, per area (the country's: its provinces), where they give any
#: (not those :meth:`releasekit.ingest.Loader.derive_places` derives from TPS codes, which are the ones with TPS):
#: how many areas a province, regency or district has, so that one whose TPS are known in a few of them is not read
#: as whole (review BQ L2: with a TPS list of Aceh Selatan alone, Aceh read 1.0 % complete of 697 TPS, as if it had
#: 697).
_CHILDREN = f"""
    insert into _rekap_anak
    SELECT kode_induk AS kode, count(*) AS n FROM wilayah
    WHERE {_LISTED_KPU} AND tingkat > 1 AND kode_induk IS NOT NULL AND kode_induk <> '{NATIONAL}'
    GROUP BY kode_induk
    UNION ALL SELECT '{NATIONAL}', count(*) FROM wilayah WHERE {_LISTED_KPU} AND tingkat = 1 HAVING count(*) > 0
"""

#: One row per (election, snapshot, area) at one level, with the three extra sums turnout needs:
#: registered voters and voters who voted over the TPS that report both, and how many TPS those are.
_LEVEL_TABLE = """
    CREATE TEMP TABLE _rekap_{level} (kode_pemilu TEXT, snapshot TEXT, kode TEXT, tps_terdaftar INTEGER,
        tps_hasil INTEGER, tps_suara INTEGER, pemilih_dpt_j INTEGER, pengguna_total_j INTEGER,
        dpt_lapor INTEGER, pengguna_lapor INTEGER, tps_lapor INTEGER, suara_sah INTEGER, suara_tidak_sah INTEGER,
        suara_total INTEGER, subwilayah_tps INTEGER)
"""

_VILLAGES = """
    insert into _rekap_4
    SELECT s.kode_pemilu, s.snapshot, s.kode, l.n, r.tps_hasil, r.tps_suara, r.pemilih_dpt_j,
           r.pengguna_total_j, r.dpt_lapor, r.pengguna_lapor, r.tps_lapor, r.suara_sah, r.suara_tidak_sah,
           r.suara_total, NULL
    FROM (SELECT e.kode_pemilu, e.snapshot, l.kode FROM (SELECT DISTINCT kode_pemilu, snapshot FROM _rekap_tps) e
          JOIN _rekap_terdaftar l ON l.kode_pemilu = e.kode_pemilu
          UNION SELECT kode_pemilu, snapshot, kode FROM _rekap_tps) s
    LEFT JOIN _rekap_terdaftar l ON l.kode_pemilu = s.kode_pemilu AND l.kode = s.kode
    LEFT JOIN (SELECT kode_pemilu, snapshot, kode, count(*) AS tps_hasil, sum(ada_suara) AS tps_suara,
                      sum(pemilih_dpt_j) AS pemilih_dpt_j, sum(pengguna_total_j) AS pengguna_total_j,
                      sum(dpt_lapor) AS dpt_lapor, sum(pengguna_lapor) AS pengguna_lapor, sum(lapor) AS tps_lapor,
                      sum(suara_sah) AS suara_sah,
                      sum(suara_tidak_sah) AS suara_tidak_sah, sum(suara_total) AS suara_total
               FROM _rekap_tps GROUP BY kode_pemilu, snapshot, kode) r
      ON r.kode_pemilu = s.kode_pemilu AND r.snapshot = s.snapshot AND r.kode = s.kode
"""

_ROLL_UP = """
    insert into _rekap_{level}
    SELECT kode_pemilu, snapshot, {code} AS kode, sum(tps_terdaftar), sum(tps_hasil), sum(tps_suara),
           sum(pemilih_dpt_j), sum(pengguna_total_j), sum(dpt_lapor), sum(pengguna_lapor), sum(tps_lapor),
           sum(suara_sah), sum(suara_tidak_sah), sum(suara_total), sum(tps_terdaftar > 0)
    FROM _rekap_{below} GROUP BY kode_pemilu, snapshot, {code}
"""

_PUBLISH_AREAS = """
    insert into rekap_wilayah
    SELECT r.kode_pemilu, r.snapshot, r.kode, {level}, {name}, {parent},
           coalesce(r.tps_terdaftar, 0), coalesce(r.tps_hasil, 0), coalesce(r.tps_suara, 0),
           CASE WHEN r.tps_terdaftar > 0 AND r.tps_hasil > 0
                THEN {coverage} END,
           r.pemilih_dpt_j, r.pengguna_total_j,
           CASE WHEN r.dpt_lapor > 0 THEN {turnout} END,
           coalesce(r.tps_lapor, 0), r.suara_sah, r.suara_tidak_sah, r.suara_total, a.n, r.subwilayah_tps
    FROM _rekap_{level} r LEFT JOIN wilayah w ON w.kode_wilayah = r.kode
    LEFT JOIN _rekap_anak a ON a.kode = r.kode
    ORDER BY r.kode_pemilu, r.snapshot, r.kode
"""
#: The two shares ``rekap_wilayah`` publishes, rounded alike by every SQLite (:func:`releasekit.database.percent`).
_SHARES = {"coverage": percent("coalesce(r.tps_suara, 0)", "r.tps_terdaftar"),
           "turnout": percent("r.pengguna_lapor", "r.dpt_lapor")}

_VOTE_VILLAGES = """
    CREATE TEMP TABLE _suara_4 AS
    SELECT kode_pemilu, snapshot, substr(kode_tps, 1, 10) AS kode, nomor_urut,
           sum(suara) AS suara, count(suara) AS tps
    FROM suara GROUP BY kode_pemilu, snapshot, kode, nomor_urut
"""

_VOTE_ROLL_UP = """
    CREATE TEMP TABLE _suara_{level} AS
    SELECT kode_pemilu, snapshot, {code} AS kode, nomor_urut, sum(suara) AS suara, sum(tps) AS tps
    FROM _suara_{below} GROUP BY kode_pemilu, snapshot, {code}, nomor_urut
"""

_PUBLISH_VOTES = """
    insert into rekap_suara
    SELECT r.kode_pemilu, r.snapshot, r.kode, {level}, {name}, {parent}, r.nomor_urut, r.suara, r.tps
    FROM _suara_{level} r LEFT JOIN wilayah w ON w.kode_wilayah = r.kode
    ORDER BY r.kode_pemilu, r.snapshot, r.kode, r.nomor_urut
"""


def _level_sql(level: int) -> tuple[str, str, str]:
    """(code expression over the level below, name, parent) for one level."""
    if level == 0:
        return f"'{NATIONAL}'", "'Indonesia'", "NULL"
    length = dict(LEVELS)[level]
    parent = f"'{NATIONAL}'" if level == 1 else f"substr(r.kode, 1, {dict(LEVELS)[level - 1]})"
    return f"substr(kode, 1, {length})", "w.nama", f"coalesce(w.kode_induk, {parent})"


def summarize(db: sqlite_utils.Database) -> dict[str, int]:
    """(Re)build ``rekap_wilayah`` and ``rekap_suara`` from the loaded TPS results; rows per table.

    Also completes the derived columns (``hasil_tps.kode_provinsi``, Datasette's province facet) of
    rows an insert left without them: loading is over when the summaries are made.
    """
    conn = db.conn
    fill_derived(db)
    for table in (REKAP_WILAYAH, REKAP_SUARA):
        conn.execute(f"DELETE FROM [{table.name}]")
    conn.execute(_TPS_FIGURES)
    conn.execute(_ELECTIONS)
    conn.execute(_LISTED)
    conn.execute("CREATE TEMP TABLE _rekap_anak (kode TEXT PRIMARY KEY, n INTEGER) WITHOUT ROWID")
    conn.execute(_CHILDREN)
    levels = [level for level, _ in LEVELS] + [0]
    for level in levels:
        conn.execute(_LEVEL_TABLE.format(level=level))
    conn.execute(_VILLAGES)
    conn.execute(_VOTE_VILLAGES)
    for below, level in zip(levels, levels[1:], strict=False):
        code, _, _ = _level_sql(level)
        conn.execute(_ROLL_UP.format(level=level, below=below, code=code))
        conn.execute(_VOTE_ROLL_UP.format(level=level, below=below, code=code))
    for level in levels:
        _, name, parent = _level_sql(level)
        conn.execute(_PUBLISH_AREAS.format(level=level, name=name, parent=parent, **_SHARES))
        conn.execute(_PUBLISH_VOTES.format(level=level, name=name, parent=parent))
    for temp in ("_rekap_tps", "_rekap_pemilu", "_rekap_terdaftar", "_rekap_anak", *(f"_rekap_{lv}" for lv in levels),
                 *(f"_suara_{lv}" for lv in levels)):
        conn.execute(f"DROP TABLE temp.[{temp}]")
    conn.commit()
    return {t.name: conn.execute(f"SELECT count(*) FROM [{t.name}]").fetchone()[0]
            for t in (REKAP_WILAYAH, REKAP_SUARA)}

