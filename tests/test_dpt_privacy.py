"""Privacy of the voter list (DESIGN.md section 7): checked on the bytes that come out, not on the code path."""

from __future__ import annotations

import csv
import hashlib
import json
import re
import sqlite3
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conftest import ProjectFactory, copy_demo, copy_package, invoke, query
from releasekit import build, dpt, load_release, piigate, privacy
from releasekit.cli import cli
from releasekit.errors import PrivacyError, ReleasekitError
from releasekit.piigate import refuse_niks_in_tree
from releasekit.privacy import is_nik_like, mask_id
from releasekit.synthetic_dpt import Rates, national_stations, write_voter_list
from releasekit.tables import TPS_CODE_TEXT
from voters import HEADER, voter_source

RATES = Rates(duplicate=0.01, invalid=0.01, region_mismatch=0.02, underage=0.005, broken=0.01, disability=0.05)
NIK_IN_TEXT = "3171014512900001"


def raw_numbers(raw: Path) -> set[str]:
    """Every 16-digit window of every run of 16+ digits in the raw list: its NIKs and NKKs, valid or not."""
    numbers = set()
    with raw.open(newline="", encoding="utf-8") as handle:
        for row in csv.reader(handle):
            for cell in row:
                for run in re.findall(r"[0-9]{16,}", cell):
                    numbers.update(run[i:i + 16] for i in range(len(run) - 15))
    return numbers


def every_byte(project: Path, output: str) -> Iterator[tuple[str, bytes]]:
    """Every published artefact, the database and the build's output; zip members inflated."""
    yield "build output", output.encode()
    yield "build/release.db", (project / "build" / "release.db").read_bytes()
    for file in sorted((project / "datapackages").rglob("*")):
        if file.is_file():
            yield str(file.relative_to(project)), file.read_bytes()
            if file.suffix == ".zip":
                with zipfile.ZipFile(file) as archive:
                    for name in archive.namelist():
                        yield f"{file.name}!{name}", archive.read(name)


def leaks(project: Path, output: str, raw: Path) -> list[str]:
    numbers = raw_numbers(raw)
    assert len(numbers) > 1000  # the scan has something to find
    found = []
    for name, data in every_byte(project, output):
        for run in re.findall(rb"[0-9]{16,}", data):
            text = run.decode()
            if any(text[i:i + 16] in numbers for i in range(len(text) - 15)):
                found.append(f"{name}: a raw identity number")
        if name != "build/release.db":  # SQLite packs values side by side: its runs are checked value by value
            found += [f"{name}: NIK-like" for m in re.findall(rb"(?<![0-9])[0-9]{16}(?![0-9])", data)
                      if is_nik_like(m.decode())]
    return found


@pytest.fixture(scope="module")
def raw_list(tmp_path_factory: pytest.TempPathFactory) -> Path:
    stations, districts = national_stations(4000, seed=9)
    raw = tmp_path_factory.mktemp("raw") / "dpt.csv"
    write_voter_list(raw, stations, seed=4, rates=RATES, districts=districts)
    return raw


CONFIGURATIONS = {
    "counts only (default)": {},
    "masked": {"publish_individuals": "masked"},
    "masked with names and addresses": {"publish_individuals": "masked", "individual_fields": ["nama", "alamat"]},
}


@pytest.mark.parametrize("settings", list(CONFIGURATIONS.values()), ids=list(CONFIGURATIONS))
def test_no_identity_number_in_any_byte_that_comes_out(settings: dict[str, Any], raw_list: Path,
                                                       make_project: ProjectFactory) -> None:
    project = make_project({"voter-list": {"sources": [voter_source(raw_list)], **settings}})
    result = CliRunner().invoke(cli, ["build", str(project)])
    assert result.exit_code == 0, result.output
    assert leaks(project, result.output, raw_list) == []
    validated = CliRunner().invoke(cli, ["validate", str(project)])
    assert validated.exit_code == 0, validated.output


def test_the_masked_table_shows_what_the_register_allows_and_nothing_else(raw_list: Path,
                                                                           make_project: ProjectFactory) -> None:
    def table(settings: dict[str, Any]) -> list[dict[str, str]]:
        project = make_project({"voter-list": {"sources": [voter_source(raw_list)], **settings}})
        build(load_release(project))
        path = project / "datapackages" / "voter-list" / "data" / "dpt_pemilih.csv"
        return list(csv.DictReader(path.open(newline=""))) if path.exists() else []

    assert table({}) == []
    masked = table({"publish_individuals": "masked"})
    named = table({"publish_individuals": "masked", "individual_fields": ["nama"]})
    assert len(masked) == len(named) > 3000
    for row in masked:
        assert re.fullmatch(r"[0-9]{6}\*{10}", row["nik"]) or re.fullmatch(r"[0-9]{0,6}\*+", row["nik"]), row
        assert re.fullmatch(r"[0-9]{6}\*{10}", row["nkk"]), row
        assert re.fullmatch(r"(19|20)[0-9]{2}", row["tahun_lahir"]), row
        assert row["nama"] == row["alamat"] == row["rt"] == row["rw"] == ""
        assert set(row) == {"kode_pemilu", "kode_tps", "nomor", "nik", "nkk", "tahun_lahir", "jenis_kelamin",
                            "status_kawin", "disabilitas", "nama", "alamat", "rt", "rw", "sumber"}
    assert all(row["nama"] and not row["alamat"] for row in named)


def test_the_quarantine_is_published_masked(raw_list: Path, make_project: ProjectFactory) -> None:
    project = make_project({"voter-list": [voter_source(raw_list)]})
    build(load_release(project))
    path = project / "datapackages" / "voter-list" / "data" / "quarantine.csv"
    rows = list(csv.DictReader(path.open(newline="")))
    names = {row[3] for row in csv.reader(raw_list.open(newline="")) if len(row) > 3} - {"nama"}
    assert len(rows) > 20
    for row in rows:
        cells = row["raw"].split(",")
        assert cells[2] == "" or re.fullmatch(r"[0-9]{0,6}\*+", cells[2]), row  # the NIK
        assert re.fullmatch(r"[0-9]{4}-\*\*-\*\*|\**", cells[5]), row           # only the birth year
        assert not names & set(cells), row                                      # no name
        assert not re.search(r"[0-9]{12}", row["reason"]), row


def test_a_shifted_row_shows_no_birth_date_in_the_quarantine(tmp_path: Path, make_project: ProjectFactory) -> None:
    """An unquoted comma in a name moves the birth date into the sex column: the quarantine hides it there too."""
    raw = tmp_path / "dpt.csv"
    raw.write_text(
        HEADER +
        "5202012001001,5202011512204135,5202017107040001,DEWI SUSANTI,MEKARSARI,31-07-2004,P,B,JL. MERDEKA,009,007,,\n"
        "5202012001001,5202011512204136,5202010207820001,SITI AMINAH, S.PD,RANDUSARI,02-07-1982,P,S,JL. PEMUDA,5,8,,\n",
        encoding="utf-8")
    project = make_project({"voter-list": [voter_source(raw)]})
    build(load_release(project))
    path = project / "datapackages" / "voter-list" / "data" / "quarantine.csv"
    (row,) = list(csv.DictReader(path.open(newline="")))
    cells = row["raw"].split(",")
    assert cells[0] == "5202012001001" and cells[7] == "P"  # codes that fit their columns stay
    assert cells[6] == "***"                                 # the birth date moved into jenis_kelamin
    assert not re.search(r"[0-9]{2}-[0-9]{2}-[0-9]{4}", row["raw"]), row
    assert "RANDUSARI" not in row["raw"] and "S.PD" not in row["raw"], row


def quarantine_voter(tps: str, nik: str, lahir: str, sex: str = "L", kawin: str = "S") -> str:
    """A voter-list line in the default layout (``HEADER``), its NKK made of its NIK."""
    return f"{tps},{nik[:6]}1512200{nik[-3:]},{nik},BUDI SANTOSO,MATARAM,{lahir},{sex},{kawin},JL. MAWAR 3,2,5,,\n"


TPS_REASON = f"kode_tps is not a TPS code ({TPS_CODE_TEXT})"
SEX_REASON = "jenis_kelamin is not L or P"
KAWIN_REASON = "status_kawin is not B (belum kawin), S (sudah kawin) or P (pernah kawin)"
#: Rejected voter-list lines (after a valid voter of TPS 5202012001001, whose village code the source so shows): the
#: reason each gets, the raw text's cell the reason is about (its column in the default layout), and that cell as the
#: quarantine shows it: quoted and shown as it is when it cannot be personal data, else neither (review BZ L4).
QUOTED_OR_NOT = [
    (quarantine_voter("5202012001001", "5202011205800002", "12-05-1980", sex="X"), SEX_REASON + ": 'X'", 6, "X"),
    (quarantine_voter("5202012001001", "5202011205800003", "12-05-1980", sex="Ali"), SEX_REASON, 6, "***"),
    (quarantine_voter("5202012001001", "5202015205800004", "12-05-1980", sex="SITI"), SEX_REASON, 6, "***"),
    (quarantine_voter("5202012001001", "5202011205800005", "12-05-1980", sex="2"), SEX_REASON, 6, "***"),  # a digit
    (quarantine_voter("5202012001001", "5202011205800006", "12-05-1980", kawin="5202015505850003"), KAWIN_REASON, 7,
     "***"),  # a NIK in a code column
    (quarantine_voter("5202015505850004", "5202011205800007", "12-05-1980"), TPS_REASON, 0, "***"),
    (quarantine_voter("5202012001001", "5202011205800008", "KOTA", sex="X"), SEX_REASON, 6, "***"),  # cells moved?
    (quarantine_voter("5202012001001", "5202011205800009", "12-05-1980", sex="X", kawin="Q"), SEX_REASON, 6, "***"),
    (quarantine_voter("5202012001-2", "5202011205800010", "12-05-1980"), TPS_REASON + ": '5202012001-2'", 0,
     "5202012001-2"),
    # a NIK's region and birth date (05-07-1990, a woman's) with dashes; 12 digits in a row, the same
    (quarantine_voter("520201-450790-1", "5202014507900011", "05-07-1990", sex="P"), TPS_REASON, 0, "***"),
    (quarantine_voter("520201450790", "5202014507900012", "05-07-1990", sex="P"), TPS_REASON, 0, "***"),
    # the village code's last digits are the voter's birth day and month; the voter's NIK begins with the village code
    (quarantine_voter("5202012001-3", "5202012001900013", "20-01-1990"), TPS_REASON, 0, "***"),
    (quarantine_voter("5202012001-3", "5202012001900014", "01-01-1990"), TPS_REASON, 0, "***"),
    (quarantine_voter("5202022003-1", "5202011205800015", "12-05-1980"), TPS_REASON, 0, "***"),  # a village not seen
]


def test_a_reason_quotes_the_value_it_is_about_only_when_it_cannot_be_personal_data(
        tmp_path: Path, make_project: ProjectFactory) -> None:
    """Review BZ L4: ``jenis_kelamin is not L or P`` with the raw cell masked (``***``) could not be checked. One
    letter in a code column, or a village's TPS code written with a separator, is quoted and shown; a name, a digit,
    an identity number, a row whose cells may have moved, digits no valid TPS code showed or that hold the voter's own
    NIK or birth date are not, and nothing personal of the list reaches any byte that comes out."""
    text = HEADER + quarantine_voter("5202012001001", "5202011205800001", "12-05-1980") + "".join(
        line for line, *_ in QUOTED_OR_NOT)
    raw = tmp_path / "dpt.csv"
    raw.write_text(text, encoding="utf-8")
    project = make_project({"voter-list": [voter_source(raw)]})
    result = CliRunner().invoke(cli, ["build", str(project)])
    assert result.exit_code == 0, result.output
    rows = query(project, "SELECT locator, reason, raw FROM quarantine ORDER BY rowid")
    assert [(locator, reason, raw_text.split(",")[column])
            for (locator, reason, raw_text), (_, _, column, _) in zip(rows, QUOTED_OR_NOT, strict=True)] == [
        (f"dpt.csv:{n}", reason, cell) for n, (_, reason, _, cell) in enumerate(QUOTED_OR_NOT, start=3)]
    for (line, *_), (_, _, raw_text) in zip(QUOTED_OR_NOT, rows, strict=True):  # the rest masked as before
        cells, shown = line.rstrip("\n").split(","), raw_text.split(",")
        assert shown[1:6] == [mask_id(cells[1]), mask_id(cells[2]), "***", "***",
                              f"{cells[5][-4:]}-**-**" if cells[5] != "KOTA" else "****"], raw_text
    published = (project / "datapackages" / "voter-list" / "data" / "quarantine.csv").read_text(encoding="utf-8")
    assert "jenis_kelamin is not L or P: 'X'" in published and '"5202012001-2,520201' in published
    # NIKs and NKKs, a NIK's region and birth date in a TPS cell, birth dates both ways round, names and places
    personal = set(re.findall(r"[0-9]{16}", text)) | {"520201-450790-1", "520201450790", "450790"}
    dates = set(re.findall(r"[0-9]{2}-[0-9]{2}-[0-9]{4}", text))
    personal |= dates | {"-".join(reversed(d.split("-"))) for d in dates} | {"BUDI", "MATARAM", "MAWAR", "SITI", "Ali"}
    for name, data in every_byte(project, result.output):
        for value in personal:
            assert not re.search(rb"(?<![0-9A-Za-z])" + re.escape(value.encode()) + rb"(?![0-9A-Za-z])", data), \
                (name, value)


def test_build_refuses_an_artefact_with_a_nik_and_leaves_the_release_as_it_was(
        raw_list: Path, make_project: ProjectFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """The gate scans the bytes, so it also catches a masking bug: here masking is switched off."""
    project = make_project({"voter-list": {"sources": [voter_source(raw_list)], "publish_individuals": "masked"}})
    assert CliRunner().invoke(cli, ["build", str(project)]).exit_code == 0
    before = {p: p.read_bytes() for p in [*(project / "datapackages").rglob("*.csv"), project / "build" / "release.db"]}
    monkeypatch.setattr(dpt, "masked_ids", lambda values: list(values))
    result = CliRunner().invoke(cli, ["build", str(project)])
    assert result.exit_code == 1 and "internal error" not in result.output
    assert "an unmasked NIK-like value; nothing was published" in result.output
    assert "dpt_pemilih" in result.output and "column nik" in result.output
    assert not re.search(r"[0-9]{16}", result.output)
    assert {p: p.read_bytes() for p in before} == before
    assert not (project / "build" / ".staging").exists()  # the refused copy is gone


def test_the_gate_reads_zip_members_and_every_file(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "ok.csv").write_text("kode_tps\n3171012001001\n")
    refuse_niks_in_tree(tmp_path)
    with zipfile.ZipFile(tmp_path / "p.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data/x.csv", f"a,b\n1,{NIK_IN_TEXT}\n")
    with pytest.raises(PrivacyError) as caught:
        refuse_niks_in_tree(tmp_path)
    assert "p.zip: data/x.csv: line 2" in str(caught.value) and NIK_IN_TEXT not in str(caught.value)


def test_the_gate_skips_a_zip_member_only_when_it_is_a_copy_of_a_file_it_scanned(tmp_path: Path) -> None:
    clean, leaking = "a\n0000000000000000\n", f"a\n{NIK_IN_TEXT}\n"  # same size, other bytes
    (tmp_path / "p" / "data").mkdir(parents=True)
    (tmp_path / "p" / "data" / "x.csv").write_text(clean)

    def zipped(text: str) -> None:
        with zipfile.ZipFile(tmp_path / "p.zip", "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("data/x.csv", text)

    zipped(clean)
    refuse_niks_in_tree(tmp_path)
    zipped(leaking)
    with pytest.raises(PrivacyError) as caught:
        refuse_niks_in_tree(tmp_path)
    assert "p.zip: data/x.csv: line 2" in str(caught.value)


@pytest.fixture(scope="module")
def voter_project(raw_list: Path, make_project: ProjectFactory) -> Path:
    project = make_project({"voter-list": {"sources": [voter_source(raw_list)], "publish_individuals": "masked"}})
    build(load_release(project))
    return project


@pytest.mark.parametrize("where", ["dpt_rekap.csv", "dpt_pemilih.csv", "quarantine.csv", "README.md",
                                   "datapackage.json"])
def test_validate_fails_a_package_with_one_real_looking_nik(where: str, voter_project: Path, tmp_path: Path) -> None:
    pkg = copy_package(voter_project / "datapackages" / "voter-list", tmp_path)
    path = pkg / ("data" if where.endswith(".csv") else "") / where
    text = path.read_text(encoding="utf-8")
    if where.endswith(".csv"):
        lines = text.split("\n")
        lines[2] = lines[2].replace("raw/dpt.csv", NIK_IN_TEXT, 1) if "raw/dpt.csv" in lines[2] \
            else NIK_IN_TEXT + lines[2][lines[2].index(","):]
        text = "\n".join(lines)
    else:
        text = text.replace("Voter List", f"Voter List {NIK_IN_TEXT}", 1)  # in the title
    assert NIK_IN_TEXT in text
    path.write_text(text, encoding="utf-8")
    for fmt in ("text", "json", "markdown"):
        result = CliRunner().invoke(cli, ["validate", "--format", fmt, str(pkg)])
        assert result.exit_code == 1, result.output
        assert NIK_IN_TEXT not in result.output
        assert "pii-nik" in result.output
    report = json.loads(CliRunner().invoke(cli, ["validate", "--format", "json", str(pkg)]).output)
    hits = [e for p in report["packages"] for e in p["errors"] if e["type"] == "pii-nik"]
    assert hits and all(e.get("row") for e in hits)
    if where.endswith(".csv"):
        assert any(e.get("field") and e.get("resource") == where[:-4] and e["row"] == 3 for e in hits), hits


def test_error_messages_mask_a_nik_they_would_print() -> None:
    error = ReleasekitError(f"raw/dpt.csv: header has '{NIK_IN_TEXT}'", hint=f"not {NIK_IN_TEXT} again")
    assert NIK_IN_TEXT not in str(error) and mask_id(NIK_IN_TEXT) in str(error)


def test_a_headerless_list_does_not_print_its_first_voter(make_project: ProjectFactory) -> None:
    first = f"3171012001001,,{NIK_IN_TEXT},SITI AMINAH,BOGOR,05-12-1990,P,S,JL. MAWAR,001,002,,\n"
    project = make_project({"voter-list": [voter_source({"dpt.csv": first}, name="dpt")]})
    result = CliRunner().invoke(cli, ["build", str(project)])
    assert result.exit_code == 1 and "the header has no column" in result.output
    assert "the first line looks like a voter, not a header" in result.output
    for cell in (NIK_IN_TEXT, "SITI AMINAH", "BOGOR", "05-12-1990", "JL. MAWAR"):
        assert cell not in result.output, cell


def test_a_voter_list_file_named_with_a_nik_builds_with_the_name_masked(make_project: ProjectFactory) -> None:
    """Findings name the file and line of a voter (``this row: <file>:14``): a file named with a NIK is named
    masked there, as in the quarantine, instead of the PII gate refusing the build over a finding."""
    voter = "3171012001001,,{nik},SITI,BOGOR,05-12-1990,P,S,JL. MAWAR,001,002,,\n"
    rows = voter.format(nik=NIK_IN_TEXT) * 2 + voter.format(nik="3171014513900001")  # a duplicate, a month 13
    project = make_project({"voter-list": [voter_source({f"{NIK_IN_TEXT}.csv": HEADER + rows}, name="dpt")]})
    result = CliRunner().invoke(cli, ["build", str(project)])
    assert result.exit_code == 0, result.output
    details = [d for (d,) in sqlite3.connect(project / "build" / "release.db").execute(
        "SELECT detail FROM findings WHERE rule IN ('duplicate-nik', 'invalid-nik') ORDER BY rule")]
    masked = f"({mask_id(NIK_IN_TEXT)}.csv:"
    assert len(details) == 2 and all(masked in d for d in details), details
    assert NIK_IN_TEXT not in result.output


@pytest.mark.parametrize("value", ["3201014501900001", 3201014501900001, b"x3201014501900001", "NIK 3201014501900001."])
def test_the_database_gate_reads_every_value_whatever_its_type(tmp_path: Path, value: object) -> None:
    path = tmp_path / "release.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE t (a INTEGER, b TEXT, c)")
        db.executemany("INSERT INTO t VALUES (?, ?, ?)", [(1, "3201014501900", None), (2, "x", 320101450190000)])
        db.execute("INSERT INTO t VALUES (3, 'y', ?)", (value,))
    db.close()
    with pytest.raises(PrivacyError, match="table t, column c, rowid 3"):
        piigate.refuse_niks_in_database(path, "release.db")
    with sqlite3.connect(path) as db:
        db.execute("DELETE FROM t WHERE rowid = 3")
    db.close()
    piigate.refuse_niks_in_database(path, "release.db")  # 13 and 15 digits are not a NIK
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE k (key TEXT PRIMARY KEY, note TEXT) WITHOUT ROWID")
        db.execute("INSERT INTO k VALUES ('a', ?)", (str(value),))
    db.close()
    with pytest.raises(PrivacyError, match="table k, column note: an unmasked"):
        piigate.refuse_niks_in_database(path, "release.db")


def digest_with_a_nik_like_run(data: bytes) -> tuple[bytes, str]:
    """``data`` with trailing whitespace added until its SHA-256 holds a NIK-like run of 16 digits (about one
    digest in 6,500 does), and that digest."""
    for n in range(100_000):
        padded = data + b" " * (n % 7) + b"\n" * (n // 7)
        digest = hashlib.sha256(padded).hexdigest()
        if any(is_nik_like(m.group()) for m in privacy.SIXTEEN.finditer(digest)):
            return padded, digest
    raise AssertionError("no digest found")


def test_sixteen_digits_inside_a_hexadecimal_digest_are_not_a_nik(monkeypatch: pytest.MonkeyPatch,
                                                                   tmp_path: Path) -> None:
    _, digest = digest_with_a_nik_like_run(b"x")
    run = privacy.SIXTEEN.search(digest)
    assert run is not None and is_nik_like(run.group())
    for text in (digest, f"sha256:{digest}", f'"hash": "{digest.upper()}"', f"{digest}\n{digest[::-1]}"):
        assert not privacy.contains_nik(text) and privacy.mask_niks(text) == text, text
    # Not a digest: a word of another length or of mixed case, or a NIK beside letters in ordinary text.
    letter = next(i for i, c in enumerate(digest) if c.isalpha() and not run.start() <= i < run.end())
    for text in (digest[:-1] if run.end() < 64 else digest[1:], "a" + digest,
                 digest[:letter] + digest[letter].upper() + digest[letter + 1:], f"nik:a{NIK_IN_TEXT}b"):
        assert privacy.contains_nik(text), text
        assert privacy.mask_niks(text).count("*" * 10) == 1, text
    # The byte scanner decides a run with its digest around it, also where the digest crosses a chunk boundary.
    monkeypatch.setattr(piigate, "_CHUNK", 200)
    for offset in range(0, 260, 7):
        path = tmp_path / f"{offset}.json"
        path.write_text("x" * offset + f'"sha256:{digest}"\n' + f"{NIK_IN_TEXT} {digest}\n")
        assert list(piigate.nik_lines(path)) == [2], offset  # the NIK, not the digest


def test_a_source_whose_sha256_holds_nik_like_digits_is_pinned_built_and_validated(tmp_path: Path) -> None:
    project = copy_demo(tmp_path / "project")
    raw = project / "raw" / "ppwp_tps_20240220.jsonl"
    pinned = hashlib.sha256(raw.read_bytes()).hexdigest()
    data, digest = digest_with_a_nik_like_run(raw.read_bytes())
    raw.write_bytes(data)
    metadata = project / "metadata.yml"
    text = metadata.read_text(encoding="utf-8")
    assert f"sha256: {pinned}\n" in text
    metadata.write_text(text.replace(pinned, digest), encoding="utf-8")
    result = invoke("build", project)
    assert result.exit_code == 0, result.output
    descriptor = (project / "datapackages" / "real-count" / "datapackage.json").read_text(encoding="utf-8")
    assert digest in descriptor
    result = invoke("validate", project / "datapackages")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("text, masked", [
    ("NIK 3471-0141-0190-0001.", "NIK 3471-01**-****-****."),
    ("3471 0141 0190 0001", "3471 01** **** ****"),
    ("nkk+nik 34710115122000013471014101900001", "nkk+nik 347101**************************"),
    ("\uff13\uff14\uff17\uff11\uff10\uff11\uff14\uff11\uff10\uff11\uff19\uff10\uff10\uff10\uff10\uff11",
     "\uff13\uff14\uff17\uff11\uff10\uff11**********"),
    ("3471014101900001", "347101**********"),
])
def test_a_nik_written_the_way_people_write_numbers_is_found_and_masked(text: str, masked: str) -> None:
    """The loader, the csv reader and metadata.yml test free text with :func:`privacy.holds_nik`; every message
    masks what it finds (the packages' bytes are tested for the 16 digits in a row that DESIGN.md names)."""
    assert privacy.holds_nik(text)
    assert privacy.mask_niks(text) == masked
    assert not privacy.holds_nik(masked)


@pytest.mark.parametrize("text", [
    "2024-02-14 10:00:00", "0812-3456-7890-1234",  # a date and time; 16 digits whose region is 08, no province
    "1 234 567 890 123 456", "3471 0100 0000 0000 0000",  # no window of 16 with a plausible birth date
    hashlib.sha256(b"x").hexdigest(), "TPS 3471011001001 suara 12",
    # real Sirekap form images: a TPS code and a time (27 digits), a UUID whose groups hold 16 NIK-like digits
    "3173011001151-20240214-235315--01b64935-8280-4480-833d-08495ebbbe96.jpg",
])
def test_long_numbers_that_hold_no_nik_are_left_alone(text: str) -> None:
    assert not privacy.holds_nik(text)
    assert privacy.mask_niks(text) == text
