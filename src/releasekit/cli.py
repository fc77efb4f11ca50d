"""The command line: thin commands over the library, and one error-translation point."""

from __future__ import annotations

import codecs
import contextlib
import errno
import io
import logging
import shlex
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from . import __version__
from .build import build as build_release
from .config import load_release
from .diffreport import FORMATS as DIFF_FORMATS
from .errors import OS_HINT, OS_HINTS, PackageError, ReleasekitError, UsageError, one_line_text, sqlite_machine_failure
from .privacy import mask_niks
from .report import Report
from .validate import ENGINES, FORMATS, validate_paths


class ReleasekitGroup(click.Group):
    """Turns every error into one line ``Error: …``: exit 2 for a :class:`UsageError`, else exit 1.

    A :class:`ReleasekitError` carries its own message; an ``OSError`` with a reason, or SQLite failing to write
    (a full disk, a quota, a file that cannot be read), is the machine's, reported with a hint for what went wrong;
    any other exception is a bug, reported as an internal error (masked like every message). ``--debug``
    re-raises, showing the traceback.
    """

    def main(self, *args: Any, **kwargs: Any) -> Any:
        for stream in (sys.stdout, sys.stderr):  # (a locale's encoding lacks '→' or '✅': shown escaped, no crash)
            if not _utf8(stream) and isinstance(stream, io.TextIOWrapper):
                stream.reconfigure(errors="backslashreplace")
        return super().main(*args, **kwargs)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise  # click's own: usage errors, --help, Ctrl-C
        except Exception as e:
            broken_pipe = isinstance(e, OSError) and e.errno == errno.EPIPE  # piped into `head`: click exits quietly
            if broken_pipe or (ctx.obj and ctx.obj.get("debug")):
                raise
            raise one_line(e, ctx.invoked_subcommand) from e


def one_line(error: Exception, command: str | None = None) -> click.ClickException:
    """The ``Error: …`` line (and exit code) for an exception ``command`` (a subcommand's name) raised."""
    if isinstance(error, UsageError):
        return click.UsageError(str(error))
    if isinstance(error, ReleasekitError):  # (a name a message quotes from a file may hold a line break)
        return click.ClickException(one_line_text(str(error)))
    if isinstance(error, OSError) and error.strerror:
        # The machine, not releasekit: a full disk, a file that cannot be read or written (a build then publishes
        # nothing); the hint follows what went wrong.
        where = f"{filename}: " if (filename := getattr(error, "filename", None)) else ""
        hint = OS_HINTS.get(error.errno or 0, OS_HINT)
        return click.ClickException(one_line_text(mask_niks(f"{where}{error.strerror} (hint: {hint})")))
    if sqlite_machine_failure(error):
        code = getattr(error, "sqlite_errorname", None)
        return click.ClickException(mask_niks(
            f"SQLite: {error}{f' ({code})' if code else ''} (hint: check that the disk has room, that no quota or "
            "file-size limit (ulimit -f) stops the write and that the disk works, then run the command again)"))
    message = " ".join(str(error).split())
    # (--debug is the group's option: 'releasekit build --debug' is a usage error, review BU M3)
    again = f"releasekit --debug {command} …" if command else "releasekit --debug <command> …"
    return click.ClickException(mask_niks(
        f"internal error: {type(error).__name__}: {message} (hint: this is a bug in releasekit: "
        f"run it again as '{again}' (or with {DEBUG_VARIABLE}=1) for the traceback, and report it)"))


class GivenPath(click.Path):
    """A path that is not empty: ``""`` (a variable unset in a CI script, ``validate "$PKG"``) is refused, where
    click reads it as ``.``, the current folder, and the command would validate, build or serve that."""

    def __init__(self, *, instead: str = "give '.' for the current folder", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.instead = instead

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and not value:
            self.fail(f"an empty path (a variable left unset?); {self.instead}", param, ctx)
        return super().convert(value, param, ctx)


PATH = GivenPath(path_type=Path)
#: ``publish``'s FOLDER: '.' is no answer there, the project folder is refused (review BU L5).
SITE_FOLDER = GivenPath(path_type=Path, instead="give the folder to write the site to")


def given(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """:class:`GivenPath`'s refusal for an argument that is a snapshot id or a path (``diff``)."""
    if not value:
        raise click.BadParameter("empty (a variable left unset?)", ctx, param)
    return value


#: Columns a progress bar takes besides its label (click's bar of 36, the percentage, the spaces between).
_BAR_COLUMNS = 48


def bar_label(label: str, columns: int) -> str:
    """``label`` on one line, shortened in its middle to fit a terminal ``columns`` wide beside its bar: a line
    wider than the terminal wraps, and each redraw of the bar would leave a copy of it (review BU L6)."""
    text = one_line_text(label)
    room = max(columns - _BAR_COLUMNS, 20)
    if len(text) <= room:
        return text
    tail = (room - 1) * 2 // 3  # (the file name is at the end: keep more of it)
    return text[:room - 1 - tail] + "…" + text[len(text) - tail:]


class BarProgress:
    """Draws a progress bar per source on a terminal; a line per source otherwise; nothing when ``silent``."""

    def __init__(self, *, silent: bool = False) -> None:
        self.bar: Any = None
        self.done = 0
        self.silent = silent

    def start(self, label: str, total_bytes: int) -> None:
        self.done = 0
        if self.silent or sys.stderr is None:  # (None: standard error closed, 'build 2>&-', review BU L3)
            return
        if sys.stderr.isatty():
            self.bar = click.progressbar(length=max(total_bytes, 1), file=sys.stderr,
                                         label=bar_label(label, shutil.get_terminal_size().columns))
            self.bar.__enter__()
        else:
            click.echo(f"reading {one_line_text(label)}", err=True)

    def update(self, done_bytes: int) -> None:
        if self.bar is not None:
            self.bar.update(done_bytes - self.done)
            self.done = done_bytes

    def finish(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


#: Set to 1, it does what ``--debug`` does (a CI job can set it once).
DEBUG_VARIABLE = "RELEASEKIT_DEBUG"


@click.group(cls=ReleasekitGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="releasekit")
@click.option("--debug", is_flag=True, envvar=DEBUG_VARIABLE,
              help=f"Show the full traceback of an error (or set {DEBUG_VARIABLE}=1).")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Raw election-register exports → a reproducible, validated, documented data release."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


def _utf8(stream: Any) -> bool:
    return codecs.lookup(getattr(stream, "encoding", None) or "utf-8").name == "utf-8"


def utf8_stdout() -> None:
    """Write a report that is a file (json, markdown, github, csv) in UTF-8 whatever the locale's encoding: JSON must
    be, and GitHub reads a job summary so (in ISO-8859-1, a report holding '✅' or '→' was an internal error)."""
    if not _utf8(sys.stdout) and isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.flush()
        sys.stdout.reconfigure(encoding="utf-8")


@cli.command(short_help="Build build/release.db and every register's package.")
@click.argument("project", default=".", type=PATH)
@click.option("--clean", is_flag=True,
              help="Load every source and compare every pair of days again, ignoring build/cache/ "
                   "(replaced once the build succeeds).")
@click.option("--silent", is_flag=True, help="No progress on standard error (errors are still shown).")
def build(project: Path, clean: bool, silent: bool) -> None:
    """Ingest every source, write build/release.db and every register's package.

    PROJECT is the project folder (default: this one) or its metadata.yml (or a YAML file in its place).
    Sources an earlier build loaded are reused from build/cache/ (same bytes as a clean build).
    The summary goes to standard output, progress to standard error.
    Exit 0 even when the data has findings; exit 1 when the release cannot be built.

    Environment: SOURCE_DATE_EPOCH (seconds since 1970) stamps the packages' 'created' and their zip
    members; unset, no date is written and the members carry 1980-01-01.

    Example: releasekit build .
    """
    release = load_release(project)
    result = build_release(release, progress=BarProgress(silent=silent), clean=clean)
    # (the paths are the project's: where it is not this folder, the first line says which it is, as given)
    where = "" if release.root == Path.cwd().resolve() else (
        f" in {one_line_text(str(project.parent if project.is_file() else project))}")
    for line in result.summary(release, named=where):
        click.echo(line)


@cli.command(short_help="Validate packages, a folder of them, or a project's.")
@click.argument("paths", nargs=-1, type=PATH)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="Report format.")
@click.option("--engine", type=click.Choice(ENGINES), default="releasekit", show_default=True,
              help="Data checker: releasekit's streaming checker, or frictionless (slower) to cross-check.")
def validate(paths: tuple[Path, ...], fmt: str, engine: str) -> None:
    """Validate packages: a package folder, datapackage.json, .zip, a folder of packages, or a project
    (all its packages). Without PATHS: the current folder.

    Exit 0 when every package is valid, 1 when any is invalid, 2 on usage errors. A PATH that holds
    no package is invalid: one 'Error:' line on stderr, and in json, markdown and github an invalid
    entry of the report beside the packages that could be validated.

    Example: releasekit validate datapackages/real-count.zip
    """
    errors: list[PackageError] = []

    def unopened(error: PackageError) -> None:  # no package there: the PATH is invalid, said in one line on stderr
        errors.append(error)
        click.echo(f"Error: {error}", err=True)

    if fmt != "text":
        utf8_stdout()
    report = validate_paths(list(paths) or [Path(".")], engine=engine, on_unopened=unopened)
    if fmt == "text":  # (the other formats keep its entry: a row of the summary, an annotation)
        report = Report([p for p in report.packages if p.opened])
    if report.packages or not errors:
        click.echo(report.render(fmt), nl=False)
    sys.exit(0 if report.valid and not errors else 1)


@cli.command(short_help="Compare two snapshots or two releases row by row.")
@click.argument("old", callback=given)
@click.argument("new", callback=given)
@click.option("--project", default=".", show_default=True, type=PATH,
              help="Project whose build/release.db holds the snapshot ids: its folder or its metadata.yml.")
@click.option("--election", help="Compare only this election (e.g. ppwp-2024).")
@click.option("--format", "fmt", type=click.Choice(DIFF_FORMATS), default="text", show_default=True,
              help="Report format; csv lists every changed field as a row.")
@click.option("--ignore", multiple=True, metavar="FIELD",
              help="Leave a field out of the comparison (repeatable): ts, jumlah_foto, suara, suara/2 ...")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(min=0),
              help="Changed TPS listed in detail per comparison (text, markdown, json); 0 lists all.")
def diff(old: str, new: str, project: Path, election: str | None, fmt: str, ignore: tuple[str, ...],
         limit: int) -> None:
    """Compare two snapshots or two releases row by row (TPS added, removed, changed).

    OLD and NEW are snapshot ids of the project (2024-02-19), package folders, .zip packages,
    release.db files or projects; PATH@SNAPSHOT picks one snapshot of a path. Exit 0 whatever
    the changes: it reports, it does not judge; exit 1 when a side cannot be read, 2 on usage errors.

    Example: releasekit diff published/real-count.zip datapackages/real-count
    """
    from .diff import diff as diff_release
    from .diffreport import CsvChanges, notes, render

    if fmt != "text":
        utf8_stdout()
    if fmt != "csv":
        click.echo(render(diff_release(old, new, project=project, election=election, ignore=ignore,
                                       limit=limit or None), fmt), nl=False)
        return
    with CsvChanges(sys.stdout) as stream:
        result = diff_release(old, new, project=project, election=election, ignore=ignore, limit=0, on_change=stream)
    for note in notes(result):  # (the CSV holds changed fields only: an empty one must not read as "no change")
        click.echo(f"note: {note}", err=True)


@cli.command(short_help="Serve the built release with Datasette.")
@click.argument("project", default=".", type=PATH)
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind; loopback unless you say otherwise (0.0.0.0 for every interface).")
@click.option("-p", "--port", default=8001, show_default=True, type=click.IntRange(0, 65535),
              help="Port to bind (0: any free port).")
@click.option("--allow-robots", is_flag=True, help="Let search engines crawl (robots.txt blocks them by default).")
@click.option("--allow-sql", is_flag=True,
              help="Let visitors run their own SQL (off by default: a few large values can exhaust the server).")
def serve(project: Path, host: str, port: int, allow_robots: bool, allow_sql: bool) -> None:
    """Serve the built release with Datasette: register pages, canned queries, downloads.

    PROJECT is the project folder (default: this one) or its metadata.yml.

    Writes the site into build/site/ (as 'publish' would) and serves it read-only. A release not
    built, or an address that cannot be listened on, is refused before anything is served.

    Example: releasekit serve . --port 8001
    """
    from .publish import serve as serve_release

    release = load_release(project)
    with uvicorn_warnings():
        serve_release(release, host=host, port=port, allow_robots=allow_robots, allow_sql=allow_sql,
                      ready=lambda url: click.echo(f"serving {release.title} on {url}", err=True),
                      note=lambda line: click.echo(f"note: {line}", err=True))


@contextlib.contextmanager
def uvicorn_warnings() -> Iterator[None]:
    """Print the server's warnings and errors (an invalid request, a failing page) on stderr while ``serve`` runs,
    as ``WARNING: …``: the library leaves logging to its host (review CE L3), and the CLI is that host."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(logging.WARNING)
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    logger = logging.getLogger("uvicorn")
    logger.addHandler(handler)
    previous = logger.propagate
    logger.propagate = False  # (a host that configured the root logger does not get each line twice)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.propagate = previous


@cli.command(short_help="Write a self-contained Datasette site to FOLDER.")
@click.argument("folder", type=SITE_FOLDER)
@click.option("--project", default=".", show_default=True, type=PATH,
              help="The release project (built with 'releasekit build'): its folder or its metadata.yml.")
@click.option("--allow-robots", is_flag=True, help="Let search engines crawl (robots.txt blocks them by default).")
@click.option("--allow-sql", is_flag=True,
              help="Let visitors run their own SQL (off by default: a few large values can exhaust the server).")
def publish(folder: Path, project: Path, allow_robots: bool, allow_sql: bool) -> None:
    """Write a self-contained Datasette site to FOLDER, ready to deploy.

    FOLDER holds the database, metadata.json, settings.json, register pages, the package
    zips, a pinned requirements.txt and a Dockerfile; 'datasette serve FOLDER' serves it as is.

    Example: releasekit publish ../site && datasette serve ../site
    """
    from .publish import write_site

    release = load_release(project)
    site = write_site(release, folder, allow_robots=allow_robots, allow_sql=allow_sql)
    shown = one_line_text(str(folder))  # (as given, review BU L5; site.folder is resolved)
    click.echo(f"wrote {shown}: {site.database.name} ({site.database.bytes:,} bytes, "
               f"sha256 {site.database.sha256}), {len(site.packages)} package zip(s)")
    click.echo(f"serve it with: datasette serve {shlex.quote(str(folder))}")
    for line in site.notes():
        click.echo(f"note: {line}")
