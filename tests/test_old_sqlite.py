"""An SQLite built with the historical limit of 999 bound parameters (SQLite before 3.32: Ubuntu 20.04's 3.31.1)."""

from __future__ import annotations

import importlib
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils

from conftest import query
from releasekit import build, load_release


def test_a_build_of_more_results_than_999_parameters_runs_on_an_old_sqlite(
        make_project: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Review AC #10: a batch of 1,000 TPS results was looked up with 1,002 parameters, an internal error there."""
    building = importlib.import_module("releasekit.build")  # (the package's own name build is the function)
    original = building.open_database

    def old_sqlite(path: Path | str) -> sqlite_utils.Database:
        db = original(path)
        db.conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)
        return db

    monkeypatch.setattr(building, "open_database", old_sqlite)
    raw = tmp_path / "tps.jsonl"
    raw.write_text("".join(json.dumps({"kode_tps": f"3101011001{n:03d}" if n < 1000 else f"3101011002{n - 1000:03d}",
                                       "chart": {"100025": 1, "100026": 2, "100027": 3},
                                       "ts": "2024-02-16 10:00:00"}) + "\n" for n in range(1, 1201)))
    project = make_project({"real-count": [{"raw": raw, "format": "sirekap-tps-json", "election": "ppwp-2024",
                                            "snapshot": "2024-02-16"}]})
    build(load_release(project))
    assert query(project, "SELECT count(*) FROM hasil_tps") == [(1200,)]
