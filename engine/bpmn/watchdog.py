"""A time and memory limit on engine steps that costs nothing until it fires.

``limited(seconds, memory)`` arms a watch for the current thread. One daemon thread looks at the armed
watches every ``POLL_SECONDS`` (and at the process's resident memory while any is armed); when a
watch runs out it raises ``StepTimeout`` or ``StepMemoryExceeded`` *in the running thread* through
``PyThreadState_SetAsyncExc``, and keeps raising it until the watch is disarmed, so a script that
catches it cannot carry on. No tracing hook is installed, and arming wakes no thread: the running
code pays an uncontended lock and a list append per step, not a cost per line (waking the watchdog
on every step cost a thread switch each time, several percent of a completion).

``unlimited()`` suspends the limit (application service handlers are trusted code that may take long,
e.g. starting hundreds of instances). Memory is measured for the whole process: exact for the usual
one-request-per-process server, approximate when several threads run steps at once.
"""

from __future__ import annotations

import ctypes
import math
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

POLL_SECONDS = 0.05  # while anything is armed: the precision of the limits
IDLE_SECONDS = 0.25  # while nothing is: a step is first looked at within this
REFIRE_SECONDS = 0.05
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


class StepInterrupted(BaseException):
    """Raised into a running engine step by the watchdog; a BaseException so scripts cannot catch it."""


class StepTimeout(StepInterrupted):
    """The engine step ran past its time limit."""


class StepMemoryExceeded(StepInterrupted):
    """The process grew by more than the memory limit during the engine step."""


@dataclass
class _Watch:
    thread_id: int
    deadline: float  # time.monotonic(); inf when suspended
    memory_ceiling: int  # bytes of resident memory; 0 for none
    fired: type[StepInterrupted] | None = None
    fired_at: float = 0.0


_raise_in = ctypes.pythonapi.PyThreadState_SetAsyncExc
_raise_in.argtypes = (ctypes.c_ulong, ctypes.py_object)
_clear_in = ctypes.PYFUNCTYPE(ctypes.c_int, ctypes.c_ulong, ctypes.c_void_p)(
    ("PyThreadState_SetAsyncExc", ctypes.pythonapi)
)

_lock = threading.Lock()
_stacks: dict[int, list[_Watch]] = {}
_thread: threading.Thread | None = None
_thread_pid = 0
_statm: int | None = None


def resident_bytes() -> int:
    """The process's resident memory (Linux ``/proc/self/statm``; 0 where unavailable)."""
    global _statm
    try:
        if _statm is None:
            _statm = os.open("/proc/self/statm", os.O_RDONLY)
        return int(os.pread(_statm, 64, 0).split()[1]) * _PAGE
    except OSError:
        return 0


@contextmanager
def limited(seconds: float, memory_bytes: int = 0) -> Iterator[None]:
    """Run the body under a time limit and a limit on how much the process may grow."""
    stack = _stacks.get(threading.get_ident())
    if stack and stack[-1].deadline != math.inf:
        yield  # already limited (an expression evaluated inside a step): the outer watch covers it
        return
    ceiling = resident_bytes() + memory_bytes if memory_bytes else 0
    with _push(_Watch(threading.get_ident(), time.monotonic() + seconds, ceiling)):
        yield


@contextmanager
def unlimited() -> Iterator[None]:
    """Run the body with the current thread's limit suspended (trusted application code)."""
    with _push(_Watch(threading.get_ident(), math.inf, 0)):
        yield


@contextmanager
def _push(watch: _Watch) -> Iterator[None]:
    with _lock:
        outer = _stacks.get(watch.thread_id, [])
        if outer and outer[-1].fired is not None:
            _clear_in(watch.thread_id, None)  # the outer limit already ran out: stop here, not later
            raise outer[-1].fired
        _stacks.setdefault(watch.thread_id, []).append(watch)
    _ensure_thread()
    try:
        yield
    finally:
        with _lock:
            stack = _stacks[watch.thread_id]
            stack.remove(watch)
            if not stack:
                del _stacks[watch.thread_id]
            if watch.fired is not None:
                _clear_in(watch.thread_id, None)  # one may be pending still; it must not escape the step


def _ensure_thread() -> None:
    global _thread, _thread_pid
    if _thread is not None and _thread_pid == os.getpid():
        return  # a daemon thread never ends while the process lives; after a fork it is gone
    with _lock:
        if _thread is not None and _thread_pid == os.getpid():
            return
        _thread = threading.Thread(target=_watch_loop, name="kinerja-watchdog", daemon=True)
        _thread_pid = os.getpid()
        _thread.start()


def _watch_loop() -> None:
    while True:
        with _lock:
            tops = [stack[-1] for stack in _stacks.values() if stack]
            now = time.monotonic()
            memory = resident_bytes() if any(w.memory_ceiling for w in tops) else 0
            for watch in tops:
                _check(watch, now, memory)
        time.sleep(POLL_SECONDS if tops else IDLE_SECONDS)


def _check(watch: _Watch, now: float, memory: int) -> None:
    reason: type[StepInterrupted] | None = watch.fired
    if reason is None and now >= watch.deadline:
        reason = StepTimeout
    if reason is None and watch.memory_ceiling and memory > watch.memory_ceiling:
        reason = StepMemoryExceeded
    if reason is None or now - watch.fired_at < REFIRE_SECONDS:
        return
    watch.fired, watch.fired_at = reason, now
    _raise_in(watch.thread_id, reason)
