"""Canned queries a journalist wants on day one, served by Datasette.

:data:`CANNED_QUERIES` read the summary tables :mod:`releasekit.summaries` makes at
build time (``rekap_wilayah``, ``rekap_suara``, indexed on level and parent) or small
tables (``findings``), so each answers in milliseconds at national scale instead
of grouping every TPS on each request. Parameters left empty mean "all":
``snapshot`` empty gives every snapshot; ``tingkat`` empty gives provinces.
:data:`SNAPSHOT_QUERIES` answer "as of a day" and "what changed" from the
snapshots themselves, by ranges of the ``kode_tps`` indexes.
"""

from __future__ import annotations

from typing import Any

from .database import percent
from .tables import KPU_AREA_FORMATS, NATIONAL

_PESERTA = "LEFT JOIN peserta p ON p.kode_pemilu = r.kode_pemilu AND p.nomor_urut = r.nomor_urut"
#: ``snapshot`` as stored (``2024-03-17T15:44``), as ``metadata.yml`` may write it (``2024-03-17 15:44``), or a day
#: for each snapshot of it (``2024-03-17``); empty for every snapshot.
_SNAPSHOT = ("(:snapshot = '' OR r.snapshot = replace(:snapshot, ' ', 'T') OR length(:snapshot) = 10 "
             "AND r.snapshot > :snapshot || 'T' AND r.snapshot < :snapshot || 'U')")


def _rows(table: str, where: str) -> str:
    return f"SELECT * FROM {table} r WHERE {where}"


def _in_parent(table: str, parent: str, level: str, where: str, given_level: str | None = None) -> str:
    """The rows of ``table`` at tingkat ``level`` matching ``where`` whose ``kode_induk`` is ``:parent``,
    or every one of the level when the parameter is empty (``given_level``: the level when it is not).

    Two branches rather than ``(:parent = '' OR r.kode_induk = :parent)``, with which SQLite walks the
    whole level: a given parent is one search of the kode_induk index (the unary ``+`` keeps SQLite off
    the level index there), and the branch for an empty parameter is skipped before it reads a row.
    """
    given = _rows(table, f"r.kode_induk = :{parent} AND :{parent} <> '' AND +r.tingkat = {given_level or level} "
                         f"AND {where}")
    every = _rows(table, f":{parent} = '' AND r.tingkat = {level} AND {where}")
    return f"{given}\nUNION ALL {every}"


#: The national row's coverage: how many provinces hold a TPS result that snapshot (review AM #2: a day of seven
#: Aceh TPS read as 'Indonesia', 83.73 % for one candidate).
_PROVINCE_COUNT = ("(SELECT count(*) FROM rekap_wilayah w WHERE w.kode_pemilu = r.kode_pemilu AND w.snapshot = "
                   "r.snapshot\n        AND w.tingkat = 1 AND w.tps_hasil > 0)")
_PROVINCES = f",\n       {_PROVINCE_COUNT} AS provinsi_dengan_hasil"
#: The same, in the national row (``tingkat`` 0) of a query of areas: empty in the others (review AP #4: a release of
#: DKI's TPS read 'Indonesia', 73.87 % complete, 80.86 % turnout, in completeness and turnout).
_NATIONAL_PROVINCES = f",\n       CASE WHEN r.tingkat = 0 THEN {_PROVINCE_COUNT} END AS provinsi_dengan_hasil"

#: How many areas one level down hold a TPS known, of those the region lists give (review BQ L2: a province whose TPS
#: list covers one regency read as if that were all of it).
_PARTS = "r.subwilayah_tps, r.subwilayah"

#: The votes of a row's area and day: one search of the primary key (see :func:`_totals`).
_AREA_VOTES = ("(SELECT sum(t.suara) FROM rekap_suara t WHERE t.kode_pemilu = r.kode_pemilu "
               "AND t.snapshot = r.snapshot AND t.kode_wilayah = r.kode_wilayah)")


def _totals(rows: str, coverage: str = "") -> str:
    # Each row's share of its area's votes is one search of the primary key (an area's candidates sit side by
    # side), not a window function: that needs every filtered row sorted before the first is returned, and
    # an empty parameter (all villages: 250,000 rows a snapshot nationally) took seconds in a one-off
    # measurement on the 11-day benchmark database. The window function's own sort is saved; the ORDER BY
    # still sorts the filtered rows (EXPLAIN QUERY PLAN shows a temporary B-tree for it).
    return f"""SELECT r.kode_pemilu, r.snapshot, r.kode_wilayah, r.nama AS wilayah, r.nomor_urut,
       p.nama AS peserta, r.suara,
       {percent("r.suara", _AREA_VOTES)} AS persen,
       r.tps AS tps_dengan_suara{coverage}
FROM ({rows}) r {_PESERTA}
ORDER BY r.kode_pemilu, r.snapshot, r.kode_wilayah, r.nomor_urut"""


#: An area a source publishes that lies in no other area it publishes that snapshot (``r``: its ``hasil_wilayah`` row,
#: ``src``: its ``sources`` row): the whole country, ``0``, where the source has it; else, for KPU region codes
#: (:data:`~releasekit.tables.KPU_AREA_READERS`), each area whose province, regency, district or village the source
#: does not publish too; for a source's own area ids (pemiluAPI, KawalPemilu 2019, a ``csv`` mapping), whose digits
#: say nothing of what holds what, every area.
_TOP_AREA = f"""(r.kode_wilayah = '{NATIONAL}' OR NOT EXISTS (
        SELECT 1 FROM hasil_wilayah n WHERE n.kode_pemilu = r.kode_pemilu AND n.snapshot = r.snapshot
          AND n.kode_wilayah = '{NATIONAL}' AND n.sumber IS r.sumber)
      AND (src.format NOT IN ({KPU_AREA_FORMATS}) OR NOT EXISTS (
        SELECT 1 FROM hasil_wilayah u WHERE u.kode_pemilu = r.kode_pemilu AND u.snapshot = r.snapshot
          AND u.kode_wilayah IN (substr(r.kode_wilayah, 1, 2), substr(r.kode_wilayah, 1, 4),
                                 substr(r.kode_wilayah, 1, 6), substr(r.kode_wilayah, 1, 10))
          AND length(u.kode_wilayah) < length(r.kode_wilayah) AND u.sumber IS r.sumber)))"""


def published_totals(where: str) -> str:
    """Votes per candidate each aggregate source publishes for the country, per election and snapshot, of the
    ``hasil_wilayah`` rows (``r``) matching ``where``: its national area ``0`` as published (``dijumlahkan`` 0), or,
    where it publishes none, summed by releasekit over its areas that lie in no other it publishes (``_TOP_AREA``;
    ``dijumlahkan`` 1), with how many areas that is (``wilayah``) and how many give the candidate a figure
    (``wilayah_dengan_suara``): pemiluAPI 2014's regencies, KawalPemilu 2019's villages (review BQ L4: those
    registers showed no total anywhere). TPS reported and counted are summed only where every area gives them."""
    return f"""WITH top AS (
    SELECT r.kode_pemilu, r.snapshot, r.kode_wilayah, r.sumber, r.tps_masuk, r.tps_total
    FROM hasil_wilayah r JOIN sources src ON src.path = r.sumber
    WHERE {where} AND {_TOP_AREA}),
areas AS (
    SELECT kode_pemilu, snapshot, sumber, count(*) AS wilayah, max(kode_wilayah = '{NATIONAL}') AS nasional,
           CASE WHEN count(tps_masuk) = count(*) THEN sum(tps_masuk) END AS tps_masuk,
           CASE WHEN count(tps_total) = count(*) THEN sum(tps_total) END AS tps_total
    FROM top GROUP BY kode_pemilu, snapshot, sumber)
SELECT t.kode_pemilu, t.snapshot, t.sumber, s.nomor_urut, p.nama AS peserta, sum(s.suara) AS suara,
       {percent("sum(s.suara)", "sum(sum(s.suara)) OVER (PARTITION BY t.kode_pemilu, t.snapshot, t.sumber)")}
         AS persen,
       1 - a.nasional AS dijumlahkan, a.wilayah, count(s.suara) AS wilayah_dengan_suara, a.tps_masuk, a.tps_total
FROM top t
JOIN suara_wilayah s ON s.kode_pemilu = t.kode_pemilu AND s.snapshot = t.snapshot AND s.kode_wilayah = t.kode_wilayah
JOIN areas a ON a.kode_pemilu = t.kode_pemilu AND a.snapshot = t.snapshot AND a.sumber = t.sumber
LEFT JOIN peserta p ON p.kode_pemilu = s.kode_pemilu AND p.nomor_urut = s.nomor_urut
GROUP BY t.kode_pemilu, t.snapshot, t.sumber, s.nomor_urut
ORDER BY t.kode_pemilu, t.snapshot, t.sumber, s.nomor_urut"""


def _drill(level: int, parent_param: str, en_parent: str, en_level: str, id_level: str) -> dict[str, str]:
    return {
        "title": f"Totals per candidate per {en_level} / Perolehan suara per {id_level}",
        "description": (f"Votes per candidate in every {en_level} of the {en_parent} whose code is given "
                        f"(e.g. from the previous drill-down; empty for every {en_level}), per snapshot. / "
                        f"Perolehan suara per peserta di setiap {id_level} dalam wilayah yang kodenya "
                        f"diberikan (kosong untuk semua), per snapshot."),
        "sql": _totals(_in_parent("rekap_suara", parent_param, str(level), _SNAPSHOT)),
    }


#: ``tingkat`` is a level (0 the country … 4 villages) or empty (provinces): anything else gives no rows, where a
#: CAST alone would read ``abc`` as 0, the national row.
_TINGKAT = "(:tingkat IN ('', '0', '1', '2', '3', '4'))"


def _area_figures(columns: str, order: str) -> str:
    # CAST: Datasette passes text, and +r.tingkat (no column affinity) would compare it as text. With kode_induk
    # and no tingkat, the parent's areas one level down (its children, whatever their level).
    rows = _in_parent("rekap_wilayah", "kode_induk", "CAST(coalesce(nullif(:tingkat, ''), 1) AS INTEGER)",
                      f"{_TINGKAT} AND {_SNAPSHOT}",
                      given_level="coalesce(CAST(nullif(:tingkat, '') AS INTEGER), r.tingkat)")
    return f"""SELECT r.kode_pemilu, r.snapshot, r.kode_wilayah, r.nama AS wilayah, {columns}
FROM ({rows}) r
ORDER BY {order}"""


#: name → Datasette canned query (``sql``, ``title``, ``description``).
CANNED_QUERIES: dict[str, dict[str, Any]] = {
    "totals_national": {
        "title": "National totals per candidate / Perolehan suara nasional",
        "description": ("Votes per candidate for the whole country, per election and snapshot, summed from "
                        "every TPS result the snapshot holds: provinsi_dengan_hasil says how many provinces that "
                        "is (a sample of one province is no national total). / Perolehan suara per peserta "
                        "seluruh Indonesia, per snapshot, dijumlahkan dari hasil setiap TPS yang dimuat snapshot itu; "
                        "provinsi_dengan_hasil: jumlah provinsi yang memiliki hasil (hasil dari sebagian provinsi, "
                        "misalnya satu provinsi, bukan total nasional)."),
        "sql": _totals(_rows("rekap_suara", "r.tingkat = 0"), _PROVINCES),
    },
    "totals_province": {
        "title": "Totals per candidate per province / Perolehan suara per provinsi",
        "description": ("Votes per candidate in every province, per snapshot (leave snapshot empty for all). "
                        "/ Perolehan suara per peserta di setiap provinsi, per snapshot."),
        "sql": _totals(_rows("rekap_suara", f"r.tingkat = 1 AND {_SNAPSHOT}")),
    },
    "totals_published": {
        "title": "Published totals per candidate / Perolehan suara yang dipublikasikan",
        "description": ("Votes per candidate for the whole country as each aggregate source publishes them "
                        "(hasil_wilayah, suara_wilayah), per election, snapshot and source: its national area 0 as "
                        "published (dijumlahkan 0), or, for a source that publishes none (pemiluAPI's regencies, "
                        "KawalPemilu's villages, a CSV of districts), summed by releasekit over its areas "
                        "(dijumlahkan 1): wilayah says how many, wilayah_dengan_suara how many give the candidate a "
                        "figure (fewer: a partial sum). Not summed from TPS, unlike totals_national. / Perolehan "
                        "suara seluruh Indonesia sebagaimana dipublikasikan setiap sumber agregat, per pemilu, "
                        "snapshot dan sumber: wilayah nasional 0 apa adanya (dijumlahkan 0), atau, bila sumber tidak "
                        "memuatnya, dijumlahkan releasekit atas wilayah-wilayahnya (dijumlahkan 1): wilayah menyebut "
                        "jumlahnya, wilayah_dengan_suara berapa yang memuat angka peserta itu (lebih sedikit: jumlah "
                        "sebagian)."),
        "sql": published_totals(_SNAPSHOT),
    },
    "totals_kabkota": _drill(2, "provinsi", "province", "regency/city", "kabupaten/kota"),
    "totals_kecamatan": _drill(3, "kabkota", "regency/city", "district", "kecamatan"),
    "totals_desa": _drill(4, "kecamatan", "district", "village", "desa/kelurahan"),
    "findings_by_rule": {
        "title": "Findings per rule / Temuan per aturan",
        "description": ("How many rows each integrity rule flagged, per register, severity and snapshot. "
                        "/ Jumlah baris yang ditandai setiap aturan integritas."),
        "sql": """SELECT register, rule, severity, kode_pemilu, snapshot, count(*) AS findings
FROM findings
GROUP BY register, rule, kode_pemilu, snapshot, severity
ORDER BY register, rule, kode_pemilu, snapshot, severity""",
    },
    "tps_with_findings": {
        "title": "TPS with findings / TPS dengan temuan",
        "description": ("Each TPS a rule flagged (a finding whose key is a TPS code, or starts with one and a slash: "
                        "not an area's), with its village and what was expected and found (leave rule empty for every "
                        "rule; kode_wilayah narrows to the TPS of a province, regency, district or village, by its "
                        "code: 31, 3171, …; empty for all; register narrows to one register's findings, as its page "
                        "links them). At most 1,000 rows are shown: for more, narrow it, or "
                        "filter the findings table, which pages. / Setiap TPS yang ditandai aturan (bukan wilayah), "
                        "dengan desanya dan nilai yang diharapkan dan ditemukan (rule kosong untuk semua aturan); "
                        "kode_wilayah mempersempit ke TPS satu provinsi, kabupaten/kota, kecamatan atau desa menurut "
                        "kodenya: 31, 3171, … (kosong untuk semua); register membatasi ke temuan satu register. "
                        "Paling banyak 1.000 baris ditampilkan: untuk "
                        "selebihnya, persempit pencarian, atau saring tabel findings, yang berhalaman."),
        "sql": """SELECT f.rule, f.severity, f.kode_pemilu, f.snapshot, f.key, substr(f.key, 1, 13) AS kode_tps,
       w.nama AS desa, f.expected, f.actual, f.detail, f.register
FROM findings f
LEFT JOIN tps t ON t.kode_tps = substr(f.key, 1, 13)
LEFT JOIN wilayah w ON w.kode_wilayah = coalesce(t.kode_wilayah, substr(f.key, 1, 10))
WHERE (:rule = '' OR f.rule = :rule)
  AND (length(f.key) = 13 OR substr(f.key, 14, 1) = '/') AND instr(substr(f.key, 1, 13), '/') = 0
  AND substr(f.key, 1, length(:kode_wilayah)) = :kode_wilayah
  AND (:register = '' OR f.register = :register)
ORDER BY f.rule, f.kode_pemilu, f.snapshot, f.key""",
    },
    "completeness": {
        "title": "Completeness per region / Kelengkapan per wilayah",
        "description": ("TPS with votes against TPS known, per region (tingkat 1 province … 4 village, default 1, or "
                        "with kode_induk alone the areas one level below it; kode_induk narrows to one parent; the "
                        "national row, tingkat 0, says in provinsi_dengan_hasil how many provinces hold a result). / "
                        "TPS dengan suara dibanding TPS yang tercatat, per wilayah (tingkat 1 provinsi … 4 desa, "
                        "bawaan 1, atau dengan kode_induk saja wilayah satu tingkat di bawahnya; kode_induk membatasi "
                        "ke satu induk; baris nasional, tingkat 0, menyebut dalam provinsi_dengan_hasil berapa "
                        "provinsi yang memiliki hasil)."),
        "sql": _area_figures(f"r.tps_terdaftar, r.tps_hasil, r.tps_suara, r.kelengkapan, {_PARTS}{_NATIONAL_PROVINCES}",
                             "r.kode_pemilu, r.snapshot, r.kode_wilayah"),
    },
    "turnout": {
        "title": "Turnout per region / Partisipasi per wilayah",
        "description": ("Voters who voted against registered voters, per region, over the TPS reporting both "
                        "(tps_partisipasi of them; tingkat default 1, or with kode_induk alone the areas one level "
                        "below it; the national row says in provinsi_dengan_hasil how many provinces hold a result). /"
                        " Partisipasi pemilih per wilayah, atas TPS yang melaporkan keduanya (tps_partisipasi; tingkat"
                        " bawaan 1, atau dengan kode_induk saja wilayah satu tingkat di bawahnya; baris nasional "
                        "menyebut dalam provinsi_dengan_hasil berapa provinsi yang memiliki hasil)."),
        "sql": _area_figures("r.pemilih_dpt_j, r.pengguna_total_j, r.partisipasi, r.tps_partisipasi, r.tps_suara, "
                             f"r.tps_terdaftar, {_PARTS}{_NATIONAL_PROVINCES}",
                             "r.kode_pemilu, r.snapshot, r.kode_wilayah"),
    },
}


# --------------------------------------------------------------------------- over the snapshots

# The unary + keeps SQLite off the primary key (led by kode_pemilu, the same for every row) so it
# walks the kode_tps index: a range for the region, one short lookup per TPS for its latest snapshot.
# A day written with a space before its time (2024-02-22 18:00), as metadata.yml and diff take it, is compared as the
# snapshots are stored (2024-02-22T17:00): as text, ' ' sorts before 'T', and that day's snapshots were passed over.
_AS_OF = "substr({t}.snapshot, 1, length(:day)) <= replace(:day, ' ', 'T')"  # {t}: the hasil_tps alias
#: ``day`` is a real date, alone or with a time of digits and colons after a space or a ``T`` (``2024-02-20``,
#: ``2024-02-20T12``, ``2024-02-20 18:00``): anything else gives no rows, where the text comparison alone would put
#: ``garbage`` after every snapshot and answer with the latest of each TPS (and ``2024-99-99``, ``2024-02-20xyz``, which
#: started as a date should, were answered so: review AP #2). ``date(…, '+0 days')`` turns 2024-02-30 into March's.
_DAY = ("(date(substr(:day, 1, 10), '+0 days') IS substr(:day, 1, 10) AND (length(:day) = 10 OR ("
        "substr(:day, 11, 1) IN (' ', 'T') AND substr(:day, 12) GLOB '[0-9][0-9]*' "
        "AND substr(:day, 12) NOT GLOB '*[^0-9:]*')))")
#: ``kode_pemilu`` left empty is the one election the snapshots hold, when they hold one (review AM: a release of one
#: election answered an empty form with no row, and nothing said why); of several, it must be named.
_ELECTION = ("coalesce(nullif(:kode_pemilu, ''), (SELECT min(kode_pemilu) FROM snapshots "
             "HAVING count(DISTINCT kode_pemilu) = 1))")
_IN_AREA = f"+h.kode_pemilu = {_ELECTION} AND h.kode_tps >= :kode_wilayah AND h.kode_tps < :kode_wilayah || '~'"
_LATEST = (f"h.snapshot = (SELECT max(x.snapshot) FROM hasil_tps x WHERE x.kode_tps = h.kode_tps "
           f"AND +x.kode_pemilu = h.kode_pemilu AND {_AS_OF.format(t='x')})")

#: name → Datasette canned query over the snapshots themselves (``hasil_tps``, ``suara``, ``changes``); parameters
#: are text, an empty ``kode_wilayah`` means the whole country. (Here, not in :mod:`releasekit.snapshots`: that
#: module is part of the pair cache's fingerprint, and a query's wording has no bearing on the changes.)
SNAPSHOT_QUERIES: dict[str, dict[str, Any]] = {
    "results_as_of": {
        "title": "Results as of a day / Hasil per tanggal",
        "description": (
            "Each TPS as the latest snapshot on or before the day showed it (day as YYYY-MM-DD, or a longer "
            "prefix of the snapshot), one row per candidate; kode_wilayah narrows to a region (a code prefix, "
            "empty for all); kode_pemilu may be empty when the release holds one election. / Setiap TPS "
            "menurut snapshot terakhir pada atau sebelum tanggal tersebut, satu "
            "baris per peserta; kode_wilayah membatasi ke satu wilayah (kosong untuk semua)."),
        "sql": f"""SELECT h.kode_tps, h.snapshot, h.status_suara, h.suara_sah, h.suara_tidak_sah, h.suara_total,
       s.nomor_urut, p.nama AS peserta, s.suara
FROM hasil_tps h
LEFT JOIN suara s ON s.kode_pemilu = h.kode_pemilu AND s.snapshot = h.snapshot AND s.kode_tps = h.kode_tps
LEFT JOIN peserta p ON p.kode_pemilu = s.kode_pemilu AND p.nomor_urut = s.nomor_urut
WHERE {_DAY} AND {_IN_AREA}
  AND {_LATEST}
ORDER BY h.kode_tps, s.nomor_urut""",
    },
    "totals_as_of": {
        "title": "Totals per candidate as of a day / Perolehan suara per tanggal",
        "description": (
            "Votes per candidate summed over every TPS as the latest snapshot on or before the day showed it, "
            "in a region (kode_wilayah, a code prefix: the cost grows with the region's TPS times its snapshots; "
            "a regency answers at once, a large province with weeks of daily snapshots or the whole country can "
            "pass the time limit: ask per regency, or read rekap_wilayah or snapshot_votes, which hold each "
            "snapshot's totals); kode_pemilu may be empty when the release holds one election. / "
            "Perolehan suara per peserta dari setiap TPS menurut snapshot "
            "terakhir pada atau sebelum tanggal tersebut, dalam satu wilayah (kode_wilayah, awalan kode: waktunya "
            "tumbuh dengan jumlah TPS kali jumlah snapshot; satu kabupaten/kota dijawab seketika, provinsi besar "
            "dengan snapshot harian berminggu-minggu atau seluruh Indonesia dapat melewati batas waktu: tanyakan "
            "per kabupaten/kota, atau baca rekap_wilayah atau snapshot_votes, yang memuat total setiap snapshot); "
            "kode_pemilu boleh kosong bila "
            "rilis hanya memuat satu pemilu."),
        # Each TPS's latest snapshot is found once, in one pass over the kode_tps index (a lookup of the latest
        # snapshot for every vote row took several seconds for the whole country, in a one-off measurement).
        # On the 823,378-TPS benchmark release this took 3.4 s for the whole country, over Datasette's 1 s
        # sql_time_limit_ms (publish.py), and 0.1 s for DKI Jakarta (one-off measurement, the machine shared),
        # before hasil_tps's kode_tps index covered the search (review BS M1).
        "sql": f"""WITH h AS (SELECT h.kode_pemilu, h.kode_tps, max(h.snapshot) AS snapshot FROM hasil_tps h
           WHERE {_DAY} AND {_IN_AREA} AND {_AS_OF.format(t="h")}
           GROUP BY h.kode_tps)
SELECT s.nomor_urut, p.nama AS peserta, sum(s.suara) AS suara, count(s.suara) AS tps_dengan_suara,
       min(h.snapshot) AS snapshot_tertua, max(h.snapshot) AS snapshot_terbaru
FROM h
JOIN suara s ON s.kode_pemilu = h.kode_pemilu AND s.snapshot = h.snapshot AND s.kode_tps = h.kode_tps
LEFT JOIN peserta p ON p.kode_pemilu = s.kode_pemilu AND p.nomor_urut = s.nomor_urut
GROUP BY s.nomor_urut, p.nama
ORDER BY s.nomor_urut""",
    },
    "tps_history": {
        "title": "Every change to a TPS / Riwayat perubahan TPS",
        "description": (
            "Each field of the TPS that differed from the snapshot before, snapshot by snapshot; a shorter code "
            "(a village, a district …) gives every TPS under it, an empty one every TPS. / Setiap isian TPS "
            "yang berbeda dari snapshot sebelumnya, snapshot demi snapshot; kode yang lebih pendek untuk semua "
            "TPS di wilayah itu."),
        # A range on the kode_tps index: one TPS, every TPS of an area (a code prefix), or all ('' sorts first;
        # '~' after every digit and capital letter of a code).
        "sql": """SELECT c.kode_tps, c.kode_pemilu, c.previous_snapshot, c.snapshot, c.field, c.kind, c.before, c.after,
       c.delta, c.was_complete, c.source
FROM changes c
WHERE c.kode_tps >= :kode_tps AND c.kode_tps < :kode_tps || '~'
ORDER BY c.kode_tps, c.kode_pemilu, c.snapshot, c.nomor_urut IS NOT NULL, c.nomor_urut, c.field""",
    },
    "votes_changed_after_complete": {
        "title": "Votes changed after the TPS was complete / Suara berubah setelah TPS lengkap",
        "description": (
            "Every TPS whose candidate votes changed although status_suara was already true in the snapshot "
            "before, with the votes before and after (∅: no figure) and selisih, the change in the sum of its "
            "votes as published (a figure cleared takes its votes out of it, one filled puts them in, as "
            "total-decreased counts them). Where the snapshot before does not say whether a TPS was complete "
            "(no status_suara: a CSV without it), one row per pair of snapshots, with no kode_tps, counts the TPS "
            "whose votes changed there: unknown, not none. / Setiap TPS yang perolehan suaranya berubah padahal "
            "status_suara-nya bernilai true (TPS sudah lengkap) pada snapshot sebelumnya; selisih: perubahan "
            "jumlah suara yang dipublikasikan. Bila snapshot sebelumnya tidak memuat status_suara, satu baris tanpa "
            "kode_tps menghitung TPS yang suaranya berubah: tidak diketahui, bukan nol."),
        "sql": """SELECT c.kode_pemilu, c.previous_snapshot, c.snapshot, c.kode_tps,
       group_concat(c.nomor_urut || ': ' || coalesce(c.before, '∅') || ' → ' || coalesce(c.after, '∅'), '; ')
         AS suara,
       sum(coalesce(CAST(c.after AS INTEGER), 0) - coalesce(CAST(c.before AS INTEGER), 0)) AS selisih, c.source
FROM (SELECT * FROM changes WHERE nomor_urut IS NOT NULL AND was_complete = 1
        AND kind IN ('filled', 'cleared', 'changed')
      ORDER BY kode_pemilu, snapshot, kode_tps, nomor_urut) c
GROUP BY c.kode_pemilu, c.snapshot, c.kode_tps
UNION ALL
SELECT kode_pemilu, previous_snapshot, snapshot, NULL,
       'unknown: ' || count(DISTINCT kode_tps) || ' TPS changed votes where the snapshot before has no status_suara '
       || '/ tidak diketahui: status_suara tidak ada pada snapshot sebelumnya', NULL, NULL
FROM changes WHERE nomor_urut IS NOT NULL AND was_complete IS NULL AND kind IN ('filled', 'cleared', 'changed')
GROUP BY kode_pemilu, previous_snapshot, snapshot
ORDER BY 1, 3, 4""",
    },
}
