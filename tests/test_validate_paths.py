"""``releasekit validate`` over several paths, one of which cannot be validated (review AT #4, #5): that path is one
invalid entry of the report and the others are still validated, in every format, as for a path that does not exist.
Each test failed on the code before: a project whose metadata.yml is refused, or a file that cannot be read, stopped
the run with one ``Error:`` line and an empty JSON report; an unbuilt project's annotations named
``datapackage.json/datapackage.json``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import copy_demo, copy_package, invoke
from test_unreadable_sources import _unprivileged


def test_a_refused_project_is_one_invalid_entry_beside_the_valid_packages(fixture_package: Path,
                                                                          tmp_path: Path) -> None:
    project = copy_demo(tmp_path / "project")
    text = (project / "metadata.yml").read_text(encoding="utf-8")
    (project / "metadata.yml").write_text(text.replace("status: open", "status: opne", 1), encoding="utf-8")
    result = invoke("validate", "--format", "json", str(project), str(fixture_package))
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert [(p["package"], p["valid"]) for p in report["packages"]] == [(str(project), False),
                                                                       (str(fixture_package), True)]
    (problem,) = report["packages"][0]["errors"]
    assert problem["type"] == "package-error" and "registers/0/status" in problem["message"]
    assert result.stderr.startswith(f"Error: {project / 'metadata.yml'}: registers/0/status")


def test_a_package_file_that_cannot_be_read_is_one_invalid_entry(fixture_package: Path, tmp_path: Path) -> None:
    prefix = _unprivileged()
    pkg = copy_package(fixture_package, tmp_path)
    data = pkg / "data" / "hasil_tps.csv"
    data.chmod(0)
    try:
        result = subprocess.run([*prefix, sys.executable, "-m", "releasekit", "validate", "--format", "json",
                                 str(pkg), str(fixture_package)], capture_output=True, text=True, timeout=300)
    finally:
        data.chmod(0o644)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    report = json.loads(result.stdout)
    assert [(p["package"], p["valid"]) for p in report["packages"]] == [(str(pkg), False),
                                                                       (str(fixture_package), True)]
    assert "Permission denied" in report["packages"][0]["errors"][0]["message"]


def test_an_unbuilt_project_is_named_as_a_built_one(tmp_path: Path) -> None:
    project = copy_demo(tmp_path / "project")
    result = invoke("validate", "--format", "github", str(project))
    assert result.exit_code == 1
    files = {line.split("file=", 1)[1].split(",", 1)[0] for line in result.output.splitlines() if "file=" in line}
    assert files == {f"{project}/datapackages/{slug}{end}"
                     for slug in ("real-count", "it-infrastructure", "voter-list-and-results")
                     for end in ("/datapackage.json", ".zip")}
    text = invoke("validate", str(project)).output
    assert f"{project}/datapackages/real-count: INVALID" in text and "datapackage.json: INVALID" not in text


def test_validate_fetches_no_profile_a_package_names(fixture_package: Path, tmp_path: Path) -> None:
    """Review CB M2: a package's ``profiles`` (and a resource's ``profile``, ``profiles``, ``$schema``, a schema's
    ``$schema``) made Frictionless fetch any address from the machine that validates (CI), and the package with
    ``profiles`` still passed. Each is refused as an unsafe path, with either engine, and nothing is fetched; a
    standard datapackage.org profile, which Frictionless knows without fetching, is not."""
    import http.server
    import threading

    asked: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the standard library's name
            asked.append(self.path)
            body = b'{"type": "object"}'
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    plain = f"http://127.0.0.1:{server.server_port}/profile.json"
    # (an address that holds a standard profile's but is not one: review CF H1, a search for the standard's let it by)
    disguised = f"{plain}?https://datapackage.org/profiles/2.0/datapackage.json"
    edits = {
        "package profiles": lambda d, url: d.update(profiles=[url]),
        "package $schema": lambda d, url: d.update({"$schema": url}),
        "resource profile": lambda d, url: d["resources"][0].update(profile=url),
        "resource profiles": lambda d, url: d["resources"][0].update(profiles=[url]),
        "schema $schema": lambda d, url: d["resources"][0]["schema"].update({"$schema": url}),
    }
    try:
        for n, ((where, edit), url) in enumerate((e, u) for e in edits.items() for u in (plain, disguised)):
            pkg = copy_package(fixture_package, tmp_path, f"p{n}")
            desc = json.loads((pkg / "datapackage.json").read_text())
            edit(desc, url)
            (pkg / "datapackage.json").write_text(json.dumps(desc))
            for engine in ("releasekit", "frictionless"):
                result = invoke("validate", "--engine", engine, str(pkg))
                assert result.exit_code == 1, (where, url, result.output)
                assert f"remote profiles are not read when validating offline: '{url}'" in result.output, (where, url)
        assert asked == []
        pkg = copy_package(fixture_package, tmp_path, "standard")
        desc = json.loads((pkg / "datapackage.json").read_text())
        desc["resources"][0]["schema"]["$schema"] = "https://datapackage.org/profiles/2.0/tableschema.json"
        (pkg / "datapackage.json").write_text(json.dumps(desc))
        assert "remote profiles" not in invoke("validate", str(pkg)).output
    finally:
        server.shutdown()
