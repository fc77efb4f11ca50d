"""Table Schema fields compiled: parts of the block expression, and the exact checks Frictionless makes."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..keycheck import key_cells, key_text

#: A character of a cell outside quotes.
PLAIN = r'[^,"\r\n]'


class _Invalid(Exception):
    """A cell its field's type cannot read."""


def _int(text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise _Invalid from None


def _num(text: str) -> Decimal:
    try:  # (a Decimal, as Frictionless reads a number: 2.0 equals 2, and 0.1 is 0.1)
        value = Decimal(text.strip())
    except ArithmeticError:
        raise _Invalid from None
    return Decimal("NaN") if value.is_snan() else value  # (a signalling NaN raises when compared)


#: The exponents a number's canonical text writes out in full (``1e3`` is ``1000``); beyond them it keeps one.
_WRITTEN_OUT = range(-64, 65)


def number_text(value: Decimal) -> str:
    """A number's canonical text, as keys compare it (``2.0``, ``2.00`` and ``2`` are one key; so are ``-0`` and
    ``0``): no trailing zero, no point without a fraction, no exponent unless a large one (``1E+999999999``); every
    digit kept (a context's precision would round)."""
    if not value.is_finite():
        return str(value)
    sign, digits, written = value.as_tuple()
    kept, exponent = list(digits), int(written)  # (an int: the value is finite)
    while len(kept) > 1 and kept[-1] == 0:
        kept.pop()
        exponent += 1
    if kept == [0]:
        return "0"
    exact = Decimal((sign, tuple(kept), exponent))
    if exponent in _WRITTEN_OUT:
        return format(exact, "f")
    return str(exact)


def key_text_of(value: Any, text: str) -> str:
    """The text a key compares for a cell's value (read from ``text``): each type's canonical form; "" for none (a
    missing cell, or one its type cannot read)."""
    if value is None:
        return ""
    if type(value) is bool:
        return "true" if value else "false"
    if type(value) is int:
        return str(value)
    if isinstance(value, Decimal):
        return number_text(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return text


#: The key text of a NaN number (:func:`number_text`): a value equal to nothing, itself included, so a key holding
#: one repeats no other and no foreign key finds it, as Frictionless compares the values it reads (Python's ``==``).
NAN_TEXTS = frozenset({"NaN", "-NaN"})
#: Types whose values a key compares as one kind (the integer 2 is the number 2.0). Every other type the checker
#: reads is a kind of its own: a string is never a number or a date.
_KINDS = {"integer": "number", "number": "number"}
#: A boolean key cell as a number's key text, and back (``True == 1`` in Python, so Frictionless matches them).
_BOOLEAN_AS_NUMBER = {"true": "1", "false": "0"}
_NUMBER_AS_BOOLEAN = {v: k for k, v in _BOOLEAN_AS_NUMBER.items()}


def key_translation(source: Sequence[str], target: Sequence[str]) -> Callable[[str], str | None] | None:
    """How a foreign key's cells of field types ``source`` are looked up among keys of field types ``target``: None
    when their key texts compare as they are (the same kind of value, :data:`_KINDS`); else a function from a source
    key text to the target key text it equals, None when it equals none (a string is never a number; a boolean is
    1 or 0 to a number). A missing cell stays missing."""
    cells: list[Callable[[str], str | None] | None] = []
    for s, t in zip(source, target, strict=True):
        kinds = (_KINDS.get(s, s), _KINDS.get(t, t))
        if kinds[0] == kinds[1]:
            cells.append(None)
        elif kinds == ("boolean", "number"):
            cells.append(_BOOLEAN_AS_NUMBER.get)
        elif kinds == ("number", "boolean"):
            cells.append(_NUMBER_AS_BOOLEAN.get)
        else:
            cells.append(lambda text: None)
    if all(cell is None for cell in cells):
        return None

    def translate(key: str) -> str | None:
        out = []
        for text, cell in zip(key_cells(key), cells, strict=True):
            found = text if cell is None or text == "" else cell(text)
            if found is None:
                return None
            out.append(found)
        return key_text(out)

    return translate


def _date(text: str) -> datetime.date:
    try:
        return datetime.datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        raise _Invalid from None


def _embeddable(pattern: str) -> str | None:
    """The pattern as a part of the line expression, or None when it might match across cells."""
    core = pattern.removeprefix("^").removesuffix("$")
    if any(token in core for token in (".", "\\S", "\\W", "\\D", "\\s", "[^", "\\(", ",", '"', "^", "$", "\\n")):
        return None
    core = re.sub(r"\((?!\?)", "(?:", core)
    try:
        return core if re.compile(core).groups == 0 else None
    except re.error:
        return None


@dataclass
class FieldRule:
    """One schema field, compiled: its parts of the line expressions and its exact (slow-path) checks.

    ``fast`` accepts only valid cells in canonical form (equal text means equal value), as keys
    need; ``loose`` accepts any cell it can tell is valid without Python (``007`` for an
    integer), which is all a cell outside every key needs and is cheaper to match.
    """

    name: str
    number: int
    type: str
    cast: Callable[[str], Any]
    required: bool = False
    pattern: re.Pattern[str] | None = None
    pattern_text: str | None = None
    enum: list[Any] | None = None
    minimum: Any = None
    #: The constraints as the descriptor writes them (messages quote them so, as Frictionless does).
    enum_text: Any = None
    minimum_text: Any = None
    unique: bool = False
    fast: str = ""
    loose: str = ""
    core: re.Pattern[str] | None = None
    needs_python: bool = False

    def check(self, text: str) -> tuple[Any, tuple[tuple[str, str], ...]]:
        """Cast one cell (missing = empty) and check its constraints: ``(value, ((error type, note), …))``, every
        constraint it breaks in Frictionless's order (``minimum`` or ``pattern`` before ``enum``)."""
        if text == "":
            return None, (("constraint-error", 'constraint "required" is "True"'),) if self.required else ()
        try:
            value = self.cast(text)
        except _Invalid:
            return None, (("type-error", f'type is "{self.type}/default"'),)
        errors = []
        if self.pattern is not None and not self.pattern.match(str(value)):
            errors.append(("constraint-error", f'constraint "pattern" is "{self.pattern_text}"'))
        if self.minimum is not None and (value != value or value < self.minimum):  # (NaN is below any minimum)
            errors.append(("constraint-error", f'constraint "minimum" is "{self.minimum_text}"'))
        if self.enum is not None and value not in self.enum:
            errors.append(("constraint-error", f'constraint "enum" is "{self.enum_text}"'))
        return value, tuple(errors)

    def read_constraint(self, value: Any) -> Any:
        """An ``enum`` or ``minimum`` value read as the field reads a cell, as Frictionless does (``"1"`` is the
        integer 1 in an integer field's enum); None when the field cannot read it."""
        if isinstance(value, str):
            try:
                return self.cast(value)
            except _Invalid:
                return None
        if self.type == "integer" and type(value) is int:
            return value
        if self.type == "integer" and type(value) is float and value.is_integer():
            return int(value)
        if self.type == "number" and type(value) in (int, float):
            return Decimal(str(value))
        if self.type == "boolean" and type(value) is bool:
            return value
        return None


def _loose_integer(rule: FieldRule) -> str | None:
    """Digits for an integer outside keys (``int()`` takes leading zeros); None when only canonical text will do."""
    if rule.enum is not None or rule.pattern is not None or rule.minimum not in (None, 0):
        return None
    if rule.minimum == 0:
        return "[0-9]++" if rule.required else "[0-9]*+"
    return "-?+[0-9]++" if rule.required else "(?:[0-9]*+|-[0-9]++)"


def _integer_enum(rule: FieldRule) -> list[str] | None:
    """The canonical texts of an integer field's enum values that pass its minimum (longest first), or None when
    the line expression cannot decide the field alone (a pattern, an enum value that is no integer, none left)."""
    if rule.enum is None or rule.pattern is not None or not all(type(v) is int for v in rule.enum) or (
            rule.minimum is not None and type(rule.minimum) is not int):
        return None
    texts = {str(v) for v in rule.enum if rule.minimum is None or v >= rule.minimum}
    return sorted(texts, key=lambda t: (-len(t), t)) or None


def compile_field(descriptor: dict[str, Any], number: int) -> FieldRule:
    """Compile a Table Schema field descriptor."""
    kind = descriptor.get("type", "string")
    cons = descriptor.get("constraints", {})
    rule = FieldRule(descriptor["name"], number, kind, str, required=bool(cons.get("required")),
                     unique=bool(cons.get("unique")))
    if "pattern" in cons:
        rule.pattern_text, rule.pattern = cons["pattern"], re.compile(f"^{cons['pattern']}$")
    if "enum" in cons:
        rule.enum_text = rule.enum = list(cons["enum"])
    if "minimum" in cons:
        rule.minimum_text = rule.minimum = cons["minimum"]
    loose = None
    if kind == "integer":
        rule.cast = _int
        _read_constraints(rule)
        rule.fast = {0: "0|[1-9][0-9]*", 1: "[1-9][0-9]*", None: "0|-?[1-9][0-9]*"}.get(rule.minimum, "")
        rule.needs_python = not rule.fast or rule.enum is not None or rule.pattern is not None
        allowed = _integer_enum(rule)
        if allowed:  # a few numbers (wilayah.tingkat 1-4): their canonical texts, no Python per row
            rule.fast, rule.needs_python = "|".join(allowed), False
        loose = _loose_integer(rule)
    elif kind == "number":  # (fast: canonical text alone, number_text's; loose: any plain decimal)
        rule.cast, rule.fast = _num, r"-?(?:[1-9][0-9]*+(?:\.[0-9]*[1-9])?|0\.[0-9]*[1-9])|0"
        _read_constraints(rule)
        rule.needs_python = rule.minimum is not None or rule.enum is not None or rule.pattern is not None
        loose = None if rule.needs_python else cell_expression(r"-?[0-9]++(?:\.[0-9]++)?", rule.required)
    elif kind == "boolean":
        mapping = {**{v: True for v in descriptor.get("trueValues", ["true", "True", "TRUE", "1"])},
                   **{v: False for v in descriptor.get("falseValues", ["false", "False", "FALSE", "0"])}}

        def boolean(text: str) -> bool:
            if text not in mapping:
                raise _Invalid
            return mapping[text]

        rule.cast = boolean
        _read_constraints(rule)
        rule.needs_python = rule.enum is not None or rule.pattern is not None
        loose = cell_expression("|".join(re.escape(v) for v in sorted(mapping, key=len, reverse=True) if v),
                                 rule.required)
        # A key's cell in its canonical text alone (key_text_of: true, false): TRUE or 1 is the same key, read exactly.
        rule.fast = "|".join(v for v in ("false", "true") if str(mapping.get(v)).lower() == v) or "(?!)"
    elif kind == "string" and descriptor.get("format", "default") == "default":
        embedded = _embeddable(rule.pattern_text) if rule.pattern_text else None
        if rule.enum is not None and rule.pattern is None:
            rule.fast = "|".join(re.escape(str(v)) for v in sorted(rule.enum, key=len, reverse=True) if v)
        elif embedded is not None and rule.enum is None:
            rule.fast = embedded
        else:
            rule.fast, rule.needs_python = PLAIN + "++", rule.pattern is not None or rule.enum is not None
            loose = PLAIN + ("++" if rule.required else "*+")
    else:  # dates and other types are always checked exactly (a key's date in its canonical form: 2024-02-04)
        rule.cast = _date if kind == "date" else str
        _read_constraints(rule)
        rule.fast, rule.needs_python = "[0-9]{4}-[0-9]{2}-[0-9]{2}" if kind == "date" else PLAIN + "+", True
        loose = PLAIN + ("+" if rule.required else "*")
    rule.core = re.compile(rule.fast)
    rule.fast = cell_expression(rule.fast, rule.required)
    rule.loose = loose or rule.fast
    return rule


def cell_expression(expression: str, required: bool) -> str:
    """A cell's expression: ``expression``, or nothing at all where the field may be missing."""
    return f"(?:{expression})" if required else f"(?:{expression})?"


def _read_constraints(rule: FieldRule) -> None:
    if rule.enum is not None:
        rule.enum = [rule.read_constraint(value) for value in rule.enum]
    if rule.minimum is not None:  # (one the field cannot read, 0.5 for an integer, is compared as written)
        read = rule.read_constraint(rule.minimum)
        rule.minimum = rule.minimum if read is None else read


@dataclass
class ResourceCheck:
    """The compiled checks of one CSV resource."""

    name: str
    path: Path
    fields: list[FieldRule]
    primary_key: tuple[int, ...]
    foreign_keys: list[dict[str, Any]]
    #: The labels the header must have: every field of the schema (:attr:`fields` may be only the first of them).
    labels: tuple[str, ...]
    #: Each foreign key's lookup of its keys in its target's (:func:`key_translation`), in :attr:`foreign_keys` order.
    translations: tuple[Callable[[str], str | None] | None, ...]

    def __post_init__(self) -> None:
        self.python_fields = [f for f in self.fields if f.needs_python]
        self.index = {f.name: f.number - 1 for f in self.fields}

    def exact(self, cells: Sequence[str]) -> bool:
        """Whether the fields the line expression cannot decide pass their exact checks (else: the slow path)."""
        return all(not f.check(cells[f.number - 1])[1] for f in self.python_fields)
