"""Reading ``metadata.yml``: YAML without surprises, checked against its JSON Schema, one clear message per file.

A file that is not valid YAML, that repeats a key, whose aliases would blow up, that holds text
which cannot be published (a control character, half a character pair, a NIK-like number), or
that does not match ``schemas/metadata.schema.json`` is refused with the key path and a hint::

    metadata.yml: registers/0/status: 'opne' is not one of ['open', ...]

:mod:`releasekit.config` turns what passes into the frozen dataclasses the rest of releasekit
works on.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date, datetime
from importlib import resources
from typing import Any

import jsonschema
import yaml

from .errors import ConfigError, did_you_mean
from .privacy import holds_nik
from .readers.base import runs_as_formula

METADATA_FILE = "metadata.yml"
#: What names a release given as a mapping in messages (:func:`~releasekit.config.release_from`), in place of its
#: YAML file's path.
IN_MEMORY = "metadata (given in memory)"


def file_of(label: str) -> str | None:
    """The file a message's ``label`` names, for :attr:`ReleasekitError.path`: None for a mapping in memory."""
    return None if label == IN_MEMORY else label


class _StringDatesLoader(yaml.SafeLoader):
    """A YAML loader that keeps ``2024-02-26`` a string, as the schema expects, and refuses a repeated key."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        lines: dict[Any, int] = {}  # key -> the line it is first given on
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                continue  # a '<<' merge may override on purpose
            key = self.construct_object(key_node)
            if key in lines:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key '{key}' (first on line {lines[key]})", key_node.start_mark)
            lines[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep)


_StringDatesLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def metadata_schema() -> dict[str, Any]:
    """The JSON Schema that ``metadata.yml`` must match (shipped as package data)."""
    text = resources.files("releasekit").joinpath("schemas/metadata.schema.json").read_text()
    schema: dict[str, Any] = json.loads(text)
    return schema


#: Checks of the schema's ``format`` keywords: real calendar dates and times, not just their shape
#: (the ``pattern`` beside each checks the shape; ``uri`` is left to its ``^https?://`` pattern).
FORMATS = jsonschema.FormatChecker(formats=())


def _pattern(validator: Any, pattern: str, instance: object, schema: dict[str, Any]) -> Iterator[Any]:
    """The ``pattern`` keyword as JSON Schema reads it (ECMA-262): a final ``$`` is the end of the text, where Python's
    also matches before a last line break (a sha256 written as a ``|`` block keeps one: refused as another hash;
    a slug ``"rc\\n"`` named a folder with a line break)."""
    if isinstance(instance, str) and not re.search(_ecma(pattern), instance):
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


def _ecma(pattern: str) -> str:
    """``pattern`` for Python's ``re`` as ECMA-262 reads it: its final ``$`` the end of the text (``\\Z``)."""
    return pattern[:-1] + r"\Z" if pattern.endswith("$") and not pattern.endswith("\\$") else pattern


#: Draft 2020-12 with :func:`_pattern`.
Validator = jsonschema.validators.extend(jsonschema.Draft202012Validator, {"pattern": _pattern})


def _real_date_text(text: str) -> bool:
    """Whether ``text`` is a real ``YYYY-MM-DD`` day (not 2024-02-30)."""
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _real_date(value: object) -> bool:
    return not isinstance(value, str) or bool(date.fromisoformat(value))


def _real_date_or_time(value: object) -> bool:
    return not isinstance(value, str) or bool(datetime.fromisoformat(value))


FORMATS.checks("date", raises=ValueError)(_real_date)
FORMATS.checks("iso8601", raises=ValueError)(_real_date_or_time)


_FORMAT_HINTS = {
    "date": "give a real date: YYYY-MM-DD",
    "iso8601": "give a real ISO 8601 date or date-time, e.g. 2024-03-17 or 2024-03-17T23:28:00+07:00",
    "uri": "give an http(s) URL",
}
_README_SECTION = "see 'Pointing metadata.yml at real exports' in the README"


def _scalar_node(text: str, path: list[str | int]) -> yaml.Node | None:
    """The YAML node of the value at ``path``."""
    node: yaml.Node | None = yaml.compose(text, Loader=_StringDatesLoader)  # noqa: S506 - SafeLoader subclass
    for key in path:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if k.value == str(key)), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
        else:
            return None
    return node


def _scalar_text(text: str, path: list[str | int]) -> str | None:
    """The text of the unquoted YAML scalar at ``path``, as written (``010``, not the octal 8 YAML reads)."""
    node = _scalar_node(text, path)
    return node.value if isinstance(node, yaml.ScalarNode) and node.style is None else None


def _indicator(text: str, path: list[str | int]) -> str | None:
    """The YAML indicator written unquoted as the value at ``path``, which YAML reads as no text (``delimiter: |``
    starts a block of text, empty here; ``comment: #`` a comment, leaving null), or None."""
    node = _scalar_node(text, path)
    if not isinstance(node, yaml.ScalarNode) or node.value or node.start_mark is None:
        return None
    if node.style in ("|", ">"):
        return node.style
    rest = text.splitlines()[node.start_mark.line][node.start_mark.column:] if text else ""
    return "#" if rest.strip() == "#" else None  # (a '#' alone: 'title:  # fill in later' is a comment)


def _misspelt(error: jsonschema.ValidationError) -> tuple[str | None, str | None]:
    """(the key a ``required`` error names as missing, a key beside it that looks like it misspelt, or None)."""
    known = error.schema.get("properties", {})
    strays = [str(k) for k in error.instance if k not in known]  # (``required`` applies to mappings only)
    # jsonschema reports each missing key in an error of its own: the one this error names.
    missing = next((str(k) for k in error.validator_value if k not in error.instance
                    and error.message.startswith(f"{k!r} ")), None)
    return missing, next((s for s in strays if did_you_mean(s, [missing])), None) if missing else None


def _said_already(error: jsonschema.ValidationError, first: jsonschema.ValidationError) -> bool:
    """Whether ``error`` is the unexpected key the ``first`` error already names as a misspelt required one."""
    if first.validator != "required" or error.validator != "additionalProperties" \
            or error.absolute_path != first.absolute_path:
        return False
    known = error.schema.get("properties", {})
    return [str(k) for k in error.instance if k not in known] == [_misspelt(first)[1]]


def _schema_error(error: jsonschema.ValidationError, text: str = "") -> tuple[str, str, str | None]:
    """The message (led by the key path), the hint and the key path (None: the top level) of a schema error."""
    if error.validator in ("oneOf", "anyOf") and error.context:
        # Report the alternative that came closest: the deepest error, one of the right type first.
        closest = max(error.context, key=lambda e: (len(e.absolute_path), e.validator != "type"))
        return _schema_error(closest, text)
    place = "/".join(str(p) for p in error.absolute_path)
    path = place or "(top level)"
    message = error.message
    hint = _FORMAT_HINTS.get(str(error.schema.get("format")), _README_SECTION)
    indicator = _indicator(text, list(error.absolute_path)) if error.instance in ("", None) else None
    if indicator is not None:
        what = "a comment" if indicator == "#" else "a block of text"
        hint = f"quote it: '{indicator}'; YAML reads {indicator} unquoted as the start of {what}"
    elif error.validator == "format":
        what = "date" if error.validator_value == "date" else "date or date-time"
        message = f"{error.instance!r} is not a real {what}"
        message += f" ({error.cause})" if error.cause else ""
    elif error.validator == "type" and "propertyNames" in error.schema_path:  # (a key: YAML read 1, yes or ~)
        kind = {bool: "true or false", int: "a number", float: "a number", type(None): "null"}.get(
            type(error.instance), type(error.instance).__name__)
        message = f"the key {json.dumps(error.instance)} is not a text: YAML reads it as {kind}"
        hint = "write the rule's slug, such as votes-sum-mismatch"
    elif error.validator == "type" and error.instance is None and error.validator_value in ("array", "object"):
        # A key left with nothing under it: a register's last source deleted, 'sources:' kept (review BT L5).
        key = str(error.absolute_path[-1]) if error.absolute_path else "it"
        message = "is empty (YAML reads a key with nothing under it as null)"
        hint = (f"list something under '{key}:', or remove the '{key}:' line"
                + (": a register without sources publishes its legal basis and provenance only"
                   if key == "sources" else ""))
    elif error.validator == "type" and error.validator_value == "string" and not isinstance(error.instance, str):
        written = _scalar_text(text, list(error.absolute_path))
        hint = _quote_hint(written, error.schema.get("pattern")) if written else hint
    elif error.validator == "enum":
        hint = "use one of: " + ", ".join(str(v) for v in error.validator_value)
        if isinstance(error.instance, str):
            hint = did_you_mean(error.instance, [str(v) for v in error.validator_value]).rstrip() or hint
        elif isinstance(error.instance, bool):  # YAML reads off, no, on, yes unquoted as false and true
            written = _scalar_text(text, list(error.absolute_path))
            hint = f"quote it: '{written}' (YAML reads {written} unquoted as {str(error.instance).lower()}); {hint}" \
                if written else hint
    elif error.validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        hint = "allowed keys here: " + ", ".join(allowed)
    elif error.validator == "required":
        hint = "add the missing key"
        missing, stray = _misspelt(error)
        if stray is not None:  # 'staus:' for 'status:': name both, not only the key that is missing
            message += f" ('{stray}' is not a key here)"
            hint = f"did you mean '{missing}' for '{stray}'?"
    elif (error.validator == "pattern" and isinstance(error.instance, str) and error.instance != error.instance.lower()
          and re.fullmatch(error.validator_value.rstrip("$"), error.instance.lower())):
        hint = f"write it in lower case: {error.instance.lower()}"  # (a sha256 as PowerShell's Get-FileHash prints it)
    elif (error.validator == "pattern" and list(error.absolute_path)[-1:] == ["snapshot"]
          and isinstance(error.instance, str)):
        # (a snapshot: the pattern itself made a poor hint, review AM)
        parts = re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})", error.instance.strip())
        turned = [f"{parts[3]}-{int(month):02d}-{int(day):02d}" for day, month in
                  ((parts[1], parts[2]), (parts[2], parts[1]))] if parts else []  # (day first, as in Indonesia;
        real = [day for day in turned if _real_date_text(day)]                  # else month first)
        hint = 'write the day as "YYYY-MM-DD", quoted, or a local time as "YYYY-MM-DD HH:MM"' + (
            f': "{real[0]}"' if real else "")
    elif error.validator == "pattern" and (hint == _README_SECTION or error.schema.get("format") == "iso8601"):
        # (snapshot is an ISO 8601 value narrowed by its pattern: the format's example, with a time zone, is refused)
        hint = (f"the value must match {error.validator_value}"
                + (f": {error.schema['description']}" if error.schema.get("description") else ""))
    return f"{path}: {message}", hint, place or None


def _quote_hint(written: str, pattern: str | None) -> str:
    """The hint for a value YAML read as a number (``id: 1``, ``snapshot: 20240220``): quote it, as the field's
    pattern wants it (``'1'`` would fail ``^[0-9]{3}$`` next)."""
    if pattern is None or re.search(_ecma(pattern), written):
        return f"quote it: '{written}'"
    fits = [c for c in (written.zfill(3), f"{written[:4]}-{written[4:6]}-{written[6:]}" if len(written) == 8 else "")
            if c and re.fullmatch(pattern.strip("^$"), c) and (len(c) != 10 or _real_date_text(c))]
    return f"quote it, as the key wants it: '{fits[0]}'" if fits else f"write it as quoted text matching {pattern}"


#: The most values metadata.yml may hold once its aliases are expanded (the demo's has about 300).
MAX_NODES = 100_000
#: The characters aliases may repeat in all: 2,280 sources each naming a note of 516 characters by an alias repeat
#: 1.2 million (review BE #9); checking 10 million takes about half a second.
MAX_ALIAS_CHARACTERS = 10_000_000
#: The deepest nesting of lists and mappings metadata.yml may have (the schema's deepest is under 10): deeper,
#: building the values would exhaust Python's recursion limit.
MAX_DEPTH = 50


def _refuse_aliases(text: str, filename: str) -> None:
    """Aliases (``*name``, and ``<<: *name`` merge keys) are read, but not one that refers to the value it is inside
    (a value holding itself: no walk of it ends), nor a few lines of them nesting into more than :data:`MAX_NODES`
    values (a "billion laughs"), or repeating more than :data:`MAX_ALIAS_CHARACTERS` characters (10,000 aliases of one
    long anchored text: every value is checked, so each copy is read again); nor values nested over :data:`MAX_DEPTH`
    deep: all stop here, counted on the parser's events before anything is built."""
    sizes: dict[str, tuple[int, int]] = {}  # each anchor's values and characters
    stack: list[tuple[str | None, list[int]]] = []  # each open collection: its anchor, [values, characters] so far
    expanded = [0, 0]  # values and characters the aliases so far add to those the file writes out
    for event in yaml.parse(text, Loader=_StringDatesLoader):
        size = (0, 0)
        if isinstance(event, yaml.CollectionStartEvent):
            stack.append((event.anchor, [1, 0]))
            if len(stack) > MAX_DEPTH:
                where = f" line {event.start_mark.line + 1}:" if event.start_mark else ""
                raise ConfigError(f"{filename}:{where} values nested more than {MAX_DEPTH} deep",
                                  hint="metadata.yml needs a few levels; check for brackets opened and never closed",
                                  path=file_of(filename), place=where.strip(" :") or None)
        elif isinstance(event, yaml.CollectionEndEvent):
            anchor, (values, characters) = stack.pop()
            size = (values, characters)
            if anchor:
                sizes[anchor] = size
        elif isinstance(event, yaml.ScalarEvent):
            size = (1, len(event.value))
            if event.anchor:
                sizes[event.anchor] = size
        elif isinstance(event, yaml.AliasEvent):
            where = f" line {event.start_mark.line + 1}:" if event.start_mark else ""
            if any(anchor == event.anchor for anchor, _ in stack):
                raise ConfigError(f"{filename}:{where} the YAML alias *{event.anchor} refers to a value it is inside",
                                  hint="write the value out where it is used", path=file_of(filename),
                                  place=where.strip(" :") or None)
            size = sizes.get(event.anchor or "", (1, 0))
            # (the values it adds to those written: an anchor's size counts its own aliases)
            expanded = [expanded[0] + size[0] - 1, expanded[1] + size[1]]
            if expanded[0] > MAX_NODES:
                raise ConfigError(f"{filename}:{where} its aliases expand to more than {MAX_NODES:,} values",
                                  hint="write the values out; metadata.yml needs few", path=file_of(filename),
                                  place=where.strip(" :") or None)
            if expanded[1] > MAX_ALIAS_CHARACTERS:
                raise ConfigError(f"{filename}:{where} its aliases repeat more than {MAX_ALIAS_CHARACTERS:,} "
                                  "characters", hint="write the values out; metadata.yml needs few",
                                  path=file_of(filename), place=where.strip(" :") or None)
        if stack and size[0]:
            stack[-1][1][0] += size[0]
            stack[-1][1][1] += size[1]


#: C0 control characters but tab, line feed and carriage return (NUL, ESC …): nothing a title shows.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _unprintable(text: str) -> str | None:
    """Why a text of ``metadata.yml`` cannot be published as UTF-8 text (None when it can)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "holds half of a character pair (an unpaired surrogate)"
    return "holds a control character" if _CONTROL.search(text) else None


def _scalars(node: object, path: list[str]) -> Iterator[tuple[str, object]]:
    """Every key (as text, at the path of its mapping) and every other value of parsed YAML, with its key path."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield "/".join(path), str(key)
            yield from _scalars(value, [*path, str(key)])
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _scalars(value, [*path, str(index)])
    else:
        yield "/".join(path), node


def parse_metadata(text: str, *, filename: str = METADATA_FILE) -> dict[str, Any]:
    """Parse and schema-validate the YAML text of a ``metadata.yml``; return the dict."""
    try:
        _refuse_aliases(text, filename)
        data = yaml.load(text, Loader=_StringDatesLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        if problem.startswith("duplicate key"):
            hint = "keep one of them"
        elif problem.startswith("found undefined alias"):  # (review BT L6: the source holding '&name' removed)
            hint = ("an alias (*name) must come after its anchor (&name): move the anchor to the first mapping that "
                    "uses it, or write the mapping out")
        else:
            hint = "check indentation and quote values that contain ':'"
        raise ConfigError(f"{filename}:{where}: not valid YAML: {problem}", hint=hint, path=file_of(filename),
                          place=where.strip() or None) from None  # (the
        # parser's own error quotes the line, which may hold anything, a NIK too: --debug must not show it)
    return check_metadata(data, filename=filename, text=text)


def check_metadata(data: Any, *, filename: str = METADATA_FILE, text: str = "") -> dict[str, Any]:
    """Validate a parsed ``metadata.yml`` against its JSON Schema (and refuse unprintable text, NIK-like numbers and
    formula-looking text, which would be published); return it. ``text``, the YAML it was read from if any, lets a
    message quote a value as written."""
    if not isinstance(data, dict):
        raise ConfigError(f"{filename}: expected a mapping at the top level", hint="start with 'title:'",
                          path=file_of(filename))
    unreadable = next(((where, why) for where, value in _scalars(data, []) if isinstance(value, str)
                       and (why := _unprintable(value))), None)
    if unreadable is not None:
        raise ConfigError(f"{filename}: {unreadable[0] or '(top level)'}: {unreadable[1]}, which is published as text",
                          hint="remove it (a \\u escape of half a character pair, a control character)",
                          path=file_of(filename), place=unreadable[0] or None)
    nik = next((where for where, value in _scalars(data, []) if isinstance(value, str | int | float)
                and holds_nik(str(value))), None)
    if nik is not None:
        raise ConfigError(f"{filename}: {nik or '(top level)'}: holds a NIK-like number, which is never published "
                          "(every text of metadata.yml is)", hint="remove the identity number (it is not shown here)",
                          path=file_of(filename), place=nik or None)
    formula = next((where for where, value in _scalars(data, []) if isinstance(value, str)
                    and runs_as_formula(value.lstrip("\t\r\n"))), None)
    if formula is not None:
        raise ConfigError(f"{filename}: {formula or '(top level)'}: looks like a spreadsheet formula (it starts with "
                          "=, +, @ or -), which is never published (the texts of metadata.yml reach the packages' CSV)",
                          hint="reword it so that it starts with a letter, a digit or a quote",
                          path=file_of(filename), place=formula or None)
    validator = Validator(metadata_schema(), format_checker=FORMATS)
    errors = sorted(validator.iter_errors(data), key=lambda e: (list(map(str, e.absolute_path)), e.message))
    # A value of the wrong shape fails its pattern and, again, its format: count that once.
    misshapen = {tuple(e.absolute_path) for e in errors if e.validator == "pattern"}
    errors = [e for e in errors if e.validator != "format" or tuple(e.absolute_path) not in misshapen]
    if errors:
        message, hint, place = _schema_error(errors[0], text)
        others = [e for e in errors[1:] if not _said_already(e, errors[0])]
        more = f" (and {len(others)} more problem(s))" if others else ""
        raise ConfigError(f"{filename}: {message}{more}", hint=hint, path=file_of(filename), place=place)
    return data
