"""``releasekit serve``: what it refuses, refused in one line before anything is served or announced.

A port out of range is a usage error (exit 2); a port in use, a host that does not resolve or is not
this machine's, and a release not built are ``Error: … (hint: …)``, exit 1, with no ``serving …`` line
first. The refusals are checked in-process with a server that fails the test if it is ever started;
one test starts the real command on a free port (port 0) in a child process and stops it.
"""

from __future__ import annotations

import errno
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest
import uvicorn
from click.testing import CliRunner

from conftest import copy_demo
from releasekit.cli import cli
from releasekit.errors import ReleasekitError, UsageError
from releasekit.publish import listen, served_url


@pytest.fixture(autouse=True)
def no_server(monkeypatch: pytest.MonkeyPatch) -> None:
    """A server that starts fails the test at once (a refusal must come first; none is left running)."""
    def started(*args: object, **kwargs: object) -> None:
        raise AssertionError("the server was started")

    monkeypatch.setattr(uvicorn.Server, "run", started)


@pytest.fixture
def listening() -> Iterator[int]:
    """A loopback port another program listens on."""
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        yield other.getsockname()[1]


def serve(*args: str) -> tuple[int, str]:
    """``releasekit serve ARGS``: the exit code and everything printed (stdout and stderr)."""
    result = CliRunner().invoke(cli, ["serve", *args])
    return result.exit_code, result.output


def one_error_line(output: str) -> str:
    """The single line printed, which must be an ``Error:`` line with a hint (nothing served, no traceback)."""
    assert len(output.splitlines()) == 1 and output.startswith("Error: "), output
    assert "(hint: " in output and "serving" not in output and "internal error" not in output, output
    return output.strip()


@pytest.mark.parametrize("port", ["65536", "-1"])
def test_a_port_out_of_range_is_a_usage_error(demo_project: Path, port: str) -> None:
    code, output = serve(str(demo_project), "--port", port)
    assert code == 2, output
    assert "Invalid value for '-p' / '--port'" in output and "0<=x<=65535" in output, output
    assert "serving" not in output and "internal error" not in output, output


@pytest.mark.parametrize("port", ["0", "65535"])
def test_the_ports_at_the_ends_of_the_range_are_accepted(tmp_path: Path, port: str) -> None:
    """Past the range check to the next refusal: a release not built (so nothing is served)."""
    code, output = serve(str(copy_demo(tmp_path / "project")), "--port", port)
    assert code == 1 and "has not been built" in one_error_line(output), output


def test_a_port_in_use_is_one_line_before_serving(demo_project: Path, listening: int) -> None:
    code, output = serve(str(demo_project), "--port", str(listening))
    assert code == 1, output
    assert one_error_line(output) == (
        f"Error: 127.0.0.1:{listening}: cannot listen: address already in use "
        "(hint: choose another port (--port), or stop the program listening on this one)")


def test_a_host_that_does_not_resolve_is_one_line(demo_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the resolver's answer for 256.1.1.1, without asking a DNS server
    def getaddrinfo(host: object, *args: object, **kwargs: object) -> object:
        assert host == "256.1.1.1", host
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    code, output = serve(str(demo_project), "--host", "256.1.1.1", "--port", "8123")
    assert code == 1, output
    line = one_error_line(output)
    assert line.startswith("Error: 256.1.1.1:8123: the host does not resolve (name or service not known) "
                           "(hint: check the host (--host)"), line


def test_a_host_that_is_not_this_machines_is_one_line(demo_project: Path) -> None:
    code, output = serve(str(demo_project), "--host", "192.0.2.1", "--port", "8123")  # TEST-NET-1: no one's
    assert code == 1, output
    line = one_error_line(output)
    assert line.startswith("Error: 192.0.2.1:8123: cannot listen: not an address of this machine "
                           "(hint: check the host (--host)"), line


def test_an_unbuilt_release_is_refused_before_serving(tmp_path: Path) -> None:
    project = copy_demo(tmp_path / "project")
    code, output = serve(str(project))
    assert code == 1, output
    assert one_error_line(output) == (
        "Error: build/release.db: missing: the release has not been built (no database) (hint: run 'releasekit build "
        f"{project}' first (in Python, build(release)): it writes the database and every package from metadata.yml "
        "together)")
    assert not (project / "build" / "site").exists()


def test_serve_and_publish_name_an_unbuilt_database_alike_and_as_the_project_does(tmp_path: Path) -> None:
    """Review AT #6: serve and publish named an unbuilt project's database by its absolute path, where every other
    message about a project's files names them as the project does (``datapackages/real-count.zip: missing``)."""
    project = copy_demo(tmp_path / "project")
    served = one_error_line(serve(str(project))[1])
    published = CliRunner().invoke(cli, ["publish", "--project", str(project), str(tmp_path / "site")])
    assert published.exit_code == 1 and one_error_line(published.output) == served, published.output
    assert served.startswith("Error: build/release.db: missing:"), served
    assert str(tmp_path) not in served.split(" (hint: ")[0], served  # (the hint names the project: review BU L4)


def test_an_unbuilt_release_is_named_before_a_port_in_use(tmp_path: Path, listening: int) -> None:
    code, output = serve(str(copy_demo(tmp_path / "project")), "--port", str(listening))
    assert code == 1 and "has not been built" in one_error_line(output), output


def test_a_port_a_stopped_server_left_in_time_wait_is_free() -> None:
    """The check binds as uvicorn does (SO_REUSEADDR): a port whose last connection is in TIME_WAIT is usable."""
    with closing(socket.socket()) as server:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn's listener (asyncio) sets it
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        with closing(socket.create_connection(("127.0.0.1", port))) as client:
            accepted, _ = server.accept()
            accepted.close()  # the server's side closes first: it is the one left in TIME_WAIT
            client.recv(1)
    with pytest.raises(OSError) as plain:  # without SO_REUSEADDR the port would look taken
        with closing(socket.socket()) as probe:
            probe.bind(("127.0.0.1", port))
    assert plain.value.errno == errno.EADDRINUSE
    sockets = listen("127.0.0.1", port)
    try:
        assert [s.getsockname() for s in sockets] == [("127.0.0.1", port)]
    finally:
        for sock in sockets:
            sock.close()


def test_listen_refuses_a_port_that_is_no_port() -> None:
    with pytest.raises(UsageError, match="^port 70000: not a port number"):
        listen("127.0.0.1", 70000)


def test_listen_closes_what_it_bound_when_it_refuses(listening: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """A host of two addresses, the second in use: the first socket is closed, not leaked."""
    opened: list[socket.socket] = []
    real_socket = socket.socket

    def tracked(*args: object) -> socket.socket:
        sock = real_socket(*args)  # type: ignore[arg-type]
        opened.append(sock)
        return sock

    free = socket.getaddrinfo("127.0.0.2", listening, socket.AF_INET, socket.SOCK_STREAM)[0]
    taken = socket.getaddrinfo("127.0.0.1", listening, socket.AF_INET, socket.SOCK_STREAM)[0]
    monkeypatch.setattr(socket, "getaddrinfo", lambda *args, **kwargs: [free, taken])
    monkeypatch.setattr(socket, "socket", tracked)
    with pytest.raises(ReleasekitError, match=rf"^two:{listening} \(127\.0\.0\.1:{listening}\): cannot listen: "
                                              "address already in use"):
        listen("two", listening)
    assert len(opened) == 2 and all(sock.fileno() == -1 for sock in opened)


def test_serve_announces_the_port_it_listens_on_and_stops_quietly(demo_project: Path) -> None:
    """The real command on port 0: it says where it serves (the port the system chose), answers, and Ctrl-C ends it."""
    with serving(demo_project) as proc:
        assert proc.stderr is not None
        line = proc.stderr.readline()  # printed once the address is bound and the site written
        match = re.fullmatch(r"serving .+ on (http://127\.0\.0\.1:(\d+)/)\n", line)
        assert match and int(match[2]) > 0, line
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(match[1] + "-/versions.json", timeout=2) as response:
                    assert response.status == 200
                    break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, "the server did not answer"
                time.sleep(0.2)
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=15) == 0
        rest = proc.stderr.read()
        assert "Traceback" not in rest and "Aborted" not in rest, rest


def test_serve_prints_the_servers_warnings_on_one_line_each(demo_project: Path) -> None:
    """Review CE L3: the library leaves logging to its host; the CLI, that host, shows the server's warnings (here,
    a request that is not HTTP) as ``WARNING: …`` on stderr, and its info lines (each request) not at all."""
    with serving(demo_project) as proc:
        assert proc.stderr is not None
        line = proc.stderr.readline()
        match = re.fullmatch(r"serving .+ on http://127\.0\.0\.1:(\d+)/\n", line)
        assert match, line
        with urllib.request.urlopen(f"http://127.0.0.1:{match[1]}/-/versions.json", timeout=30) as response:
            assert response.status == 200
        with socket.create_connection(("127.0.0.1", int(match[1])), timeout=30) as garbage:
            garbage.sendall(b"\x16\x03\x01 not a request\r\n\r\n")
            garbage.recv(1024)  # (the server answers 400 and closes: it has logged its warning)
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=15) == 0
        rest = proc.stderr.read()
    assert "WARNING: Invalid HTTP request received.\n" in rest, rest
    assert "versions.json" not in rest and "Traceback" not in rest, rest


@contextmanager
def serving(project: Path) -> Iterator[subprocess.Popen[str]]:
    """``releasekit serve PROJECT --port 0`` in a child process (its stderr piped), killed if the test left it
    running."""
    proc = subprocess.Popen([sys.executable, "-m", "releasekit", "serve", str(project), "--port", "0"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
        if proc.stderr is not None:
            proc.stderr.close()


def test_a_second_serve_or_a_publish_into_its_site_is_refused_while_one_serves(tmp_path: Path) -> None:
    """Review BX M1: a second serve of the project (another port) rewrote build/site under the first, which then
    answered from two releases at once: its open connections' tables, the new zips and register pages. The site is
    locked while it is served."""
    project = copy_demo(tmp_path / "p")
    assert CliRunner().invoke(cli, ["build", str(project)]).exit_code == 0
    site = project / "build" / "site"
    with serving(project) as proc:
        assert proc.stderr is not None
        assert proc.stderr.readline().startswith("serving "), "the first serve did not start"
        served = {f: f.read_bytes() for f in sorted(site.rglob("*")) if f.is_file()}
        code, output = serve(str(project), "--port", "0")
        assert code == 1 and one_error_line(output) == (
            f"Error: {site}: another releasekit serve or publish is using this site (hint: stop that serve "
            "(Ctrl-C; in Python, the end of its with block) or wait for that publish to finish; or write this site "
            "into a folder of its own)")
        result = CliRunner().invoke(cli, ["publish", str(site), "--project", str(project)])
        assert result.exit_code == 1 and "is using this site" in result.output, result.output
        assert {f: f.read_bytes() for f in sorted(site.rglob("*")) if f.is_file()} == served
        result = CliRunner().invoke(cli, ["publish", str(tmp_path / "elsewhere"), "--project", str(project)])
        assert result.exit_code == 0, result.output  # (another folder is another site)
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=15) == 0
        result = CliRunner().invoke(cli, ["publish", str(site), "--project", str(project)])
        assert result.exit_code == 0, result.output  # (the lock ends with the server)


def test_port_0_puts_every_address_of_the_host_on_the_one_port_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    """A host of two addresses (as '' is 0.0.0.0 and, with IPv6, ::), both bound, on the one port the first got (each
    had a port of its own, only one shown)."""
    first, second = (socket.getaddrinfo(address, 0, socket.AF_INET, socket.SOCK_STREAM)[0]
                     for address in ("127.0.0.1", "127.0.0.2"))
    monkeypatch.setattr(socket, "getaddrinfo", lambda *args, **kwargs: [first, second])
    sockets = listen("two", 0)
    try:
        assert [sock.getsockname()[0] for sock in sockets] == ["127.0.0.1", "127.0.0.2"]
        (port,) = {sock.getsockname()[1] for sock in sockets}
        assert port > 0
    finally:
        for sock in sockets:
            sock.close()


def test_an_empty_host_is_announced_as_the_address_bound() -> None:
    """``--host ''`` binds every interface (``getaddrinfo`` with ``AI_PASSIVE``); it is announced as what it bound."""
    sockets = listen("", 0)
    try:
        url = served_url("", sockets)
        assert re.fullmatch(r"http://(0\.0\.0\.0|\[::\]):(\d+)/", url), url
        assert url.rsplit(":", 1)[1] == f"{sockets[0].getsockname()[1]}/"
        assert served_url("127.0.0.1", sockets) == f"http://127.0.0.1:{sockets[0].getsockname()[1]}/"
    finally:
        for sock in sockets:
            sock.close()


def test_a_program_that_imported_the_site_plugin_still_gets_error_pages(demo_project: Path, tmp_path: Path) -> None:
    """Importing ``releasekit.siteplugin`` as a module, before Datasette, imported Datasette's default exception
    handler ahead of its plugin manager, which registered the handler with no hook: every later Datasette of the
    process failed its 404 and 400 pages ("Default exception handler should have returned something")."""
    from releasekit import load_release
    from releasekit.publish import write_site

    site = write_site(load_release(demo_project), tmp_path / "site").folder
    script = f"""
import asyncio
import releasekit.siteplugin
from datasette.app import Datasette
ds = Datasette([{str(site / "release.db")!r}], plugins_dir={str(site / "plugins")!r})
for path in ("/nope/a/b/c", "/release/hasil_tps?_sort=nope", "/release/tps/1"):
    print(path, asyncio.run(ds.client.get(path)).status_code)
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.split() == [
        "/nope/a/b/c", "404", "/release/hasil_tps?_sort=nope", "400", "/release/tps/1", "404"], done.stderr[-800:]
