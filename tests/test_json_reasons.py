"""A record's JSON refused is quarantined with a reason that is published: it is the same on every Python and in every
environment (review BI M1: Python 3.13 words a trailing comma its own way, and ``PYTHONINTMAXSTRDIGITS`` decided
whether a long number was a value or a refusal, so the packages differed). Each test failed on the code before."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from conftest import read
from releasekit.elections import CATALOGUE
from releasekit.readers import Rejected, jsontext

PPWP = CATALOGUE["ppwp-2024"]
#: Documents with a comma before their end, and what Python 3.11 and 3.12 say of them (3.13 says "Illegal trailing
#: comma before end of object" or "array", at the comma, one or more characters before).
TRAILING = {
    '{"a":1,}': "Expecting property name enclosed in double quotes: line 1 column 8 (char 7)",
    "[1,2,]": "Expecting value: line 1 column 6 (char 5)",
    '{"a":1 , \n }': "Expecting property name enclosed in double quotes: line 2 column 2 (char 11)",
    "[1,\t]": "Expecting value: line 1 column 5 (char 4)",
    '{"a":[1,],"b":2}': "Expecting value: line 1 column 9 (char 8)",
    '{"a":{"b":1,},}': "Expecting property name enclosed in double quotes: line 1 column 13 (char 12)",
}


@pytest.mark.parametrize("doc", TRAILING)
def test_a_trailing_comma_is_worded_as_python_3_11_words_it(doc: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(json.JSONDecodeError) as on_this_python:
        jsontext.loads(doc)
    assert str(on_this_python.value) == TRAILING[doc]
    # As Python 3.13 refuses it (on any Python): at the first comma followed by nothing but whitespace and } or ].
    comma = next(i for i, c in enumerate(doc) if c == "," and doc[i + 1:].lstrip(" \t\n\r")[:1] in ("}", "]"))
    kind = "object" if doc[comma + 1:].lstrip(" \t\n\r")[0] == "}" else "array"
    real = json.loads

    def as_313(text: str | bytes, **kwargs: object) -> object:
        with pytest.raises(json.JSONDecodeError):
            real(text, **kwargs)  # type: ignore[arg-type]
        raise json.JSONDecodeError(f"Illegal trailing comma before end of {kind}", str(text), comma)

    monkeypatch.setattr(json, "loads", as_313)
    with pytest.raises(json.JSONDecodeError) as as_on_313:
        jsontext.loads(doc)
    assert str(as_on_313.value) == TRAILING[doc]


@pytest.mark.parametrize("limit", [0, 640, 4300, 10_000])
def test_a_long_number_reads_the_same_whatever_the_digit_limit(limit: int, tmp_path: Path) -> None:
    """A number of 1,000 or 5,000 digits is beyond 64 bits whatever ``sys.set_int_max_str_digits`` (what
    ``PYTHONINTMAXSTRDIGITS`` sets) says: before, the default limit made the second 'invalid JSON: Exceeds the limit
    (4300 digits) …', 640 both, 0 neither."""
    lines = [{"kode_tps": f"310101100100{n}", "chart": {"100025": "DIGITS", "100026": 88}, "administrasi": None}
             for n in (1, 2)]
    text = "".join(json.dumps(line).replace('"DIGITS"', "9" * digits) + "\n"
                   for line, digits in zip(lines, (1_000, 5_000), strict=True))
    path = tmp_path / "t.jsonl"
    path.write_text(text)
    before = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(limit)
    try:
        records = read("sirekap-tps-json", path, PPWP)
    finally:
        sys.set_int_max_str_digits(before)
    reasons = [r.reason for r in records if isinstance(r, Rejected)]
    assert reasons == ["chart.100025: expected an integer or null, got a number beyond 64 bits"] * 2


def test_numbers_read_by_the_standard_library_are_orjsons_values() -> None:
    """Where orjson gives way to ``json`` (a NaN elsewhere in the document), an integer keeps orjson's value: 64 bits,
    signed or not, an int; beyond, a float."""
    value = jsontext.loads('[NaN, 18446744073709551615, -9223372036854775808, 18446744073709551616, 5]')
    assert value[1:] == [2**64 - 1, -(2**63), float(2**64), 5]
    assert [type(v) for v in value[1:]] == [int, int, float, int]


@pytest.mark.parametrize("depth", [1_500, 20_000])
def test_a_record_nested_too_deep_is_refused_alike_on_every_python(depth: int, tmp_path: Path) -> None:
    """Review BJ M2: past orjson's 1,024 levels, Python 3.11's ``json`` ran out of stack ("maximum recursion depth
    exceeded", at a depth that also depended on the caller's) where 3.13 read the record and its reader gave
    another reason: one reason now, on every Python, from the 501st level."""
    chart = "[" * depth + "]" * depth
    path = tmp_path / "t.jsonl"
    path.write_text(f'{{"kode_tps": "3101011001001", "chart": {chart}, "administrasi": null}}\n')
    (record,) = read("sirekap-tps-json", path, PPWP)
    assert isinstance(record, Rejected)
    at = len('{"kode_tps": "3101011001001", "chart": ') + 499  # (the record's object is the first level)
    assert record.reason == (f"invalid JSON: Nested deeper than 500 arrays and objects: line 1 column {at + 1} "
                             f"(char {at})")


def test_nesting_is_counted_outside_strings_and_only_as_deep_as_it_goes() -> None:
    assert jsontext.loads('[NaN, "' + "[" * 600 + '"]')[1] == "[" * 600  # (brackets in a string: no nesting)
    shallow = "[" + ", ".join(["[[1]]"] * 400) + ", NaN]"  # (1,201 brackets, 3 deep)
    assert len(jsontext.loads(shallow)) == 401
    deep = "[" * 499 + "NaN" + "]" * 499  # (orjson refuses the NaN: json reads 499 levels on every Python)
    value = jsontext.loads(deep)
    for _ in range(498):
        value = value[0]
    assert value[0] != value[0]  # (NaN)
