"""Deterministic SYNTHETIC demo data for the releasekit demo project: generated, not KPU figures.

``python -m releasekit.synthetic [RAW_DIR]`` (default ``raw``) writes, from a fixed seed and
without reading the clock, a small made-up presidential election 2024 (``ppwp-2024``):

* ``synthetic_wilayah_kpu/`` -- headerless KPU region CSVs (FORMATS.md section 11):
  ``provinces.csv``, ``regencies.csv``, ``districts.csv``, ``villages.csv``. The province
  codes ``34`` and ``52`` are real KPU codes; every name is generated ("SINTETIS ..."
  provinces, made-up syllables below). One village name has an unquoted comma (``... I,II``).
* ``ppwp_tps_20240215.tar.gz`` -- Sirekap per-TPS JSON (FORMATS.md section 1) early in the
  count, as ``pemilu/hhcw/ppwp/{p}/{kab}/{kec}/{desa}/{tps}.json``: about 40 % empty
  records, some votes-only, some administration-only, the rest complete; serialisation
  variants (compact, 4-space pretty with CRLF, 2-space pretty, optional ``"mode"``,
  shuffled key order). It also holds exactly one truncated member (invalid JSON) and one
  identical copy of a TPS file under a second path (``{desa}/ulang/{tps}.json``), so
  2 records go to the quarantine.
* ``ppwp_tps_20240220.jsonl`` -- the same TPS five days later as JSON Lines (one object per
  line with a ``kode_tps`` key): more complete, 5 TPS with corrected votes.
* ``ppwp_tps_20240320.zip`` -- the final per-TPS results, every record complete.

Deliberate errors, records per file (each on its own TPS and breaking only its own rule):

==========================================================  ========  ========  ========
rule                                                        20240215  20240220  20240320
==========================================================  ========  ========  ========
``votes-sum-mismatch``: Σ chart ≠ ``suara_sah``                    4         3         1
``ballots-sum-mismatch``: sah + tidak_sah ≠ ``suara_total``        3         2         1
``sex-sum-mismatch``: ``pemilih_dpt_l + _p ≠ _j``                  3         4         2
``voters-ballots-mismatch``: ``pengguna_total_j ≠ suara_total``    2         2         1
==========================================================  ========  ========  ========

Archives are byte-for-byte reproducible: sorted members, fixed times and owners, gzip
header without time or file name. Regenerate after editing this module and update the
``sha256`` pins in ``metadata.yml`` (``main`` prints them).
"""

from __future__ import annotations

import gzip
import io
import json
import math
import os
import random
import sys
import tarfile
import uuid
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

SEED = 20240214
TAR_MTIME = 1708000000
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
CANDIDATES = ("100025", "100026", "100027")
SNAPSHOTS = ("2024-02-15", "2024-02-20", "2024-03-20")
WILAYAH_DIR = "synthetic_wilayah_kpu"
TAR_NAME = "ppwp_tps_20240215.tar.gz"
JSONL_NAME = "ppwp_tps_20240220.jsonl"
ZIP_NAME = "ppwp_tps_20240320.zip"
IMAGE_HOST = "https://sirekap-obj-formc.synthetic.invalid"

#: rule -> (first, last) snapshot index of each TPS carrying that error.
ERROR_PLAN: dict[str, tuple[tuple[int, int], ...]] = {
    "votes-sum-mismatch": ((0, 0), (0, 0), (0, 1), (0, 2), (1, 1)),
    "ballots-sum-mismatch": ((0, 0), (0, 1), (0, 2)),
    "sex-sum-mismatch": ((0, 1), (0, 1), (0, 2), (1, 2)),
    "voters-ballots-mismatch": ((0, 0), (0, 1), (1, 2)),
}
#: snapshot -> rule -> number of records with that deliberate error (the table above).
DELIBERATE_ERRORS: dict[str, dict[str, int]] = {
    snap: {rule: sum(first <= k <= last for first, last in spans) for rule, spans in ERROR_PLAN.items()}
    for k, snap in enumerate(SNAPSHOTS)
}
#: province code -> (generated name, vote shares of 01/02/03 that regencies vary around).
PROVINCES: dict[str, tuple[str, tuple[float, float, float]]] = {
    "34": ("SINTETIS NUSA KIDUL", (0.20, 0.52, 0.28)),
    "52": ("SINTETIS NUSA WETAN", (0.31, 0.58, 0.11)),
}
REGENCIES = {"34": ("01", "02", "71"), "52": ("01", "02")}
#: administrasi keys in the order Sirekap writes them.
ADM_ORDER = (
    "suara_sah", "suara_total", "pemilih_dpt_j", "pemilih_dpt_l", "pemilih_dpt_p",
    "pengguna_dpt_j", "pengguna_dpt_l", "pengguna_dpt_p", "pengguna_dptb_j", "pengguna_dptb_l", "pengguna_dptb_p",
    "suara_tidak_sah", "pengguna_total_j", "pengguna_total_l", "pengguna_total_p",
    "pengguna_non_dpt_j", "pengguna_non_dpt_l", "pengguna_non_dpt_p",
)
_SYLLABLES = ("KA", "LO", "MA", "RA", "SE", "TA", "WI", "PU", "NGA", "RI", "DU", "BE", "JO", "GA", "LIN", "SO",
              "MEN", "DA", "NU", "TRI")
_PREFIXES = ("SUKA", "KARANG", "TANJUNG", "SIDO", "WANA", "BANYU", "MEKAR", "RANDU")
_DAY0 = datetime(2024, 2, 14)
#: (earliest, latest) seconds after 2024-02-14 00:00 WIB for an update seen in each snapshot.
_UPDATE_WINDOW = ((15 * 3600, 2 * 86400 - 1), (2 * 86400, 6 * 86400 + 12 * 3600), (7 * 86400, 35 * 86400))


@dataclass
class Station:
    """One synthetic TPS: its clean final figures and how they appear over the snapshots."""

    code: str
    adm: dict[str, int]
    votes: list[int]
    votes_day: int = 0
    adm_day: int = 0
    photo_day: list[int] = field(default_factory=lambda: [0, 0, 0])
    first_votes: list[int] | None = None
    error: tuple[str, int, int, int] | None = None


class _Names:
    """Unique made-up Indonesian-sounding place names."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def __call__(self, prefixed: bool = False) -> str:
        while True:
            prefix = self.rng.choice(_PREFIXES) if prefixed else ""
            name = prefix + "".join(self.rng.choice(_SYLLABLES) for _ in range(2 if prefix else 3))
            if name not in self.used:
                self.used.add(name)
                return name


def _vary(rng: random.Random, shares: tuple[float, ...], spread: float) -> tuple[float, ...]:
    weights = [s * math.exp(rng.gauss(0, spread)) for s in shares]
    return tuple(w / sum(weights) for w in weights)


def _split(total: int, shares: tuple[float, ...]) -> list[int]:
    """Share ``total`` votes out by largest remainder."""
    exact = [total * s for s in shares]
    out = [int(x) for x in exact]
    for i in sorted(range(len(out)), key=lambda i: (out[i] - exact[i], i))[: total - sum(out)]:
        out[i] += 1
    return out


def regions(rng: random.Random) -> tuple[list[tuple[str, str | None, str]], list[tuple[str, tuple[float, ...]]]]:
    """Generate the region tree.

    :param rng: the seeded generator.
    :returns: ``(code, parent code, name)`` rows, provinces to villages, and each village's vote shares.
    """
    names = _Names(rng)
    rows: list[tuple[str, str | None, str]] = []
    villages: list[tuple[str, tuple[float, ...]]] = []
    for prov, (prov_name, shares) in PROVINCES.items():
        rows.append((prov, None, prov_name))
        for kab in REGENCIES[prov]:
            kab_code, kota = prov + kab, kab.startswith("7")
            rows.append((kab_code, prov, ("KOTA " if kota else "") + names()))
            kab_shares = _vary(rng, shares, 0.25)
            for kec in range(1, rng.randint(2, 3) + 1):
                kec_code = f"{kab_code}{kec:02d}"
                rows.append((kec_code, kab_code, names()))
                n_desa = rng.randint(3, 4)
                n_kel = n_desa if kota else rng.randint(0, 1)
                for d in range(n_desa):
                    code = kec_code + (f"1{d + 1:03d}" if d < n_kel else f"2{d - n_kel + 1:03d}")
                    rows.append((code, kec_code, names(prefixed=rng.random() < 0.4)))
                    villages.append((code, _vary(rng, kab_shares, 0.15)))
    # One village name with an unquoted comma, like the real "LUBUK PAKAM I,II".
    at = rng.choice([i for i, row in enumerate(rows) if len(row[0]) == 10 and row[0].startswith("52")])
    rows[at] = (rows[at][0], rows[at][1], rows[at][2] + " I,II")
    return rows, villages


def _triple(prefix: str, j: int, l: int) -> dict[str, int]:  # noqa: E741 - KPU's own suffix
    return {f"{prefix}_j": j, f"{prefix}_l": l, f"{prefix}_p": j - l}


def station(rng: random.Random, code: str, shares: tuple[float, ...]) -> Station:
    """Clean, internally consistent final figures for one TPS.

    :param code: the 13-character TPS code (``9xx`` numbers are special TPS with fewer voters).
    :param shares: the village's vote shares, varied again per TPS.
    """
    dpt = rng.randint(60, 180) if code[10] == "9" else rng.randint(150, 300)
    dpt_l = round(dpt * rng.uniform(0.47, 0.53))
    used = round(dpt * min(0.9, max(0.7, rng.gauss(0.80, 0.035))))
    used_l = min(dpt_l, max(used - (dpt - dpt_l), round(used * dpt_l / dpt + rng.gauss(0, 2))))
    dptb, dpk = rng.choice((0, 0, 0, 1, 1, 2, 3, 4)), rng.choice((0, 0, 0, 0, 1, 1, 2, 3))
    dptb_l, dpk_l = rng.randint(0, dptb), rng.randint(0, dpk)
    total = used + dptb + dpk
    invalid = rng.randint(0, max(1, round(total * 0.035)))
    adm = {
        "suara_sah": total - invalid, "suara_tidak_sah": invalid, "suara_total": total,
        **_triple("pemilih_dpt", dpt, dpt_l), **_triple("pengguna_dpt", used, used_l),
        **_triple("pengguna_dptb", dptb, dptb_l), **_triple("pengguna_non_dpt", dpk, dpk_l),
        **_triple("pengguna_total", total, used_l + dptb_l + dpk_l),
    }
    return Station(code, {k: adm[k] for k in ADM_ORDER}, _split(total - invalid, _vary(rng, shares, 0.2)))


def stations(rng: random.Random, villages: list[tuple[str, tuple[float, ...]]]) -> list[Station]:
    """Every TPS of every village, sorted by code; a few villages also get special ``9xx`` TPS."""
    special = {code: n for n, (code, _) in zip((2, 1, 1), rng.sample(villages, 3), strict=True)}
    out: list[Station] = []
    for code, shares in villages:
        numbers = [f"{n:03d}" for n in range(1, rng.randint(5, 10) + 1)]
        numbers += [f"{900 + n}" for n in range(1, special.get(code, 0) + 1)]
        out.extend(station(rng, code + number, shares) for number in numbers)
    return sorted(out, key=lambda s: s.code)


def _take(rng: random.Random, pool: list[Station], n: int) -> list[Station]:
    chosen = rng.sample(pool, n)
    for st in chosen:
        pool.remove(st)
    return chosen


def plan(rng: random.Random, all_stations: list[Station]) -> tuple[Station, Station]:
    """Decide when each TPS's data appears, and place corrections and deliberate errors.

    :returns: the TPS whose first-snapshot file is truncated, and the one whose file is duplicated.
    """
    for st in all_stations:
        r = rng.random()  # first snapshot: 40 % empty, 12 % votes only, 10 % administration only
        st.votes_day = 0 if 0.40 <= r < 0.52 or r >= 0.62 else (1 if rng.random() < 0.88 else 2)
        st.adm_day = 0 if r >= 0.52 else (1 if rng.random() < 0.88 else 2)
        base = min(st.votes_day, st.adm_day)
        st.photo_day = [base + rng.choice((0, 0, 0, 0, 0, 0, 1, 1, 9)) for _ in range(3)]
    regular = [st for st in all_stations if st.code[10] != "9"]
    pools = [[st for st in regular if max(st.votes_day, st.adm_day) == day] for day in (0, 1)]
    for rule, spans in ERROR_PLAN.items():
        for first, last in spans:
            (st,) = _take(rng, pools[first], 1)
            delta = rng.randint(1, 6 if rule == "voters-ballots-mismatch" else 12) * rng.choice((-1, 1))
            if rule == "ballots-sum-mismatch" and st.adm["suara_tidak_sah"] + delta < 0:
                delta = -delta
            st.error = (rule, first, last, delta)
    for st in _take(rng, pools[0], 5):  # misread on the first day, corrected later
        lead = max(range(3), key=lambda i: st.votes[i])
        moved = rng.randint(5, min(40, st.votes[lead]))
        st.first_votes = list(st.votes)
        st.first_votes[lead] -= moved
        st.first_votes[rng.choice([i for i in range(3) if i != lead])] += moved
    truncated, duplicated = _take(rng, pools[0], 2)
    return truncated, duplicated


def _content(st: Station, k: int) -> dict[str, Any]:
    """The chart, administrasi and status of ``st`` in snapshot ``k``, with its error if any."""
    chart = adm = None
    if st.votes_day <= k:
        votes = list(st.first_votes if k == 0 and st.first_votes else st.votes)
        if st.error and st.error[0] == "votes-sum-mismatch" and st.error[1] <= k <= st.error[2]:
            votes[max(range(3), key=lambda i: votes[i])] += st.error[3]
        chart = {**dict(zip(CANDIDATES, votes, strict=True)), "null": None}
    if st.adm_day <= k:
        adm = dict(st.adm)
        rule, first, last, delta = st.error or ("", 0, -1, 0)
        if first <= k <= last:
            keys = {"ballots-sum-mismatch": ("suara_tidak_sah",), "sex-sum-mismatch": ("pemilih_dpt_l",),
                    "voters-ballots-mismatch": ("pengguna_dpt_j", "pengguna_dpt_l", "pengguna_total_j",
                                                "pengguna_total_l")}.get(rule, ())
            for key in keys:
                adm[key] += delta
    return {"chart": chart, "administrasi": adm, "status_suara": chart is not None, "status_adm": adm is not None}


def records(rng: random.Random, st: Station) -> list[dict[str, Any]]:
    """The Sirekap object of ``st`` in each snapshot; ``ts`` moves only when the content changes.

    :param rng: the seeded generator (for update times and photo names).
    """
    out: list[dict[str, Any]] = []
    urls: list[str | None] = [None, None, None]
    previous: tuple[Any, ...] = ()
    ts = ""
    for k in range(len(SNAPSHOTS)):
        content = _content(st, k)
        empty = content["chart"] is None and content["administrasi"] is None
        shown = [not empty and day <= k for day in st.photo_day]
        state = (json.dumps(content, sort_keys=True), shown)
        if state != previous:
            low, high = _UPDATE_WINDOW[k]
            moment = _DAY0 + timedelta(seconds=rng.randint(low, high) if k or not empty else rng.randint(0, low))
            ts = moment.strftime("%Y-%m-%d %H:%M:%S")
            previous = state
        for i, show in enumerate(shown):
            if show and urls[i] is None:
                urls[i] = _image_url(rng, st.code, ts)
        images = [url if show else None for url, show in zip(urls, shown, strict=True)]
        out.append({"chart": content["chart"], "images": images, "administrasi": content["administrasi"],
                    "psu": None, "ts": ts, "status_suara": content["status_suara"],
                    "status_adm": content["status_adm"]})
    return out


def _image_url(rng: random.Random, code: str, ts: str) -> str:
    stamp = ts.replace("-", "").replace(":", "").replace(" ", "-")
    folders = "/".join((code[:2], code[2:4], code[4:6], code[6:8], code[8:10]))
    name = uuid.UUID(int=rng.getrandbits(128), version=4)
    return f"{IMAGE_HOST}/{rng.getrandbits(16):04x}/pemilu/ppwp/{folders}/{code}-{stamp}--{name}.jpg"


def member_path(code: str) -> str:
    """The Sirekap API path of a TPS file: ``pemilu/hhcw/ppwp/{p}/{kab}/{kec}/{desa}/{tps}.json``."""
    return f"pemilu/hhcw/ppwp/{code[:2]}/{code[:4]}/{code[:6]}/{code[:10]}/{code}.json"


def _serialise_variants(rng: random.Random, objects: list[dict[str, Any]]) -> list[bytes]:
    """Serialise like the scraped files: mostly compact, a few pretty, some with ``mode`` or shuffled keys."""
    n = len(objects)
    crlf, two = set(rng.sample(range(n), 6)), set(rng.sample(range(n), 3))
    mode, shuffled = set(rng.sample(range(n), n // 8)), set(rng.sample(range(n), n // 7))
    out = []
    for i, obj in enumerate(objects):
        items = list(obj.items())
        if i in shuffled:
            rng.shuffle(items)
        if i in mode:
            items.insert(rng.choice((0, len(items))), ("mode", "hhcw"))
        obj = dict(items)
        if i in crlf:
            text = json.dumps(obj, indent=4).replace("\n", "\r\n") + "\r\n"
        elif i in two:
            text = json.dumps(obj, indent=2)
        else:
            text = json.dumps(obj)
        out.append(text.encode())
    return out


def write_tar_gz(path: Path, members: list[tuple[str, bytes]]) -> None:
    """Write a reproducible ``.tar.gz``: sorted members, fixed mtime, root owner, no gzip time or name.

    :param members: ``(name, bytes)`` pairs; names may repeat.
    """
    with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as gz, \
            tarfile.open(fileobj=gz, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for name, data in sorted(members):
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(data), TAR_MTIME, 0o644
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            tar.addfile(info, io.BytesIO(data))


def write_zip(path: Path, members: list[tuple[str, bytes]]) -> None:
    """Write a reproducible ``.zip``: sorted members, fixed date, Unix mode 0644.

    :param members: ``(name, bytes)`` pairs with unique names.
    """
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in sorted(members):
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o100644 << 16
            info.create_system = 3
            archive.writestr(info, data)


def write_region_csvs(folder: Path, rows: list[tuple[str, str | None, str]]) -> None:
    """Write the headerless KPU CSVs, names unquoted as KPU's export writes them."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, length in (("provinces", 2), ("regencies", 4), ("districts", 6), ("villages", 10)):
        lines = [",".join(filter(None, row)) + "\n" for row in sorted(rows) if len(row[0]) == length]
        (folder / f"{name}.csv").write_bytes("".join(lines).encode())


def write_demo(raw_dir: Path) -> list[Path]:
    """Generate the whole synthetic demo into ``raw_dir`` (same bytes on every run).

    :param raw_dir: the project's ``raw/`` folder; created when missing.
    :returns: the four sources: the region-list folder, the tar.gz, the JSON Lines file and the zip.
    """
    rng = random.Random(SEED)
    raw_dir.mkdir(parents=True, exist_ok=True)
    rows, villages = regions(rng)
    tps = stations(rng, villages)
    truncated, duplicated = plan(rng, tps)
    snapshots = [records(rng, st) for st in tps]
    first = _serialise_variants(rng, [recs[0] for recs in snapshots])
    tar_members = []
    for st, data in zip(tps, first, strict=True):
        if st is truncated:
            data = data[: len(data) * 3 // 5]
        tar_members.append((member_path(st.code), data))
        if st is duplicated:
            tar_members.append((member_path(st.code).replace(f"/{st.code}.json", f"/ulang/{st.code}.json"), data))
    lines = [json.dumps({"kode_tps": st.code, **recs[1]}, separators=(",", ":")) + "\n"
             for st, recs in zip(tps, snapshots, strict=True)]
    final = [(member_path(st.code), json.dumps({"mode": "hhcw", **recs[2]}).encode())
             for st, recs in zip(tps, snapshots, strict=True)]
    paths = [raw_dir / WILAYAH_DIR, raw_dir / TAR_NAME, raw_dir / JSONL_NAME, raw_dir / ZIP_NAME]
    write_region_csvs(paths[0], rows)
    write_tar_gz(paths[1], tar_members)
    paths[2].write_bytes("".join(lines).encode())
    write_zip(paths[3], final)
    return paths


def raw_dir_argument(doc: str | None, what: str, argv: list[str] | None = None, *,
                     prog: str = "python -m releasekit.synthetic") -> Path:
    """The one argument of a generator's command line, ``[RAW_DIR]`` (``raw`` when left out): ``--help`` prints the
    module's first paragraph, where it was taken for a folder and the files were written into ``--help/``."""
    import argparse

    parser = argparse.ArgumentParser(prog=prog, description=(doc or "").split("\n\n")[0])
    parser.add_argument("raw_dir", nargs="?", default="raw", type=Path, metavar="RAW_DIR",
                        help=f"the folder to write {what} into (default: raw)")
    raw_dir: Path = parser.parse_args(argv).raw_dir
    return raw_dir


def run_generator(folder: Path, lines: Callable[[Path], Iterable[str]]) -> int:
    """Print what ``lines`` says of the files it writes into ``folder``, as the main CLI would fail: a folder that
    cannot be written is one ``Error:`` line and exit 1, a closed pipe (``| head -1``) no traceback (review BU L1)."""
    try:
        for line in lines(folder):
            print(line)
        sys.stdout.flush()
    except BrokenPipeError:  # (Python's documented way: the rest goes nowhere, and the exit code says so)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except OSError as e:
        print(f"Error: {e.filename or folder}: {(e.strerror or str(e)).lower()} (hint: give a folder to write "
              "the files into, new or releasekit's)", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m releasekit.synthetic [RAW_DIR]``: regenerate the demo and print each source's sha256 pin."""
    from .provenance import sha256_file

    def pins(folder: Path) -> Iterator[str]:
        for path in write_demo(folder):
            digest, size = sha256_file(path)
            yield f"{path}  sha256: {digest}  ({size} bytes)"

    return run_generator(raw_dir_argument(__doc__, "the demo's raw files", argv), pins)


if __name__ == "__main__":
    sys.exit(main())
