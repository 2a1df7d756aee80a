"""What every part of the data-request feature agrees on: the states, the reasons, field
checks, and who may answer or withdraw a request."""

from __future__ import annotations

from datetime import date
from typing import Any

from renkei.catalog import authz
from renkei.catalog.context import Context
from renkei.errors import NotFound
from renkei.store.tables import DataRequest, Package

SUBMITTED = "submitted"
WITHDRAWN = "withdrawn"
# The answers an organization can give, in the order a request usually goes through them.
ANSWER_STATES = ("received", "under_consideration", "planned", "published", "declined")
STATES = (SUBMITTED, *ANSWER_STATES, WITHDRAWN)
CLOSED_STATES = ("published", "declined", WITHDRAWN)
# Why data is not (or will not be) opened: shared by declined answers and inventory entries.
REASON_CATEGORIES = ("personal_data", "security", "third_party_rights", "cost", "other")
MAX_TEXT = 5000
# What an inventory entry can be: open (with its dataset), planned (with a date), not open.
INVENTORY_STATUSES = ("open", "planned", "not_open")


def text_field(
    data: dict[str, Any],
    key: str,
    errors: dict[str, list[str]],
    *,
    required: bool = False,
    max_len: int = MAX_TEXT,
) -> str | None:
    value = data.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors[key] = ["Missing value"]
        return None
    if not isinstance(value, str):
        errors[key] = ["Must be a string"]
        return None
    value = value.strip()
    if len(value) > max_len:
        errors[key] = [f"At most {max_len} characters"]
        return None
    return value


def parse_date(value: Any, key: str, errors: dict[str, list[str]]) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        errors[key] = ["Must be a date as YYYY-MM-DD"]
        return None


def get_request(ctx: Context, request_id: str) -> DataRequest:
    row = ctx.session.get(DataRequest, request_id)
    if row is None:
        raise NotFound(f"Data request not found: {request_id}")
    return row


def can_answer(ctx: Context, row: DataRequest) -> bool:
    """Only the addressed organization's editors and admins answer (and sysadmins)."""
    if ctx.is_sysadmin:
        return True
    return row.organization_id is not None and authz.has_role(ctx, row.organization_id, "editor")


def readable_dataset(ctx: Context, dataset_id: str | None) -> dict[str, Any] | None:
    """The linked dataset's name and title, only for a caller who may read it."""
    if dataset_id is None:
        return None
    pkg = ctx.session.get(Package, dataset_id)
    if pkg is None or not authz.can_read_package(ctx, pkg):
        return None
    return {"id": pkg.id, "name": pkg.name, "title": pkg.title or pkg.name}


def can_withdraw(ctx: Context, row: DataRequest) -> bool:
    if row.state in CLOSED_STATES:
        return False
    return ctx.is_sysadmin or (ctx.user is not None and ctx.user_id == row.requester_id)
