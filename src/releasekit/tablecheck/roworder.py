"""The order Frictionless gives one row's problems, which decides the ones kept where the error limit cuts a row.

Frictionless reads a row's cells lazily. Its checks touch the cells they need first, in this order: each
``unique`` field, then the primary key's fields, then each foreign key's fields (in the schema's order). A
touched cell's type and constraint errors are listed as it is read. The first check that finds a problem reads
the rest of the row, in field order, then its extra cells, then its missing ones; a blank row is then its
``blank-row`` alone. That check's problem follows, and each later check's after it. So a ``required`` key field's
problem comes before an earlier field's type error.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from itertools import groupby

from ..privacy import mask_niks
from ..report import Problem

#: The problems of one cell.
CELL = ("type-error", "constraint-error")


@dataclass(frozen=True)
class RowOrder:
    """What orders a resource's problems within a row: its field names, as problems name them (masked)."""

    fields: tuple[str, ...]
    unique: tuple[str, ...]
    primary_key: tuple[str, ...]
    #: Each foreign key's fields, in the schema's order (a reference to its own rows among them).
    foreign_keys: tuple[tuple[str, ...], ...]

    @classmethod
    def of(cls, fields: list[str], unique: list[str], primary_key: list[str],
           foreign_keys: list[list[str]]) -> RowOrder:
        """The order of a resource's fields (the names as its schema writes them)."""
        return cls(tuple(map(mask_niks, fields)), tuple(map(mask_niks, unique)), tuple(map(mask_niks, primary_key)),
                   tuple(tuple(map(mask_niks, fk)) for fk in foreign_keys))

    def sort(self, problems: list[Problem]) -> list[Problem]:
        """``problems`` in row order, each row's in Frictionless's order (those of no row first, as they were)."""
        ordered = sorted(problems, key=lambda p: p.row or 0)
        out: list[Problem] = []
        for row, group in groupby(ordered, key=lambda p: p.row or 0):
            found = list(group)
            out += self._row(found) if row else found
        return out

    def _row(self, problems: list[Problem]) -> list[Problem]:
        cells: dict[str | None, list[Problem]] = defaultdict(list)
        extra, missing, blank, keys, other = [], [], [], [], []
        unique: dict[str | None, list[Problem]] = defaultdict(list)
        lookups: dict[int, list[Problem]] = defaultdict(list)
        labels = [mask_niks(f'for "{", ".join(fields)}":') for fields in self.foreign_keys]
        for p in problems:
            if p.type in CELL:
                cells[p.field].append(p)
            elif p.type == "extra-cell":
                extra.append(p)
            elif p.type == "missing-cell":
                missing.append(p)
            elif p.type == "blank-row":
                blank.append(p)
            elif p.type == "unique-error":
                unique[p.field].append(p)
            elif p.type == "primary-key":
                keys.append(p)
            elif p.type == "foreign-key":
                lookups[next((n for n, label in enumerate(labels) if p.message.startswith(label)), len(labels))] += [p]
            else:  # (releasekit's own, pii-nik: found as the record is read, first)
                other.append(p)
        out: list[Problem] = []
        touched: set[str | None] = set()
        whole = False

        def touch(fields: tuple[str, ...]) -> None:
            for name in fields:
                if not whole and name not in touched:
                    touched.add(name)
                    out.extend(cells[name])

        def read_whole() -> None:
            nonlocal whole, out
            if whole:
                return
            whole = True
            out += [p for name in (*self.fields, *(n for n in cells if n not in self.fields)) if name not in touched
                    for p in cells[name]]
            out += extra + missing
            if blank:
                out = list(blank)

        for name in self.unique:
            touch((name,))
            if unique[name]:
                read_whole()
                out += unique.pop(name)
        touch(self.primary_key)
        if keys:
            read_whole()
            out += keys
        for n, fields in enumerate(self.foreign_keys):
            touch(fields)
            if lookups[n]:
                read_whole()
                out += lookups.pop(n)
        read_whole()
        return other + out + [p for found in (*unique.values(), *lookups.values()) for p in found]
