"""Read ``metadata.yml`` once, validate it (:mod:`releasekit.metadatafile`), and freeze it.

Everything downstream works on the dataclasses defined here; raw dicts stay at
this edge. An invalid file is refused before any work with the key path and a
hint, for example::

    metadata.yml: registers/0/status: 'opne' is not one of ['open', ...]
"""

from __future__ import annotations

import codecs
import hashlib
import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from . import links
from .elections import Election, resolve_elections
from .errors import ConfigError, did_you_mean, refuse_empty_paths
from .metadatafile import IN_MEMORY, METADATA_FILE, check_metadata, file_of, parse_metadata
from .readers.csv_mapping import CsvMapping, parse_csv_mapping
from .readers.dpt_csv import DptOptions, parse_dpt_options


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
    #: The bytes :attr:`metadata_sha256` is the hash of, when they were read from a file (:func:`load_release`):
    #: shipped in every package as ``metadata.yml``, so that the public can recompute the inputs hash. None for a
    #: release given in memory (:func:`release_from`).
    metadata_bytes: bytes | None = field(default=None, repr=False, compare=False)

    @property
    def sources(self) -> tuple[Source, ...]:
        """Every source of every register, in declaration order."""
        return tuple(s for r in self.registers for s in r.sources)

    def register(self, slug_or_id: str) -> Register:
        """The register with this id, else the one with this slug (an id always wins).

        :param slug_or_id: ``001`` or ``real-count``.
        :raises KeyError: no register has it.
        """
        try:
            return self.register_by_id(slug_or_id)
        except KeyError:
            pass
        for reg in self.registers:
            if reg.slug == slug_or_id:
                return reg
        raise KeyError(slug_or_id)

    def register_by_id(self, register_id: str) -> Register:
        """The register with this id (a source's ``register``), never one whose slug reads the same.

        :param register_id: three digits, ``001``.
        :raises KeyError: no register has it.
        """
        for reg in self.registers:
            if reg.id == register_id:
                return reg
        raise KeyError(register_id)

    def licenses_of(self, register: Register) -> tuple[License, ...]:
        """The licences of a register's data: its own, else the release's.

        :param register: one of :attr:`registers`.
        """
        return register.licenses or self.licenses

    def named(self, path: Path) -> str:
        """A path as the project names it (``datapackages/real-count.zip``), or whole when outside the project: how a
        message names the project's own files, as ``metadata.yml`` names its sources.

        :param path: any path, relative to the current folder or absolute.
        """
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return str(path)


def snapshot_id(declared: str | None) -> str | None:
    """A snapshot as releasekit writes it: a day, or a day and a time joined by ``T`` (ISO 8601). ``metadata.yml``
    may join them with a space too; kept as written, ``2024-02-20 13:00`` would sort before ``2024-02-20T09:00``
    (a space before ``T``), and every comparison of days (changes, rules, "as of" queries) would run backwards."""
    return declared[:10] + "T" + declared[11:] if declared and len(declared) > 10 and declared[10] == " " else declared



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
    refuse_empty_paths(project, what="project path")
    path = Path(project)
    if path.is_dir():
        path = path / METADATA_FILE
    if not path.is_file():
        given = Path(project)
        if not given.exists():  # a path the user typed: that is what is wrong
            raise ConfigError(f"{given}: no such file or folder", hint="give the project folder, the one holding "
                              f"{METADATA_FILE} (or that file itself)", path=given)
        if path.is_dir():
            raise ConfigError(f"{path}: a folder, not a file", hint=f"the project's {METADATA_FILE} is a YAML file",
                              path=path)
        if path.exists():
            raise ConfigError(f"{path}: not a regular file but a pipe, socket or device",
                              hint=f"the project's {METADATA_FILE} is a YAML file", path=path)
        hint = "run releasekit in a folder holding metadata.yml" if str(project) == "." else (
            f"this folder is no release project: give the folder holding {METADATA_FILE}")
        raise ConfigError(f"{path}: no such file", hint=hint, path=path)
    loaded = path.read_bytes()
    # (a file not named .yml or .yaml that does not read as one is likely no description at all: a raw export given
    # where the project belongs, `releasekit build raw/day.zip`; its hint says so, not how to fix its YAML)
    elsewhere = None if path.suffix.lower() in (".yml", ".yaml") else (
        f"give the project folder, or its {METADATA_FILE}: {path.name} is no release description")
    try:
        text = loaded.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ConfigError(f"{path}: not UTF-8 (byte {e.start})", hint=elsewhere or "save the file as UTF-8",
                          path=path, place=f"byte {e.start}") from e
    try:
        data = parse_metadata(text, filename=str(path))
    except ConfigError as e:
        if elsewhere is None:
            raise
        raise ConfigError(e.args[0], hint=elsewhere, path=e.path, place=e.place) from e
    return _release(data, path.parent, label=str(path), sha256=hashlib.sha256(loaded).hexdigest(), loaded=loaded)


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
    refuse_empty_paths(project, what="project path")
    folder = Path(project)
    if not folder.is_dir():
        raise ConfigError(f"{folder}: no such folder" if not folder.exists() else f"{folder}: not a folder",
                          hint="give the project folder, the one its sources' paths are relative to", path=folder)
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


def _release(data: dict[str, Any], folder: Path, *, label: str, sha256: str, loaded: bytes | None = None) -> Release:
    """The :class:`Release` a validated ``metadata.yml`` (``data``) describes, its sources found in ``folder``;
    ``label`` names where it was read in messages (:attr:`Source.config`); ``sha256`` is its
    :attr:`Release.metadata_sha256`, of ``loaded`` when it was read from a file (:attr:`Release.metadata_bytes`)."""
    from .readers import READERS
    from .readers.codes import refuse_mixed_area_ids, refuse_mixed_code_systems
    from .rules import BY_SLUG

    elections = resolve_elections(data.get("elections", []), filename=label)
    file = file_of(label)  # (the errors' path: None for a mapping in memory)
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
                                  "register uses as its id or slug", path=file, place=f"registers/{ri}/{key}")
        names.update({reg["id"]: f"the id of register {reg['id']} (registers/{ri})",
                      reg["slug"]: f"the slug of register {reg['id']} (registers/{ri})"})
        sources = []
        for si, src in enumerate(reg.get("sources", [])):
            swhere, key_path = f"{where}/sources/{si}", f"registers/{ri}/sources/{si}"
            if src["format"] not in READERS:
                raise ConfigError(
                    f"{swhere}/format: unknown reader '{src['format']}'",
                    hint=did_you_mean(src["format"], READERS)
                    + "known readers: "
                    + ", ".join(sorted(READERS)),
                    path=file, place=f"{key_path}/format",
                )
            reader = READERS[src["format"]]
            election = src.get("election")
            if reader.needs_election and not election:
                raise ConfigError(f"{swhere}: the '{src['format']}' reader needs 'election'",
                                  hint="for example election: ppwp-2024", path=file, place=key_path)
            if election and election not in elections:
                raise ConfigError(
                    f"{swhere}/election: unknown election '{election}'",
                    hint="known: " + ", ".join(sorted(elections)) + "; or declare it under 'elections'",
                    path=file, place=f"{key_path}/election",
                )
            if Path(src["path"]).is_absolute():
                raise ConfigError(f"{swhere}/path: '{src['path']}' is an absolute path",
                                  hint="give it relative to the project folder: every package's provenance "
                                       "publishes it", path=file, place=f"{key_path}/path")
            try:
                raw_file = (folder / src["path"]).resolve()  # ./raw/x.zip and raw/x.zip are one file
            except (RuntimeError, OSError) as e:  # (a link that leads back to itself: Python 3.11 raises RuntimeError)
                raise ConfigError(f"{swhere}/path: '{src['path']}' cannot be followed to a file ({type(e).__name__}: "
                                  "a symbolic link in it leads back to itself)",
                                  hint="point the link at the raw export", path=file,
                                  place=f"{key_path}/path") from None
            if raw_file in seen_paths:
                raise ConfigError(f"{swhere}/path: '{src['path']}' is already a source of {seen_paths[raw_file][0]}",
                                  hint="list each raw file once", path=file, place=f"{key_path}/path")
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
                                  hint="copy the raw export into the project, e.g. under raw/", path=file,
                                  place=f"{key_path}/path")
            why = links.refused(raw_file, resolved) if raw_file != written else None  # (through a link)
            if why is not None:
                raise ConfigError(f"{swhere}/path: '{src['path']}' leads to {raw_file}, {why}, not a raw export (its "
                                  "text could be published in the quarantine)",
                                  hint="point it at the raw export, or copy the export into the project",
                                  path=file, place=f"{key_path}/path")
            # One reader over a folder and over a file in it loads the file twice, once as a snapshot of its own (two
            # readers may share a tree: Sirekap's aggregate files and its per-TPS files lie in one).
            inside = next((f"{seen} (a folder holding it)" if raw_file.is_relative_to(other) else
                           f"{seen}, which it holds" for other, (seen, format_) in seen_paths.items()
                           if format_ == src["format"] and (raw_file.is_relative_to(other)
                                                            or other.is_relative_to(raw_file))), None)
            if inside is not None:
                raise ConfigError(f"{swhere}/path: '{src['path']}' overlaps the {src['format']} source of {inside}",
                                  hint="list each raw file once: a folder source, or the files in it",
                                  path=file, place=f"{key_path}/path")
            seen_paths[raw_file] = (f"register {reg['id']} (as '{src['path']}')", src["format"])
            snapshot = snapshot_id(src.get("snapshot") or (src.get("retrieved") or "")[:10] or None)
            if reader.needs_election and not snapshot:
                raise ConfigError(f"{swhere}: no 'snapshot' (and no 'retrieved' to take it from)",
                                  hint="add snapshot: \"YYYY-MM-DD\", the day the export describes",
                                  path=file, place=key_path)
            with _options_located(file, swhere, key_path):
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
                                  hint=did_you_mean(slug, BY_SLUG) + "rules: " + ", ".join(BY_SLUG),
                                  path=file, place=f"registers/{ri}/rules/{slug}")
            if isinstance(value, dict) and value.get("error_if") and value["severity"] != "error":
                raise ConfigError(f"{where}/rules/{slug}/error_if: a threshold for a rule whose severity is "
                                  f"{value['severity']}, which it would not change",
                                  hint="set severity: error for the threshold to count, or remove error_if",
                                  path=file, place=f"registers/{ri}/rules/{slug}/error_if")
            rules[slug] = RuleSetting(value) if isinstance(value, str) else RuleSetting(
                value["severity"], value.get("error_if"))
        if reg.get("individual_fields") and reg.get("publish_individuals", "none") != "masked":
            raise ConfigError(f"{where}/individual_fields: set, but the register publishes no voter's row "
                              f"(publish_individuals: {reg.get('publish_individuals', 'none')})",
                              hint="add publish_individuals: masked, or remove individual_fields",
                              path=file, place=f"registers/{ri}/individual_fields")
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
        homepage=data.get("homepage"), raw=data, metadata_sha256=sha256, metadata_bytes=loaded,
    )


@contextmanager
def _options_located(file: str | None, where: str, key_path: str) -> Iterator[None]:
    """Give a :class:`ConfigError` raised while a source's options are read (its ``csv:`` mapping, its ``dpt:``
    options, its reader's checks) the file, and as its place the key its message names under the source's ``where``
    (``metadata.yml: registers/0/sources/1/csv/fields/x: …`` → ``registers/0/sources/1/csv/fields/x``), or the
    source's key path when it names none."""
    try:
        yield
    except ConfigError as e:
        message = str(e.args[0])
        below = message[len(where):].split(": ", 1)[0] if message.startswith(f"{where}/") else ""
        e.locate(path=file, place=key_path + below)
        raise
