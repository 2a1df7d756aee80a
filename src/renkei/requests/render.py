"""Data requests as JSON-ready dicts, for the API and the pages alike."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from renkei.catalog.context import Context
from renkei.requests.rules import can_answer, can_withdraw, readable_dataset
from renkei.store.tables import (
    DataRequest,
    DataRequestComment,
    DataRequestEvent,
    DataRequestVote,
    Group,
    InventoryEntry,
    Package,
    User,
)


def _org_ref(group: Group | None) -> dict[str, Any] | None:
    if group is None:
        return None
    return {"id": group.id, "name": group.name, "title": group.title or group.name}


def support_counts(ctx: Context, ids: list[str]) -> dict[str, int]:
    if not ids:
        return {}
    rows = ctx.session.execute(
        select(DataRequestVote.request_id, func.count())
        .where(DataRequestVote.request_id.in_(ids))
        .group_by(DataRequestVote.request_id)
    )
    return {rid: n for rid, n in rows}


def request_dict(
    ctx: Context, row: DataRequest, *, support_count: int | None = None, full: bool = False
) -> dict[str, Any]:
    org = ctx.session.get(Group, row.organization_id) if row.organization_id else None
    requester = ctx.session.get(User, row.requester_id) if row.requester_id else None
    if support_count is None:
        support_count = support_counts(ctx, [row.id]).get(row.id, 0)
    entry = (
        ctx.session.get(InventoryEntry, row.inventory_entry_id) if row.inventory_entry_id else None
    )
    result: dict[str, Any] = {
        "id": row.id,
        "title": row.title,
        "description": row.description,
        "purpose": row.purpose,
        "topic": row.topic,
        "format": row.desired_format,
        "frequency": row.desired_frequency,
        "organization": _org_ref(org),
        "requester": requester.name if requester else None,
        "state": row.state,
        "planned_date": row.planned_date.isoformat() if row.planned_date else None,
        "reason_category": row.reason_category,
        "reason_text": row.reason_text,
        "dataset": readable_dataset(ctx, row.dataset_id),
        "inventory_entry": {"id": entry.id, "title": entry.title} if entry else None,
        "support_count": support_count,
        "created": row.created.isoformat(),
        "modified": row.modified.isoformat(),
        "first_answered": row.first_answered.isoformat() if row.first_answered else None,
    }
    if full:
        result["events"] = _events(ctx, row)
        result["comments"] = _comments(ctx, row)
        result["supported_by_me"] = bool(
            ctx.user and ctx.session.get(DataRequestVote, (row.id, ctx.user.id)) is not None
        )
        result["can_answer"] = can_answer(ctx, row)
        result["can_withdraw"] = can_withdraw(ctx, row)
    return result


def _names(ctx: Context, ids: set[str | None]) -> dict[str, str]:
    wanted = [i for i in ids if i]
    if not wanted:
        return {}
    return dict(ctx.session.execute(select(User.id, User.name).where(User.id.in_(wanted))).all())


def _events(ctx: Context, row: DataRequest) -> list[dict[str, Any]]:
    events = list(
        ctx.session.scalars(
            select(DataRequestEvent)
            .where(DataRequestEvent.request_id == row.id)
            .order_by(DataRequestEvent.id)
        )
    )
    names = _names(ctx, {e.actor_id for e in events})
    return [
        {
            "state": e.state,
            "by": names.get(e.actor_id or ""),
            "at": e.at.isoformat(),
            "note": e.note,
            "planned_date": e.planned_date.isoformat() if e.planned_date else None,
            "reason_category": e.reason_category,
            "dataset": readable_dataset(ctx, e.dataset_id),
        }
        for e in events
    ]


def _comments(ctx: Context, row: DataRequest) -> list[dict[str, Any]]:
    comments = list(
        ctx.session.scalars(
            select(DataRequestComment)
            .where(DataRequestComment.request_id == row.id)
            .order_by(DataRequestComment.id)
        )
    )
    names = _names(ctx, {c.user_id for c in comments})
    return [
        {"id": c.id, "by": names.get(c.user_id or ""), "text": c.text, "at": c.created.isoformat()}
        for c in comments
    ]


def preload(ctx: Context, rows: list[DataRequest]) -> list[Any]:
    """Load what the rows refer to in one query per table, so that rendering each row finds it
    in the session (``session.get``) instead of asking the database again."""

    def ids(attr: str) -> list[str]:
        return list({getattr(r, attr) for r in rows if getattr(r, attr)})

    loaded: list[Any] = []
    for table, attr in (
        (Group, "organization_id"),
        (User, "requester_id"),
        (InventoryEntry, "inventory_entry_id"),
        (Package, "dataset_id"),
    ):
        if wanted := ids(attr):
            loaded.extend(ctx.session.scalars(select(table).where(table.id.in_(wanted))))
    return loaded
