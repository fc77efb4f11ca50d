"""``releasekit validate``: check packages as a downloader gets them.

Accepts a package folder, a ``datapackage.json``, a ``.zip``, a folder of
packages, or a release project (all its registers' packages). Each package is
checked for unsafe resource paths, then validated by Frictionless (descriptor,
Table Schema types and constraints, primary and foreign keys, ``hash`` and
``bytes``). The result is a :class:`Report` of problems in Frictionless's error
vocabulary, rendered as text, JSON or Markdown.
"""

from __future__ import annotations

import json
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from frictionless import validate as frictionless_validate

from .artefacts import json_text
from .errors import PackageError

DESCRIPTOR = "datapackage.json"
FORMATS = ("text", "json", "markdown")


@dataclass(frozen=True)
class Problem:
    """One reason a package is invalid, in Frictionless's vocabulary (``type`` slug)."""

    type: str
    message: str
    resource: str | None = None
    row: int | None = None
    field: str | None = None


@dataclass
class PackageReport:
    """The verdict on one package."""

    package: str
    problems: list[Problem] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        """True when there is no problem."""
        return not self.problems


@dataclass
class Report:
    """The verdict on every package validated in one run."""

    packages: list[PackageReport]

    @property
    def valid(self) -> bool:
        """True when every package is valid."""
        return all(p.valid for p in self.packages)

    def to_dict(self) -> dict[str, Any]:
        """Stable JSON-able form (no timings)."""
        return {
            "valid": self.valid,
            "packages": [
                {"package": p.package, "valid": p.valid,
                 "errors": [{k: v for k, v in asdict(e).items() if v is not None} for e in p.problems]}
                for p in self.packages
            ],
        }

    def render(self, fmt: str = "text") -> str:
        """Render as ``text``, ``json`` or ``markdown``."""
        if fmt == "json":
            return json_text(self.to_dict())
        if fmt == "markdown":
            return _markdown(self)
        return _text(self)


def _where(p: Problem) -> str:
    parts = [p.resource and f"resource {p.resource}", p.row and f"row {p.row}", p.field and f"field {p.field}"]
    return ", ".join(x for x in parts if x)


def _text(report: Report) -> str:
    lines = []
    for pkg in report.packages:
        verdict = "valid / sah" if pkg.valid else f"INVALID / TIDAK SAH ({len(pkg.problems)} problem(s))"
        lines.append(f"{pkg.package}: {verdict}")
        for p in pkg.problems[:50]:
            where = _where(p)
            lines.append(f"  [{p.type}] {where + ': ' if where else ''}{p.message}")
        if len(pkg.problems) > 50:
            lines.append(f"  … and {len(pkg.problems) - 50} more")
    return "\n".join(lines) + "\n"


def _markdown(report: Report) -> str:
    head = "✅ all packages valid" if report.valid else "❌ invalid packages found"
    lines = [f"## releasekit validate: {head}", "", "| package | verdict | problems |", "|---|---|---:|"]
    for pkg in report.packages:
        lines.append(f"| `{pkg.package}` | {'valid' if pkg.valid else 'invalid'} | {len(pkg.problems)} |")
    for pkg in report.packages:
        if pkg.problems:
            lines += ["", f"### `{pkg.package}`", "", "| type | where | message |", "|---|---|---|"]
            for p in pkg.problems[:50]:
                lines.append(f"| `{p.type}` | {_where(p)} | {p.message.replace('|', '/')} |")
    return "\n".join(lines) + "\n"


def unsafe_path(path: object) -> str | None:
    """Why a resource path may not be read, or None when it is a safe relative path."""
    if not isinstance(path, str) or not path:
        return "resource path must be a non-empty string"
    if "://" in path:
        return "remote resource paths are not read when validating offline"
    pure = PurePosixPath(path.replace("\\", "/"))
    if pure.is_absolute() or path[1:3] == ":/" or path[1:3] == ":\\":
        return "absolute resource paths are refused"
    if ".." in pure.parts:
        return "resource paths may not leave the package folder ('..')"
    return None


def _path_problems(descriptor: dict[str, Any]) -> list[Problem]:
    problems = []
    for res in descriptor.get("resources", []) or []:
        paths = res.get("path") if isinstance(res, dict) else None
        for path in paths if isinstance(paths, list) else [paths]:
            reason = unsafe_path(path)
            if reason:
                problems.append(Problem("unsafe-path", f"{reason}: {path!r}", resource=res.get("name")))
    return problems


def _frictionless(descriptor_path: Path) -> list[Problem]:
    report = frictionless_validate(str(descriptor_path))
    problems = [Problem(e.type, e.message) for e in report.errors]
    for task in report.tasks:
        for e in task.errors:
            problems.append(Problem(e.type, e.note or e.message, resource=task.name,
                                    row=getattr(e, "row_number", None), field=getattr(e, "field_name", None)))
    return problems


def validate_descriptor(descriptor_path: Path, label: str | None = None) -> PackageReport:
    """Validate the package whose ``datapackage.json`` is at ``descriptor_path``."""
    result = PackageReport(label or str(descriptor_path))
    try:
        descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        result.problems.append(Problem("package-error", f"cannot read {DESCRIPTOR}: {e}"))
        return result
    if not isinstance(descriptor, dict):
        result.problems.append(Problem("package-error", f"{DESCRIPTOR} is not a JSON object"))
        return result
    result.problems += _path_problems(descriptor)
    if not result.problems:
        result.problems += _frictionless(descriptor_path)
    return result


def _extract_zip(zip_path: Path, into: Path) -> Path:
    try:
        archive = zipfile.ZipFile(zip_path)
    except zipfile.BadZipFile as e:
        raise PackageError(f"{zip_path}: not a zip archive ({e})", hint="download the package again") from e
    with archive:
        for name in archive.namelist():
            reason = unsafe_path(name)
            if reason:
                raise PackageError(f"{zip_path}: member {name!r}: {reason}",
                                   hint="this archive tries to write outside its folder; do not unpack it")
        archive.extractall(into)
    candidates = sorted(into.rglob(DESCRIPTOR), key=lambda p: len(p.parts))
    if not candidates:
        raise PackageError(f"{zip_path}: no {DESCRIPTOR} inside", hint="is this a data package zip?")
    return candidates[0]


def _targets(path: Path) -> Iterator[Path]:
    if path.is_file():
        if path.name.endswith(".zip") or path.name == DESCRIPTOR or path.suffix == ".json":
            yield path
            return
        raise PackageError(f"{path}: not a package", hint="give a package folder, datapackage.json or .zip")
    if (path / DESCRIPTOR).is_file():
        yield path / DESCRIPTOR
        return
    if (path / "metadata.yml").is_file():
        from .config import load_release
        from .package import PACKAGES_DIR

        release = load_release(path)
        for reg in release.registers:
            yield path / PACKAGES_DIR / reg.slug / DESCRIPTOR
        return
    found = sorted(path.glob(f"*/{DESCRIPTOR}"))
    if not found:
        if not path.exists():
            raise PackageError(f"{path}: no such file or folder", hint="check the path")
        raise PackageError(f"{path}: no {DESCRIPTOR} here or one level down",
                           hint="give a package folder, datapackage.json, .zip, or a project with metadata.yml")
    yield from found


def validate_paths(paths: list[str | Path]) -> Report:
    """Validate every package found at ``paths``.

    :raises PackageError: when a path holds no package at all.
    """
    reports = []
    with ExitStack() as stack:
        for raw in paths:
            for target in _targets(Path(raw)):
                if not target.exists():
                    reports.append(PackageReport(str(target), [Problem(
                        "package-error", "package not found; run 'releasekit build' first")]))
                elif target.name.endswith(".zip"):
                    tmp = Path(stack.enter_context(tempfile.TemporaryDirectory()))
                    reports.append(validate_descriptor(_extract_zip(target, tmp), label=str(target)))
                else:
                    reports.append(validate_descriptor(target, label=str(target.parent)))
    return Report(reports)
