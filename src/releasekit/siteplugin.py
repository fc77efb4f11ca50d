"""The one-off Datasette plugin every site carries (``plugins/releasekit_site.py``): a 404 that is a 404.

Datasette 0.65 answers an address no route takes (``/.env``, ``/a/b/c/d``, ``/release/hasil_tps/a/b/c``) with a
500: its default ``handle_exception`` prints the traceback with ``rich`` (installed beside releasekit) before it
writes the 404 page, and ``rich`` refuses to print one outside an ``except:`` block, where Datasette's 404 of an
unrouted address is made. This plugin hands that default a ``rich`` that prints a traceback only where there is
one (:class:`_RichWhereRaised`), so such an address gets Datasette's own 404 page. Every error raised still has
its traceback printed, but a request's own mistake (a 404, a 400): of that nothing is printed, as Datasette prints
nothing of it without ``rich``.

A table page asked to sort by a column it cannot sort by (``?_sort=nope``), or by ``_sort`` and ``_sort_desc`` at
once, or given a ``_through`` no foreign key joins or not of its shape, JSON that does not parse in a parameter
(``kode_tps__in=[``) or a ``_timelimit`` that is no number, is a bad request, answered with a 400, and a row
address with too few parts of its key a 404, and a POST to a table or a canned query a 405 (Datasette 0.65 answers
each with a 500, where it gives the same mistake in ``_col`` a 400). A row address with more parts than its key is
a 404 too (Datasette 0.65 ignored the parts after the key's), and a canned query's JSON error (``_shape=bogus``) is
sent with its status, where Datasette 0.65 sent it with a 200.

A table with a key of several columns (``suara``: election, snapshot, TPS, candidate) is paged by one row-value
comparison, ``(kode_pemilu, snapshot, kode_tps, nomor_urut) > (:p0, :p1, :p2, :p3)``, which SQLite answers by a
search of the key's index, in place of Datasette 0.65's chain of ``or``-ed comparisons, which it answers by
scanning the index from the start: each page cost as much as every page before it (36 ms for a page near the end
of DKI's ``suara``, 0.3 ms by row value), and a "stream all rows" CSV of a large table stopped part-way at the
time limit, answered with a 200 (review AV #1).

A table sorted by a column (``?_sort=severity``, or its own ``sort``: ``sources`` by register) has its first page
ordered by that column and then its key, as Datasette 0.65 orders every later page: it ordered the first by the column
alone, and where SQLite met the rows tied on it in another order than the key's, the pages and the "stream all rows"
CSV skipped some and repeated others (review BS H1).

A cell naming a raw source by its path (``hasil_tps.sumber``, ``quarantine.source``, …) links to that source's row
of ``sources``, with its SHA-256 and record accounting, and a finding's ``key`` that starts with the code of a TPS
the release holds links to that TPS's page, which lists its results and, below them, its findings: a number on the
site leads to where it came from and to what the rules found about it (review BZ H1: each step was a URL typed
by hand). A canned query's region (``kode_wilayah``) links one level down: the totals of the regions in it, the
same figures of ``completeness`` or ``turnout`` under it, a village's TPS results (review BZ M3).

A row page leads on (review CD M3): a code a foreign key of one column joins to another table is a link to that
row, named by its label, as on Datasette's table pages (its row pages showed the bare code), and the templates
``row-release-*.html`` add, through :func:`extra_template_vars`, the regions a TPS or region lies in and a TPS's
votes per candidate on its results' page (``suara``'s foreign key to ``hasil_tps`` has three columns, which
Datasette's "Links from other tables" leaves out).

Every HTML page declares its language, English (``<html lang="en">``), which Datasette's ``base.html`` does not.

Unless the site lets robots in (``--allow-robots``), every response says ``X-Robots-Tag: noindex, nofollow``, as
its ``robots.txt`` does where crawlers read it.

A path holding ``//`` (``//release``, ``/release//hasil_tps``), which Datasette does not route either, gets a
permanent redirect to the same path with each run of slashes made one (``/release``, ``/release/hasil_tps``), the
query kept. The redirect is always to a path of this site: ``//example.com/x`` becomes ``/example.com/x``, never
an address elsewhere, as a ``Location`` of ``//example.com/x`` would be; a backslash is escaped (``%5C``), as
browsers read ``/\\example.com`` as ``//example.com``.

:mod:`releasekit.publish` copies this file into every site; ``datasette serve DIR`` loads the plugins of a
configuration directory's ``plugins/`` folder, and so does ``releasekit serve``.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Awaitable, Callable, MutableMapping
from contextvars import ContextVar
from pathlib import PurePath
from typing import Any
from urllib.parse import quote, urlencode

# Datasette's plugin manager before its default exception handler: imported first, ``datasette.handle_exception``
# imports ``datasette.plugins``, which registers the handler's module half-made, with no hook, and every Datasette
# in the process then fails its error pages ("Default exception handler should have returned something"), as it
# did after a program imported this module as ``releasekit.siteplugin``.
import datasette.plugins  # noqa: F401

# isort: split
import datasette.database as datasette_database
import datasette.handle_exception as handling
import datasette.views.base as base_view
import datasette.views.row as row_view
import datasette.views.special as special_view
import datasette.views.table as table_view
from datasette import hookimpl
from datasette.utils import escape_sqlite, tilde_decode, tilde_encode
from datasette.utils.asgi import Base400, NotFound
from datasette.utils.sqlite import sqlite3  # (Datasette's: pysqlite3 where that is installed, else Python's)
from datasette.views.base import DatasetteError
from markupsafe import Markup, escape

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

#: The site's database (:data:`releasekit.pages.DATABASE`).
DATABASE = "release"
#: The longest text or blob a query of the site may make (SQLite's ``SQLITE_LIMIT_LENGTH``, on every connection):
#: far above any value releasekit writes (a quarantined record's raw text is cut at 2,000 characters), far below
#: the gigabyte one ``zeroblob(1e9)`` in a visitor's SQL would make (``publish --allow-sql``; review CB H1).
LONGEST_VALUE = 1_000_000
#: Columns that name a raw source by its path, in every table but ``sources`` itself.
SOURCE_COLUMNS = frozenset({"sumber", "source"})
#: The totals one level below a region, by the length of its code: (query, its parameter naming the parent).
_TOTALS_BELOW = {1: ("totals_province", ""), 2: ("totals_kabkota", "provinsi"), 4: ("totals_kecamatan", "kabkota"),
                 6: ("totals_desa", "kecamatan")}
#: The queries of figures per region that a result's row came from, told apart by a column only that query gives:
#: (column, query); each goes one level down by its own ``kode_induk``.
_FIGURES_BELOW = (("kelengkapan", "completeness"), ("partisipasi", "turnout"))
#: What each ``tingkat`` of ``wilayah`` is.
LEVELS = {1: "provinsi", 2: "kabupaten/kota", 3: "kecamatan", 4: "desa/kelurahan"}
#: Each table's columns joined to another table by a foreign key of one column (:func:`_outbound`).
_OUTBOUND: dict[str, dict[str, tuple[str, str, str | None]]] = {}
#: A finding's key about a TPS: its 13-character code, alone or followed by ``/`` and what at the TPS.
_TPS_KEY = re.compile(r"([0-9]{13})(/.*)?", re.DOTALL)

_SLASHES = re.compile(rb"//+")
#: What a path keeps unescaped when no ``raw_path`` gives its bytes (RFC 3986's path characters and ``%``).
_SAFE = "/:@!$&'()*+,;=-._~%"


def one_slash(app: App) -> App:
    """``app``, with a request whose path holds ``//`` redirected to the path with single slashes."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        raw = scope.get("raw_path") or quote(str(scope.get("path", "")), safe=_SAFE).encode("ascii")
        if scope.get("type") != "http" or b"//" not in raw:
            await app(scope, receive, send)
            return
        location = _SLASHES.sub(b"/", raw).replace(b"\\", b"%5C")  # (a browser reads /\\x as //x: another site)
        if scope.get("query_string"):
            location += b"?" + scope["query_string"]
        await send({"type": "http.response.start", "status": 301,
                    "headers": [(b"location", location), (b"content-type", b"text/plain; charset=utf-8")]})
        await send({"type": "http.response.body", "body": b""})

    return wrapped


#: Set on an exception :func:`handle_exception` answered as the request's mistake (a 400, a 404, a 405).
_ANSWERED = "_releasekit_answered"


class _RichWhereRaised:
    """``rich`` as Datasette's default ``handle_exception`` uses it (``rich.get_console().print_exception(…)``),
    printing a traceback only while an exception is being handled (a 404 of an unrouted address has none), and only
    of an error Datasette itself would print without ``rich``: a 404 or a 400 prints nothing."""

    def __init__(self, rich: Any) -> None:
        self.rich = rich

    def get_console(self) -> _RichWhereRaised:
        return self

    def print_exception(self, **options: Any) -> None:
        raised = sys.exc_info()[1]
        # (a request's own mistake, a 404 or a 400, is no error of the site: without rich Datasette prints nothing
        # for it, and rich printed 16 KB of traceback and locals for each, 190 ms a request: review BH M2; one this
        # plugin answers with a 400 or a 404 is still the exception raised while the answer is written, BJ M1)
        if raised is not None and not isinstance(raised, Base400 | DatasetteError) \
                and not getattr(raised, _ANSWERED, False):
            self.rich.get_console().print_exception(**options)


class _TracebackOfErrors:
    """``traceback`` as Datasette's default ``handle_exception`` uses it (``traceback.print_exc()``, for an exception
    that is no Datasette error): every handler is run, the default one too, so it printed the traceback of what this
    plugin had already answered as the request's mistake (review BJ M1)."""

    def __init__(self, module: Any) -> None:
        self.module = module

    def print_exc(self, *args: Any, **kwargs: Any) -> None:
        if not getattr(sys.exc_info()[1], _ANSWERED, False):
            self.module.print_exc(*args, **kwargs)


if getattr(handling, "rich", None) is not None and not isinstance(handling.rich, _RichWhereRaised):
    handling.rich = _RichWhereRaised(handling.rich)
if not isinstance(handling.traceback, _TracebackOfErrors):
    handling.traceback = _TracebackOfErrors(handling.traceback)


def keys_after_sql(pks: list[str], start_index: int = 0) -> str:
    """The rows after the key ``:p{start_index}…``, as Datasette's ``compound_keys_after_sql`` selects them, as one
    row-value comparison: the same rows (a key's columns are never NULL; each pair is compared with its column's
    affinity, as the chain of comparisons does), found by a search of the key's index."""
    columns = ", ".join(escape_sqlite(pk) for pk in pks)
    values = ", ".join(f":p{start_index + i}" for i in range(len(pks)))
    return f"(({columns}) > ({values}))"


table_view.compound_keys_after_sql = keys_after_sql


#: The table whose first page is being answered (``TableView.data`` without ``_next``), else None.
_FIRST_PAGE_OF: ContextVar[str | None] = ContextVar("releasekit_first_page_of", default=None)


def _sorted_first_page(data: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    """``TableView.data``, noting a table's first page for :func:`_tie_broken` (sorted by ``_sort``, ``_sort_desc``
    or the table's own ``sort`` in ``metadata.json``: ``sources`` by register)."""

    async def noted(self: Any, request: Any, default_labels: bool = False, _next: Any = None,
                    _size: Any = None) -> Any:
        first = not (_next or request.args.get("_next")) and "table" in request.url_vars
        token = _FIRST_PAGE_OF.set(tilde_decode(request.url_vars["table"]) if first else None)
        try:
            return await data(self, request, default_labels, _next, _size)
        finally:
            _FIRST_PAGE_OF.reset(token)

    noted.releasekit = True  # type: ignore[attr-defined]
    return noted


#: The end of a table page's query as Datasette 0.65 writes it, ordered by one column (``… order by [severity] desc
#: limit 101``; a facet's query is ordered by two, ``count desc, value``).
_ONE_COLUMN_ORDER = re.compile(r" order by (?P<order>[^,]+?) (?P<limit>limit \d+(?: offset \d+)?)$")


def _tie_broken(execute: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    """``Database.execute``, ending a sorted table's first page's ``ORDER BY`` with the table's key, as Datasette
    0.65 ends every later page's. It did not: the first page took the rows tied on the sorted column in whatever
    order SQLite met them, and the next pages, which go on after the last row by (column, key), skipped or repeated
    the rest; a "stream all rows" CSV of ``findings`` sorted by severity held 1,167 of 4,170 rows (review BS H1)."""

    async def broken(self: Any, sql: str, *args: Any, **kwargs: Any) -> Any:
        table = _FIRST_PAGE_OF.get()
        found = _ONE_COLUMN_ORDER.search(sql) if table is not None else None
        if found and sql.startswith("select ") and f" from {escape_sqlite(table)} " in sql:
            pks = await self.primary_keys(table)
            if pks and not (len(pks) == 1 and found["order"] == escape_sqlite(pks[0])):
                # (a table without a key is paged by offset: no tie to break; nor has a table's own one-column key)
                keys = ", ".join(escape_sqlite(pk) for pk in pks)
                sql = f"{sql[:found.end('order')]}, {keys} {sql[found.start('limit'):]}"
        return await execute(self, sql, *args, **kwargs)

    broken.releasekit = True  # type: ignore[attr-defined]
    return broken


if not getattr(table_view.TableView.data, "releasekit", False):
    table_view.TableView.data = _sorted_first_page(table_view.TableView.data)
if not getattr(datasette_database.Database.execute, "releasekit", False):
    datasette_database.Database.execute = _tie_broken(datasette_database.Database.execute)


def _whole_key(sql_params_pks: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    """The row view's ``_sql_params_pks``, refusing an address with more parts than the table's key has: Datasette
    0.65 bound the first parts and ignored the rest, so ``/release/tps/3101011001001,9999`` answered 200 with TPS
    3101011001001, and each row had any number of addresses (review BS L1). Too few parts is a 404 already
    (:func:`_bad_request`)."""

    async def whole(db: Any, table: str, pk_values: list[str]) -> Any:
        sql, params, pks = await sql_params_pks(db, table, pk_values)
        if len(pk_values) > len(pks):
            raise NotFound(f"Row not found: its address gives {len(pk_values)} parts of a key of {len(pks)}")
        return sql, params, pks

    whole.releasekit = True  # type: ignore[attr-defined]
    return whole


_ROW_SQL = getattr(row_view, "_sql_params_pks", None)  # (Datasette 0.65's private name: patched where it is)
if _ROW_SQL is not None and not getattr(_ROW_SQL, "releasekit", False):
    row_view._sql_params_pks = _whole_key(row_view._sql_params_pks)


def _error_status(get: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    """``DataView.get``, sending a JSON error with its own status: a canned query's view sets the status of every
    answer it renders (200 where its SQL ran), over the 400 of the JSON renderer's own error, so
    ``totals_province.json?_shape=bogus`` said ``"status": 400`` with an HTTP 200, which a script checking the status
    reads as success (review BS L2); ``_shape=object`` of a query, which has no key, said why with a 200 too. An
    error that gives no status of its own is a 400: the request asked what the page cannot give."""

    async def got(self: Any, request: Any) -> Any:
        response = await get(self, request)
        body = getattr(response, "body", None)
        if getattr(response, "status", None) == 200 and isinstance(body, str | bytes) \
                and body[:13] in ('{"ok": false,', b'{"ok": false,'):
            try:
                said = json.loads(body)
            except ValueError:
                return response
            status = said.get("status") if isinstance(said, dict) else None
            response.status = status if isinstance(status, int) and 400 <= status < 600 else 400
        return response

    got.releasekit = True  # type: ignore[attr-defined]
    return got


if not getattr(base_view.DataView.get, "releasekit", False):
    base_view.DataView.get = _error_status(base_view.DataView.get)


#: How the errors Datasette 0.65 raises for a table page's bad parameters, with no status (a 500), begin.
_BAD_PARAMETERS = ("Cannot sort table by ", "Cannot use _sort and _sort_desc", "Invalid _through")


def _bad_request(request: Any, exception: BaseException) -> tuple[int, str] | None:
    """(status, message) for an error Datasette 0.65 lets through as a 500 though the request made it: JSON that
    does not parse in a parameter (``_through``, ``kode_tps__in=[``), a ``_through`` of the wrong shape, a
    ``_timelimit`` that is no number, a row address with too few parts of its key (no such row), a POST to a table or
    a canned query (the site is read-only: review BH L2); else None."""
    args = getattr(request, "args", {})
    if isinstance(exception, json.JSONDecodeError):
        return 400, f"a parameter is not valid JSON: {exception}"
    if "_through" in args and isinstance(exception, (KeyError, TypeError, AttributeError, ValueError)):
        return 400, 'Invalid _through: it takes {"table": …, "column": …, "value": …}'
    if "_timelimit" in args and isinstance(exception, ValueError):
        return 400, "Invalid _timelimit: it takes a number of milliseconds"
    if isinstance(exception, sqlite3.ProgrammingError) and "binding" in str(exception):
        return 404, "Row not found: its address does not give every part of the key"
    if getattr(request, "method", None) == "POST" and (
            isinstance(exception, AttributeError) and "asgi_send" in str(exception)  # (a query's: no response)
            or isinstance(exception, AssertionError) and "POST to a canned query" in str(exception)):  # (a table's)
        return 405, "Method not allowed: this site is read-only"
    return None


@hookimpl(tryfirst=True)  # type: ignore[untyped-decorator]  # (before Datasette's own handler, which writes the page)
def handle_exception(datasette: Any, request: Any, exception: BaseException) -> Any:
    """A table page's bad parameter is a 400 (a row that cannot be, a 404): the status of Datasette's error is set
    before its handler reads it, or its handler writes the page of one with that status (the first answer is the
    one sent). The request's mistake is marked answered: no traceback is printed of it (:class:`_RichWhereRaised`)."""
    if isinstance(exception, DatasetteError):
        if (exception.status == 500 and isinstance(exception.message, str)
                and exception.message.startswith(_BAD_PARAMETERS)):
            exception.status = 400
        return None
    found = _bad_request(request, exception)
    if found is None:
        return None
    status, message = found
    setattr(exception, _ANSWERED, True)  # (the request's mistake: no traceback printed, :class:`_RichWhereRaised`)
    return handling.handle_exception(datasette, request, DatasetteError(message, status=status))


def no_index(app: App) -> App:
    """``app``, every response of which says ``X-Robots-Tag: noindex, nofollow``: a site served under a path prefix
    has its ``robots.txt`` where no crawler reads it (``/pemilu/robots.txt``), and the header says it on every page
    (review BH M3)."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        async def tagged(message: Message) -> None:
            if message.get("type") == "http.response.start":
                headers = list(message.get("headers") or [])
                if not any(name.lower() == b"x-robots-tag" for name, _ in headers):
                    headers.append((b"x-robots-tag", b"noindex, nofollow"))
                message = {**message, "headers": headers}
            await send(message)

        await app(scope, receive, tagged)

    return wrapped


#: How a page of Datasette 0.65's ``base.html`` begins, and the same with the language its pages are written in.
_UNDECLARED = b"<!DOCTYPE html>\n<html>"
_DECLARED = b'<!DOCTYPE html>\n<html lang="en">'


def in_english(app: App) -> App:
    """``app``, every HTML page of which declares its language (``<html lang="en">``), which Datasette's
    ``base.html`` does not: a screen reader guesses it otherwise, and may read the page with the voice of another
    (WCAG 3.1.1; review BL M2). The pages are English first, their Indonesian paragraphs marked ``lang="id"``.
    A page that does not begin as ``base.html`` begins is sent as it is."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        start: Message | None = None

        async def declared(message: Message) -> None:
            nonlocal start
            if message.get("type") == "http.response.start" and _is_html(message):
                start = message  # (held until the first part of the body: its length may change)
                return
            if start is not None and message.get("type") == "http.response.body":
                held, start = start, None
                body = message.get("body", b"")
                if body.startswith(_UNDECLARED):
                    body = _DECLARED + body[len(_UNDECLARED):]
                    held = {**held, "headers": _longer(held.get("headers") or [], len(_DECLARED) - len(_UNDECLARED))}
                    message = {**message, "body": body}
                await send(held)
            await send(message)

        await app(scope, receive, declared)

    return wrapped


def _is_html(start: Message) -> bool:
    return any(name.lower() == b"content-type" and value.lower().startswith(b"text/html")
               for name, value in start.get("headers") or [])


def _longer(headers: list[tuple[bytes, bytes]], by: int) -> list[tuple[bytes, bytes]]:
    """``headers`` with their ``content-length``, if they give one, made ``by`` bytes more."""
    return [(name, str(int(value) + by).encode("ascii")) if name.lower() == b"content-length" else (name, value)
            for name, value in headers]


@hookimpl  # type: ignore[untyped-decorator]  # (pluggy's marker is untyped)
def prepare_connection(conn: Any) -> None:
    """Cut every value a query makes at :data:`LONGEST_VALUE` ("string or blob too big" past it)."""
    setlimit = getattr(conn, "setlimit", None)  # (Python 3.11's sqlite3 has it; an older pysqlite3 may not)
    if setlimit is not None:
        setlimit(sqlite3.SQLITE_LIMIT_LENGTH, LONGEST_VALUE)


@hookimpl  # type: ignore[untyped-decorator]  # (pluggy's marker is untyped)
def register_routes(datasette: Any) -> list[tuple[str, Any]]:
    """``/-/databases`` (and ``.json``) as Datasette's own, each database's ``path`` its file's name: Datasette gives
    the path it opened, and ``releasekit serve`` opens the site by its absolute path, which names the serving
    machine's folders and user (review CB L4). A plugin's routes come before Datasette's."""
    return [(r"/-/databases(\.(?P<format>json))?$",
             special_view.JsonDataView.as_view(datasette, "databases.json", lambda: _databases(datasette)))]


def _databases(datasette: Any) -> list[dict[str, Any]]:
    """What Datasette 0.65 says of its databases at ``/-/databases.json``, with each ``path`` its file's name."""
    return [{**d, "path": d["path"] and PurePath(d["path"]).name} for d in datasette._connected_databases()]


@hookimpl  # type: ignore[untyped-decorator]  # (pluggy's marker is untyped)
def render_cell(row: Any, value: Any, column: str, table: str | None, database: str, datasette: Any) -> Any:
    """Link a source's path to its row of ``sources``, a finding's key to the TPS it is about, a code a foreign key
    joins to its row (named, where Datasette has not: on a row page), and a region of a canned query's result to its
    regions one level down; say what a region's ``tingkat`` is; write a canned query's whole figures with thousands
    separators (None: Datasette renders the cell as it would)."""
    if database != DATABASE:
        return None
    if table == "wilayah" and column == "tingkat" and value in LEVELS:
        return Markup(f'{value}&nbsp;<em>{LEVELS[value]}</em>')
    if table is None and type(value) is int and not column.startswith(("kode_", "nomor_")):
        return f"{value:,}"  # (a canned query's figure, as the register page writes it: review CD L3)
    if not isinstance(value, str) or not value:
        return None
    if table is None:  # (a canned query's result)
        if column in ("key", "kode_tps"):  # (tps_with_findings: review CD L6)
            match = _TPS_KEY.fullmatch(value)
            return _tps_link(datasette, match.group(1), match.group(2) or "") if match else None
        url = _below(row, value) if column == "kode_wilayah" and value.isdigit() else None
        return Markup(f'<a href="{escape(url)}">{escape(value)}</a>') if url else None
    if column in SOURCE_COLUMNS and table != "sources":
        return Markup(f'<a href="/{DATABASE}/sources?{escape(urlencode({"path": value}))}">{escape(value)}</a>')
    if table == "findings" and column == "key":
        match = _TPS_KEY.fullmatch(value)
        if match:
            return _tps_link(datasette, match.group(1), match.group(2) or "")
    if column in _OUTBOUND.get(table, {column: None}):  # (a table's foreign keys are read once it is first shown)
        return _foreign_link(datasette, table, column, value)
    return None


def _below(row: Any, code: str) -> str | None:
    """Where a canned query's region ``code`` leads: the same query one level down (``totals_province`` → its
    ``totals_kabkota``, ``completeness`` → ``completeness?kode_induk=…``), and a village to its TPS results, of the
    row's election and snapshot (review BZ M3: each level's code was typed into the next query by hand)."""
    keys = set(row.keys()) if hasattr(row, "keys") else set()
    day = {k: row[k] for k in ("kode_pemilu", "snapshot") if k in keys and isinstance(row[k], str)}
    snapshot = {"snapshot": day["snapshot"]} if "snapshot" in day else {}
    if len(code) == 10:
        return f"/{DATABASE}/hasil_tps?" + urlencode({**day, "kode_tps__glob": f"{code}*"})
    if "nomor_urut" in keys and len(code) in _TOTALS_BELOW:
        query, parent = _TOTALS_BELOW[len(code)]
        return f"/{DATABASE}/{query}?" + urlencode({**({parent: code} if parent else {}), **snapshot})
    for column, query in _FIGURES_BELOW:
        if column in keys and len(code) in _TOTALS_BELOW:
            where = {"tingkat": "1"} if code == "0" else {"kode_induk": code}
            return f"/{DATABASE}/{query}?" + urlencode({**where, **snapshot})
    return None


async def _outbound(datasette: Any, table: str) -> dict[str, tuple[str, str, str | None]]:
    """``table``'s columns that a foreign key of one column joins to a row of another table: {column: (that table,
    its column, its label column or None)}, as Datasette reads them, kept for every later cell (the site's schema
    does not change while it is served)."""
    found = _OUTBOUND.get(table)
    if found is None:
        db = datasette.get_database(DATABASE)
        found = {fk["column"]: (fk["other_table"], fk["other_column"],
                                await db.label_column_for_table(fk["other_table"]))
                 for fk in await db.foreign_keys_for_table(table)}
        _OUTBOUND[table] = found
    return found


async def _foreign_link(datasette: Any, table: str, column: str, value: str) -> Markup | None:
    """A code that a foreign key joins to another table's row, linked to that row's page and named by its label
    (``kode_wilayah`` → the village's name), as Datasette's table pages show it: its row pages show the bare code
    (review CD M3). None where the other table holds no such row, or the column is no foreign key."""
    other = (await _outbound(datasette, table)).get(column)
    if other is None:
        return None
    other_table, other_column, label = other
    found = await datasette.get_database(DATABASE).execute(
        f"SELECT {escape_sqlite(label) if label else 'NULL'} FROM {escape_sqlite(other_table)} "
        f"WHERE {escape_sqlite(other_column)} = ? LIMIT 1", [value])
    if not found.rows:
        return None
    href = escape(datasette.urls.row(DATABASE, other_table, tilde_encode(value)))
    name = found.rows[0][0]
    if isinstance(name, str) and name and name != value:
        return Markup(f'<a href="{href}">{escape(name)}</a>&nbsp;<em>{escape(value)}</em>')
    return Markup(f'<a href="{href}">{escape(value)}</a>')


async def _tps_link(datasette: Any, kode_tps: str, rest: str) -> Markup | None:
    """A finding's key with its TPS code linked to the TPS's row page, if the release holds that TPS (an
    ``unknown-tps`` finding is about one it does not)."""
    db = datasette.get_database(DATABASE)
    found = await db.execute("SELECT 1 FROM tps WHERE kode_tps = ?", [kode_tps])
    if not found.rows:
        return None
    return Markup(f'<a href="/{DATABASE}/tps/{kode_tps}">{kode_tps}</a>{escape(rest)}')


@hookimpl  # type: ignore[untyped-decorator]  # (pluggy's marker is untyped)
def extra_template_vars(view_name: str, database: str | None, datasette: Any) -> dict[str, Any]:
    """What a row page's template (``row-release-*.html``) asks of the release besides its row: the regions a TPS
    or region lies in and a TPS's votes per candidate (review CD M3: a row page was a dead end)."""
    if view_name != "row" or database != DATABASE:
        return {}
    return {"region_chain": lambda code: _region_chain(datasette, code),
            "tps_votes": lambda kode_pemilu, snapshot, kode_tps: _tps_votes(datasette, kode_pemilu, snapshot, kode_tps),
            "row_url": lambda table, *key: _row_url(datasette, table, key)}


def _row_url(datasette: Any, table: str, key: tuple[Any, ...]) -> str:
    """The page of ``table``'s row whose primary key is ``key``."""
    return str(datasette.urls.row(DATABASE, table, ",".join(tilde_encode(str(value)) for value in key)))


async def _region_chain(datasette: Any, code: str) -> list[dict[str, Any]]:
    """The regions a TPS (by its code) or a region lies in, province first, the region itself last: each with its
    code, level, level's name, name and page."""
    found = await datasette.get_database(DATABASE).execute(
        """WITH RECURSIVE up (kode_wilayah, tingkat, nama, kode_induk, depth) AS (
               SELECT kode_wilayah, tingkat, nama, kode_induk, 0 FROM wilayah
               WHERE kode_wilayah = coalesce((SELECT kode_wilayah FROM tps WHERE kode_tps = :code), :code)
               UNION ALL
               SELECT w.kode_wilayah, w.tingkat, w.nama, w.kode_induk, up.depth + 1 FROM wilayah w
               JOIN up ON w.kode_wilayah = up.kode_induk WHERE up.depth < 8)
           SELECT kode_wilayah, tingkat, nama FROM up ORDER BY depth DESC""", {"code": code})
    return [{"kode": kode, "tingkat": tingkat, "level": LEVELS.get(tingkat, ""), "nama": nama,
             "href": _row_url(datasette, "wilayah", (kode,))} for kode, tingkat, nama in found.rows]


async def _tps_votes(datasette: Any, kode_pemilu: str, snapshot: str, kode_tps: str) -> list[dict[str, Any]]:
    """A TPS's votes per candidate on a snapshot, by ballot number, each with the candidate's name."""
    found = await datasette.get_database(DATABASE).execute(
        """SELECT s.nomor_urut, p.nama, s.suara FROM suara s
           LEFT JOIN peserta p ON p.kode_pemilu = s.kode_pemilu AND p.nomor_urut = s.nomor_urut
           WHERE s.kode_pemilu = ? AND s.snapshot = ? AND s.kode_tps = ? ORDER BY s.nomor_urut""",
        [kode_pemilu, snapshot, kode_tps])
    return [{"nomor_urut": nomor, "nama": nama, "suara": suara,
             "href": _row_url(datasette, "suara", (kode_pemilu, snapshot, kode_tps, nomor))}
            for nomor, nama, suara in found.rows]


@hookimpl  # type: ignore[untyped-decorator]  # (pluggy's marker is untyped)
def asgi_wrapper(datasette: Any) -> Callable[[App], App]:
    robots = datasette.plugin_config("datasette-block-robots") or {}
    if robots.get("literal"):  # (publish --allow-robots writes its own robots.txt: crawlers are welcome)
        return lambda app: in_english(one_slash(app))
    return lambda app: no_index(in_english(one_slash(app)))
