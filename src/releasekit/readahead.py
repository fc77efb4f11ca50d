"""Read a source in a forked child process while the build loads what it has read.

Reading a national Sirekap archive (inflating it, parsing 823,378 JSON documents, checking each
record) and loading the records into SQLite are two halves of similar size; a build machine has
a second core. :func:`read_ahead` runs a reader in a child process and hands its records to the
caller in the same order as :meth:`Reader.read <releasekit.readers.base.Reader.read>` would, so
the database built from them is byte-for-byte the same. Records travel through a pipe in
pickled batches (TPS results as plain tuples, which pickle several times faster than the
dataclass). An exception in the child (a :class:`~releasekit.errors.ReleasekitError` such as an
undecodable CSV) is raised in the caller as if the reader had raised it there.

Where a second process cannot run beside this one (:func:`releasekit.forked.available`), the
reader simply runs in the caller.
"""

from __future__ import annotations

import os
import pickle
import signal
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from . import forked
from .errors import MachineError
from .readers.base import ReadContext, Reader, Record, TpsResult

BATCH = 500
_RESULT = "T"


def _encode(record: Record) -> Any:
    if type(record) is TpsResult:
        return (_RESULT, record.locator, record.kode_tps, record.values, record.votes, record.raw)
    return record


def _decode(item: Any) -> Record:
    if type(item) is tuple and item[0] == _RESULT:
        return TpsResult(item[1], item[2], item[3], item[4], item[5])
    return item  # type: ignore[no-any-return]


def read_ahead(reader: Reader, ctx: ReadContext) -> Iterator[Record]:
    """Yield ``reader.read(ctx)``'s records, read in a child process where one can run beside this one."""
    if not reader.read_ahead or not forked.available():
        yield from reader.read(ctx)
        return
    pid, read_fd, write_fd = forked.fork()
    if pid == 0:  # the child: read, send, leave without running the parent's exit handlers
        _child(reader, ctx, write_fd)
    os.close(write_fd)
    done = broken = False
    status = 0
    try:
        with os.fdopen(read_fd, "rb", buffering=1 << 20) as pipe:
            while True:
                kind, payload, position = pickle.load(pipe)
                if position is not None and ctx.progress is not None:
                    ctx.progress(position)
                if kind == "records":
                    for item in payload:
                        yield _decode(item)
                elif kind == "error":
                    done = True
                    raise payload
                else:
                    done = True
                    return
    except (EOFError, pickle.UnpicklingError):  # the pipe ended mid-way: the child died
        broken = True
    finally:
        if not done:  # the caller stopped early (or the child died): do not leave it running
            try:
                os.kill(pid, signal.SIGKILL)  # (a child that is already dead keeps its own exit status)
            except ProcessLookupError:
                pass
        status = os.waitpid(pid, 0)[1]
    if broken:
        raise MachineError(f"{ctx.label}: the process reading this source ended without a result ({_ended(status)})",
                           hint="a child killed by signal 9 is most often the kernel's out-of-memory killer: free "
                                "memory, then build again")


def _ended(status: int) -> str:
    """How a child process ended, from its ``waitpid`` status."""
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = "an unknown signal"
        return f"killed by signal {number}, {name}"
    return f"exit status {os.WEXITSTATUS(status)}" if os.WIFEXITED(status) else f"wait status {status}"


def _child(reader: Reader, ctx: ReadContext, write_fd: int) -> None:
    status = 1
    try:
        with os.fdopen(write_fd, "wb", buffering=1 << 20) as pipe:
            position: list[int | None] = [None]
            local = replace(ctx, progress=lambda n: position.__setitem__(0, n))
            try:
                batch: list[Any] = []
                for record in reader.read(local):
                    batch.append(_encode(record))
                    if len(batch) >= BATCH:
                        pickle.dump(("records", batch, position[0]), pipe, protocol=pickle.HIGHEST_PROTOCOL)
                        batch = []
                pickle.dump(("records", batch, position[0]), pipe, protocol=pickle.HIGHEST_PROTOCOL)
                pickle.dump(("end", None, None), pipe, protocol=pickle.HIGHEST_PROTOCOL)
            except Exception as e:  # noqa: BLE001 - handed to the parent, which raises it
                try:
                    message = pickle.dumps(("error", e, None), protocol=pickle.HIGHEST_PROTOCOL)
                except Exception:  # noqa: BLE001 - an exception that does not pickle is sent as its text
                    message = pickle.dumps(("error", RuntimeError(f"{type(e).__name__}: {e}"), None))
                pipe.write(message)
            status = 0
    finally:
        os._exit(status)
