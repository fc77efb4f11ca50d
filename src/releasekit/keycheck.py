"""Key bookkeeping for the streaming checker: primary-key uniqueness and foreign-key lookups in flat memory.

A key is handled as one *key text*: its cells joined by commas. The block path of
:mod:`releasekit.tablecheck` captures that text straight from the CSV line (where a
cell never holds a comma, quote or line break, so the join is unambiguous); the
line-by-line path builds the same text with :func:`key_text`. A key with a cell
that does hold one of those characters is written ``"\\r" + JSON`` instead, which no
joined text can equal.

Two structures use the fact that releasekit writes every table in primary-key order:

* :class:`DistinctKeys` proves a primary key unique by checking that keys increase,
  remembering only the highest key (and, when a block is out of order, the block
  before it), instead of every key; a key with an integer cell before its last one
  (an ``id`` 1..N) is compared with its integers padded (:func:`integer_order`), so
  that 9 comes before 10 there as it does in the file;
* :class:`KeyIndex` keeps the keys other resources point at as sorted runs of
  zlib-compressed text (a few bytes a key), written to an unnamed temporary file so that
  the checker's memory does not grow with the keys, and answers a block's lookups by
  reading and decompressing only the runs the block's keys fall in.

Both fall back when the order breaks: :class:`DistinctKeys` says it cannot prove
anything (the checker then indexes the whole file), and :class:`KeyIndex` turns
into a set of 64-bit hashes, the way the checker kept every key before.
"""

from __future__ import annotations

import json
import os
import tempfile
import zlib
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Callable, Collection, Sequence
from itertools import compress, islice
from operator import lt, ne

#: Characters a cell captured by the block path never holds; a key with one is written as JSON.
SPECIAL = (",", '"', "\r", "\n")
#: Decompressed runs kept at hand: a child written in key order asks for the same one or two runs block after
#: block; on a national package more runs only add to the peak memory, not to the speed.
CACHED_RUNS = 2
#: A :class:`KeyIndex` turns into hashes when lookups decompress more than this many keys per key looked up
#: (plus this many times the index): the child's keys are too scattered for runs to pay.
THRASH = 4


def key_text(cells: Sequence[str]) -> str:
    """The key text of ``cells``: joined by commas, or ``"\\r" + JSON`` when a cell holds a comma, quote or break."""
    if any(c in cell for cell in cells for c in SPECIAL):
        return "\r" + json.dumps(list(cells))
    return ",".join(cells)


def key_cells(text: str) -> list[str]:
    """The cells of a key text (the inverse of :func:`key_text`)."""
    if text.startswith("\r"):
        return list(json.loads(text[1:]))
    return text.split(",")


def increasing(keys: Sequence[str]) -> bool:
    """Whether every key is greater than the one before it (one C-level pass)."""
    return all(map(lt, keys, islice(keys, 1, None)))


def runs_collapsed(keys: Sequence[str]) -> list[str]:
    """``keys`` with each run of equal neighbours kept once: distinct and sorted when ``keys`` is sorted.

    One C-level pass of comparisons, no hashing: a block of a child table written in key order
    repeats each foreign key over consecutive rows (three candidates per polling station).
    """
    if not keys:
        return []
    return [*compress(keys, map(ne, keys, islice(keys, 1, None))), keys[-1]]


#: Digits an integer cell is padded to by :func:`integer_order` (a longer one is compared as written).
INTEGER_WIDTH = 20


def integer_order(integers: Collection[int], width: int) -> Callable[[Sequence[str]], list[str]] | None:
    """What :class:`DistinctKeys` compares for keys of ``width`` cells whose cells at ``integers`` are integers (their
    canonical text: no sign but a minus, no leading zero): each such cell padded with zeros, so that text order is
    number order (9 before 10, as releasekit and most tables write an ``id``). None when text order serves: no
    integer, or only in the last cell of a longer key (the candidates 1..12 of one TPS: a block out of order there
    is the case :meth:`DistinctKeys.add` allows).

    Any function of the key text would keep the proof sound (keys with different images differ); this one only makes
    it succeed. A negative or longer integer, a key written as JSON, is compared as it is.
    """
    integers = set(integers)
    if not integers or integers == {width - 1} and width > 1:
        return None
    if width == 1:
        return lambda keys: [k.rjust(INTEGER_WIDTH, "0") for k in keys]

    def padded(key: str) -> str:
        if key.startswith("\r"):
            return key
        return ",".join(c.rjust(INTEGER_WIDTH, "0") if i in integers else c for i, c in enumerate(key.split(",")))

    return lambda keys: list(map(padded, keys))


class DistinctKeys:
    """Proves a file's keys all different while remembering almost none of them.

    Keys come block by block, in file order. A block whose keys increase and start above
    every key seen before cannot repeat one: only the highest key seen is kept. A block out
    of order (integer key parts sort as numbers in the file, 9 before 10, but as text here)
    is still proven when its keys are distinct among themselves and start above every key
    *before the previous block*, and it shares no key with the previous block (the only one
    kept whole). Anything else turns :attr:`proven` False for good: the caller must then
    index the whole file to find (and report) the duplicates.

    :param order: what is compared in place of each block's keys (:func:`integer_order`), if not the keys.
    """

    def __init__(self, order: Callable[[Sequence[str]], list[str]] | None = None) -> None:
        self.proven = True
        self.order = order
        self.high: str | None = None  # the highest key seen
        self.before: str | None = None  # the highest key seen before the last block
        self.last: Sequence[str] = ()

    def add(self, keys: Sequence[str], ordered: bool | None = None) -> bool:
        """Take the next block of keys (``ordered``: whether they increase, if known); False once unprovable."""
        if not self.proven or not keys:
            return self.proven
        if self.order is not None:
            keys, ordered = self.order(keys), None
        if ordered if ordered is not None else increasing(keys):
            low, high = keys[0], keys[-1]
        elif len(set(keys)) == len(keys):
            low, high = min(keys), max(keys)
        else:
            self.proven = False
            return False
        if self.high is not None and low <= self.high:
            overlaps_older = self.before is not None and low <= self.before
            if overlaps_older or not set(keys).isdisjoint(self.last):
                self.proven = False
                return False
        self.before = self.high
        self.high = high if self.high is None or high > self.high else self.high
        self.last = keys
        return True


class _Spill:
    """Compressed runs appended to an unnamed temporary file of this process, read back by place."""

    def __init__(self) -> None:
        self.file = tempfile.TemporaryFile(prefix="releasekit-keys-")
        self.end = 0
        self.pid = os.getpid()

    def put(self, data: bytes) -> tuple[int, int]:
        """Append ``data``; its (offset, length)."""
        where = (self.end, len(data))
        os.pwrite(self.file.fileno(), data, self.end)  # by offset: a forked child shares the file's position
        self.end += len(data)
        return where

    def get(self, where: tuple[int, int]) -> bytes:
        offset, length = where
        return os.pread(self.file.fileno(), length, offset)


class KeyIndex:
    """The keys of one resource that foreign keys point at: exact, compact, searched in key order.

    Each block's keys become a sorted *run*. While the runs follow each other in key order
    (a file written in key order), a run is kept as zlib-compressed text with its first and
    last key, and :meth:`missing` decompresses only the runs the asked keys fall in. When a
    run starts below the end of the run before it, or when lookups keep decompressing far
    more keys than they ask for, the index becomes a set of 64-bit hashes (≈ 96 bytes a
    key): as exact as the checker has always been, which is to say a dangling key whose
    hash equals a present key's would pass (odds about n / 2^64 for n keys).
    """

    def __init__(self) -> None:
        self.firsts: list[str] = []
        self.lasts: list[str] = []
        #: Each run's compressed text: its place in :attr:`_spill`, or the bytes themselves (in a process that
        #: did not make the spill file: a forked child adding to its parent's index, or an unpickled copy).
        self.runs: list[tuple[int, int] | bytes] = []
        self._spill: _Spill | None = None
        self.sizes: list[int] = []
        self.hashes: set[int] | None = None
        self._cache: OrderedDict[int, list[str]] = OrderedDict()
        self._asked = 0
        self._decoded = 0

    def __len__(self) -> int:
        """Keys held (a key repeated across block boundaries counts once per run)."""
        return len(self.hashes) if self.hashes is not None else sum(self.sizes)

    @property
    def compact(self) -> bool:
        """True while the index holds sorted compressed runs (False: a set of hashes)."""
        return self.hashes is None

    def add(self, keys: Sequence[str], ordered: bool | None = None) -> None:
        """Add the keys of the next block, in file order (``ordered``: whether they increase, if known)."""
        if not keys:
            return
        if self.hashes is not None:
            self.hashes.update(map(hash, keys))
            return
        run = keys if (ordered if ordered is not None else increasing(keys)) else sorted(set(keys))
        if self.lasts and run[0] < self.lasts[-1]:
            self._to_hashes()
            self.add(run)
            return
        self.firsts.append(run[0])
        self.lasts.append(run[-1])
        self.sizes.append(len(run))
        data = zlib.compress("\n".join(run).encode("utf-8"), 1)
        if self._spill is None and not self.runs:
            self._spill = _Spill()
        mine = self._spill is not None and self._spill.pid == os.getpid()
        self.runs.append(self._spill.put(data) if mine else data)  # type: ignore[union-attr]

    def keys(self, limit: int) -> list[str] | None:
        """Every key (sorted), or None when there are more than ``limit`` or the index holds hashes."""
        if self.hashes is not None or sum(self.sizes) > limit:
            return None
        out: set[str] = set()
        for number in range(len(self.runs)):
            out.update(self._sorted(number))
        return sorted(out)

    def within(self, other: KeyIndex | None) -> bool:
        """Whether every key held here is in ``other`` (False when that cannot be told: keys held as hashes)."""
        if self.hashes is not None:
            return False
        if not self.runs:
            return True
        if other is None:
            return False
        # Runs are sorted and distinct by construction: no need to check their order again.
        return not any(other.missing(self._sorted(number), True) for number in range(len(self.runs)))

    def missing(self, keys: Collection[str], ordered: bool | None = None) -> set[str]:
        """The keys that are not in the index (``ordered``: whether they increase, if known).

        Cheapest for a list of keys in increasing order.
        """
        if not keys:
            return set()
        self._asked += len(keys)
        if self.hashes is not None:
            present = self.hashes
            return {k for k in keys if hash(k) not in present}
        if ordered is None:
            ordered = isinstance(keys, list) and increasing(keys)
        wanted = keys if ordered and isinstance(keys, list) else runs_collapsed(sorted(keys))
        lost: list[str] = []
        pos = 0
        while pos < len(wanted):
            key = wanted[pos]
            number = bisect_left(self.lasts, key)  # the first run that ends at or after the key
            if number == len(self.lasts) or self.firsts[number] > key:  # between runs: absent
                end = len(wanted) if number == len(self.lasts) else bisect_left(wanted, self.firsts[number], pos)
                lost += wanted[pos:end]
                pos = end
                continue
            end = bisect_right(wanted, self.lasts[number], pos)
            run = self._run(number)
            if self.hashes is not None:  # too scattered: the index just turned into hashes
                return set(lost) | self.missing(wanted[pos:])
            lost += _absent(wanted[pos:end], run)
            pos = end
        return set(lost)

    def _compressed(self, number: int) -> bytes:
        run = self.runs[number]
        return run if isinstance(run, bytes) else self._spill.get(run)  # type: ignore[union-attr]

    def _sorted(self, number: int) -> list[str]:
        """Run ``number``'s keys, in order."""
        return zlib.decompress(self._compressed(number)).decode("utf-8").split("\n")

    def __getstate__(self) -> dict[str, object]:
        """Pickled (a forked child hands its indexes back) with the runs' bytes, not a file of this process."""
        state = dict(self.__dict__)
        state["runs"] = [self._compressed(number) for number in range(len(self.runs))]
        state["_spill"] = None
        state["_cache"] = OrderedDict()
        return state

    def _run(self, number: int) -> list[str]:
        """Run ``number`` (cached); turns the index into hashes when runs are decoded too often."""
        run = self._cache.get(number)
        if run is not None:
            self._cache.move_to_end(number)
            return run
        run = self._sorted(number)
        self._decoded += len(run)
        if self._decoded > THRASH * (self._asked + len(self)):
            self._to_hashes()
            return run
        self._cache[number] = run
        if len(self._cache) > CACHED_RUNS:
            self._cache.popitem(last=False)
        return run

    def close(self) -> None:
        """Close the file the runs spill into (the index holds no runs after): each index an end, as a checker's
        run has, and no file left for the garbage collector (review BY L3: ``ResourceWarning``)."""
        if self._spill is not None and self._spill.pid == os.getpid():
            self._spill.file.close()
        self._spill = None
        self.firsts, self.lasts, self.runs, self.sizes = [], [], [], []
        self._cache.clear()

    def _to_hashes(self) -> None:
        hashes: set[int] = set()
        for number in range(len(self.runs)):
            hashes.update(map(hash, self._sorted(number)))
        self.hashes = hashes
        self.firsts, self.lasts, self.runs, self.sizes = [], [], [], []
        if self._spill is not None:
            self._spill.file.close()  # (a forked child closes only its own copy of the descriptor)
        self._spill = None
        self._cache.clear()


def _absent(wanted: list[str], run: list[str]) -> list[str]:
    """The keys of ``wanted`` (distinct, sorted) that ``run`` (distinct, sorted) lacks, by comparison, not hashing.

    The slice of the run between the first and last wanted key is compared whole: equal when the
    child refers to every key in that stretch (each polling station has results), else merged with
    the wanted keys (timsort merges two sorted runs in one linear pass) and counted. Only when keys
    are missing is a set built, to name them.
    """
    low = bisect_left(run, wanted[0])
    have = run[low:bisect_right(run, wanted[-1], low)]
    if have == wanted or len(runs_collapsed(sorted(have + wanted))) == len(have):
        return []
    present = set(have)
    return [k for k in wanted if k not in present]
