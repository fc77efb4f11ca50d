"""Read ``metadata.yml`` once, validate it against its JSON Schema, and freeze it.

Everything downstream works on the dataclasses defined here; raw dicts stay at
this edge. An invalid file is refused before any work with the key path and a
hint, for example::

    metadata.yml: registers/0/status: 'opne' is not one of ['open', ...]
"""

from __future__ import annotations

import codecs
import hashlib
import json
import os
import re
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from . import links
from .elections import Election, resolve_elections
from .errors import ConfigError, UsageError, did_you_mean
from .privacy import holds_nik
from .readers.csv_mapping import CsvMapping, parse_csv_mapping
from .readers.dpt_csv import DptOptions, parse_dpt_options

METADATA_FILE = "metadata.yml"


@dataclass(frozen=True)
class License:
    """A licence as Frictionless describes it."""

    name: str
    path: str | None = None
    title: str | None = None

    @property
    def label(self) -> str:
        """How the licence is named wherever it is shown (package README, register pages, Datasette): its
        title, else its name."""
        return self.title or self.name

    def to_descriptor(self) -> dict[str, str]:
        """The Frictionless ``licenses`` item."""
        out = {"name": self.name}
        if self.path:
            out["path"] = self.path
        if self.title:
            out["title"] = self.title
        return out


@dataclass(frozen=True)
class Source:
    """One raw export of a register, as declared in ``metadata.yml``."""

    register: str
    index: int
    register_index: int
    path: str
    format: str
    election: str | None = None
    snapshot: str | None = None
    origin: str | None = None
    retrieved: str | None = None
    sha256: str | None = None
    title: str | None = None
    synthetic: bool = False
    licenses: tuple[License, ...] = ()
    #: The column mapping of a ``csv`` source (see :mod:`releasekit.readers.csv_mapping`).
    csv: CsvMapping | None = None
    #: How a ``dpt-csv`` voter list's columns are named and read (see :mod:`releasekit.readers.dpt_csv`).
    dpt: DptOptions | None = None
    #: The file that declares it, as the project was given (``metadata.yml``, ``cfg/metadata.yml``, or the YAML file
    #: given in its place), for messages: the source's ``path`` is relative to its folder (review AT #6).
    config: str = field(default="metadata.yml", compare=False)

    @property
    def key_path(self) -> str:
        """Where this source is declared, as a ``metadata.yml`` key path."""
        return f"registers/{self.register_index}/sources/{self.index}"

    @property
    def where(self) -> str:
        """Where this source is declared, for a message: ``metadata.yml: registers/0/sources/1``."""
        return f"{self.config}: {self.key_path}"


@dataclass(frozen=True)
class RuleSetting:
    """How a register counts one integrity rule."""

    severity: str
    error_if: str | None = None


@dataclass(frozen=True)
class Register:
    """A register of the information request (DESIGN.md section 1)."""

    id: str
    slug: str
    title: str
    status: str
    description: str | None = None
    basis: dict[str, Any] = field(default_factory=dict)
    licenses: tuple[License, ...] = ()
    sources: tuple[Source, ...] = ()
    rules: dict[str, RuleSetting] = field(default_factory=dict)
    #: ``masked`` publishes a voter list's masked individual table (``dpt_pemilih``); default ``none``.
    publish_individuals: str = "none"
    #: Personal fields that table may also carry (``nama``, ``alamat``); none unless listed.
    individual_fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class Release:
    """A whole release project: ``metadata.yml`` plus the folder it lives in."""

    root: Path
    title: str
    publisher: dict[str, str]
    licenses: tuple[License, ...]
    registers: tuple[Register, ...]
    elections: dict[str, Election]
    description: str | None = None
    version: str | None = None
    homepage: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    #: The SHA-256 of the bytes loaded (the project's ``metadata.yml``, or the YAML file given in its place): part of
    #: the build's inputs hash (:func:`releasekit.provenance.inputs_digest`).
    metadata_sha256: str = ""

    @property
    def sources(self) -> tuple[Source, ...]:
        """Every source of every register, in declaration order."""
        return tuple(s for r in self.registers for s in r.sources)

    def register(self, slug_or_id: str) -> Register:
        """The register with this id, else the one with this slug (an id always wins)."""
        try:
            return self.register_by_id(slug_or_id)
        except KeyError:
            pass
        for reg in self.registers:
            if reg.slug == slug_or_id:
                return reg
        raise KeyError(slug_or_id)

    def register_by_id(self, register_id: str) -> Register:
        """The register with this id (a source's ``register``), never one whose slug reads the same."""
        for reg in self.registers:
            if reg.id == register_id:
                return reg
        raise KeyError(register_id)

    def licenses_of(self, register: Register) -> tuple[License, ...]:
        """The licences of a register's data: its own, else the release's."""
        return register.licenses or self.licenses

    def named(self, path: Path) -> str:
        """A path as the project names it (``datapackages/real-count.zip``), or whole when outside the project: how a
        message names the project's own files, as ``metadata.yml`` names its sources."""
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return str(path)


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


def _schema_error(error: jsonschema.ValidationError, text: str = "") -> tuple[str, str]:
    if error.validator in ("oneOf", "anyOf") and error.context:
        # Report the alternative that came closest: the deepest error, one of the right type first.
        closest = max(error.context, key=lambda e: (len(e.absolute_path), e.validator != "type"))
        return _schema_error(closest, text)
    path = "/".join(str(p) for p in error.absolute_path) or "(top level)"
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
    return f"{path}: {message}", hint


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
                                  hint="metadata.yml needs a few levels; check for brackets opened and never closed")
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
                                  hint="write the value out where it is used")
            size = sizes.get(event.anchor or "", (1, 0))
            # (the values it adds to those written: an anchor's size counts its own aliases)
            expanded = [expanded[0] + size[0] - 1, expanded[1] + size[1]]
            if expanded[0] > MAX_NODES:
                raise ConfigError(f"{filename}:{where} its aliases expand to more than {MAX_NODES:,} values",
                                  hint="write the values out; metadata.yml needs few")
            if expanded[1] > MAX_ALIAS_CHARACTERS:
                raise ConfigError(f"{filename}:{where} its aliases repeat more than {MAX_ALIAS_CHARACTERS:,} "
                                  "characters", hint="write the values out; metadata.yml needs few")
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


def snapshot_id(declared: str | None) -> str | None:
    """A snapshot as releasekit writes it: a day, or a day and a time joined by ``T`` (ISO 8601). ``metadata.yml``
    may join them with a space too; kept as written, ``2024-02-20 13:00`` would sort before ``2024-02-20T09:00``
    (a space before ``T``), and every comparison of days (changes, rules, "as of" queries) would run backwards."""
    return declared[:10] + "T" + declared[11:] if declared and len(declared) > 10 and declared[10] == " " else declared


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
        hint = "keep one of them" if problem.startswith("duplicate key") else \
            "check indentation and quote values that contain ':'"
        raise ConfigError(f"{filename}:{where}: not valid YAML: {problem}", hint=hint) from None  # (the
        # parser's own error quotes the line, which may hold anything, a NIK too: --debug must not show it)
    return check_metadata(data, filename=filename, text=text)


def check_metadata(data: Any, *, filename: str = METADATA_FILE, text: str = "") -> dict[str, Any]:
    """Validate a parsed ``metadata.yml`` against its JSON Schema (and refuse unprintable text and NIK-like numbers,
    which would be published); return it. ``text``, the YAML it was read from if any, lets a message quote a value as
    written."""
    if not isinstance(data, dict):
        raise ConfigError(f"{filename}: expected a mapping at the top level", hint="start with 'title:'")
    unreadable = next(((where, why) for where, value in _scalars(data, []) if isinstance(value, str)
                       and (why := _unprintable(value))), None)
    if unreadable is not None:
        raise ConfigError(f"{filename}: {unreadable[0] or '(top level)'}: {unreadable[1]}, which is published as text",
                          hint="remove it (a \\u escape of half a character pair, a control character)")
    nik = next((where for where, value in _scalars(data, []) if isinstance(value, str | int | float)
                and holds_nik(str(value))), None)
    if nik is not None:
        raise ConfigError(f"{filename}: {nik or '(top level)'}: holds a NIK-like number, which is never published "
                          "(every text of metadata.yml is)", hint="remove the identity number (it is not shown here)")
    validator = Validator(metadata_schema(), format_checker=FORMATS)
    errors = sorted(validator.iter_errors(data), key=lambda e: (list(map(str, e.absolute_path)), e.message))
    # A value of the wrong shape fails its pattern and, again, its format: count that once.
    misshapen = {tuple(e.absolute_path) for e in errors if e.validator == "pattern"}
    errors = [e for e in errors if e.validator != "format" or tuple(e.absolute_path) not in misshapen]
    if errors:
        message, hint = _schema_error(errors[0], text)
        others = [e for e in errors[1:] if not _said_already(e, errors[0])]
        more = f" (and {len(others)} more problem(s))" if others else ""
        raise ConfigError(f"{filename}: {message}{more}", hint=hint)
    return data


def _licenses(items: list[dict[str, str]] | None) -> tuple[License, ...]:
    return tuple(License(i["name"], i.get("path"), i.get("title")) for i in items or [])


def refuse_locale_file_names() -> None:
    """Refuse to read a project's raw files where Python reads file names in a locale's encoding other than UTF-8
    (ISO-8859-1): a folder's sha256 hashes its members' names, and ``metadata.yml`` names its sources in UTF-8, so
    the same files would hash otherwise (a pinned ``sha256`` refused) and a source named ``désa.jsonl`` would not be
    found. (Called where raw files are hashed: ``build``, and ``publish``/``serve`` checking them; ``validate`` and
    ``diff`` read no raw file.)

    :raises ConfigError: naming the encoding, with the setting that reads names as UTF-8.
    """
    encoding = sys.getfilesystemencoding()
    if codecs.lookup(encoding).name != "utf-8":
        locale = next((f"{name}={os.environ[name]}" for name in ("LC_ALL", "LC_CTYPE", "LANG")
                       if os.environ.get(name)), "no locale set")
        raise ConfigError(f"file names: this locale ({locale}) reads them as {encoding}, so a folder's sha256 and "
                          "the sources' paths would depend on it",
                          hint="use a UTF-8 locale, such as LC_ALL=C.UTF-8, or Python's UTF-8 mode: "
                               "export PYTHONUTF8=1")


def load_release(project: str | Path = ".") -> Release:
    """Load, validate and freeze the ``metadata.yml`` of a release project.

    :param project: the project folder (or the ``metadata.yml`` file itself).
    :raises ConfigError: when the file is missing or invalid.
    :raises UsageError: ``project`` is an empty string (``Path("")`` is the current folder).
    """
    _refuse_empty(project)
    path = Path(project)
    if path.is_dir():
        path = path / METADATA_FILE
    if not path.is_file():
        given = Path(project)
        if not given.exists():  # a path the user typed: that is what is wrong
            raise ConfigError(f"{given}: no such file or folder", hint="give the project folder, the one holding "
                              f"{METADATA_FILE} (or that file itself)")
        if path.is_dir():
            raise ConfigError(f"{path}: a folder, not a file", hint=f"the project's {METADATA_FILE} is a YAML file")
        if path.exists():
            raise ConfigError(f"{path}: not a regular file but a pipe, socket or device",
                              hint=f"the project's {METADATA_FILE} is a YAML file")
        hint = "run releasekit in a folder holding metadata.yml" if str(project) == "." else (
            f"this folder is no release project: give the folder holding {METADATA_FILE}")
        raise ConfigError(f"{path}: no such file", hint=hint)
    loaded = path.read_bytes()
    # (a file not named .yml or .yaml that does not read as one is likely no description at all: a raw export given
    # where the project belongs, `releasekit build raw/day.zip`; its hint says so, not how to fix its YAML)
    elsewhere = None if path.suffix.lower() in (".yml", ".yaml") else (
        f"give the project folder, or its {METADATA_FILE}: {path.name} is no release description")
    try:
        text = loaded.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ConfigError(f"{path}: not UTF-8 (byte {e.start})", hint=elsewhere or "save the file as UTF-8") from e
    try:
        data = parse_metadata(text, filename=str(path))
    except ConfigError as e:
        if elsewhere is None:
            raise
        raise ConfigError(e.args[0], hint=elsewhere) from e
    return _release(data, path.parent, label=str(path), sha256=hashlib.sha256(loaded).hexdigest())


def _refuse_empty(project: str | Path) -> None:
    """``Path("")`` is ".": a variable left unset would load (and build) the current folder."""
    if isinstance(project, str) and not project:
        raise UsageError("an empty project path (a variable left unset?)", hint="give '.' for the current folder")


#: What names a release given as a mapping in messages (:func:`release_from`), in place of its YAML file's path.
IN_MEMORY = "metadata (given in memory)"


def release_from(metadata: Mapping[str, Any], project: str | Path = ".") -> Release:
    """Validate and freeze a ``metadata.yml`` already in memory, for a project whose raw files are in ``project``.

    ``metadata`` is what a ``metadata.yml`` reads as (``yaml.safe_load`` of one, or a mapping made in Python): it is
    checked as :func:`load_release` checks the file, with ``datetime.date`` values (an unquoted ``2024-02-26``) taken
    as their ISO text. The build's inputs hash counts its canonical JSON (:attr:`Release.metadata_sha256`) where a
    file's bytes would be: to change a release, change the mapping and call this again (a :class:`Release` changed
    with :func:`dataclasses.replace` keeps the hash it was made with).

    :param metadata: the release description.
    :param project: the project folder its sources' ``path`` are relative to (``build/`` and ``datapackages/`` are
        written there).
    :raises ConfigError: when the mapping is invalid or ``project`` is no folder.
    """
    _refuse_empty(project)
    folder = Path(project)
    if not folder.is_dir():
        raise ConfigError(f"{folder}: no such folder" if not folder.exists() else f"{folder}: not a folder",
                          hint="give the project folder, the one its sources' paths are relative to")
    data = check_metadata(_plain(metadata), filename=IN_MEMORY)
    from .provenance import canonical_json  # (provenance imports this module)

    canonical = canonical_json(_canonical(data))
    return _release(data, folder, label=IN_MEMORY, sha256=hashlib.sha256(canonical.encode()).hexdigest())


def _canonical(value: Any) -> Any:
    """``value`` (schema-checked: texts, numbers, booleans, nulls, lists, mappings) with each mapping as its items
    sorted by key, a key given with its type: a mapping may have number keys beside text ones (``{1: …, "2": …}``, as
    YAML reads a table keyed by candidate), which ``json.dumps(sort_keys=True)`` cannot sort (review BJ L1)."""
    if isinstance(value, dict):
        return [[type(key).__name__, key, _canonical(item)]
                for key, item in sorted(value.items(), key=lambda pair: (type(pair[0]).__name__, str(pair[0])))]
    if isinstance(value, list):
        return [_canonical(item) for item in value]
    return value


def _plain(value: Any) -> Any:
    """A copy of ``value`` in the types ``metadata.yml`` is read as: dates as their ISO text, tuples as lists."""
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, date):  # (a datetime is a date too)
        return value.isoformat()
    return value


def _release(data: dict[str, Any], folder: Path, *, label: str, sha256: str) -> Release:
    """The :class:`Release` a validated ``metadata.yml`` (``data``) describes, its sources found in ``folder``;
    ``label`` names where it was read in messages (:attr:`Source.config`); ``sha256`` is its
    :attr:`Release.metadata_sha256`."""
    from .readers import READERS
    from .readers.codes import refuse_mixed_area_ids, refuse_mixed_code_systems
    from .rules import BY_SLUG

    elections = resolve_elections(data.get("elections", []), filename=label)
    registers = []
    # Every id and slug names one register: release.register() takes either, so none may read as another's.
    names: dict[str, str] = {}
    seen_paths: dict[Path, tuple[str, str]] = {}  # each source's resolved path: where it is declared, its reader
    resolved = folder.resolve()
    for ri, reg in enumerate(data["registers"]):
        where = f"{label}: registers/{ri}"
        for key in ("id", "slug"):
            if reg[key] in names:
                raise ConfigError(f"{where}/{key}: register {reg['id']}'s {key} '{reg[key]}' is already "
                                  f"{names[reg[key]]}", hint="give every register an id and a slug no other "
                                  "register uses as its id or slug")
        names.update({reg["id"]: f"the id of register {reg['id']} (registers/{ri})",
                      reg["slug"]: f"the slug of register {reg['id']} (registers/{ri})"})
        sources = []
        for si, src in enumerate(reg.get("sources", [])):
            swhere = f"{where}/sources/{si}"
            if src["format"] not in READERS:
                raise ConfigError(
                    f"{swhere}/format: unknown reader '{src['format']}'",
                    hint=did_you_mean(src["format"], READERS)
                    + "known readers: "
                    + ", ".join(sorted(READERS)),
                )
            reader = READERS[src["format"]]
            election = src.get("election")
            if reader.needs_election and not election:
                raise ConfigError(f"{swhere}: the '{src['format']}' reader needs 'election'",
                                  hint="for example election: ppwp-2024")
            if election and election not in elections:
                raise ConfigError(
                    f"{swhere}/election: unknown election '{election}'",
                    hint="known: " + ", ".join(sorted(elections)) + "; or declare it under 'elections'",
                )
            if Path(src["path"]).is_absolute():
                raise ConfigError(f"{swhere}/path: '{src['path']}' is an absolute path",
                                  hint="give it relative to the project folder: every package's provenance "
                                       "publishes it")
            try:
                raw_file = (folder / src["path"]).resolve()  # ./raw/x.zip and raw/x.zip are one file
            except (RuntimeError, OSError) as e:  # (a link that leads back to itself: Python 3.11 raises RuntimeError)
                raise ConfigError(f"{swhere}/path: '{src['path']}' cannot be followed to a file ({type(e).__name__}: "
                                  "a symbolic link in it leads back to itself)",
                                  hint="point the link at the raw export") from None
            if raw_file in seen_paths:
                raise ConfigError(f"{swhere}/path: '{src['path']}' is already a source of {seen_paths[raw_file][0]}",
                                  hint="list each raw file once")
            # (by the path as written: raw/ may hold a link to an export kept elsewhere; absolute, so that ../x is
            # outside the project '.' too)
            written, root = Path(os.path.abspath(folder / src["path"])), Path(os.path.abspath(folder))
            # (build/ and datapackages/ are the build's: it replaces both, and a raw file there, or one a link leads
            # to there, was deleted by the build that read it)
            written_by_build = [root / "build", root / "datapackages", resolved / "build", resolved / "datapackages"]
            if (not written.is_relative_to(root) or written == root
                    or any(p.is_relative_to(ours) for p in (written, raw_file) for ours in written_by_build)):
                raise ConfigError(f"{swhere}/path: '{src['path']}' is not a raw file inside the project "
                                  "(the project itself, its build/ or datapackages/, which each build replaces, "
                                  "or a path outside it)",
                                  hint="copy the raw export into the project, e.g. under raw/")
            why = links.refused(raw_file, resolved) if raw_file != written else None  # (through a link)
            if why is not None:
                raise ConfigError(f"{swhere}/path: '{src['path']}' leads to {raw_file}, {why}, not a raw export (its "
                                  "text could be published in the quarantine)",
                                  hint="point it at the raw export, or copy the export into the project")
            # One reader over a folder and over a file in it loads the file twice, once as a snapshot of its own (two
            # readers may share a tree: Sirekap's aggregate files and its per-TPS files lie in one).
            inside = next((f"{seen} (a folder holding it)" if raw_file.is_relative_to(other) else
                           f"{seen}, which it holds" for other, (seen, format_) in seen_paths.items()
                           if format_ == src["format"] and (raw_file.is_relative_to(other)
                                                            or other.is_relative_to(raw_file))), None)
            if inside is not None:
                raise ConfigError(f"{swhere}/path: '{src['path']}' overlaps the {src['format']} source of {inside}",
                                  hint="list each raw file once: a folder source, or the files in it")
            seen_paths[raw_file] = (f"register {reg['id']} (as '{src['path']}')", src["format"])
            snapshot = snapshot_id(src.get("snapshot") or (src.get("retrieved") or "")[:10] or None)
            if reader.needs_election and not snapshot:
                raise ConfigError(f"{swhere}: no 'snapshot' (and no 'retrieved' to take it from)",
                                  hint="add snapshot: \"YYYY-MM-DD\", the day the export describes")
            mapping = parse_csv_mapping(src["csv"], f"{swhere}/csv") if src.get("csv") else None
            source = Source(
                register=reg["id"], index=si, register_index=ri, path=src["path"],
                format=src["format"], election=election, snapshot=snapshot,
                origin=src.get("origin"), retrieved=src.get("retrieved"), sha256=src.get("sha256"),
                title=src.get("title"), synthetic=bool(src.get("synthetic", False)),
                licenses=_licenses(src.get("licenses")), csv=mapping,
                dpt=parse_dpt_options(src["dpt"], f"{swhere}/dpt") if src.get("dpt") else None, config=label,
            )
            reader.check(source, elections[election] if election else None, swhere)
            sources.append(source)
        rules = {}
        for slug, value in sorted(reg.get("rules", {}).items()):
            if slug not in BY_SLUG:
                raise ConfigError(f"{where}/rules/{slug}: unknown rule",
                                  hint=did_you_mean(slug, BY_SLUG) + "rules: " + ", ".join(BY_SLUG))
            if isinstance(value, dict) and value.get("error_if") and value["severity"] != "error":
                raise ConfigError(f"{where}/rules/{slug}/error_if: a threshold for a rule whose severity is "
                                  f"{value['severity']}, which it would not change",
                                  hint="set severity: error for the threshold to count, or remove error_if")
            rules[slug] = RuleSetting(value) if isinstance(value, str) else RuleSetting(
                value["severity"], value.get("error_if"))
        if reg.get("individual_fields") and reg.get("publish_individuals", "none") != "masked":
            raise ConfigError(f"{where}/individual_fields: set, but the register publishes no voter's row "
                              f"(publish_individuals: {reg.get('publish_individuals', 'none')})",
                              hint="add publish_individuals: masked, or remove individual_fields")
        registers.append(
            Register(
                id=reg["id"], slug=reg["slug"], title=reg["title"], status=reg["status"],
                description=reg.get("description"), basis=reg.get("basis", {}),
                licenses=_licenses(reg.get("licenses")), sources=tuple(sources), rules=rules,
                publish_individuals=reg.get("publish_individuals", "none"),
                individual_fields=tuple(reg.get("individual_fields", ())),
            )
        )
    refuse_mixed_code_systems((s for r in registers for s in r.sources), READERS, label)
    refuse_mixed_area_ids((s for r in registers for s in r.sources), READERS, label)
    return Release(
        root=resolved, title=data["title"], publisher=data["publisher"],
        licenses=_licenses(data["licenses"]), registers=tuple(registers), elections=elections,
        description=data.get("description"), version=data.get("version"),
        homepage=data.get("homepage"), raw=data, metadata_sha256=sha256,
    )
