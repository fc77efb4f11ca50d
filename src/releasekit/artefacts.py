"""Deterministic writers for every artefact: JSON, CSV and zip.

Same content in, same bytes out, on any machine: JSON with ``indent=2``,
``ensure_ascii=False`` and a trailing newline; CSV with ``\\n`` line ends and
NULL as an empty cell; zips with their members in the order the package writes
them (data, then ``datapackage.json`` and ``README.md``), fixed permissions and
a fixed timestamp (``SOURCE_DATE_EPOCH`` when set, else 1980-01-01). A zip's
compressed bytes are zlib's: a system whose zlib is zlib-ng (Fedora 40 and later)
deflates the same members into other bytes; the members themselves are the same.
"""

from __future__ import annotations

import csv
import itertools
import json
import operator
import os
import queue
import shutil
import threading
import time
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from .errors import ConfigError

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def json_text(value: Any) -> str:
    """The one JSON serialisation used for artefacts."""
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def write_json(path: Path, value: Any) -> None:
    """Write ``value`` as artefact JSON."""
    path.write_text(json_text(value), encoding="utf-8", newline="\n")


#: How :func:`write_csv` ends a line; every package resource declares it (``dialect.lineTerminator``).
CSV_LINE_TERMINATOR = "\n"
#: The last second a zip entry can show (2107-12-31T23:59:59Z: its year is 7 bits from 1980).
_LAST_EPOCH = 4354819199


def source_date_epoch() -> int | None:
    """``SOURCE_DATE_EPOCH`` as an int, or None when unset or empty (reproducible-builds.org).

    :raises ConfigError: when it is set to anything but a whole number of seconds a timestamp can show (the
        specification asks a build to stop rather than ignore it: the release would lose its dates unnoticed).
    """
    value = os.environ.get("SOURCE_DATE_EPOCH", "")
    if not value:
        return None
    if not (value.isascii() and value.isdigit() and int(value) <= _LAST_EPOCH):
        raise ConfigError(f"SOURCE_DATE_EPOCH: '{value[:40]}' is not a whole number of seconds since 1970-01-01 UTC "
                          "(up to 2107, the last year a zip entry can show)",
                          hint="unset it, or set it to a time such as the last commit's: git log -1 --format=%ct")
    return int(value)


def source_date_iso() -> str | None:
    """``SOURCE_DATE_EPOCH`` as an ISO 8601 UTC timestamp, or None."""
    epoch = source_date_epoch()
    return None if epoch is None else time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    """Write a CSV (UTF-8, ``\\n``, minimal quoting); return the number of data rows."""
    counter = itertools.count()
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator=CSV_LINE_TERMINATOR)
        writer.writerow(header)
        # Counted in C (zip draws a number after each row, none after the last), as millions of rows go by;
        # the csv module writes None as an empty cell.
        writer.writerows(map(_first, zip(rows, counter, strict=False)))
    return next(counter)


_first = operator.itemgetter(0)


ZipDate = tuple[int, int, int, int, int, int]


def _zip_date() -> ZipDate:
    epoch = source_date_epoch()
    if epoch is None:
        return ZIP_EPOCH
    t = time.gmtime(max(epoch, 315532800))
    return (t.tm_year, t.tm_mon, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec)


def _add_member(archive: zipfile.ZipFile, name: str, file: Path, date_time: ZipDate) -> None:
    """One reproducible member (fixed date, mode 0644, deflate level 3), streamed from ``file``."""
    info = zipfile.ZipInfo(name, date_time=date_time)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3
    info.external_attr = 0o100644 << 16
    # Streamed, not read whole (a masked voter list is hundreds of MB): writestr does the
    # same through open(info, "w"), so the bytes are identical.
    info.file_size = file.stat().st_size
    # Level 3: on the national package's CSVs 3x faster than zlib's default 6 (1.7 s against 5.1 s) for
    # 12 % more bytes (36 MB against 32 MB; measured once, no script repeats it); a build compresses beside
    # formatting CSV on two cores.
    info._compresslevel = 3  # type: ignore[attr-defined]
    with file.open("rb") as source, archive.open(info, "w") as target:
        shutil.copyfileobj(source, target, 1 << 20)


def write_zip(path: Path, root: Path, names: Sequence[str]) -> None:
    """Zip ``names`` (paths relative to ``root``, in sorted order) into ``path``, byte-for-byte reproducibly."""
    date_time = _zip_date()
    tmp = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(tmp, "w") as archive:
        for name in sorted(names):
            _add_member(archive, name, root / name, date_time)
    os.replace(tmp, path)


class StreamingZip(threading.Thread):
    """A reproducible zip written in a thread, member by member as the caller finishes each file.

    Compressing leaves Python's lock free, so a package's zip grows while its next CSV is written.
    Members are in the order they are added. :meth:`close` waits, re-raises the thread's error, and
    moves the finished zip into place; nothing is at ``path`` before that.
    """

    def __init__(self, path: Path) -> None:
        super().__init__(name=f"releasekit-zip-{path.name}", daemon=True)
        self.path, self.tmp = path, path.with_name(path.name + ".tmp")
        self.todo: queue.Queue[tuple[str, Path] | None] = queue.Queue()
        self.error: BaseException | None = None
        self.start()

    def add(self, name: str, file: Path) -> None:
        """Queue ``file`` as member ``name`` (the file must not change until :meth:`close`)."""
        self.todo.put((name, file))

    def run(self) -> None:
        date_time = _zip_date()
        closing = False  # close() was called: nothing more will be queued
        try:
            with zipfile.ZipFile(self.tmp, "w") as archive:
                while (item := self.todo.get()) is not None:
                    _add_member(archive, *item, date_time)
                closing = True  # (writing the central directory, a full disk may still fail here)
        except BaseException as e:  # noqa: BLE001 - re-raised by close()
            self.error = e
            while not closing and self.todo.get() is not None:  # let close() through
                pass

    def close(self) -> None:
        self.todo.put(None)
        self.join()
        if self.error is not None:
            self.tmp.unlink(missing_ok=True)
            raise self.error
        os.replace(self.tmp, self.path)


def md_cell(text: object) -> str:
    """``text`` as one Markdown table cell: pipes escaped, line breaks flattened."""
    return str(text).replace("|", "\\|").replace("\n", " ")
