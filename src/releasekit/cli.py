"""The command line: thin commands over the library, and one error-translation point."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from . import __version__
from .build import build as build_release
from .config import load_release
from .errors import ReleasekitError
from .validate import ENGINES, FORMATS, validate_paths


class ReleasekitGroup(click.Group):
    """Turns every :class:`ReleasekitError` into ``Error: …`` and exit 1 (``--debug`` re-raises)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ReleasekitError as e:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            raise click.ClickException(str(e)) from e


class BarProgress:
    """Draws a progress bar per source on a terminal; silent otherwise."""

    def __init__(self) -> None:
        self.bar: Any = None
        self.done = 0

    def start(self, label: str, total_bytes: int) -> None:
        if sys.stderr.isatty():
            self.bar = click.progressbar(length=max(total_bytes, 1), label=label, file=sys.stderr)
            self.bar.__enter__()
        else:
            click.echo(f"reading {label}", err=True)
        self.done = 0

    def update(self, done_bytes: int) -> None:
        if self.bar is not None:
            self.bar.update(done_bytes - self.done)
            self.done = done_bytes

    def finish(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


@click.group(cls=ReleasekitGroup)
@click.version_option(__version__, prog_name="releasekit")
@click.option("--debug", is_flag=True, help="Show the full traceback of an error.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Raw election-register exports → a reproducible, validated, documented data release."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


@cli.command()
@click.argument("project", default=".", type=click.Path(file_okay=False, path_type=Path))
def build(project: Path) -> None:
    """Ingest every source, write build/release.db and every register's package.

    Exit 0 even when the data has findings; exit 1 when the release cannot be built.

    Example: releasekit build .
    """
    release = load_release(project)
    result = build_release(release, progress=BarProgress())
    click.echo(f"built {len(result.packages)} register package(s) from {len(result.accounting)} source(s):")
    for pkg in result.packages:
        click.echo(f"  {pkg.register.id} {pkg.register.slug:<24} {pkg.register.status:<15} "
                   f"{pkg.zip_path.relative_to(release.root)}")
    click.echo("rows: " + ", ".join(f"{name} {count}" for name, count in result.counts.items()))
    click.echo(f"quarantined records: {result.quarantined}")
    click.echo("findings: " + (", ".join(f"{rule} {n}" for rule, n in result.findings.items()) or "none"))
    click.echo(f"database: {result.database.relative_to(release.root)}  ({result.seconds:.1f} s)")


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="Report format.")
@click.option("--engine", type=click.Choice(ENGINES), default="releasekit", show_default=True,
              help="Data checker: releasekit's streaming checker, or frictionless (slower) to cross-check.")
def validate(paths: tuple[Path, ...], fmt: str, engine: str) -> None:
    """Validate packages: a package folder, datapackage.json, .zip, or a project (all its packages).

    Exit 0 when every package is valid, 1 when any is invalid, 2 on usage errors.

    Example: releasekit validate datapackages/real-count.zip
    """
    report = validate_paths(list(paths) or [Path(".")], engine=engine)
    click.echo(report.render(fmt), nl=False)
    sys.exit(0 if report.valid else 1)


@cli.command()
@click.argument("project", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=8001, show_default=True, help="Port to bind.")
def serve(project: Path, host: str, port: int) -> None:
    """Serve build/release.db with Datasette, metadata generated from metadata.yml.

    Example: releasekit serve . --port 8001
    """
    from .publish import serve as serve_release

    release = load_release(project)
    click.echo(f"serving {release.title} on http://{host}:{port}/", err=True)
    serve_release(release, host=host, port=port)
