"""Personal data in text: the NIK-like test of DESIGN.md section 7, birth dates, and masking.

A NIK is 16 digits: a 6-digit region code (province, regency, district), a
DDMMYY birth date with 40 added to the day for women, and a 4-digit serial.
Nothing here ever returns or prints the value it found: only where it is.

The gate is enforced at three points, all through :func:`holds_nik`: ``build`` scans every
artefact before moving it into place (:func:`releasekit.piigate.refuse_niks_in_tree`),
``validate`` fails a package holding one (:func:`record_niks`,
:func:`releasekit.piigate.nik_lines`), and error messages mask any NIK they would print
(:func:`mask_niks`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal, InvalidOperation

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


#: Lengths of the hexadecimal digests a release shows (MD5, SHA-1, SHA-256, SHA-512 as ``hexdigest()`` writes
#: them): sixteen digits inside one are part of a hash, not a NIK. About one SHA-256 in 6,500 holds a
#: NIK-like run (``…0c9105566809631643b50a9``), and a release names the hash of every source and file it holds.
DIGEST_LENGTHS = frozenset((32, 40, 64, 128))
#: How far a digest can reach on either side of a run of 16 digits inside it.
DIGEST_REACH = max(DIGEST_LENGTHS) - 16
_HEX = frozenset("0123456789abcdefABCDEF")


def in_digest(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` (a run of 16 digits) lies inside a hexadecimal digest: a word of one of the
    :data:`DIGEST_LENGTHS`, all lowercase or all uppercase hexadecimal digits. (The run has no digit beside it, so
    such a word holds letters.)"""
    left, right = start, end
    while left > 0 and text[left - 1] in _HEX and start - left <= DIGEST_REACH:
        left -= 1
    while right < len(text) and text[right] in _HEX and right - end <= DIGEST_REACH:
        right += 1
    word = text[left:right]
    return len(word) in DIGEST_LENGTHS and (word.islower() or word.isupper())


def nik_runs(text: str) -> Iterator[re.Match[str]]:
    """Every NIK-like run of 16 digits in ``text``, but those inside a hexadecimal digest (:func:`in_digest`)."""
    for match in SIXTEEN.finditer(text):
        if is_nik_like(match.group()) and not in_digest(text, match.start(), match.end()):
            yield match


def contains_nik(text: str) -> bool:
    """Whether ``text`` holds a NIK-like run of 16 digits anywhere (:func:`nik_runs`)."""
    return any(nik_runs(text))


#: Characters that show nothing, Unicode's Default_Ignorable_Code_Point (a soft hyphen, zero-width spaces and
#: joiners, the left-to-right and right-to-left marks and embeddings, bidi isolates, a word joiner, the combining
#: grapheme joiner, Hangul fillers, Mongolian variation selectors, variation selectors, a byte-order mark, tag
#: characters …), as character-class ranges: between two digits they split a number no reader sees split.
INVISIBLE = ("\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f"
             "\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
             "\U000e0000-\U000e0fff")
#: Dashes and dots people set between a number's groups: the ASCII ones, Unicode's hyphens and dashes (‐ ‑ ‒ – — ―),
#: the minus sign, fullwidth and small hyphen-minus, the middle dot and the katakana middle dot.
DASHES = ".\\-\u2010-\u2015\u2212\uff0d\ufe63\u00b7\u30fb"
#: Characters that show as blank or only frame a digit: the braille blank, and the keycap a digit takes in an emoji
#: (``5️⃣``: the digit, a variation selector, U+20E3). Between two digits, as :data:`INVISIBLE` (review BO F2).
BLANK = "\u20e3\u2800"
#: What may stand between two digits of one number as people write it: up to two dashes, dots or spaces
#: (``3174-0567``, ``3174. 0567``), up to eight spaces (tabs, no-break spaces), four dots or dashes
#: (``3174....0567``), or one or two dashes with up to three spaces on either side (``3174 - 0567``,
#: ``3174  --  0567``); invisible and blank characters anywhere (:data:`INVISIBLE`, :data:`BLANK`). (Review BB #5:
#: four spaces, ``...`` and `` -- `` passed; review BO F2: five spaces, ``----`` and ``  -  ``.)
_SPACE = f"\\s{INVISIBLE}{BLANK}"
_SEPARATOR = (f"(?:[{_SPACE}{DASHES}]{{0,2}}|[{_SPACE}]{{3,8}}|[{DASHES}]{{3,4}}"
              f"|[{_SPACE}]{{1,3}}[{DASHES}]{{1,2}}[{_SPACE}]{{1,3}})")
#: A number of 16 digits or more as people write one into free text: digits of any script (``３１７４…``,
#: fullwidth), separated as :data:`_SEPARATOR` allows (``3174-0567-0885-0003``, ``3174  0567  0885  0003``,
#: ``3174 – 0567 – 0885 – 0003``). :func:`spread_niks` takes those of 16 digits, of 32 (two glued into one run: an
#: NKK and a NIK), and the 16 digits of whole groups inside a longer one (a date or a house number written before
#: a NIK: ``12-05-1980 3174 0567 0885 0003``). Not other lengths: a TPS code is NIK-like in its first 16 digits as
#: soon as anything follows it (``1101012001001-20240215-101421``, the name of a Sirekap form image). No slash or
#: underscore: a Sirekap path nests region codes (``…/110101/1101012001/…``: a district's 6 digits and a village's
#: 10 read as one NIK-like number), as file names do; no comma: it separates the cells of a CSV line and the
#: thousands of a count.
SPREAD = re.compile(f"\\d(?:{_SEPARATOR}\\d){{15,}}")
_NOT_DIGIT = re.compile(r"\D")
_GROUPS = re.compile(r"\d+")
#: A float's exponent after a 16-digit mantissa (``3.174056708850003e+15``, ``e+015`` as older Windows runtimes
#: print it: a NIK read as a number).
_EXPONENT = re.compile(r"[eE]\+?0?15(?![0-9])")
#: A number in e-notation, a word of its own (not a digit group of a hexadecimal word, ``…ab5202…0001e0cd``):
#: :func:`_float_nik` tells whether its value is a NIK.
_FLOAT = re.compile(r"(?<![0-9A-Za-z.])([0-9]+(?:\.[0-9]*)?)([eE][+-]?[0-9]{1,3})(?![0-9A-Za-z])")
#: A number whose one separator is a dot: a decimal.
_DECIMAL = re.compile(r"\d+\.\d+")
#: A screen before :data:`SPREAD` for ASCII text (a C-speed class run, not a backtracking group: every Sirekap
#: record's ``ts``, ``2024-02-14 10:00:00``, is long enough to be searched).
_SPREAD_ASCII = re.compile(r"[0-9 \t\n\r\f\v\x1c-\x1f.\-]{16}")  # (\s spelled out: a set, not a category)


def _ascii_digits(digits: str) -> str:
    return digits if digits.isascii() else "".join(str(int(digit)) for digit in digits)  # (int(): any script)


def spread_niks(text: str) -> Iterator[tuple[int, int]]:
    """The span of every :data:`SPREAD` number in ``text`` that is a NIK (:func:`is_nik_like`) once its separators
    are dropped and its digits read as ASCII: 16 digits, or 32 (two glued together) either half of which is one,
    or the whole groups of 16 digits inside a longer number; with no letter or digit beside it (but a float's
    exponent, ``e+15``). A digit group glued to a hexadecimal word is that word's (a UUID's ``64935`` and ``833`` in
    ``01b64935-8280-4480-833d``): the number is what follows or precedes it; one glued to another word is the
    number's (``NIK3174-0567-0885-0003``: :func:`_glued`). Digits in a row inside a hexadecimal digest
    (:func:`in_digest`) are not one."""
    floats = set()
    if "e" in text or "E" in text:  # (``5.2020145019000010e+15``, ``3.17405670885001E15``: review BO F4)
        for found in _FLOAT.finditer(text):
            if _float_nik(found.group(1), found.group(2)):
                floats.add(found.start())
                yield found.span()
    for match in SPREAD.finditer(text):
        start, end = match.span()
        number = match.group()
        if start in floats:
            continue
        glued_before = start > 0 and _glued(text[start - 1])
        glued_after = end < len(text) and _glued(text[end]) and not _EXPONENT.match(text, end)
        if glued_before or glued_after:
            groups = list(_GROUPS.finditer(number))[1 if glued_before else 0:-1 if glued_after else None]
            if not groups:
                continue
            start, end = start + groups[0].start(), start + groups[-1].end()
            number = text[start:end]
        elif number.isascii() and number.isdigit() and in_digest(text, start, end):
            continue
        if _DECIMAL.fullmatch(number) and not _EXPONENT.match(text, end):
            continue  # a decimal number (``12.34567890123456``: a float as written), not a NIK's digits set apart
        digits = _NOT_DIGIT.sub("", number)
        if len(digits) > 16 and digits[0] == "0" and is_nik_like(_ascii_digits(digits).lstrip("0")):
            yield start, end  # (a NIK with zeros before it, ``05202014501900001``: an integer column reads the NIK)
            continue
        if len(digits) in (16, 32):
            digits = _ascii_digits(digits)
            if is_nik_like(digits[:16]) or is_nik_like(digits[16:]):
                yield start, end
            continue
        yield from _grouped(number, start)


def _float_nik(number: str, exponent: str) -> bool:
    """Whether ``number`` followed by ``exponent`` (:data:`_FLOAT`'s groups) is a float whose value is a NIK: a whole
    number of 16 digits that :func:`is_nik_like` (``5.202014501900001e+015``, ``5.2020145019000010e+15``,
    ``520201450190000.1e1``, and ``3.17405670885001E15``, a NIK ending in 0 as the shortest float spelling writes it:
    a NIK read as a number and written by another program; review BO F4)."""
    try:
        value = Decimal(number + exponent)
    except InvalidOperation:
        return False
    return value.adjusted() == 15 and value == value.to_integral_value() and is_nik_like(str(int(value)))


def _glued(char: str) -> bool:
    """Whether ``char``, beside a number, makes the digit group it touches part of a word: a digit of another number,
    or a letter of a hexadecimal word (a UUID's, a digest's). Another letter is a word of its own set before or after
    the number (``NIK3174-0567-0885-0003``, ``RT01 …``)."""
    return char.isalnum() and (char in _HEX or not char.isalpha())


def _grouped(number: str, offset: int) -> Iterator[tuple[int, int]]:
    """The spans (``offset`` added) of the runs of whole digit groups of ``number`` holding 16 digits that are a NIK;
    a span ends where the next one starts, or later."""
    groups = [(m.start(), m.end()) for m in _GROUPS.finditer(number)]
    after = 0
    for first in range(len(groups)):
        if groups[first][0] < after:
            continue
        count = 0
        for last in range(first, len(groups)):
            count += groups[last][1] - groups[last][0]
            if count >= 16:
                break
        if count != 16:
            continue
        start, end = groups[first][0], groups[last][1]
        if is_nik_like(_ascii_digits(_NOT_DIGIT.sub("", number[start:end]))):
            yield offset + start, offset + end
            after = end


#: Characters that read as a digit but are no decimal digit to ``\d`` (superscripts ``³¹⁷⁴``, subscripts, circled
#: ``③①⑦④`` and other enclosed forms, digits with a full stop or comma), each as its ASCII digit: one character for
#: one, so a span found in the translated text is the same span of the text.
_OTHER_DIGITS = str.maketrans({chr(code): str(unicodedata.digit(chr(code))) for block in (
    range(0x00B2, 0x00BA), range(0x2070, 0x20A0), range(0x2460, 0x2500), range(0x2776, 0x2794),
    range(0x1F100, 0x1F10D)) for code in block
    if not chr(code).isdecimal() and unicodedata.digit(chr(code), None) is not None
    and 0 <= unicodedata.digit(chr(code)) <= 9})


def as_digits(text: str) -> str:
    """``text`` with every character that reads as a digit but is no decimal digit (:data:`_OTHER_DIGITS`) as its
    ASCII digit, of the same length."""
    return text if text.isascii() else text.translate(_OTHER_DIGITS)


def may_hold_spread_nik(text: str) -> bool:
    """A screen before :func:`holds_nik`, for the loader's every text value: False when ``text`` cannot hold one."""
    return _may_hold_read(as_digits(text))


def _may_hold_read(read: str) -> bool:
    """:func:`may_hold_spread_nik` of text already read as digits (:func:`as_digits`)."""
    return (_SPREAD_ASCII if read.isascii() else SPREAD).search(read) is not None


def holds_nik(text: str) -> bool:
    """Whether free text holds a NIK however it is written (:func:`contains_nik`, :func:`spread_niks`): stricter
    than :func:`contains_nik` alone, the test of published bytes (DESIGN.md section 7), for text on its way in."""
    text = as_digits(text)  # (³¹⁷⁴… is a NIK to a reader, no digits to \d)
    return _may_hold_read(text) and (contains_nik(text) or any(spread_niks(text)))


#: A dash between a date's parts, of any kind (``12–05–1980``), beside the slash and the dot:
#: the hyphen-minus, Unicode's hyphens and dashes, the minus sign and the fullwidth hyphen-minus.
_DATE_DASHES = "\\-\u2010-\u2015\u2212\uff0d"
_DATE_SEP = f"[/.{_DATE_DASHES}]"
#: A month in words, Indonesian or English (its first letters: ``Agustus``, ``Agt.``, ``September``).
_MONTH_WORD = "(?:jan|feb|peb|mar|apr|mei|may|jun|jul|agu|aug|ags|agt|sep|okt|oct|nov|nop|des|dec)"
#: A month in Roman numerals, as Indonesian forms write it (``02/VII/2002``).
_ROMAN_MONTH = "(?:xii|xi|x|ix|viii|vii|vi|v|iv|iii|ii|i)(?![^\\W\\d_])"
#: A whole date: day, month and a year 1900–2099 (``12-05-1980``, ``12/05/1980``, ``12.05.1980``, ``12 - 05 - 1980``,
#: ``12–05–1980``, ``1980-05-12``, ``5 Mei 1975``, ``5 Agustus 1975``, ``12-Mei-1980``, ``12 Mei, 1980``; a year of
#: two digits with a month in words, or between two of one separator: ``12-05-80``, ``12/05/80``, ``5 Mei 75``; the
#: month first, ``Juli 31, 2004``, ``September 18th 2005``; ordinals, ``18th September 2005``; a Roman month,
#: ``02/VII/2002``; eight digits, ``04091966``; a form's ``tgl 18 bln 09 thn 2005``: review BO F3) not followed by a
#: time (``2024-02-14 10:00:00`` is a moment, not a birth); its text is the group ``date``.
DATE_TEXT = (
    f"(?P<date>(?=[\\djfpmasond])(?<!\\d)(?:\\d{{1,2}}(?:\\s*{_DATE_SEP}\\s*|\\s)\\d{{1,2}}"
    f"(?:\\s*{_DATE_SEP}\\s*|\\s)(?:19|20)\\d{{2}}"
    f"|(?:19|20)\\d{{2}}\\s*{_DATE_SEP}\\s*\\d{{1,2}}\\s*{_DATE_SEP}\\s*\\d{{1,2}}"
    r"|(?:19|20)\d{2}\s(?:0?[1-9]|1[0-2])\s(?:0?[1-9]|[12]\d|3[01])"
    f"|\\d{{1,2}}(?:st|nd|rd|th)?[/.\\s{_DATE_DASHES}]*{_MONTH_WORD}"
    f"[^\\W\\d_]*\\.?[/.,\\s{_DATE_DASHES}]+(?:(?:19|20)\\d{{2}}|\\d{{2}})"
    f"|(?<![^\\W\\d_]){_MONTH_WORD}[^\\W\\d_]*\\.?\\s*\\d{{1,2}}(?:st|nd|rd|th)?(?:,\\s*|\\s+)(?:19|20)\\d{{2}}"
    f"|\\d{{1,2}}(?:\\s*{_DATE_SEP}\\s*|\\s+){_ROMAN_MONTH}(?:\\s*{_DATE_SEP}\\s*|\\s+)(?:(?:19|20)\\d{{2}}|\\d{{2}})"
    r"|(?:0[1-9]|[12]\d|3[01])(?:0[1-9]|1[0-2])(?:19|20)\d{2}"
    r"|\d{1,2}\s*(?:bln|bulan)\.?\s*\d{1,2}\s*(?:thn|tahun)\.?\s*(?:19|20)\d{2}"
    f"|\\d{{1,2}}\\s*(?P<sep>{_DATE_SEP})\\s*\\d{{1,2}}\\s*(?P=sep)\\s*\\d{{2}}(?![-/.]?[\\d*])))(?!\\d)"
    r"(?![ T]\d{1,2}[:.]\d{2})")
#: A birth date in free text, after the word that says so: ``lahir`` (``tgl. lahir``, ``tanggal lahir``,
#: ``kelahiran``, ``tempat/tgl lahir``), ``lhr`` (``tgl lhr``), ``born``, ``DOB`` or ``TTL`` (tempat, tanggal lahir),
#: any case, then up to 60 characters but digits (a place: ``TTL: JAKARTA, 12-05-1980``), then a whole date
#: (:data:`DATE_TEXT`). With a name beside it, it is personal data (DESIGN.md section 7); a date alone is none (a
#: TPS's ``ts``, an election day).
BIRTH_DATE = re.compile(
    r"(?<![^\W\d_])(?:(?:ke)?lahir(?:an)?|lhr|ttl|born|dob)(?![^\W\d_])\D{0,60}?" + DATE_TEXT, re.IGNORECASE)
#: Any whole date (:data:`DATE_TEXT`), with or without a word before it saying it is a birth date: masked in a voter's
#: name and address, where no date is needed (:func:`mask_dates`).
ANY_DATE = re.compile(DATE_TEXT, re.IGNORECASE)
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")


def may_hold_birth_date(text: str) -> bool:
    """A screen before :data:`BIRTH_DATE` (a search ignoring case costs a microsecond on every text value): False
    when ``text`` cannot hold one."""
    upper = text.upper()
    return ("AHIR" in upper or "TTL" in upper or "AHİR" in upper  # (İ: the pattern ignores case as re does)
            or "LHR" in upper or "BORN" in upper or "DOB" in upper)


def holds_birth_date(text: str) -> bool:
    """Whether free text holds a birth date written after ``lahir`` or ``TTL`` (:data:`BIRTH_DATE`)."""
    return may_hold_birth_date(text) and BIRTH_DATE.search(text) is not None


def _year_only(match: re.Match[str]) -> str:
    date, start = match.group("date"), match.start("date") - match.start()
    year = _YEAR.search(date)
    kept = range(year.start(), year.end()) if year else range(0)
    masked = "".join(c if i in kept or not c.isalnum() else "*" for i, c in enumerate(date))
    return match.group()[:start] + masked


def mask_dates(text: str) -> str:
    """``text`` with every whole date (:data:`ANY_DATE`) reduced to its year, whatever word is before it: a voter's
    name or address needs none (``BUDI born 05-01-1990``, ``tgl lhr 05–01–1990``)."""
    return ANY_DATE.sub(_year_only, text) if any(c.isdigit() for c in text) else text


def mask_birth_dates(text: str) -> str:
    """``text`` with every birth date written after ``lahir`` or ``TTL`` reduced to its year (``lahir **-**-1980``),
    as KPU masks a printed list's."""
    return BIRTH_DATE.sub(_year_only, text) if may_hold_birth_date(text) else text


#: A JSON ``\uXXXX`` escape (not itself escaped): JSON can spell a NIK's digits this way.
_ESCAPE = re.compile(r"(?<!\\)((?:\\\\)*)\\u([0-9a-fA-F]{4})")


def _digit_unescaped(match: re.Match[str]) -> str:
    char = chr(int(match.group(2), 16))
    return match.group(1) + char if char.isdecimal() else match.group()


def unescape_digits(text: str) -> str:
    r"""``text`` (JSON, or part of it) with each digit spelled as an escape (``\u0033``, fullwidth ``\uff13``)
    written as itself: the same JSON value, in which a NIK so spelled can be found and masked."""
    return _ESCAPE.sub(_digit_unescaped, text) if "\\u" in text else text


#: A backslash escape as JSON, SQL or a C-like language writes one: ``\uXXXX``, ``\xXX``, or one character.
_ANY_ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|x([0-9a-fA-F]{2})|(.))", re.DOTALL)
_ESCAPED = {"t": "\t", "n": "\n", "r": "\r", "f": "\f", "b": "\b", "v": "\v", "0": "\0"}


def _escape_read(match: re.Match[str]) -> str:
    code = match.group(1) or match.group(2)
    return chr(int(code, 16)) if code else _ESCAPED.get(match.group(3), match.group(3))


def escapes_read(text: str) -> str:
    r"""``text`` (a raw record: a JSON line, an SQL tuple …) with every backslash escape read as the character it
    stands for (``\t``, ``\/``, ``\u0020``, ``\x33``), for the PII tests alone (the text is no longer what the source
    wrote): a NIK or a birth date spelled with escapes, its digits or what stands between them, is found there."""
    return _ANY_ESCAPE.sub(_escape_read, text) if "\\" in text else text


def mask_niks(text: str) -> str:
    """``text`` with every NIK-like value's last 10 digits hidden, for logs and errors (:func:`nik_runs`), and
    every later digit of a NIK written another way (:func:`spread_niks`) hidden too; a birth date written after
    ``lahir`` or ``TTL`` is reduced to its year (:func:`mask_birth_dates`), once the NIKs are (a birth date's pattern
    can take in the first digits of a NIK written in groups: ``TTL 32 01 2019 0590 0001``)."""
    read = as_digits(text)  # (a NIK in superscript or circled digits is one: found in the text read as digits)
    if not _may_hold_read(read):  # (nor 16 digits in a row: every loaded record's locator comes through here)
        return mask_birth_dates(text)
    masked = read
    for match in reversed(list(nik_runs(masked))):
        masked = masked[:match.start() + 6] + "*" * 10 + masked[match.end():]
    for start, end in reversed(list(spread_niks(masked))):
        masked = masked[:start] + _mask_after_six_digits(masked[start:end]) + masked[end:]
    if read is not text:  # (each mask keeps the length: a character no mask touched is the text's own again)
        masked = "".join(own if after == before else after for own, before, after in zip(text, read, masked,
                                                                                         strict=True))
    return mask_birth_dates(masked)


_NUMBER_AT_END = re.compile(r"\d[\d\s./_\-]*$")
_NUMBER_AT_START = re.compile(r"[\s./_\-]{0,2}\d")


def cut(text: str, limit: int, mark: str = "…") -> str:
    """``text`` cut to ``limit`` characters (and ``mark``), where the cut falls inside a number that number left out:
    a NIK the cut went through would keep up to 15 digits, which no test finds afterwards."""
    if len(text) <= limit:
        return text
    head = text[:limit]
    if _NUMBER_AT_START.match(text, limit) and (number := _NUMBER_AT_END.search(head)):
        head = head[:number.start()]
    return head + mark


def shorten(text: str, limit: int, mark: str = "…") -> str:
    """``text`` for a message: :func:`cut`, its NIKs masked first (:func:`mask_niks`)."""
    return text if len(text) <= limit else cut(mask_niks(text), limit, mark)  # (masks keep the length)


def brief(text: str) -> str:
    """A value quoted in a reason or message: its first 40 characters (:func:`shorten`)."""
    return shorten(text, 40, "")


def _mask_after_six_digits(number: str) -> str:
    """``number`` (a :data:`SPREAD` match) with each digit after its first six shown as ``*``, separators kept."""
    seen = 0
    masked = []
    for char in number:
        if char.isdigit():
            seen += 1
            masked.append(char if seen <= VISIBLE_DIGITS else "*")
        else:
            masked.append(char)
    return "".join(masked)


def record_niks(text: str, cells: Sequence[str]) -> list[int | None]:
    """Where one CSV record holds NIK-like values: the index of every cell holding one, or ``[None]`` when no cell
    does but the record's text does (``"3201014501900001"7`` is one 17-digit cell, yet the published bytes hold the
    NIK); ``[]`` when it holds none. The checker and validate's Frictionless engine both decide through this."""
    found: list[int | None] = [index for index, cell in enumerate(cells) if holds_nik(cell)]
    return found or ([None] if holds_nik(text) else [])


#: Characters of a NIK or NKK left visible when masked: the region prefix (province, regency, district).
VISIBLE_DIGITS = 6
#: An identifier in free text: 12 digits or more (NIK/NKK with typos included), of any script (``３２０１…``),
#: also when up to eight spaces, commas, dots, dashes of any kind, slashes, underscores, invisible or blank
#: characters break the run up as people write numbers to read them (``3201 0145 0190 0001``, ``3201.0145…``,
#: ``3201/0145/…``, ``3201,0145,…``, ``3201  –  0145 …``): used to mask a voter's name and address, where masking a
#: number that is none costs nothing. As many as the PII gate reads between a NIK's digits (:data:`SPREAD`), so
#: what the gate would refuse is masked (review BO F5: four spaces were the gate's, not the mask's, and one address
#: stopped the build).
LONG_NUMBER = re.compile(f"\\d(?:[\\s,/_{INVISIBLE}{BLANK}{DASHES}]{{0,8}}\\d){{11,}}")
#: A space, dot or dash between two digits: dropped from a NIK or NKK cell before it is checked or masked.
_BETWEEN_DIGITS = re.compile(r"(?<=[0-9])[ .-](?=[0-9])")
_PREFIX = re.compile(f"[0-9]{{{VISIBLE_DIGITS}}}")


#: A 16-digit number as a spreadsheet or a dataframe writes a float: with a zero fraction (``3174056708850003.0``) or
#: in e-notation with all 16 digits (``3.174056708850003E+15``).
_FLOAT_ID = re.compile(r"([0-9]{16})\.0+|([0-9])\.([0-9]{15})[eE]\+?15")
#: Integers a float holds exactly: a larger one written as a float may have lost its last digit.
_EXACT = 2 ** 53


def normalise_id(value: str) -> str:
    """A NIK or NKK cell as checked and masked: trimmed, without the spaces, dots and dashes between its digits; a
    float's spelling of 16 digits a float holds exactly (:data:`_FLOAT_ID`) is those digits (``…0001.0`` had 17
    digits, and was no duplicate of ``…0001``)."""
    value = value.strip()
    found = _FLOAT_ID.fullmatch(value)
    if found is not None:
        digits = found.group(1) or found.group(2) + found.group(3)
        if int(digits) < _EXACT:
            return digits
    return _BETWEEN_DIGITS.sub("", value)


def mask_id(value: str | None) -> str | None:
    """A NIK or NKK as published: the region prefix kept, every later character hidden (``320105**********``).

    The value is normalised first (:func:`normalise_id`). Only a prefix of 6 ASCII digits is
    kept, and only when at least as much is hidden; anything else is hidden entirely. An
    empty value stays NULL.
    """
    value = normalise_id(value) if value else ""
    if not value:
        return None
    keep = VISIBLE_DIGITS if len(value) >= 2 * VISIBLE_DIGITS and _PREFIX.match(value) else 0
    return value[:keep] + "*" * (len(value) - keep)


_DATE = re.compile(f"\\d{{1,2}}[/.\\s{_DATE_DASHES}]\\d{{1,2}}[/.\\s{_DATE_DASHES}]\\d{{4}}"
                   f"|\\d{{4}}[/.\\s{_DATE_DASHES}]\\d{{1,2}}[/.\\s{_DATE_DASHES}]\\d{{1,2}}")


#: What a hint says in place of a first line that :func:`looks_like_a_record`.
RECORD_NOT_QUOTED = "its first line holds a date or a long number: a record, not a header (not quoted here)"


def looks_like_a_record(cells: Sequence[str]) -> bool:
    """Whether a line read as a header holds a date or an identifier-like number (:data:`LONG_NUMBER`): a record,
    perhaps a voter's, which an error must not quote (column names hold neither)."""
    return any(_DATE.search(cell) or LONG_NUMBER.search(cell) for cell in cells)


def mask_long_numbers(text: str) -> str:
    """``text`` with every identifier-like number (:data:`LONG_NUMBER`) masked like :func:`mask_id`, NIK-like or not."""
    return _sub_read_as_digits(LONG_NUMBER, lambda m: mask_id(m.group()) or "", text)


def mask_numbers_and_dates(text: str) -> str:
    """``text`` with every identifier-like number masked (:func:`mask_long_numbers`) and every whole date reduced to
    its year (:func:`mask_dates`): a free-text field of a voter. A number that holds a date (``05-01-1990,
    5202014501900001`` is one :data:`LONG_NUMBER` run) keeps no prefix, nor the date's year: its first digits would
    be the date's day, month and year (``050119**…``), and what reads as a date inside an identifier's digits may be
    them (``320101 2005 85 00 01``: the "year" 2005 is a birth day and month); every digit of it is hidden."""
    return mask_dates(_sub_read_as_digits(LONG_NUMBER, _masked_run, text))


def _sub_read_as_digits(pattern: re.Pattern[str], replace: Callable[[re.Match[str]], str], text: str) -> str:
    """``pattern.sub(replace, text)`` with the matches found in ``text`` read as digits (:func:`as_digits`): a
    superscript outside them stays as it was."""
    read = as_digits(text)
    if read is text:
        return pattern.sub(replace, text)
    out, last = [], 0
    for match in pattern.finditer(read):
        out += [text[last:match.start()], replace(match)]
        last = match.end()
    return "".join(out) + text[last:]


def _masked_run(match: re.Match[str]) -> str:
    run = match.group()
    if ANY_DATE.search(run) is None:
        return mask_id(run) or ""
    return "".join("*" if char.isalnum() else char for char in run)
