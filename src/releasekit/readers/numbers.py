"""Counts as exports write them: ``1.234``, ``1,234``, ``(472.00)``, ``-``, ``5 (0.00)``.

Indonesian spreadsheets write thousands with a dot (``112.679`` is 112,679),
English-locale ones with a comma; accounting exports put negatives in
parentheses and zero as a dash; some cells carry a count and its percentage
together. A source declares its style (``numbers:`` in ``metadata.yml``) and
every cell is read strictly in it: a cell that does not fit is an error for the
record, never a guess, so ``1.5`` in a dot-thousands file is refused rather
than read as 15.

An empty cell is a missing value (None, stored as NULL), never 0.
"""

from __future__ import annotations

import math
import re

from ..privacy import contains_nik, shorten
from .base import INT64

#: The largest count loaded. A TPS has a few hundred voters and the country about 200 million, so a count this
#: large is a broken cell, and 823,378 TPS of counts below it sum to less than 16 digits: no total, delta or
#: finding derived from counts can look like a NIK (and refuse the whole build at the gate).
COUNT_LIMIT = 10**9
#: Why a count that is NIK-like is not loaded (personal data: its record's raw text is withheld).
NIK_NUMBER = "a number is NIK-like (16 digits), which is never published"


def no_count(number: int) -> str | None:
    """Why ``number`` is no count to load (None when it is one): beyond 64 bits, NIK-like, or :data:`COUNT_LIMIT` or
    more. A reader that sums rows into an area asks it of each row's figures, so a broken cell sets its row aside,
    not its whole area (the loader's last guard, ``ingest.unstorable``, sees only the sums)."""
    if -COUNT_LIMIT < number < COUNT_LIMIT:
        return None
    if not -INT64 <= number < INT64:
        return f"the number {str(number)[:30]} does not fit a 64-bit integer"
    if contains_nik(str(number)):
        return NIK_NUMBER
    return (f"a number of {len(str(abs(number)))} digits is no count (a count is below {COUNT_LIMIT:,}); sums of "
            "such numbers could look like a NIK")

#: The number styles a source can declare.
STYLES = ("plain", "dot", "comma", "accounting", "count-percent")

_SIGN = r"(?P<sign>[+-])?"
_PATTERNS = {
    "plain": re.compile(_SIGN + r"(?P<digits>[0-9]+)"),
    "dot": re.compile(_SIGN + r"(?P<digits>[0-9]{1,3}(?:\.[0-9]{3})+|[0-9]+)(?:,0+)?"),
    "comma": re.compile(_SIGN + r"(?P<digits>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.0+)?"),
    "accounting": re.compile(
        _SIGN + r"(?P<open>\()?\s*(?P<digits>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.0+)?\s*(?P<close>\))?"),
    "count-percent": re.compile(_SIGN + r"(?P<digits>[0-9]+)(?:\s*\(\s*[0-9]+(?:[.,][0-9]+)?\s*%?\s*\))?"),
}
_DASH = re.compile(r"-+")
_POINT = r"(?P<whole>[0-9]+)(?:\.(?P<fraction>[0-9]+))?"
_DECIMALS = {
    "plain": re.compile(_SIGN + _POINT),
    "dot": re.compile(_SIGN + r"(?P<whole>[0-9]{1,3}(?:\.[0-9]{3})+|[0-9]+)(?:,(?P<fraction>[0-9]+))?"),
    "comma": re.compile(_SIGN + r"(?P<whole>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.(?P<fraction>[0-9]+))?"),
    "count-percent": re.compile(_SIGN + _POINT),
}
_DECIMALS["accounting"] = _DECIMALS["comma"]
_DECIMAL_EXAMPLES = {"plain": "78.83", "dot": "1.234,56", "comma": "1,234.56", "accounting": "1,234.56",
                     "count-percent": "78.83"}
_EXAMPLES = {"plain": "1234", "dot": "1.234", "comma": "1,234", "accounting": "(1,234.00)",
             "count-percent": "1234 (0.56)"}


def parse_count(text: str, style: str = "plain") -> int | None:
    """A whole number written in ``style``, or None for an empty cell.

    :raises ValueError: the cell is not a whole number in that style, or does not fit 64 bits.
    """
    if text.isascii() and text.isdigit() and len(text) < 19:  # the common case, in every style
        return int(text)
    cell = text.strip().replace("\u00a0", "")
    if not cell:
        return None
    pattern = _PATTERNS[style]
    match = pattern.fullmatch(cell)
    if match is None:
        if style == "accounting" and _DASH.fullmatch(cell):
            return 0
        raise ValueError(f"'{_short(cell)}' is not a whole number in {style} style (like {_EXAMPLES[style]})")
    if style == "accounting" and bool(match.group("open")) != bool(match.group("close")):
        raise ValueError(f"'{_short(cell)}' has an unbalanced parenthesis")
    digits = match.group("digits").replace(".", "").replace(",", "") if style in ("dot", "comma", "accounting") \
        else match.group("digits")
    if len(digits) > 19:
        raise ValueError(f"'{_short(cell)}' is too large for a count")
    value = int(digits)
    negative = match.group("sign") == "-" or (style == "accounting" and match.group("open") is not None)
    value = -value if negative else value
    if not -INT64 <= value < INT64:
        raise ValueError(f"'{_short(cell)}' is too large for a count")
    return value


def parse_decimal(text: str, style: str = "plain") -> float | None:
    """A decimal number (a percentage such as ``78,83``) for a source written in ``style``, or None when empty.

    The style names the thousands separator, as for counts: ``dot`` sources write the decimal mark as a comma
    (``1.234,5``), every other style as a dot (``comma`` and ``accounting``: ``1,234.5``). Read strictly:
    thousands groups must have three digits, so ``78.5`` in a dot source and ``1,5`` in a comma source are
    refused, never read as 785 or 15.

    :raises ValueError: the cell is not a decimal number in that style.
    """
    cell = text.strip().replace("\u00a0", "").removesuffix("%").rstrip()
    if not cell:
        return None
    match = _DECIMALS[style].fullmatch(cell)
    if match is None:
        raise ValueError(f"'{_short(text.strip())}' is not a decimal number in {style} style (like "
                         f"{_DECIMAL_EXAMPLES[style]})")
    whole = match.group("whole").replace("," if style in ("comma", "accounting") else ".", "")
    value = float(f"{match.group('sign') or ''}{whole}.{match.group('fraction') or '0'}")
    if not math.isfinite(value):
        raise ValueError(f"'{_short(text.strip())}' is too large for a number")
    return value


#: A true/false cell's spellings, in any case (``On``: "Status Progress" on Sirekap's published pages, review BD D5).
TRUE = frozenset({"1", "true", "t", "yes", "y", "ya", "on"})
FALSE = frozenset({"0", "false", "f", "no", "n", "tidak", "off"})


def parse_flag(text: str) -> bool | None:
    """A true/false cell (``1``/``0``, ``true``/``false``, ``ya``/``tidak``, ``on``/``off`` …), or None when empty."""
    cell = text.strip().lower()
    if not cell:
        return None
    if cell in TRUE:
        return True
    if cell in FALSE:
        return False
    raise ValueError(f"'{_short(text.strip())}' is not true or false")


def _short(text: str) -> str:
    return shorten(text, 40)
