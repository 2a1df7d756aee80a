"""The inventory of data held (棚卸): what an organization holds, whether it is open, planned
(with a date) or not open (with a reason), and the dataset when it is open.

The inventory is public by design — its point is to show what exists — but a linked dataset is
named only to those who may read it, so a private dataset's name or title never leaks.
"""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import date
from typing import Any

from sqlalchemy import select

from renkei.catalog import authz
from renkei.catalog.context import Context, utcnow
from renkei.catalog.groups import get_group
from renkei.catalog.packages import get_package
from renkei.errors import NotAuthorized, NotFound, ValidationError
from renkei.requests import spreadsheet
from renkei.requests.rules import (
    INVENTORY_STATUSES,
    MAX_TEXT,
    REASON_CATEGORIES,
    parse_date,
    readable_dataset,
)
from renkei.requests.service import close_requests_for_entry
from renkei.store.tables import Group, InventoryEntry

STATUSES = INVENTORY_STATUSES


def entry_dict(ctx: Context, entry: InventoryEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "title": entry.title,
        "description": entry.description,
        "status": entry.status,
        "planned_date": entry.planned_date.isoformat() if entry.planned_date else None,
        "reason_category": entry.reason_category,
        "reason_text": entry.reason_text,
        "dataset": readable_dataset(ctx, entry.dataset_id),
        "modified": entry.modified.isoformat(),
    }


def _org(ctx: Context, ref: Any) -> Group:
    return get_group(ctx, ref, is_organization=True)


def _require_editor(ctx: Context, org: Group) -> None:
    authz.require_user(ctx, "change an inventory")
    if not authz.has_role(ctx, org.id, "editor"):
        raise NotAuthorized(f"Only editors of {org.name} may change its inventory")


def validate_entry(ctx: Context, org: Group, data: dict[str, Any]) -> dict[str, Any]:
    """Field values for an entry, or a ValidationError naming every bad field."""
    errors: dict[str, list[str]] = {}
    title = str(data.get("title") or "").strip()
    if not title:
        errors["title"] = ["Missing value"]
    elif len(title) > 500:
        errors["title"] = ["At most 500 characters"]
    description = str(data.get("description") or "").strip()
    if len(description) > MAX_TEXT:
        errors["description"] = [f"At most {MAX_TEXT} characters"]
    status = str(data.get("status") or "").strip()
    if status not in STATUSES:
        errors["status"] = [f"One of {', '.join(STATUSES)}"]
    planned: date | None = parse_date(data.get("planned_date"), "planned_date", errors)
    reason = str(data.get("reason_category") or "").strip() or None
    reason_text = str(data.get("reason_text") or "").strip() or None
    if status == "planned" and planned is None and "planned_date" not in errors:
        errors["planned_date"] = ["A planned entry needs the date"]
    if status == "not_open" and reason not in REASON_CATEGORIES:
        errors["reason_category"] = [f"One of {', '.join(REASON_CATEGORIES)}"]
    dataset_id = None
    if ref := str(data.get("dataset") or "").strip():
        try:
            pkg = get_package(ctx, ref)
        except (NotFound, ValidationError):
            pkg = None
        # Only a dataset of this organization, which the editor can therefore read.
        if pkg is None or pkg.owner_org != org.id or pkg.state != "active":
            errors["dataset"] = [f"No dataset {ref!r} in {org.name}"]
        else:
            dataset_id = pkg.id
    if errors:
        raise ValidationError(errors)
    return {
        "title": title,
        "description": description,
        "status": status,
        "planned_date": planned if status == "planned" else None,
        "reason_category": reason if status == "not_open" else None,
        "reason_text": reason_text if status == "not_open" else None,
        "dataset_id": dataset_id,
    }


def _apply(ctx: Context, org: Group, fields: dict[str, Any], entry: InventoryEntry | None) -> str:
    """Create or update; returns "created", "updated" or "unchanged"."""
    now = utcnow()
    if entry is None:
        entry = InventoryEntry(
            id=str(uuid.uuid4()), organization_id=org.id, created=now, modified=now, **fields
        )
        ctx.session.add(entry)
        ctx.session.flush()
        close_requests_for_entry(ctx, entry)
        return "created"
    if all(getattr(entry, key) == value for key, value in fields.items()):
        return "unchanged"
    for key, value in fields.items():
        setattr(entry, key, value)
    entry.modified = now
    ctx.session.flush()
    close_requests_for_entry(ctx, entry)
    return "updated"


def _by_title(ctx: Context, org: Group) -> dict[str, InventoryEntry]:
    entries = ctx.session.scalars(
        select(InventoryEntry).where(InventoryEntry.organization_id == org.id)
    )
    return {e.title: e for e in entries}


def entry_create(ctx: Context, org_ref: str, data: dict[str, Any]) -> dict[str, Any]:
    org = _org(ctx, org_ref)
    _require_editor(ctx, org)
    fields = validate_entry(ctx, org, data)
    if fields["title"] in _by_title(ctx, org):
        raise ValidationError({"title": ["The inventory already lists data with this title"]})
    _apply(ctx, org, fields, None)
    return entry_dict(ctx, _by_title(ctx, org)[fields["title"]])


def entry_update(ctx: Context, org_ref: str, entry_id: str, data: dict[str, Any]) -> dict:
    org = _org(ctx, org_ref)
    _require_editor(ctx, org)
    entry = ctx.session.get(InventoryEntry, entry_id)
    if entry is None or entry.organization_id != org.id:
        raise NotFound(f"No inventory entry {entry_id} in {org.name}")
    fields = validate_entry(ctx, org, data)
    other = _by_title(ctx, org).get(fields["title"])
    if other is not None and other.id != entry.id:
        raise ValidationError({"title": ["The inventory already lists data with this title"]})
    _apply(ctx, org, fields, entry)
    return entry_dict(ctx, entry)


def entry_delete(ctx: Context, org_ref: str, entry_id: str) -> dict[str, Any]:
    """Remove an entry; requests matched to it stay, unmatched (the foreign key's SET NULL)."""
    org = _org(ctx, org_ref)
    _require_editor(ctx, org)
    entry = ctx.session.get(InventoryEntry, entry_id)
    if entry is None or entry.organization_id != org.id:
        raise NotFound(f"No inventory entry {entry_id} in {org.name}")
    ctx.session.delete(entry)
    ctx.session.flush()
    return {"id": entry_id, "deleted": True}


def import_entries(
    ctx: Context, org_ref: str, rows: list[tuple[int, dict[str, Any]]]
) -> dict[str, Any]:
    """Create or update entries by title; all rows are checked first, so a file with one bad
    row changes nothing. Entries missing from the file are kept."""
    org = _org(ctx, org_ref)
    _require_editor(ctx, org)
    errors: dict[str, list[str]] = {}
    checked: list[dict[str, Any]] = []
    titles: dict[str, int] = {}
    for number, row in rows:
        try:
            fields = validate_entry(ctx, org, row)
        except ValidationError as exc:
            errors[f"row {number}"] = [f"{k}: {'; '.join(v)}" for k, v in exc.errors.items()]
            continue
        if fields["title"] in titles:
            errors[f"row {number}"] = [f"title: the same as row {titles[fields['title']]}"]
            continue
        titles[fields["title"]] = number
        checked.append(fields)
    if errors:
        raise ValidationError(errors)
    existing = _by_title(ctx, org)
    outcome: Counter[str] = Counter()
    for fields in checked:
        outcome[_apply(ctx, org, fields, existing.get(fields["title"]))] += 1
    return {
        "organization": org.name,
        "rows": len(checked),
        "created": outcome["created"],
        "updated": outcome["updated"],
        "unchanged": outcome["unchanged"],
    }


def import_file(ctx: Context, org_ref: str, raw: bytes, filename: str) -> dict[str, Any]:
    """An uploaded CSV or XLSX file, read only once the caller is known to be an editor."""
    org = _org(ctx, org_ref)
    _require_editor(ctx, org)
    return import_entries(ctx, org_ref, spreadsheet.read_rows(raw, filename))


def inventory_list(ctx: Context, org_ref: str) -> dict[str, Any]:
    org = _org(ctx, org_ref)
    entries = list(
        ctx.session.scalars(
            select(InventoryEntry)
            .where(InventoryEntry.organization_id == org.id)
            .order_by(InventoryEntry.title)
        )
    )
    return {
        "organization": {"id": org.id, "name": org.name, "title": org.title or org.name},
        "progress": progress(entries),
        "entries": [entry_dict(ctx, e) for e in entries],
        "can_edit": authz.has_role(ctx, org.id, "editor"),
    }


def progress(entries: list[InventoryEntry]) -> dict[str, Any]:
    counts = Counter(e.status for e in entries)
    total = len(entries)
    return {
        "total": total,
        **{status: counts[status] for status in STATUSES},
        "share_open": round(counts["open"] / total, 4) if total else None,
        "share_planned": round(counts["planned"] / total, 4) if total else None,
        "reasons": dict(
            sorted(Counter(e.reason_category for e in entries if e.status == "not_open").items())
        ),
    }


def inventory_progress(ctx: Context) -> list[dict[str, Any]]:
    """Progress of every organization that has an inventory."""
    entries = list(ctx.session.scalars(select(InventoryEntry)))
    by_org: dict[str, list[InventoryEntry]] = {}
    for entry in entries:
        by_org.setdefault(entry.organization_id, []).append(entry)
    groups = ctx.session.scalars(select(Group).where(Group.id.in_(list(by_org))))
    result = [
        {"organization": {"name": g.name, "title": g.title or g.name}, **progress(by_org[g.id])}
        for g in groups
        if g.state == "active"
    ]
    return sorted(result, key=lambda r: r["organization"]["name"])
