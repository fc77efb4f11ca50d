"""A resource's file as Frictionless reads it, for the PII gate: unpacked (zip, gzip, bzip2, xz), decoded (UTF-16,
UTF-32, a declared encoding) and split into records as its CSV dialect says (``quoteChar``, ``escapeChar`` …).

The checker reads a resource's bytes as UTF-8 in the default dialect (:mod:`.text`); a hand-edited package can
compress a file or declare a dialect that Frictionless follows and the checker does not, and a NIK would be read by
one and not looked for by the other.
"""

from __future__ import annotations

import bz2
import codecs
import csv
import gzip
import io
import json
import lzma
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from pathlib import Path, PurePosixPath
from typing import IO, Any, cast

import yaml

from ..readers.members import ZIP_STARTS
from ..readers.tarstream import MAGIC_BYTES
from ..readers.tarstream import compression_of as stream_compression


class CsvReading:
    """How the records of a resource's CSV text are read: ``options`` for :func:`csv.reader` (None: its defaults,
    read by the checker's own record splitting), the row whose cells are the labels (0: none) and, without one,
    the names of the columns."""

    def __init__(self, options: dict[str, Any] | None = None, label_row: int = 1, names: list[str] | None = None):
        self.options, self.label_row, self.names = options, label_row, names or []


#: :func:`csv.reader`'s defaults, which the checker reads (CSV Dialect's, which the releasekit engine reads and which
#: validate writes into each dialect Frictionless reads).
DEFAULT_OPTIONS: dict[str, Any] = {"delimiter": ",", "quotechar": '"', "doublequote": True, "escapechar": None,
                                   "skipinitialspace": False, "quoting": csv.QUOTE_MINIMAL}
#: CSV Dialect's names of what changes how a CSV reader splits records into cells (``lineTerminator``: a reader
#: ends lines at LF, CRLF or CR whatever it says), with their :data:`DEFAULT_OPTIONS` names.
DIALECT_OPTIONS = {"delimiter": "delimiter", "quoteChar": "quotechar", "doubleQuote": "doublequote",
                   "escapeChar": "escapechar", "skipInitialSpace": "skipinitialspace"}


def csv_reading(res: Mapping[str, Any] | None) -> CsvReading:
    """How Frictionless reads the records of resource ``res``'s CSV (its ``CsvControl.to_python``): CSV Dialect's
    options, flat (CSV Dialect 1.0's) over those under ``csv`` (Frictionless 5's), over the defaults; an escape
    character or none, whatever ``doubleQuote`` says without one; an empty ``quoteChar`` for no quoting. Options a
    CSV reader cannot take (``delimiter ";;"``: Frictionless cannot read the file) leave the defaults, so the text
    is still read, as a CSV reader reads it by default; options that do not split cells (``commentChar``,
    ``nullSequence``) are not read: their rows are read as any other."""
    dialect = res.get("dialect") if res is not None else None
    if not isinstance(dialect, dict):  # (none: the defaults; one by path is read first: with_dialect_read)
        return CsvReading()
    nested = dialect.get("csv")
    declared = {**(nested if isinstance(nested, dict) else {}),
                **{key: value for key, value in dialect.items() if key in DIALECT_OPTIONS and value is not None}}
    options = {**DEFAULT_OPTIONS, **{DIALECT_OPTIONS[key]: value for key, value in declared.items()
                                     if key in DIALECT_OPTIONS}}
    if options["quotechar"] == "":
        options.update(quotechar=None, quoting=csv.QUOTE_NONE)
    for key, value in list(options.items()):  # (one a reader cannot take: its default, the others as declared)
        if not _takes(**{key: value, **({"quoting": csv.QUOTE_NONE} if key == "quotechar" and value is None else {})}):
            options[key] = DEFAULT_OPTIONS[key]
    if not options["escapechar"]:
        options["doublequote"] = True
    if not _takes(**options):  # (a delimiter that is the quote character too)
        options = DEFAULT_OPTIONS
    rows = dialect.get("headerRows")
    label_row = 0 if dialect.get("header", True) is False else (
        rows[0] if isinstance(rows, list) and rows and type(rows[0]) is int and rows[0] > 0 else 1)
    return CsvReading(None if options == DEFAULT_OPTIONS else options, label_row,
                      _schema_names(res) if not label_row else None)


#: The most bytes of a dialect file read (one is a few hundred).
DIALECT_LIMIT = 1 << 20


def with_dialect_read(folder: Path, res: Mapping[str, Any]) -> Mapping[str, Any]:
    """``res`` with a ``dialect`` given by a path in the package (``"dialect": "dialect.json"``, which Frictionless
    reads: JSON or YAML) read from its file, so its rows are read as it says; ``res`` itself otherwise (a path that
    leaves the package, a link: refused before anything is read)."""
    dialect = res.get("dialect")
    if not isinstance(dialect, str) or "://" in dialect:
        return res
    pure = PurePosixPath(dialect.replace("\\", "/"))
    if pure.is_absolute() or ".." in pure.parts or not pure.parts:
        return res
    steps = steps_to(folder, dialect)
    if any(step.is_symlink() for step in steps) or not steps[-1].is_file():
        return res
    try:
        with steps[-1].open("rb") as handle:
            text = handle.read(DIALECT_LIMIT).decode("utf-8")
        value = json.loads(text) if pure.suffix.lower() not in (".yaml", ".yml") else yaml.safe_load(text)
    except (OSError, ValueError, RecursionError, yaml.YAMLError):
        return res
    return {**res, "dialect": value} if isinstance(value, dict) else res


def steps_to(folder: Path, path: str) -> list[Path]:
    """Each folder on the way from ``folder`` to the relative ``path`` (``/`` or ``\\`` between its parts), then
    the file itself: what must not be a symbolic link for the file to be read."""
    parts = PurePosixPath(path.replace("\\", "/")).parts
    return [folder.joinpath(*parts[:n]) for n in range(1, len(parts) + 1)]


def _takes(**options: Any) -> bool:
    """Whether a CSV reader takes ``options``."""
    try:
        csv.reader([], **options)
    except (TypeError, ValueError, csv.Error):
        return False
    return True


def _schema_names(res: Mapping[str, Any] | None) -> list[str]:
    schema = res.get("schema") if res is not None else None
    fields = schema.get("fields") if isinstance(schema, dict) else None
    return [str(f.get("name")) for f in fields if isinstance(f, dict)] if isinstance(fields, list) else []


def dialect_records(lines: Iterable[str], options: dict[str, Any]) -> Iterator[tuple[int, str, list[str]]]:
    """Yield ``(row number, text, cells)`` of each record a CSV reader with ``options`` reads from ``lines``: its
    text is the lines the reader took for it (a quoted cell may go on over line ends). A record the reader cannot
    read (a quote left open at the end) has no cells; its text is still read."""
    taken: list[str] = []

    def feed() -> Iterator[str]:
        for line in lines:
            taken.append(line)
            yield line

    reader = csv.reader(feed(), **options)
    number = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error:
            cells = []
        number += 1
        yield number, "".join(taken), cells
        taken.clear()


# A resource's file as Frictionless reads it ----------------------------------------------------------------------

#: What Frictionless unpacks (its ``COMPRESSION_FORMATS``): a resource whose path ends ``.zip``, ``.gz``, ``.bz2``
#: or ``.xz``, or which declares that ``compression``.
COMPRESSIONS = ("zip", "gz", "bz2", "xz")
#: Frictionless's names of the compressions a stream's first bytes tell (:func:`releasekit.readers.tarstream.
#: compression_of`'s gzip, bzip2 and xz).
_NAMES = {"gzip": "gz", "bzip2": "bz2", "xz": "xz"}
#: How lzma's older ``.lzma`` format starts, which Frictionless's xz reader reads too.
LZMA_ALONE = b"\x5d\x00\x00"
#: Byte order marks of encodings that are not ASCII's (UTF-32 LE's first: it starts as UTF-16 LE's does).
BOMS = ((b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"), (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"))
#: What a compressed file that is damaged, or not what its name says, raises as it is read (and text in UTF-16 or
#: UTF-32 without the BOM that says which: Frictionless cannot read it either).
UNREADABLE = (OSError, EOFError, zlib.error, lzma.LZMAError, zipfile.BadZipFile, NotImplementedError, RuntimeError,
              KeyError, UnicodeError)


def compression_of(path: Path, declared: object = None) -> str | None:
    """How the file at ``path`` is compressed (one of :data:`COMPRESSIONS`, or None): as its first bytes say (what it
    is, whatever its name), else as Frictionless tells it, by the ``compression`` its resource declares or its
    path's extension."""
    with path.open("rb") as handle:
        start = handle.read(MAGIC_BYTES)
    found = stream_compression(start)
    if found is not None:
        return _NAMES[found]
    if start.startswith(ZIP_STARTS):
        return "zip"
    if start.startswith(LZMA_ALONE):
        return "xz"
    if isinstance(declared, str) and declared in COMPRESSIONS:
        return declared
    suffix = path.suffix[1:].lower()
    return suffix if suffix in COMPRESSIONS else None


def zip_member(archive: zipfile.ZipFile, innerpath: object = None) -> str:
    """The member of a zip Frictionless reads as its resource's file: the one its ``innerpath`` names, or the first.

    :raises zipfile.BadZipFile: the zip holds no member.
    """
    names = archive.namelist()
    if isinstance(innerpath, str) and innerpath:
        return innerpath
    if not names:
        raise zipfile.BadZipFile("the archive is empty")
    return names[0]


@contextmanager
def unpacked(path: Path, compression: str | None, innerpath: object = None) -> Iterator[IO[bytes]]:
    """The bytes of the file at ``path`` as ``compression`` unpacks them, as they are read (a zip's member:
    :func:`zip_member`); its own bytes when it is None.

    :raises: one of :data:`UNREADABLE` (here or as it is read) when they cannot be.
    """
    with ExitStack() as stack:
        if compression == "zip":
            archive = stack.enter_context(zipfile.ZipFile(path))
            stream = stack.enter_context(archive.open(zip_member(archive, innerpath)))
        elif compression == "gz":
            stream = stack.enter_context(cast(IO[bytes], gzip.open(path)))
        elif compression == "bz2":
            stream = stack.enter_context(cast(IO[bytes], bz2.open(path)))
        elif compression == "xz":
            stream = stack.enter_context(cast(IO[bytes], lzma.open(path)))
        else:
            stream = stack.enter_context(path.open("rb"))
        yield stream


def text_encoding(start: bytes, declared: object = None) -> str:
    """The encoding text starting with the bytes ``start`` is read in: a BOM's (UTF-16, UTF-32), else the declared
    one Python knows as a text encoding, else UTF-8."""
    for bom, encoding in BOMS:
        if start.startswith(bom):
            return encoding
    if isinstance(declared, str):
        try:
            info = codecs.lookup(declared)
        except LookupError:
            return "utf-8"
        if getattr(info, "_is_text_encoding", True):  # (hex, rot13, zlib …: codecs of bytes to bytes, or of text)
            return info.name
    return "utf-8"


def reads_otherwise(path: Path, res: Mapping[str, Any]) -> bool:
    """Whether the text Frictionless reads out of resource ``res``'s file at ``path`` is other than its bytes read
    as UTF-8: they are compressed (:func:`compression_of`), or in another encoding (:func:`text_encoding`)."""
    with path.open("rb") as handle:
        start = handle.read(4)
    return compression_of(path, res.get("compression")) is not None or text_encoding(
        start, res.get("encoding")) not in ("utf-8", "utf-8-sig")


@contextmanager
def resource_text(path: Path, res: Mapping[str, Any] | None = None) -> Iterator[io.TextIOWrapper]:
    """The text of resource ``res``'s file at ``path`` as Frictionless reads it, as it is read (``newline=""``):
    unpacked (:func:`unpacked`), and decoded (:func:`text_encoding`; bytes that do not decode are read as U+FFFD).

    :raises: one of :data:`UNREADABLE` (here or as it is read) when it cannot be unpacked.
    """
    res = res or {}
    compression, innerpath = compression_of(path, res.get("compression")), res.get("innerpath")
    with unpacked(path, compression, innerpath) as stream:
        start = stream.read(4)
    with unpacked(path, compression, innerpath) as stream:
        yield io.TextIOWrapper(stream, encoding=text_encoding(start, res.get("encoding")), errors="replace",
                               newline="")
