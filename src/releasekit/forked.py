"""Run one function in a forked child process, beside the caller, and get its result back.

``releasekit validate`` is single-threaded Python; the machines it runs on have a second
core. :mod:`releasekit.tablecheck` uses this to check one large resource in a child while
the parent checks the others. ``fork`` (not ``spawn``) because the child needs the parent's
state as it is (compiled schemas, the key indexes built so far) and must start at once; so
it is only offered where fork is dependable (Linux), and only called while the caller runs
no other thread. The result comes back pickled through a pipe; any failure in the child comes
back as ``None``, and the caller then does the work itself.
"""

from __future__ import annotations

import ctypes
import gc
import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable
from typing import Any


def available() -> bool:
    """Whether a second process can run beside this one: Linux, two usable CPUs, no other thread running.

    (A thread of the caller's could hold a lock at the moment of the fork, which the child would then
    wait on forever.)
    """
    if sys.platform != "linux" or not hasattr(os, "fork") or threading.active_count() > 1:
        return False
    return len(os.sched_getaffinity(0)) >= 2


#: prctl(2)'s option: the signal the kernel sends this process when its parent dies.
_PR_SET_PDEATHSIG = 1
#: prctl(2), looked up once, in the parent: a child forked from a process with threads must not load libraries.
_PRCTL = ctypes.CDLL(None, use_errno=True).prctl if sys.platform == "linux" else None


def die_with(parent: int) -> None:
    """In a forked child: be killed when ``parent`` dies, however it dies.

    A child inherits the parent's open files, the build's lock among them (an ``flock`` lives as long as
    any process holds the file open): a child outliving a killed build would hold the project locked.
    (The signal comes when the *thread* that forked ends: every caller forks from its main thread.)
    """
    if _PRCTL is not None:
        _PRCTL(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the signal was asked for
        os._exit(1)


def fork() -> tuple[int, int, int]:
    """``os.fork()`` with a pipe from the child to the parent: ``(pid, read, write)``, ``pid`` 0 in the child.

    The child has closed ``read`` and dies with its parent (:func:`die_with`); it must leave by ``os._exit``.
    """
    parent = os.getpid()
    read, write = os.pipe()
    # The child's garbage collector then leaves the parent's objects (and their pages) alone. Not where the caller
    # froze objects of its own: unfreezing would move theirs back too (review AY #10), and not unfreezing would keep
    # every object of the build alive for good (review BA #4).
    freeze = gc.get_freeze_count() == 0
    thaw = gc.unfreeze if freeze else (lambda: None)
    if freeze:
        gc.freeze()
    try:
        pid = os.fork()
    except BaseException:
        thaw()
        raise
    if pid != 0:
        thaw()
        return pid, read, write
    os.close(read)
    try:
        die_with(parent)
    except BaseException:  # noqa: BLE001 - never run on as a copy of the parent
        os._exit(1)
    return pid, read, write


class Forked:
    """``function()`` running in a forked child process; :meth:`result` waits for its return value."""

    def __init__(self, function: Callable[[], Any]) -> None:
        self.pid, read, write = fork()
        if self.pid == 0:  # the child: compute, send, leave without running the parent's exit handlers
            status = 1
            try:
                payload = pickle.dumps(function(), protocol=pickle.HIGHEST_PROTOCOL)
                status = 0
            except BaseException:  # noqa: BLE001 - any failure is reported as "no result"
                payload = b""
            try:
                with os.fdopen(write, "wb") as out:
                    out.write(payload)
            finally:
                os._exit(status)
        os.close(write)
        self.read = read

    def cancel(self) -> None:
        """Stop the child (the caller gave up on it) and reap it."""
        os.close(self.read)
        self._stop()

    def _stop(self) -> None:
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(self.pid, 0)

    def result(self) -> Any | None:
        """The child's return value, or None when it failed."""
        try:
            with os.fdopen(self.read, "rb") as handle:
                payload = handle.read()
        except BaseException:  # interrupted while waiting (Ctrl-C): no child left behind
            self._stop()
            raise
        _, status = os.waitpid(self.pid, 0)
        if os.waitstatus_to_exitcode(status) != 0 or not payload:
            return None
        try:
            return pickle.loads(payload)
        except Exception:  # noqa: BLE001 - a truncated payload is a failed child
            return None
