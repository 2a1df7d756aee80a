"""Data requests: filed by anyone logged in, supported and discussed by others, answered by the
organization they are addressed to, withdrawn by the requester.

Requests are public by design (a needs list is only useful if it is seen); what they link to
is not: a dataset linked to a request is shown only to those who may read it.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select

from renkei.catalog import authz
from renkei.catalog.context import Context, utcnow
from renkei.catalog.groups import get_group
from renkei.catalog.packages import get_package
from renkei.errors import NotAuthorized, NotFound, ValidationError
from renkei.requests import outbox
from renkei.requests.render import preload, request_dict, support_counts
from renkei.requests.rules import (
    ANSWER_STATES,
    CLOSED_STATES,
    REASON_CATEGORIES,
    STATES,
    SUBMITTED,
    WITHDRAWN,
    can_answer,
    get_request,
    parse_date,
)
from renkei.requests.rules import text_field as _text
from renkei.store.tables import (
    DataRequest,
    DataRequestComment,
    DataRequestEvent,
    DataRequestVote,
    Group,
    InventoryEntry,
    Membership,
    Package,
    User,
)


def _organization(ctx: Context, ref: Any) -> Group | None:
    """The addressed organization; empty or "unknown" means the requester doesn't know."""
    if ref in (None, "", "unknown"):
        return None
    try:
        return get_group(ctx, ref, is_organization=True)
    except NotFound:
        raise ValidationError({"organization": [f"No organization called {ref!r}"]}) from None


def _editors(ctx: Context, organization_id: str | None) -> list[User]:
    """Who answers for an organization: its editors and admins (sysadmins when unknown)."""
    if organization_id is None:
        return list(
            ctx.session.scalars(select(User).where(User.sysadmin.is_(True), User.state == "active"))
        )
    return list(
        ctx.session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.group_id == organization_id,
                Membership.capacity.in_(("editor", "admin")),
            )
        )
    )


def _record(ctx: Context, row: DataRequest, state: str, **fields: Any) -> None:
    now = utcnow()
    row.state = state
    row.modified = now
    ctx.session.add(
        DataRequestEvent(request_id=row.id, state=state, actor_id=ctx.user_id, at=now, **fields)
    )


# --- the life cycle -------------------------------------------------------------------------


def request_create(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    authz.require_user(ctx, "file a data request")
    errors: dict[str, list[str]] = {}
    title = _text(data, "title", errors, required=True, max_len=300)
    purpose = _text(data, "purpose", errors, required=True)
    description = _text(data, "description", errors) or ""
    topic = _text(data, "topic", errors, max_len=100)
    fmt = _text(data, "format", errors, max_len=100)
    frequency = _text(data, "frequency", errors, max_len=100)
    org = None
    try:
        org = _organization(ctx, data.get("organization"))
    except ValidationError as exc:
        errors.update(exc.errors)
    if errors:
        raise ValidationError(errors)
    now = utcnow()
    row = DataRequest(
        id=str(uuid.uuid4()),
        title=title,
        description=description,
        purpose=purpose,
        topic=topic,
        desired_format=fmt,
        desired_frequency=frequency,
        organization_id=org.id if org else None,
        requester_id=ctx.user_id,
        state=SUBMITTED,
        created=now,
        modified=now,
    )
    ctx.session.add(row)
    ctx.session.flush()
    ctx.session.add(
        DataRequestEvent(request_id=row.id, state=SUBMITTED, actor_id=ctx.user_id, at=now)
    )
    addressed = org.title or org.name if org else "(organization unknown)"
    outbox.enqueue(
        ctx,
        _editors(ctx, row.organization_id),
        "request_new",
        f"New data request: {title}",
        f"A data request was addressed to {addressed}.\n\n{title}\n\nPurpose: {purpose}\n",
        row.id,
    )
    return request_dict(ctx, row, support_count=0, full=True)


def request_show(ctx: Context, request_id: str) -> dict[str, Any]:
    return request_dict(ctx, get_request(ctx, request_id), full=True)


def request_list(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    """Requests, newest first or most supported first, filtered by organization, state, topic."""
    query = select(DataRequest)
    if org_ref := data.get("organization"):
        if org_ref == "unknown":
            query = query.where(DataRequest.organization_id.is_(None))
        else:
            org = get_group(ctx, org_ref, is_organization=True)
            query = query.where(DataRequest.organization_id == org.id)
    if state := data.get("state"):
        if state == "open":
            query = query.where(DataRequest.state.not_in(CLOSED_STATES))
        elif state not in STATES:
            raise ValidationError({"state": [f"One of open, {', '.join(STATES)}"]})
        else:
            query = query.where(DataRequest.state == state)
    if topic := data.get("topic"):
        query = query.where(DataRequest.topic == topic)
    total = ctx.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    sort = data.get("sort") or "newest"
    votes = (
        select(func.count())
        .where(DataRequestVote.request_id == DataRequest.id)
        .correlate(DataRequest)
        .scalar_subquery()
    )
    if sort == "support":
        query = query.order_by(votes.desc(), DataRequest.created.desc(), DataRequest.id)
    elif sort == "newest":
        query = query.order_by(DataRequest.created.desc(), DataRequest.id)
    else:
        raise ValidationError({"sort": ["One of newest, support"]})
    limit, offset = _paging(data)
    rows = list(ctx.session.scalars(query.limit(limit).offset(offset)))
    counts = support_counts(ctx, [r.id for r in rows])
    loaded = preload(ctx, rows)  # noqa: F841 - held so the session's identity map keeps them
    return {
        "count": total,
        "results": [request_dict(ctx, r, support_count=counts.get(r.id, 0)) for r in rows],
    }


def _paging(data: dict[str, Any]) -> tuple[int, int]:
    errors: dict[str, list[str]] = {}
    values = {}
    for key, default, top in (("limit", 50, 1000), ("offset", 0, None)):
        try:
            value = int(data.get(key) if data.get(key) not in (None, "") else default)
        except (TypeError, ValueError):
            errors[key] = ["Must be a whole number"]
            continue
        if value < 0 or (top is not None and value > top):
            errors[key] = [f"Must be between 0 and {top}" if top else "Must be 0 or more"]
        values[key] = value
    if errors:
        raise ValidationError(errors)
    return values["limit"], values["offset"]


def request_support(ctx: Context, request_id: str) -> dict[str, Any]:
    """One vote per person: a second one is refused (409), not silently ignored."""
    authz.require_user(ctx, "support a data request")
    row = get_request(ctx, request_id)
    if row.state == WITHDRAWN:
        raise ValidationError({"state": ["The request was withdrawn"]})
    if ctx.session.get(DataRequestVote, (row.id, ctx.user_id)) is not None:
        raise ValidationError({"support": ["You already support this request"]})
    ctx.session.add(DataRequestVote(request_id=row.id, user_id=ctx.user_id, created=utcnow()))
    ctx.session.flush()
    return {"id": row.id, "support_count": support_counts(ctx, [row.id]).get(row.id, 0)}


def request_unsupport(ctx: Context, request_id: str) -> dict[str, Any]:
    authz.require_user(ctx, "take back your support")
    row = get_request(ctx, request_id)
    vote = ctx.session.get(DataRequestVote, (row.id, ctx.user_id))
    if vote is None:
        raise NotFound("You do not support this request")
    ctx.session.delete(vote)
    ctx.session.flush()
    return {"id": row.id, "support_count": support_counts(ctx, [row.id]).get(row.id, 0)}


def request_comment(ctx: Context, request_id: str, data: dict[str, Any]) -> dict[str, Any]:
    authz.require_user(ctx, "comment on a data request")
    row = get_request(ctx, request_id)
    errors: dict[str, list[str]] = {}
    text = _text(data, "text", errors, required=True)
    if errors:
        raise ValidationError(errors)
    comment = DataRequestComment(
        request_id=row.id, user_id=ctx.user_id, text=text, created=utcnow()
    )
    ctx.session.add(comment)
    ctx.session.flush()
    requester = ctx.session.get(User, row.requester_id) if row.requester_id else None
    outbox.enqueue(
        ctx,
        [requester] if requester else [],
        "request_comment",
        f"New comment on your data request: {row.title}",
        f"{ctx.user.name if ctx.user else ''} wrote:\n\n{text}\n",
        row.id,
    )
    return {
        "id": comment.id,
        "by": ctx.user.name if ctx.user else None,
        "text": text,
        "at": comment.created.isoformat(),
    }


def request_answer(ctx: Context, request_id: str, data: dict[str, Any]) -> dict[str, Any]:
    """The addressed organization changes the request's state, with what that state needs:
    ``planned`` a date, ``published`` the dataset, ``declined`` a reason category and text."""
    authz.require_user(ctx, "answer a data request")
    row = get_request(ctx, request_id)
    if not can_answer(ctx, row):
        raise NotAuthorized("Only the addressed organization's editors may answer this request")
    if row.state == WITHDRAWN:
        raise ValidationError({"state": ["The requester withdrew this request"]})
    errors: dict[str, list[str]] = {}
    state = data.get("state")
    if state not in ANSWER_STATES:
        errors["state"] = [f"One of {', '.join(ANSWER_STATES)}"]
    note = _text(data, "note", errors)
    planned = parse_date(data.get("planned_date"), "planned_date", errors)
    reason_category = data.get("reason_category") or None
    reason_text = _text(data, "reason_text", errors)
    dataset: Package | None = None
    if state == "planned" and planned is None and "planned_date" not in errors:
        errors["planned_date"] = ["A planned answer needs the date"]
    if state == "declined":
        if reason_category not in REASON_CATEGORIES:
            errors["reason_category"] = [f"One of {', '.join(REASON_CATEGORIES)}"]
        if not reason_text:
            errors["reason_text"] = ["Say why the data cannot be published"]
    if state == "published":
        try:
            dataset = _answer_dataset(ctx, data.get("dataset"))
        except ValidationError as exc:
            errors.update(exc.errors)
    entry: InventoryEntry | None = None
    if data.get("inventory_entry"):
        entry = ctx.session.get(InventoryEntry, str(data["inventory_entry"]))
        if entry is None or entry.organization_id != row.organization_id:
            errors["inventory_entry"] = ["No such entry in the addressed organization's inventory"]
    if errors:
        raise ValidationError(errors)
    now = utcnow()
    if row.first_answered is None:
        row.first_answered = now
    row.planned_date = planned if state == "planned" else None
    row.reason_category = reason_category if state == "declined" else None
    row.reason_text = reason_text if state == "declined" else None
    if entry is not None:
        row.inventory_entry_id = entry.id
    # The state is the current answer: a dataset belongs to a published one only.
    row.dataset_id = dataset.id if dataset is not None else None
    _record(
        ctx,
        row,
        state,
        note=note,
        planned_date=row.planned_date,
        reason_category=row.reason_category,
        dataset_id=dataset.id if dataset else None,
    )
    if state == "published" and dataset is not None and row.inventory_entry_id:
        # Publishing closes both: the matched inventory entry is now open data.
        linked = ctx.session.get(InventoryEntry, row.inventory_entry_id)
        if linked is not None:
            linked.status = "open"
            linked.dataset_id = dataset.id
            linked.planned_date = None
            linked.reason_category = linked.reason_text = None
            linked.modified = now
    _notify_answer(ctx, row)
    return request_dict(ctx, row, full=True)


def _answer_dataset(ctx: Context, ref: Any) -> Package:
    if not ref:
        raise ValidationError({"dataset": ["A published answer names the dataset"]})
    try:
        pkg = get_package(ctx, ref)
    except (NotFound, ValidationError):
        raise ValidationError({"dataset": [f"No dataset {ref!r}"]}) from None
    if pkg.state != "active" or not authz.can_read_package(ctx, pkg):
        raise ValidationError({"dataset": [f"No dataset {ref!r}"]})
    return pkg


def _notify_answer(ctx: Context, row: DataRequest) -> None:
    supporters = list(
        ctx.session.scalars(
            select(User)
            .join(DataRequestVote, DataRequestVote.user_id == User.id)
            .where(DataRequestVote.request_id == row.id)
        )
    )
    requester = ctx.session.get(User, row.requester_id) if row.requester_id else None
    outbox.enqueue(
        ctx,
        ([requester] if requester else []) + supporters,
        "request_answer",
        f"Data request answered ({row.state}): {row.title}",
        f"The request {row.title!r} is now {row.state}.\n",
        row.id,
    )


def request_forward(ctx: Context, request_id: str, data: dict[str, Any]) -> dict[str, Any]:
    """Address an open request to another organization (a request desk's work, or an editor
    passing on what their organization does not hold). Who may answer may forward; the
    history records it, the state stays, and the new organization's editors are told."""
    authz.require_user(ctx, "forward a data request")
    row = get_request(ctx, request_id)
    if not can_answer(ctx, row):
        raise NotAuthorized("Only the addressed organization's editors may forward this request")
    if row.state in CLOSED_STATES:
        raise ValidationError({"state": [f"The request is already {row.state}"]})
    errors: dict[str, list[str]] = {}
    note = _text(data, "note", errors)
    org = None
    try:
        org = _organization(ctx, data.get("organization"))
    except ValidationError as exc:
        errors.update(exc.errors)
    if org is None and "organization" not in errors:
        errors["organization"] = ["Name the organization to forward the request to"]
    elif org is not None and org.id == row.organization_id:
        errors["organization"] = ["The request is already addressed to this organization"]
    if errors:
        raise ValidationError(errors)
    assert org is not None
    row.organization_id = org.id
    row.inventory_entry_id = None  # an entry of the previous organization's inventory
    row.modified = utcnow()
    forwarded = f"forwarded to {org.name}" + (f": {note}" if note else "")
    ctx.session.add(
        DataRequestEvent(
            request_id=row.id, state=row.state, actor_id=ctx.user_id, at=row.modified,
            note=forwarded,
        )
    )  # fmt: skip
    outbox.enqueue(
        ctx,
        _editors(ctx, org.id),
        "request_new",
        f"Data request forwarded to you: {row.title}",
        f"A data request was forwarded to {org.title or org.name}.\n\n{row.title}\n\n"
        f"Purpose: {row.purpose}\n",
        row.id,
    )
    return request_dict(ctx, row, full=True)


def request_withdraw(ctx: Context, request_id: str, data: dict[str, Any]) -> dict[str, Any]:
    """Only the requester (or a sysadmin) withdraws, and only a request still open."""
    authz.require_user(ctx, "withdraw a data request")
    row = get_request(ctx, request_id)
    if not (ctx.is_sysadmin or ctx.user_id == row.requester_id):
        raise NotAuthorized("Only the requester may withdraw this request")
    if row.state in CLOSED_STATES:
        raise ValidationError({"state": [f"The request is already {row.state}"]})
    errors: dict[str, list[str]] = {}
    note = _text(data, "note", errors)
    if errors:
        raise ValidationError(errors)
    _record(ctx, row, WITHDRAWN, note=note)
    outbox.enqueue(
        ctx,
        _editors(ctx, row.organization_id),
        "request_withdrawn",
        f"Data request withdrawn: {row.title}",
        f"The requester withdrew {row.title!r}.\n",
        row.id,
    )
    return request_dict(ctx, row, full=True)


def close_requests_for_entry(ctx: Context, entry: InventoryEntry) -> int:
    """An inventory entry became open with a dataset: its open requests are published."""
    if entry.status != "open" or entry.dataset_id is None:
        return 0
    rows = list(
        ctx.session.scalars(
            select(DataRequest).where(
                DataRequest.inventory_entry_id == entry.id,
                DataRequest.state.not_in(CLOSED_STATES),
            )
        )
    )
    now = utcnow()
    for row in rows:
        row.dataset_id = entry.dataset_id
        row.planned_date = None
        if row.first_answered is None:
            row.first_answered = now
        _record(ctx, row, "published", dataset_id=entry.dataset_id, note="inventory entry opened")
        _notify_answer(ctx, row)
    return len(rows)
