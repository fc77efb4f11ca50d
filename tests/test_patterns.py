"""Review AU #3: Table Schema's ``pattern`` is an XML Schema regular expression, which always matches the whole
value: there ``^`` and ``$`` are literal characters and ``(?:`` is no group. The packages wrote Python's anchored
expressions (``^[0-9]{3}$``), which a consumer reading them as the specification says would take to require a
``^`` before every code; Frictionless adds its own anchors, so it read both the same.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from releasekit.package import field_descriptor, table_schema_pattern
from releasekit.tables import BY_NAME

#: What XML Schema 1.0's regular expressions have and Python's do not, or read otherwise.
_NOT_XSD = re.compile(r"\(\?|\\[AZzbBdDsSwW]|[*+?}]\?|^\^|(?<!\\)\$$")

CANONICAL = [(table.name, field) for table in BY_NAME.values() for field in table.fields if field.pattern]


def test_every_canonical_pattern_is_anchored_once() -> None:
    """The internal expressions are anchored at both ends (Python, JSON Schema), so the anchors are what goes."""
    assert CANONICAL
    for _, field in CANONICAL:
        assert field.pattern.startswith("^") and field.pattern.endswith("$"), field.name
        assert "^" not in field.pattern[1:-1] and "$" not in field.pattern[1:-1], field.name


@pytest.mark.parametrize(("table", "field"), CANONICAL, ids=[f"{t}.{f.name}" for t, f in CANONICAL])
def test_descriptor_patterns_are_xml_schema(table: str, field: object) -> None:
    written = field_descriptor(field)["constraints"]["pattern"]  # type: ignore[arg-type]
    assert not _NOT_XSD.search(written), written
    assert written == table_schema_pattern(field.pattern)  # type: ignore[attr-defined]


@pytest.mark.parametrize(("pattern", "written"), [
    (r"^[0-9]{3}$", "[0-9]{3}"),
    (r"^(?:[0-9]{13}|99[0-9A-Z]{11})$", "([0-9]{13}|99[0-9A-Z]{11})"),
    (r"^[0-9]{0,6}\*+$", r"[0-9]{0,6}\*+"),
])
def test_table_schema_pattern(pattern: str, written: str) -> None:
    assert table_schema_pattern(pattern) == written


def test_built_packages_write_patterns_that_accept_their_own_data(fixture_package: Path) -> None:
    """Every value of a pattern-constrained column of a built package matches the written pattern as the whole
    value (the XML Schema reading), and no written pattern takes ``^``/``$`` for text to match."""
    desc = json.loads((fixture_package / "datapackage.json").read_text())
    checked = 0
    for resource in desc["resources"]:
        patterns = {f["name"]: f["constraints"]["pattern"] for f in resource["schema"]["fields"]
                    if "pattern" in f.get("constraints", {})}
        with open(fixture_package / resource["path"], newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                for name, pattern in patterns.items():
                    assert not pattern.startswith("^") and not pattern.endswith("$"), (resource["name"], name)
                    if row[name]:
                        assert re.fullmatch(pattern, row[name]), (resource["name"], name, row[name])
                        assert not re.fullmatch(pattern, f"^{row[name]}$")
                        checked += 1
    assert checked >= 50
