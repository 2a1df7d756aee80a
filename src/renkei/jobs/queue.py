"""An in-process job queue: one worker thread, jobs keyed so the same work isn't queued twice.

Jobs must be restartable: their state lives in the database (e.g. a DataStore table's
``status``), and the node re-queues unfinished work when it starts, so a killed process loses
no job. ``join`` lets tests and the CLI wait for the queue to drain.

A job may be delayed (``submit(..., delay=s)``): it waits that long before it is handed to the
worker, and every submit of the same key meanwhile folds into it, so a burst of changes gives
one run (a debounce that never postpones the first run by more than ``delay``). One scheduler
thread holds the delayed jobs and hands them over one at a time, when the worker has finished
the previous one: a burst over many keys (a harvest) waits in the scheduler, not in the
worker's queue, and a process that exits drops it (delayed jobs are restartable too) instead of
running it all first.
"""

from __future__ import annotations

import heapq
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

log = logging.getLogger(__name__)


class JobQueue:
    def __init__(self, workers: int = 1) -> None:
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="renkei-job")
        self._lock = threading.Lock()
        # Signalled whenever a job ends or a delayed job is added: join and the scheduler wait.
        self._changed = threading.Condition(self._lock)
        # key -> (serial, started?) of the latest job queued under that key
        self._pending: dict[str, list[Any]] = {}
        self._serial = 0
        # (due, serial, key, entry, job) of the delayed jobs, soonest first
        self._delayed: list[tuple[float, int, str, list[Any], Callable[[], None]]] = []
        self._scheduler: threading.Thread | None = None
        # the delayed job handed to the worker and not finished yet
        self._handed: list[Any] | None = None
        self._closed = False

    def submit(self, key: str, job: Callable[[], None], *, delay: float = 0) -> None:
        """Queue ``job`` unless a job with ``key`` is waiting and hasn't started (it will read
        the latest state when it runs, so a second copy would only repeat it). ``delay``:
        seconds before the job is handed to the worker (a waiting job all the while)."""
        with self._lock:
            if self._closed:
                return
            waiting = self._pending.get(key)
            if waiting is not None and not waiting[1]:
                return
            self._serial += 1
            entry = [self._serial, False]
            self._pending[key] = entry
            if delay > 0:
                due = time.monotonic() + delay
                heapq.heappush(self._delayed, (due, entry[0], key, entry, job))
                if self._scheduler is None:
                    # A daemon: at exit the delayed jobs are dropped, not waited for.
                    self._scheduler = threading.Thread(
                        target=self._schedule, name="renkei-job-scheduler", daemon=True
                    )
                    self._scheduler.start()
                self._changed.notify_all()
                return
        self._executor.submit(self._run, key, entry, job)

    def _schedule(self) -> None:
        with self._lock:
            while not self._closed:
                if not self._delayed or self._handed is not None:
                    self._changed.wait()
                    continue
                wait = self._delayed[0][0] - time.monotonic()
                if wait > 0:
                    self._changed.wait(wait)
                    continue
                _, _, key, entry, job = heapq.heappop(self._delayed)
                try:
                    self._executor.submit(self._run, key, entry, job)
                except RuntimeError:  # the interpreter is exiting: dropped (restartable)
                    self._forget(key, entry)
                    return
                self._handed = entry

    def _run(self, key: str, entry: list[Any], job: Callable[[], None]) -> None:
        with self._lock:
            entry[1] = True
        try:
            job()
        except Exception:
            log.exception("background job %s failed", key)
        finally:
            with self._lock:
                if self._handed is entry:
                    self._handed = None
                self._forget(key, entry)

    def _forget(self, key: str, entry: list[Any]) -> None:
        """(With the lock held.) The job under ``entry`` is done or dropped."""
        if self._pending.get(key) is entry:
            del self._pending[key]
        self._changed.notify_all()

    def join(self, timeout: float | None = None) -> bool:
        """Wait until no job is queued, delayed or running; False if ``timeout`` passed first."""
        with self._lock:
            return self._changed.wait_for(lambda: not self._pending, timeout)

    def shutdown(self) -> None:
        """Finish the jobs handed to the worker; drop the delayed ones (restartable)."""
        with self._lock:
            self._closed = True
            for _, _, key, entry, _ in self._delayed:
                self._forget(key, entry)
            self._delayed.clear()
            self._changed.notify_all()
        self._executor.shutdown(wait=True, cancel_futures=False)
