"""The activity stream: who changed which dataset or organization, when, and to what.

Each entry keeps the object as it was after the change. Lists come from one query each, with
the user's name joined in, and hide entries about private datasets from those who can't read them.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import and_, or_, select

from renkei.catalog import authz
from renkei.catalog.context import Context, utcnow
from renkei.catalog.dictize import iso
from renkei.store.tables import Activity, Group, Package, User

MAX_LIMIT = 100


def record(ctx: Context, activity_type: str, obj: Package | Group, data: dict[str, Any]) -> None:
    is_package = isinstance(obj, Package)
    ctx.session.add(
        Activity(
            id=str(uuid.uuid4()),
            timestamp=utcnow(),
            user_id=ctx.user_id,
            object_id=obj.id,
            object_type="package"
            if is_package
            else ("organization" if obj.is_organization else "group"),
            activity_type=activity_type,
            org_id=obj.owner_org if is_package else obj.id,
            private=bool(is_package and obj.private),
            data={"package" if is_package else "group": data},
        )
    )


def _paging(data: dict[str, Any]) -> tuple[int, int]:
    from renkei.catalog.packages import _paging as paging

    limit, offset = paging(data, default_limit=31)
    return min(limit or 31, MAX_LIMIT), offset


def _rows_to_dicts(rows: Any) -> list[dict[str, Any]]:
    return [
        {
            "id": act.id,
            "timestamp": iso(act.timestamp),
            "user_id": act.user_id,
            "user_name": user_name,
            "object_id": act.object_id,
            "object_type": act.object_type,
            "activity_type": act.activity_type,
            "data": act.data or {},
        }
        for act, user_name in rows
    ]


def package_activity_list(ctx: Context, data: dict[str, Any]) -> list[dict[str, Any]]:
    from renkei.catalog.packages import readable_package

    pkg = readable_package(ctx, data.get("id"))
    limit, offset = _paging(data)
    query = (
        select(Activity, User.name)
        .outerjoin(User, User.id == Activity.user_id)
        .where(Activity.object_id == pkg.id)
        .order_by(Activity.timestamp.desc(), Activity.id)
        .limit(limit)
        .offset(offset)
    )
    if not authz.has_role(ctx, pkg.owner_org, "member"):
        query = query.where(Activity.private.is_(False))
    return _rows_to_dicts(ctx.session.execute(query))


def organization_activity_list(ctx: Context, data: dict[str, Any]) -> list[dict[str, Any]]:
    from renkei.catalog.groups import get_group

    org = get_group(ctx, data.get("id"), is_organization=True)
    return _group_stream(ctx, org, data)


def group_activity_list(ctx: Context, data: dict[str, Any]) -> list[dict[str, Any]]:
    from renkei.catalog.groups import get_group

    group = get_group(ctx, data.get("id"), is_organization=False)
    return _group_stream(ctx, group, data)


def _group_stream(ctx: Context, group: Group, data: dict[str, Any]) -> list[dict[str, Any]]:
    limit, offset = _paging(data)
    query = (
        select(Activity, User.name)
        .outerjoin(User, User.id == Activity.user_id)
        .outerjoin(
            Package, and_(Package.id == Activity.object_id, Activity.object_type == "package")
        )
        .order_by(Activity.timestamp.desc(), Activity.id)
        .limit(limit)
        .offset(offset)
    )
    if group.is_organization:
        query = query.where(Activity.org_id == group.id)
    else:
        query = query.where(Activity.object_id == group.id)
    if not authz.has_role(ctx, group.id, "member"):
        # Outsiders see no trace of private or deleted datasets, whatever their past state.
        query = query.where(
            Activity.private.is_(False),
            or_(
                Activity.object_type != "package",
                and_(Package.private.is_(False), Package.state == "active"),
            ),
        )
    return _rows_to_dicts(ctx.session.execute(query))
