"""Decode JSON as the standard library does, as fast as orjson, refusing an object that names a key twice.

``json.loads`` (and orjson) keep the last value of a repeated key and say nothing, so a Sirekap chart
``{"100025": 5, "100025": 500}`` would load 500. orjson cannot report a repeat, and its parse is the
hot path of a national build (823,378 records), so :func:`loads` checks cheaply and decides exactly
only when the cheap check cannot (see the comment in it).

What the standard library says of a document it refuses becomes a quarantined record's reason, published: it is
made the same on every Python releasekit runs on (:func:`_decode`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import orjson

from ..privacy import shorten


class DuplicateKeyError(ValueError):
    """A JSON object names a key twice: which of its values is meant cannot be told (``json.loads`` keeps the last)."""

    def __init__(self, key: str) -> None:
        super().__init__(f"duplicate JSON key '{shorten(key, 40)}'")
        self.key = key


class Repeats(dict[str, Any]):
    """A decoded JSON object that names a key twice (:func:`loads_marking`): ``key`` is the first one repeated."""

    __slots__ = ("key",)
    key: str


def loads(data: bytes | str) -> Any:
    """``json.loads``, done by orjson where orjson can (about 5× faster on Sirekap records), refusing a key written
    twice in one object.

    Whatever orjson refuses (NaN, ``1E400``, lone surrogates, deep nesting, other encodings…) goes to
    ``json.loads``, so what is accepted and every error are the standard library's (worded as Python 3.11 words
    them, :func:`_decode`), and every value orjson's.

    :raises DuplicateKeyError: an object names a key twice (nothing would say its other values were dropped).
    """
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError:
        return _decode(data, _unique)
    # Compact JSON, as Sirekap writes it, is written back the same by orjson (a line of JSON Lines but for its line
    # end): then each key is there once. Else the colons are counted, at C speed: each key is followed by one colon,
    # and nothing else outside a string is. Without a backslash in ``data`` its strings are as decoded, and orjson
    # writes them back so (it escapes only quotes, backslashes and control characters, none of which such a string
    # holds): the colons of ``data`` and of ``value`` written back are then the same in number, unless a repeated
    # key's colon was dropped. (A backslash: an escape could hide a colon, "\u003a".)
    try:
        dumped = orjson.dumps(value)
    except orjson.JSONEncodeError:  # nested deeper than orjson writes (255): counted one value at a time
        dumped = b""
    if isinstance(data, bytes):
        if dumped and (dumped == data or dumped == data.rstrip(b"\r\n")):
            return value
        if b"\\" not in data and data.count(b":") == _colons(value, dumped):
            return value
    else:
        if dumped and dumped.decode() == data.rstrip("\r\n"):
            return value
        if "\\" not in data and data.count(":") == _colons(value, dumped):
            return value
    _decode(data, _unique, str)  # (the exact check; the value stays orjson's, as ever: no integer made, BJ L4)
    return value


def loads_marking(data: bytes | str) -> Any:
    """``json.loads`` where each object that names a key twice is a :class:`Repeats` (for a document of many
    records, after :func:`loads` raised :class:`DuplicateKeyError`: :func:`repeated_key` tells which records)."""
    return _decode(data, _marking)


#: Python 3.13's words for a comma before ``}`` or ``]``, and what 3.11 and 3.12 say of it (at the next character).
_TRAILING_COMMA = {"Illegal trailing comma before end of object": "Expecting property name enclosed in double quotes",
                   "Illegal trailing comma before end of array": "Expecting value"}
#: orjson's integers: 64 bits, signed or not; past them it reads a float (``1e+25``), as :func:`_integer` does.
_INTEGERS = range(-(2**63), 2**64)


#: The deepest nesting :func:`_decode` reads: well below where Python 3.11's ``json`` runs out of stack (its recursion
#: limit, 1,000, less the caller's depth), which 3.12 and later do not (3.13 reads 20,000 levels), so a deeper
#: document is refused alike on every Python, in these words (review BJ M2). No real record nests beyond 3.
MAX_NESTING = 500
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


def _decode(data: bytes | str, pairs: Callable[[list[tuple[str, Any]]], dict[str, Any]],
            integers: Callable[[str], Any] | None = None) -> Any:
    """``json.loads`` (objects made by ``pairs``, integers by ``integers``, else :func:`_integer`), the same on every
    Python and in every environment: a refusal is worded as Python 3.11 words it (3.13 words a trailing comma its
    own way, at the comma: review BI M1), a document nested deeper than :data:`MAX_NESTING` is refused in releasekit's
    words, and an integer has the value orjson gives it (:func:`_integer`)."""
    _refuse_deep(data)
    try:
        return json.loads(data, object_pairs_hook=pairs, parse_int=integers or _integer)
    except json.JSONDecodeError as e:
        if e.msg not in _TRAILING_COMMA:
            raise
        after = e.pos + 1
        while after < len(e.doc) and e.doc[after] in " \t\n\r":  # (JSON's whitespace, which 3.11 skips first)
            after += 1
        raise json.JSONDecodeError(_TRAILING_COMMA[e.msg], e.doc, after) from None


def _refuse_deep(data: bytes | str) -> None:
    """Raise ``json.JSONDecodeError`` where ``data`` opens more than :data:`MAX_NESTING` arrays and objects at once
    (counted outside strings; only read through when it holds that many brackets at all)."""
    opened = data.count(b"[") + data.count(b"{") if isinstance(data, bytes) else data.count("[") + data.count("{")
    if opened <= MAX_NESTING:  # (counted in the bytes: no text is made of every record checked)
        return
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    depth = 0
    for token in _TOKENS.finditer(text):
        bracket = token.group()
        if bracket in "[{":
            depth += 1
            if depth > MAX_NESTING:
                raise json.JSONDecodeError(f"Nested deeper than {MAX_NESTING} arrays and objects", text,
                                           token.start())
        elif bracket in "]}":
            depth -= 1


def _integer(text: str) -> int | float:
    """An integer of a JSON document as orjson reads it: beyond 64 bits a float. Never an ``int`` of more digits than
    Python converts (``PYTHONINTMAXSTRDIGITS``, at least 640, decided whether a long number was a value or a refusal
    of the document, reason and all: review BI M1)."""
    if len(text) <= 21:  # (a sign and 20 digits: 2**64 - 1 has 20)
        value = int(text)
        if value in _INTEGERS:
            return value
    return float(text)


def repeated_key(value: object) -> str | None:
    """The first key repeated in an object of ``value`` read by :func:`loads_marking` (None: no key repeated)."""
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, Repeats):
            return node.key
        if isinstance(node, dict):
            stack.extend(reversed(node.values()))
        elif isinstance(node, list):
            stack.extend(reversed(node))
    return None


def _colons(value: object, dumped: bytes) -> int:
    """The colons of ``value`` written as JSON (``dumped``, empty when orjson could not write it): one per key, and
    those in its strings."""
    if dumped:
        return dumped.count(b":")
    count, stack = 0, [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            count += len(node) + sum(key.count(":") for key in node)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, str):
            count += node.count(":")
    return count


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) < len(pairs):
        raise DuplicateKeyError(_first_repeat(pairs))
    return obj


def _marking(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) < len(pairs):
        marked = Repeats(obj)
        marked.key = _first_repeat(pairs)
        return marked
    return obj


def _first_repeat(pairs: list[tuple[str, Any]]) -> str:
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            return key
        seen.add(key)
    raise AssertionError("no key repeated")
