"""Page-view counts of datasets, for the home page's "most viewed".

Counting must not slow pages down, so a view is one dictionary update in memory; the counts
reach the database in one transaction at most every ``FLUSH_SECONDS`` (run after the response
is sent) and when the server stops. Kept simple on purpose, and documented in docs/web.md:

- only HTML views count (the ``.json`` twins are for programs);
- a visitor (the logged-in user, else the client address; kept hashed with the dataset id)
  counts once per dataset per ``REPEAT_SECONDS``: reloads don't inflate the count;
- user agents that say they are crawlers (``bot``, ``crawl``, ``spider``, ``slurp``) aren't
  counted;
- counts of a process that is killed (not stopped) since the last flush are lost: at most
  ``FLUSH_SECONDS`` of views.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import time
from collections import Counter, OrderedDict
from typing import Any

from sqlalchemy import select, update
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import Response

from renkei.catalog.authz import visible_packages
from renkei.catalog.context import Catalog, Context, utcnow
from renkei.catalog.dictize import package_dicts
from renkei.store.tables import DatasetViews, Package

log = logging.getLogger(__name__)
FLUSH_SECONDS = 10.0
REPEAT_SECONDS = 30 * 60
SEEN_MAX = 50_000  # visitor/dataset pairs remembered for REPEAT_SECONDS (oldest dropped)
BOT_RE = re.compile(r"bot|crawl|spider|slurp", re.IGNORECASE)


class ViewCounter:
    """Buffered, de-duplicated view counts; safe to call from several threads."""

    def __init__(self, catalog: Catalog, flush_seconds: float = FLUSH_SECONDS) -> None:
        self.catalog = catalog
        self.flush_seconds = flush_seconds
        self._lock = threading.Lock()
        self._pending: Counter[str] = Counter()
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._last_flush = time.monotonic()

    def record(self, package_id: str, visitor: str, user_agent: str) -> bool:
        """Count one view unless it is a crawler's or a repeat; True when it counted."""
        if BOT_RE.search(user_agent or ""):
            return False
        key = hashlib.sha256(f"{visitor}\0{package_id}".encode()).hexdigest()[:32]
        now = time.monotonic()
        with self._lock:
            seen_at = self._seen.get(key)
            if seen_at is not None and now - seen_at < REPEAT_SECONDS:
                return False
            self._seen[key] = now
            self._seen.move_to_end(key)
            while len(self._seen) > SEEN_MAX:
                self._seen.popitem(last=False)
            self._pending[package_id] += 1
        return True

    def due(self) -> bool:
        return bool(self._pending) and time.monotonic() - self._last_flush >= self.flush_seconds

    def flush(self) -> int:
        """Write the pending counts in one transaction; returns how many views were written."""
        with self._lock:
            pending, self._pending = self._pending, Counter()
            self._last_flush = time.monotonic()
        if not pending:
            return 0
        try:
            with self.catalog.context(write=True) as ctx:
                _add(ctx, pending)
        except Exception:
            # The counts go back in the buffer for the next flush; no page fails for them.
            with self._lock:
                self._pending.update(pending)
            raise
        return sum(pending.values())


def _add(ctx: Context, pending: Counter[str]) -> None:
    now = utcnow()
    existing = set(
        ctx.session.scalars(
            select(DatasetViews.package_id).where(DatasetViews.package_id.in_(list(pending)))
        )
    )
    live = set(ctx.session.scalars(select(Package.id).where(Package.id.in_(list(pending)))))
    for package_id, count in pending.items():
        if package_id not in live:
            continue  # purged since it was viewed
        if package_id in existing:
            ctx.session.execute(
                update(DatasetViews)
                .where(DatasetViews.package_id == package_id)
                .values(views=DatasetViews.views + count, last_viewed=now)
            )
        else:
            ctx.session.add(DatasetViews(package_id=package_id, views=count, last_viewed=now))


def most_viewed(ctx: Context, limit: int) -> list[dict[str, Any]]:
    """The most viewed datasets the caller may see, with their counts (``views``)."""
    rows = ctx.session.execute(
        select(Package, DatasetViews.views)
        .join(DatasetViews, DatasetViews.package_id == Package.id)
        .where(visible_packages(ctx), DatasetViews.views > 0)
        .order_by(DatasetViews.views.desc(), Package.name)
        .limit(limit)
    ).all()
    dicts = package_dicts(ctx, [pkg for pkg, _ in rows])
    for data, (_, views) in zip(dicts, rows, strict=True):
        data["views"] = views
    return dicts


def count_view(request: Request, package_id: str, response: Response, user_id: str | None) -> None:
    """Count an HTML view of a dataset page (JSON twins are for programs, not counted), and
    write the buffer after the response is sent when it is due."""
    counter: ViewCounter | None = getattr(request.app.state, "view_counter", None)
    if counter is None:
        return
    address = request.client.host if request.client else ""
    visitor = f"user:{user_id}" if user_id else f"addr:{address}"
    counter.record(package_id, visitor, request.headers.get("user-agent", ""))
    if counter.due() and response.background is None:
        response.background = BackgroundTask(_flush_quietly, counter)


def _flush_quietly(counter: ViewCounter) -> None:
    try:
        counter.flush()
    except Exception:
        log.exception("could not write view counts; kept for the next flush")
