"""A releasekit package against the canonical tables it publishes (DESIGN.md sections 5 and 6).

Frictionless checks a package against the schema its own ``datapackage.json`` writes, so a schema edited to fit
other data reads as valid: a key dropped before a repeated row, a foreign key dropped before a TPS no list holds,
``0`` declared a missing value (every real zero then reads as empty), a column renamed. A package that says this
releasekit version built it (its ``releasekit`` block) is held to what its tables mean: each resource named as a
canonical table has that table's fields (a column added beside them is allowed: the tables are "at least" these
columns), the same cells read as missing, and its keys
(:func:`releasekit.package.table_schema`); and the package publishes its ``findings`` (``quarantine`` and
``sources`` are held to its record accounting already). A field's type and constraints are checked against the
data as the package declares them, as Frictionless checks them; titles and descriptions are words, which a
translation may change. A package of another releasekit version is checked against its own schema only: the
tables may have grown since.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from . import __version__
from .package import table_schema
from .privacy import mask_niks
from .report import Problem
from .tablecheck.descriptor import foreign_keys, name_list, resources_of, schema_error
from .tables import BY_NAME

#: What of a field's descriptor the contract holds it to besides its name: which cells read as missing.
FIELD_STRUCTURE = ("missingValues",)
#: What of a schema the contract holds it to besides its fields.
SCHEMA_STRUCTURE = ("missingValues", "primaryKey", "foreignKeys")


def contract_problems(descriptor: dict[str, Any], found: Sequence[Problem] = ()) -> list[Problem]:
    """Where a package this releasekit version built departs from the canonical tables; none for another's, nor for a
    resource already ``found`` malformed or unreadable, nor for a descriptor found malformed (one problem of a schema is
    enough)."""
    if built_by(descriptor) != __version__:
        return []
    resources = resources_of(descriptor)
    present = {r.get("name") for r in resources}
    malformed = {p.resource for p in found if p.type in ("schema-error", "resource-error")}
    if None in malformed:  # (a descriptor Frictionless finds malformed: its own problem says what to mend first)
        return []
    problems = [] if "findings" in present else [
        Problem("package-error", "no 'findings' resource: every releasekit package publishes its findings")]
    for res in resources:
        name = res.get("name")
        table = BY_NAME.get(name) if isinstance(name, str) else None
        if table is None or not isinstance(res.get("schema"), dict) or name in malformed or schema_error(res):
            continue  # (no canonical table's name, a schema by path, or one whose shape is already a problem)
        expected = table_schema(table, {n for n in present if isinstance(n, str)})
        difference = schema_difference(res["schema"], expected)
        if difference:
            problems.append(Problem("schema-error", mask_niks(f"the schema is not releasekit's table {name}: "
                                                              f"{difference}"), resource=name))
    return problems


def schema_difference(schema: dict[str, Any], expected: dict[str, Any]) -> str | None:
    """The first way ``schema`` departs from ``expected`` in structure, in words; None when it does not."""
    fields = {f.get("name"): f for f in schema.get("fields") or [] if isinstance(f, dict)}
    missing = [f["name"] for f in expected["fields"] if f["name"] not in fields]
    if missing:
        return (f"no field {', '.join(map(_shown, missing))} (releasekit writes "
                f"{', '.join(f['name'] for f in expected['fields'])})")
    for want in expected["fields"]:
        field = fields[want["name"]]
        for key in FIELD_STRUCTURE:
            if field.get(key) != want.get(key):
                return (f"field {field['name']}: {key} is {_shown(field.get(key))}, releasekit writes "
                        f"{_shown(want.get(key))}")
    for key in SCHEMA_STRUCTURE:
        if _spelled_out(key, schema) != _spelled_out(key, expected):
            return f"{key} is {_shown(schema.get(key))}, releasekit writes {_shown(expected.get(key))}"
    return None


def _spelled_out(key: str, schema: dict[str, Any]) -> Any:
    """A well-formed schema's ``key`` as releasekit writes it, where Table Schema allows it otherwise: a key of one
    field as its name alone, a self-reference without ``resource`` (read as the checker reads them)."""
    if key == "primaryKey" and key in schema:
        return name_list(schema[key])
    if key == "foreignKeys":
        return [{"fields": fk["fields"], "reference": {"resource": fk["reference"]["resource"],
                                                       "fields": fk["reference"]["fields"]}}
                for fk in foreign_keys({"schema": schema})] or None
    return schema.get(key)


def _shown(value: object) -> str:
    """A descriptor's value as JSON, cut short: ``absent`` where there is none."""
    return "absent" if value is None else json.dumps(value, ensure_ascii=False)[:120]


def built_by(descriptor: dict[str, Any]) -> object:
    """The releasekit version a package's ``releasekit`` block names (None when it names none)."""
    prov = descriptor.get("releasekit")
    return prov.get("releasekit_version") if isinstance(prov, dict) else None


def other_version(descriptor: dict[str, Any]) -> str | None:
    """A warning for a package another releasekit version built, which :func:`contract_problems` does not hold to
    this version's tables (review BY H1: every version called itself 0.1.0, so a package of an older one was held
    to today's tables and read as edited); None for this version's package or one that names none."""
    version = built_by(descriptor)
    if not isinstance(version, str) or version == __version__:
        return None
    version = version[:40]
    return mask_niks(f"built by releasekit {version}, this is {__version__}: checked against its own schemas, not "
                     "against the canonical tables of this version (they may have changed since); validate it with "
                     f"releasekit {version} for those")
