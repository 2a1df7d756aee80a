"""The in-process job queue: keyed jobs fold while they wait, delayed jobs debounce a burst,
``join`` waits for delayed jobs too, and shutdown drops the delayed ones (restartable)."""

from __future__ import annotations

import threading
import time

from renkei.jobs.queue import JobQueue


def test_submits_of_a_key_fold_into_the_delayed_job() -> None:
    queue = JobQueue()
    runs: list[str] = []
    try:
        for _ in range(5):
            queue.submit("a", lambda: runs.append("a"), delay=0.3)
        queue.submit("b", lambda: runs.append("b"), delay=0.3)
        assert runs == []  # nothing runs before the delay
        assert queue.join(timeout=30)
        assert sorted(runs) == ["a", "b"]
    finally:
        queue.shutdown()


def test_a_submit_while_the_job_runs_queues_one_more_run() -> None:
    queue = JobQueue()
    started, release = threading.Event(), threading.Event()
    runs: list[int] = []

    def job() -> None:
        runs.append(len(runs))
        started.set()
        release.wait(30)

    try:
        queue.submit("k", job)
        assert started.wait(30)
        for _ in range(3):  # the running job read its state already: one more run reads ours
            queue.submit("k", job, delay=0.05)
        release.set()
        assert queue.join(timeout=30)
        assert runs == [0, 1]
    finally:
        queue.shutdown()


def test_shutdown_drops_the_delayed_jobs_and_refuses_new_ones() -> None:
    queue = JobQueue()
    runs: list[str] = []
    queue.submit("late", lambda: runs.append("late"), delay=5)
    start = time.monotonic()
    queue.shutdown()
    assert time.monotonic() - start < 2  # did not wait for the delay
    assert queue.join(timeout=1)  # nothing pending any more
    queue.submit("after", lambda: runs.append("after"))
    time.sleep(0.1)
    assert runs == []


def test_delayed_jobs_are_handed_over_one_at_a_time() -> None:
    # A burst over many keys (a harvest) waits in the scheduler, not in the worker's queue:
    # shutting down while the first runs drops the others instead of running them all.
    queue = JobQueue()
    started, release = threading.Event(), threading.Event()
    runs: list[str] = []

    def first() -> None:
        runs.append("a")
        started.set()
        release.wait(30)

    queue.submit("a", first, delay=0.05)
    for key in ("b", "c"):
        queue.submit(key, lambda key=key: runs.append(key), delay=0.05)  # type: ignore[misc]
    assert started.wait(30)
    time.sleep(0.2)  # b and c are due by now, and still not handed over
    stopping = threading.Thread(target=queue.shutdown)
    stopping.start()
    time.sleep(0.1)
    release.set()
    stopping.join(30)
    assert runs == ["a"]
    assert queue.join(timeout=1)
