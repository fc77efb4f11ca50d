"""Personal-data detection: the NIK-like test of DESIGN.md section 7.

A NIK is 16 digits: a 6-digit region code (province, regency, district), a
DDMMYY birth date with 40 added to the day for women, and a 4-digit serial.
Nothing here ever returns or prints the value it found: only where it is.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

#: Province codes used by Kemendagri/Dukcapil and KPU (2024: 38 provinces).
PROVINCES = frozenset(
    "11 12 13 14 15 16 17 18 19 21 31 32 33 34 35 36 51 52 53 61 62 63 64 65 "
    "71 72 73 74 75 76 81 82 91 92 93 94 95 96".split()
)
SIXTEEN = re.compile(r"(?<![0-9])[0-9]{16}(?![0-9])")


def is_nik_like(digits: str) -> bool:
    """Whether 16 digits look like an unmasked NIK (region prefix and plausible DDMMYY)."""
    if len(digits) != 16 or not digits.isdigit() or digits[:2] not in PROVINCES:
        return False
    if digits[2:4] == "00" or digits[4:6] == "00":
        return False
    day, month = int(digits[6:8]), int(digits[8:10])
    if day > 40:
        day -= 40
    return 1 <= day <= 31 and 1 <= month <= 12


def contains_nik(text: str) -> bool:
    """Whether ``text`` holds a NIK-like run of 16 digits anywhere."""
    return any(is_nik_like(m.group()) for m in SIXTEEN.finditer(text))


def mask_niks(text: str) -> str:
    """``text`` with every NIK-like value's last 10 digits hidden, for logs and errors."""
    return SIXTEEN.sub(lambda m: m.group()[:6] + "*" * 10 if is_nik_like(m.group()) else m.group(), text)


@dataclass(frozen=True)
class PiiHit:
    """Where a NIK-like value sits: 1-based data row number (header is row 1) and column name."""

    row: int
    field: str


def scan_csv(path: Path) -> Iterator[PiiHit]:
    """Yield every cell of a CSV holding a NIK-like value.

    Lines are screened with one regular expression first; only the rare line
    with a 16-digit run is split into cells, so clean files cost one pass.
    """
    with path.open(encoding="utf-8", newline="") as handle:
        header: list[str] = []
        reader = csv.reader(handle)
        for number, row in enumerate(reader, start=1):
            if number == 1:
                header = row
                continue
            if not SIXTEEN.search(",".join(row)):
                continue
            for index, value in enumerate(row):
                if contains_nik(value):
                    name = header[index] if index < len(header) else f"column {index + 1}"
                    yield PiiHit(number, name)
