"""Deterministic writers for every artefact: JSON, CSV and zip.

Same content in, same bytes out, on any machine: JSON with ``indent=2``,
``ensure_ascii=False`` and a trailing newline; CSV with ``\\n`` line ends and
NULL as an empty cell; zips with sorted members, fixed permissions and a fixed
timestamp (``SOURCE_DATE_EPOCH`` when set, else 1980-01-01).
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import time
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def json_text(value: Any) -> str:
    """The one JSON serialisation used for artefacts."""
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def write_json(path: Path, value: Any) -> None:
    """Write ``value`` as artefact JSON."""
    path.write_text(json_text(value), encoding="utf-8", newline="\n")


def source_date_epoch() -> int | None:
    """``SOURCE_DATE_EPOCH`` as an int, or None when unset (reproducible-builds.org)."""
    value = os.environ.get("SOURCE_DATE_EPOCH")
    return int(value) if value and value.isdigit() else None


def source_date_iso() -> str | None:
    """``SOURCE_DATE_EPOCH`` as an ISO 8601 UTC timestamp, or None."""
    epoch = source_date_epoch()
    return None if epoch is None else time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    """Write a CSV (UTF-8, ``\\n``, minimal quoting); return the number of data rows."""
    counted = _Counted(rows)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(counted)  # the csv module writes None as an empty cell
    return counted.count


class _Counted:
    """An iterable that counts what it yields."""

    def __init__(self, rows: Iterable[Sequence[object]]) -> None:
        self.rows = rows
        self.count = 0

    def __iter__(self) -> Iterator[Sequence[object]]:
        for row in self.rows:
            self.count += 1
            yield row


def file_sha256(path: Path) -> str:
    """SHA-256 of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def write_zip(path: Path, root: Path, names: Sequence[str]) -> None:
    """Zip ``names`` (paths relative to ``root``) into ``path``, byte-for-byte reproducibly."""
    epoch = source_date_epoch()
    date_time = ZIP_EPOCH if epoch is None else time.gmtime(max(epoch, 315532800))[:6]
    tmp = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(tmp, "w") as archive:
        for name in sorted(names):
            info = zipfile.ZipInfo(name, date_time=date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            # Streamed, not read whole (a masked voter list is hundreds of MB): writestr does the
            # same through open(info, "w"), so the bytes are identical.
            info.file_size = (root / name).stat().st_size
            info._compresslevel = 6  # type: ignore[attr-defined]  # zlib's default: 3x faster than 9, 4 % larger
            with (root / name).open("rb") as source, archive.open(info, "w") as target:
                shutil.copyfileobj(source, target, 1 << 20)
    os.replace(tmp, path)


def md_cell(text: object) -> str:
    """``text`` as one Markdown table cell: pipes escaped, line breaks flattened."""
    return str(text).replace("|", "\\|").replace("\n", " ")
