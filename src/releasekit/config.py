"""Read ``metadata.yml`` once, validate it against its JSON Schema, and freeze it.

Everything downstream works on the dataclasses defined here; raw dicts stay at
this edge. An invalid file is refused before any work with the key path and a
hint, for example::

    metadata.yml: registers/0/status: 'opne' is not one of ['open', ...]
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from .elections import Election, resolve_elections
from .errors import ConfigError, did_you_mean
from .readers.csv_mapping import CsvMapping, parse_csv_mapping
from .readers.dpt_csv import DptOptions, parse_dpt_options

METADATA_FILE = "metadata.yml"
STATUSES = ("open", "exempted", "pending", "partially-open")


@dataclass(frozen=True)
class License:
    """A licence as Frictionless describes it."""

    name: str
    path: str | None = None
    title: str | None = None

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

    @property
    def key_path(self) -> str:
        """Where this source is declared, as a ``metadata.yml`` key path."""
        return f"registers/{self.register_index}/sources/{self.index}"


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

    @property
    def sources(self) -> tuple[Source, ...]:
        """Every source of every register, in declaration order."""
        return tuple(s for r in self.registers for s in r.sources)

    def register(self, slug_or_id: str) -> Register:
        """The register with this slug or id."""
        for reg in self.registers:
            if slug_or_id in (reg.slug, reg.id):
                return reg
        raise KeyError(slug_or_id)


class _StringDatesLoader(yaml.SafeLoader):
    """A YAML loader that keeps ``2024-02-26`` a string, as the schema expects."""


_StringDatesLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def metadata_schema() -> dict[str, Any]:
    """The JSON Schema that ``metadata.yml`` must match (shipped as package data)."""
    text = resources.files("releasekit").joinpath("schemas/metadata.schema.json").read_text()
    schema: dict[str, Any] = json.loads(text)
    return schema


def _schema_error(error: jsonschema.ValidationError) -> tuple[str, str]:
    path = "/".join(str(p) for p in error.absolute_path) or "(top level)"
    hint = "see 'metadata.yml reference' in the README"
    if error.validator == "enum":
        hint = "use one of: " + ", ".join(str(v) for v in error.validator_value)
        if isinstance(error.instance, str):
            hint = did_you_mean(error.instance, [str(v) for v in error.validator_value]).rstrip() or hint
    elif error.validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        hint = "allowed keys here: " + ", ".join(allowed)
    elif error.validator == "required":
        hint = "add the missing key"
    elif error.validator == "pattern":
        hint = f"the value must match {error.validator_value}"
    return f"{path}: {error.message}", hint


def parse_metadata(text: str, *, filename: str = METADATA_FILE) -> dict[str, Any]:
    """Parse and schema-validate the YAML text of a ``metadata.yml``; return the dict."""
    try:
        data = yaml.load(text, Loader=_StringDatesLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise ConfigError(
            f"{filename}:{where}: not valid YAML: {problem}",
            hint="check indentation and quote values that contain ':'",
        ) from e
    if not isinstance(data, dict):
        raise ConfigError(f"{filename}: expected a mapping at the top level", hint="start with 'title:'")
    validator = jsonschema.Draft202012Validator(metadata_schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: (list(map(str, e.absolute_path)), e.message))
    if errors:
        message, hint = _schema_error(errors[0])
        more = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
        raise ConfigError(f"{filename}: {message}{more}", hint=hint)
    return data


def _licenses(items: list[dict[str, str]] | None) -> tuple[License, ...]:
    return tuple(License(i["name"], i.get("path"), i.get("title")) for i in items or [])


def load_release(project: str | Path = ".") -> Release:
    """Load, validate and freeze the ``metadata.yml`` of a release project.

    :param project: the project folder (or the ``metadata.yml`` file itself).
    :raises ConfigError: when the file is missing or invalid.
    """
    from .readers import READERS
    from .readers.codes import refuse_mixed_code_systems
    from .rules import BY_SLUG

    path = Path(project)
    if path.is_dir():
        path = path / METADATA_FILE
    if not path.is_file():
        raise ConfigError(f"{path}: no such file", hint="run releasekit in a folder holding metadata.yml")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise ConfigError(f"{path}: not UTF-8 (byte {e.start})", hint="save the file as UTF-8") from e
    data = parse_metadata(text, filename=str(path))
    elections = resolve_elections(data.get("elections", []))
    registers = []
    seen_ids: set[str] = set()
    seen_slugs: set[str] = set()
    seen_paths: dict[str, str] = {}
    for ri, reg in enumerate(data["registers"]):
        where = f"{path}: registers/{ri}"
        if reg["id"] in seen_ids or reg["slug"] in seen_slugs:
            raise ConfigError(f"{where}: duplicate register id or slug", hint="ids and slugs are unique")
        seen_ids.add(reg["id"])
        seen_slugs.add(reg["slug"])
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
            if src["path"] in seen_paths:
                raise ConfigError(f"{swhere}/path: '{src['path']}' is already a source of {seen_paths[src['path']]}",
                                  hint="list each raw file once")
            seen_paths[src["path"]] = f"register {reg['id']}"
            snapshot = src.get("snapshot") or (src.get("retrieved") or "")[:10] or None
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
                dpt=parse_dpt_options(src["dpt"], f"{swhere}/dpt") if src.get("dpt") else None,
            )
            reader.check(source, elections[election] if election else None, swhere)
            sources.append(source)
        rules = {}
        for slug, value in sorted(reg.get("rules", {}).items()):
            if slug not in BY_SLUG:
                raise ConfigError(f"{where}/rules/{slug}: unknown rule",
                                  hint=did_you_mean(slug, BY_SLUG) + "rules: " + ", ".join(BY_SLUG))
            rules[slug] = RuleSetting(value) if isinstance(value, str) else RuleSetting(
                value["severity"], value.get("error_if"))
        registers.append(
            Register(
                id=reg["id"], slug=reg["slug"], title=reg["title"], status=reg["status"],
                description=reg.get("description"), basis=reg.get("basis", {}),
                licenses=_licenses(reg.get("licenses")), sources=tuple(sources), rules=rules,
                publish_individuals=reg.get("publish_individuals", "none"),
                individual_fields=tuple(reg.get("individual_fields", ())),
            )
        )
    refuse_mixed_code_systems((s for r in registers for s in r.sources), READERS, str(path))
    return Release(
        root=path.parent.resolve(), title=data["title"], publisher=data["publisher"],
        licenses=_licenses(data["licenses"]), registers=tuple(registers), elections=elections,
        description=data.get("description"), version=data.get("version"),
        homepage=data.get("homepage"), raw=data,
    )
