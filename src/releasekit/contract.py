"""A releasekit package against the canonical tables it publishes (DESIGN.md sections 5 and 6).

Frictionless checks a package against the schema its own ``datapackage.json`` writes, so a schema edited to fit
other data reads as valid: a key dropped before a repeated row, ``0`` declared a missing value (every real zero
then reads as empty), a column renamed, a pattern loosened. A package that says releasekit built it (its
``releasekit`` block) holds resources named as canonical tables: each must carry that table's schema as this
releasekit writes it (:func:`releasekit.package.table_schema`), and the package the resources every package holds
(``findings``, ``quarantine``, ``sources``). Titles and descriptions are words, which a translation may change; the
rest is structure. A package of another releasekit version is checked against its own schema only: the tables may
have grown since.
"""

from __future__ import annotations

import json
from typing import Any

from . import __version__
from .package import ALWAYS, table_schema
from .privacy import mask_niks
from .report import Problem
from .tables import BY_NAME

#: What of a field's descriptor is its structure (its title and description are not).
FIELD_STRUCTURE = ("name", "type", "format", "constraints", "trueValues", "falseValues", "bareNumber", "groupChar",
                   "decimalChar", "missingValues")
#: What of a schema is its structure besides its fields.
SCHEMA_STRUCTURE = ("missingValues", "primaryKey", "foreignKeys")


def contract_problems(descriptor: dict[str, Any]) -> list[Problem]:
    """Where a package this releasekit version built departs from the canonical tables; none for another's."""
    prov = descriptor.get("releasekit")
    if not isinstance(prov, dict) or prov.get("releasekit_version") != __version__:
        return []
    resources = [r for r in descriptor.get("resources") or [] if isinstance(r, dict)]
    present = {r.get("name") for r in resources}
    problems = [Problem("package-error", f"no '{name}' resource: every releasekit package publishes "
                                         f"{', '.join(ALWAYS)}")
                for name in ALWAYS if name not in present]
    for res in resources:
        name = res.get("name")
        table = BY_NAME.get(name) if isinstance(name, str) else None
        if table is None or not isinstance(res.get("schema"), dict):
            continue  # (a resource of no canonical table's name, or a schema by path: checked as Frictionless does)
        expected = table_schema(table, {n for n in present if isinstance(n, str)})
        difference = schema_difference(res["schema"], expected)
        if difference:
            problems.append(Problem("schema-error", mask_niks(f"the schema is not releasekit's table {name}: "
                                                              f"{difference}"), resource=name))
    return problems


def schema_difference(schema: dict[str, Any], expected: dict[str, Any]) -> str | None:
    """The first way ``schema`` departs from ``expected`` in structure, in words; None when it does not."""
    fields = [f if isinstance(f, dict) else {} for f in schema.get("fields") or []]
    names = [f.get("name") for f in fields]
    wanted = [f["name"] for f in expected["fields"]]
    if names != wanted:
        missing = [n for n in wanted if n not in names]
        extra = [n for n in names if n not in wanted]
        said = "; ".join(part for part in (
            f"no field {', '.join(map(_shown, missing))}" if missing else "",
            f"a field releasekit does not write: {', '.join(map(_shown, extra))}" if extra else "",
        ) if part) or "the fields are in another order"
        return f"{said} (releasekit writes {', '.join(wanted)})"
    for field, want in zip(fields, expected["fields"], strict=True):
        for key in FIELD_STRUCTURE:
            if field.get(key) != want.get(key):
                return (f"field {field['name']}: {key} is {_shown(field.get(key))}, releasekit writes "
                        f"{_shown(want.get(key))}")
    for key in SCHEMA_STRUCTURE:
        if schema.get(key) != expected.get(key):
            return f"{key} is {_shown(schema.get(key))}, releasekit writes {_shown(expected.get(key))}"
    return None


def _shown(value: object) -> str:
    """A descriptor's value as JSON, cut short: ``absent`` where there is none."""
    return "absent" if value is None else json.dumps(value, ensure_ascii=False)[:120]
