"""The gate on published bytes finds a NIK however it is written, as the loader does (review G, D3 b).

Before, the build's gate and ``validate`` looked for 16 ASCII digits in a row only: a NIK written with spaces,
dashes, dots, no-break spaces, in digits of another script or as a float's e-notation passed both. Now both read
published bytes with :func:`releasekit.privacy.holds_nik`, the test the loader puts every text value to.

The NIK of these tests, 3174056708850003, is NIK-like (DKI, born 27-08-85, a woman).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sqlite3
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import ProjectFactory, copy_package, edit_rows
from releasekit import dpt, piigate, privacy
from releasekit.cli import cli
from releasekit.errors import PrivacyError
from releasekit.piigate import _leading_columns, nik_lines_in, refuse_niks_in_database, refuse_niks_in_tree
from releasekit.privacy import holds_nik
from releasekit.tablecheck.text import niks_by_record
from test_dpt_privacy import raw_list  # noqa: F401 - a fixture
from test_validate import rewrite
from voters import voter_source

NIK = "3174056708850003"
SECRET = NIK[6:]
FULLWIDTH = "".join(chr(0xFF10 + int(d)) for d in NIK)
ARABIC = "".join(chr(0x0660 + int(d)) for d in NIK)
WRITTEN = {
    "spaces": "3174 0567 0885 0003",
    "two spaces": "3174  0567  0885  0003",
    "dashes": "3174-0567-0885-0003",
    "dots": "3174.0567.0885.0003",
    "no-break spaces": "3174\u00a00567\u00a00885\u00a00003",
    "tabs": "3174\t0567\t0885\t0003",
    "fullwidth digits": FULLWIDTH,
    "Arabic-Indic digits": ARABIC,
    "e-notation": "3.174056708850003e+15",
    "after a date": "12-05-1980 3174 0567 0885 0003",
    "after a word ending in a digit": "RT01 3174 0567 0885 0003",
    # Review AF #4: white space to Python (\s) that shows nothing; the screens before the expressions let it through
    "unit separators": "3174\x1f0567\x1f0885\x1f0003",
    "file separators": "3174\x1c0567\x1c0885\x1c0003",
    # Digits that are no decimal digits to \d, read as digits all the same
    "superscript digits": "".join("⁰¹²³⁴⁵⁶⁷⁸⁹"[int(d)] for d in NIK),
    "circled digits": "".join("⓪①②③④⑤⑥⑦⑧⑨"[int(d)] for d in NIK),
    # Review BO F1, F2, F4: zeros before it (an integer column reads the NIK), wider separators, other floats
    "zeros before it": "0" + NIK,
    "five spaces": "3174     0567     0885     0003",
    "eight spaces": "3174        0567        0885        0003",
    "spaced dashes": "3174  -  0567  -  0885  -  0003",
    "four dashes": "3174----0567----0885----0003",
    "braille blanks": "3174\u28000567\u28000885\u28000003",
    "keycap digits": "".join(d + "\ufe0f\u20e3" for d in NIK),
    "a three-digit exponent": "3.174056708850003e+015",
    "a trailing zero in the mantissa": "3.1740567088500030e+15",
    "a negative exponent": "31740567088500030e-1",
}
#: A NIK that a line break inside a quoted CSV cell splits: one cell to a CSV reader (and to the loader).
BROKEN = {
    "line feed": "3174 0567\n0885 0003",
    "carriage return and line feed": "3174 0567\r\n0885 0003",
    "carriage return": "3174 0567\r0885 0003",
    "no other separator": "31740567\n08850003",
}


def _no_secret(text: str) -> None:
    assert SECRET not in text.replace(" ", "").replace("-", "").replace(".", ""), text


# ------------------------------------------------------------------------------------- what counts as one

def test_a_decimal_number_is_no_nik_but_a_float_of_a_nik_is() -> None:
    """A float as a CSV writes it (``12.34567890123456``, 16 digits around one dot: the digits ``1234567890123456``
    would be NIK-like) is a number, not a NIK written with a dot; e-notation after it is (a NIK read as a number)."""
    assert privacy.is_nik_like("3174056708850003")
    assert not holds_nik("31.74056708850003")
    assert not holds_nik("x 317405.6708850003 y")
    assert holds_nik("3.174056708850003e+15")
    assert holds_nik("3174056708850003.0")  # 16 digits in a row, then a fraction
    # Review BO F4: a float whose value is the NIK, however a program wrote it; not one whose value has a fraction
    for written in ("3.174056708850003e+015", "3.1740567088500030e+15", "31740567088500030e-1",
                    "317405670885000.3e1", "3.174056708850003E15",
                    "3.17405670885001E15", "3.17405670885001e+15"):  # (…0010 written shortest: review BP M2)
        assert holds_nik(f"got {written}!"), written
        _no_secret(privacy.mask_niks(f"got {written}!"))
    assert not holds_nik("3.1740567088500031e+15") and not holds_nik("1.5e+15") and not holds_nik("0.0000000001e5")
    # Review BP L1: a hexadecimal digest whose 16 digits are followed by e0 is still a digest, not a float
    digest = "ab" + "c" * 14 + "5202014501900001" + "e0cd" + "f" * 28
    assert len(digest) == 64 and not holds_nik(digest) and not holds_nik(digest.upper())
    # Review BO F1: zeros before a NIK, as an integer column reads it; not a long number that is no NIK
    assert holds_nik("0" + "3174056708850003") and holds_nik("x 0003174056708850003 y")
    assert privacy.mask_niks("0" + "3174056708850003") == "031740" + "*" * 11
    assert not holds_nik("01101012001001") and not holds_nik("00000000000000000001")


def test_a_digit_group_glued_to_a_word_is_the_words() -> None:
    """``RT01 3174 0567 0885 0003``: the NIK is what follows ``RT01`` (before, the whole run was taken as part of the
    word and passed); a UUID's groups glued to hexadecimal letters at both ends stay no NIK."""
    assert holds_nik("RT01 3174 0567 0885 0003") and holds_nik("3174 0567 0885 0003 RW02")
    assert privacy.mask_niks("RT01 3174 0567 0885 0003") == "RT01 3174 05** **** ****"
    assert not holds_nik("01b64935-8280-4480-833d")  # 64935-8280-4480-833: 16 digits between two letters
    assert not holds_nik("RT01 3174 0567 0885 0003f")  # the last group is a hexadecimal word's: 12 digits are left
    # Review PII #2: a letter no hexadecimal word holds is a word of its own, the digits beside it the number's
    assert holds_nik("RT01 3174 0567 0885 0003x") and holds_nik("NIK3174-0567-0885-0003")
    assert privacy.mask_niks("NIK3174-0567-0885-0003") == "NIK3174-05**-****-****"
    assert not holds_nik("RT01 12.34567890123456")  # a decimal after the word


# ------------------------------------------------------------------------------------- validate

@pytest.mark.parametrize("engine", ["releasekit", "frictionless"])
@pytest.mark.parametrize("written", WRITTEN.values(), ids=WRITTEN.keys())
def test_validate_finds_a_nik_written_any_way_in_a_cell(fixture_package: Path, tmp_path: Path, written: str,
                                                        engine: str) -> None:
    pkg = copy_package(fixture_package, tmp_path)
    rewrite(pkg, "tps", lambda rows: rows[2].__setitem__(rows[0].index("nama"), f"TPS BUDI {written}"))
    result = CliRunner().invoke(cli, ["validate", "--engine", engine, "--format", "json", str(pkg)])
    report = json.loads(result.output)
    errors = [e for p in report["packages"] for e in p["errors"] if e["type"] == "pii-nik"]
    assert result.exit_code == 1 and errors, result.output
    assert (errors[0]["resource"], errors[0]["row"], errors[0].get("field")) == ("tps", 3, "nama"), errors
    _no_secret(result.output)


@pytest.mark.parametrize("engine", ["releasekit", "frictionless"])
@pytest.mark.parametrize("written", BROKEN.values(), ids=BROKEN.keys())
def test_validate_finds_a_nik_a_quoted_line_break_splits(fixture_package: Path, tmp_path: Path, written: str,
                                                         engine: str) -> None:
    """Both engines read the cell whole (before, the Frictionless engine's byte screen took a line break for the end
    of the number, and the file passed)."""
    pkg = copy_package(fixture_package, tmp_path)
    rewrite(pkg, "tps", lambda rows: rows[2].__setitem__(rows[0].index("nama"), f"TPS BUDI, {written}"))
    assert f'"TPS BUDI, {written}"'.encode() in (pkg / "data" / "tps.csv").read_bytes()  # (quoted: the comma)
    result = CliRunner().invoke(cli, ["validate", "--engine", engine, "--format", "json", str(pkg)])
    errors = [e for p in json.loads(result.output)["packages"] for e in p["errors"] if e["type"] == "pii-nik"]
    assert result.exit_code == 1 and errors, result.output
    assert (errors[0]["resource"], errors[0]["row"], errors[0].get("field")) == ("tps", 3, "nama"), errors
    _no_secret(result.output)


def test_the_screen_of_a_csv_file_takes_a_line_break_for_a_separator_only_where_a_quoted_cell_has_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Lines that end in a number before a line starting with a code (``…,150\\n3401012001001,…``: 17 digits across
    the break) leave a file whose quoted cells all end on their line unread; one whose quoted cell goes on over a
    line end (in a chunk of its own or across chunks, or on the last line) is read record by record, which tells."""
    csv_file = tmp_path / "x.csv"
    plain = "kode_tps,nama,suara\n" + "".join(f'34010120010{n:02d},"TPS {n}, RW 2",150\n' for n in range(40))
    csv_file.write_text(plain)
    assert not piigate.may_hold_nik_in_file(csv_file)
    csv_file.write_text(plain + '3401012001099,"lain\nbaris",7\n')
    assert not list(niks_by_record(csv_file))  # (a quoted cell over a line end, and no NIK in any record)
    monkeypatch.setattr(piigate, "_CHUNK", 64)
    for pad in range(0, 70, 9):  # the cell starts anywhere around the first boundaries
        csv_file.write_text(f'kode_tps,nama,suara\n{"1" * pad},x,1\n3401012001098,"BUDI {BROKEN["line feed"]}",7\n'
                            + plain)
        assert piigate.may_hold_nik_in_file(csv_file), pad
        assert list(niks_by_record(csv_file)) == [(3, "nama")], pad
    for written in BROKEN.values():
        csv_file.write_text(f'a,b\n1,"BUDI {written}"', newline="")  # the last line, with no line end
        assert list(niks_by_record(csv_file)) == [(2, "b")], written


@pytest.mark.parametrize("engine", ["releasekit", "frictionless"])
def test_a_stray_quote_in_an_unquoted_cell_is_no_internal_error(fixture_package: Path, tmp_path: Path,
                                                                engine: str) -> None:
    """``TPS 5" rusak`` (a quote inside an unquoted cell) made the screen take the rest of the file for one quoted
    cell, its row ends for a NIK's separators (``…,2024-02-16⏎3101011001002``), and the record reader count the
    quotes of a growing record on every line (quadratic) and then fail with an internal error (review J #1)."""
    pkg = copy_package(fixture_package, tmp_path)

    def edit(rows: list[list[str]]) -> None:
        rows[2][rows[0].index("nama")] = 'TPS 5" rusak'
        for row in rows[1:]:  # rows ending in digits: …,2024-02-16⏎3101011001002,…
            row[rows[0].index("sumber")] = "raw/day/2024-02-16"

    rewrite(pkg, "tps", edit)
    csv_file = pkg / "data" / "tps.csv"
    data = csv_file.read_bytes().replace(b'"TPS 5"" rusak"', b'TPS 5" rusak')  # (the writer quoted it)
    csv_file.write_bytes(data)
    descriptor = json.loads((pkg / "datapackage.json").read_text())
    resource = next(r for r in descriptor["resources"] if r["name"] == "tps")
    resource["hash"], resource["bytes"] = "sha256:" + hashlib.sha256(data).hexdigest(), len(data)
    (pkg / "datapackage.json").write_text(json.dumps(descriptor))
    assert b',TPS 5" rusak,' in data and b"2024-02-16\n3101011001" in data
    result = CliRunner().invoke(cli, ["validate", "--engine", engine, str(pkg)])
    assert "internal error" not in result.output and "pii-nik" not in result.output, result.output
    # A CSV reader reads the quote as part of the cell: both engines find the package valid (the releasekit engine
    # took the rest of the file for one record and reported it unreadable, as a carriage return's fault).
    assert result.exit_code == 0 and "valid / lolos validasi" in result.output, result.output


def test_the_record_reader_reads_a_stray_quote_as_a_cell_and_an_open_cell_to_the_end_in_linear_time() -> None:
    """A quote inside an unquoted cell opens none (a CSV reader keeps it in the cell); a quoted cell left open runs
    on to the end of the file, its quotes counted once each (it was quadratic)."""
    from releasekit.tablecheck.text import parsed_or_none, record_end, records_from

    stray = ["a,b\n", '1,layar 5" rusak\n', "2,x\n"]
    assert [(n, cells) for n, _, cells in records_from(iter(stray), cells_of=parsed_or_none)] == [
        (1, None), (2, ["1", 'layar 5" rusak']), (3, None)]
    assert record_end("".join(stray), 4) == 4 + len(stray[1])
    lines = ["a,b\n", '1,"layar 5 rusak\n'] + ["2,x\n"] * 200_000
    records = list(records_from(iter(lines), cells_of=parsed_or_none))
    assert [(n, len(text)) for n, text, _ in records] == [(1, 3), (2, len("".join(lines[1:])))]
    assert parsed_or_none("1,a\rb\n") == []  # (a record no CSV reader reads: its text goes to the PII gate)
    assert list(records_from(iter(['1,"x\n']), cells_of=parsed_or_none)) == [(1, '1,"x\n', ["1", "x\n"])]


@pytest.mark.parametrize("engine", ["releasekit", "frictionless"])
def test_a_nik_in_a_quoted_cell_after_a_stray_quote_on_its_line_is_found(fixture_package: Path, tmp_path: Path,
                                                                         engine: str) -> None:
    """``5" x,"BUDI 3174 0567⏎0885 0003"``: the screen paired the stray quote with the cell's opening one and never
    screened the cell, and the record reader, counting quotes, ended the record at the line end: the Frictionless
    engine called the package valid (review K #1)."""
    pkg = copy_package(fixture_package, tmp_path)

    def edit(rows: list[list[str]]) -> None:
        rows[2][rows[0].index("nama")] = 'TPS 5" rusak'
        rows[2][rows[0].index("sumber")] = f"MARK BUDI {BROKEN['line feed']}"

    rewrite(pkg, "tps", edit)
    csv_file = pkg / "data" / "tps.csv"
    data = csv_file.read_bytes().replace(b'"TPS 5"" rusak"', b'TPS 5" rusak')
    csv_file.write_bytes(data)
    descriptor = json.loads((pkg / "datapackage.json").read_text())
    resource = next(r for r in descriptor["resources"] if r["name"] == "tps")
    resource["hash"], resource["bytes"] = "sha256:" + hashlib.sha256(data).hexdigest(), len(data)
    (pkg / "datapackage.json").write_text(json.dumps(descriptor))
    assert b',TPS 5" rusak,,"MARK BUDI 3174 0567\n0885 0003"\n' in data
    result = CliRunner().invoke(cli, ["validate", "--engine", engine, "--format", "json", str(pkg)])
    errors = [e for p in json.loads(result.output)["packages"] for e in p["errors"] if e["type"] == "pii-nik"]
    assert result.exit_code == 1 and [(e["row"], e.get("field")) for e in errors] == [(3, "sumber")], result.output


def test_the_record_reader_reads_quotes_as_a_csv_reader_does() -> None:
    """Record by record as Python's csv reader reads them: a quote after a cell's closing quote closes nothing
    (``"abc⏎def"x" more``), a stray quote and a real one on one line open a cell (review K #1, #4)."""
    from releasekit.tablecheck.text import record_end, records_from

    for text in ['a,b\n1,"abc\ndef"x" more\n2,y\n', 'a,b,c\n1,5" x,"BUDI\n0885",z\n2,y,w\n',
                 'a,b\n1,"x""\n""y"\n2,"""",""\n3,"a"b\n', 'a,b\r\n1,"x\r\ny"\r\n2,z\r\n']:
        expected = list(csv.reader(io.StringIO(text, newline="")))
        lines = io.StringIO(text, newline="").readlines()
        assert [cells if cells is not None else next(csv.reader([line]))
                for _, line, cells in records_from(iter(lines))] == expected, text
        assert record_end(text, len(lines[0])) == len(lines[0]) + len(
            next(line for _, line, cells in records_from(iter(lines[1:])))), text


def test_a_cell_open_across_a_chunk_is_screened_to_its_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A quoted cell that opens in one chunk and goes on through lines of an even number of quotes in the next was
    not screened with its line breaks (review J #5)."""
    monkeypatch.setattr(piigate, "_CHUNK", 8)
    csv_file = tmp_path / "x.csv"
    for pad in range(0, 40):
        csv_file.write_text(f'a,b\n{"x" * pad},"BUDI 3174 0567\n0885 0003","x\ny",z\n')
        assert piigate.may_hold_nik_in_file(csv_file), pad
        assert list(niks_by_record(csv_file)) == [(2, "b")], pad


@pytest.mark.parametrize("written", WRITTEN.values(), ids=WRITTEN.keys())
def test_validate_finds_a_nik_written_any_way_in_the_readme(fixture_package: Path, tmp_path: Path,
                                                            written: str) -> None:
    pkg = copy_package(fixture_package, tmp_path)
    readme = pkg / "README.md"
    lines = readme.read_text(encoding="utf-8").count("\n")
    readme.write_text(readme.read_text(encoding="utf-8") + f"Kontak: BUDI {written}\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(pkg)])
    assert result.exit_code == 1 and "pii-nik" in result.output, result.output
    assert f"resource README.md, row {lines + 1}: unmasked NIK-like value" in result.output, result.output
    _no_secret(result.output)


def test_the_built_package_stays_valid(fixture_package: Path) -> None:
    """What the build writes (times, hashes, paths of dated files, the README's figures) holds nothing the wider
    test takes for a NIK."""
    result = CliRunner().invoke(cli, ["validate", str(fixture_package.parents[1])])
    assert result.exit_code == 0, result.output


# ------------------------------------------------------------------------------------- the build's gate

@pytest.mark.parametrize("written", WRITTEN.values(), ids=WRITTEN.keys())
def test_the_gate_finds_a_nik_written_any_way_in_a_file_and_a_zip_member(tmp_path: Path, written: str) -> None:
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "ok.csv").write_text("kode_tps,ts,nilai\n3171012001001,2024-02-14 10:00:00,12.34567890123456\n")
    refuse_niks_in_tree(tmp_path)
    (tmp_path / "p" / "x.csv").write_text(f"a,b\n1,2\n3,BUDI {written}\n", encoding="utf-8")
    with pytest.raises(PrivacyError) as caught:
        refuse_niks_in_tree(tmp_path)
    assert "p/x.csv: line 3" in str(caught.value)
    (tmp_path / "p" / "x.csv").unlink()
    with zipfile.ZipFile(tmp_path / "p.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data/y.csv", f"a,b\nBUDI {written},1\n")
    with pytest.raises(PrivacyError) as caught:
        refuse_niks_in_tree(tmp_path)
    assert "p.zip: data/y.csv: line 2" in str(caught.value)
    _no_secret(str(caught.value))


def test_the_gate_finds_a_nik_a_readme_wraps_over_two_lines(tmp_path: Path) -> None:
    """Markdown shows a paragraph's lines joined by spaces: ``NIK 3174 0567`` then ``0885 0003`` is one NIK on the
    page (review M #6); a CSV's lines are records, never joined."""
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "x.csv").write_text("a,b\n1,3174 0567\n0885 0003,2\n", encoding="utf-8")
    refuse_niks_in_tree(tmp_path)
    (tmp_path / "p" / "README.md").write_text("# R\n\nPelapor: NIK 3174 0567\n0885 0003 (PPID)\n", encoding="utf-8")
    with pytest.raises(PrivacyError) as caught:
        refuse_niks_in_tree(tmp_path)
    assert "p/README.md: lines 3-4: an unmasked NIK-like value wrapped over two lines" in str(caught.value)
    _no_secret(str(caught.value))
    for wrapped in ("NIK 3174 0567\r0885 0003\r", "NIK 3174\n0567 0885\n0003 (PPID)\n"):  # (review N #7)
        (tmp_path / "p" / "README.md").write_text(f"# R\n\n{wrapped}", encoding="utf-8", newline="")
        with pytest.raises(PrivacyError, match="p/README.md: lines 3-4"):
            refuse_niks_in_tree(tmp_path)


@pytest.mark.parametrize("written", WRITTEN.values(), ids=WRITTEN.keys())
def test_the_database_gate_finds_a_nik_written_any_way(tmp_path: Path, written: str) -> None:
    path = tmp_path / "release.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE t (ts TEXT, sumber TEXT, nama TEXT)")
        db.execute("INSERT INTO t VALUES ('2024-02-14 10:00:00', 'raw/days/ppwp_tps_20240214.jsonl.gz', "
                   "'RT 001/002 RW 003/004 NO 1234')")
    db.close()
    refuse_niks_in_database(path, "release.db")
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO t VALUES ('2024-02-14 10:00:01', 'x', ?)", (f"BUDI {written}",))
    db.close()
    with pytest.raises(PrivacyError, match="table t, column nama, rowid 2"):
        refuse_niks_in_database(path, "release.db")


@pytest.mark.parametrize("written", WRITTEN.values(), ids=WRITTEN.keys())
def test_the_database_gate_reads_an_indexed_column_value_by_distinct_value(tmp_path: Path, written: str) -> None:
    """A column an index starts with (a source's path, on every row of changes) is read once per distinct value,
    from the index: a NIK in it is found as in any other column, at the first row holding it."""
    path = tmp_path / "release.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE t (sumber TEXT, n INTEGER)")
        db.execute("CREATE INDEX t_sumber ON t (sumber)")
        db.executemany("INSERT INTO t VALUES ('raw/days/ppwp_tps_20240214.jsonl.gz', ?)", [(i,) for i in range(500)])
        db.execute("CREATE TABLE k (key TEXT PRIMARY KEY, note TEXT) WITHOUT ROWID")
        db.execute("INSERT INTO k VALUES ('a', 'b')")
        assert (_leading_columns(db, "t"), _leading_columns(db, "k")) == ({"sumber"}, {"key"})  # (read by value)
    db.close()
    refuse_niks_in_database(path, "release.db")
    with sqlite3.connect(path) as db:
        db.executemany("INSERT INTO t VALUES (?, 7)", [(f"raw/{written}.json",)] * 3)
    db.close()
    with pytest.raises(PrivacyError, match="table t, column sumber, rowid 501"):
        refuse_niks_in_database(path, "release.db")
    with sqlite3.connect(path) as db:
        db.execute("DELETE FROM t WHERE n = 7")
        db.execute("INSERT INTO k VALUES (?, 'c')", (f"x {written}",))
    db.close()
    with pytest.raises(PrivacyError, match="table k, column key: an unmasked"):
        refuse_niks_in_database(path, "release.db")


def test_an_indexed_column_of_numbers_is_read_row_by_row(tmp_path: Path) -> None:
    """In a column of numbers 1 and 1.0 are one distinct value whose texts differ: such a column is read row by row,
    so a NIK-like integer beside the same number stored as a real (whose text holds no NIK) is found."""
    path = tmp_path / "release.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE t (n)")  # (no affinity: the real stays a real)
        db.execute("CREATE INDEX t_n ON t (n)")
        db.execute("INSERT INTO t VALUES (CAST(3201014501900001 AS REAL))")
        db.execute("INSERT INTO t VALUES (3201014501900001)")
        assert _leading_columns(db, "t") == set()  # (read row by row)
    db.close()
    with pytest.raises(PrivacyError, match="table t, column n, rowid 2"):
        refuse_niks_in_database(path, "release.db")


#: (schema, rows, the table and column the gate names; None: it passes): review AA's cases.
GATE_CASES = {
    # NOCASE makes one distinct value of two texts that differ in case: an all-lowercase 32-character hex word is
    # a digest, the same word in mixed case holds a NIK; read as bytes, both are screened
    "nocase column, binary index": (
        ["CREATE TABLE t (c TEXT COLLATE NOCASE)", "CREATE INDEX i ON t (c COLLATE BINARY)"],
        ["abcdef3174056708850003abcdefabcd", "ABCdef3174056708850003abcdefabcd"], ("t", "c")),
    "a NUL before a NIK": (["CREATE TABLE t (c TEXT)"], ["x\x00 3174 0567 0885 0003"], ("t", "c")),
    "a NUL before a NIK, indexed": (["CREATE TABLE t (c TEXT)", "CREATE INDEX i ON t (c)"],
                                    ["x\x00 3174 0567 0885 0003"], ("t", "c")),
    "a table named like sqlite_": (["CREATE TABLE sqlitedata (c TEXT)"], ["3174056708850003"], ("sqlitedata", "c")),
    "short bytes that are no UTF-8, indexed": (["CREATE TABLE t (c TEXT)", "CREATE INDEX i ON t (c)"],
                                               [b"\xff"], None),
}


@pytest.mark.parametrize("case", GATE_CASES)
def test_the_database_gate_on_collations_nuls_names_and_bytes(tmp_path: Path, case: str) -> None:
    """Review AA: the gate read an indexed column by distinct value under the column's collation (NOCASE passed
    the capitalised twin of a digest), a text's length stopped at a NUL (a NIK after one passed), 'sqlite_%'
    passed over any table whose name starts sqlite and one more character, and every short distinct value was
    decoded (a short invalid UTF-8 text failed the build)."""
    schema, values, named = GATE_CASES[case]
    path = tmp_path / "release.db"
    with sqlite3.connect(path) as db:
        for sql in schema:
            db.execute(sql)
        table = schema[0].split()[2]
        db.executemany(f"INSERT INTO {table} VALUES (CAST(? AS TEXT))", [(value,) for value in values])
        # (an indexed case is one of the path read by distinct value)
        assert _leading_columns(db, table) == ({"c"} if any("INDEX" in sql for sql in schema) else set())
    db.close()
    if named is None:
        refuse_niks_in_database(path, "release.db")
        return
    with pytest.raises(PrivacyError, match=f"table {named[0]}, column {named[1]}"):
        refuse_niks_in_database(path, "release.db")


def test_a_date_and_time_alone_is_passed_over_but_not_one_with_a_nik_after_it(tmp_path: Path) -> None:
    path = tmp_path / "release.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE t (ts TEXT)")
        db.execute("INSERT INTO t VALUES ('2024-02-14 10:00:00 3174 0567 0885 0003')")
    db.close()
    with pytest.raises(PrivacyError, match="table t, column ts"):
        refuse_niks_in_database(path, "release.db")


def test_the_build_refuses_ids_masked_with_spaces_only(raw_list: Path,  # noqa: F811 - the fixture
                                                      make_project: ProjectFactory,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A masking bug that only spaces the digits out (``3174 0567 0885 0003``) is caught by the gate, which reads
    the bytes: the build stops and publishes nothing."""
    project = make_project({"voter-list": {"sources": [voter_source(raw_list)], "publish_individuals": "masked"}})
    monkeypatch.setattr(dpt, "masked_ids", lambda values: [" ".join(v[i:i + 4] for i in range(0, len(v), 4))
                                                           for v in values])
    result = CliRunner().invoke(cli, ["build", str(project)])
    assert result.exit_code == 1 and "an unmasked NIK-like value; nothing was published" in result.output
    assert "dpt_pemilih" in result.output and "internal error" not in result.output
    assert not (project / "datapackages").exists() or not any((project / "datapackages").rglob("*.csv"))


# ------------------------------------------------------------------------------------- reading in chunks

def test_a_nik_across_a_chunk_boundary_is_found_on_its_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(piigate, "_CHUNK", 64)
    for pad in range(0, 70, 7):  # the number starts anywhere around the first boundaries
        data = ("x\n" * 3 + "a" * pad + f",BUDI {WRITTEN['spaces']},\n" + "y\n" * 40).encode()
        assert list(nik_lines_in(io.BytesIO(data))) == [4], pad


def test_a_line_longer_than_the_longest_kept_is_cut_where_no_number_is(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(piigate, "_CHUNK", 64)
    monkeypatch.setattr(piigate, "_LONGEST_LINE", 100)
    data = ("x\n" + "word, " * 200 + f"BUDI {WRITTEN['dashes']} " + "word, " * 200 + "\nend\n").encode()
    assert list(nik_lines_in(io.BytesIO(data))) == [2]
    assert not list(nik_lines_in(io.BytesIO(("x\n" + "word, " * 400 + "\n").encode())))


def test_every_line_holding_one_is_named_once() -> None:
    data = f"a\n{NIK} {NIK}\nb\n{WRITTEN['dots']}\n{'1' * 15}\n{FULLWIDTH}".encode()
    assert list(nik_lines_in(io.BytesIO(data))) == [2, 4, 6]


@pytest.mark.parametrize("engine", ["releasekit", "frictionless"])
def test_a_nik_with_zeros_before_it_in_an_integer_column_is_found_and_diff_masks_it(two_days: Path, tmp_path: Path,
                                                                                     engine: str) -> None:
    """Review BO F1: ``05202014501900001`` in an integer column is the NIK to every reader of the package
    (Frictionless reads 5202014501900001); validate passed it and ``diff`` printed it whole."""
    old = two_days / "datapackages" / "real-count"
    new = copy_package(old, tmp_path)
    edit_rows(new, "hasil_tps", lambda rows: rows[1].__setitem__(rows[0].index("pemilih_dpt_j"), "0" + NIK))
    result = CliRunner().invoke(cli, ["validate", "--engine", engine, "--format", "json", str(new)])
    errors = [e for p in json.loads(result.output)["packages"] for e in p["errors"] if e["type"] == "pii-nik"]
    assert result.exit_code == 1 and errors and errors[0].get("field") == "pemilih_dpt_j", result.output
    _no_secret(result.output)
    for fmt in ("text", "csv", "json", "markdown"):
        shown = CliRunner().invoke(cli, ["diff", str(old), str(new), "--format", fmt])
        assert shown.exit_code == 0 and "pemilih_dpt_j" in shown.output, shown.output
        _no_secret(shown.output)
