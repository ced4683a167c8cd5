"""Every file is read within a budget of time and memory, by a process that can be ended."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:  # multiprocessing is imported when files are read, not by every answer
    from multiprocessing.connection import Connection

# The budget of one file, named settings documented in the README. A file's reading (its
# format's reader, its sentences, its terms) gets TIME_PER_FILE whatever its size, plus
# TIME_PER_MB for each million characters of text it holds and TIME_PER_PAGE for each page
# a paged format's reader reports: a long book is read, a short file that never ends is not.
# Measured (benchmarks/formats.py, README): about 1 s per MB of prose on one core of a loaded
# laptop for the slowest format; the budget is thirty times that, so that a slow or busy
# machine does not skip a legitimate file.
TIME_PER_FILE = 20.0
TIME_PER_MB = 30.0
TIME_PER_PAGE = 1.0
# Memory: what the reader may hold above what its process held before the file, the same
# way. A unit of text costs about 20 bytes per character of it in Python objects (its text,
# offsets, terms); fifty bytes a character allows twice that with room.
MEMORY_PER_FILE = 256 * 2**20
MEMORY_PER_CHARACTER = 50
# A reading process's time to start and take in its task (import the reader's modules) is
# not the file's: the file's clock starts when the process begins it, and until then it has
# this long (a loaded machine imports NumPy and NLTK in seconds).
STARTUP_SECONDS = 120.0
# How many files a reading process is ahead of the one waited for: enough to keep it busy,
# few enough that results waiting to be taken in order stay small.
AHEAD_PER_WORKER = 4

T = TypeVar("T")
R = TypeVar("R")


class OverBudget(Exception):
    """A file was not read: it took longer or needed more memory than its budget allows, or
    its reader failed. The message says which, in a few words."""


@dataclass(slots=True)
class _Grant:
    """What the file being read was found to hold so far."""

    characters: int = 0
    pages: int = 0

    def seconds(self) -> float:
        return TIME_PER_FILE + TIME_PER_MB * self.characters / 1e6 + TIME_PER_PAGE * self.pages

    def memory(self, per_file: int, per_character: int) -> int:
        return per_file + per_character * self.characters


# -- in a reading process ------------------------------------------------------------------
_channel: Connection | None = None  # to the process that hands out the files, in a reader
_serial = 0  # which reading process this is, unique in its parent (pids can be reused)
_grant = _Grant()
_memory_floor = 0  # what the process held when the file began
_memory_budget = (MEMORY_PER_FILE, MEMORY_PER_CHARACTER)  # as the parent has them


def worker_serial() -> int:
    """This reading process's number (from 1), unique among its parent's; 0 outside one."""
    return _serial


def grant(characters: int = 0, pages: int = 0) -> None:
    """Tell the budget what the file being read holds, as a reader finds it out: its text's
    length, or pages read so far. Each raises the file's time and memory budget. Nothing
    outside a reading process."""
    if _channel is None:
        return
    _grant.characters += characters
    _grant.pages += pages
    _limit_memory(_memory_floor + _grant.memory(*_memory_budget))
    _channel.send(("grant", _grant.characters, _grant.pages))


def _virtual_memory() -> int | None:
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None  # not Linux: the time budget still holds


def _limit_memory(most: int | None) -> None:
    """At most ``most`` bytes of address space for this process (None: no limit)."""
    try:
        import resource
    except ImportError:
        return
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    soft = hard if most is None or _memory_floor == 0 else most
    if hard != resource.RLIM_INFINITY and soft > hard:
        soft = hard
    try:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
    except (ValueError, OSError):
        pass


def _serve(channel: Connection, serial: int) -> None:
    """A reading process: call each function sent with its task, one file at a time, under
    the file's memory budget, until told to stop (None). After a file it could not read it
    stops: what it keeps from file to file (the terms it numbered) may be half made."""
    global _channel, _serial, _memory_floor, _memory_budget
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _channel, _serial = channel, serial
    while True:
        try:
            message = channel.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        function, task, _memory_budget = message
        channel.send(("begin",))
        _grant.characters = _grant.pages = 0
        _memory_floor = _virtual_memory() or 0
        _limit_memory(_memory_floor + _grant.memory(*_memory_budget))
        failed = None
        try:
            result = function(task)
        except MemoryError:
            result, failed = None, "it needs more memory than its budget allows"
        except RecursionError:
            result, failed = None, "its structure is nested too deep to read"
        except Exception as error:  # a reader's bug is one file skipped, not the corpus lost
            result, failed = None, f"its reader failed ({type(error).__name__})"
        _limit_memory(None)
        _memory_floor = 0
        channel.send(("failed", failed) if failed else ("done", result))
        if failed:
            return


# -- in the process that reads a corpus ----------------------------------------------------
class _Worker:
    def __init__(self, context, serial: int) -> None:
        self.serial = serial
        self.channel, theirs = context.Pipe()
        self.process = context.Process(target=_serve, args=(theirs, serial), daemon=True,
                                       name=f"verbatim-reader-{serial}")
        self.process.start()
        theirs.close()
        self.task: tuple[int, Any] | None = None  # (position, task) being read
        self.started = 0.0
        self.grant = _Grant()
        self.begun = False  # the process has taken in its task and begun the file

    def give(self, function: Callable, position: int, task: Any) -> None:
        self.channel.send((function, task, (MEMORY_PER_FILE, MEMORY_PER_CHARACTER)))
        self.task, self.started, self.grant = (position, task), time.monotonic(), _Grant()
        self.begun = False

    def deadline(self) -> float:
        return self.started + (self.grant.seconds() if self.begun else STARTUP_SECONDS)

    def end(self) -> None:
        """Stop the process now (it may be stuck in a file)."""
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.channel.close()

    def stop(self) -> None:
        """Let the process finish (it has nothing to read)."""
        try:
            self.channel.send(None)
        except OSError:
            pass
        self.process.join(5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(5)
        self.channel.close()


class Readers:
    """Processes that read files, each file within its budget: one that runs out of time is
    ended (and another started), one that runs out of memory or whose reader fails gives up.
    Without processes (a sandbox that allows none), files are read here, with no budget of
    time. One user at a time."""

    def __init__(self, count: int) -> None:
        self.count = max(1, count)
        self.workers: list[_Worker] = []
        self._serials = 0
        import multiprocessing

        # A process with one thread (the one-shot command) forks its readers: they start in
        # milliseconds with what it has imported. Otherwise (the chat reads from a thread, and
        # forking a threaded process can leave locks held in the child), and off Linux, they
        # are started afresh.
        forks = sys.platform == "linux" and threading.active_count() == 1
        self.context = multiprocessing.get_context("fork" if forks else "spawn")
        self.in_process = False
        try:
            _start_resource_tracker()
            self._start_all()
        except (OSError, ValueError):  # no processes here: read in this one
            self.close()
            self.in_process = True

    def _start_all(self) -> None:
        if threading.current_thread() is threading.main_thread():
            # Ctrl-C reaches the whole terminal group: the readers ignore it from birth.
            previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
            try:
                self.workers = [self._new() for _ in range(self.count)]
            finally:
                signal.signal(signal.SIGINT, previous)
        else:
            self.workers = [self._new() for _ in range(self.count)]

    def _new(self) -> _Worker:
        self._serials += 1
        return _Worker(self.context, self._serials)

    def map(self, function: Callable[[T], R], tasks: list[T],
            skipped: Callable[[T, str], R]) -> Iterator[R]:
        """``function(task)`` of every task, in their order; ``skipped(task, why)`` for a
        task that was not done within its budget. ``function`` must be importable by name."""
        if self.in_process:
            for task in tasks:
                try:
                    yield function(task)
                except (MemoryError, RecursionError) as error:
                    yield skipped(task, str(OverBudget(_why(error))))
                except Exception as error:
                    yield skipped(task, f"its reader failed ({type(error).__name__})")
            return
        from multiprocessing.connection import wait

        queue = deque(enumerate(tasks))
        done: dict[int, R] = {}
        given = taken = 0
        try:
            while taken < len(tasks):
                for worker in self.workers:
                    if worker.task is None and queue and given - taken < AHEAD_PER_WORKER * len(self.workers):
                        position, task = queue.popleft()
                        worker.give(function, position, task)
                        given += 1
                busy = [w for w in self.workers if w.task is not None]
                if busy:
                    timeout = max(0.0, min(w.deadline() for w in busy) - time.monotonic())
                    for channel in wait([w.channel for w in busy], timeout):
                        worker = next(w for w in busy if w.channel is channel)
                        self._hear(worker, done, skipped)
                    now = time.monotonic()
                    for worker in busy:
                        if worker.task is not None and now > worker.deadline():
                            position, task = worker.task
                            done[position] = skipped(task, f"not read within its budget of "
                                                           f"{worker.grant.seconds():.0f} s" if worker.begun else
                                                     f"its reading process did not start in {STARTUP_SECONDS:.0f} s")
                            self._replace(worker)
                while taken in done:
                    yield done.pop(taken)
                    taken += 1
        finally:
            if taken < len(tasks):  # stopped early (an error, Ctrl-C): end the readers now
                for worker in self.workers:
                    worker.end()
                self.workers = []

    def _hear(self, worker: _Worker, done: dict, skipped: Callable) -> None:
        assert worker.task is not None
        position, task = worker.task
        try:
            message = worker.channel.recv()
        except (EOFError, OSError):  # the process died (killed, out of memory)
            done[position] = skipped(task, "its reading process ended")
            self._replace(worker)
            return
        kind = message[0]
        if kind == "begin":
            worker.started, worker.begun = time.monotonic(), True
        elif kind == "grant":
            worker.grant = _Grant(message[1], message[2])
        elif kind == "done":
            done[position] = message[1]
            worker.task = None
        else:
            done[position] = skipped(task, message[1])
            self._replace(worker)

    def _replace(self, worker: _Worker) -> None:
        worker.end()
        self.workers[self.workers.index(worker)] = self._new()

    def close(self) -> None:
        for worker in self.workers:
            worker.stop()
        self.workers = []

    def __enter__(self) -> Readers:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _why(error: BaseException) -> str:
    if isinstance(error, MemoryError):
        return "it needs more memory than its budget allows"
    return "its structure is nested too deep to read"


def within_budget(function: Callable[[T], R], task: T) -> R:
    """``function(task)`` in a reading process, within the budget; raises OverBudget when it
    is not done within it (the reason in its message)."""
    failure: list[str] = []

    def skipped(_task: T, why: str) -> Any:
        failure.append(why)
        return None

    with Readers(1) as readers:
        result = next(readers.map(function, [task], skipped))
    if failure:
        raise OverBudget(failure[0])
    return result


class KeptReader:
    """One reading process kept from file to file, for files read one at a time on request
    (the chat's reading pane): each file within its budget, as the build reads it. The
    process starts with the first file, and anew after one it gave up on. Safe to share
    between threads: one file at a time."""

    def __init__(self) -> None:
        self._readers: Readers | None = None
        self._lock = threading.Lock()

    def read(self, function: Callable[[T], R], task: T) -> R:
        """``function(task)`` in the reading process, within the budget; raises OverBudget
        when it is not done within it (the reason in its message)."""
        failure: list[str] = []

        def skipped(_task: T, why: str) -> Any:
            failure.append(why)
            return None

        with self._lock:
            readers = self._readers
            # Anew after a file it gave up on, and after processes could not be started
            # (read in this process then, without a budget): the next file tries again.
            if readers is None or readers.in_process or not readers.workers:
                readers = self._readers = Readers(1)
            results = list(readers.map(function, [task], skipped))  # the whole map: its end keeps the process
        if failure:
            raise OverBudget(failure[0])
        return results[0]

    def close(self) -> None:
        with self._lock:
            if self._readers is not None:
                self._readers.close()
                self._readers = None


def _start_resource_tracker() -> None:
    """Start multiprocessing's helper process with the real stderr.

    The helper inherits stderr by descriptor. A host that has put an object without one in
    ``sys.stderr`` (the chat while it runs, a notebook) makes starting it fail with "bad
    value(s) in fds_to_keep", so it is started here with the process's own stderr.
    """
    from multiprocessing import resource_tracker

    try:
        usable = sys.stderr is not None and sys.stderr.fileno() >= 0
    except (AttributeError, OSError, ValueError):
        usable = False
    if usable:
        return
    replaced, sys.stderr = sys.stderr, sys.__stderr__
    try:
        resource_tracker.ensure_running()
    finally:
        sys.stderr = replaced
