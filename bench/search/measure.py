"""Running the query mix against one engine and summarising latencies.

An engine ("target") answers a :class:`~bench.search.queries.Query` with the number of
matches, the names of the datasets on the page and the facet counts; the runner times each call
client-side with ``time.perf_counter`` (in-process for Renkei, over loopback for the peers).
"""

from __future__ import annotations

import contextlib
import os
import resource
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from bench.search.queries import Query


@dataclass
class Answer:
    count: int
    names: list[str]
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)  # e.g. "ext_bbox ignored"


class Target(Protocol):
    name: str

    def run(self, query: Query) -> Answer: ...


class Unsupported(Exception):
    """The engine cannot express this query (the class is reported as unsupported)."""


@dataclass
class Outcome:
    qid: str
    cls: str
    seconds: float | None  # None: not run (budget) or failed
    count: int | None = None
    names: list[str] = field(default_factory=list)
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)
    error: str | None = None


def run_pass(
    target: Target,
    queries: list[Query],
    *,
    budget: float | None = None,
    log: Callable[[str], None] | None = None,
    keep_results: bool = True,
) -> list[Outcome]:
    """Run every query once, in order. A class whose time in this pass exceeds ``budget``
    seconds skips its remaining queries (reported as not run)."""
    spent: dict[str, float] = {}
    outcomes = []
    for k, query in enumerate(queries, 1):
        if budget is not None and spent.get(query.cls, 0.0) > budget:
            outcomes.append(Outcome(query.qid, query.cls, None, error="skipped (time budget)"))
            continue
        started = time.perf_counter()
        try:
            answer = target.run(query)
        except Unsupported as exc:
            outcomes.append(Outcome(query.qid, query.cls, None, error=f"unsupported: {exc}"))
            continue
        except Exception as exc:  # noqa: BLE001 - a failing query is a result, not a crash
            seconds = time.perf_counter() - started
            spent[query.cls] = spent.get(query.cls, 0.0) + seconds
            message = f"{type(exc).__name__}: {str(exc)[:300]}"
            outcomes.append(Outcome(query.qid, query.cls, None, error=message))
            if log:
                log(f"  {query.qid} failed: {message}")
            continue
        seconds = time.perf_counter() - started
        spent[query.cls] = spent.get(query.cls, 0.0) + seconds
        outcomes.append(
            Outcome(
                query.qid,
                query.cls,
                seconds,
                count=answer.count,
                names=answer.names if keep_results else [],
                facets=answer.facets if keep_results else {},
                flags=answer.flags,
            )
        )
        if log and (k % 25 == 0 or seconds > 5):
            log(
                f"  {k}/{len(queries)} {query.qid} {seconds * 1000:,.0f} ms ({answer.count:,} hits)"
            )
    return outcomes


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile (p in 0..100) of ``values``."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[int(rank) - 1]


def summarise(outcomes: list[Outcome], classes: list[str]) -> dict[str, dict[str, Any]]:
    """p50/p95/p99/max in ms, queries run and failed, and flags, per class."""
    out: dict[str, dict[str, Any]] = {}
    for cls in classes:
        mine = [o for o in outcomes if o.cls == cls]
        times = [o.seconds * 1000 for o in mine if o.seconds is not None]
        flags = sorted({f for o in mine for f in o.flags})
        errors = [o.error for o in mine if o.error]
        counts = sorted(o.count for o in mine if o.count is not None)
        out[cls] = {
            "queries": len(mine),
            "ran": len(times),
            "p50_ms": percentile(times, 50),
            "p95_ms": percentile(times, 95),
            "p99_ms": percentile(times, 99),
            "max_ms": max(times) if times else None,
            "median_hits": counts[len(counts) // 2] if counts else None,
            "flags": flags,
            "errors": errors[:3],
            "error_count": len(errors),
        }
    return out


def peak_rss_bytes() -> int:
    """Peak resident set size of this process (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def proc_peak_rss(pid: int) -> int | None:
    """VmHWM (peak RSS) of another process, in bytes, or None when unreadable."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def reset_peak_rss(pid: int | None = None) -> bool:
    """Reset a process's VmHWM to its current RSS (Linux ``clear_refs``); False if refused."""
    try:
        Path(f"/proc/{pid or 'self'}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def disk_usage(path: Path) -> int:
    """Bytes allocated on disk under ``path`` (like ``du``)."""
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(root, name)).st_blocks * 512
    return total


def outcomes_json(outcomes: list[Outcome]) -> list[dict[str, Any]]:
    return [asdict(o) for o in outcomes]
