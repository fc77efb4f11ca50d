"""Decode JSON as the standard library does, as fast as orjson, refusing an object that names a key twice.

``json.loads`` (and orjson) keep the last value of a repeated key and say nothing, so a Sirekap chart
``{"100025": 5, "100025": 500}`` would load 500. orjson cannot report a repeat, and its parse is the
hot path of a national build (823,378 records), so :func:`loads` checks cheaply and decides exactly
only when the cheap check cannot (see the comment in it).
"""

from __future__ import annotations

import json
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
    ``json.loads``, so what is accepted, the values and every error are exactly the standard library's.

    :raises DuplicateKeyError: an object names a key twice (nothing would say its other values were dropped).
    """
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError:
        return json.loads(data, object_pairs_hook=_unique)
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
    json.loads(data, object_pairs_hook=_unique)  # (the exact check; the value stays orjson's, as ever)
    return value


def loads_marking(data: bytes | str) -> Any:
    """``json.loads`` where each object that names a key twice is a :class:`Repeats` (for a document of many
    records, after :func:`loads` raised :class:`DuplicateKeyError`: :func:`repeated_key` tells which records)."""
    return json.loads(data, object_pairs_hook=_marking)


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
