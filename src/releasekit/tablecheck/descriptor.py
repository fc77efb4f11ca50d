"""The parts of a package descriptor the checker relies on: schema shapes, foreign keys, resource order."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from .fields import key_translation


def resources_of(descriptor: dict[str, Any]) -> list[dict[str, Any]]:
    """The descriptor's resource objects (others, and ``resources`` that is no list, fail the descriptor check)."""
    resources = descriptor.get("resources")
    return [res for res in resources if isinstance(res, dict)] if isinstance(resources, list) else []


def foreign_keys(res: dict[str, Any]) -> list[dict[str, Any]]:
    """A resource descriptor's foreign keys (none when it has no schema), their field names as lists, a reference
    without a ``resource`` to the resource itself (``""``: Table Schema 2 leaves it out for a self-reference)."""
    return [{**fk, "fields": name_list(fk["fields"]),
             "reference": {**fk["reference"], "resource": fk["reference"].get("resource", ""),
                           "fields": name_list(fk["reference"]["fields"])}}
            for fk in (res.get("schema") or {}).get("foreignKeys", [])]


def field_types(res: dict[str, Any], names: list[str]) -> list[str]:
    """The types of a resource's fields ``names`` (``string`` where one declares none or is not in its schema)."""
    schema = res.get("schema")
    fields = schema.get("fields") if isinstance(schema, dict) else None
    declared = {f["name"]: f.get("type", "string") for f in fields if isinstance(f, dict)
                and isinstance(f.get("name"), str)} if isinstance(fields, list) else {}
    return [str(declared.get(name, "string")) for name in names]


def fk_translation(descriptor: dict[str, Any], res: dict[str, Any], fk: dict[str, Any]
                   ) -> Callable[[str], str | None] | None:
    """How foreign key ``fk`` (of :func:`foreign_keys`) of ``res`` looks its keys up in its target's
    (:func:`~.fields.key_translation`): None when its fields and the target's are of one kind."""
    into = fk["reference"]["resource"]
    target = res if not into else next((r for r in descriptor.get("resources", [])
                                        if isinstance(r, dict) and r.get("name") == into), None)
    if target is None or len(fk["fields"]) != len(fk["reference"]["fields"]):
        return None
    return key_translation(field_types(res, fk["fields"]), field_types(target, fk["reference"]["fields"]))


def name_list(value: object) -> list[str]:
    """Field names as a list: Table Schema also allows one name as a string (``"primaryKey": "id"``)."""
    return [value] if isinstance(value, str) else list(value)  # type: ignore[call-overload]


def _names(value: object) -> bool:
    return isinstance(value, str) or isinstance(value, list) and all(isinstance(name, str) for name in value)


#: What of a field the checker reads (what releasekit writes, and more); anything else is reported, not passed.
CHECKED_TYPES = frozenset(("string", "integer", "number", "boolean", "date"))
CHECKED_CONSTRAINTS = frozenset(("required", "unique", "pattern", "enum", "minimum"))
#: Field properties that change how a cell is read (``format`` aside: only ``default`` is read).
READING_PROPERTIES = frozenset(("decimalChar", "groupChar", "bareNumber"))


def _unchecked(field: dict[str, Any]) -> str | None:
    """What of a field the checker would pass without checking: a type, a format, a constraint, a number option."""
    kind = field.get("type", "string")
    if kind not in CHECKED_TYPES:
        return f"type {json.dumps(kind)[:40]}"
    if field.get("format", "default") != "default":
        return f"format {json.dumps(field['format'])[:40]}"
    for key in sorted(set(field.get("constraints", {})) - CHECKED_CONSTRAINTS):
        return f"constraint {json.dumps(key)[:40]}"
    if "minimum" in field.get("constraints", {}) and kind not in ("integer", "number"):
        return f"a minimum of a {kind}"
    for key in sorted(READING_PROPERTIES & set(field)):
        return f"{key}"
    return None


def schema_error(res: dict[str, Any]) -> str | None:
    """Why the checker cannot read a resource's Table Schema (shapes Frictionless's descriptor check lets by)."""
    schema = res.get("schema") or {}
    if not isinstance(schema, dict):
        return "the schema must be written into datapackage.json as an object"
    fields = schema.get("fields", [])
    if not isinstance(fields, list) or not all(isinstance(f, dict) and isinstance(f.get("name"), str)
                                               and isinstance(f.get("constraints", {}), dict) for f in fields):
        return "schema.fields must be a list of field objects, each with a name"
    for f in fields:
        constraints = f.get("constraints", {})
        try:
            re.compile(constraints.get("pattern", ""))
        except (re.error, TypeError) as e:
            return f"field {f['name']}: the pattern constraint is not a regular expression ({e})"
        if _unchecked(f):  # (handed to Frictionless whole: handed_over)
            continue
        value = constraints.get("minimum")
        if value is not None and (type(value) not in (int, float) or value != value):
            return f"field {f['name']}: the minimum constraint {json.dumps(value)[:40]} is not a number"
        if not isinstance(constraints.get("enum", []), list):
            return f"field {f['name']}: the enum constraint is not a list"
    if not _names(schema.get("primaryKey") or []):
        return "schema.primaryKey must be a field name or a list of them"
    declared = schema.get("foreignKeys", [])
    if not isinstance(declared, list) or not all(
            isinstance(fk, dict) and _names(fk.get("fields")) and isinstance(fk.get("reference"), dict)
            and isinstance(fk["reference"].get("resource", ""), str) and _names(fk["reference"].get("fields"))
            for fk in declared):
        return ("schema.foreignKeys must be a list of {fields: [names], reference: {resource (left out: the resource "
                "itself), fields: [names]}}")
    return None


def handed_over(res: dict[str, Any]) -> str | None:
    """Why the checker leaves a resource whose schema is well formed to Frictionless (None: it reads it): its parts
    (a multipart resource), a CSV dialect it does not read (:func:`dialect_error`), or a field or ``missingValues``
    it would pass unchecked. Validate's default engine hands such a resource to Frictionless, resource by resource;
    the checker alone reports it as not checked."""
    if isinstance(res.get("path"), list):
        return "multipart resources (a list of paths) are not read by releasekit's checker"
    for f in (res.get("schema") or {}).get("fields", []):
        unchecked = _unchecked(f)
        if unchecked:
            return f"field {f['name']}: {unchecked} is not checked by releasekit's checker"
    missing = (res.get("schema") or {}).get("missingValues", [""])
    if missing != [""]:
        return f"missingValues {json.dumps(missing)[:60]} is not checked by releasekit's checker"
    return dialect_error(res)


#: The CSV dialect the checker reads (Python's ``csv`` defaults, as releasekit writes): a resource's ``dialect``
#: may declare these values (flat, as CSV Dialect 1.0 has them, or under ``csv`` as Frictionless 5 writes them).
READ_DIALECT: dict[str, tuple[object, ...]] = {
    "lineTerminator": ("\n", "\r\n"), "delimiter": (",",), "quoteChar": ('"',), "doubleQuote": (True,),
    "header": (True,), "skipInitialSpace": (False,), "caseSensitiveHeader": (False,),
}


def dialect_error(res: dict[str, Any]) -> str | None:
    """Why the checker would read a resource's CSV otherwise than its declared ``dialect`` says (None: it reads it
    as declared). ``csvddfVersion`` aside, only :data:`READ_DIALECT`'s values are read as declared."""
    dialect = res.get("dialect")
    if dialect is None:
        return None
    if not isinstance(dialect, dict):
        return "the dialect must be written into datapackage.json as an object"
    flat = {k: v for k, v in dialect.items() if k != "csv"}
    nested = dialect.get("csv")
    nested = {} if nested is None else nested  # ("csv": null, as Frictionless reads it: no CSV options)
    if not isinstance(nested, dict):
        return "dialect.csv must be an object"
    flat.update(nested)
    for key, value in sorted(flat.items()):
        if key == "csvddfVersion":
            continue
        if key not in READ_DIALECT or value not in READ_DIALECT[key] or type(value) is not type(READ_DIALECT[key][0]):
            return f"dialect {key} {json.dumps(value)}: releasekit's checker reads only " + ", ".join(
                f"{k} {' or '.join(json.dumps(v) for v in values)}" for k, values in READ_DIALECT.items())
    return None


def dependency_order(resources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Resources ordered so every referenced resource comes before those that reference it."""
    pending: list[dict[str, Any]] = list(resources)
    done: set[Any] = set()
    out: list[dict[str, Any]] = []
    while pending:
        for res in pending:
            targets = {fk["reference"]["resource"] for fk in foreign_keys(res)}
            if targets - {"", res.get("name")} <= done:
                break
        else:  # a reference cycle: keep the declared order for the rest
            res = pending[0]
        pending.remove(res)
        done.add(res.get("name"))
        out.append(res)
    return out
