"""``releasekit validate``: check packages as a downloader gets them.

Accepts a package folder, a ``datapackage.json``, a ``.zip``, a folder of
packages, or a release project (all its registers' packages). Each package is
checked for unsafe resource paths, then validated by Frictionless (descriptor,
Table Schema types and constraints, primary and foreign keys, ``hash`` and
``bytes``). The result is a :class:`Report` of problems in Frictionless's error
vocabulary, rendered as text, JSON or Markdown.
"""

from __future__ import annotations

import copy
import csv
import json
import re
import tempfile
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from frictionless import Package
from frictionless import validate as frictionless_validate

from .config import RuleSetting
from .contract import contract_problems, other_version
from .csvlimit import bounded_cells
from .errors import OS_HINT, OS_HINTS, PackageError, ReleasekitError, UsageError, did_you_mean, refuse_empty_paths
from .inputshash import inputs_problems
from .packagefiles import (
    DESCRIPTOR,
    extract_zip,
    holds_the_folder,
    package_files,
    too_large_descriptor,
    unsafe_path,
    zip_comment_problems,
)
from .piigate import WRAPPED_TEXT, json_strings_decoded, nik_lines, nik_lines_in, wrapped_nik_lines
from .privacy import holds_nik, mask_niks
from .report import (
    EXAMPLES,
    FORMATS,
    PII_NIK,
    FindingSummary,
    PackageReport,
    Problem,
    Report,
    pii_problem,
    unopened,
)
from .rules import SEVERITIES, Population, breaches, population, valid_threshold
from .tablecheck import ERROR_LIMIT, Checker
from .tablecheck.asread import (
    UNREADABLE,
    compression_of,
    csv_reading,
    reads_otherwise,
    steps_to,
    unpacked,
    with_dialect_read,
    zip_member,
)
from .tablecheck.descriptor import READ_DIALECT
from .tablecheck.descriptor import resources_of as _resources
from .tablecheck.text import niks_by_record

ENGINES = ("releasekit", "frictionless")
__all__ = ["ENGINES", "FORMATS", "Report", "validate_paths"]


def _resource_named(descriptor: dict[str, Any], name: str) -> dict[str, Any] | None:
    """The descriptor's (first) resource called ``name``, or None."""
    return next((res for res in _resources(descriptor) if res.get("name") == name), None)


def _path_problems(descriptor: dict[str, Any]) -> list[Problem]:
    problems = []
    for res in _resources(descriptor):
        paths = res.get("path")
        for path in paths if isinstance(paths, list) else [paths]:
            reason = unsafe_path(path)
            if reason:
                problems.append(Problem("unsafe-path", f"{reason}: {path!r}", resource=res.get("name")))
        for key in ("schema", "dialect"):  # (a schema or dialect by path is the engines' to read: a URL is fetched)
            if isinstance(res.get(key), str) and "://" in res[key]:
                problems.append(Problem("unsafe-path", f"remote {key}s are not read when validating offline: "
                                                       f"{res[key]!r}", resource=res.get("name")))
        problems += [Problem("unsafe-path", f"remote profiles are not read when validating offline: {url!r}",
                             resource=res.get("name"))
                     for url in [*_remote_profiles(res), *_remote_profiles(res.get("schema"))]]
    problems += [Problem("unsafe-path", f"remote profiles are not read when validating offline: {url!r}")
                 for url in _remote_profiles(descriptor)]
    return problems


#: Where a descriptor (the package's, a resource's, a schema's) names a JSON Schema profile Frictionless reads,
#: fetching a URL (review CB M2: a package's ``profiles`` made ``validate`` in CI fetch any address and still pass).
PROFILE_KEYS = ("profile", "profiles", "$schema")
#: The standard profiles Frictionless knows without fetching them (``Metadata._is_standard_profile``).
STANDARD_PROFILE = re.compile(r"https://datapackage\.org/profiles/\d+\.\d+/[a-z-]+\.json")


def _remote_profiles(node: object) -> list[str]:
    """The addresses among the profiles of ``node`` (a descriptor, or anything else: none) other than a standard one."""
    if not isinstance(node, dict):
        return []
    found = []
    for key in PROFILE_KEYS:
        values = node.get(key)
        for value in values if isinstance(values, list) else [values]:
            if isinstance(value, str) and "://" in value and not STANDARD_PROFILE.fullmatch(value):
                found.append(value)
    return found


def _reading_problems(descriptor: dict[str, Any]) -> list[Problem]:
    """A resource declared compressed or in another encoding than UTF-8: the checker reads bytes as UTF-8 text, and
    releasekit writes every resource as plain UTF-8 (the PII gate reads such a file all the same, as Frictionless
    would: :func:`_encoded_pii_problems`)."""
    problems = []
    for res in _resources(descriptor):
        encoding = res.get("encoding", "utf-8")
        if not isinstance(encoding, str) or encoding.lower().replace("_", "-") not in ("utf-8", "utf8"):
            problems.append(Problem("resource-error", f"encoding {json.dumps(encoding)[:40]}: the PII gate reads "
                                                      "UTF-8 only; publish the file as UTF-8",
                                    resource=res.get("name")))
        if res.get("compression") not in (None, "", "no"):
            problems.append(Problem("resource-error", f"compression {json.dumps(res['compression'])[:40]}: the PII "
                                                      "gate reads plain files only; publish the file uncompressed",
                                    resource=res.get("name")))
    return problems


def _link_problems(folder: Path, named: list[str], files: list[Path]) -> list[Problem]:
    """A symbolic link among the package's files, or on the way to one the descriptor ``named``: read, it would show
    a file of the machine that validates (``data/x.csv -> /proc/self/environ`` printed as cell values), so nothing is
    read; a package holds files."""
    links = {path for path in files if path.is_symlink()}
    for path in named:  # (what the descriptor names under a hidden folder is read all the same)
        links |= {step for step in steps_to(folder, path) if step.is_symlink()}
    return [Problem("unsafe-path", f"{path.relative_to(folder).as_posix()} is a symbolic link; a package holds files, "
                                   "not links to them (nothing read)") for path in sorted(links)]


def _referenced(descriptor: dict[str, Any]) -> list[str]:
    """Every local path the descriptor names: each resource's file (each part of a multipart one), and a schema or
    dialect given by path (unsafe ones are refused before anything is read)."""
    paths = []
    for res in _resources(descriptor):
        named = res.get("path")
        paths += [p for p in (named if isinstance(named, list) else [named]) if isinstance(p, str)]
        paths += [res[key] for key in ("schema", "dialect") if isinstance(res.get(key), str)]
    return [p for p in paths if p and unsafe_path(p) is None]


def _crash(e: Exception) -> list[Problem]:
    """Frictionless raising on a malformed descriptor (some shapes it does not check): a package-error."""
    return [Problem("package-error", f"Frictionless cannot read {DESCRIPTOR} ({type(e).__name__}: {e}); a value "
                                     "there has the wrong type / deskriptor tidak dapat dibaca")]


def _frictionless(descriptor_path: Path, descriptor: dict[str, Any]) -> tuple[list[Problem], list[str]]:
    """Frictionless's problems, and its warnings (a resource that reached the error limit), each naming its resource
    (``descriptor``: the one read from ``descriptor_path``)."""
    return _frictionless_run(descriptor_path.parent, descriptor)


#: A descriptor ``json`` cannot read, or that is nested too deep to copy for Frictionless.
_TOO_DEEP = Problem("package-error", f"cannot read {DESCRIPTOR}: nested too deep")


def _frictionless_run(folder: Path, descriptor: dict[str, Any], **options: Any) -> tuple[list[Problem], list[str]]:
    """:func:`_frictionless` with ``options`` for ``frictionless.validate`` (``resource_name``, ``pick_errors``)."""
    # (a copy: Frictionless may edit the descriptor it reads, which the PII gate reads after it)
    try:
        declared = _declared_dialects(copy.deepcopy(descriptor))  # (releasekit's own code: its bugs are raised)
    except RecursionError:  # (a descriptor json reads, nested too deep for a copy: review BN #1)
        return [_TOO_DEEP], []
    try:
        report = frictionless_validate(declared, basepath=str(folder), limit_errors=ERROR_LIMIT, **options)
    except Exception as error:  # noqa: BLE001 - see _crash
        return _crash(error), []
    # Frictionless quotes cell values in its messages: mask any NIK before it can be printed.
    problems = [Problem(e.type, mask_niks(e.message)) for e in report.errors]
    warnings = []
    for task in report.tasks:
        for e in task.errors:
            problems.append(Problem(e.type, mask_niks(e.note or e.message), resource=task.name,
                                    row=getattr(e, "row_number", None), field=getattr(e, "field_name", None)))
        warnings += [mask_niks(f"resource {task.name}: {warning}") for warning in task.warnings]
    return problems, warnings


def _handed_over(folder: Path, descriptor: dict[str, Any], handed: dict[str, Problem]
                 ) -> tuple[list[Problem], list[str]]:
    """Frictionless's verdict on the resources the checker leaves to it (``handed``: a multipart resource, a dialect
    or a field the checker does not read), resource by resource, and on the foreign keys of other resources into
    them, which the checker does not look up: a valid package the checker cannot read whole is valid under both
    engines, as each says of every resource it reads itself. The PII gate stays the checker's."""
    problems: list[Problem] = []
    warnings: list[str] = []
    for res in _resources(descriptor):
        name = res.get("name")
        if name in handed:
            found, warned = _frictionless_run(folder, descriptor, resource_name=name)
        elif isinstance(schema := res.get("schema"), dict) and isinstance(keys := schema.get("foreignKeys"), list) and (
                into := [fk for fk in keys if isinstance(fk, dict) and isinstance(fk.get("reference"), dict)
                         and fk["reference"].get("resource", name) in handed]):  # (a malformed key: a schema-error)
            narrowed = {**descriptor, "resources": [{**r, "schema": {**schema, "foreignKeys": into}}
                                                    if r is res else r for r in _resources(descriptor)]}
            found, warned = _frictionless_run(folder, narrowed, resource_name=name, pick_errors=["foreign-key"])
        else:
            continue
        problems += [p for p in found if p.resource or p not in problems]  # (the descriptor's: once, as in one run)
        warnings += warned
    return problems, warnings


#: CSV Dialect's defaults, which a resource that declares no other value is read with: what the releasekit engine
#: reads (:data:`~releasekit.tablecheck.descriptor.READ_DIALECT`'s first value of each).
CSV_DIALECT = {key: READ_DIALECT[key][0] for key in ("delimiter", "quoteChar", "doubleQuote", "skipInitialSpace",
                                                     "header")}


def _declared_dialects(descriptor: dict[str, Any]) -> dict[str, Any]:
    """The descriptor with CSV Dialect's defaults written into each resource's dialect: Frictionless guesses what a
    dialect leaves out (a ``;`` file, a blank first line taken for no header), and a package published as comma
    separated is read as one by the tools its users have, as the releasekit engine reads it."""
    resources = descriptor.get("resources")
    if not isinstance(resources, list):
        return descriptor
    declared = []
    for res in resources:
        dialect = res.get("dialect", {}) if isinstance(res, dict) else None
        if isinstance(dialect, dict):
            nested = dialect.get("csv")
            if isinstance(nested, dict):
                dialect = {**dialect, "csv": {**{k: v for k, v in CSV_DIALECT.items() if k != "header"}, **nested},
                           "header": dialect.get("header", True)}
            elif nested is None and ("csv" not in dialect or len(dialect) == 1):
                # (none, or "csv": null alone, which Frictionless reads as none; beside flat options it fails on it,
                # as written and so here too: both engines then report its package-error)
                dialect = {**CSV_DIALECT, **{k: v for k, v in dialect.items() if k != "csv"}}
            res = {**res, "dialect": dialect}
        declared.append(res)
    return {**descriptor, "resources": declared}


def _descriptor_problems(descriptor: dict[str, Any]) -> list[Problem]:
    try:
        report = Package.validate_descriptor(descriptor)
    except Exception as error:  # noqa: BLE001 - see _crash
        return _crash(error)
    return [Problem(e.type, mask_niks(e.note or e.message)) for e in report.errors]


def validate_descriptor(descriptor_path: Path, label: str | None = None, *, engine: str = "releasekit",
                        every_file: bool = False) -> PackageReport:
    """Validate the package whose ``datapackage.json`` is at ``descriptor_path``.

    :param engine: ``releasekit`` (the streaming checker, :mod:`releasekit.tablecheck`) or
        ``frictionless`` (``frictionless.validate``, slower, for cross-checking).
    :param every_file: check the files under hidden folders too (an unpacked zip: every member is published); a
        package folder's ``.git`` or ``.venv`` is not its to publish (:func:`package_files`).
    """
    _refuse_unknown_engine(engine)
    with bounded_cells():
        for _ in range(SWAPS_RETRIED):
            before = _identity(descriptor_path.parent)
            result = _validate_descriptor(descriptor_path, label, engine=engine, every_file=every_file)
            if _identity(descriptor_path.parent) == before:
                break
    return result


#: A package folder swapped for another while it was read (a build's swap) is read again, up to this many times.
SWAPS_RETRIED = 3


def _identity(folder: Path) -> tuple[int, int] | None:
    """Which folder ``folder`` names now: a build swaps a project's ``datapackages/`` for the new one in one rename,
    and a package read across it was read half from each release, its descriptor from one and its files from the
    other, and reported INVALID as edited (review BX M4)."""
    try:
        info = folder.stat()
    except OSError:
        return None
    return info.st_dev, info.st_ino


def _validate_descriptor(descriptor_path: Path, label: str | None, *, engine: str,
                         every_file: bool) -> PackageReport:
    result = PackageReport(label or str(descriptor_path))
    try:
        if why := too_large_descriptor(descriptor_path.stat().st_size):
            result.problems.append(Problem("package-error", f"{DESCRIPTOR}: {why}"))
            return result
        descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        result.problems.append(Problem("package-error", f"cannot read {DESCRIPTOR}: {e}"))
        return result
    except RecursionError:
        result.problems.append(_TOO_DEEP)
        return result
    if not isinstance(descriptor, dict):
        result.problems.append(Problem("package-error", f"{DESCRIPTOR} is not a JSON object"))
        return result
    named = _referenced(descriptor)  # (read, and so checked, even under a hidden folder)
    files = sorted({*package_files(descriptor_path.parent, hidden=every_file),
                    *(f for f in (descriptor_path.parent / p for p in named) if f.is_file() or f.is_symlink())})
    result.problems += (_path_problems(descriptor) + _link_problems(descriptor_path.parent, named, files)
                        + _reading_problems(descriptor))
    if descriptor_path.is_symlink():
        result.problems.append(Problem("unsafe-path", f"{DESCRIPTOR} is a symbolic link; a package holds files"))
    if not result.problems:
        if engine == "frictionless":
            problems, result.warnings = _frictionless(descriptor_path, descriptor)
            result.problems += problems
            result.problems += _pii_problems(descriptor_path.parent, descriptor)
        else:
            result.problems += _descriptor_problems(descriptor)
            if not result.problems:  # the checker runs the PII gate in the same pass
                checker = Checker(descriptor_path.parent, descriptor)
                checked = checker.run()
                stand_ins = {id(p) for p in checker.handed.values()}  # (each replaced by Frictionless's verdict)
                result.problems += [p for p in checked if id(p) not in stand_ins]
                problems, warnings = _handed_over(descriptor_path.parent, descriptor, checker.handed)
                result.problems += problems
                result.warnings = checker.warnings() + warnings
            else:  # a descriptor the checker cannot follow: the PII gate still reads every resource
                result.problems += _pii_problems(descriptor_path.parent, descriptor)
        result.problems += _integrity_problems(descriptor) + _provenance_problems(descriptor)
        if isinstance(prov := descriptor.get("releasekit"), dict):
            result.problems += [Problem("provenance-error", why) for why in inputs_problems(descriptor_path.parent,
                                                                                             prov)]
        result.problems += contract_problems(descriptor, result.problems)
        if warning := other_version(descriptor):
            result.warnings.append(warning)
        result.problems += _published_accounting_problems(descriptor_path.parent, descriptor)
        result.problems += _pii_file_problems(descriptor_path.parent, descriptor, files)
        result.problems += _encoded_pii_problems(descriptor_path.parent, descriptor, result.problems)
        result.findings = _findings(descriptor_path.parent, descriptor)
        result.problems += _threshold_problems(descriptor_path.parent, descriptor, result.findings)
    elif not any(p.type == "unsafe-path" for p in result.problems):
        # A resource declared compressed or in another encoding, which no engine reads: the PII gate reads the
        # package all the same (its bytes, and its text as Frictionless would read it).
        result.problems += _pii_problems(descriptor_path.parent, descriptor)
        result.problems += _pii_file_problems(descriptor_path.parent, descriptor, files)
        result.problems += _encoded_pii_problems(descriptor_path.parent, descriptor, result.problems)
    # Where each problem is, for annotations: a resource's file, or the other file a problem names.
    result.files = {**{p.resource: p.resource for p in result.problems if p.type == PII_NIK and p.resource},
                    **dict(_csv_resources(descriptor))}
    result.descriptor = descriptor_path.name
    return result


def _csv_resources(descriptor: dict[str, Any]) -> Iterator[tuple[str, str]]:
    for res in _resources(descriptor):
        if isinstance(res.get("path"), str):
            yield str(res.get("name")), res["path"]


def _pii_problems(folder: Path, descriptor: dict[str, Any]) -> list[Problem]:
    """The PII gate: any NIK-like value in any column makes the package invalid (value never shown). Each record is
    read as the checker reads it, in the resource's dialect (:func:`~releasekit.tablecheck.text.niks_by_record`), so
    both engines name the same rows; a field is named by the file's header label here, by the schema's field in the
    checker."""
    problems = []
    for res in _resources(descriptor):
        file = _resource_file(folder, res)
        if file is not None:
            problems += [pii_problem(str(res.get("name")), row, field)
                         for row, field in niks_by_record(file, with_dialect_read(folder, res))]
    return problems


def _resource_file(folder: Path, res: dict[str, Any]) -> Path | None:
    """The file of a resource with one path, when it may be read: a safe path (:func:`unsafe_path`), no symbolic link
    on the way to it (:func:`_link_problems`)."""
    path = res.get("path")
    if not isinstance(path, str) or unsafe_path(path) is not None:
        return None
    steps = steps_to(folder, path)
    return steps[-1] if steps and steps[-1].is_file() and not any(step.is_symlink() for step in steps) else None


def _pii_file_problems(folder: Path, descriptor: dict[str, Any], files: list[Path]) -> list[Problem]:
    """The PII gate on every other file of the package (``datapackage.json``, ``README.md`` …), by line, and on the
    name of every file and folder (a name is published with the package too)."""
    resources = {(folder / path).resolve() for _, path in _csv_resources(descriptor)}
    return [pii_problem(path.relative_to(folder).as_posix(), None, None) for path in files
            if holds_nik(path.relative_to(folder).as_posix())] + [
        pii_problem(file.relative_to(folder).as_posix(), line)
        for file in files if file.is_file() and file.resolve() not in resources
        for line in (*nik_lines(file), *_encoded_nik_lines(file))] + [
        pii_problem(f"{file.relative_to(folder).as_posix()} (member {member})", line)
        for file in files if file.is_file() and not file.is_symlink() and file.resolve() not in resources
        and compression_of(file) == "zip" for member, line in _zip_member_lines(file, but=False)]


def _encoded_pii_problems(folder: Path, descriptor: dict[str, Any], found: list[Problem]) -> list[Problem]:
    """The PII gate on a resource whose text is other than its bytes read as UTF-8, whatever the descriptor declares
    (:func:`~releasekit.tablecheck.asread.reads_otherwise`): compressed (zip, gzip, bzip2, xz) as Frictionless tells it,
    by the path's extension or a declared ``compression``, or as its first bytes say; or in another encoding (UTF-16
    or UTF-32, a BOM says so, or one declared). The engines read its bytes (the checker) or its text (Frictionless,
    which reports no NIK): its NIKs are looked for here in its text as Frictionless reads it, record by record, in its
    dialect (a NIK in a ``tps.csv.bz2`` declared as plain CSV passed ``--engine frictionless``, exit 0); a zip's other
    members, by line. A problem already ``found`` (a NIK its bytes show as they are) is not reported twice."""
    problems = []
    for res in _resources(descriptor):
        file, name = _resource_file(folder, res), str(res.get("name"))
        if file is None or not reads_otherwise(file, res):
            continue
        problems += [pii_problem(name, row, field)
                     for row, field in niks_by_record(file, with_dialect_read(folder, res), decoded=True)]
        if compression_of(file, res.get("compression")) == "zip":
            path = file.relative_to(folder).as_posix()
            problems += [pii_problem(f"{path} (member {member})", line)
                         for member, line in _zip_member_lines(file, but=res.get("innerpath"))]
    return [problem for problem in problems if problem not in found]


def _zip_member_lines(file: Path, but: object = None) -> Iterator[tuple[str, int]]:
    """``(member, line)`` of each NIK the members of the zip at ``file`` hold (:func:`nik_lines_in`), as they are
    inflated, but the one Frictionless reads as its resource's file when ``but`` is not False (its ``innerpath``, or
    None for the first); a damaged member is read up to the damage (its bytes were scanned as they are)."""
    try:
        with zipfile.ZipFile(file) as archive:
            read = None if but is False else zip_member(archive, but)
            for info in archive.infolist():
                if info.is_dir() or info.filename == read:
                    continue
                try:
                    with archive.open(info) as member:
                        yield from ((info.filename, line) for line in nik_lines_in(member))
                except UNREADABLE:
                    continue
    except UNREADABLE:
        return


def _encoded_nik_lines(file: Path) -> Iterator[int]:
    """A NIK that a file holds otherwise than in ASCII digits, by line: compressed (gzip, bzip2, xz: as its first
    bytes or its name say), in UTF-16 (a BOM says so), as JSON escapes (``datapackage.json``: ``\\u0033`` for a
    digit, ``\\u00a0`` or ``\\t`` between them; JSON readers show them as themselves,
    :func:`releasekit.piigate.json_strings_decoded`), or wrapped over two lines of a text file (``README.md``: a
    rendered paragraph joins them, :func:`releasekit.piigate.wrapped_nik_lines`). A zip's members are
    :func:`_zip_member_lines`."""
    with file.open("rb") as handle:
        bom = handle.read(2)
    compression = compression_of(file)
    if compression == "zip":
        return
    if compression is not None:  # its text read as it is unpacked (in constant memory)
        try:
            with unpacked(file, compression) as inflated:
                yield from nik_lines_in(inflated)
        except UNREADABLE:
            return  # (a damaged file: its bytes were scanned as they are)
        return
    if bom in (b"\xff\xfe", b"\xfe\xff"):
        text = file.read_bytes().decode("utf-16", errors="replace")
        yield from (number for number, line in enumerate(text.split("\n"), start=1) if holds_nik(line))
        return
    if file.suffix.lower() in WRAPPED_TEXT:
        with file.open("rb") as handle:
            yield from wrapped_nik_lines(handle)
        return
    if file.suffix != ".json":
        return
    with file.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if b"\\" in line and holds_nik(json_strings_decoded(line.decode("utf-8", errors="replace"))):
                yield number


#: How a releasekit package declares each resource's hash (both engines compare the file with it).
SHA256 = re.compile(r"sha256:[0-9a-f]{64}")


def _integrity_problems(descriptor: dict[str, Any]) -> list[Problem]:
    """Every resource declares its SHA-256 and size, as releasekit writes them: without them (or with another
    algorithm, which Frictionless only warns it ignores) a changed file could not be told from the one published."""
    problems = []
    for res in _resources(descriptor):
        name = res.get("name")
        if not (isinstance(res.get("hash"), str) and SHA256.fullmatch(res["hash"])):
            upper = isinstance(res.get("hash"), str) and SHA256.fullmatch(res["hash"].lower())
            problems.append(Problem("integrity-error", f"hash must be 'sha256:' and 64 hexadecimal digits"
                                                       f"{' in lower case' if upper else ''}, not "
                                                       f"{json.dumps(res.get('hash'))[:80]}", resource=name))
        if type(res.get("bytes")) is not int or res["bytes"] < 0:
            problems.append(Problem("integrity-error", f"bytes must be the file's size in bytes, not "
                                                       f"{json.dumps(res.get('bytes'))[:80]}", resource=name))
    return problems


def _provenance_problems(descriptor: dict[str, Any]) -> list[Problem]:
    """Every source carries its sha256, and records in = loaded + quarantined."""
    prov = descriptor.get("releasekit")
    if not isinstance(prov, dict):
        return [Problem("provenance-error", "no 'releasekit' provenance block in datapackage.json")]
    sources = prov.get("sources", [])
    if not isinstance(sources, list):
        return [Problem("provenance-error", "releasekit.sources is not a list of sources")]
    problems = []
    for index, src in enumerate(sources):
        label = src.get("path", f"source {index}") if isinstance(src, dict) else f"source {index}"
        if not isinstance(src, dict) or not src.get("sha256"):
            problems.append(Problem("provenance-error", f"{label}: no sha256"))
            continue
        counts = [src.get(k) for k in ACCOUNTING]
        numbers = [c for c in counts if type(c) is int and c >= 0]  # (a bool is an int to isinstance)
        if len(numbers) < 3 or numbers[0] != numbers[1] + numbers[2]:
            problems.append(Problem("provenance-error",
                                    f"{label}: records in {counts[0]} != loaded {counts[1]} + quarantined {counts[2]}"))
    return problems


ACCOUNTING = ("records_in", "records_loaded", "records_quarantined")


def _published_accounting_problems(folder: Path, descriptor: dict[str, Any]) -> list[Problem]:
    """``sources.csv`` publishes what ``datapackage.json`` declares of each source (its record accounting, sha256,
    size, format, origin …, in every column both hold: each was checked on its own, so an edit of one alone passed),
    and ``quarantine.csv`` holds rows of the register's own source when, and only when, it quarantined records, no more
    rows than it counts (one row may stand for several raw rows summed into one area)."""
    prov = descriptor.get("releasekit")
    declared = prov.get("sources") if isinstance(prov, dict) else None
    if not isinstance(declared, list):
        return []
    register = prov.get("register") if isinstance(prov, dict) else None
    own = register.get("id") if isinstance(register, dict) else None
    said: dict[object, dict[str, object]] = {src.get("path"): {"register": own, **src}
                                             for src in declared if isinstance(src, dict)}
    with _rows_of(folder, descriptor, "sources") as rows:
        published: dict[object, dict[str, str | None]] | None = (
            None if rows is None else {row.get("path"): row for row in rows})
    return (_unpublished_accounting(descriptor, said, own)
            + (_sources_csv_problems(said, published) if published is not None else [])
            + _quarantine_accounting_problems(folder, descriptor, said))


def _sources_csv_problems(said: dict[object, dict[str, object]],
                          published: dict[object, dict[str, str | None]]) -> list[Problem]:
    """:func:`_published_accounting_problems`: the rows of ``sources.csv`` against the sources declared."""
    problems = []
    for path in sorted(set(said) | set(published), key=str):
        src, row = said.get(path), published.get(path)
        counts = (("/".join(row.get(k) or "" for k in ACCOUNTING) if row is not None else "nothing"),
                  ("/".join(_as_cell(src.get(k)) for k in ACCOUNTING) if src is not None else "nothing"))
        if counts[0] != counts[1]:
            problems.append(Problem("provenance-error", f"{path}: sources.csv says in/loaded/quarantined "
                                                        f"{counts[0]}, datapackage.json {counts[1]}",
                                    resource="sources"))
        if src is None or row is None:
            continue
        for column, cell in row.items():
            if column in src and column not in ACCOUNTING and (cell or "") != _as_cell(src[column]):
                problems.append(Problem("provenance-error", f"{path}: sources.csv says {column} "
                                                            f"{json.dumps(cell or '')[:80]}, datapackage.json "
                                                            f"{json.dumps(src[column])[:80]}", resource="sources"))
    return problems


def _unpublished_accounting(descriptor: dict[str, Any], said: dict[object, dict[str, object]],
                            own: object) -> list[Problem]:
    """A package that declares sources but no ``sources`` resource, or whose register's sources quarantined records
    but no ``quarantine`` resource: its accounting is not published (a package whose quarantine.csv was emptied was
    invalid, one whose quarantine resource was removed valid)."""
    quarantined = sum(n for src in said.values() if src.get("register") == own
                      and type(n := src.get("records_quarantined")) is int and n > 0)
    missing = [("sources", f"datapackage.json declares {len(said)} source(s)")] if said else []
    missing += [("quarantine", f"its sources quarantined {quarantined} record(s)")] if quarantined else []
    return [Problem("provenance-error", f"{why}, but the package has no '{name}' resource to publish them "
                                        f"(restore data/{name}.csv and its resource, or download the package again)")
            for name, why in missing if _resource_named(descriptor, name) is None]


def _as_cell(value: object) -> str:
    """A value of ``datapackage.json`` as its column of a package CSV holds it (true 1, null empty)."""
    if isinstance(value, bool):
        return str(int(value))
    return "" if value is None else str(value)


def _quarantine_accounting_problems(folder: Path, descriptor: dict[str, Any],
                                    said: dict[object, dict[str, object]]) -> list[Problem]:
    """:func:`_published_accounting_problems`: the rows of ``quarantine.csv`` against each source's count."""
    with _rows_of(folder, descriptor, "quarantine") as read:
        if read is None:
            return []
        rows: Counter[object] = Counter(row.get("source") for row in read)
    problems = []
    # Every source the package lists, another register's region list too: its quarantined records are in the
    # package as well (review BA #3: removing them passed, where removing a source of its own did not).
    for path in sorted(set(rows) | set(said), key=str):
        held, src = rows.get(path, 0), said.get(path)
        if src is None:
            problems.append(Problem("provenance-error", f"{path}: quarantine.csv holds {held} row(s) of it, but "
                                                        "datapackage.json declares no such source",
                                    resource="quarantine"))
            continue
        counted = src.get("records_quarantined")
        if type(counted) is int and (held > counted or (held == 0) != (counted == 0)):
            problems.append(Problem("provenance-error", f"{path}: quarantine.csv holds {held} row(s) of it, but "
                                                        f"datapackage.json says it quarantined {counted} record(s)",
                                    resource="quarantine"))
    return problems


def _findings(folder: Path, descriptor: dict[str, Any]) -> list[FindingSummary]:
    """Count the package's published findings per rule and severity, with a few examples."""
    summary: dict[tuple[str, str], FindingSummary] = {}
    with _rows_of(folder, descriptor, "findings") as rows:
        for row in rows or ():
            key = (row.get("rule") or "", row.get("severity") or "")
            item = summary.setdefault(key, FindingSummary(*key, 0))
            item.count += 1
            if len(item.examples) < EXAMPLES:  # examples quote the file: a NIK in it is masked
                item.examples.append(mask_niks(f"{row.get('snapshot')} {row.get('key')} ({row.get('detail')})"))
    return [summary[k] for k in sorted(summary)]


def _rule_settings(descriptor: dict[str, Any]) -> tuple[dict[str, RuleSetting], list[Problem], set[str]]:
    """The register's rule settings from ``releasekit.rules``, a problem for each that cannot be applied, and the
    rules whose setting cannot be.

    A setting that cannot be applied is reported and counts as ``off`` (not also weighed with a default).
    """
    prov = descriptor.get("releasekit")
    rules = prov.get("rules", {}) if isinstance(prov, dict) else {}
    if not isinstance(rules, dict):
        return {}, [Problem("rule-threshold", "releasekit.rules is not an object of rule settings / "
                                              "pengaturan aturan tidak valid")], set()
    settings, problems, unusable = {}, [], set()
    for slug, value in rules.items():
        why = _unusable_setting(slug, value)
        if why:
            problems.append(Problem("rule-threshold", why))
            unusable.add(slug)
        settings[slug] = RuleSetting("off") if why else RuleSetting(value.get("severity", "warning"),
                                                                    value.get("error_if"))
    return settings, problems, unusable


def _unusable_setting(slug: str, value: object) -> str | None:
    """Why a rule's setting in ``releasekit.rules`` cannot be applied, or None."""
    if not isinstance(value, dict):
        return f"releasekit.rules.{slug} is not an object (severity, error_if) / pengaturan aturan tidak valid"
    if value.get("severity", "warning") not in SEVERITIES:
        return (f"releasekit.rules.{slug}.severity: {json.dumps(value['severity'])[:40]} is none of "
                f"{', '.join(SEVERITIES)} / tingkat keparahan aturan tidak valid")
    if not valid_threshold(value.get("error_if")):
        return (f"releasekit.rules.{slug}.error_if: bad threshold {value['error_if']!r}; write it as '> 0.5%' "
                "or '>= 10' / ambang batas tidak valid")
    return None


def _threshold_problems(folder: Path, descriptor: dict[str, Any], found: list[FindingSummary]) -> list[Problem]:
    """Rules the register sets to ``error`` whose findings pass their ``error_if`` threshold.

    A setting that cannot be applied is a problem too.
    """
    settings, problems, unusable = _rule_settings(descriptor)
    paths = dict(_csv_resources(descriptor))
    if "findings" not in paths and any(s.severity == "error" for s in settings.values()):
        # (a findings.csv left out of the descriptor: its error findings were never weighed, exit 0)
        problems.append(Problem("rule-threshold", "the register sets rules to 'error' but the package declares no "
                                "'findings' resource: their findings cannot be weighed / temuan tidak dapat dinilai"))
    # Weighed by the register's setting, not by the severity findings.csv writes beside each finding (the build
    # writes the setting's; a package edited to call its errors warnings would pass its thresholds otherwise).
    counts: dict[str, int] = {}
    for f in found:
        setting = settings.get(f.rule)
        if setting is not None and f.rule not in unusable and f.severity != setting.severity:
            problems.append(Problem("rule-threshold", f"{f.rule}: findings.csv marks {f.count} finding(s) "
                                                      f"{f.severity!r}, the register sets the rule to "
                                                      f"{setting.severity!r} / tingkat keparahan temuan tidak sesuai",
                                    resource="findings"))
        if (setting.severity if setting is not None else f.severity) == "error":
            counts[f.rule] = counts.get(f.rule, 0) + f.count
    # Each rule's percentage is of its own population, counted from the package (one more read of a
    # file) only when an error rule has findings to weigh.
    sizes = {of: _population_size(folder, descriptor, of) for of in {population(rule) for rule in counts}}
    return problems + [
        Problem("rule-threshold",
                f"{b.rule}: {b.findings} error finding(s) in {b.rows} {b.population.label}"
                + (f" break the threshold '{b.error_if}'" if b.error_if else "")
                + " / temuan melewati ambang batas",
                resource="findings")
        for b in breaches(counts, settings, sizes)
    ]


def _population_size(folder: Path, descriptor: dict[str, Any], of: Population) -> int:
    """The rows of the population's tables in the package, or the sum of its column (0 for a table it lacks)."""
    return sum(_table_size(folder, descriptor, table, of.column) for table in of.tables)


def _table_size(folder: Path, descriptor: dict[str, Any], table: str, column: str | None) -> int:
    res = _resource_named(descriptor, table)
    file = _resource_file(folder, res) if res is not None and column is None and "dialect" not in res else None
    if file is not None:  # (CSV Dialect's defaults: a line a row)
        with file.open("rb") as handle:
            return max(sum(1 for _ in handle) - 1, 0)
    with _rows_of(folder, descriptor, table) as rows:
        if column is None:
            return sum(1 for _ in rows or ())
        return sum(int(cell) for row in rows or () if (cell := row.get(column) or "").isdecimal())


@contextmanager
def _rows_of(folder: Path, descriptor: dict[str, Any], name: str) -> Iterator[Iterator[dict[str, str | None]] | None]:
    """The rows of the package's resource ``name``, each by its column labels, read as Frictionless reads them: in
    the resource's declared dialect (a ``sources.csv`` separated by ``;`` that declares it was read by commas, and
    its accounting said to be missing), from the row of labels it declares. None: no such resource or file. Bytes
    that are not UTF-8 are the checker's encoding-error; here they only must not stop the count (a BOM is not part
    of the first label: it hid every row's rule)."""
    res = _resource_named(descriptor, name)
    file = _resource_file(folder, res) if res is not None else None
    if res is None or file is None:
        yield None
        return
    reading = csv_reading(with_dialect_read(folder, res))
    with file.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
        rows = csv.reader(handle, **(reading.options or {}))
        labels = reading.names
        for _ in range(reading.label_row):
            labels = next(rows, [])
        # (as csv.DictReader: a cell a row lacks is None, and so differs from what the descriptor says)
        yield ({label: row[at] if at < len(row) else None for at, label in enumerate(labels)}
               for row in _until_unreadable(rows))


def _until_unreadable(rows: Iterator[list[str]]) -> Iterator[list[str]]:
    """``rows`` until one a CSV reader cannot read (the checker reports it)."""
    try:
        yield from rows
    except csv.Error:
        return


#: The most bytes read to tell whether a ``.json`` of another name is a descriptor (releasekit's are a few KB).
DESCRIPTOR_LIMIT = 16 << 20


def _is_descriptor(path: Path) -> bool:
    """Whether a ``.json`` not named ``datapackage.json`` is a Data Package descriptor (an object with a list of
    ``resources``): any other JSON (``package.json``) would have its folder, and everything under it, validated
    as a package."""
    try:
        with path.open("rb") as handle:
            data = handle.read(DESCRIPTOR_LIMIT + 1)
        value = json.loads(data) if len(data) <= DESCRIPTOR_LIMIT else None
    except (OSError, ValueError, RecursionError):
        return False
    return isinstance(value, dict) and isinstance(value.get("resources"), list)


def _is_zip(path: Path) -> bool:
    return path.name.lower().endswith(".zip")


def _targets(path: Path) -> Iterator[Path]:
    """Each package at ``path``: a descriptor or a zip (a descriptor that is not there is reported as missing)."""
    if path.is_file():
        if _is_zip(path) or path.name == DESCRIPTOR or (path.suffix == ".json" and _is_descriptor(path)):
            yield path
            return
        if path.suffix.lower() in (".yml", ".yaml"):  # a project's metadata.yml, as build and publish take it
            yield from _project_packages(path)
            return
        raise PackageError(f"{path}: not a package", hint="give a package folder, datapackage.json or .zip")
    if (path / DESCRIPTOR).is_file():
        yield path / DESCRIPTOR
        return
    if (path / "metadata.yml").is_file():
        yield from _project_packages(path)
        return
    yield from _folder_of_packages(path)


def _project_packages(project: Path) -> Iterator[Path]:
    """Both artefacts of each register of the project (its folder, or its ``metadata.yml``): folder, then zip."""
    from .config import load_release
    from .package import PACKAGES_DIR

    release = load_release(project)
    root = project if project.is_dir() else project.parent  # (as given: the report names the packages so)
    for reg in release.registers:
        yield root / PACKAGES_DIR / reg.slug / DESCRIPTOR
        yield root / PACKAGES_DIR / f"{reg.slug}.zip"


def _folder_of_packages(path: Path) -> list[Path]:
    """A folder of packages (``datapackages/``): each subfolder is a package (hidden ones aside) and so is each zip.

    A subfolder without its descriptor is reported as a package not found, where it was passed over unread.
    """
    children = sorted(path.iterdir(), key=lambda p: p.name) if path.is_dir() else []
    folders = [c for c in children if c.is_dir() and not c.name.startswith(".")]
    zips = [c for c in children if c.is_file() and _is_zip(c)]
    if not zips and not any((folder / DESCRIPTOR).is_file() for folder in folders):
        if not path.exists():
            raise PackageError(f"{path}: no such file or folder", hint="check the path")
        downloads = path / "static" / "downloads"  # (a site releasekit publish wrote)
        raise PackageError(f"{path}: no {DESCRIPTOR} here or one level down",
                           hint=f"a published site keeps its packages in {downloads}: give that folder"
                           if downloads.is_dir() else
                           "give a package folder, datapackage.json, .zip, or a project with metadata.yml")
    # A package's folder before its zip (``x/`` before ``x.zip``), so the zip may share the folder's report.
    return sorted([*(folder / DESCRIPTOR for folder in folders), *zips],
                  key=lambda p: (p.parent.name, 0) if p.name == DESCRIPTOR else (p.name[:-4], 1))


def validate_paths(paths: str | Path | list[str | Path], *, engine: str = "releasekit",
                   on_unopened: Callable[[PackageError], object] | None = None) -> Report:
    """Validate every package found at ``paths``.

    :param paths: a package folder, ``datapackage.json``, ``.zip``, a folder of packages or a project (all its
        packages), or a list of them.

    :param engine: see :func:`validate_descriptor`.
    :param on_unopened: called with the error of a path that holds no package (missing, no package there, a zip
        that cannot be unpacked); that path is then one invalid report (:func:`~releasekit.report.unopened`, in
        place of any of its packages validated before the error) and the other paths are still validated.

    :raises PackageError: when a path holds no package at all and ``on_unopened`` is not given.
    :raises UsageError: ``engine`` is not one of :data:`ENGINES`; no path, or an empty one (review AY #1: a CI script's
        glob that matched nothing passed, valid with no package, and ``""``, a variable left unset, validated ``.``).
    """
    _refuse_unknown_engine(engine)
    # (one path: not its characters, each a path; any other iterable read once, here: review BA #1, a glob's
    # generator was used up by the checks below and the loop validated nothing, valid)
    paths = [paths] if isinstance(paths, (str, Path)) else list(paths)
    if not paths:
        raise UsageError("no path to validate", hint="give a package folder, a datapackage.json, a .zip or a project "
                         "folder ('.' for the current one)")
    refuse_empty_paths(*paths)
    reports: list[PackageReport] = []
    with ExitStack() as stack:
        stack.enter_context(bounded_cells())
        for raw in paths:
            first = len(reports)
            try:
                try:
                    reports += _validate_path(Path(raw), engine, stack)
                except (ReleasekitError, OSError) as e:  # (a project whose metadata.yml is refused, a file that
                    # cannot be read: that path is invalid, the others are still validated and reported)
                    raise _as_package_error(e, Path(raw)) from e
            except PackageError as e:
                if on_unopened is None:
                    raise
                del reports[first:]
                on_unopened(e)
                reports.append(unopened(str(raw), str(e)))
    return Report(reports)


def _refuse_unknown_engine(engine: str) -> None:
    """:raises UsageError: ``engine`` is not one of :data:`ENGINES` (the library's callers have no click to check)."""
    if engine not in ENGINES:
        raise UsageError(f"engine {engine!r}: validate runs {' or '.join(ENGINES)}",
                         hint=did_you_mean(engine, ENGINES) + "give one of them")


def _as_package_error(error: ReleasekitError | OSError, path: Path) -> PackageError:
    """``error``, met while validating ``path``, as the :class:`PackageError` of a path that could not be opened."""
    if isinstance(error, PackageError):
        return error
    if isinstance(error, ReleasekitError):
        return PackageError(error.args[0], hint=error.hint)
    return PackageError(f"{error.filename or path}: cannot be read: {error.strerror or error}",
                        hint=OS_HINTS.get(error.errno or 0, OS_HINT))


def _validate_path(path: Path, engine: str, stack: ExitStack) -> Iterator[PackageReport]:
    """The report on each package at ``path`` (a zip is unpacked into a folder ``stack`` removes, unless it holds
    the files of a package folder validated just before, byte for byte: a project's ``<slug>.zip`` beside
    ``<slug>/``, whose report it then shares)."""
    folders: dict[Path, PackageReport] = {}
    for target in _targets(path):
        if not target.exists() and target.name == DESCRIPTOR and target.parent.is_dir():
            yield PackageReport(str(target.parent), [Problem(
                "package-error", f"no {DESCRIPTOR} in this package folder: its files cannot be checked without it "
                "(run 'releasekit build', or move a folder that is no package out of the folder of packages)")])
        elif not target.exists():  # (a project not built: named as a built one's packages are, folder or zip)
            zipped = target.name != DESCRIPTOR
            yield PackageReport(str(target if zipped else target.parent), [Problem(
                "package-error", "package not found; run 'releasekit build' first")], zipped=zipped)
        elif _is_zip(target):
            folder = folders.get(target.with_name(target.name[:-4]))
            try:
                if folder is not None and holds_the_folder(target, Path(folder.package)):
                    report = replace(folder, package=str(target), problems=list(folder.problems),
                                     findings=list(folder.findings), warnings=list(folder.warnings))
                else:
                    tmp = Path(stack.enter_context(tempfile.TemporaryDirectory()))
                    report = validate_descriptor(extract_zip(target, tmp), label=str(target), engine=engine,
                                                 every_file=True)
            except PackageError as e:
                if target == path:
                    raise
                yield unopened(str(target), str(e))  # (one zip of a folder or project: the others still count)
                continue
            report.zipped = True
            report.problems += zip_comment_problems(target)
            yield report
        else:
            report = validate_descriptor(target, label=str(target.parent), engine=engine)
            if target.name == DESCRIPTOR:
                folders[target.parent] = report
            yield report
