"""A name with a birth date in free text is personal data (DESIGN.md section 7), found as the NIK is.

Before, only the NIK had a detector: ``BUDI SANTOSO lahir 12-05-1980`` in a region name or a Sirekap note was loaded
and published as written. A birth date is told by the word before it (``lahir``, ``TTL``: tempat, tanggal lahir); a
date alone is none (every Sirekap record's ``ts``, an election day).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conftest import invoke, query
from releasekit.privacy import holds_birth_date, mask_birth_dates, mask_niks

BORN = {
    "lahir": "BUDI SANTOSO lahir 12-05-1980",
    "TTL with a place": "BUDI SANTOSO, TTL: JAKARTA, 12-05-1980",
    "tgl. lahir, year first": "Tgl. Lahir 1980-05-12 BUDI",
    "tempat/tgl lahir with slashes": "TEMPAT/TGL LAHIR: SLEMAN/12/05/1980",
    "month in words": "BUDI lahir di Bandung 5 Mei 1975",
    "on the next line": "BUDI SANTOSO\nTTL:\n12-05-1980",
    "kelahiran, dots": "tanggal kelahiran 12.05.1980 (BUDI)",
    "mixed case": "BUDI, TtL: JAKARTA, 12-05-1980 / LAhir",
    "a capital dotted I": "BUDI LAHİR 12-05-1980",
    "month in words between dashes": "BUDI lahir 12-Mei-1980",
    "a comma before the year": "BUDI lahir 12 Mei, 1980",
    "spaces around the dashes": "BUDI lahir 12 - 05 - 1980",
    "a long place": "TTL: KABUPATEN KEPULAUAN SIAU TAGULANDANG BIARO, 12-05-1980",
    "an old spelling of November (review AD #3)": "BUDI SANTOSO lahir 12 Nopember 1980",
    "an old spelling of February (review AD #3)": "BUDI SANTOSO lahir 12 Pebruari 1980",
}


@pytest.mark.parametrize("text", BORN.values(), ids=BORN.keys())
def test_a_birth_date_after_the_word_that_says_so_is_found_and_reduced_to_its_year(text: str) -> None:
    assert holds_birth_date(text)
    masked = mask_birth_dates(text)
    assert not holds_birth_date(masked) and ("1980" in masked or "1975" in masked), masked
    assert "05" not in masked.replace("1975", "") and "Mei" not in masked and "12" not in masked, masked
    assert mask_niks(text) == masked  # (every message and log line goes through it)


@pytest.mark.parametrize("text, masked", [
    ("BUDI lahir 12-05-80", "BUDI lahir **-**-**"), ("TTL: JAKARTA, 12/05/80", "TTL: JAKARTA, **/**/**"),
    ("BUDI lahir 5 Mei 75", "BUDI lahir * *** **"), ("tgl lahir 3.5.75 (BUDI)", "tgl lahir *.*.** (BUDI)"),
])
def test_a_birth_date_with_a_year_of_two_digits_is_found_and_masked_whole(text: str, masked: str) -> None:
    """A date of birth written ``12-05-80`` (as many printed lists do) passed as none: the year had to be 19xx or
    20xx. Its two digits cannot be told from a day's, so the whole date is masked."""
    assert holds_birth_date(text) and mask_birth_dates(text) == masked == mask_niks(text)


@pytest.mark.parametrize("text", [
    "lahir 12.05.80 10.00", "lahir 12-05/80", "lahir 12 05 80", "TTL 300 12 05",
    "2024-02-14 10:00:00", "hasil akhir 14-02-2024", "MAHIR 12-05-1980", "lahir 1980", "TTL", "kelahiran anak",
    "rekap akhir tanggal 5 Mei 2024", "settle 12-05-1980", "lahir tahun 123-45-19800",
    '{"ttl": 300, "updated": "2024-02-14 10:00:00"}', "cache ttl habis, diperbarui 2024-02-14T10:00:00Z",
    "lahir 14-02-2024 10.00",
])
def test_a_date_alone_or_after_another_word_is_none(text: str) -> None:
    assert not holds_birth_date(text), text
    assert mask_birth_dates(text) == text


def test_the_masked_form() -> None:
    assert (mask_birth_dates("BUDI lahir 12-05-1980, ANI lahir 1979-01-02")
            == "BUDI lahir **-**-1980, ANI lahir 1979-**-**")
    assert mask_birth_dates("TTL: JAKARTA, 5 Mei 1975") == "TTL: JAKARTA, * *** 1975"


def test_a_nik_in_groups_after_ttl_is_masked_as_a_nik_first() -> None:
    """``TTL 32 01 2019 0590 0001``: the birth date's pattern takes ``32 01 2019`` for a date; masked first, it left
    12 of the NIK's digits visible (review J #2). NIKs are masked first."""
    assert mask_niks("BUDI TTL: JAKARTA, NIK 32 01 2019 0590 0001") == "BUDI TTL: JAKARTA, NIK 32 01 20** **** ****"
    assert mask_niks("lahir 32.01.2019.059000.01") == "lahir 32.01.20**.******.**"


def test_a_record_holding_one_is_quarantined_and_masked(make_project: Any, tmp_path: Path) -> None:
    raw = tmp_path / "w.csv"
    raw.write_text("kode,nama\n34,DI YOGYAKARTA\n35,BUDI SANTOSO lahir 12-05-1980\n36,hasil akhir 14-02-2024\n"
                   "37,TTL 1-5-1980\n")  # (12 characters: review J #3, shorter than the loader looked at)
    project = make_project({"regions": [{"raw": raw, "format": "csv", "csv": {
        "table": "wilayah", "fields": {"kode_wilayah": "kode", "nama": "nama"}}}]})
    result = invoke("build", project)
    assert result.exit_code == 0, result.output
    assert query(project, "SELECT kode_wilayah FROM wilayah WHERE sumber IS NOT NULL ORDER BY 1") == [("34",), ("36",)]
    quarantined = query(project, "SELECT reason, coalesce(raw, '') FROM quarantine ORDER BY locator")
    assert len(quarantined) == 2
    assert all("a text value holds a birth date (after 'lahir' or 'TTL')" in reason for reason, _ in quarantined)
    raw_text = "".join(text for _, text in quarantined)
    assert raw_text == ""  # (withheld: the record holds personal data, ingest.withheld; it was shown masked)
    published = "".join(p.read_text(errors="replace") for p in (project / "datapackages").rglob("*")
                        if p.is_file() and p.suffix != ".zip")
    assert "12-05-1980" not in published + raw_text + result.output
    assert "12-05-1980" not in "".join(str(row) for row in query(project, "SELECT * FROM quarantine"))
