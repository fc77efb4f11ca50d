"""The canonical tables (DESIGN.md section 5), declared once.

These declarations drive the SQLite schema (:mod:`releasekit.database`), the
Frictionless Table Schemas (:mod:`releasekit.package`), the package README
codebook and the Datasette column descriptions, so none of them can drift.
Every field carries an English and an Indonesian description.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SQLITE_TYPES = {"string": "TEXT", "integer": "INTEGER", "boolean": "INTEGER", "number": "REAL",
                "date": "TEXT", "datetime": "TEXT"}


@dataclass(frozen=True)
class Field:
    """A column: name, Frictionless type, and bilingual documentation."""

    name: str
    type: str
    title: str
    en: str
    id: str
    required: bool = False
    pattern: str | None = None
    enum: tuple[str, ...] | tuple[int, ...] | None = None
    minimum: int | None = None

    @property
    def sqlite_type(self) -> str:
        """The SQLite column type."""
        return SQLITE_TYPES[self.type]


@dataclass(frozen=True)
class ForeignKey:
    """``fields`` of this table reference ``reference_fields`` of ``table``."""

    fields: tuple[str, ...]
    table: str
    reference_fields: tuple[str, ...]
    #: Declared in SQLite only, so Datasette renders the column as a link; not in the Table
    #: Schema, where a stricter key already covers it (``suara`` → ``hasil_tps`` → ``tps``).
    link_only: bool = False


@dataclass(frozen=True)
class Derived:
    """A column in the database only, computed from its row: for serving (a facet, a filter, an index, a link).

    Never a field of the Table Schema nor a column of the CSV, so packages and ``Table.columns`` do
    not change. Computed as rows go in (``database.insert_sql``) and completed once loading is done
    (``database.fill_derived``). A plain column, not a SQLite generated one: only then can an index on
    it answer a query alone (SQLite reads the whole row for any generated column), which halves the
    time of a GROUP BY over it at national scale.
    """

    field: Field
    #: SQL over the row's columns, each written ``{name}``: ``substr({kode_tps}, 1, 2)``.
    expression: str
    #: (table, column) it refers to, declared in SQLite so Datasette renders links and labels.
    references: tuple[str, str] | None = None


@dataclass(frozen=True)
class Table:
    """A canonical table."""

    name: str
    title: str
    en: str
    id: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...] = ()
    indexes: tuple[tuple[str, ...], ...] = ()
    label_column: str | None = None
    derived: tuple[Derived, ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        """Column names in declared order."""
        return tuple(f.name for f in self.fields)

    def field(self, name: str) -> Field:
        """The field called ``name``."""
        return next(f for f in self.fields if f.name == name)


#: How a package's CSVs write a boolean field's values (its Table Schema's
#: ``trueValues`` and ``falseValues``); an empty cell is no value.
TRUE_VALUES = ("1",)
FALSE_VALUES = ("0",)


def register_sources(register: str = ":register") -> str:
    """The paths of a register's sources, as an SQL subquery (``… IN`` it); ``register`` is the SQL that gives
    the register's id: a parameter (``:register`` or ``?``) or an expression."""
    return f"(SELECT path FROM sources WHERE register = {register})"


#: The paths of the register given as the parameter ``:register``, as an SQL subquery.
REGISTER_SOURCES = register_sources()

#: 13 digits; letters only overseas (``99``), where 2024's sub-codes are alphanumeric (``99BE010001001``).
CODE_TPS = r"^(?:[0-9]{13}|99[0-9A-Z]{11})$"
TPS_CODE_TEXT = "13 digits; letters only overseas, after the province code 99"
#: :data:`CODE_TPS` compiled, for the readers (``fullmatch``: the pattern's ``$`` alone passes a final line break).
TPS_CODE = re.compile(CODE_TPS)
#: KPU's area code length → its ``tingkat``: province 2, regency/city 4, district 6, village 10 (BPS codes differ).
LEVEL_BY_LENGTH = {2: 1, 4: 2, 6: 3, 10: 4}
#: The nation's code in the area tables (``rekap_*``, Sirekap's aggregates): level 0, above the provinces.
NATIONAL = "0"
#: A register's id, as ``metadata.yml``'s schema takes it: three digits, leading zeros kept (``001``).
REGISTER_ID = r"^[0-9]{3}$"
CODE_WILAYAH = r"^[0-9]{2}([0-9A-Z]{2}([0-9A-Z]{2}([0-9A-Z]{4})?)?)?$"
#: A TPS's village: the first 10 characters of :data:`CODE_TPS` (``tps.kode_wilayah`` is always that prefix).
CODE_DESA = r"^(?:[0-9]{10}|99[0-9A-Z]{8})$"
#: An area of a published total (``hasil_wilayah`` …): every code an aggregate reader accepts. ``0`` is the
#: whole country; a region code (KPU, BPS), a TPS code in a village's table, or a source's own id of an area
#: (KawalPemilu 2019's village ids, negative overseas; pemiluAPI's kabupaten/kota ids); a ``csv`` mapping may
#: keep the dots of a dotted code (at most 10 characters without them, or 13).
CODE_AREA = r"^-?[0-9A-Z][0-9A-Z.]{0,31}$"
#: A snapshot: a day, or a day and a local time, as ``metadata.yml``'s schema declares a source's ``snapshot``.
SNAPSHOT_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2})?)?$"
#: A source's update time as Sirekap writes it (WIB, no zone): ``2024-02-15 23:29:50``; the readers refuse any other.
TS_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$"
#: :data:`TS_PATTERN` compiled, for the readers.
TS = re.compile(TS_PATTERN)


def _count(name: str, en: str, id_: str) -> Field:
    return Field(name, "integer", name.replace("_", " "), en, id_)


def _triples(prefix: str, en: str, id_: str) -> tuple[Field, ...]:
    parts = (("j", "total", "jumlah"), ("l", "men", "laki-laki"), ("p", "women", "perempuan"))
    return tuple(_count(f"{prefix}_{s}", f"{en} ({e_}).", f"{id_} ({i_}).") for s, e_, i_ in parts)


KODE_PEMILU = Field("kode_pemilu", "string", "Election code", "Election code, e.g. ppwp-2024.",
                    "Kode pemilu, misalnya ppwp-2024.", required=True, pattern=r"^[a-z0-9-]+$")
SNAPSHOT = Field("snapshot", "string", "Snapshot",
                 "The day (or time) the source describes, ISO 8601: YYYY-MM-DD, or YYYY-MM-DD HH:MM[:SS] "
                 "(T or a space between).",
                 "Hari (atau waktu) yang digambarkan sumber, ISO 8601: YYYY-MM-DD, atau YYYY-MM-DD HH:MM[:SS] "
                 "(T atau spasi di antaranya).", required=True, pattern=SNAPSHOT_PATTERN)
KODE_TPS = Field("kode_tps", "string", "Polling-station code",
                 "KPU polling-station (TPS) code: village code plus 3-digit TPS number.",
                 "Kode TPS KPU: kode desa/kelurahan ditambah nomor TPS 3 digit.",
                 required=True, pattern=CODE_TPS)
NOMOR_URUT = Field("nomor_urut", "integer", "Ballot number", "Candidate ballot number.", "Nomor urut peserta.",
                   required=True, minimum=1)
SUMBER = Field("sumber", "string", "Source", "Path of the raw source this row was read from.",
               "Jalur berkas sumber mentah asal baris ini.")
#: ``sumber`` of ``wilayah`` and ``tps``: rows ``ingest.derive_places`` adds from codes have none (review CC L5).
WILAYAH_SUMBER = Field(
    "sumber", "string", "Source",
    "Path of the region list that named it; empty when the region is known only from codes (a TPS's code, or as the "
    "parent of another region).",
    "Jalur daftar wilayah yang menyebutnya; kosong bila wilayah hanya diketahui dari kode (kode TPS, atau sebagai "
    "induk wilayah lain).")
TPS_SUMBER = Field(
    "sumber", "string", "Source",
    "Path of the TPS list that named it; empty when the TPS is known only from its code in results or voter counts "
    "(their sumber: hasil_tps.sumber, dpt_rekap.sumber).",
    "Jalur daftar TPS yang menyebutnya; kosong bila TPS hanya diketahui dari kodenya di hasil atau rekap pemilih "
    "(sumbernya: hasil_tps.sumber, dpt_rekap.sumber).")

PEMILU = Table(
    "pemilu", "Elections", "One row per election.", "Satu baris per pemilu.",
    (
        KODE_PEMILU,
        Field("jenis", "string", "Type", "Election type.", "Jenis pemilu.",
              enum=("ppwp", "dpr", "dpd", "dprd-prov", "dprd-kab", "pilkada")),
        Field("tahun", "integer", "Year", "Election year.", "Tahun pemilu."),
        Field("putaran", "integer", "Round", "Round (1 or 2).", "Putaran (1 atau 2)."),
        Field("tanggal", "date", "Date", "Polling day.", "Tanggal pemungutan suara."),
        Field("nama", "string", "Name", "Official name.", "Nama resmi."),
    ),
    ("kode_pemilu",), label_column="nama",
)

PESERTA = Table(
    "peserta", "Candidates", "Candidates (pairs) or parties on the ballot.",
    "Peserta pemilu (pasangan calon atau partai).",
    (
        KODE_PEMILU,
        Field("nomor_urut", "integer", "Ballot number", "Ballot number.", "Nomor urut.",
              required=True, minimum=1),
        Field("id_sumber", "string", "Source id", "Identifier used by the raw source (Sirekap: 100025).",
              "Pengenal yang dipakai sumber mentah (Sirekap: 100025)."),
        Field("nama", "string", "Name", "Candidate (pair) or party name.", "Nama pasangan calon atau partai."),
    ),
    ("kode_pemilu", "nomor_urut"),
    (ForeignKey(("kode_pemilu",), "pemilu", ("kode_pemilu",)),),
    label_column="nama",
)

#: A region code of any system ``wilayah.sistem_kode`` names: KPU/Kemendagri (2, 4, 6, 10 characters)
#: or BPS, whose kecamatan codes have 7 digits (its villages have 10, its regencies 4).
CODE_WILAYAH_ANY = r"^(?:[0-9]{2}(?:[0-9A-Z]{2}(?:[0-9A-Z]{2}(?:[0-9A-Z]{4})?)?)?|[0-9]{7})$"
#: ``wilayah.sistem_kode`` values (see :mod:`releasekit.readers.codes`).
SISTEM_KODE = ("kpu", "kemendagri", "bps")

WILAYAH = Table(
    "wilayah", "Regions", "Administrative regions: province, regency/city, district, village.",
    "Wilayah administrasi: provinsi, kabupaten/kota, kecamatan, desa/kelurahan.",
    (
        Field("kode_wilayah", "string", "Region code",
              "Region code, undotted, in the system sistem_kode names (KPU unless it says otherwise).",
              "Kode wilayah tanpa titik, dalam sistem yang disebut sistem_kode (KPU kecuali disebut lain).",
              required=True, pattern=CODE_WILAYAH_ANY),
        Field("tingkat", "integer", "Level", "1 province, 2 regency/city, 3 district, 4 village.",
              "1 provinsi, 2 kabupaten/kota, 3 kecamatan, 4 desa/kelurahan.", required=True, enum=(1, 2, 3, 4)),
        Field("nama", "string", "Name", "Name as the region list writes it; empty when derived from codes.",
              "Nama sesuai daftar wilayah; kosong bila hanya diturunkan dari kode."),
        Field("kode_induk", "string", "Parent code", "Code of the parent region.", "Kode wilayah induk.",
              pattern=CODE_WILAYAH_ANY),
        Field("id_sumber", "string", "Source id",
              "Identifier in the source list (Sirekap internal id; Kemendagri: the dotted code as written).",
              "Pengenal dalam daftar sumber (id internal Sirekap; Kemendagri: kode bertitik seperti tertulis)."),
        Field("sistem_kode", "string", "Code system",
              "Code system of kode_wilayah: kpu (KPU/Sirekap, and codes derived from TPS codes), kemendagri "
              "(Kemendagri, dots removed: the numbering KPU uses) or bps (BPS: the same digits name other "
              "regions, never joined to KPU codes).",
              "Sistem kode kode_wilayah: kpu (KPU/Sirekap, juga kode turunan dari kode TPS), kemendagri "
              "(Kemendagri, tanpa titik: penomoran yang dipakai KPU) atau bps (BPS: angka yang sama menamai "
              "wilayah lain, tidak pernah digabung dengan kode KPU).",
              required=True, enum=SISTEM_KODE),
        Field("catatan", "string", "Note",
              "How releasekit read the row where that differs from the raw text (a repair), else empty.",
              "Cara releasekit membaca baris bila berbeda dari teks mentahnya (perbaikan); selain itu kosong."),
        WILAYAH_SUMBER,
    ),
    ("kode_wilayah",),
    (ForeignKey(("kode_induk",), "wilayah", ("kode_wilayah",)),),
    (("kode_induk",), ("tingkat",)),
    label_column="nama",
)

TPS = Table(
    "tps", "Polling stations", "Polling stations (TPS).", "Tempat pemungutan suara (TPS).",
    (
        KODE_TPS,
        Field("kode_wilayah", "string", "Village code", "Code of the village the TPS belongs to.",
              "Kode desa/kelurahan tempat TPS.", required=True, pattern=CODE_DESA),
        Field("nomor_tps", "string", "TPS number", "TPS number within the village, as text (001): the code's last "
              "three digits. Overseas (kode_tps 99…), where Sirekap's codes count a country's TPS, KSK and POS "
              "together, as the TPS list gives it, else the number the name ends with (TPS 001, KSK 001, POS 001: "
              "001), empty when no list names the TPS; so TPS 001 and POS 001 of one place share 001: kode_tps is "
              "the key.",
              "Nomor TPS di desa/kelurahan, sebagai teks (001): tiga digit terakhir kode. Luar negeri (kode_tps "
              "99…), tempat kode Sirekap menomori TPS, KSK dan POS suatu negara bersama-sama, seperti daftar TPS "
              "memberikannya, atau nomor di akhir nama (TPS 001, KSK 001, POS 001: 001), kosong bila tidak ada "
              "daftar yang menamai TPS itu; TPS 001 dan POS 001 di satu tempat sama-sama 001: kuncinya kode_tps."),
        Field("jenis_tps", "string", "TPS type", "reguler, khusus (9xx numbers) or luar-negeri (overseas).",
              "reguler, khusus (nomor 9xx) atau luar-negeri.",
              enum=("reguler", "khusus", "luar-negeri")),
        Field("nama", "string", "Name", "Name in the source list (TPS 001).", "Nama dalam daftar sumber."),
        Field("id_sumber", "string", "Source id", "Identifier in the source list.", "Pengenal dalam daftar sumber."),
        TPS_SUMBER,
    ),
    ("kode_tps",),
    (ForeignKey(("kode_wilayah",), "wilayah", ("kode_wilayah",)),),
    # (jenis_tps: the tps page's default facet, counted from the index, not by a scan of 823,378 rows)
    (("kode_wilayah",), ("jenis_tps",)),
    label_column="nama",
)

HASIL_TPS = Table(
    "hasil_tps", "Results per TPS",
    "Results and administration figures per TPS per snapshot: a TPS has a row for each snapshot that holds it, so a "
    "count over several snapshots (the province facet) counts it once for each; filter on one snapshot to count TPS.",
    "Hasil dan data administrasi per TPS per snapshot: satu baris per TPS untuk setiap snapshot yang memuatnya, "
    "sehingga hitungan atas beberapa snapshot (facet provinsi) menghitungnya sekali per snapshot; saring satu "
    "snapshot untuk menghitung TPS.",
    (
        KODE_PEMILU, SNAPSHOT, KODE_TPS,
        Field("ts", "string", "Updated", "Last update time in the source (WIB, as written: YYYY-MM-DD HH:MM:SS).",
              "Waktu pembaruan terakhir di sumber (WIB, sesuai tertulis: YYYY-MM-DD HH:MM:SS).",
              pattern=TS_PATTERN),
        *_triples("pemilih_dpt", "Registered voters (DPT)", "Pemilih terdaftar dalam DPT"),
        *_triples("pengguna_dpt", "Voters from the DPT who voted", "Pengguna hak pilih dari DPT"),
        *_triples("pengguna_dptb", "Voters from the additional list (DPTb) who voted",
                  "Pengguna hak pilih dari DPTb"),
        *_triples("pengguna_dpk", "Voters from the special list (DPK) who voted",
                  "Pengguna hak pilih dari DPK"),
        *_triples("pengguna_total", "All voters who voted", "Seluruh pengguna hak pilih"),
        _count("suara_sah", "Valid votes.", "Suara sah."),
        _count("suara_tidak_sah", "Invalid votes.", "Suara tidak sah."),
        _count("suara_total", "Valid plus invalid votes.", "Suara sah dan tidak sah."),
        Field("status_suara", "boolean", "Votes entered", "Votes entered/verified flag.",
              "Penanda suara sudah diisi/diverifikasi."),
        Field("status_adm", "boolean", "Administration entered", "Administration figures entered flag.",
              "Penanda data administrasi sudah diisi."),
        Field("psu", "string", "Re-vote", "Re-vote (PSU) marker as the source writes it.",
              "Penanda pemungutan suara ulang (PSU) sesuai sumber."),
        Field("jumlah_foto", "integer", "Photos", "Number of photos of the tally form (Model C.Hasil plano).",
              "Jumlah foto formulir Model C.Hasil (plano)."),
        SUMBER,
    ),
    ("kode_pemilu", "snapshot", "kode_tps"),
    (ForeignKey(("kode_pemilu",), "pemilu", ("kode_pemilu",)),
     ForeignKey(("kode_tps",), "tps", ("kode_tps",))),
    # kode_provinsi leads or follows each filter a page applies (none, snapshot, sumber: the register
    # pages' links) so Datasette's province facet (publish.GROWING_FACETS) is one scan of one index.
    # (kode_tps, kode_pemilu, snapshot) serves a TPS's rows and covers the "as of a day" queries' search for
    # each TPS's latest snapshot in an area, read from the index without a lookup of each row (review BS M1:
    # a province with weeks of daily snapshots passed the time limit).
    (("kode_tps", "kode_pemilu", "snapshot"), ("sumber", "kode_provinsi"), ("snapshot", "kode_pemilu", "kode_tps"),
     ("kode_provinsi",), ("snapshot", "kode_provinsi")),
    derived=(Derived(Field("kode_provinsi", "string", "Province code",
                           "Province of the TPS: the first two characters of kode_tps (database only, not in "
                           "the package).",
                           "Provinsi TPS: dua karakter pertama kode_tps (hanya di basis data, tidak di paket)."),
                     "substr({kode_tps}, 1, 2)", ("wilayah", "kode_wilayah")),),
)

SUARA = Table(
    "suara", "Votes per candidate per TPS", "Votes per candidate per TPS per snapshot.",
    "Perolehan suara per peserta per TPS per snapshot.",
    (
        KODE_PEMILU, SNAPSHOT, KODE_TPS,
        NOMOR_URUT,
        _count("suara", "Votes for the candidate.", "Perolehan suara peserta."),
    ),
    ("kode_pemilu", "snapshot", "kode_tps", "nomor_urut"),
    (ForeignKey(("kode_pemilu", "snapshot", "kode_tps"), "hasil_tps", ("kode_pemilu", "snapshot", "kode_tps")),
     ForeignKey(("kode_pemilu", "nomor_urut"), "peserta", ("kode_pemilu", "nomor_urut")),
     ForeignKey(("kode_tps",), "tps", ("kode_tps",), link_only=True),
     ForeignKey(("kode_pemilu",), "pemilu", ("kode_pemilu",), link_only=True)),
    # One snapshot's rows, by candidate: a page filtered to a snapshot (and its nomor_urut facet), and "votes per
    # candidate on a day", search one day's rows. An index on (kode_pemilu, nomor_urut) made SQLite read every
    # day's rows of the election for the latter, to skip a sort (review BW M1: 0.42 s for 22 days of DKI, 0.04 s).
    (("kode_tps",), ("snapshot", "kode_pemilu", "nomor_urut")),
)

QUARANTINE = Table(
    "quarantine", "Quarantined records", "Raw records that could not be loaded, with the reason.",
    "Rekaman mentah yang tidak dapat dimuat, beserta alasannya.",
    (
        Field("source", "string", "Source", "Path of the raw source.", "Jalur berkas sumber.", required=True),
        Field("locator", "string", "Locator", "Where in the source: archive member, file:line, or member[index].",
              "Letak dalam sumber: anggota arsip, berkas:baris, atau anggota[indeks].", required=True),
        Field("reason", "string", "Reason", "Why the record was not loaded.", "Alasan rekaman tidak dimuat.",
              required=True),
        Field("raw", "string", "Raw", "The raw record as read, without its line ending (truncated to 2,000 "
              "characters), NIK-like numbers masked and control characters escaped; empty where the record holds "
              "personal data (a NIK or a birth date in it), but a voter list's record, rebuilt from its masked "
              "cells (NIK and NKK region prefix, birth year, *** for each other personal cell), and where it "
              "starts as a spreadsheet formula does (=, +, @ or -), which a spreadsheet would run.",
              "Rekaman mentah tanpa akhir barisnya (dipotong sampai 2.000 karakter), angka mirip NIK disamarkan; "
              "kosong bila rekaman memuat data pribadi (NIK atau tanggal lahir), kecuali rekaman daftar pemilih, "
              "yang disusun ulang dari sel yang disamarkan (awalan wilayah NIK dan NKK, tahun lahir, *** untuk "
              "sel pribadi lainnya), dan bila diawali seperti rumus lembar kerja (=, +, @ atau -), yang akan "
              "dijalankan lembar kerja."),
    ),
    ("source", "locator"),
    indexes=(("reason",),),
)

SOURCES = Table(
    "sources", "Sources", "Provenance: every raw file, its hash and its record accounting.",
    "Asal-usul: setiap berkas mentah, hash-nya, dan penghitungan rekamannya.",
    (
        Field("register", "string", "Register", "Register number (001).", "Nomor register (001).", required=True,
              pattern=REGISTER_ID),
        Field("path", "string", "Path", "Path of the raw file in the project.", "Jalur berkas mentah.",
              required=True),
        Field("sha256", "string", "SHA-256",
              "SHA-256 of the raw file; of a folder source, over each of its files' path, a NUL byte and that "
              "file's SHA-256, in path order (sha256sum gives neither: the package README has the script).",
              "SHA-256 berkas mentah; untuk sumber berupa folder, atas jalur setiap berkasnya, satu bita NUL dan "
              "SHA-256 berkas itu, urut jalur (skripnya ada di README paket).",
              required=True, pattern=r"^[0-9a-f]{64}$"),
        Field("bytes", "integer", "Bytes", "Size of the raw file in bytes; of a folder source, its files' sizes added "
              "up.", "Ukuran berkas dalam byte; untuk sumber berupa folder, jumlah ukuran berkasnya.",
              required=True),
        Field("format", "string", "Reader", "Reader used: releasekit's name for the raw format (sirekap-tps-json …).",
              "Pembaca yang dipakai: nama releasekit untuk format mentah (sirekap-tps-json …).", required=True),
        Field("reader_version", "string", "Reader version", "Version of the reader.", "Versi pembaca."),
        Field("election", "string", "Election", "Election code the source belongs to.", "Kode pemilu sumber."),
        Field("snapshot", "string", "Snapshot", "The day the source describes.", "Hari yang digambarkan sumber.",
              pattern=SNAPSHOT_PATTERN),
        Field("title", "string", "Title", "Title of the source.", "Judul sumber."),
        Field("origin", "string", "Origin", "Where the file came from.", "Asal berkas."),
        Field("retrieved", "string", "Retrieved", "When the file was retrieved.", "Waktu berkas diambil."),
        Field("synthetic", "boolean", "Synthetic", "True when the file is generated demo data, not KPU data.",
              "Benar bila berkas adalah data contoh buatan, bukan data KPU."),
        Field("records_in", "integer", "Records in", "Records read from the file.", "Rekaman yang dibaca.",
              required=True),
        Field("records_loaded", "integer", "Records loaded", "Records loaded into the tables.",
              "Rekaman yang dimuat.", required=True),
        Field("records_quarantined", "integer", "Records quarantined",
              "Records set aside in quarantine (in = loaded + quarantined).",
              "Rekaman yang dikarantina (masuk = dimuat + dikarantina).", required=True),
    ),
    ("register", "path"),
)

KODE_AREA = Field("kode_wilayah", "string", "Area code", "Area code; 0 is the whole country.",
                  "Kode wilayah; 0 berarti seluruh Indonesia.", required=True, pattern=CODE_AREA)
#: The area of a published total, numbered as its source numbers areas (review AX #1: a pemiluAPI id read as a KPU
#: code names another region); the package README says how each of its sources does.
KODE_AREA_PUBLISHED = Field(
    "kode_wilayah", "string", "Area code",
    "Area as the source numbers it (the package README says how each source does): KPU region codes in Sirekap "
    "aggregates (0 the whole country, 13 characters a TPS), the source's own ids in pemiluAPI and KawalPemilu files, "
    "which name other regions than the same KPU code.",
    "Wilayah sesuai penomoran sumbernya (README paket menjelaskan tiap sumber): kode wilayah KPU pada agregat "
    "Sirekap (0 seluruh Indonesia, 13 karakter sebuah TPS), pengenal milik sumber pada berkas pemiluAPI dan "
    "KawalPemilu, yang menunjuk wilayah lain daripada kode KPU yang sama.", required=True, pattern=CODE_AREA)

#: Readers whose area codes (``hasil_wilayah.kode_wilayah``) are KPU region codes, the codes of ``wilayah``. The
#: others key areas on the source's own ids (KawalPemilu 2019's and pemiluAPI's: pemiluAPI ``11`` is Kabupaten
#: Bireuen, KPU ``11`` is Aceh) or on whatever a ``csv`` mapping reads (KPU 2014's internal ids): linking those to
#: ``wilayah`` would name the wrong region.
KPU_AREA_READERS = ("sirekap-aggregate-json",)
#: :data:`KPU_AREA_READERS` as an SQL list (``format IN (…)``).
KPU_AREA_FORMATS = ", ".join(f"'{name}'" for name in KPU_AREA_READERS)
WILAYAH_KPU = Field(
    "wilayah_kpu", "string", "Region",
    "kode_wilayah where it is a KPU region code (a sirekap-aggregate-json source; not 0), linked to wilayah for "
    "its name; empty for a source's own area ids (database only, not in the package).",
    "kode_wilayah bila berupa kode wilayah KPU (sumber sirekap-aggregate-json; bukan 0), ditautkan ke wilayah "
    "untuk namanya; kosong untuk pengenal wilayah milik sumber (hanya di basis data, tidak di paket).")

HASIL_WILAYAH = Table(
    "hasil_wilayah", "Published totals per area",
    "Totals an aggregate source publishes for an area (0 = national), per snapshot.",
    "Total yang dipublikasikan sumber agregat untuk suatu wilayah (0 = nasional), per snapshot.",
    (
        KODE_PEMILU, SNAPSHOT,
        KODE_AREA_PUBLISHED,
        Field("ts", "string", "Updated", "Update time in the source (YYYY-MM-DD HH:MM:SS).",
              "Waktu pembaruan di sumber (YYYY-MM-DD HH:MM:SS).", pattern=TS_PATTERN),
        Field("psu", "string", "Type", "Vote type as the source writes it (Reguler).",
              "Jenis pemungutan suara sesuai sumber (Reguler)."),
        Field("persen", "number", "Progress %", "Share of TPS reporting, percent.", "Persentase TPS yang masuk."),
        Field("tps_total", "integer", "TPS", "TPS in the area.", "Jumlah TPS di wilayah."),
        Field("tps_masuk", "integer", "TPS reported", "TPS reported.", "Jumlah TPS yang sudah masuk."),
        _count("suara_sah", "Valid votes in the area, as published.", "Suara sah di wilayah, sesuai publikasi."),
        _count("suara_tidak_sah", "Invalid votes in the area, as published.",
               "Suara tidak sah di wilayah, sesuai publikasi."),
        _count("suara_total", "Valid plus invalid votes in the area, as published.",
               "Suara sah dan tidak sah di wilayah, sesuai publikasi."),
        Field("status_progress", "boolean", "In progress", "Progress flag of a child area.",
              "Penanda progres wilayah anak."),
        Field("asal", "string", "From", "chart (the area's own file) or table (its parent's table).",
              "chart (berkas wilayah itu sendiri) atau table (tabel wilayah induknya).", enum=("chart", "table")),
        SUMBER,
    ),
    ("kode_pemilu", "snapshot", "kode_wilayah"),
    (ForeignKey(("kode_pemilu",), "pemilu", ("kode_pemilu",)),),
    # (wilayah_kpu: a region's page counts the rows that link to it, review BW L1)
    (("kode_wilayah",), ("wilayah_kpu",)),
    # The sources row of a source is written when the source is loaded: its rows get the column from
    # database.fill_derived (once loading is over), not as they go in.
    # (only a code wilayah has a row for: a link to any other would be a page not found)
    derived=(Derived(WILAYAH_KPU, f"CASE WHEN {{kode_wilayah}} <> '0' AND (SELECT format FROM sources "
                                  f"WHERE path = {{sumber}}) IN ({KPU_AREA_FORMATS}) AND EXISTS (SELECT 1 FROM "
                                  f"wilayah w WHERE w.kode_wilayah = {{kode_wilayah}}) THEN {{kode_wilayah}} END",
                     ("wilayah", "kode_wilayah")),),
)

#: The figures of a result row: the columns between its key (election, snapshot, TPS or area) and its ``sumber``,
#: in declared order (the order readers produce them in, and ``releasekit diff`` compares them in).
HASIL_TPS_VALUES: tuple[str, ...] = HASIL_TPS.columns[3:-1]
HASIL_WILAYAH_VALUES: tuple[str, ...] = HASIL_WILAYAH.columns[3:-1]
#: Each result table's figures (:data:`HASIL_TPS_VALUES`, :data:`HASIL_WILAYAH_VALUES`).
RESULT_VALUES = {"hasil_tps": HASIL_TPS_VALUES, "hasil_wilayah": HASIL_WILAYAH_VALUES}

SUARA_WILAYAH = Table(
    "suara_wilayah", "Published votes per area", "Votes per candidate an aggregate source publishes for an area.",
    "Perolehan suara per peserta yang dipublikasikan sumber agregat untuk suatu wilayah.",
    (
        KODE_PEMILU, SNAPSHOT,
        KODE_AREA_PUBLISHED,
        NOMOR_URUT,
        _count("suara", "Votes for the candidate.", "Perolehan suara peserta."),
    ),
    ("kode_pemilu", "snapshot", "kode_wilayah", "nomor_urut"),
    (ForeignKey(("kode_pemilu", "snapshot", "kode_wilayah"), "hasil_wilayah",
                ("kode_pemilu", "snapshot", "kode_wilayah")),
     ForeignKey(("kode_pemilu", "nomor_urut"), "peserta", ("kode_pemilu", "nomor_urut")),
     ForeignKey(("kode_pemilu",), "pemilu", ("kode_pemilu",), link_only=True)),
    (("wilayah_kpu",),),
    derived=(Derived(WILAYAH_KPU, "(SELECT h.wilayah_kpu FROM hasil_wilayah h WHERE h.kode_pemilu = {kode_pemilu} "
                                  "AND h.snapshot = {snapshot} AND h.kode_wilayah = {kode_wilayah})",
                     ("wilayah", "kode_wilayah")),),
)

SOURCE_PATH = Field("source", "string", "Source", "Path of the raw source the snapshot's rows come from.",
                    "Jalur berkas sumber mentah asal baris snapshot.", required=True)
PREVIOUS_SNAPSHOT = Field("previous_snapshot", "string", "Previous snapshot",
                          "The snapshot before this one in the same register and election.",
                          "Snapshot sebelumnya pada register dan pemilu yang sama.", pattern=SNAPSHOT_PATTERN)

SNAPSHOTS = Table(
    "snapshots", "Snapshots", "Every source snapshot of per-TPS results: what it holds, counted at build time.",
    "Setiap snapshot sumber hasil per TPS: isinya, dihitung saat build.",
    (
        KODE_PEMILU, SNAPSHOT, SOURCE_PATH,
        Field("sha256", "string", "SHA-256", "SHA-256 of the raw source.", "SHA-256 berkas sumber mentah.",
              pattern=r"^[0-9a-f]{64}$"),
        PREVIOUS_SNAPSHOT,
        _count("tps", "TPS with a result row in this source.", "TPS yang memiliki baris hasil dalam sumber ini."),
        _count("tps_with_votes", "TPS with at least one candidate vote.", "TPS dengan sedikitnya satu suara peserta."),
        _count("tps_complete", "TPS whose status_suara is true.", "TPS yang status_suara-nya bernilai true."),
        _count("suara_sah", "Valid votes, summed over TPS (empty when no TPS has them).",
               "Jumlah suara sah seluruh TPS (kosong bila tidak ada)."),
        _count("suara_total", "Valid plus invalid votes, summed over TPS.", "Jumlah suara sah dan tidak sah."),
    ),
    ("kode_pemilu", "snapshot", "source"),
    (ForeignKey(("kode_pemilu",), "pemilu", ("kode_pemilu",)),),
)

SNAPSHOT_VOTES = Table(
    "snapshot_votes", "Votes per candidate per snapshot", "Each snapshot source's total votes per candidate.",
    "Total suara per peserta untuk setiap sumber snapshot.",
    (
        KODE_PEMILU, SNAPSHOT, SOURCE_PATH,
        NOMOR_URUT,
        _count("suara", "Votes for the candidate, summed over TPS.", "Jumlah suara peserta seluruh TPS."),
        _count("tps", "TPS with a vote count for the candidate.", "TPS yang memiliki angka suara peserta."),
    ),
    ("kode_pemilu", "snapshot", "source", "nomor_urut"),
    (ForeignKey(("kode_pemilu", "snapshot", "source"), "snapshots", ("kode_pemilu", "snapshot", "source")),
     ForeignKey(("kode_pemilu", "nomor_urut"), "peserta", ("kode_pemilu", "nomor_urut")),
     ForeignKey(("kode_pemilu",), "pemilu", ("kode_pemilu",), link_only=True)),
)

CHANGES = Table(
    "changes", "Changes between snapshots",
    "Every field of a TPS that differs from the previous snapshot of the same register and election.",
    "Setiap isian TPS yang berbeda dari snapshot sebelumnya pada register dan pemilu yang sama.",
    (
        KODE_PEMILU, SNAPSHOT, KODE_TPS,
        Field("field", "string", "Field", "hasil_tps column, suara/<ballot number> for votes, or kode_tps when "
              "the TPS appears or disappears.",
              "Kolom hasil_tps, suara/<nomor urut> untuk suara, atau kode_tps bila TPS muncul atau hilang.",
              required=True),
        Field("previous_snapshot", "string", "Previous snapshot", "The snapshot compared with: the one before, or "
              "for a province that one has no result in, the last snapshot before that had results there.",
              "Snapshot pembanding: snapshot sebelumnya, atau untuk provinsi tanpa hasil di sana, snapshot terakhir "
              "sebelumnya yang memuat hasil di provinsi itu.", required=True, pattern=SNAPSHOT_PATTERN),
        Field("nomor_urut", "integer", "Ballot number", "Candidate ballot number, for vote fields.",
              "Nomor urut peserta, untuk isian suara.", minimum=1),
        Field("kind", "string", "Kind", "added / removed (the TPS appears / disappears), filled (empty → value), "
              "cleared (value → empty) or changed (value → another value).",
              "added / removed (TPS muncul / hilang), filled (kosong → nilai), cleared (nilai → kosong) "
              "atau changed (nilai → nilai lain).",
              required=True, enum=("added", "removed", "filled", "cleared", "changed")),
        Field("before", "string", "Before", "Value in the previous snapshot, as the CSV writes it.",
              "Nilai pada snapshot sebelumnya, sebagaimana ditulis di CSV."),
        Field("after", "string", "After", "Value in this snapshot, as the CSV writes it.",
              "Nilai pada snapshot ini, sebagaimana ditulis di CSV."),
        Field("delta", "integer", "Delta", "after − before, for counts present in both snapshots.",
              "after − before, untuk angka yang ada di kedua snapshot."),
        Field("was_complete", "boolean", "Was complete", "status_suara of the TPS was true in the previous snapshot.",
              "status_suara TPS bernilai true (TPS sudah lengkap) pada snapshot sebelumnya."),
        Field("source", "string", "Source", "Raw source of the TPS row in this snapshot (the previous one when "
              "the TPS disappears).",
              "Sumber mentah baris TPS pada snapshot ini (snapshot sebelumnya bila TPS hilang).", required=True),
    ),
    ("kode_pemilu", "snapshot", "kode_tps", "field"),
    (ForeignKey(("kode_pemilu",), "pemilu", ("kode_pemilu",)),
     ForeignKey(("kode_tps",), "tps", ("kode_tps",))),
    # source: a register page links to its rows (source__in) when other registers' sources load too
    (("kode_tps",), ("was_complete", "nomor_urut"), ("source",)),
)

def _voters(name: str, en: str, id_: str) -> Field:
    return Field(name, "integer", name.replace("_", " "), en, id_, minimum=0)


#: A voter list's counts per TPS (DESIGN.md sections 5 and 7): what is published by default.
DPT_REKAP = Table(
    "dpt_rekap", "Voter list per TPS",
    "Registered voters (DPT) per TPS counted from an individual voter list: by sex, by age band on polling "
    "day, with a disability. Counts only; no person is published.",
    "Pemilih terdaftar (DPT) per TPS dihitung dari daftar pemilih perorangan: menurut jenis kelamin, kelompok "
    "umur pada hari pemungutan suara, dan penyandang disabilitas. Hanya jumlah; tidak ada data perorangan.",
    (
        KODE_PEMILU, KODE_TPS,
        _voters("pemilih_j", "Voters on the list (men + women).", "Pemilih dalam daftar (laki-laki + perempuan)."),
        _voters("pemilih_l", "Men on the list.", "Pemilih laki-laki."),
        _voters("pemilih_p", "Women on the list.", "Pemilih perempuan."),
        _voters("umur_lt17", "Under 17 on polling day (lawful only when ever married).",
                "Di bawah 17 tahun pada hari pemungutan suara (sah hanya bila sudah/pernah kawin)."),
        _voters("umur_17_20", "Aged 17 to 20 on polling day.", "Berumur 17–20 tahun pada hari pemungutan suara."),
        _voters("umur_21_30", "Aged 21 to 30 on polling day.", "Berumur 21–30 tahun pada hari pemungutan suara."),
        _voters("umur_31_40", "Aged 31 to 40 on polling day.", "Berumur 31–40 tahun pada hari pemungutan suara."),
        _voters("umur_41_50", "Aged 41 to 50 on polling day.", "Berumur 41–50 tahun pada hari pemungutan suara."),
        _voters("umur_51_60", "Aged 51 to 60 on polling day.", "Berumur 51–60 tahun pada hari pemungutan suara."),
        _voters("umur_61_plus", "Aged 61 or more on polling day.",
                "Berumur 61 tahun ke atas pada hari pemungutan suara."),
        _voters("disabilitas", "Voters with a disability recorded.", "Pemilih penyandang disabilitas."),
        SUMBER,
    ),
    ("kode_pemilu", "kode_tps"),
    (ForeignKey(("kode_pemilu",), "pemilu", ("kode_pemilu",)), ForeignKey(("kode_tps",), "tps", ("kode_tps",))),
    (("kode_tps",), ("sumber",)),
)

#: The masked individual list: written only for a register with ``publish_individuals: masked``.
DPT_PEMILIH = Table(
    "dpt_pemilih", "Voter list (masked)",
    "Individual voters, masked as KPU masks printed lists: NIK and NKK show only their region prefix, the "
    "birth date only its year; names and addresses only where the register allows them.",
    "Pemilih perorangan, disamarkan seperti daftar cetak KPU: NIK dan NKK hanya menampilkan kode wilayahnya, "
    "tanggal lahir hanya tahunnya; nama dan alamat hanya bila register mengizinkan.",
    (
        KODE_PEMILU, KODE_TPS,
        Field("nomor", "integer", "Number", "The voter's number in the TPS list, in the order of the source.",
              "Nomor urut pemilih di daftar TPS, sesuai urutan sumber.", required=True, minimum=1),
        Field("nik", "string", "NIK (masked)", "National identity number, only the 6-digit region prefix shown.",
              "NIK, hanya 6 digit kode wilayah yang ditampilkan.", pattern=r"^[0-9]{0,6}\*+$"),
        Field("nkk", "string", "NKK (masked)", "Family-card number, only the 6-digit region prefix shown.",
              "Nomor KK, hanya 6 digit kode wilayah yang ditampilkan.", pattern=r"^[0-9]{0,6}\*+$"),
        Field("tahun_lahir", "integer", "Birth year", "Year of birth (the day and month are not published).",
              "Tahun lahir (tanggal dan bulan tidak dipublikasikan)."),
        Field("jenis_kelamin", "string", "Sex", "L (laki-laki) or P (perempuan).", "L atau P.", enum=("L", "P")),
        Field("status_kawin", "string", "Marital status", "B never married, S married, P previously married.",
              "B belum kawin, S sudah kawin, P pernah kawin.", enum=("B", "S", "P")),
        Field("disabilitas", "boolean", "Disability", "Whether a disability is recorded (its kind is not published).",
              "Apakah tercatat penyandang disabilitas (jenisnya tidak dipublikasikan)."),
        Field("nama", "string", "Name", "Name, only where the register allows it.",
              "Nama, hanya bila register mengizinkan."),
        Field("alamat", "string", "Address", "Address, only where the register allows it.",
              "Alamat, hanya bila register mengizinkan."),
        Field("rt", "string", "RT", "Neighbourhood (RT), with the address.", "RT, bersama alamat."),
        Field("rw", "string", "RW", "Hamlet (RW), with the address.", "RW, bersama alamat."),
        SUMBER,
    ),
    ("kode_pemilu", "kode_tps", "nomor"),
    (ForeignKey(("kode_pemilu", "kode_tps"), "dpt_rekap", ("kode_pemilu", "kode_tps")),
     ForeignKey(("kode_tps",), "tps", ("kode_tps",), link_only=True),
     ForeignKey(("kode_pemilu",), "pemilu", ("kode_pemilu",), link_only=True)),
)

FINDINGS = Table(
    "findings", "Findings", "Integrity-rule findings: facts about the source, published, not hidden.",
    "Temuan aturan integritas: fakta tentang sumber, dipublikasikan, tidak disembunyikan.",
    (
        Field("rule", "string", "Rule", "Rule slug: the table of integrity rules, on the register's page of the site "
              "(Findings) and in the package README, says what each finds and what its key, expected and actual "
              "are.", "Slug aturan: tabel aturan integritas, di halaman register pada situs (Temuan) dan di README "
              "paket, menjelaskan temuan tiap aturan serta arti key, expected dan actual-nya.", required=True),
        KODE_PEMILU, SNAPSHOT,
        Field("key", "string", "Key", "What the finding is about, as the table of integrity rules says: a TPS "
              "code (kode_tps), with /column or /triple for a count (negative-count, sex-sum-mismatch), /nomor for "
              "a voter (the voter-list rules), or an area code with /nomor_urut for a candidate's total "
              "(rollup-mismatch, total-decreased; 0 is national).",
              "Yang menjadi temuan, menurut tabel aturan integritas: kode TPS (kode_tps), diikuti /kolom atau "
              "/triple untuk sebuah hitungan (negative-count, sex-sum-mismatch), /nomor untuk seorang pemilih "
              "(aturan daftar pemilih), atau kode wilayah diikuti /nomor_urut untuk total seorang calon "
              "(rollup-mismatch, total-decreased; 0 adalah nasional).", required=True),
        Field("severity", "string", "Severity", "error or warning, as the register sets the rule.",
              "error atau warning, sesuai pengaturan register.", required=True, enum=("error", "warning")),
        Field("expected", "integer", "Expected",
              "The value the rule expected (what, the table of integrity rules says).",
              "Nilai yang diharapkan (apa, menurut tabel aturan integritas)."),
        Field("actual", "integer", "Actual", "The value found (what, the table of integrity rules says).",
              "Nilai yang ditemukan (apa, menurut tabel aturan integritas)."),
        Field("detail", "string", "Detail", "What differs, in words.", "Uraian perbedaan."),
        Field("register", "string", "Register", "Register the finding belongs to.", "Register temuan.",
              required=True, pattern=REGISTER_ID),
    ),
    ("rule", "kode_pemilu", "snapshot", "key"),
    (ForeignKey(("kode_pemilu",), "pemilu", ("kode_pemilu",)),),
    # (register, rule, …): a register's findings of a rule (its page's links), and findings_by_rule's counts read
    # from the index alone, in its order (review BW M3: 1.15 s at 630,000 findings, over the time limit; 0.08 s)
    (("key",), ("register", "rule", "kode_pemilu", "snapshot", "severity")),
)

TINGKAT_REKAP = Field("tingkat", "integer", "Level", "0 national, 1 province, 2 regency/city, 3 district, 4 village.",
                      "0 nasional, 1 provinsi, 2 kabupaten/kota, 3 kecamatan, 4 desa/kelurahan.", required=True)
NAMA_REKAP = Field("nama", "string", "Name", "Region name from the region list (Indonesia for 0).",
                   "Nama wilayah dari daftar wilayah (Indonesia untuk 0).")
INDUK_REKAP = Field("kode_induk", "string", "Parent code", "Code of the parent area (0 for a province).",
                    "Kode wilayah induk (0 untuk provinsi).")

REKAP_WILAYAH = Table(
    "rekap_wilayah", "TPS results summed per area",
    "Made by releasekit at build time from hasil_tps: every area at every level (0 = national), per snapshot. "
    "Backs the canned queries; not part of the packages.",
    "Dibuat releasekit saat build dari hasil_tps: setiap wilayah di setiap tingkat (0 = nasional), per snapshot. "
    "Dipakai kueri siap pakai; tidak termasuk dalam paket.",
    (
        KODE_PEMILU, SNAPSHOT, KODE_AREA, TINGKAT_REKAP, NAMA_REKAP, INDUK_REKAP,
        _count("tps_terdaftar", "TPS known in the area: listed, or reporting for this election in any snapshot.",
               "TPS yang dikenal di wilayah: terdaftar, atau melapor untuk pemilu ini di snapshot mana pun."),
        _count("tps_hasil", "TPS with a result record in this snapshot (possibly empty).",
               "TPS yang memiliki rekaman hasil di snapshot ini (mungkin kosong)."),
        _count("tps_suara", "TPS whose record carries votes.", "TPS yang rekamannya memuat perolehan suara."),
        Field("kelengkapan", "number", "Completeness %", "tps_suara / tps_terdaftar, percent; empty where the "
              "snapshot holds no record of the area (not covered).",
              "tps_suara / tps_terdaftar, persen; kosong bila snapshot tidak memuat rekaman wilayah itu."),
        _count("pemilih_dpt_j", "Registered voters (DPT), summed over TPS that report it.",
               "Pemilih DPT, dijumlahkan atas TPS yang melaporkannya."),
        _count("pengguna_total_j", "Voters who voted, summed over TPS that report it.",
               "Pengguna hak pilih, dijumlahkan atas TPS yang melaporkannya."),
        Field("partisipasi", "number", "Turnout %",
              "Voters who voted / registered voters, percent, over TPS reporting both figures.",
              "Pengguna hak pilih / pemilih DPT, persen, atas TPS yang melaporkan keduanya."),
        _count("tps_partisipasi", "TPS reporting both registered voters and voters who voted: those partisipasi "
               "is over.", "TPS yang melaporkan pemilih DPT dan pengguna hak pilih: dasar partisipasi."),
        _count("suara_sah", "Valid votes.", "Suara sah."),
        _count("suara_tidak_sah", "Invalid votes.", "Suara tidak sah."),
        _count("suara_total", "Valid plus invalid votes.", "Suara sah dan tidak sah."),
        _count("subwilayah", "Areas one level down (the country: provinces) that the region lists give; empty "
               "where they give none, and for a village.",
               "Wilayah satu tingkat di bawah (untuk Indonesia: provinsi) menurut daftar wilayah; kosong bila "
               "daftar tidak memuatnya, dan untuk desa."),
        _count("subwilayah_tps", "Areas one level down with a TPS known: fewer than subwilayah, and the area's "
               "completeness and turnout are over part of it.",
               "Wilayah satu tingkat di bawah yang memiliki TPS yang dikenal: bila lebih sedikit dari subwilayah, "
               "kelengkapan dan partisipasi wilayah itu hanya atas sebagiannya."),
    ),
    ("kode_pemilu", "snapshot", "kode_wilayah"),
    # Each area's name is in the row (nama): kode_wilayah is not linked to wilayah, where the country (0) has no
    # row, nor has a region of a project whose region list lacks it (a link would be a page not found).
    (ForeignKey(("kode_pemilu",), "pemilu", ("kode_pemilu",)),),
    (("tingkat", "kode_pemilu", "snapshot"), ("kode_induk",), ("kode_wilayah",)),
    label_column="nama",
)

REKAP_SUARA = Table(
    "rekap_suara", "Votes per candidate summed per area",
    "Made by releasekit at build time from suara: every area at every level (0 = national), per snapshot "
    "and candidate. Backs the canned queries; not part of the packages.",
    "Dibuat releasekit saat build dari suara: setiap wilayah di setiap tingkat (0 = nasional), per snapshot "
    "dan peserta. Dipakai kueri siap pakai; tidak termasuk dalam paket.",
    (
        KODE_PEMILU, SNAPSHOT, KODE_AREA, TINGKAT_REKAP, NAMA_REKAP, INDUK_REKAP,
        NOMOR_URUT,
        _count("suara", "Votes for the candidate, summed over TPS.", "Perolehan suara peserta, dijumlahkan atas TPS."),
        _count("tps", "TPS contributing a vote figure.", "TPS yang menyumbang angka perolehan suara."),
    ),
    ("kode_pemilu", "snapshot", "kode_wilayah", "nomor_urut"),
    (ForeignKey(("kode_pemilu", "nomor_urut"), "peserta", ("kode_pemilu", "nomor_urut")),
     ForeignKey(("kode_pemilu",), "pemilu", ("kode_pemilu",), link_only=True)),  # (areas named in the row, as above)
    (("tingkat", "kode_pemilu", "snapshot"), ("kode_induk",), ("kode_wilayah",)),
)

#: Tables releasekit derives at build time for fast queries; served by Datasette, never packaged.
SUMMARY_TABLES: tuple[Table, ...] = (REKAP_WILAYAH, REKAP_SUARA)

TABLES: tuple[Table, ...] = (PEMILU, PESERTA, WILAYAH, TPS, HASIL_TPS, SUARA, HASIL_WILAYAH, SUARA_WILAYAH,
                              SNAPSHOTS, SNAPSHOT_VOTES, CHANGES, DPT_REKAP, DPT_PEMILIH, FINDINGS, QUARANTINE, SOURCES,
                              *SUMMARY_TABLES)
BY_NAME = {t.name: t for t in TABLES}
