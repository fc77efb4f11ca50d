"""The streaming checker reports the same structural errors as frictionless, error for error."""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import copy_package, edit_rows, load_benchmark, second_process
from releasekit.report import Report
from releasekit.tablecheck import checker
from releasekit.validate import validate_descriptor


def both(pkg: Path) -> tuple[set[tuple[object, ...]], set[tuple[object, ...]]]:
    def key(report: object) -> set[tuple[object, ...]]:
        return {(p.resource, p.type, p.row, p.field) for p in report.problems  # type: ignore[attr-defined]
                if p.type not in ("pii-nik", "provenance-error", "rule-threshold")}
    ours = validate_descriptor(pkg / "datapackage.json")
    theirs = validate_descriptor(pkg / "datapackage.json", engine="frictionless")
    return key(ours), key(theirs)


def corrupt(rows: list[list[str]], changes: list[tuple[int, int, str]]) -> None:
    for row, col, value in changes:
        rows[row][col] = value


SEEDS = {
    "clean": [],
    "types": [("hasil_tps", lambda r: corrupt(r, [(1, 5, "x"), (2, 23, "yes"), (3, 5, "+7"), (3, 6, " 8")]))],
    "constraints": [("hasil_tps", lambda r: corrupt(r, [(1, 2, ""), (2, 2, "31010110010019")])),
                    ("peserta", lambda r: corrupt(r, [(1, 1, "0")])),
                    ("tps", lambda r: corrupt(r, [(1, 3, "biasa")]))],
    "keys": [("suara", lambda r: r.append(list(r[1]))),
             ("suara", lambda r: corrupt(r, [(2, 3, "7")])),
             ("tps", lambda r: corrupt(r, [(2, 1, "3101011999")]))],
    "unordered": [("suara", lambda r: r.insert(1, list(r[-1])))],
    "shape": [("hasil_tps", lambda r: r[1].append("extra")), ("suara", lambda r: r[2].pop()),
              ("suara", lambda r: r.insert(3, ["", "", "", "", ""]))],
    "quoted": [("tps", lambda r: corrupt(r, [(1, 4, 'TPS "1", utara\nbaris dua')]))],
    "header": [("pemilu", lambda r: corrupt(r, [(0, 5, "name")]))],
    # a blank label and one repeating an earlier one (each once, not as a wrong name); extra labels, whose cells every
    # row then misses (a field of its own each, renamed x2 where one repeats)
    "labels": [("pemilu", lambda r: corrupt(r, [(0, 1, ""), (0, 3, r[0][0])])),
               ("peserta", lambda r: corrupt(r, [(0, 2, r[0][0]), (0, 1, r[0][0])])),
               ("tps", lambda r: r[0].append("")), ("suara", lambda r: r[0].extend(["x", "x"]))],
    "unique": [("sources", lambda r: r.append(list(r[1])))],  # with a unique constraint on sources.sha256
    # the forms tables.py declares: snapshot and ts patterns, ballot numbers from 1, levels 1-4, code patterns
    "forms": [("hasil_tps", lambda r: corrupt(r, [(1, 3, "2024-02-16T10:00:00"), (2, 1, "16-02-2024")])),
              ("snapshot_votes", lambda r: corrupt(r, [(1, 3, "0")])),
              ("wilayah", lambda r: corrupt(r, [(1, 1, "0"), (2, 3, "3"), (2, 1, "+2"), (3, 1, "1.0"), (4, 1, "04")])),
              ("tps", lambda r: corrupt(r, [(1, 1, "31010110")]))],
}


@pytest.mark.parametrize("chunk", [1 << 20, 97])  # whole files in one block, and blocks of a line or two
@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_same_errors_as_frictionless(fixture_package: Path, tmp_path: Path, seed: str, chunk: int,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("releasekit.tablecheck.rowpass.CHUNK", chunk)
    pkg = copy_package(fixture_package, tmp_path)
    for resource, change in SEEDS[seed]:
        edit_rows(pkg, resource, change)
    if seed == "unique":
        desc = json.loads((pkg / "datapackage.json").read_text())
        res = next(r for r in desc["resources"] if r["name"] == "sources")
        res["schema"]["fields"][2]["constraints"]["unique"] = True
        (pkg / "datapackage.json").write_text(json.dumps(desc))
    ours, theirs = both(pkg)
    if seed == "clean":
        assert ours == theirs
    else:
        assert ours, "the seeded corruption must produce errors"
        assert ours == theirs
        if seed == "unique":
            assert ("sources", "unique-error", 3, "sha256") in ours
        if seed == "forms":
            assert {("hasil_tps", "constraint-error", 2, "ts"), ("hasil_tps", "constraint-error", 3, "snapshot"),
                    ("snapshot_votes", "constraint-error", 2, "nomor_urut"),
                    ("wilayah", "constraint-error", 2, "tingkat"), ("wilayah", "constraint-error", 3, "kode_induk"),
                    ("wilayah", "type-error", 4, "tingkat"), ("tps", "constraint-error", 2, "kode_wilayah")} <= ours


# --- The key bookkeeping (releasekit.keycheck) -------------------------------------------------

def test_key_text_round_trips_cells_with_commas_quotes_and_breaks() -> None:
    from releasekit.keycheck import key_cells, key_text

    for cells in (["a"], ["ppwp-2024", "2024-03-10", "3101011001001"], ["", "x"], ["a,b", "c"],
                  ['say "hi"'], ["two\nlines", "1"], ["cr\r", ""]):
        text = key_text(cells)
        assert key_cells(text) == cells
        assert "\n" not in text  # the key index joins keys with line breaks
    assert key_text(["a", "b"]) == "a,b"  # as the block path captures it from the CSV line
    assert key_text(["a,b"]) != key_text(["a", "b"])


def test_runs_collapsed_keeps_each_run_of_equal_neighbours_once() -> None:
    from releasekit.keycheck import runs_collapsed

    assert runs_collapsed([]) == []
    assert runs_collapsed(["a", "a", "a", "b", "c", "c"]) == ["a", "b", "c"]
    assert runs_collapsed(["b", "a", "b"]) == ["b", "a", "b"]  # out of order: neighbours only


def test_distinct_keys_proves_increasing_blocks_without_keeping_them() -> None:
    from releasekit.keycheck import DistinctKeys

    keys = DistinctKeys()
    assert keys.add(["a", "b", "c"]) and keys.add(["d", "e"]) and keys.add([]) and keys.proven
    assert keys.last == ["d", "e"] and keys.high == "e"


def test_distinct_keys_accepts_numeric_order_that_is_not_text_order() -> None:
    from releasekit.keycheck import DistinctKeys

    keys = DistinctKeys()  # candidates 1..12 of one TPS: 9 before 10 in the file, not as text
    assert keys.add([f"t1,{n}" for n in range(1, 8)])
    assert keys.add([f"t1,{n}" for n in range(8, 13)] + ["t2,1", "t2,2"])  # overlaps the block before only
    assert keys.add([f"t2,{n}" for n in range(3, 13)])
    assert keys.proven
    first = DistinctKeys()
    assert first.add(["c", "d"]) and first.add(["a", "e"])  # below, but shares nothing with the only block before


@pytest.mark.parametrize("blocks", [
    [["a", "b", "a"]],                 # a duplicate inside one block
    [["a", "b"], ["b", "c"]],          # the next block repeats the last key
    [["c", "d"], ["a", "d"]],          # out of order, and shares a key with the block before
    [["a", "b"], ["c", "d"], ["b"]],   # reaches back past the previous block
])
def test_distinct_keys_gives_up_when_a_key_may_repeat(blocks: list[list[str]]) -> None:
    from releasekit.keycheck import DistinctKeys

    keys = DistinctKeys()
    results = [keys.add(block) for block in blocks]
    assert results[-1] is False and not keys.proven
    assert keys.add(["z"]) is False  # for good


def test_key_index_finds_exactly_what_it_holds_in_compressed_runs() -> None:
    from releasekit.keycheck import KeyIndex

    index = KeyIndex()
    index.add([f"k{n:05d}" for n in range(0, 1000, 2)])
    index.add([f"k{n:05d}" for n in range(1000, 2000, 2)])
    index.add([f"k{n:05d}" for n in range(2000, 3000, 2)][::-1])  # a run out of order is sorted
    assert index.compact and len(index.runs) == 3 and len(index) == 1500
    asked = [f"k{n:05d}" for n in range(0, 3000, 3)] + ["a", "k01999x", "zz"]
    expected = {k for k in asked if not (k.startswith("k") and len(k) == 6 and int(k[1:]) % 2 == 0)}
    assert index.missing(asked) == expected
    assert index.missing(set(asked)) == expected  # any collection
    assert index.missing([]) == set()


def test_key_runs_live_in_a_file_and_travel_by_pickle() -> None:
    """The compressed runs are written to a temporary file (the checker's memory stays flat however many keys);
    a forked child hands its index back pickled, with the runs' bytes."""
    import pickle

    from releasekit.keycheck import KeyIndex

    index = KeyIndex()
    index.add([f"k{n:05d}" for n in range(0, 1000, 2)])
    index.add([f"k{n:05d}" for n in range(1000, 2000, 2)])
    assert all(isinstance(run, tuple) for run in index.runs)  # places in the file, not bytes in memory
    copy = pickle.loads(pickle.dumps(index))
    assert all(isinstance(run, bytes) for run in copy.runs)
    asked = ["k00002", "k00003", "k01998", "k01999"]
    assert index.missing(asked) == copy.missing(asked) == {"k00003", "k01999"}
    copy.add(["k02000"])
    assert copy.missing(["k02000", "k02001"]) == {"k02001"} and copy.keys(5000) == index.keys(5000) + ["k02000"]


def test_key_index_turns_into_hashes_when_runs_come_out_of_order() -> None:
    from releasekit.keycheck import KeyIndex

    index = KeyIndex()
    index.add(["m", "n"])
    index.add(["a", "b"])  # starts below the last run: lookups by run no longer work
    assert not index.compact and len(index) == 4
    assert index.missing(["a", "n", "c"]) == {"c"}
    assert index.keys(10) is None


def test_key_index_turns_into_hashes_when_lookups_are_scattered(monkeypatch: pytest.MonkeyPatch) -> None:
    from releasekit import keycheck

    monkeypatch.setattr(keycheck, "CACHED_RUNS", 1)
    index = keycheck.KeyIndex()
    for start in range(0, 10000, 100):
        index.add([f"k{n:05d}" for n in range(start, start + 100)])
    for n in range(0, 1000 * 997, 997):  # one key from a far run each time: a whole run decoded per key
        key = f"k{n % 10000:05d}"
        assert index.missing([key, key + "x"]) == {key + "x"}
    assert not index.compact
    assert index.missing(["k00000", "k09999", "k10000"]) == {"k10000"}


def test_key_index_within_and_keys() -> None:
    from releasekit.keycheck import KeyIndex

    target, asked = KeyIndex(), KeyIndex()
    target.add(["a", "b", "c", "d"])
    asked.add(["b", "d"])
    assert asked.within(target) and KeyIndex().within(None)
    asked.add(["e"])
    assert not asked.within(target) and not asked.within(None)
    assert target.keys(4) == ["a", "b", "c", "d"] and target.keys(3) is None


# --- The checker's paths, each compared with frictionless ---------------------------------------

@pytest.fixture(scope="module")
def national_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 300-TPS package from the benchmark's generator: every table large enough for many blocks."""
    folder = tmp_path_factory.mktemp("national") / "pkg"
    load_benchmark("national").generate(folder, tps=300, seed=7)
    return folder


def rehash(pkg: Path) -> None:
    """Declare every resource's true hash and size again, so only the edits themselves are wrong."""
    import hashlib

    desc = json.loads((pkg / "datapackage.json").read_text())
    for res in desc["resources"]:
        data = (pkg / res["path"]).read_bytes()
        res["hash"], res["bytes"] = "sha256:" + hashlib.sha256(data).hexdigest(), len(data)
    (pkg / "datapackage.json").write_text(json.dumps(desc))


def of_another_version(desc: dict[str, Any]) -> None:
    """Mark a package whose schema a test rewrote (a key of other fields) as another releasekit version's: it is
    checked against its own schema, as the checker's semantics are tested here, not releasekit's tables
    (:mod:`releasekit.contract`)."""
    desc["releasekit"]["releasekit_version"] = "0.0.0+test"


def check(pkg: Path) -> list[tuple[object, ...]]:
    from releasekit.tablecheck import check_package

    desc = json.loads((pkg / "datapackage.json").read_text())
    return [(p.resource, p.type, p.row, p.field, p.message) for p in check_package(pkg, desc)]


def count_calls(monkeypatch: pytest.MonkeyPatch, method: str) -> list[int]:
    """Count the calls of one :class:`releasekit.tablecheck.rowpass.RowPass` method."""
    from releasekit.tablecheck.rowpass import RowPass

    calls: list[int] = []
    original = getattr(RowPass, method)

    def counted(self: object, *args: object) -> object:
        calls.append(1)
        return original(self, *args)

    monkeypatch.setattr(RowPass, method, counted)
    return calls


def count_index_passes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record the resources whose primary key had to be indexed (not proven by order)."""
    from releasekit.tablecheck.rowpass import RowPass

    passes: list[str] = []
    original = RowPass.primary_key_pass

    def counted(self: RowPass) -> None:
        passes.append(self.check.name)
        original(self)

    monkeypatch.setattr(RowPass, "primary_key_pass", counted)
    return passes


@pytest.mark.parametrize("chunk", [1 << 20, 4096])
def test_sorted_package_is_proven_in_blocks_without_a_key_index(
        national_package: Path, chunk: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("releasekit.tablecheck.rowpass.CHUNK", chunk)
    records = count_calls(monkeypatch, "record")
    passes = count_index_passes(monkeypatch)
    assert check(national_package) == []
    assert passes == []  # every primary key proven by order
    assert len(records) <= 4  # line by line: pemilu (a date column) and the quoted peserta and sources cells


@pytest.mark.parametrize("chunk", [1 << 20, 4096])
def test_order_broken_mid_file_still_finds_duplicates_and_dangling_keys(
        national_package: Path, tmp_path: Path, chunk: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("releasekit.tablecheck.rowpass.CHUNK", chunk)
    pkg = copy_package(national_package, tmp_path)

    def shuffle(rows: list[list[str]]) -> None:
        rows.insert(len(rows) // 2, list(rows[5]))  # a duplicate far from its twin: order breaks mid-file
        rows.insert(len(rows) // 3, ["ppwp-2024", rows[1][1], "3101019999999", "2", "7"])  # dangling
        rows.append(list(rows[-1]))  # and a duplicate right next to its twin

    edit_rows(pkg, "suara", shuffle)
    edit_rows(pkg, "tps", lambda rows: rows.insert(len(rows) // 2, list(rows[3])))
    rehash(pkg)
    passes = count_index_passes(monkeypatch)
    ours, theirs = both(pkg)
    assert ours == theirs
    found = [(r, t) for r, t, _, _ in ours]
    assert found.count(("suara", "primary-key")) == 2 and found.count(("tps", "primary-key")) == 1
    assert found.count(("suara", "foreign-key")) == 1
    assert sorted(set(passes)) == ["suara", "tps"]


def test_integer_key_parts_in_numeric_order_are_proven_and_duplicates_found(
        national_package: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Twelve candidates: rows come 1, 2, …, 9, 10, 11, 12 (numeric order), which is not text order."""
    monkeypatch.setattr("releasekit.tablecheck.rowpass.CHUNK", 2048)
    pkg = copy_package(national_package, tmp_path)
    edit_rows(pkg, "peserta",
              lambda rows: rows.extend([["ppwp-2024", str(n), f"1000{n}", f"P{n}"] for n in range(4, 13)]))

    def twelve(rows: list[list[str]]) -> None:
        out = [rows[0]]
        for row in rows[1:]:
            if row[3] == "1":
                out += [[*row[:3], str(n), "5"] for n in range(1, 13)]
        rows[:] = out

    edit_rows(pkg, "suara", twelve)
    rehash(pkg)
    passes = count_index_passes(monkeypatch)
    ours, theirs = both(pkg)
    assert ours == theirs == set() and "suara" not in passes
    edit_rows(pkg, "suara", lambda rows: (rows.insert(40, list(rows[30])), rows.insert(len(rows) // 2, list(rows[31]))))
    rehash(pkg)
    ours, theirs = both(pkg)
    assert ours == theirs and [t for _, t, _, _ in ours] == ["primary-key"] * 2


def _tables(folder: Path, tables: dict[str, tuple[str, dict[str, Any]]], **options: Any) -> Path:
    """A package of ``tables``: name → (CSV text, schema), each resource declared with ``options`` too."""
    import hashlib

    (folder / "data").mkdir(parents=True)
    resources = []
    for name, (text, schema) in tables.items():
        data = text.encode()
        (folder / "data" / f"{name}.csv").write_bytes(data)
        resources.append({"name": name, "path": f"data/{name}.csv", "profile": "tabular-data-resource",
                          "format": "csv", "encoding": "utf-8", "hash": "sha256:" + hashlib.sha256(data).hexdigest(),
                          "bytes": len(data), "schema": schema, **options})
    (folder / "datapackage.json").write_text(json.dumps({"name": "p", "resources": resources}))
    return folder


def _id_package(folder: Path, rows: list[str], fields: list[dict[str, Any]], key: list[str]) -> Path:
    """A one-resource package: ``t.csv`` with the header ``fields`` name and the lines ``rows``."""
    text = "\n".join([",".join(f["name"] for f in fields), *rows]) + "\n"
    return _tables(folder, {"t": (text, {"fields": fields, "primaryKey": key})})


@pytest.mark.parametrize("second", [
    {"name": "nama", "type": "string"},   # every line in the block expression
    {"name": "tanggal", "type": "date"},  # 2024-3-5: no block decides it, every line goes alone
])
@pytest.mark.parametrize("key", [["id"], ["id", "kind"]])
def test_an_integer_id_is_proven_distinct_in_number_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         second: dict[str, Any], key: list[str]) -> None:
    """Review N #9: ids 1..N cross 9 → 10 → … → 10000; as text, "10000" sorts below "9999", so blocks (and keys the
    line-by-line path hands on every ``PENDING`` rows) overlapped and every id was read and cast a second time."""
    monkeypatch.setattr("releasekit.tablecheck.rowpass.CHUNK", 4096)
    monkeypatch.setattr("releasekit.tablecheck.rowpass.PENDING", 256)
    fields = [{"name": "id", "type": "integer"}, second, {"name": "kind", "type": "string"}]
    value = "2024-3-5" if second["type"] == "date" else "x"
    rows = [f"{n},{value},k" for n in range(1, 12001)]
    pkg = _id_package(tmp_path / "ok", rows, fields, key)
    passes = count_index_passes(monkeypatch)
    ours, theirs = both(pkg)
    assert ours == theirs == set() and passes == []
    rows.insert(11000, rows[5])  # id 6 again, 11,000 rows later: the proof fails and the index finds it
    pkg = _id_package(tmp_path / "twice", rows, fields, key)
    ours, theirs = both(pkg)
    assert ours == theirs == {("t", "primary-key", 11002, None)} and passes == ["t"]


def test_integer_order_pads_integer_cells_unless_text_order_serves() -> None:
    from releasekit.keycheck import DistinctKeys, integer_order

    assert integer_order([], 1) is None and integer_order([3], 4) is None  # (the candidates of one TPS: text)
    single, first = integer_order([0], 1), integer_order([0], 2)
    assert single is not None and first is not None
    assert single(["9", "10"]) == sorted(single(["9", "10"]))
    assert first(["9,b", "10,a", '\r["1,", "a"]']) == ["0" * 19 + "9,b", "0" * 18 + "10,a", '\r["1,", "a"]']
    blocks = [[str(n) for n in range(start, start + 700)] for start in range(1, 3000, 700)]
    by_text, by_number = DistinctKeys(), DistinctKeys(single)
    assert not all([by_text.add(b) for b in blocks])  # 1..700, 701..1400, …: "1001" < "999"
    assert all(by_number.add(b) for b in blocks)
    assert not by_number.add(["1500"])  # a repeat is still caught


def test_dangling_keys_into_a_small_target_checked_in_the_block_expression(
        national_package: Path, tmp_path: Path) -> None:
    pkg = copy_package(national_package, tmp_path)
    edit_rows(pkg, "suara", lambda rows: corrupt(rows, [(len(rows) // 2, 3, "4"), (len(rows) - 1, 0, "ppwp-2019")]))
    edit_rows(pkg, "hasil_tps", lambda rows: corrupt(rows, [(7, 0, "ppwp-2019")]))
    rehash(pkg)
    ours, theirs = both(pkg)
    assert ours == theirs
    assert sum(1 for _, t, _, _ in ours if t == "foreign-key") >= 4


def test_a_quoted_record_mid_file_goes_alone_and_blocks_resume(
        national_package: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pkg = copy_package(national_package, tmp_path)
    edit_rows(pkg, "tps", lambda rows: corrupt(rows, [(100, 4, 'TPS "A", utara\nbaris dua'), (200, 4, "x,y")]))
    rehash(pkg)
    records = count_calls(monkeypatch, "record")
    ours, theirs = both(pkg)
    assert ours == theirs == set()
    assert len(records) <= 6  # the two quoted tps records; pemilu (a date column), quoted peserta and sources cells


def test_crlf_line_ends_and_a_missing_final_line_break(national_package: Path, tmp_path: Path) -> None:
    pkg = copy_package(national_package, tmp_path)
    path = pkg / "data" / "tps.csv"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    suara = pkg / "data" / "suara.csv"
    suara.write_bytes(suara.read_bytes().rstrip(b"\n"))
    ours, theirs = both(pkg)
    assert ours == theirs and {t for _, t, _, _ in ours} == {"hash-count", "byte-count"}


@pytest.mark.parametrize("chunk", [1 << 20, 97])
def test_a_carriage_return_alone_in_a_cell_ends_the_row_as_frictionless_reads_it(
        fixture_package: Path, tmp_path: Path, chunk: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Review M #3: ``RISO\\rSO`` in an unquoted cell made the whole report one ``source-error`` with no resource or
    row, every other problem of the package lost (here a duplicated ``tps`` row and a type error in ``changes``)."""
    monkeypatch.setattr("releasekit.tablecheck.rowpass.CHUNK", chunk)
    pkg = copy_package(fixture_package, tmp_path)
    wilayah = pkg / "data" / "wilayah.csv"
    lines = wilayah.read_bytes().split(b"\n")
    cells = lines[2].split(b",")
    cells[2] = cells[2][:2] + b"\r" + cells[2][2:]
    lines[2] = b",".join(cells)
    wilayah.write_bytes(b"\n".join(lines))
    edit_rows(pkg, "tps", lambda rows: rows.insert(2, list(rows[1])))
    edit_rows(pkg, "hasil_tps", lambda rows: corrupt(rows, [(1, 5, "x")]))
    rehash(pkg)
    ours, theirs = both(pkg)
    assert ours == theirs
    assert {("wilayah", "missing-cell", 3, "sumber"), ("tps", "primary-key", 3, None),
            ("hasil_tps", "type-error", 2, "pemilih_dpt_l")} <= ours, ours
    assert {resource for resource, _, _, _ in ours} == {"wilayah", "tps", "hasil_tps"}
    assert all(row for _, _, row, _ in ours), ours  # every problem in its row


def test_crlf_lines_are_read_in_blocks(national_package: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                       ) -> None:
    """Review M #8: a CSV re-saved with Windows line ends went line by line, five times slower (20.1 s against 3.7 s
    at 900,000 rows), its keys held to the end (512 MB at 2 million rows)."""
    pkg = copy_package(national_package, tmp_path)
    for path in sorted((pkg / "data").glob("*.csv")):
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    edit = pkg / "data" / "suara.csv"
    lines = edit.read_bytes().split(b"\r\n")
    edit.write_bytes(b"\r\n".join([*lines[:500], lines[499], *lines[500:]]))  # a duplicate key in row 501
    rehash(pkg)
    records = count_calls(monkeypatch, "record")
    ours, theirs = both(pkg)
    assert ours == theirs == {("suara", "primary-key", 501, None)}
    assert len(records) < 10, len(records)  # (every row of every table, before)


def test_a_file_read_line_by_line_hands_its_keys_on_as_it_goes(national_package: Path, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Review M #8: keys the line-by-line path read were held until the end of the file (900,771 of ``suara``'s)."""
    from releasekit.tablecheck import rowpass

    monkeypatch.setattr(rowpass, "PENDING", 64)
    pkg = copy_package(national_package, tmp_path)
    suara = pkg / "data" / "suara.csv"
    suara.write_bytes(suara.read_bytes().replace(b"\n", b"\r"))  # a carriage return alone: line by line
    rows = suara.read_bytes().count(b"\r") - 1
    rehash(pkg)
    held: list[int] = []
    original = rowpass.RowPass.record

    def record(self: rowpass.RowPass, *args: Any) -> bool:
        held.append(len(self.pending_pk))
        return original(self, *args)

    monkeypatch.setattr(rowpass.RowPass, "record", record)
    ours, theirs = both(pkg)
    assert ours == theirs == set()
    assert len(held) >= rows > 600 and max(held) < 64


def test_a_foreign_key_to_a_resource_that_does_not_exist_is_one_problem(national_package: Path, tmp_path: Path
                                                                        ) -> None:
    """Review M #12: every key was reported missing (here 650 ``foreign-key`` problems; in a table of more rows 1,000,
    the error limit, and the rows after it never scanned: a NIK in row 1301 passed). Frictionless reports the one
    resource-error, and so does the checker now, reading every row."""
    pkg = copy_package(national_package, tmp_path)
    desc = json.loads((pkg / "datapackage.json").read_text())
    suara = next(r for r in desc["resources"] if r["name"] == "suara")
    suara["schema"]["foreignKeys"][0]["reference"]["resource"] = "hasil"
    (pkg / "datapackage.json").write_text(json.dumps(desc))
    edit_rows(pkg, "suara", lambda rows: rows[600].__setitem__(-1, "3174014505900003"))
    rehash(pkg)
    ours, theirs = both(pkg)
    assert ours == theirs == {("suara", "resource-error", None, None)}
    for engine in ("releasekit", "frictionless"):
        report = validate_descriptor(pkg / "datapackage.json", engine=engine)
        assert [(p.type, p.row) for p in report.problems if p.type == "pii-nik"] == [("pii-nik", 601)], engine
        assert not report.warnings


def test_a_resource_with_a_foreign_key_into_no_resource_reports_that_alone(tmp_path: Path) -> None:
    """Review N #11c: two keys into the missing resource were two errors, and the rows' own problems (a type error, a
    self-reference) were reported too; Frictionless stops that resource at its one error, and still reads it for the
    keys another resource looks up in it. Its NIKs are found by both engines' PII gates."""
    integer = {"type": "integer"}
    into = [{"fields": ["a"], "reference": {"resource": "nope", "fields": ["a"]}},
            {"fields": ["b"], "reference": {"resource": "nope", "fields": ["b"]}},
            {"fields": ["b"], "reference": {"resource": "", "fields": ["a"]}}]
    x = ("a,b\n1,2\n2,x\n3174014505900003,9\n",
         {"fields": [{"name": "a", **integer}, {"name": "b", **integer}], "primaryKey": ["a"], "foreignKeys": into})
    y = ("a\n1\n5\n", {"fields": [{"name": "a", **integer}],
                        "foreignKeys": [{"fields": ["a"], "reference": {"resource": "x", "fields": ["a"]}}]})
    pkg = _tables(tmp_path / "p", {"x": x, "y": y})
    ours, theirs = both(pkg)
    assert ours == theirs == {("x", "resource-error", None, None), ("y", "foreign-key", 3, None)}
    for engine in ("releasekit", "frictionless"):
        report = validate_descriptor(pkg / "datapackage.json", engine=engine)
        assert [(p.resource, p.row) for p in report.problems if p.type == "pii-nik"] == [("x", 4)], engine


def test_a_muted_resource_named_with_a_nik_and_one_whose_file_is_missing(tmp_path: Path) -> None:
    """Review R #3, #7: a resource is muted by the name its problems carry (masked: a NIK-like name kept its rows'
    problems), and one whose file is missing has Frictionless's ``scheme-error`` alone."""
    integer = {"type": "integer"}
    into = [{"fields": ["a"], "reference": {"resource": "nope", "fields": ["a"]}}]
    schema = {"fields": [{"name": "a", **integer}], "primaryKey": ["a"], "foreignKeys": into}
    pkg = _tables(tmp_path / "p", {"dpt-3174014505900003": ("a\n1\n1\nx\n", schema)})
    ours, theirs = both(pkg)
    assert ours == theirs and [t for _, t, _, _ in ours] == ["resource-error"]
    (pkg / "data" / "dpt-3174014505900003.csv").unlink()
    ours, theirs = both(pkg)
    assert ours == theirs and [t for _, t, _, _ in ours] == ["scheme-error"]


def test_duplicates_before_the_limit_are_kept_over_later_problems(tmp_path: Path) -> None:
    """Review R #1: ids 1-1,000 twice, then 500 rows with a constraint error: the first pass counted the 500 and the
    key pass stopped at the limit after 500 duplicates, so 500 duplicates Frictionless reports were lost."""
    fields = [{"name": "id", "type": "integer"}, {"name": "v", "type": "integer", "constraints": {"minimum": 0}}]
    rows = [f"{n},1" for n in range(1, 1001)] * 2 + [f"{n},-1" for n in range(3000, 3500)]
    pkg = _id_package(tmp_path / "p", rows, fields, ["id"])
    ours, theirs = both(pkg)
    assert ours == theirs and {t for _, t, _, _ in ours} == {"primary-key"} and len(ours) == 1000


LABELS = {"a\n1\n2\n": {("t", "missing-label", None, "b")},
          "a\n1,x\n": {("t", "missing-label", None, "b"), ("t", "extra-cell", 2, "")},
          "a;b\n1;x\n": {("t", "incorrect-label", None, "a"), ("t", "missing-label", None, "b"),
                          ("t", "type-error", 2, "a")},
          "a,b\n1\n": {("t", "constraint-error", 2, "b"), ("t", "missing-cell", 2, "b"), ("t", "primary-key", 2, None)},
          # blank rows (review R #6): every cell of the fields read empty, whatever follows, an empty line too
          "a\n,5\n\n1\n": {("t", "missing-label", None, "b"), ("t", "blank-row", 2, None), ("t", "blank-row", 3, None)},
          "a,b\n,,5\n,\n1,2\n": {("t", "blank-row", 2, None), ("t", "blank-row", 3, None),
                                ("t", "primary-key", 2, None), ("t", "primary-key", 3, None)}}


@pytest.mark.parametrize("text", LABELS)
def test_fields_the_header_does_not_label_are_not_read(tmp_path: Path, text: str) -> None:
    """Review N #11d: with fewer labels than fields, every row had a ``missing-cell`` (and a ``constraint-error`` for a
    required field), where Frictionless reads the rows against the labelled fields alone: a ``;`` file reported
    thousands of problems Frictionless does not."""
    fields = [{"name": "a", "type": "integer"}, {"name": "b", "type": "integer", "constraints": {"required": True}}]
    pkg = _tables(tmp_path / "p", {"t": (text, {"fields": fields, "primaryKey": ["b"]})})
    ours, theirs = both(pkg)
    assert ours == theirs == LABELS[text]


@pytest.mark.parametrize(("cells", "repeats"), [(["true", "TRUE", "1", "false", "0"], {3, 4, 6}),
                                                (["true", "false"], set())])
def test_boolean_keys_compare_as_booleans(tmp_path: Path, cells: list[str], repeats: set[int]) -> None:
    """Review N #11a: ``true``, ``TRUE`` and ``1`` are one key, as in Frictionless; they were compared as written."""
    fields = [{"name": "k", "type": "boolean"}]
    pkg = _tables(tmp_path / "p", {"t": ("k\n" + "\n".join(cells) + "\n", {"fields": fields, "primaryKey": ["k"]})})
    ours, theirs = both(pkg)
    assert ours == theirs == {("t", "primary-key", row, None) for row in repeats}


def test_a_dialect_whose_csv_is_null_is_read_as_no_csv_options(tmp_path: Path) -> None:
    """Review N #11e: ``"csv": null`` went to Frictionless beside the flat defaults, which it fails on (a
    ``package-error``), and the releasekit engine called it unreadable (a ``resource-error``). Beside a flat option,
    Frictionless fails on it as written, in both engines (review R #4)."""
    fields = [{"name": "a", "type": "integer"}]
    pkg = _tables(tmp_path / "p", {"t": ("a\n1\n", {"fields": fields})}, dialect={"csv": None})
    ours, theirs = both(pkg)
    assert ours == theirs == set()
    pkg = _tables(tmp_path / "q", {"t": ("a\n1\n", {"fields": fields})}, dialect={"csv": None, "delimiter": ","})
    ours, theirs = both(pkg)
    assert ours == theirs and {t for _, t, _, _ in ours} == {"package-error"}


def _typed(desc: dict[str, Any], pkg: Path, case: str) -> None:
    res = {r["name"]: r for r in desc["resources"]}

    def field(table: str, name: str) -> dict[str, Any]:
        found: dict[str, Any] = next(f for f in res[table]["schema"]["fields"] if f["name"] == name)
        return found

    if case == "integer enum written as text":
        field("wilayah", "tingkat")["constraints"]["enum"] = ["1", "2", "3", "4"]
    if case == "date enum":
        field("pemilu", "tanggal")["constraints"] = {"enum": ["2024-02-14"]}
    if case.startswith("number key"):
        for table in ("suara", "peserta", "snapshot_votes"):
            field(table, "nomor_urut").update(type="number", constraints={"required": True})
        twice = case.endswith("twice")
        edit_rows(pkg, "suara", lambda rows: rows.insert(3, [*rows[2][:3], rows[2][3] + ".0", *rows[2][4:]])
                  if twice else rows[2].__setitem__(3, rows[2][3] + ".0"))
    if case == "date key not zero-padded":
        field("pemilu", "tanggal")["constraints"] = {"required": True}
        res["pemilu"]["schema"]["primaryKey"] = ["tanggal"]
        edit_rows(pkg, "pemilu", lambda rows: rows.append([*rows[1][:4], rows[1][4].replace("-0", "-"), *rows[1][5:]]))
    if case == "NaN under a minimum":
        field("suara", "suara").update(type="number", constraints={"minimum": 0})
        edit_rows(pkg, "suara", lambda rows: rows[2].__setitem__(4, "NaN"))


TYPED = {"integer enum written as text": set(), "date enum": set(), "number key 2.0 for 2": set(),
         "number key 2.0 for 2, twice": {("suara", "primary-key", 4, None)},
         "date key not zero-padded": {("pemilu", "primary-key", 3, None)},
         "NaN under a minimum": {("suara", "constraint-error", 3, "suara")}}


@pytest.mark.parametrize("case", TYPED)
def test_constraints_and_keys_are_read_as_their_fields_type(fixture_package: Path, tmp_path: Path, case: str
                                                            ) -> None:
    """Review M #9: an enum or minimum is read as the field reads a cell (``"1"`` is the integer 1), number keys
    compare as numbers (``2.0`` is ``2``), dates as dates (``2024-2-14`` is ``2024-02-14``), and NaN is below any
    minimum, as in Frictionless: valid packages were invalid (exit 1), duplicate keys and a NaN passed."""
    pkg = copy_package(fixture_package, tmp_path)
    desc = json.loads((pkg / "datapackage.json").read_text())
    _typed(desc, pkg, case)
    of_another_version(desc)
    (pkg / "datapackage.json").write_text(json.dumps(desc))
    rehash(pkg)
    ours, theirs = both(pkg)
    assert ours == theirs == TYPED[case]


READINGS = {"semicolons": lambda b: b.replace(b",", b";"), "a BOM": lambda b: b"\xef\xbb\xbf" + b,
            "a label spaced": lambda b: b.replace(b",suara\n", b", suara\n", 1),
            "a blank first line": lambda b: b"\n" + b}


@pytest.mark.parametrize("reading", READINGS)
def test_both_engines_read_a_csv_as_its_dialect_declares(fixture_package: Path, tmp_path: Path, reading: str
                                                         ) -> None:
    """Review M #10: ``--engine frictionless`` guessed what the dialect leaves out and passed a ``;`` file and a blank
    first line, which the releasekit engine (and a user's CSV reader) reads as comma-separated with a header row;
    a BOM and spaces around a label, which Frictionless reads past, the releasekit engine called wrong labels."""
    pkg = copy_package(fixture_package, tmp_path)
    suara = pkg / "data" / "suara.csv"
    suara.write_bytes(READINGS[reading](suara.read_bytes()))
    rehash(pkg)
    ours, theirs = both(pkg)
    if reading in ("a BOM", "a label spaced"):
        assert ours == theirs == set()
    elif reading == "semicolons":  # (each row read against the one field its header labels, as Frictionless does)
        header = {("suara", "incorrect-label", None, "kode_pemilu"), ("suara", "missing-label", None, "suara")}
        assert header <= ours == theirs
    else:  # (Frictionless reports no label of a blank header; the rows' problems are the same)
        assert {p for p in ours if p[1] != "missing-label"} == theirs and ("suara", "type-error", 2, "suara") in ours


@pytest.mark.parametrize("cells", [["sNaN"], ["1e999999999"], ["0", "1e-999999999"],
                                   ["12345678901234567890123456789.0", "12345678901234567890123456790.0"]])
def test_numbers_past_a_decimal_contexts_reach_are_read_whole(fixture_package: Path, tmp_path: Path,
                                                              cells: list[str]) -> None:
    """Review N #5, #6: ``sNaN`` under a minimum and ``1e999999999`` anywhere stopped the run with an internal error;
    number keys were rounded to 28 digits (two different keys a duplicate, ``1e-999999999`` the key ``0``)."""
    from releasekit.tablecheck.fields import _num, number_text

    assert number_text(_num("1e999999999")) == "1E+999999999" and number_text(_num("2.50")) == "2.5"
    pkg = copy_package(fixture_package, tmp_path)
    desc = json.loads((pkg / "datapackage.json").read_text())
    sources = next(r for r in desc["resources"] if r["name"] == "sources")
    sources["schema"]["fields"].append({"name": "v", "type": "number", "constraints": {"minimum": 0}})
    sources["schema"]["primaryKey"] = ["v"]
    of_another_version(desc)
    (pkg / "datapackage.json").write_text(json.dumps(desc))
    edit_rows(pkg, "sources", lambda rows: [rows[0].append("v"), *[row.append(cells[0]) for row in rows[1:]],
                                            rows.extend([*row[:-1], cell] for cell in cells[1:] for row in rows[1:2])])
    rehash(pkg)
    ours, theirs = both(pkg)
    if cells == ["sNaN"]:  # (read as NaN, below the minimum; Frictionless itself stops on it: a package-error)
        assert ours == {("sources", "constraint-error", 2, "v")}
    else:
        assert ours == theirs


def test_negative_zero_and_leading_zeros_in_a_key_are_integers(national_package: Path, tmp_path: Path) -> None:
    pkg = copy_package(national_package, tmp_path)
    edit_rows(pkg, "suara", lambda rows: corrupt(rows, [(10, 3, "-0"), (11, 3, "007")]))
    rehash(pkg)
    ours = validate_descriptor(pkg / "datapackage.json")
    theirs = validate_descriptor(pkg / "datapackage.json", engine="frictionless")
    assert [(p.row, p.message) for p in ours.problems] == [(p.row, p.message) for p in theirs.problems]
    assert [p.message.split('values "')[1][:12] for p in ours.problems if p.type == "foreign-key"] == [
        "ppwp-2024, 0", "ppwp-2024, 7"]
    assert [(p.type, p.row) for p in ours.problems if p.type != "foreign-key"] == [("constraint-error", 11)]  # 0 < 1


def test_hash_from_the_thread_is_reported_before_the_rows(national_package: Path, tmp_path: Path) -> None:
    pkg = copy_package(national_package, tmp_path)
    edit_rows(pkg, "hasil_tps", lambda rows: corrupt(rows, [(3, 5, "not-a-number")]))  # no rehash
    problems = [(r, t) for r, t, *_ in check(pkg)]
    assert problems == [("hasil_tps", "hash-count"), ("hasil_tps", "byte-count"), ("hasil_tps", "type-error")]


# --- The second process -------------------------------------------------------------------------

@pytest.mark.parametrize("start", [1 << 20, 1])  # forked once the small resources are done, or at once
@pytest.mark.parametrize("damage", ["clean", "suara-rows", "dangling-deferred", "hasil-and-suara"])
def test_second_process_reports_exactly_what_one_process_does(
        national_package: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str, start: int) -> None:

    second_process()
    pkg = copy_package(national_package, tmp_path)
    if damage == "suara-rows":  # a type error, an unknown candidate (peserta), a NIK
        edit_rows(pkg, "suara", lambda rows: corrupt(rows, [(5, 4, "x"), (9, 3, "9"), (12, 4, "3273014501900001")]))
    elif damage == "dangling-deferred":  # a key suara asks of hasil_tps, looked up only at the end
        edit_rows(pkg, "suara", lambda rows: corrupt(rows, [(20, 2, "3101019999999"), (21, 1, "2024-01-01")]))
    elif damage == "hasil-and-suara":
        edit_rows(pkg, "hasil_tps", lambda rows: rows.pop(30))
        edit_rows(pkg, "suara", lambda rows: corrupt(rows, [(40, 4, "-")]))
    monkeypatch.setattr(checker, "ASIDE_BYTES", sys.maxsize)
    alone = check(pkg)
    monkeypatch.setattr(checker, "ASIDE_BYTES", 1)
    monkeypatch.setattr(checker, "START_BYTES", start)
    started = count_calls(monkeypatch, "__init__")  # passes built here (a forked child's do not count)
    beside = check(pkg)
    assert beside == alone
    # Forked at once, suara's lookups into hasil_tps and peserta are deferred, and a dangling one means suara is
    # checked again here; forked at suara's turn (this package's files are all small), nothing is deferred.
    again = start == 1 and damage != "clean"
    assert (len(started) == len(json.loads((pkg / "datapackage.json").read_text())["resources"])) == again
    if damage == "clean":
        assert alone == []


@pytest.fixture
def aside(monkeypatch: pytest.MonkeyPatch) -> None:
    """The largest resource no other points at is checked in a second process, whatever its size."""

    second_process()
    monkeypatch.setattr(checker, "ASIDE_BYTES", 1)


@pytest.mark.usefixtures("aside")
def test_a_failed_second_process_falls_back_to_checking_here(
        national_package: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from releasekit import forked

    original = forked.Forked.result
    monkeypatch.setattr(forked.Forked, "result", lambda self: (original(self), None)[1])
    started = count_calls(monkeypatch, "__init__")
    assert check(national_package) == []
    assert len(started) == len(json.loads((national_package / "datapackage.json").read_text())["resources"])


@pytest.mark.usefixtures("aside")
def test_a_refused_fork_means_one_process(national_package: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from releasekit import forked

    def refuse(self: object, function: object) -> None:
        raise OSError("Resource temporarily unavailable")

    monkeypatch.setattr(forked.Forked, "__init__", refuse)
    assert check(national_package) == []


@pytest.mark.usefixtures("aside")
def test_the_second_process_is_stopped_when_the_first_fails(
        national_package: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from releasekit import forked

    monkeypatch.setattr(checker, "START_BYTES", 1)  # the child starts before hasil_tps fails
    children: list[int] = []
    original_init, original_resource = forked.Forked.__init__, checker.Checker._resource

    def remember(self: forked.Forked, function: Any) -> None:
        original_init(self, function)
        children.append(self.pid)

    def broken(self: checker.Checker, res: dict[str, Any], wanted: Any) -> None:
        if res["name"] == "hasil_tps":
            raise RuntimeError("a schema this checker cannot read")
        original_resource(self, res, wanted)

    monkeypatch.setattr(forked.Forked, "__init__", remember)
    monkeypatch.setattr(checker.Checker, "_resource", broken)
    with pytest.raises(RuntimeError):
        check(national_package)
    assert len(children) == 1
    with pytest.raises(ProcessLookupError):  # killed and reaped: no process, not even a zombie
        os.kill(children[0], 0)


def test_the_error_limit_reports_what_frictionless_reports_and_stops_reading(
        national_package: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past frictionless's ``limit_errors`` a resource's rows are no longer read: its first problems in row order, a
    warning, and nothing held for the rest (a column wrong in every row of a national file held gigabytes)."""
    import releasekit.validate

    monkeypatch.setattr(checker, "ERROR_LIMIT", 27)
    monkeypatch.setattr(releasekit.validate, "ERROR_LIMIT", 27)
    pkg = copy_package(national_package, tmp_path)

    def wrong(rows: list[list[str]]) -> None:  # one problem a row; three in every third (a candidate "y" is unknown)
        for n, row in enumerate(rows[1:]):
            row[4] = "x"
            if n % 3 == 0:
                row[3] = "y"

    edit_rows(pkg, "suara", wrong)
    rehash(pkg)
    records = count_calls(monkeypatch, "record")
    ours = validate_descriptor(pkg / "datapackage.json")
    assert len(records) < 30  # read line by line to the limit, not to the end
    theirs = validate_descriptor(pkg / "datapackage.json", engine="frictionless")
    key = [(p.resource, p.type, p.row, p.field) for p in ours.problems]
    assert len(key) == 27 and {p.resource for p in ours.problems} == {"suara"}
    assert set(key) == {(p.resource, p.type, p.row, p.field) for p in theirs.problems}
    assert [w.split(":")[0] for w in ours.warnings] == [w.split(":")[0] for w in theirs.warnings] == ["resource suara"]
    # Rows 2-16 hold 25 problems, row 17 three: the limit falls inside row 17, whose third problem is cut as
    # frictionless cuts it.
    assert "at row 17:" in ours.warnings[0] and sum(p.row == 17 for p in ours.problems) == 2
    assert "warnings" in json.loads(Report([ours]).render("json"))["packages"][0]


@pytest.mark.parametrize("aside_start", [None, 1])
@pytest.mark.parametrize("chunk", [1 << 20, 97])
def test_a_resource_stopped_at_the_limit_is_still_a_lookup_table(
        national_package: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int,
        aside_start: int | None) -> None:
    """Its rows stop being read at the limit, but its keys are read whole for the resources pointing at it, as
    Frictionless reads a referenced resource whole: a key of a row past the cut is found, a dangling one is reported
    (it was not looked up at all), in one process, and in a second one whose lookups into it were deferred."""
    from frictionless import validate as frictionless_validate

    monkeypatch.setattr("releasekit.tablecheck.rowpass.CHUNK", chunk)
    monkeypatch.setattr(checker, "ERROR_LIMIT", 25)
    if aside_start is not None:
        second_process()
        monkeypatch.setattr(checker, "ASIDE_BYTES", 1)
        monkeypatch.setattr(checker, "START_BYTES", aside_start)  # suara forked first: its lookups deferred
    pkg = copy_package(national_package, tmp_path)

    def wrong_count(rows: list[list[str]]) -> None:  # pemilih_dpt_j, every row
        for row in rows[1:]:
            row[4] = "x"

    edit_rows(pkg, "hasil_tps", wrong_count)
    edit_rows(pkg, "suara", lambda rows: corrupt(rows, [(len(rows) - 1, 2, "9999999999999")]))  # the last TPS's
    rehash(pkg)
    problems = check(pkg)
    assert sum(p[0] == "hasil_tps" for p in problems) == 25
    dangling = [p for p in problems if p[0] == "suara"]
    assert [p[1] for p in dangling] == ["foreign-key"]  # (every other row's TPS is past hasil_tps's cut)
    report = frictionless_validate(str(pkg / "datapackage.json"), limit_errors=25)
    theirs = {(t.name, e.type, getattr(e, "row_number", None)) for t in report.tasks for e in t.errors}
    assert {p[:3] for p in problems} == theirs


@pytest.mark.parametrize("chunk", [1 << 20, 97])
@pytest.mark.parametrize("reference", ["", "a"])
def test_references_to_its_own_rows_are_looked_up_when_it_stops_at_the_limit(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int, reference: str) -> None:
    """A resource whose foreign key points at itself and which stops at the limit: its references up to the cut are
    looked up in all its keys, as Frictionless looks them up row by row (a dangling one in row 2 went unreported and a
    later row's problem took its place; one pointing past the cut is found)."""
    from frictionless import validate as frictionless_validate

    monkeypatch.setattr("releasekit.tablecheck.rowpass.CHUNK", chunk)
    monkeypatch.setattr(checker, "ERROR_LIMIT", 5)
    # Row 2 points at a parent no row has, row 3 at the last row's id; an integer wrong in every row from row 4.
    rows = ["1,999,1", "2,300,1"] + [f"{i},1,x" for i in range(3, 301)]
    (tmp_path / "a.csv").write_text("id,parent,n\n" + "".join(f"{r}\n" for r in rows))
    schema = {"fields": [{"name": "id", "type": "integer"}, {"name": "parent", "type": "integer"},
                         {"name": "n", "type": "integer"}], "primaryKey": ["id"],
              "foreignKeys": [{"fields": ["parent"], "reference": {"resource": reference, "fields": ["id"]}}]}
    descriptor = {"name": "p", "resources": [{"name": "a", "path": "a.csv", "profile": "tabular-data-resource",
                                              "format": "csv", "schema": schema}]}
    (tmp_path / "datapackage.json").write_text(json.dumps(descriptor))
    ours = [problem[:3] for problem in check(tmp_path)]
    assert ours == [("a", "foreign-key", 2)] + [("a", "type-error", row) for row in range(4, 8)]
    report = frictionless_validate(str(tmp_path / "datapackage.json"), limit_errors=5)
    assert set(ours) == {(t.name, e.type, getattr(e, "row_number", None)) for t in report.tasks for e in t.errors}


def _parent_and_child(folder: Path, case: str, primary_key: bool = True) -> dict[str, Any]:
    """A package of two resources, ``child`` pointing at ``parent``, with a limit's worth of early problems of a kind
    the checker reports after the rest of a block (dangling keys) or at the end of a file (duplicate keys); or, case
    ``dangling-then-types``, a dangling key in the first row only. ``child`` has the primary key ``id`` in the cases
    with type errors, unless ``primary_key`` is false. Returns the descriptor it wrote."""
    if case == "dangling-then-unique":  # dangling keys in rows 2-26, a repeated unique value from row 28
        rows = [(r, "dup" if r >= 27 else f"u{r}", 999 if r <= 26 else 1) for r in range(2, 302)]
    elif case == "duplicate-key-then-types":  # row 3 repeats row 2's key, type errors from row 10
        rows = [(2 if r == 3 else r, "x" if r >= 10 else f"u{r}", 1) for r in range(2, 302)]
    else:  # "dangling-then-types": row 2's key dangles, a type error in every row
        rows = [(r, "x", 999 if r == 2 else 1) for r in range(2, 200)]
    folder.mkdir()
    (folder / "parent.csv").write_text("id\n" + "".join(f"{i}\n" for i in range(1, 100)))
    (folder / "child.csv").write_text("id,u,ref\n" + "".join(f"{a},{b},{c}\n" for a, b, c in rows))
    fk = {"fields": ["ref"], "reference": {"resource": "parent", "fields": ["id"]}}
    child: dict[str, Any] = {"fields": [{"name": "id", "type": "integer"}, {"name": "u", "type": "string"},
                                        {"name": "ref", "type": "integer"}], "foreignKeys": [fk]}
    if case == "dangling-then-unique":
        child["fields"][1]["constraints"] = {"unique": True}
    else:
        child["fields"][1]["type"] = "integer"
        if primary_key:
            child["primaryKey"] = ["id"]
    parent = {"fields": [{"name": "id", "type": "integer"}], "primaryKey": ["id"]}
    resources = [{"name": name, "path": f"{name}.csv", "profile": "tabular-data-resource", "format": "csv",
                  "schema": schema} for name, schema in (("parent", parent), ("child", child))]
    descriptor = {"name": "p", "resources": resources}
    (folder / "datapackage.json").write_text(json.dumps(descriptor))
    return descriptor


@pytest.mark.parametrize("chunk", [1 << 20, 97])
@pytest.mark.parametrize("case", ["dangling-then-unique", "duplicate-key-then-types"])
def test_the_limit_keeps_the_first_problems_whichever_check_finds_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str, chunk: int) -> None:
    """Problems a block reports check by check, and duplicate keys found by the pass at the end of a file, are cut
    in row order at the row frictionless stops at."""
    from frictionless import validate as frictionless_validate

    monkeypatch.setattr("releasekit.tablecheck.rowpass.CHUNK", chunk)
    monkeypatch.setattr(checker, "ERROR_LIMIT", 50)
    _parent_and_child(tmp_path / "pkg", case)
    ours = {problem[:3] for problem in check(tmp_path / "pkg")}
    report = frictionless_validate(str(tmp_path / "pkg" / "datapackage.json"), limit_errors=50)
    theirs = {(t.name, e.type, getattr(e, "row_number", None)) for t in report.tasks for e in t.errors}
    assert len(ours) == 50 and ours == theirs


@pytest.mark.parametrize("aside", [False, True])
def test_the_limit_holds_for_a_resource_whose_name_is_masked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             aside: bool) -> None:
    """A problem holds a resource's name masked (a NIK-like name): its problems are counted under that name, also
    when a second process checked it."""
    from releasekit.privacy import mask_niks

    nik = "3201014501900001"
    monkeypatch.setattr(checker, "ERROR_LIMIT", 3)
    if aside:
        second_process()
        monkeypatch.setattr(checker, "ASIDE_BYTES", 1)
        monkeypatch.setattr(checker, "START_BYTES", 1)
    (tmp_path / "t.csv").write_text("id\n" + "x\n" * 100)  # the larger file: the one a second process checks
    (tmp_path / "o.csv").write_text("id\n" + "1\n" * 10)
    schema = {"fields": [{"name": "id", "type": "integer"}]}
    descriptor = {"name": "p", "resources": [{"name": name, "path": path, "profile": "tabular-data-resource",
                                              "format": "csv", "schema": schema}
                                             for name, path in (("other", "o.csv"), (nik, "t.csv"))]}
    ours = checker.Checker(tmp_path, descriptor)
    assert [(p.resource, p.type) for p in ours.run()] == [(mask_niks(nik), "type-error")] * 3
    assert len(ours.warnings()) == 1 and nik not in ours.warnings()[0] and mask_niks(nik) in ours.warnings()[0]


@pytest.mark.parametrize("primary_key", [True, False])
def test_a_second_process_stopped_at_the_limit_hands_on_its_deferred_lookups(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, primary_key: bool) -> None:
    """A resource checked in a second process, its lookups into a resource not read yet deferred, that reaches the
    limit: the dangling key of its first row is reported as in one process, with a primary key or without."""

    def problems(aside: bool) -> list[tuple[Any, ...]]:
        folder = tmp_path / f"{primary_key}-{aside}"
        descriptor = _parent_and_child(folder, "dangling-then-types", primary_key)
        monkeypatch.setattr(checker, "ASIDE_BYTES", 1 if aside else 1 << 60)
        monkeypatch.setattr(checker, "START_BYTES", 1)
        return sorted((p.resource, p.type, p.row) for p in checker.Checker(folder, descriptor).run())

    monkeypatch.setattr(checker, "ERROR_LIMIT", 5)
    second_process()
    one = problems(aside=False)
    assert ("child", "foreign-key", 2) in one and len(one) == 5
    assert problems(aside=True) == one


@pytest.mark.parametrize("closed", [True, False], ids=["closed-later", "open-to-the-end"])
def test_a_quoted_cell_over_many_blocks_is_read_once(
        national_package: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, closed: bool) -> None:
    """A quoted cell that goes on over the lines of many blocks (a stray quote left open, review K #5): each of its
    lines is read once however many blocks it spans, where every block read the record again from its start
    (31 s for 64 MB), and both engines still read the same records."""
    from releasekit.tablecheck import text

    pkg = copy_package(national_package, tmp_path)
    path = pkg / "data" / "hasil_tps.csv"
    lines = path.read_text().splitlines(keepends=True)
    lines[10] = lines[10].rsplit(",", 1)[0] + ',"terbuka\n'
    if closed:
        lines[200] = lines[200].rstrip("\n") + '"\n'
    path.write_text("".join(lines))
    rehash(pkg)
    monkeypatch.setattr("releasekit.tablecheck.rowpass.CHUNK", 97)  # blocks of a line or two
    read: list[str] = []
    opens_cell = text.opens_cell

    def counted(line: str, inside: bool = False) -> bool:
        read.append(line)
        return opens_cell(line, inside)

    monkeypatch.setattr(text, "opens_cell", counted)
    ours = validate_descriptor(pkg / "datapackage.json")
    assert 190 <= len(read) <= 2 * len(lines)  # (each line of the record once; the old reader: over 18,000)
    monkeypatch.setattr(text, "opens_cell", opens_cell)
    theirs = validate_descriptor(pkg / "datapackage.json", engine="frictionless")
    assert not ours.valid and not theirs.valid
    assert [(p.resource, p.type, p.row, p.field) for p in ours.problems] == [
        (p.resource, p.type, p.row, p.field) for p in theirs.problems]
    # Closed, the record is one row and the rows after it are read: fewer of suara's TPS are missing.
    assert len(ours.problems) == (408 if closed else 627)


def _parent_child(folder: Path, target: tuple[str, list[str]], source: tuple[str, list[str]]) -> Path:
    """A package of ``t`` (one key field ``id`` of type and cells ``target``) and ``s`` (one field ``ref`` of type
    and cells ``source``, a foreign key into ``t``)."""
    (kind_t, cells_t), (kind_s, cells_s) = target, source
    return _tables(folder, {
        "t": ("id\n" + "".join(f"{c}\n" for c in cells_t), {"fields": [{"name": "id", "type": kind_t}],
                                                              "primaryKey": ["id"]}),
        "s": ("ref\n" + "".join(f"{c}\n" for c in cells_s), {
            "fields": [{"name": "ref", "type": kind_s}],
            "foreignKeys": [{"fields": ["ref"], "reference": {"resource": "t", "fields": ["id"]}}]})})


#: (target type and cells, source type and cells, the source rows whose key is not found).
KINDS = {
    "boolean into integer": (("integer", ["0", "1", "2"]), ("boolean", ["true", "false", "TRUE", "0"]), set()),
    "boolean into integer without 0": (("integer", ["1", "2"]), ("boolean", ["true", "false", "1"]), {3}),
    "integer into boolean": (("boolean", ["true", "false"]), ("integer", ["1", "0", "2", "01"]), {4}),
    "number into boolean": (("boolean", ["true"]), ("number", ["1.0", "1", "0.5", "-0"]), {4, 5}),
    "string into integer": (("integer", ["1", "2"]), ("string", ["1", "2", "x"]), {2, 3, 4}),
    "integer into string": (("string", ["1", "2"]), ("integer", ["1", "2"]), {2, 3}),
    "string into boolean": (("boolean", ["true"]), ("string", ["true"]), {2}),
    "date into string": (("string", ["2024-01-01"]), ("date", ["2024-01-01"]), {2}),
    "number into integer": (("integer", ["1", "2"]), ("number", ["2.0", "1", "3"]), {4}),
    "NaN into NaN": (("number", ["NaN", "1"]), ("number", ["NaN", "nan", "1.0"]), {2, 3}),
    "NaN into boolean": (("boolean", ["true"]), ("number", ["NaN"]), {2}),
}


@pytest.mark.parametrize("case", KINDS)
def test_a_foreign_key_into_keys_of_another_type_compares_values_as_frictionless(tmp_path: Path, case: str) -> None:
    """A key's cells are compared across types as Frictionless compares the values it reads (Python's ``==``): a
    boolean is 1 or 0 to an integer or number, a string or a date is never a number or a string, and NaN equals
    nothing. The releasekit engine compared the texts: ``"1"`` into an integer 1 and a date into its text passed
    (a package Frictionless finds invalid was valid), and ``true`` into an integer 1 did not."""
    target, source, lost = KINDS[case]
    pkg = _parent_child(tmp_path / "p", target, source)
    ours, theirs = both(pkg)
    assert ours == theirs == {("s", "foreign-key", row, None) for row in lost}


def test_keys_of_another_type_in_blocks_composite_and_self_references(tmp_path: Path) -> None:
    """The same on every path: rows the block expression reads (canonical cells), rows read one by one (``TRUE``),
    a composite key of a string and a boolean into a string and an integer, and a reference into the resource
    itself (an integer ``parent`` into a string ``id``)."""
    rows = [f"e{i % 3},{'true' if i % 2 else 'false'}" for i in range(3000)] + ["e1,TRUE", "e9,true", "e2,0"]
    parents = [f"e{i},{n}" for i in range(3) for n in (0, 1)]
    pkg = _tables(tmp_path / "p", {
        "t": ("pemilu,n\n" + "\n".join(parents) + "\n",
              {"fields": [{"name": "pemilu", "type": "string"}, {"name": "n", "type": "integer"}],
               "primaryKey": ["pemilu", "n"]}),
        "s": ("pemilu,flag\n" + "\n".join(rows) + "\n",
              {"fields": [{"name": "pemilu", "type": "string"}, {"name": "flag", "type": "boolean"}],
               "foreignKeys": [{"fields": ["pemilu", "flag"],
                                "reference": {"resource": "t", "fields": ["pemilu", "n"]}}]}),
        "tree": ("id,parent\n1,\n2,1\n3,2\n4,7\n",
                 {"fields": [{"name": "id", "type": "string"}, {"name": "parent", "type": "integer"}],
                  "primaryKey": ["id"],
                  "foreignKeys": [{"fields": ["parent"], "reference": {"resource": "", "fields": ["id"]}}]})})
    ours, theirs = both(pkg)
    assert ours == theirs == {("s", "foreign-key", 3003, None), *(("tree", "foreign-key", r, None) for r in (3, 4, 5))}


@pytest.mark.parametrize("shuffled", [False, True])
def test_a_key_holding_nan_repeats_no_other(tmp_path: Path, shuffled: bool) -> None:
    """NaN equals nothing, itself included: two rows whose number key is NaN (``NaN``, ``nan``), whose composite
    key holds one, or whose unique number is one are no duplicates, as Frictionless reads them; the releasekit
    engine called them the same key. Out of order (the key index's second pass) too; ``Infinity`` still repeats."""
    rows = ["1,a,1", "NaN,a,NaN", "nan,a,nan", "NaN,b,3", "NaN,b,4", "Infinity,c,5", "inf,c,6"]
    rows = rows[::-1] if shuffled else rows
    pkg = _tables(tmp_path / "p", {"t": ("x,y,u\n" + "\n".join(rows) + "\n", {
        "fields": [{"name": "x", "type": "number"}, {"name": "y", "type": "string"},
                   {"name": "u", "type": "number", "constraints": {"unique": True}}],
        "primaryKey": ["x", "y"]})})
    ours, theirs = both(pkg)
    assert ours == theirs == {("t", "primary-key", 3 if shuffled else 8, None)}


@pytest.mark.parametrize("named", [True, False])
def test_a_reference_to_the_resource_by_its_own_name_is_a_self_reference(tmp_path: Path, named: bool,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Review Z #5: a foreign key naming its own resource (``"resource": "a"``, not ``""``) was looked up block by
    block, so a row pointing at one in a later block was a false ``foreign-key`` error; Frictionless finds none.
    Now it is a self-reference, looked up once every key is known (a dangling one is still found)."""
    monkeypatch.setattr("releasekit.tablecheck.rowpass.CHUNK", 1 << 12)  # (many blocks of a small file)
    rows = [f"{i},{i + 1}" for i in range(1, 3000)] + ["3000,1", "3001,9999"]
    fk = {"fields": ["parent"], "reference": {"resource": "a" if named else "", "fields": ["id"]}}
    pkg = _tables(tmp_path / "p", {"a": ("id,parent\n" + "\n".join(rows) + "\n", {
        "fields": [{"name": "id", "type": "integer"}, {"name": "parent", "type": "integer"}],
        "primaryKey": ["id"], "foreignKeys": [fk]})})
    ours, theirs = both(pkg)
    assert ours == theirs == {("a", "foreign-key", 3002, None)}


def _cycle(folder: Path, names: list[str], rows: int, dangling: dict[str, int]) -> Path:
    """Resources that point at each other in a ring (``names[i]`` → ``names[i + 1]``, the last → the first), each
    row ``n`` of each at row ``n`` of the next; ``dangling`` gives a resource the data row whose reference is to no
    row."""
    tables = {}
    for position, name in enumerate(names):
        ahead = names[(position + 1) % len(names)]
        lines = [f"{n},{9999 if dangling.get(name) == n else n}" for n in range(1, rows + 1)]
        tables[name] = ("id,ref\n" + "\n".join(lines) + "\n", {
            "fields": [{"name": "id", "type": "integer"}, {"name": "ref", "type": "integer"}], "primaryKey": ["id"],
            "foreignKeys": [{"fields": ["ref"], "reference": {"resource": ahead, "fields": ["id"]}}]})
    return _tables(folder, tables)


@pytest.mark.parametrize("blocks", [False, True])
@pytest.mark.parametrize("names", [["a", "b"], ["a", "b", "c"], ["c", "b", "a"]])
def test_resources_that_reference_each_other_see_every_key_of_the_other(tmp_path: Path, names: list[str],
                                                                        blocks: bool,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Two (or more) resources whose foreign keys point at each other: the one read first looked its keys up in a
    resource not read yet, so every row was a false ``foreign-key`` error; Frictionless reads a referenced resource
    whole before looking keys up in it, and finds only the dangling ones."""
    if blocks:
        monkeypatch.setattr("releasekit.tablecheck.rowpass.CHUNK", 1 << 10)  # (many blocks of a small file)
    pkg = _cycle(tmp_path / "p", names, 300, {names[0]: 7, names[-1]: 250})
    ours, theirs = both(pkg)
    assert ours == theirs == {(names[0], "foreign-key", 8, None), (names[-1], "foreign-key", 251, None)}


@pytest.mark.parametrize("ring", [False, True])
@pytest.mark.parametrize("missing", [["b"], ["a", "b"]])
def test_a_foreign_key_into_a_resource_whose_file_is_missing_is_a_scheme_error(tmp_path: Path, ring: bool,
                                                                                missing: list[str]) -> None:
    """Frictionless reads a referenced resource to look keys up in it: when its file is missing, the resource that
    points at it has a ``scheme-error`` too, and nothing else (the checker reported the target's alone, and let the
    resource pass); a resource whose own file is missing reports that alone."""
    pkg = _cycle(tmp_path / "p", ["a", "b"], 30, {"a": 7})
    if not ring:
        desc = json.loads((pkg / "datapackage.json").read_text())
        del desc["resources"][1]["schema"]["foreignKeys"]
        (pkg / "datapackage.json").write_text(json.dumps(desc))
    for name in missing:
        (pkg / "data" / f"{name}.csv").unlink()
    ours, theirs = both(pkg)
    assert ours == theirs == {("a", "scheme-error", None, None), ("b", "scheme-error", None, None)}
    problems = validate_descriptor(pkg / "datapackage.json").problems
    assert [p.message for p in problems if p.resource == "a"] == [
        "file not found: data/a.csv" if "a" in missing else
        'file not found: data/b.csv (resource "b", which a foreign key points at)']


@pytest.mark.usefixtures("aside")
def test_a_cycle_beside_a_second_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A resource checked in the second process that points into a cycle: forked before the cycle is read, its keys
    into it are deferred and found once the cycle's resources are checked in their turn (a keys-only read ahead does
    not count as their turn)."""
    monkeypatch.setattr(checker, "START_BYTES", 1)  # (forked at once)
    pkg = _cycle(tmp_path / "p", ["a", "b"], 300, {"a": 7})
    desc = json.loads((pkg / "datapackage.json").read_text())
    text = "id,ref\n" + "".join(f"{n},{n if n != 40 else 777}\n" for n in range(1, 301))
    (pkg / "data" / "z.csv").write_text(text)
    desc["resources"].insert(0, {**desc["resources"][1], "name": "z", "path": "data/z.csv", "bytes": len(text),
                                 "hash": "sha256:" + hashlib.sha256(text.encode()).hexdigest()})
    (pkg / "datapackage.json").write_text(json.dumps(desc))
    from releasekit import forked

    children: list[int] = []
    original = forked.Forked.__init__

    def remember(self: forked.Forked, function: Any) -> None:
        original(self, function)
        children.append(self.pid)

    monkeypatch.setattr(forked.Forked, "__init__", remember)
    passes = count_calls(monkeypatch, "__init__")  # (here: z's in the child does not count, unless checked again)
    ours, theirs = both(pkg)
    assert ours == theirs == {("a", "foreign-key", 8, None), ("z", "foreign-key", 41, None)}
    assert len(children) == 1 and len(passes) == 4  # b ahead of a, a, b, z again (its dangling key)


@pytest.mark.parametrize("text", ["", "\n", "\r\n", "\n\n", "\n1,a\n", " \n"])
def test_an_empty_file_or_a_blank_first_line_is_read_as_frictionless_reads_it(tmp_path: Path, text: str) -> None:
    """A fuzz of both engines (review AB #5, #6): a file with no record at all is Frictionless's one ``source-error``
    (the checker reported a ``missing-label`` for every field), and a blank first line has no label to check (it
    reported each missing); a blank first line followed by others is read on, and a foreign key into an empty
    resource finds nothing."""
    schema = {"fields": [{"name": "x", "type": "integer"}, {"name": "y", "type": "string"}]}
    pointing = {"fields": [{"name": "x", "type": "integer"}],
                "foreignKeys": [{"fields": ["x"], "reference": {"resource": "a", "fields": ["x"]}}]}
    pkg = _tables(tmp_path / "p", {"a": (text, schema), "b": ("x\n1\n", pointing)})
    ours, theirs = both(pkg)
    assert ours == theirs
    if text in ("", "\n", "\r\n"):
        assert ours == {("a", "source-error", None, None), ("b", "foreign-key", 2, None)}


def _one_resource(folder: Path, header: str, rows: list[str], schema: dict[str, Any]) -> None:
    folder.mkdir(exist_ok=True)
    (folder / "a.csv").write_text(header + "\n" + "".join(f"{r}\n" for r in rows))
    descriptor = {"name": "p", "resources": [{"name": "a", "path": "a.csv", "profile": "tabular-data-resource",
                                              "format": "csv", "schema": schema}]}
    (folder / "datapackage.json").write_text(json.dumps(descriptor))


def _frictionless_problems(folder: Path, limit: int = 1000) -> list[tuple[Any, ...]]:
    from frictionless import validate as frictionless_validate

    report = frictionless_validate(str(folder / "datapackage.json"), limit_errors=limit)
    return [(t.name, e.type, getattr(e, "row_number", None), getattr(e, "field_name", None) or None,
             getattr(e, "note", "")) for t in report.tasks for e in t.errors]


def test_a_cell_breaking_two_constraints_is_two_problems(tmp_path: Path) -> None:
    """Every constraint a cell breaks is a problem, in Frictionless's order (minimum before enum), as Frictionless
    reports them: the checker stopped at the first one it tried, enum."""
    schema = {"fields": [{"name": "n", "type": "integer", "constraints": {"minimum": 2, "enum": [3, 4]}},
                         {"name": "s", "type": "string", "constraints": {"pattern": "[a-z]+", "enum": ["ab"]}}]}
    _one_resource(tmp_path, "n,s", ["1,AB", "3,ab", "5,cd"], schema)
    ours = [(p[0], p[1], p[2], p[3], p[4]) for p in check(tmp_path)]
    assert ours == [("a", "constraint-error", 2, "n", 'constraint "minimum" is "2"'),
                    ("a", "constraint-error", 2, "n", 'constraint "enum" is "[3, 4]"'),
                    ("a", "constraint-error", 2, "s", 'constraint "pattern" is "[a-z]+"'),
                    ("a", "constraint-error", 2, "s", "constraint \"enum\" is \"['ab']\""),
                    ("a", "constraint-error", 4, "n", 'constraint "enum" is "[3, 4]"'),
                    ("a", "constraint-error", 4, "s", "constraint \"enum\" is \"['ab']\"")]
    assert ours == _frictionless_problems(tmp_path)


@pytest.mark.parametrize("limit", [1, 2, 3, 4])
def test_the_limit_inside_a_row_keeps_its_problems_in_frictionless_order(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, limit: int) -> None:
    """Frictionless reads a row's cells as its checks need them: a unique field's, then the primary key's, then each
    foreign key's, and the rest of the row once one of them finds a problem; the limit keeps the first problems in
    that order (the checker kept them in field order: an earlier field's type error before a key field's)."""
    monkeypatch.setattr(checker, "ERROR_LIMIT", limit)
    schema = {"fields": [{"name": "x", "type": "integer"}, {"name": "u", "type": "integer",
                                                              "constraints": {"unique": True}},
                         {"name": "id", "type": "integer", "constraints": {"required": True}},
                         {"name": "ref", "type": "integer"}],
              "primaryKey": ["id"],
              "foreignKeys": [{"fields": ["ref"], "reference": {"resource": "", "fields": ["id"]}}]}
    # Row 2: x wrong, id missing (required, and a primary key all None), ref dangling, u repeated in row 3.
    _one_resource(tmp_path, "x,u,id,ref", ["y,1,,99", "z,1,5,5"], schema)
    ours = [p[:4] for p in check(tmp_path)]
    assert len(ours) == limit
    assert ours == [p[:4] for p in _frictionless_problems(tmp_path, limit)]
