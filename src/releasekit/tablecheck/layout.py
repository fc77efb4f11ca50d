"""A resource's block expression: one regular expression that checks a block of lines and captures its keys."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from operator import itemgetter
from typing import Any

from ..keycheck import KeyIndex
from .fields import FieldRule

#: A foreign key whose target holds at most this many keys is checked inside the block expression.
SMALL_TARGET = 64
View = tuple[int, ...]  # the field indexes (0-based) of a key, in the key's order


def blank_key(view: View) -> str:
    """The key text of a key whose cells are all missing."""
    return "," * (len(view) - 1)


class Layout:
    """One resource's block expression: a line whose cells are checked and whose key columns are captured.

    Matched with ``findall`` over a block of lines: the block is valid when every line matched,
    and the result holds the captured key text of every row. A key over consecutive columns is
    one capture (the CSV's own commas join its cells); a key over scattered columns is joined
    from one capture per column.
    """

    def __init__(self, fields: list[FieldRule], views: list[View], cells: dict[int, str],
                 canonical: Iterable[int] = ()) -> None:
        groups = self._groups(set(views))
        #: The columns whose text is captured (key columns) or must be canonical: a field's ``fast`` expression there.
        self.keyed = keyed = {i for view in views for i in view} | set(canonical)
        parts = []
        for f in fields:
            i = f.number - 1
            cell = cells.get(i, f.fast if i in keyed else f.loose)
            opened = sum(1 for start, _ in groups if start == i)
            closed = sum(1 for _, end in groups if end == i)
            parts.append("(" * opened + cell + ")" * closed)
        # A line of empty cells alone (or no cell: an empty line) is a blank row, never a row of missing values.
        self.pattern = re.compile("^(?!,*\n)" + ",".join(parts) + "\n", re.M)
        self.width = len(groups)
        self.getters = [itemgetter(n) for n in range(self.width)]
        number = {g: n for n, g in enumerate(groups)}
        self.groups: dict[View, tuple[int, ...]] = {}
        for view in views:
            whole = (view[0], view[-1])
            if _consecutive(view) and whole in number:
                self.groups[view] = (number[whole],)
            else:
                self.groups[view] = tuple(number[(i, i)] for i in view)

    @staticmethod
    def _groups(views: set[View]) -> list[tuple[int, int]]:
        """Capture groups (first, last column), nested or apart as regex groups must be, in group-number order."""
        wanted = []
        for view in views:
            if _consecutive(view):
                wanted.append((view[0], view[-1]))
            else:
                wanted += [(i, i) for i in view]
        chosen: list[tuple[int, int]] = []
        for start, end in sorted(set(wanted), key=lambda g: (g[1] - g[0] == 0, g)):
            if all(end < s or e < start or (s <= start and end <= e) or (start <= s and e <= end)
                   for s, e in chosen):
                chosen.append((start, end))
            else:  # overlaps a chosen group without nesting: capture its columns one by one
                chosen += [(i, i) for i in range(start, end + 1) if (i, i) not in chosen]
        return sorted(set(chosen), key=lambda g: (g[0], -g[1]))

    def line(self, fields: list[FieldRule]) -> re.Pattern[str]:
        """The expression of one plain line (the line-by-line path), every cell a group: each key column's text in
        its canonical form, as a block captures it, the other cells as loosely as a block reads them."""
        cells = ",".join(f"({f.fast if f.number - 1 in self.keyed else f.loose})" for f in fields)
        return re.compile("(?!,*$)" + cells)  # (blank rows: see the block expression)

    def match(self, chunk: str) -> list[Any] | None:
        """The captures of every line of ``chunk``, or None when a line is not plainly valid."""
        rows = self.pattern.findall(chunk)
        return rows if len(rows) == chunk.count("\n") else None

    def columns(self, rows: list[Any]) -> Sequence[Sequence[str]]:
        """The captures by group, each a sequence over the rows."""
        if self.width <= 1:
            return [rows] * self.width
        return [list(map(get, rows)) for get in self.getters]

    def keys(self, columns: Sequence[Sequence[str]], view: View) -> Sequence[str]:
        """The key text of ``view`` for every row."""
        numbers = self.groups[view]
        if len(numbers) == 1:
            return columns[numbers[0]]
        return list(map(",".join, zip(*(columns[n] for n in numbers), strict=True)))


def _consecutive(view: View) -> bool:
    return all(b == a + 1 for a, b in zip(view, view[1:], strict=False))


def small_target(view: View, target: KeyIndex | None, fields: list[FieldRule]) -> dict[int, set[str]] | None:
    """The values each column of a foreign key may take, when that is the whole check; else None.

    True when the target holds a handful of keys and they are every combination of their columns'
    values (one election's candidates: ``ppwp-2024`` × ``1, 2, 3``): then a row's key is in the
    target exactly when each of its cells is among its column's values.
    """
    if target is None or len(set(view)) != len(view):
        return None
    keys = target.keys(SMALL_TARGET)
    if not keys or any(k.startswith("\r") for k in keys):
        return None
    if len(view) > 1 and not all(fields[i].required for i in view):
        return None  # a partly missing composite key is looked up, not skipped
    rows = [k.split(",") for k in keys]
    if any(len(r) != len(view) for r in rows):
        return None
    values = [{r[p] for r in rows} for p in range(len(view))]
    if math.prod(map(len, values)) != len(keys):
        return None
    return {view[p]: values[p] for p in range(len(view))}
