"""Notifications through an outbox: written in the transaction that caused them, delivered later.

A write never waits for (or fails on) a mail server. ``deliver_pending`` hands each waiting
message to a ``Sender`` — any object with ``send(message)`` — and records the outcome, so a
failed delivery is retried on the next run and its error kept. ``JsonLinesSender`` appends the
messages to a file (an export other tools can pick up); a mail sender is one class away.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import select

from renkei.catalog import authz
from renkei.catalog.context import Catalog, Context, utcnow
from renkei.store.tables import NotificationOutbox, User

MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class Message:
    id: int
    kind: str
    recipient_id: str | None
    recipient_email: str | None
    subject: str
    body: str
    object_id: str | None
    created: str


class Sender(Protocol):
    def send(self, message: Message) -> None:
        """Deliver one message, or raise to have it retried later."""


class JsonLinesSender:
    """Appends each message as one JSON line to ``path``."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def send(self, message: Message) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(asdict(message), ensure_ascii=False) + "\n")


def enqueue(
    ctx: Context, recipients: Iterable[User], kind: str, subject: str, body: str, object_id: str
) -> int:
    """Queue one message per distinct active recipient (never to the caller themself)."""
    seen: set[str] = set()
    for user in recipients:
        if user.id in seen or user.state != "active" or user.id == ctx.user_id:
            continue
        seen.add(user.id)
        ctx.session.add(
            NotificationOutbox(
                created=utcnow(),
                kind=kind,
                recipient_id=user.id,
                recipient_email=user.email,
                subject=subject,
                body=body,
                object_id=object_id,
            )
        )
    return len(seen)


def _message(row: NotificationOutbox) -> Message:
    return Message(
        id=row.id,
        kind=row.kind,
        recipient_id=row.recipient_id,
        recipient_email=row.recipient_email,
        subject=row.subject,
        body=row.body,
        object_id=row.object_id,
        created=row.created.isoformat(),
    )


def outbox_dict(row: NotificationOutbox) -> dict[str, Any]:
    return {
        **asdict(_message(row)),
        "sent_at": row.sent_at.isoformat() if row.sent_at else None,
        "attempts": row.attempts,
        "last_error": row.last_error,
    }


def outbox_list(ctx: Context, *, pending_only: bool = False, limit: int = 500) -> list[dict]:
    """The outbox (sysadmins): every message, or only those still waiting."""
    authz.require_sysadmin(ctx, "read the notification outbox")
    return read_outbox(ctx, pending_only=pending_only, limit=limit)


def read_outbox(ctx: Context, *, pending_only: bool = False, limit: int = 500) -> list[dict]:
    """The outbox without a permission check: for the operator's command line."""
    query = select(NotificationOutbox).order_by(NotificationOutbox.id).limit(limit)
    if pending_only:
        query = query.where(NotificationOutbox.sent_at.is_(None))
    return [outbox_dict(row) for row in ctx.session.scalars(query)]


def my_notifications(ctx: Context, limit: int = 100) -> list[dict]:
    """The caller's own messages, newest first."""
    authz.require_user(ctx, "read your notifications")
    rows = ctx.session.scalars(
        select(NotificationOutbox)
        .where(NotificationOutbox.recipient_id == ctx.user_id)
        .order_by(NotificationOutbox.id.desc())
        .limit(limit)
    )
    return [outbox_dict(row) for row in rows]


def deliver_pending(catalog: Catalog, sender: Sender, limit: int = 500) -> dict[str, int]:
    """Send waiting messages, one transaction per message so one failure loses nothing."""
    with catalog.context(write=False) as ctx:
        ids = list(
            ctx.session.scalars(
                select(NotificationOutbox.id)
                .where(
                    NotificationOutbox.sent_at.is_(None),
                    NotificationOutbox.attempts < MAX_ATTEMPTS,
                )
                .order_by(NotificationOutbox.id)
                .limit(limit)
            )
        )
    sent = failed = 0
    for message_id in ids:
        with catalog.context() as ctx:
            row = ctx.session.get(NotificationOutbox, message_id)
            if row is None or row.sent_at is not None:
                continue
            row.attempts += 1
            try:
                sender.send(_message(row))
            except Exception as exc:  # any sender failure is recorded and retried later
                row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
                failed += 1
            else:
                row.sent_at = utcnow()
                row.last_error = None
                sent += 1
    return {"sent": sent, "failed": failed}
