"""The one-off Datasette plugin every site carries (``plugins/releasekit_site.py``): addresses with ``//``.

Datasette 0.65 answers a path holding ``//`` (``//release``, ``/release//hasil_tps``) with a 500, where it
fails to print the 404 it meant to give. This plugin answers such a request with a permanent redirect to the
same path with each run of slashes made one (``/release``, ``/release/hasil_tps``), the query kept. The
redirect is always to a path of this site: ``//example.com/x`` becomes ``/example.com/x``, never an address
elsewhere, as a ``Location`` of ``//example.com/x`` would be; a backslash is escaped (``%5C``), as browsers read
``/\\example.com`` as ``//example.com``.

:mod:`releasekit.publish` copies this file into every site; ``datasette serve DIR`` loads the plugins of a
configuration directory's ``plugins/`` folder, and so does ``releasekit serve``.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import quote

from datasette import hookimpl

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

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


@hookimpl  # type: ignore[untyped-decorator]  # (pluggy's marker is untyped)
def asgi_wrapper(datasette: Any) -> Callable[[App], App]:
    return one_slash
