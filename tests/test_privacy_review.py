"""Review G (privacy, hostile): each case put a NIK, or a voter's name and birth date, into an artefact or a message.

The NIK of these tests, 3174056708850003, is NIK-like (DKI, born 27-08-85, a woman). Each test failed on the code
before the fix it names.
"""

from __future__ import annotations

import re
import traceback
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conftest import invoke, query
from releasekit import privacy
from releasekit.cli import cli
from releasekit.ingest import withheld
from releasekit.privacy import INVISIBLE, holds_nik, mask_long_numbers, mask_niks
from voters import HEADER, voter_source

NIK = "3174056708850003"
#: The NIK's digits after its region prefix: none of them may show, in a row of 7 or more with what precedes.
SECRET = NIK[6:]
FULLWIDTH = "".join(chr(0xFF10 + int(d)) for d in NIK)
ARABIC = "".join(chr(0x0660 + int(d)) for d in NIK)  # Arabic-Indic digits
VOTER = ("3174051001001,3174050101080001,{nik},DEWI SUSANTI,JAKARTA,27-08-1985,P,S,{alamat},001,002,,\n")


def _no_secret(text: str) -> None:
    digits = re.sub(r"\D", "", text)
    assert not any(SECRET[:n] in digits for n in (8,)), text  # the birth date and serial are hidden
    assert NIK[:12] not in digits, text


# ------------------------------------------------------------- D1: a text cut before it is masked


@pytest.mark.parametrize("at", range(20, 41))
def test_shorten_masks_before_it_cuts_and_drops_a_number_it_cuts(at: int) -> None:
    text = "x" * (at - 25) + f"pemilih BUDI NIK {NIK} tambahan"
    cut = privacy.shorten(text, 40)
    assert len(cut) <= 41 and cut.endswith("…")
    _no_secret(cut)
    assert not re.search(r"\d{7,}", cut.replace("*", "")) or "**********" in cut


def test_a_short_text_is_left_as_it_is() -> None:
    assert privacy.shorten("pemilih 12345", 40) == "pemilih 12345"
    assert privacy.shorten("a" * 39 + "1234567", 40) == "a" * 39 + "…"  # the number cut is left out
    assert privacy.shorten("a" * 30 + " 1234 5678 9012 3456", 40) == "a" * 30 + " …"


def test_a_nik_cut_in_a_quarantine_reason_is_masked(make_project: Any, tmp_path: Path) -> None:
    """The csv reader quotes 40 characters of a bad count: 15 of a NIK's digits used to stay."""
    raw = tmp_path / "h.csv"
    raw.write_text("kode_tps,suara_sah,paslon_1,paslon_2,paslon_3\n"
                   f'3401012001004,5,"pemilih BUDI SANTOSO NIK {NIK[:15]}6",2,3\n'
                   "3401012001005,5,1,2,2\n")
    project = make_project({"real-count": [{
        "raw": raw, "format": "csv", "election": "ppwp-2024", "snapshot": "2024-02-16",
        "csv": {"table": "hasil_tps", "fields": {"kode_tps": "kode_tps", "suara_sah": "suara_sah"},
                "votes": {1: "paslon_1", 2: "paslon_2", 3: "paslon_3"}}}]})
    assert invoke("build", project).exit_code == 0
    ((reason, raw_text),) = query(project, "SELECT reason, raw FROM quarantine")
    assert reason.startswith("votes for 1 (column 3): 'pemilih BUDI SANTOSO NIK 317405")
    _no_secret(reason)
    assert raw_text is None  # the record holds a NIK: its raw text (a name beside it) is withheld


def test_a_duplicate_json_key_is_cut_without_its_nik() -> None:
    from releasekit.readers.jsontext import DuplicateKeyError

    message = str(DuplicateKeyError(f"catatan BUDI SANTOSO NIK {NIK} lagi"))
    _no_secret(message)


# ------------------------------------------------------------- D2, D3: NIKs written other ways


@pytest.mark.parametrize("written", [
    FULLWIDTH, "3174  0567  0885  0003", "3174\u00a00567\u00a00885\u00a00003", ARABIC, "3.174056708850003e+15",
    "12-05-1980 3174 0567 0885 0003", "NO 10 3174 0567 0885 0003", "3174-0567-0885-0003 2024",
    "RT01 3174 0567 0885 0003", "3174.0567.0885.0003 RW02",
])
def test_a_nik_written_any_of_these_ways_is_found_and_masked(written: str) -> None:
    text = f"KAB BUDI {written} X"
    assert holds_nik(text)
    _no_secret(mask_niks(text))
    _no_secret(mask_long_numbers(text))  # (the masked voter table's names and addresses)


@pytest.mark.parametrize("written", ["3174/0567/0885/0003", "3174_0567_0885_0003"])
def test_a_voters_name_or_address_masks_numbers_with_slashes_and_underscores_too(written: str) -> None:
    """Not taken as NIKs elsewhere (a Sirekap path nests region codes with slashes), but masked in a voter's
    fields, where masking a number that is none costs nothing."""
    _no_secret(mask_long_numbers(f"JL {written} X"))


@pytest.mark.parametrize("text", [
    "1101012001001-20240215-101421.jpg",  # a Sirekap form image: a TPS code, a date, a time
    "pemilu/hhcw/ppwp/11/1101/110101/1101012001/1101012001001.json",  # 110101 + 1101012001 would be NIK-like
    "110101_1101012001.json",
    "2024-02-14 10:00:00", "01b64935-8280-4480-833d-5f0b4f1e9d1c", "1.234.567.890", "3401012001001,5,2,3,4,5",
    "12-05-1980 12-06-1981", "RT 001/002 RW 003/004 NO 1234",
    "c0ffee" + "0" * 10 + "3174056708850003" + "0" * 32,  # a hexadecimal digest
])
def test_these_are_no_nik(text: str) -> None:
    assert not holds_nik(text)


def test_the_masked_voter_table_hides_a_nik_in_any_digits(make_project: Any, tmp_path: Path) -> None:
    """Review BO F5: a NIK the PII gate finds in an address is masked there, not left to the gate, which refused
    the whole release for it (four and more spaces, CRLF twice, spaced dashes, keycap digits)."""
    rows = [VOTER.format(nik=f"31740567088500{n:02}", alamat=alamat) for n, alamat in enumerate([
        "JL 3174/0567/0885/0004", "FW " + FULLWIDTH, "NIK 3174  0567  0885  0006",
        "NIK 3174_0567_0885_0007", "JL " + ARABIC, "JL 3174    0567    0885    0003",
        "JL 3174        0567        0885        0003", "NIK 3174  -  0567  -  0885  -  0003",
        "JL 3174----0567----0885----0003", "NIK " + "".join(d + "\ufe0f\u20e3" for d in NIK)], start=10)]
    raw = tmp_path / "dpt.csv"
    raw.write_text(HEADER + "".join(rows), encoding="utf-8")
    project = make_project({"voter-list": {"sources": [voter_source(raw)], "publish_individuals": "masked",
                                           "individual_fields": ["nama", "alamat"]}})
    result = invoke("build", project)
    assert result.exit_code == 0, result.output
    addresses = [a for (a,) in query(project, "SELECT alamat FROM dpt_pemilih ORDER BY nomor")]
    assert len(addresses) == 10
    for address in addresses:
        assert not re.search(r"\d{7}", re.sub(r"\D", "", address)), address
    published = (project / "datapackages" / "voter-list" / "data" / "dpt_pemilih.csv").read_text()
    assert "0885" not in published and "０８８５" not in published and "٠٨٨٥" not in published


def test_a_nik_written_after_a_date_in_a_region_name_quarantines_it(make_project: Any, tmp_path: Path) -> None:
    raw = tmp_path / "w.csv"
    raw.write_text("kode,nama\n34,DI YOGYAKARTA\n35,KAB 3174  0567  0885  0004\n"
                   "36,BUDI 12-05-1980 3174 0567 0885 0003\n")
    project = make_project({"regions": [{"raw": raw, "format": "csv", "csv": {
        "table": "wilayah", "fields": {"kode_wilayah": "kode", "nama": "nama"}}}]})
    assert invoke("build", project).exit_code == 0
    assert query(project, "SELECT kode_wilayah FROM wilayah WHERE sumber IS NOT NULL") == [("34",)]
    assert query(project, "SELECT count(*), count(raw) FROM quarantine") == [(2, 0)]


def test_a_nik_written_after_a_word_ending_in_a_digit_quarantines_its_record(make_project: Any,
                                                                            tmp_path: Path) -> None:
    """``RT01 3174 0567 0885 0003``: the ``01`` is the word's, the 16 digits after it a NIK (before, the run was
    taken as part of the word and the name was published)."""
    raw = tmp_path / "w.csv"
    raw.write_text("kode,nama\n34,DI YOGYAKARTA RT01\n35,BUDI RT01 3174 0567 0885 0003\n")
    project = make_project({"regions": [{"raw": raw, "format": "csv", "csv": {
        "table": "wilayah", "fields": {"kode_wilayah": "kode", "nama": "nama"}}}]})
    assert invoke("build", project).exit_code == 0
    assert query(project, "SELECT kode_wilayah FROM wilayah WHERE sumber IS NOT NULL") == [("34",)]
    assert query(project, "SELECT count(*), count(raw) FROM quarantine") == [(1, 0)]
    _no_secret("".join(p.read_text(errors="replace") for p in (project / "datapackages").rglob("*")
                       if p.is_file() and p.suffix != ".zip"))


def test_metadata_refuses_a_nik_written_as_a_float(tmp_path: Path) -> None:
    from releasekit.errors import ConfigError
    from releasekit.metadatafile import parse_metadata

    text = (f"title: {float(NIK)!r}\npublisher: {{name: x}}\nlicenses: [{{name: CC-BY-4.0, path: "
            "https://creativecommons.org/licenses/by/4.0/}]\nregisters: []\n")
    with pytest.raises(ConfigError) as raised:
        parse_metadata(text)
    assert "holds a NIK-like number" in str(raised.value)
    assert SECRET not in str(raised.value)


# ------------------------------------------------------------- D4: a voter list read by the csv reader


def test_a_quarantined_row_holding_a_nik_keeps_no_raw_text(make_project: Any, tmp_path: Path) -> None:
    """A voter list given to the csv reader: every repeated TPS row was quarantined with its whole line (a name,
    a birth date, an address), only the NIK masked."""
    raw = tmp_path / "dpt.csv"
    raw.write_text(HEADER + VOTER.format(nik=NIK, alamat="JL. PEMUDA 31") * 3)
    project = make_project({"tps-list": [{"raw": raw, "format": "csv", "csv": {
        "table": "tps", "fields": {"kode_tps": "kode_tps"}}}]})
    assert invoke("build", project).exit_code == 0
    assert query(project, "SELECT count(*), count(raw) FROM quarantine") == [(2, 0)]
    published = (project / "datapackages" / "tps-list" / "data" / "quarantine.csv").read_text()
    assert "DEWI" not in published and "27-08-1985" not in published


# ------------------------------------------------------------- D5: a headerless file quoted in a hint


def test_a_missing_header_is_not_quoted_when_its_first_line_is_a_record(make_project: Any, tmp_path: Path) -> None:
    raw = tmp_path / "dpt.csv"
    raw.write_text(VOTER.format(nik=NIK, alamat="JL. MERDEKA 151") * 2)
    project = make_project({"tps-list": [{"raw": raw, "format": "csv", "csv": {
        "table": "tps", "fields": {"kode_tps": "kode_tps"}}}]})
    result = invoke("build", project)
    assert result.exit_code == 1
    assert "DEWI" not in result.output and "1985" not in result.output
    assert "a record, not a header (not quoted here)" in result.output


def test_a_missing_header_of_a_fixed_reader_is_not_quoted(make_project: Any, tmp_path: Path) -> None:
    raw = tmp_path / "k.csv"
    raw.write_text(VOTER.format(nik=NIK, alamat="JL. MERDEKA 151"))
    project = make_project({"kawal": [{"raw": raw, "format": "kawalpemilu2019-csv", "election": "ppwp-2019",
                                       "snapshot": "2019-05-01"}]})
    result = invoke("build", project)
    assert result.exit_code == 1
    assert "its first line holds a date or a long number: a record, not a header" in result.output
    assert "DEWI" not in result.output and "1985" not in result.output


def test_a_header_of_column_names_is_still_listed(make_project: Any, tmp_path: Path) -> None:
    raw = tmp_path / "t.csv"
    raw.write_text("kode,nomor\n3401012001001,1\n")
    project = make_project({"tps-list": [{"raw": raw, "format": "csv", "csv": {
        "table": "tps", "fields": {"kode_tps": "kode_tps"}}}]})
    result = invoke("build", project)
    assert result.exit_code == 1
    assert "the columns are: kode, nomor" in result.output


# ------------------------------------------------------------- D6: --debug and a YAML error


def test_debug_does_not_show_the_yaml_line_with_a_nik(tmp_path: Path) -> None:
    (tmp_path / "metadata.yml").write_text(f'title: x\ndescription: "voter {NIK} said: bad\n')
    result = CliRunner().invoke(cli, ["--debug", "build", str(tmp_path)])
    assert result.exc_info is not None
    shown = result.output + "".join(traceback.format_exception(*result.exc_info))  # what --debug prints
    assert "not valid YAML" in shown
    assert NIK not in shown and SECRET not in shown


# ------------------------------------------------------------- D7: counts whose sum looks like a NIK


def test_counts_too_large_to_be_counts_are_quarantined_not_summed_into_a_nik(make_project: Any,
                                                                             tmp_path: Path) -> None:
    """1587028354425001 + 1587028354425002 is NIK-like: the finding's sum refused the whole build at the gate."""
    raw = tmp_path / "h.csv"
    raw.write_text("kode_tps,suara_sah,paslon_1,paslon_2,paslon_3\n"
                   "3401012001004,5,1587028354425001,1587028354425002,3\n"
                   "3401012001005,5,1000000000,1,2\n3401012001006,5,1,2,2\n")
    project = make_project({"real-count": [{
        "raw": raw, "format": "csv", "election": "ppwp-2024", "snapshot": "2024-02-16",
        "csv": {"table": "hasil_tps", "fields": {"kode_tps": "kode_tps", "suara_sah": "suara_sah"},
                "votes": {1: "paslon_1", 2: "paslon_2", 3: "paslon_3"}}}]})
    result = invoke("build", project)
    assert result.exit_code == 0, result.output
    assert query(project, "SELECT kode_tps FROM hasil_tps") == [("3401012001006",)]
    assert query(project, "SELECT reason FROM quarantine ORDER BY locator") == [
        ("cannot be stored: a number of 16 digits is no count (a count is below 1,000,000,000); sums of such "
         "numbers could look like a NIK",),
        ("cannot be stored: a number of 10 digits is no count (a count is below 1,000,000,000); sums of such "
         "numbers could look like a NIK",)]


# ------------------------------------------------------------- D8: a broken link in a voter-list folder


def test_a_broken_link_in_a_voter_list_folder_is_refused(make_project: Any, tmp_path: Path) -> None:
    folder = tmp_path / "dpt"
    folder.mkdir()
    (folder / "a.csv").write_text(HEADER + VOTER.format(nik=NIK, alamat="JL. X"))
    (folder / "b.csv").symlink_to(tmp_path / "missing.csv")
    project = make_project({"voter-list": [voter_source(folder)]})
    result = invoke("build", project)
    assert result.exit_code == 1
    assert result.output.splitlines()[-1].startswith(
        "Error: raw/dpt/b.csv: not a readable file (a broken symbolic link, a pipe or a device)")


def test_privacy_shorten_is_what_the_readers_quote_with() -> None:
    assert privacy.brief("x" * 50) == "x" * 40


def test_a_long_raw_record_holding_a_nik_is_withheld_too(make_project: Any, tmp_path: Path) -> None:
    """A raw record over 2,000 characters was cut and masked before the loader looked: its name and birth date
    stayed beside the masked NIK, where a short one is withheld whole."""
    raw = tmp_path / "x.jsonl"
    raw.write_text(f'{{"kode_tps": "3101011001001", "chart": {{}}, "psu": "BUDI 27-08-1985 NIK {NIK}", '
                   f'"pad": "{"x" * 3000}", "ts": 5}}\n')
    project = make_project({"real-count": [{"raw": raw, "format": "sirekap-tps-json", "election": "ppwp-2024",
                                            "snapshot": "2024-02-16"}]})
    assert invoke("build", project).exit_code == 0
    assert query(project, "SELECT count(*), count(raw) FROM quarantine") == [(1, 0)]



def test_the_shortest_birth_date_a_raw_record_can_hold_withholds_it() -> None:
    """Review BR I06: ``ttl1-1-1980`` (11 characters) is the shortest text :data:`~releasekit.privacy.BIRTH_DATE`
    matches; the loader's length screen must let it through to the check, not stop at 12."""
    assert withheld("no reason given", "ttl1-1-1980")
    assert not withheld("no reason given", "ttl1-1-198")  # (no four-digit year: no date)


# ------------------------------------------------------------- review PII (session 12)


@pytest.mark.parametrize("written", [
    "3174–0567–0885–0003", "3174—0567—0885—0003", "3174 - 0567 - 0885 - 0003", "3174 – 0567 – 0885 – 0003",
    "3174－0567－0885－0003", "3174−0567−0885−0003", "3174·0567·0885·0003", "3174   0567   0885   0003",
    "3174\u200b0567\u200b0885\u200b0003", "3\u00ad174\u00ad0567\u00ad0885\u00ad0003",
    "3174\u20600567\u20600885\u20600003",
    # Review AD #1: the rest of Unicode's default-ignorable characters (bidi marks and isolates, the Mongolian vowel
    # separator, the combining grapheme joiner, a variation selector, a tag character, a Hangul filler).
    *(f"3174{c}0567{c}0885{c}0003" for c in "\u200e\u200f\u202a\u2066\u2069\u180e\u034f\ufe0f\U000e0041\u3164"),
    # Review BB #5: four spaces, tabs or no-break spaces, three dots, two dashes set apart by spaces.
    "3174    0547    0885    0003", "3174\t\t\t\t0547\t\t\t\t0885\t\t\t\t0003", "3174...0547...0885...0003",
    "\u00a0\u00a0\u00a0\u00a0".join(["3174", "0547", "0885", "0003"]), "3174 -- 0547 -- 0885 -- 0003",
])
def test_a_nik_with_other_dashes_or_invisible_characters_between_its_groups(written: str) -> None:
    """Review PII #2: dashes other than ASCII's, three spaces, a dash set apart by spaces, and characters that show
    nothing between the groups hid a NIK from every test (the loader, the build's gate, validate)."""
    text = f"KAB BUDI {written} X"
    assert holds_nik(text)
    _no_secret(re.sub(f"[{INVISIBLE}]", "", mask_niks(text)))
    _no_secret(mask_long_numbers(text))


@pytest.mark.parametrize("written", ["NIK3174-0567-0885-0003", "NIK" + FULLWIDTH, "3174 0567 0885 0003x"])
def test_a_nik_glued_to_a_word_is_found(written: str) -> None:
    """Review PII #2: a NIK written in groups, or in another script's digits, glued to a word was taken as part of
    the word and passed."""
    assert holds_nik(f"KAB BUDI {written} X")
    _no_secret(mask_niks(f"KAB BUDI {written} X"))


@pytest.mark.parametrize("value", [
    "3174\\t0567\\t0885\\t0003", "3174\\n0567\\n0885\\n0003", "3174\\u00200567\\u00200885\\u00200003",
    "BUDI SANTOSO lahir 12\\/05\\/1980", "BUDI lahir 12\\u002d05\\u002d1980",
])
@pytest.mark.parametrize("ts", ['"2024-02-16 10:00:00"', "5"])
def test_a_record_refused_for_personal_data_written_with_escapes_keeps_no_raw_text(make_project: Any, tmp_path: Path,
                                                                                    value: str, ts: str) -> None:
    """Review PII #1: the loader refused the record for the NIK or the birth date it read, but kept its raw text,
    whose escapes (``\\t``, ``\\/``, ``\\u0020``) hid the value from the test that withholds it; nor is the raw
    text of a record refused for another reason (a ``ts`` of 5) kept when its escapes, read, show one."""
    raw = tmp_path / "x.jsonl"
    raw.write_text(f'{{"kode_tps": "3101011001001", "chart": {{}}, "psu": "{value}", "ts": {ts}}}\n')
    project = make_project({"real-count": [{"raw": raw, "format": "sirekap-tps-json", "election": "ppwp-2024",
                                            "snapshot": "2024-02-16"}]})
    assert invoke("build", project).exit_code == 0
    assert query(project, "SELECT count(*), count(raw) FROM quarantine") == [(1, 0)]
    (reason,), = query(project, "SELECT reason FROM quarantine")
    assert ("ts: expected" in reason) == (ts == "5")


def test_a_record_whose_refusal_quotes_a_nik_keeps_no_raw_text(make_project: Any, tmp_path: Path) -> None:
    """Review PII #1: a count written ``32730145019000010e-1`` was refused as no whole number, its reason masked
    (``got 327301**********.0``), and its raw text, which holds the digits the reason masked, kept."""
    raw = tmp_path / "x.jsonl"
    raw.write_text('{"kode_tps": "3101011001001", "chart": {}, "administrasi": {"suara_sah": 32730145019000010e-1}, '
                   '"ts": 5}\n')
    project = make_project({"real-count": [{"raw": raw, "format": "sirekap-tps-json", "election": "ppwp-2024",
                                            "snapshot": "2024-02-16"}]})
    assert invoke("build", project).exit_code == 0
    assert query(project, "SELECT count(*), count(raw) FROM quarantine") == [(1, 0)]


@pytest.mark.parametrize("first", ["3273–0145–0190–0001", "1990 01 05"])
def test_a_first_line_with_a_nik_written_another_way_or_a_spaced_date_is_not_quoted(
        make_project: Any, tmp_path: Path, first: str) -> None:
    """Review PII #5: a hint listed the first line of a file without a header as its columns when the line's
    identity number or date was written in a way the record test missed."""
    raw = tmp_path / "dpt.csv"
    raw.write_text(f"TPS 001,{first},BUDI SANTOSO,BANDUNG\n" * 2)
    project = make_project({"tps-list": [{"raw": raw, "format": "csv", "csv": {
        "table": "tps", "fields": {"kode_tps": "kode_tps"}}}]})
    result = invoke("build", project)
    assert result.exit_code == 1
    assert "BUDI" not in result.output and first not in result.output
    assert "a record, not a header (not quoted here)" in result.output


@pytest.mark.parametrize("title", ["Daftar NIK3174-0567-0885-0003", "Daftar 3174 – 0567 – 0885 – 0003",
                                   "Daftar 3174\u200b0567\u200b0885\u200b0003", "Daftar 3174    0547    0885    0003",
                                   "Daftar 3174 -- 0547 -- 0885 -- 0003"])
def test_metadata_refuses_a_nik_written_with_other_dashes_glued_or_invisible_characters(title: str) -> None:
    """Review PII #3: metadata.yml's texts (published in every package and on the site) are tested as any text."""
    from releasekit.errors import ConfigError
    from releasekit.metadatafile import parse_metadata

    text = (f"title: \"{title}\"\npublisher: {{name: x}}\nlicenses: [{{name: CC-BY-4.0, path: "
            "https://creativecommons.org/licenses/by/4.0/}]\nregisters: []\n")
    with pytest.raises(ConfigError) as raised:
        parse_metadata(text)
    assert "holds a NIK-like number" in str(raised.value) and SECRET[:8] not in str(raised.value)


@pytest.mark.parametrize("written, masked", [
    ("lahir Juli 31, 2004", "lahir **** **, 2004"),
    ("born September 18th 2005", "born ********* **** 2005"),
    ("born 18th September 2005", "born **** ********* 2005"),
    ("TTL 02/VII/2002", "TTL **/***/2002"),
    ("lahir 04091966", "lahir ********"),
    ("lahir tgl 18 bln 09 thn 2005", "lahir tgl ** *** ** *** 2005"),
    ("lahir JULI 31,2004", "lahir **** **,2004"),  # (review BP M2)
    ("TTL 02 VII 2002", "TTL ** *** 2002"),
])
def test_a_birth_date_written_month_first_roman_compact_or_as_a_form_is_found(written: str, masked: str) -> None:
    """Review BO F3: these forms of a birth date were published beside a voter's name (``dpt_pemilih.nama``) and in
    region names; each is a birth date after ``lahir``/``TTL``/``born``, and a whole date in a voter's fields."""
    from releasekit.privacy import holds_birth_date, mask_birth_dates, mask_dates

    text = f"DEWI SUSANTI {written}"
    assert holds_birth_date(text)
    assert mask_birth_dates(text) == mask_dates(text) == f"DEWI SUSANTI {masked}"


@pytest.mark.parametrize("text", ["lahir 2024-02-14 10:00:00", "lahir di RT 12 RW 3", "lahir 1101012001001",
                                  "JL. MERDEKA NO. 151", "born in Jakarta, 2004 votes"])
def test_these_are_no_birth_dates(text: str) -> None:
    from releasekit.privacy import holds_birth_date

    assert not holds_birth_date(text)
