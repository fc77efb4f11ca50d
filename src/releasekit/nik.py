"""The structure of a NIK (Nomor Induk Kependudukan), checked without keeping the number.

A NIK is 16 digits: a 6-digit region prefix (province 2, regency/city 2, district 2,
Kemendagri codes, which KPU's region codes follow), the holder's birth date as DDMMYY with
40 added to the day for women, and a 4-digit serial. The voter-list rules (``invalid-nik``,
``nik-region-mismatch``) use these checks while the list streams past; nothing here stores,
returns or prints the number itself, only *what* is wrong with it.
"""

from __future__ import annotations

from collections.abc import Iterable

from .privacy import PROVINCES

#: Days per month; February's 29th is allowed when YY is divisible by 4 (the century is unknown).
_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
#: Every DDMM a NIK may hold: day 01–31 for men, 41–71 for women, within the month.
VALID_DDMM = frozenset(f"{day + extra:02d}{month:02d}" for month, days in enumerate(_DAYS, start=1)
                       for day in range(1, days + 1) for extra in (0, 40))
#: The DDMM of 29 February (men, women): valid only in a year divisible by 4.
LEAP_DDMM = frozenset(("2902", "6902"))


class RegionPrefixes:
    """Which 6-digit region prefixes a NIK may carry.

    A prefix needs a known province code and non-zero regency and district parts. Where a
    region list covers the regency (has districts of it: loaded from ``kpu-wilayah-csv`` or
    ``sirekap-wilayah-json``), the district must also be in that list; elsewhere the
    structural test is all there is, so a release without region lists still gets checked,
    and a list of some regencies does not condemn the NIKs of the others.
    """

    def __init__(self, districts: Iterable[str] = ()) -> None:
        self.districts = frozenset(d for d in districts if len(d) == 6)
        self.covered = frozenset(d[:4] for d in self.districts)
        self._cache: dict[str, bool] = {}

    def known(self, prefix: str) -> bool:
        """Whether ``prefix`` (6 digits) is a region code a NIK can start with."""
        hit = self._cache.get(prefix)
        if hit is None:
            hit = (prefix[:2] in PROVINCES and prefix[2:4] != "00" and prefix[4:6] != "00"
                   and (prefix[:4] not in self.covered or prefix in self.districts))
            if len(self._cache) < 100_000:  # bounded: ~7,300 districts exist
                self._cache[prefix] = hit
        return hit


def nik_problem(nik: str, prefixes: RegionPrefixes) -> str | None:
    """What makes ``nik`` invalid, in words that never repeat the number; None when it is valid.

    Checked: 16 ASCII digits, a possible DDMMYY birth date (+40 on the day for women), a
    known region prefix. Spaces or separators are the caller's to remove
    (:func:`releasekit.privacy.normalise_id`).
    """
    digits = nik.isascii() and nik.isdigit()  # str.isdigit alone also passes '²' and '٠'
    if len(nik) != 16 or not digits:
        if not nik:
            return "NIK is empty"
        kind = "digits" if digits else "characters, not all digits"
        return f"NIK has {len(nik)} {kind}, not 16 digits"
    ddmm = nik[6:10]
    if ddmm not in VALID_DDMM or (ddmm in LEAP_DDMM and int(nik[10:12]) % 4):
        return "NIK birth date (DDMMYY, +40 on the day for women) is impossible"
    if not prefixes.known(nik[:6]):
        return f"NIK region prefix {nik[:2]}.{nik[2:4]}.{nik[4:6]} is not a known district"
    return None
