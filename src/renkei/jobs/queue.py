"""An in-process job queue: one worker thread, jobs keyed so the same work isn't queued twice.

Jobs must be restartable: their state lives in the database (e.g. a DataStore table's
``status``), and the node re-queues unfinished work when it starts, so a killed process loses
no job. ``join`` lets tests and the CLI wait for the queue to drain.
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

    def submit(self, key: str, job: Callable[[], None]) -> None:
        """Queue ``job`` unless a job with ``key`` is waiting and hasn't started (it will read
        the latest state when it runs, so a second copy would only repeat it)."""
        with self._lock:
            waiting = self._pending.get(key)
            if waiting is not None and not waiting[1]:
                return
            self._serial += 1
            entry = [self._serial, False]
            self._pending[key] = entry
        self._executor.submit(self._run, key, entry, job)

    def _run(self, key: str, entry: list[Any], job: Callable[[], None]) -> None:
        with self._lock:
            entry[1] = True
        try:
            job()
        except Exception:
            log.exception("background job %s failed", key)
        finally:
            with self._lock:
                if self._pending.get(key) is entry:
                    del self._pending[key]
                self._idle.notify_all()

    def join(self, timeout: float | None = None) -> bool:
        """Wait until no job is queued or running; False if ``timeout`` passed first."""
        with self._lock:
            return self._idle.wait_for(lambda: not self._pending, timeout)

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=False)
