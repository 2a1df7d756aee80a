"""Needs statistics: what is asked of whom, and how fast the organizations answer.

Definitions (also in docs/needs.md):
- *open*: not published, declined or withdrawn.
- *time to first answer*: from filing to the organization's first answer (any answer state).
- *answered within 30 days*: among the requests whose 30 days have passed or that were
  answered already (withdrawn-before-any-answer ones excluded), the share answered in 30 days.
- *share answered* (roadmap measure 04-05's KPI): answered at least once, among the requests
  not withdrawn before an answer.
"""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from renkei.catalog.context import Context, utcnow
from renkei.catalog.groups import get_group
from renkei.requests.rules import CLOSED_STATES, WITHDRAWN
from renkei.store.tables import DataRequest, DataRequestVote, Group

WINDOW = timedelta(days=30)
TOP = 10


def _days(delta: timedelta) -> float:
    return round(delta.total_seconds() / 86400, 2)


def _counted(row: DataRequest) -> bool:
    """A request withdrawn before any answer says nothing about answering."""
    return not (row.state == WITHDRAWN and row.first_answered is None)


def answered_share(rows: list[DataRequest]) -> dict[str, Any]:
    counted = [r for r in rows if _counted(r)]
    answered = sum(1 for r in counted if r.first_answered is not None)
    return {
        "answered": answered,
        "requests": len(counted),
        "share": round(answered / len(counted), 4) if counted else None,
    }


def _timing(rows: list[DataRequest], now: datetime) -> dict[str, Any]:
    waits = [r.first_answered - r.created for r in rows if r.first_answered is not None]
    eligible = [
        r
        for r in rows
        if _counted(r) and (r.first_answered is not None or now - r.created >= WINDOW)
    ]
    in_time = sum(
        1
        for r in eligible
        if r.first_answered is not None and r.first_answered - r.created <= WINDOW
    )
    return {
        "time_to_first_answer": {
            "answered": len(waits),
            "mean_days": _days(sum(waits, timedelta()) / len(waits)) if waits else None,
            "median_days": _days(statistics.median(waits)) if waits else None,
        },
        "answered_within_30_days": {
            "answered": in_time,
            "eligible": len(eligible),
            "share": round(in_time / len(eligible), 4) if eligible else None,
        },
    }


def request_stats(ctx: Context, data: dict[str, Any] | None = None) -> dict[str, Any]:
    """The statistics over all requests (or one organization's, ``organization=``)."""
    data = data or {}
    query = select(DataRequest)
    if org_ref := data.get("organization"):
        org = get_group(ctx, org_ref, is_organization=True)
        query = query.where(DataRequest.organization_id == org.id)
    rows = list(ctx.session.scalars(query))
    now = utcnow()
    open_rows = [r for r in rows if r.state not in CLOSED_STATES]
    orgs = {
        g.id: g
        for g in ctx.session.scalars(
            select(Group).where(
                Group.id.in_({r.organization_id for r in rows if r.organization_id})
            )
        )
    }
    by_org: dict[str | None, list[DataRequest]] = {}
    for row in rows:
        by_org.setdefault(row.organization_id, []).append(row)
    organizations = []
    for org_id, org_rows in by_org.items():
        group = orgs.get(org_id) if org_id else None
        organizations.append(
            {
                "organization": (
                    {"name": group.name, "title": group.title or group.name} if group else None
                ),
                "total": len(org_rows),
                "open": sum(1 for r in org_rows if r.state not in CLOSED_STATES),
                **_timing(org_rows, now),
            }
        )
    organizations.sort(
        key=lambda o: (-o["open"], o["organization"]["name"] if o["organization"] else "")
    )
    votes = dict(
        ctx.session.execute(
            select(DataRequestVote.request_id, func.count())
            .where(DataRequestVote.request_id.in_([r.id for r in rows]))
            .group_by(DataRequestVote.request_id)
        ).all()
    )
    supported = sorted(
        (r for r in rows if votes.get(r.id) and r.state != WITHDRAWN),
        key=lambda r: (-votes[r.id], r.created),
    )[:TOP]
    return {
        "total": len(rows),
        "open": len(open_rows),
        "by_state": dict(sorted(Counter(r.state for r in rows).items())),
        "open_by_state": dict(sorted(Counter(r.state for r in open_rows).items())),
        "open_by_topic": dict(sorted(Counter(r.topic or "" for r in open_rows).items())),
        "organizations": organizations,
        **_timing(rows, now),
        "share_answered": answered_share(rows),
        "most_supported": [
            {"id": r.id, "title": r.title, "state": r.state, "support_count": votes[r.id]}
            for r in supported
        ],
    }
