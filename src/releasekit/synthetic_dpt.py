"""Deterministic SYNTHETIC voter lists (DPT) for tests, the demo and benchmarks: generated, never real.

Every row is made up from a fixed seed: names are random pairs of common Indonesian given
names and family names, addresses are made-up streets, and each NIK is built the way
Dukcapil builds one, so the checks have something realistic to check:

* a 6-digit region prefix: the district (kecamatan) of the voter's TPS, or for about 1 in
  8 voters another district of the same province (people move), and at
  ``rates.region_mismatch`` a district of another province;
* the birth date as DDMMYY, with 40 added to the day for women;
* a 4-digit serial, unique per prefix and birth date (residents 0001–6999, people from
  elsewhere 7000–9999, so the two never collide).

Planted at known rates, each on its own voter (the returned :class:`Planted` says exactly
how many, which is what the rules must find): repeated NIKs (a later voter of the same
province and sex carries an earlier voter's NIK, name and birth date), invalid NIKs (15
digits, an impossible DDMMYY, an unknown region prefix, in turn), voters under 17 on
polling day who never married (and, not to be flagged, some who married), and broken
rows for the quarantine (a bad date, a bad sex, a missing field, a bad TPS code), written
*in addition* to the voters so the counts per TPS stay what the caller asked for.

``python -m releasekit.synthetic_dpt [RAW_DIR]`` writes the demo's voter list
(:data:`DEMO_FILE`): regency 5202 of the synthetic demo (:mod:`releasekit.synthetic`),
every TPS with the same number of men and women as its results, two TPS with one extra
voter (``dpt-results-mismatch``). The NIKs are random numbers with the right structure,
tied to no person.
"""

from __future__ import annotations

import csv
import datetime
import gzip
import io
import random
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .privacy import PROVINCES
from .readers.dpt_csv import COLUMNS
from .synthetic import raw_dir_argument, run_generator

DEMO_FILE = "dpt_5202_20230702.csv.gz"
DEMO_REGENCY = "5202"
DEMO_SEED = 20230702
POLLING_DAY = datetime.date(2024, 2, 14)

_MEN = ("AHMAD", "BUDI", "AGUS", "RUDI", "DEDI", "HENDRA", "JOKO", "SLAMET", "WAHYU", "EKO", "BAMBANG", "IWAN",
        "ANDI", "RIZKY", "FAJAR", "YUSUF", "ARIF", "IMAM", "HERU", "DIMAS", "MUHAMMAD", "SUTRISNO", "ADI", "YOGA")
_WOMEN = ("SITI", "SRI", "DEWI", "NUR", "RINA", "WATI", "AYU", "PUTRI", "LESTARI", "YULI", "INDAH", "FITRI",
          "RATNA", "ANI", "DIAN", "NOVI", "MAYA", "WULAN", "TUTI", "ENDANG", "NINGSIH", "RAHMA", "LINA", "EKA")
_FAMILY_MEN = ("SAPUTRA", "SETIAWAN", "WIJAYA", "HIDAYAT", "KURNIAWAN", "PRATAMA", "SANTOSO", "NUGROHO",
               "GUNAWAN", "HAKIM", "FIRMANSYAH", "SUSANTO", "", "", "")
_FAMILY_WOMEN = ("RAHAYU", "LESTARI", "PURNAMASARI", "HANDAYANI", "SUSANTI", "WULANDARI", "SARI", "ANGGRAINI",
                 "KUSUMA", "NURHAYATI", "", "", "")
_STREET = ("MAWAR", "MELATI", "KENANGA", "SUDIRMAN", "MERDEKA", "PAHLAWAN", "DAHLIA", "CEMPAKA", "SEMANGGI",
           "NANGKA", "RAYA", "PEMUDA", "KARTINI", "DIPONEGORO", "ANGGREK", "FLAMBOYAN")
_PLACES = ("SUKAMAJU", "KARANGANYAR", "TANJUNGSARI", "SIDOREJO", "WANAREJA", "BANYUMAS", "MEKARSARI", "RANDUSARI")


@dataclass(frozen=True)
class Rates:
    """How often each planted problem appears, per voter (broken rows: per voter, written in addition)."""

    duplicate: float = 0.002
    invalid: float = 0.001
    region_mismatch: float = 0.01
    underage: float = 0.0005
    underage_married: float = 0.0002
    disability: float = 0.01
    broken: float = 0.0005
    iso_dates: float = 0.1


@dataclass
class Planted:
    """What a generated list holds: the counts the build and the rules must report."""

    rows: int = 0
    voters: int = 0
    broken: int = 0
    duplicate_nik: int = 0
    invalid_nik: int = 0
    nik_region_mismatch: int = 0
    underage_unmarried: int = 0
    underage_married: int = 0
    #: kode_tps → [men, women] among the voters (the rows that load).
    by_tps: dict[str, list[int]] = field(default_factory=dict)


@dataclass(frozen=True)
class Station:
    """A TPS and how many men and women its list should hold."""

    kode_tps: str
    men: int
    women: int


class _Generator:
    """The state of one list: serials issued, recent voters to repeat, and the tallies."""

    def __init__(self, rng: random.Random, rates: Rates, districts: Sequence[str], polling_day: datetime.date):
        self.rng = rng
        self.rates = rates
        self.polling = polling_day
        self.by_province: dict[str, list[str]] = {}
        for d in sorted(set(districts)):
            self.by_province.setdefault(d[:2], []).append(d)
        self.resident_serials: dict[tuple[str, str], int] = {}
        self.resident_district = ""
        self.mover_serials: dict[tuple[str, str], int] = {}
        self.recent: dict[tuple[str, str], list[list[str]]] = {}
        self.planted = Planted()
        self.invalid_kind = 0

    def voters(self, station: Station) -> Iterator[list[str]]:
        """The rows of one TPS: its voters in a shuffled order (men and women mixed), then any broken rows."""
        sexes = ["L"] * station.men + ["P"] * station.women
        self.rng.shuffle(sexes)
        family = ""
        for i, sex in enumerate(sexes):
            if i == 0 or self.rng.random() < 0.4:
                family = self._nkk(station.kode_tps)
            yield self._voter(station.kode_tps, sex, family)
            if self.rng.random() < self.rates.broken:
                yield self._broken(station.kode_tps)

    def _voter(self, tps: str, sex: str, nkk: str) -> list[str]:
        rng, rates, planted = self.rng, self.rates, self.planted
        planted.voters += 1
        planted.by_tps.setdefault(tps, [0, 0])[0 if sex == "L" else 1] += 1
        roll = rng.random()
        pool = self.recent.get((tps[:2], sex), [])
        if roll < rates.duplicate and pool:
            original = pool.pop(rng.randrange(len(pool)))  # each original is repeated once at most
            planted.duplicate_nik += 1
            row = list(original)
            row[0], row[1] = tps, nkk
            return row
        roll -= rates.duplicate
        age_kind = "adult"
        if roll < rates.underage:
            age_kind = "underage"
        elif roll < rates.underage + rates.underage_married:
            age_kind = "underage-married"
        roll -= rates.underage + rates.underage_married
        born = self._birth(age_kind)
        married = self._married(born, age_kind)
        nik_kind = "resident"
        if 0 <= roll < rates.invalid:
            nik_kind = "invalid"
        elif 0 <= roll - rates.invalid < rates.region_mismatch and self._other_provinces(tps):
            nik_kind = "mismatch"
        elif rng.random() < 0.125 and len(self.by_province.get(tps[:2], ())) > 1:
            nik_kind = "mover"
        nik = self._nik(tps, sex, born, nik_kind)
        if age_kind == "underage":
            planted.underage_unmarried += 1
        elif age_kind == "underage-married":
            planted.underage_married += 1
        first = rng.choice(_MEN if sex == "L" else _WOMEN)
        last = rng.choice(_FAMILY_MEN if sex == "L" else _FAMILY_WOMEN)
        date = born.isoformat() if rng.random() < rates.iso_dates else born.strftime("%d-%m-%Y")
        disability = str(rng.randint(1, 6)) if rng.random() < rates.disability else ""
        row = [tps, nkk, nik, f"{first} {last}".strip(), rng.choice(_PLACES), date, sex, married,
               f"JL. {rng.choice(_STREET)} NO. {rng.randint(1, 199)}", f"{rng.randint(1, 12):03d}",
               f"{rng.randint(1, 8):03d}", disability, ""]
        if nik_kind in ("resident", "mover") and age_kind == "adult":
            pool = self.recent.setdefault((tps[:2], sex), [])
            pool.append(row)
            if len(pool) > 200:
                del pool[0]
        return row

    def _birth(self, age_kind: str) -> datetime.date:
        if age_kind == "adult":
            years = 17.02 + min(self.rng.expovariate(1 / 22), 75)
        else:
            years = self.rng.uniform(15.2, 16.9)
        return self.polling - datetime.timedelta(days=int(years * 365.2425))

    def _married(self, born: datetime.date, age_kind: str) -> str:
        if age_kind == "underage":
            return "B"
        if age_kind == "underage-married":
            return self.rng.choice("SP")
        age = (self.polling - born).days / 365.2425
        if age < 25:
            return "B" if self.rng.random() < 0.8 else "S"
        return "S" if self.rng.random() < 0.85 else ("P" if age > 40 else "B")

    def _other_provinces(self, tps: str) -> list[str]:
        return [d for p, ds in sorted(self.by_province.items()) if p != tps[:2] for d in ds]

    def _nik(self, tps: str, sex: str, born: datetime.date, kind: str) -> str:
        rng = self.rng
        district = tps[:6]
        if kind == "mismatch":
            district = rng.choice(self._other_provinces(tps))
            self.planted.nik_region_mismatch += 1
        elif kind == "mover":
            district = rng.choice([d for d in self.by_province[tps[:2]] if d != tps[:6]])
        day = born.day + (40 if sex == "P" else 0)
        ddmmyy = f"{day:02d}{born.month:02d}{born.year % 100:02d}"
        if kind in ("mover", "mismatch"):
            serial = self.mover_serials[district, ddmmyy] = self.mover_serials.get((district, ddmmyy), 6999) + 1
        else:
            if district != self.resident_district:  # lists come district by district: forget the last one
                self.resident_serials, self.resident_district = {}, district
            serial = self.resident_serials[district, ddmmyy] = self.resident_serials.get((district, ddmmyy), 0) + 1
        nik = f"{district}{ddmmyy}{serial:04d}"
        if kind == "invalid":
            self.planted.invalid_nik += 1
            self.invalid_kind = (self.invalid_kind + 1) % 3
            if self.invalid_kind == 0:
                return nik[:15]                      # 15 digits
            if self.invalid_kind == 1:
                return f"{nik[:6]}{32 + (40 if sex == 'P' else 0)}{nik[8:]}"  # day 32: impossible
            return f"20{nik[2:]}"                    # province 20 does not exist
        return nik

    def _nkk(self, tps: str) -> str:
        rng = self.rng
        issued = datetime.date(2010, 1, 1) + datetime.timedelta(days=rng.randrange(4700))
        return f"{tps[:6]}{issued.strftime('%d%m%y')}{rng.randint(1, 9999):04d}"

    def _broken(self, tps: str) -> list[str]:
        """A row the reader must quarantine (written in addition to the voters)."""
        self.planted.broken += 1
        row = self._row_like(tps)
        kind = self.planted.broken % 4
        if kind == 0:
            row[5] = "31-02-1990"          # no such date
        elif kind == 1:
            row[6] = "X"                   # sex
        elif kind == 2:
            row = row[:-1]                 # a field short
        else:
            row[0] = tps[:10] + "-1"       # not a TPS code
        return row

    def _row_like(self, tps: str) -> list[str]:
        rng = self.rng
        born = self._birth("adult")
        nik = f"{tps[:6]}{born.strftime('%d%m%y')}{rng.randint(7000, 9999):04d}"
        return [tps, self._nkk(tps), nik, f"{rng.choice(_MEN)} {rng.choice(_FAMILY_MEN)}".strip(),
                rng.choice(_PLACES), born.strftime("%d-%m-%Y"), "L", "S", "JL. RAYA NO. 1", "001", "001", "", ""]


def write_voter_list(path: Path, stations: Sequence[Station], *, seed: int, rates: Rates = Rates(),
                     districts: Sequence[str] = (), polling_day: datetime.date = POLLING_DAY) -> Planted:
    """Write a synthetic voter list (gzipped when ``path`` ends in ``.gz``; the same bytes for the same arguments).

    :param stations: the TPS, in the order written, with their men and women.
    :param districts: known district codes (6 digits) NIK prefixes may come from; the TPS's own always can.
    :returns: what was planted, which is what a build must report.
    """
    known = sorted({*districts, *(s.kode_tps[:6] for s in stations)})
    gen = _Generator(random.Random(seed), rates, known, polling_day)
    with _open(path) as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        for station in stations:
            for row in gen.voters(station):
                writer.writerow(row)
                gen.planted.rows += 1
    return gen.planted


@contextmanager
def _open(path: Path) -> Iterator[io.TextIOWrapper]:
    """A text file to write: plain, or gzip without a timestamp or name (byte-for-byte reproducible)."""
    with path.open("wb") as raw:
        if path.suffix == ".gz":
            with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as gz, \
                    io.TextIOWrapper(gz, encoding="utf-8", newline="") as text:
                yield text
        else:
            with io.TextIOWrapper(raw, encoding="utf-8", newline="") as text:
                yield text


def national_stations(voters: int, *, seed: int = 1) -> tuple[list[Station], list[str]]:
    """TPS of 150–300 voters spread over every province code, with their district codes, for ``voters`` voters.

    Codes have KPU's structure (province 2, regency 2, district 2, village 4, TPS 3);
    districts hold about 40 TPS and villages 8.
    """
    rng = random.Random(seed)
    provinces = sorted(PROVINCES)
    stations: list[Station] = []
    districts: list[str] = []
    left, n = voters, 0
    while left > 0:
        district = f"{provinces[n % len(provinces)]}{1 + n // len(provinces) % 90:02d}{1 + n // 3420 % 90:02d}"
        districts.append(district)
        for village in range(1, 6):
            for number in range(1, 9):
                size = min(left, rng.randint(150, 300))
                if size <= 0:
                    break
                men = round(size * rng.uniform(0.47, 0.53))
                stations.append(Station(f"{district}{2000 + village}{number:03d}", men, size - men))
                left -= size
        n += 1
    return stations, districts


def demo_stations() -> tuple[list[Station], list[str]]:
    """The demo regency's TPS with the men and women their results report, and the demo's districts."""
    from . import synthetic

    rng = random.Random(synthetic.SEED)
    rows, villages = synthetic.regions(rng)
    stations = [Station(st.code, st.adm["pemilih_dpt_l"], st.adm["pemilih_dpt_p"])
                for st in synthetic.stations(rng, villages) if st.code.startswith(DEMO_REGENCY)]
    for k in (3, 17):  # the list has one more voter than the results: dpt-results-mismatch
        st = stations[k]
        stations[k] = Station(st.kode_tps, st.men + 1, st.women)
    return stations, [code for code, _, _ in rows if len(code) == 6]


def write_demo(raw_dir: Path) -> tuple[Path, Planted]:
    """Write the demo's voter list into ``raw_dir``; return its path and what it holds."""
    stations, districts = demo_stations()
    path = raw_dir / DEMO_FILE
    raw_dir.mkdir(parents=True, exist_ok=True)
    planted = write_voter_list(path, stations, seed=DEMO_SEED, districts=districts,
                               rates=Rates(duplicate=0.0015, invalid=0.001, region_mismatch=0.01, underage=0.0006,
                                           underage_married=0.0004, broken=0.0005))
    return path, planted


def main(argv: list[str] | None = None) -> int:
    """``python -m releasekit.synthetic_dpt [RAW_DIR]``: write the demo voter list and print its sha256 pin."""
    from .provenance import sha256_file

    def pin(folder: Path) -> Iterator[str]:
        path, planted = write_demo(folder)
        digest, size = sha256_file(path)
        yield f"{path}  sha256: {digest}  ({size} bytes)"
        yield (f"rows {planted.rows}: voters {planted.voters}, broken {planted.broken}; duplicate-nik "
               f"{planted.duplicate_nik}, invalid-nik {planted.invalid_nik}, nik-region-mismatch "
               f"{planted.nik_region_mismatch}, underage-unmarried {planted.underage_unmarried} "
               f"(and {planted.underage_married} married, not findings)")

    folder = raw_dir_argument(__doc__, "the demo voter list", argv, prog="python -m releasekit.synthetic_dpt")
    return run_generator(folder, pin)


if __name__ == "__main__":
    sys.exit(main())
