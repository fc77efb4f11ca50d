"""The package checker: resources in dependency order, the largest beside the others, hashes in threads."""

from __future__ import annotations

import csv
import functools
import hashlib
import threading
from pathlib import Path
from typing import Any

from .. import forked
from ..keycheck import KeyIndex
from ..privacy import mask_niks
from ..report import PII_NIK, Problem, pii_problem
from .asread import with_dialect_read
from .descriptor import dependency_order, fk_translation, foreign_keys, handed_over, name_list, schema_error
from .fields import ResourceCheck, compile_field
from .roworder import RowOrder
from .rowpass import RowPass
from .text import first_undecodable, header_labels, niks_by_record, undecodable_count

#: Problems of one resource after which its rows are no longer read, as ``frictionless validate`` stops (its
#: ``limit_errors``): the first ones in row order are reported, with a warning (:attr:`Checker.stopped`).
ERROR_LIMIT = 1000
#: Problems of a resource's file as a whole, reported whatever the limit and not counted against it.
FILE_LEVEL = frozenset({"hash-count", "byte-count", "encoding-error"})
#: Bytes the hashing thread reads at a time (it needs the GIL only between reads; 4 MB reads held about 15 MB more
#: of the peak, for no speed: runs G and H of benchmarks/bench_build.py in the README).
HASH_CHUNK = 1 << 20
#: The largest resource no other resource points at is checked in a second process when it is this big and
#: the others together are too (on Linux with two CPUs or more): the two halves then take about as long.
ASIDE_BYTES = 8 << 20
#: The second process starts just before the first resource this big (small ones first: their keys go with it).
START_BYTES = 1 << 20
#: The ``hash`` algorithms a resource may declare (``md5`` when it names none).
HASHES = ("md5", "sha1", "sha224", "sha256", "sha384", "sha512")


def _deduplicated(names: list[str]) -> list[str]:
    """The names, each repeat renamed as Frictionless renames one: the first free of name2, name3 …"""
    out: list[str] = []
    for name in names:
        new, suffix = name, 2
        while new in out:
            new, suffix = f"{name}{suffix}", suffix + 1
        out.append(new)
    return out


class _Digest:
    """A resource file's hash and size, computed in a thread beside the row pass (``hashlib`` releases the GIL)."""

    def __init__(self, path: Path, algorithm: str) -> None:
        self.digest = hashlib.new(algorithm)
        self.size = 0
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, args=(path,), daemon=True)
        self.thread.start()

    def _run(self, path: Path) -> None:
        buffer = bytearray(HASH_CHUNK)  # one buffer, filled again and again: no allocation a read
        view = memoryview(buffer)
        try:
            with path.open("rb", buffering=0) as handle:
                while read := handle.readinto(buffer):
                    self.digest.update(view[:read])
                    self.size += read
        except BaseException as e:  # handed to the main thread by result()
            self.error = e

    def result(self) -> tuple[str, int]:
        """``(hex digest, bytes)``, once the thread is done."""
        self.thread.join()
        if self.error is not None:
            raise self.error
        return self.digest.hexdigest(), self.size


@functools.lru_cache(maxsize=256)
def counted(resource: str) -> str:
    """The name a resource's problems are counted under: as :class:`Problem` holds it (masked)."""
    return mask_niks(resource)


class Checker:
    """Checks every CSV resource of one package; collects :class:`Problem` records.

    Counts, hashing threads and warnings are keyed by the resource's name as a :class:`Problem` holds it
    (:func:`counted`: a NIK-like value in a name is masked there).
    """

    def __init__(self, folder: Path, descriptor: dict[str, Any]) -> None:
        self.folder = folder
        self.descriptor = descriptor
        self.problems: list[Problem] = []
        self.keys: dict[tuple[str, tuple[str, ...]], KeyIndex] = {}
        self.counts: dict[str | None, int] = {}
        #: Resources whose rows cannot be read (reported once), or were not all read (but for those whose keys were
        #: then read whole: :meth:`read_keys_whole`): foreign keys into them are not looked up.
        self.unread: set[str] = set()
        #: Resources whose rows were not all read (:data:`ERROR_LIMIT`): the last row whose problems are reported.
        self.stopped: dict[str, int] = {}
        #: Each resource's hashing thread, with the descriptor and the digest it declares (None: unchecked).
        self.baselines: dict[str, tuple[dict[str, Any], str | None, _Digest]] = {}
        # In the second process: foreign keys into resources not checked yet, and the keys they asked for.
        self.deferred: set[tuple[str, tuple[str, ...]]] = set()
        self.asked: dict[tuple[str, tuple[str, ...]], KeyIndex] = {}
        #: Resources Frictionless stops checking at a ``resource-error`` (a foreign key into a resource the package
        #: lacks) or a ``scheme-error`` (into one whose file is missing), by the name their problems carry: still read,
        #: for the keys other resources look up in them and for the PII gate, which alone reports.
        self.muted: set[str] = set()
        #: The problem each such resource stops at, by its name: reported in its turn (:meth:`_resource`).
        self.stops: dict[str, Problem] = {}
        #: Resources another resource's foreign keys point at, and the keys asked of each resource (:meth:`run`).
        self.pointed: set[str] = set()
        self.wanted: dict[str, list[tuple[str, ...]]] = {}
        #: The resources the checker leaves to Frictionless (:func:`~.descriptor.handed_over`), each with the problem
        #: that says so (validate's default engine replaces it with Frictionless's verdict on the resource).
        self.handed: dict[str, Problem] = {}
        #: Resources stopped at the limit whose keys were then read whole.
        self.whole: set[str] = set()

    #: Whether each resource's ``hash`` and ``bytes`` are checked (not by :class:`_KeysOnly`).
    hashes = True

    @property
    def limit(self) -> int:
        """Problems a resource may have before its rows stop being read (:data:`ERROR_LIMIT`)."""
        return ERROR_LIMIT

    def run(self) -> list[Problem]:
        """Check every resource, referenced resources first; the largest unreferenced one beside the others."""
        wanted = self.wanted
        resources = []
        for res in (r for r in self.descriptor.get("resources", []) if isinstance(r, dict)):
            why = schema_error(res)
            handed = None if why else handed_over(res)
            if why or handed:
                problem = Problem("schema-error" if why else "resource-error", f"{why or handed}; releasekit's "
                                  "checker cannot read it (check with --engine frictionless)", resource=res.get("name"))
                self.add(problem)
                if handed:
                    self.handed[res.get("name", "")] = problem
                self.unread.add(res.get("name", ""))
                self._scan_unread(res)
            else:
                resources.append(res)
        names = {res.get("name") for res in self.descriptor.get("resources", []) if isinstance(res, dict)}
        for res in resources:
            for fk in foreign_keys(res):
                target = fk["reference"]["resource"] or res["name"]
                if target not in names:  # (every key would be missing: the error limit, and no NIK looked for)
                    self.unread.add(target)
                    path = res.get("path")
                    if isinstance(path, str) and not (self.folder / path).is_file():
                        continue  # (Frictionless stops at the missing file first: its scheme-error alone)
                    self.stops.setdefault(res["name"], Problem(  # (one error, as Frictionless stops there)
                        "resource-error", f'failed to handle a foreign key for resource "{res["name"]}" as resource '
                        f'"{target}" does not exist', resource=res["name"]))
                    continue
                if target != res["name"] and (lost := self._lost(target)) and self._found(res):
                    self.stops.setdefault(res["name"], Problem(  # (Frictionless reads the target for the lookup first)
                        "scheme-error", f'file not found: {lost} (resource "{target}", which a foreign key points '
                        "at)", resource=res["name"]))
                    continue
                fields = tuple(fk["reference"]["fields"])
                if target != res["name"]:
                    self.pointed.add(target)
                if fields not in wanted.setdefault(target, []):  # collected once, however many point at it
                    wanted[target].append(fields)
        order = dependency_order(resources)
        aside = self._aside(order)
        child: forked.Forked | None = None
        started, slot, done, read_ahead = False, 0, set[str](), set[str]()
        try:
            for res in order:
                name = res.get("name", "")
                if aside is not None and not started and (res is aside or self._size(res) >= START_BYTES):
                    started, child = True, self._start_aside(aside, wanted.get(aside.get("name", ""), []), done)
                if res is aside:
                    slot = len(self.problems)
                else:
                    if name in read_ahead:  # (its keys are collected again as it is checked)
                        for target in [t for t in self.keys if t[0] == name]:
                            self.keys.pop(target).close()
                    for ahead in self._ahead(res, resources, done | read_ahead):
                        _KeysOnly(self).collect(ahead, wanted.get(ahead.get("name", ""), []))
                        read_ahead.add(ahead.get("name", ""))
                    self._resource(res, wanted.get(name, []))
                done.add(name)
        except BaseException:
            if child is not None:
                child.cancel()
            self._close_keys()
            raise
        try:
            if aside is not None:
                self._finish_aside(aside, wanted.get(aside.get("name", ""), []), child, slot)
        finally:
            self._close_keys()
        return self.problems

    def _close_keys(self) -> None:
        """Close every key index (:meth:`KeyIndex.close`): the run is over."""
        for index in [*self.keys.values(), *self.asked.values()]:
            index.close()

    def _found(self, res: dict[str, Any]) -> bool:
        """Whether ``res``'s file is there (a resource without one reports that alone, as Frictionless does)."""
        path = res.get("path")
        return not isinstance(path, str) or (self.folder / path).is_file()

    def _lost(self, name: str) -> str | None:
        """The path of the resource called ``name`` when its file is not there, else None."""
        for res in self.descriptor.get("resources", []):
            if isinstance(res, dict) and res.get("name") == name:
                return None if self._found(res) else str(res["path"])
        return None

    def _ahead(self, res: dict[str, Any], resources: list[dict[str, Any]], known: set[str]) -> list[dict[str, Any]]:
        """The resources ``res`` points at whose keys are not ``known`` yet: those it shares a reference cycle with
        (:func:`~.descriptor.dependency_order` puts every other one first), read for their keys before it."""
        own = {"", res.get("name")}
        names = {fk["reference"]["resource"] for fk in foreign_keys(res)} - own - known - self.unread
        return [other for other in resources if other.get("name") in names]

    def _size(self, res: dict[str, Any]) -> int:
        path = self.folder / res["path"] if isinstance(res.get("path"), str) else None
        return path.stat().st_size if path is not None and path.is_file() else 0

    def _aside(self, order: list[dict[str, Any]]) -> dict[str, Any] | None:
        """The resource to check in a second process: the largest that no other resource points at, if it pays."""
        if not forked.available():
            return None
        pointed = {fk["reference"]["resource"] for res in order for fk in foreign_keys(res)
                   if fk["reference"]["resource"] not in ("", res.get("name"))}
        sizes = {id(res): self._size(res) for res in order}
        # (nor one with a foreign key into keys of another kind: its keys are looked up as they are read, not deferred)
        free = [res for res in order if res.get("name") not in pointed
                and not any(fk_translation(self.descriptor, res, fk) for fk in foreign_keys(res))]
        if not free:
            return None
        aside = max(free, key=lambda res: sizes[id(res)])
        rest = sum(sizes.values()) - sizes[id(aside)]
        return aside if sizes[id(aside)] >= ASIDE_BYTES and rest >= ASIDE_BYTES else None

    def _start_aside(self, res: dict[str, Any], wanted: list[tuple[str, ...]], done: set[str]
                     ) -> forked.Forked | None:
        """Fork the second process (None if the system refuses); keys into resources not checked yet are deferred."""
        targets = [(fk["reference"]["resource"], tuple(fk["reference"]["fields"])) for fk in foreign_keys(res)]
        deferred = {t for t in targets if t[0] and t[0] != res.get("name") and t[0] not in done}

        def check() -> tuple[list[Problem], dict[tuple[str, tuple[str, ...]], KeyIndex]]:
            self.problems, self.counts, self.deferred, self.asked = [], {}, deferred, {}
            self._resource(res, wanted)
            return self.problems, self.asked

        try:
            return forked.Forked(check)
        except OSError:  # no process to spare: the resource is checked here, in its turn at the end
            return None

    def _finish_aside(self, res: dict[str, Any], wanted: list[tuple[str, ...]], child: forked.Forked | None,
                      slot: int) -> None:
        """Put the second process's problems in the resource's place, once its deferred keys are all found.

        A deferred key that is not found (or a failed child) means the resource is checked again here,
        in order, exactly as without a second process: dangling keys are then reported in their rows.
        """
        result = child.result() if child is not None else None
        if result is not None:
            problems, asked = result
            if all(target[0] in self.unread or index.within(self.keys.get(target)) for target, index in asked.items()):
                self.problems[slot:slot] = problems
                name = res.get("name", "")
                count = sum(p.type not in FILE_LEVEL for p in problems)  # (all of them the resource's)
                if count:
                    self.counts[counted(name)] = count
                if not self.open(name):
                    self._stop(name, problems)
                return
        after = self.problems[slot:]
        del self.problems[slot:]
        self._resource(res, wanted)
        self.problems += after

    def add(self, problem: Problem) -> bool:
        """Record a problem; False once the resource has :data:`ERROR_LIMIT` of them."""
        if problem.resource in self.muted and problem.type != PII_NIK:
            return True
        if problem.resource in self.baselines:  # the file's hash and size come first, as they always have
            self._baseline(problem.resource)
        self.problems.append(problem)
        if problem.type not in FILE_LEVEL:
            self.counts[problem.resource] = self.counts.get(problem.resource, 0) + 1
        return self.counts.get(problem.resource, 0) < ERROR_LIMIT  # (a problem's resource is masked already)

    def problem_rows(self, resource: str) -> list[int]:
        """The rows of the problems counted against ``resource`` so far, in order (its file's as a whole aside)."""
        key = counted(resource)
        return sorted(p.row or 0 for p in self.problems if p.resource == key and p.type not in FILE_LEVEL)

    def open(self, resource: str | None) -> bool:
        """Whether ``resource`` has fewer than :data:`ERROR_LIMIT` problems: its rows are still read."""
        return self.counts.get(counted(resource) if resource is not None else None, 0) < ERROR_LIMIT

    def _cut(self, name: str, start: int, order: RowOrder) -> None:
        """A resource that reached the limit keeps its first :data:`ERROR_LIMIT` problems in row order (a block of
        lines reports its problems check by check, and may go past the row that reached it), each row's in
        Frictionless's ``order``, as frictionless does; the problems of its file as a whole (:data:`FILE_LEVEL`) stay
        where they are."""
        mine = self.problems[start:]
        lead = 0
        while lead < len(mine) and mine[lead].type in FILE_LEVEL:
            lead += 1
        rows = order.sort([p for p in mine[lead:] if p.type not in FILE_LEVEL])
        kept = rows[:ERROR_LIMIT]
        self.problems[start:] = mine[:lead] + kept + [p for p in mine[lead:] if p.type in FILE_LEVEL]
        self.counts[counted(name)] = len(kept)
        self._stop(name, kept)

    def warnings(self) -> list[str]:
        """One line for each resource whose rows were not all read (after :meth:`run`)."""
        return [f"resource {name}: reached the error limit ({ERROR_LIMIT:,} problems) at row {row}: its later rows "
                f"were not checked; fix these and validate again / batas {ERROR_LIMIT:,} "
                "masalah tercapai, baris berikutnya tidak diperiksa" for name, row in sorted(self.stopped.items())]

    def _stop(self, name: str, problems: list[Problem]) -> None:
        key = counted(name)
        self.stopped[key] = max((p.row or 0 for p in problems if p.resource == key), default=0)
        if name not in self.whole:
            self.unread.add(name)

    def _resource(self, res: dict[str, Any], wanted: list[tuple[str, ...]]) -> None:
        name = res.get("name", "")
        key, start = counted(name), len(self.problems)
        if name in self.stops:
            self.add(self.stops[name])
            self.muted.add(key)
        path = self.folder / res["path"]
        if not path.is_file():
            self.add(Problem("scheme-error", f"file not found: {res['path']}", resource=name))
            self.unread.add(name)
            return
        declared = res.get("hash")
        algorithm, _, expected = declared.rpartition(":") if isinstance(declared, str) else ("", "", "")
        if algorithm and algorithm not in HASHES:
            self.add(Problem("hash-count", f'cannot check hash "{declared}": unknown algorithm "{algorithm}" '
                             f"(use one of {', '.join(HASHES)}) / algoritma hash tidak dikenal", resource=name))
            algorithm, expected = "", ""
        if self.hashes:
            self.baselines[key] = (res, expected or None, _Digest(path, algorithm or "md5"))
        schema = res.get("schema") or {}
        fields = [compile_field(f, i) for i, f in enumerate(schema.get("fields", []), start=1)]
        names = tuple(f.name for f in fields)
        # A header with fewer labels than the schema has fields: Frictionless reads the rows against the labelled
        # fields alone (no missing cells; a cell past them is extra), and a key over an unlabelled field is not checked.
        # One with more: it reads each extra label's cells as a field of its own, of any value, named after the label
        # (renamed name2, name3 … where it repeats a name), so a row short of them misses cells (a trailing comma on
        # the header alone: a missing cell in every row).
        labels = header_labels(path)
        if path.stat().st_size <= 2 and path.read_bytes() in (b"", b"\n", b"\r\n", b"\r"):  # (no record at all)
            self.add(Problem("source-error", "the source is empty", resource=name))
            for fields_wanted in wanted:  # (keys asked of it find none)
                self.keys.setdefault((name, fields_wanted), KeyIndex())
            if key in self.baselines:
                self._baseline(key)
            return
        fields = fields[:len(labels)] if 0 < len(labels) < len(fields) else fields
        if len(labels) > len(fields):
            made = _deduplicated([*(f.name for f in fields), *labels[len(fields):]])[len(fields):]
            fields += [compile_field({"name": made_name, "type": "string"}, number)
                       for number, made_name in enumerate(made, start=len(fields) + 1)]
        key_names = name_list(schema.get("primaryKey") or [])
        pk = tuple(i for i, f in enumerate(fields) if f.name in key_names)
        pk = () if any(n in names[len(fields):] for n in key_names) else pk
        undecodable = undecodable_count()
        try:
            fks = foreign_keys(res)
            translations = tuple(fk_translation(self.descriptor, res, fk) for fk in fks)
            RowPass(self, ResourceCheck(name, path, fields, pk, fks, names, translations), wanted).run()
        except csv.Error as e:  # (no record a CSV reader reads ends here: kept so one cannot lose the report)
            self.add(Problem("source-error", f"a CSV record cannot be read: {e} / rekaman CSV tidak dapat dibaca",
                             resource=name))
            self.unread.add(name)
            self._scan_unread(res)
        if undecodable_count() != undecodable:
            self.add(Problem("encoding-error", f"'utf-8' codec can't decode {first_undecodable(path)}; save the "
                             "file as UTF-8 / berkas bukan UTF-8", resource=name))
        if key in self.baselines:
            self._baseline(key)
        if not self.open(name):  # (the order of a row's problems decides which the limit keeps)
            self._cut(name, start, RowOrder.of([f.name for f in fields], [f.name for f in fields if f.unique],
                                               list(key_names) if pk else [],
                                               [fk["fields"] for fk in foreign_keys(res)
                                                if set(fk["fields"]) <= {f.name for f in fields}]))
        if key in self.stopped and name in self.pointed and name not in self.whole:
            self.read_keys_whole(name)

    def read_keys_whole(self, name: str) -> None:
        """Read the keys asked of resource ``name``, which stopped at the limit, from all its rows (:class:`_KeysOnly`),
        as Frictionless reads a referenced resource whole for its lookups, whatever its problems: the foreign keys of
        other resources into it and its references to its own rows are looked up in them."""
        res = next(r for r in self.descriptor["resources"] if isinstance(r, dict) and r.get("name") == name)
        for target in [t for t in self.keys if t[0] == name]:
            self.keys.pop(target).close()
        self.unread.discard(name)
        self.whole.add(name)
        _KeysOnly(self).collect(res, self.wanted.get(name, []))

    def _scan_unread(self, res: dict[str, Any]) -> None:
        """The PII gate on the file of a resource the checker cannot read otherwise, record by record as validate's
        Frictionless engine reads it, in its dialect (:func:`~releasekit.tablecheck.text.niks_by_record`: a cell
        named by its column's label, or the record when only its bytes hold the NIK); the parts of a multipart
        resource are read by validate's gate on the package's other files."""
        path, name = res.get("path"), res.get("name", "")
        file = self.folder / path if isinstance(path, str) else None
        if file is not None and file.is_file():  # (validate refuses unsafe paths before the checker runs)
            start = len(self.problems)
            for row, field in niks_by_record(file, with_dialect_read(self.folder, res)):
                if not self.open(name):  # another one past the limit
                    self._stop(name, self.problems[start:])
                    break
                self.add(pii_problem(name, row, field))

    def _baseline(self, name: str) -> None:
        """The ``hash`` and ``bytes`` checks of a resource, once its hashing thread is done."""
        res, expected, digest = self.baselines.pop(name)
        actual, size = digest.result()
        if expected and actual != expected:
            self.add(Problem("hash-count", f'expected is "{expected}" and actual is "{actual}"',
                             resource=res["name"]))
        if "bytes" in res and res["bytes"] != size:
            self.add(Problem("byte-count", f'expected is "{res["bytes"]}" and actual is "{size}"',
                             resource=res["name"]))


class _KeysOnly(Checker):
    """Reads a resource for its keys alone, ahead of its turn, into the keys of the checker it is made for: a
    resource in a reference cycle is read after one that points at it, which must find all its keys, as Frictionless
    reads a referenced resource whole before it looks keys up in it. Nothing it finds is reported (the resource is
    checked in its turn), and it reads every row, whatever the problems."""

    hashes = False

    def __init__(self, checker: Checker) -> None:
        super().__init__(checker.folder, checker.descriptor)
        self.checker = checker
        self.keys = checker.keys
        self.unread = set(checker.unread)

    def collect(self, res: dict[str, Any], wanted: list[tuple[str, ...]]) -> None:
        """Read ``res``'s keys; one it cannot read whole is as unread to the checker (keys into it are not looked
        up, as when it is checked first and fails)."""
        self._resource(res, wanted)
        name = res.get("name", "")
        if name in self.unread:
            self.checker.unread.add(name)

    def add(self, problem: Problem) -> bool:
        return True

    def open(self, resource: str | None) -> bool:
        return True

    def _scan_unread(self, res: dict[str, Any]) -> None:
        pass


def check_package(folder: Path, descriptor: dict[str, Any]) -> list[Problem]:
    """Check every CSV resource of the package in ``folder`` against its Table Schema (and the PII gate)."""
    return Checker(folder, descriptor).run()
