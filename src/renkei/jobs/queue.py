"""An in-process job queue: one worker thread, jobs keyed so the same work isn't queued twice.

Jobs must be restartable: their state lives in the database (e.g. a DataStore table's
``status``), and the node re-queues unfinished work when it starts, so a killed process loses
no job. ``join`` lets tests and the CLI wait for the queue to drain.

A job may be delayed (``submit(..., delay=s)``): it waits that long before it is handed to the
worker, and every submit of the same key meanwhile folds into it: a burst of changes gives one
run (a debounce that never postpones the first run by more than ``delay``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

log = logging.getLogger(__name__)


class JobQueue:
    def __init__(self, workers: int = 1) -> None:
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="renkei-job")
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        # key -> (serial, started?) of the latest job queued under that key
        self._pending: dict[str, list[Any]] = {}
        self._serial = 0
        # serial -> (timer, key, entry) of the delayed jobs not yet handed to the worker
        self._timers: dict[int, tuple[threading.Timer, str, list[Any]]] = {}
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
                timer = threading.Timer(delay, self._hand_over, (key, entry, job))
                # A daemon: a process that exits drops a delayed job (jobs are restartable).
                timer.daemon = True
                self._timers[entry[0]] = (timer, key, entry)
                timer.start()
                return
        self._executor.submit(self._run, key, entry, job)

    def _hand_over(self, key: str, entry: list[Any], job: Callable[[], None]) -> None:
        with self._lock:
            self._timers.pop(entry[0], None)
            if self._closed:
                self._forget(key, entry)
                return
        try:
            self._executor.submit(self._run, key, entry, job)
        except RuntimeError:  # shut down meanwhile: dropped, like the other delayed jobs
            with self._lock:
                self._forget(key, entry)

    def _forget(self, key: str, entry: list[Any]) -> None:
        """(With the lock held.) The job under ``entry`` is done or dropped."""
        if self._pending.get(key) is entry:
            del self._pending[key]
        self._idle.notify_all()

    def _run(self, key: str, entry: list[Any], job: Callable[[], None]) -> None:
        with self._lock:
            entry[1] = True
        try:
            job()
        except Exception:
            log.exception("background job %s failed", key)
        finally:
            with self._lock:
                self._forget(key, entry)

    def join(self, timeout: float | None = None) -> bool:
        """Wait until no job is queued or running; False if ``timeout`` passed first."""
        with self._lock:
            return self._idle.wait_for(lambda: not self._pending, timeout)

    def shutdown(self) -> None:
        """Finish the jobs handed to the worker; drop the delayed ones (restartable)."""
        with self._lock:
            self._closed = True
            for timer, key, entry in self._timers.values():
                timer.cancel()
                self._forget(key, entry)
            self._timers.clear()
        self._executor.shutdown(wait=True, cancel_futures=False)
