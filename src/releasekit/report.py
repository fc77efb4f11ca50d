"""Validation reports: problems in Frictionless's error vocabulary, and four renderings.

``text`` for people (grouped by error type, with the register's data findings),
``json`` (stable keys, no timings), ``markdown`` (a CI step summary) and
``github`` (workflow annotations). Messages a person reads are English first,
then Indonesian.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from .artefacts import json_text, md_cell
from .errors import UsageError, did_you_mean, one_line_text
from .privacy import mask_niks, shorten

#: The most characters of a problem's message, resource or field a report shows (the rest cut, marked …).
MESSAGE_LIMIT = 1_000

FORMATS = ("text", "json", "markdown", "github")
EXAMPLES = 3
SHOWN = 20


@dataclass(frozen=True)
class Problem:
    """One reason a package is invalid; ``type`` is a Frictionless-style slug."""

    type: str
    message: str
    resource: str | None = None
    row: int | None = None
    field: str | None = None

    def __post_init__(self) -> None:
        # Messages quote cell values, fields name header labels: no NIK-like value may reach a report,
        # whoever built the problem.
        for name in ("message", "resource", "field"):
            text = getattr(self, name)
            if isinstance(text, str):  # (and cut: a message may quote a cell of any length, review BB #7)
                object.__setattr__(self, name, shorten(text, MESSAGE_LIMIT - 1) if len(text) > MESSAGE_LIMIT
                                   else mask_niks(text))

    @property
    def where(self) -> str:
        """``resource x, row n, field f`` (whatever is known)."""
        parts = [self.resource and f"resource {self.resource}", self.row and f"row {self.row}",
                 self.field and f"field {self.field}"]
        return ", ".join(p for p in parts if p)


#: The message of a ``pii-nik`` problem (the value itself is never shown).
PII_MESSAGE = "unmasked NIK-like value (16 digits: region code + birth date) / NIK tanpa sensor"


#: The PII gate's problem type.
PII_NIK = "pii-nik"


def pii_problem(resource: str | None, row: int | None, field: str | None = None) -> Problem:
    """The PII gate's problem: a NIK-like value at ``row`` (a line, for a file read byte by byte) of ``resource``."""
    return Problem(PII_NIK, PII_MESSAGE, resource=resource, row=row, field=field)


@dataclass
class FindingSummary:
    """The data findings of one rule in a package (published facts, not problems)."""

    rule: str
    severity: str
    count: int
    #: A few findings, as text (the caller masks them: they quote the package's ``findings.csv``).
    examples: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rule, self.severity = mask_niks(self.rule), mask_niks(self.severity)


@dataclass
class PackageReport:
    """The verdict on one package."""

    package: str
    problems: list[Problem] = field(default_factory=list)
    findings: list[FindingSummary] = field(default_factory=list)
    #: Each problem's ``resource`` → its file, relative to ``package`` (resources and the package's other files).
    files: dict[str, str] = field(default_factory=dict)
    #: The descriptor's file name, where problems of no known file point.
    descriptor: str = "datapackage.json"
    #: True when ``package`` is a ``.zip``: annotations then point at the zip itself.
    zipped: bool = False
    #: What was not checked (a resource that reached the error limit): not problems, but the report is partial.
    warnings: list[str] = field(default_factory=list)
    #: False when ``package`` could not be opened as a package at all (see :func:`unopened`).
    opened: bool = True

    @property
    def valid(self) -> bool:
        """True when there is no problem."""
        return not self.problems

    def file_of(self, resource: str | None) -> str:
        """The file a problem of ``resource`` is in, for annotations (a zipped package's zip, whatever the member)."""
        if self.zipped or not self.opened:
            return self.package
        return f"{self.package}/{self.files.get(resource or '', self.descriptor)}"


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
                {
                    "package": p.package,
                    "valid": p.valid,
                    "errorCount": len(p.problems),
                    "errors": [{k: v for k, v in asdict(e).items() if v is not None} for e in p.problems],
                    "findings": [asdict(f) for f in p.findings],
                    "warnings": list(p.warnings),
                }
                for p in self.packages
            ],
        }

    def render(self, fmt: str = "text") -> str:
        """Render as one of :data:`FORMATS`; any NIK-like value left (a package path, say) is masked.

        :param fmt: ``text``, ``json``, ``markdown`` or ``github`` (workflow annotations).
        :returns: the report, ending in a line break.
        :raises UsageError: ``fmt`` is not one of them.
        """
        if fmt not in FORMATS:
            raise UsageError(f"format {fmt!r}: a report renders as {', '.join(FORMATS)}",
                             hint=did_you_mean(fmt, FORMATS) + "give one of them")
        render = {"json": lambda r: json_text(r.to_dict()), "markdown": _markdown, "github": _github,
                  "text": _text}[fmt]
        return mask_niks(render(self))


def by_kind(problems: list[Problem]) -> list[tuple[str, list[Problem]]]:
    """``problems`` grouped by type, the types sorted, each group in the order found."""
    groups: dict[str, list[Problem]] = {}
    for problem in problems:
        groups.setdefault(problem.type, []).append(problem)
    return sorted(groups.items())


def unopened(path: str, message: str) -> PackageReport:
    """The report on a path that holds no package to validate (missing, no package there, a zip that cannot be
    unpacked): invalid, its one problem a ``package-error`` with ``message`` (less a leading ``"<path>: "``);
    annotations point at the path itself."""
    message = message.removeprefix(f"{path}: ")
    return PackageReport(path, [Problem("package-error", message)], opened=False)


#: The two verdicts, in English and Indonesian (*lolos validasi*: "passed validation"; not *sah*, the word for a
#: ballot's validity and for "lawful", which beside a register's legal status read as "the release is unlawful":
#: review CD L4).
VALID = "valid / lolos validasi"
INVALID = "INVALID / tidak lolos validasi"


def _verdict(pkg: PackageReport) -> str:
    if pkg.valid:
        return VALID
    return f"{INVALID}: {len(pkg.problems)} problem(s) / masalah"


#: What to do about a problem of a type, in the text report (review AO #6: a re-saved CSV showed only
#: 'resource tps: expected is "12620" and actual is "12935"').
_CHANGED = ("the file is not the one published (a download cut short, or a file edited or re-saved): download the "
            "package again; a file changed on purpose needs its new sha256 and bytes in datapackage.json")
HINTS = {"hash-count": _CHANGED, "byte-count": _CHANGED}


def _text(report: Report) -> str:
    lines = []
    for pkg in report.packages:
        lines.append(f"{pkg.package}: {_verdict(pkg)}")
        for kind, group in by_kind(pkg.problems):
            count = len(group)
            lines.append(f"  {kind} ({count})")
            shown = group[:SHOWN]
            for p in shown:
                where = p.where + (f" ({pkg.files[p.resource]})" if p.resource in pkg.files and not p.row else "")
                lines.append(one_line_text(f"    {where + ': ' if where else ''}{p.message}"))
            if count > len(shown):
                lines.append(f"    … {count - len(shown)} more / lainnya")
            if kind in HINTS:
                lines.append(f"    hint: {HINTS[kind]}")
        lines += [one_line_text(f"  warning / peringatan: {w}") for w in pkg.warnings]
        if pkg.findings:
            lines.append("  data findings (published facts) / temuan data (fakta yang dipublikasikan):")
            for f in pkg.findings:
                examples = "; ".join(f.examples)
                lines.append(one_line_text(f"    {f.rule:<28} {f.severity:<8} {f.count:>8}   e.g. {examples}"))
    return "\n".join(lines) + "\n"


def _md_text(text: object) -> str:
    """Text from a package (a severity, a message) as plain text in a Markdown table: no markup, no HTML."""
    return md_cell(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("`", "\\`")


def _md_code(text: object) -> str:
    """Text from a package (a path, a findings rule) as a code span in a Markdown table (a backtick would end it)."""
    return f"`{md_cell(text).replace('`', chr(39))}`"


def _markdown(report: Report) -> str:
    head = ("✅ all packages valid / semua paket lolos validasi" if report.valid
            else "❌ invalid packages / paket tidak lolos validasi")
    lines = [f"## releasekit validate: {head}", "", "| package | verdict | problems | findings |",
             "|---|---|---:|---:|"]
    for pkg in report.packages:
        lines.append(f"| {_md_code(pkg.package)} | {'valid' if pkg.valid else '**invalid**'} | {len(pkg.problems)} | "
                     f"{sum(f.count for f in pkg.findings)} |")
    for pkg in report.packages:
        if pkg.problems:
            lines += ["", f"### {_md_code(pkg.package)}: problems / masalah", "", "| type | where | message |",
                      "|---|---|---|"]
            lines += [f"| {_md_code(p.type)} | {_md_text(p.where)} | {_md_text(p.message)} |"
                      for p in pkg.problems[:SHOWN * 5]]
        if pkg.warnings:
            lines += [""] + [f"> ⚠️ {_md_text(w)}" for w in pkg.warnings]
        if pkg.findings:
            lines += ["", f"### {_md_code(pkg.package)}: data findings / temuan data", "",
                      "| rule | severity | count |", "|---|---|---:|"]
            lines += [f"| {_md_code(f.rule)} | {_md_text(f.severity)} | {f.count} |" for f in pkg.findings]
    return "\n".join(lines) + "\n"


def _escape(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    """An annotation property value (a file path may hold ``:`` or ``,``, which end a property)."""
    return _escape(text).replace(":", "%3A").replace(",", "%2C")


#: The annotation level of a data finding, by its severity (a rule the register counts as an error is an error).
LEVELS = {"error": "error", "warning": "warning"}


def _github(report: Report) -> str:
    lines = []
    for pkg in report.packages:
        for p in pkg.problems:
            line = f",line={p.row}" if p.row and not pkg.zipped else ""  # a zip has no lines to point at
            props = f"file={_property(pkg.file_of(p.resource))}{line},title={_property(p.type)}"
            lines.append(f"::error {props}::{_escape((p.where + ': ' if p.where else '') + p.message)}")
        for f in pkg.findings:
            lines.append(f"::{LEVELS.get(f.severity, 'notice')} file={_property(pkg.file_of('findings'))},"
                         f"title={_property(f.rule)}::{f.count} {_escape(f.severity)} finding(s) / temuan")
        lines += [f"::warning title=releasekit::{_escape(pkg.package)}: {_escape(w)}" for w in pkg.warnings]
        lines.append(f"::notice title=releasekit::{_escape(pkg.package)}: {_verdict(pkg)}")
    return "\n".join(lines) + "\n"
