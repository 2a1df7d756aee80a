"""Organizations (own datasets, hold roles) and groups (themes datasets are filed under)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import and_, func, or_, select

from renkei.catalog import activity, authz
from renkei.catalog.context import Context, utcnow
from renkei.catalog.dictize import group_dict, package_dicts
from renkei.errors import NotFound, ValidationError
from renkei.model.schemas import GROUP_READ_ONLY, GroupIn, parse
from renkei.search.index import mark_changed
from renkei.store.tables import Group, Membership, Package, PackageGroup, User

ROLES = ("admin", "editor", "member")


def _kind(is_organization: bool) -> str:
    return "Organization" if is_organization else "Group"


def get_group(ctx: Context, ref: Any, *, is_organization: bool) -> Group:
    if not isinstance(ref, str) or not ref:
        raise ValidationError({"id": ["Missing value"]})
    group = ctx.session.scalar(
        select(Group).where(
            or_(Group.id == ref, Group.name == ref), Group.is_organization.is_(is_organization)
        )
    )
    if group is None or group.state == "deleted":
        raise NotFound(f"{_kind(is_organization)} not found: {ref}")
    return group


def _visible_count_condition(ctx: Context, group: Group) -> Any:
    visible = authz.visible_packages(ctx)
    if group.is_organization:
        return and_(visible, Package.owner_org == group.id)
    return and_(
        visible,
        Package.id.in_(select(PackageGroup.package_id).where(PackageGroup.group_id == group.id)),
    )


def _count(ctx: Context, group: Group) -> int:
    return (
        ctx.session.scalar(
            select(func.count()).select_from(Package).where(_visible_count_condition(ctx, group))
        )
        or 0
    )


def _counts(ctx: Context, groups: list[Group], is_organization: bool) -> dict[str, int]:
    ids = [g.id for g in groups]
    if not ids:
        return {}
    visible = authz.visible_packages(ctx)
    if is_organization:
        query = (
            select(Package.owner_org, func.count())
            .where(visible, Package.owner_org.in_(ids))
            .group_by(Package.owner_org)
        )
    else:
        query = (
            select(PackageGroup.group_id, func.count())
            .join(Package, Package.id == PackageGroup.package_id)
            .where(visible, PackageGroup.group_id.in_(ids))
            .group_by(PackageGroup.group_id)
        )
    return {gid: n for gid, n in ctx.session.execute(query)}


def _list(ctx: Context, data: dict[str, Any], is_organization: bool) -> list[Any]:
    from renkei.catalog.packages import _paging

    query = select(Group).where(Group.is_organization.is_(is_organization), Group.state == "active")
    if q := data.get("q"):
        like = f"%{q}%"
        query = query.where(or_(Group.name.like(like), Group.title.like(like)))
    names = data.get("organizations") or data.get("groups")
    if names:
        if isinstance(names, str):
            names = [n.strip() for n in names.split(",")]
        query = query.where(Group.name.in_(list(names)))
    groups = list(ctx.session.scalars(query))
    counts = _counts(ctx, groups, is_organization)
    sort = str(data.get("sort") or "title asc").strip().lower()
    field, _, direction = sort.partition(" ")
    keys = {
        "name": lambda g: g.name,
        "title": lambda g: (g.title or g.name).casefold(),
        "package_count": lambda g: counts.get(g.id, 0),
    }
    if field not in keys:
        raise ValidationError({"sort": [f"Cannot sort by field {field!r}"]})
    groups.sort(key=keys[field], reverse=direction.strip() == "desc")
    limit, offset = _paging(data, default_limit=None)
    groups = groups[offset : offset + limit if limit is not None else None]
    if _truthy(data.get("all_fields")):
        return [group_dict(g, package_count=counts.get(g.id, 0)) for g in groups]
    return [g.name for g in groups]


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes", "on")
    return bool(value)


def _show(ctx: Context, data: dict[str, Any], is_organization: bool) -> dict[str, Any]:
    group = get_group(ctx, data.get("id"), is_organization=is_organization)
    result = group_dict(group, package_count=_count(ctx, group))
    if _truthy(data.get("include_datasets", False)):
        pkgs = list(
            ctx.session.scalars(
                select(Package)
                .where(_visible_count_condition(ctx, group))
                .order_by(Package.metadata_modified.desc())
                .limit(1000)
            )
        )
        result["packages"] = package_dicts(ctx, pkgs)
    if _truthy(data.get("include_users", True)) and authz.has_role(ctx, group.id, "member"):
        result["users"] = _users(ctx, group)
    return result


def _users(ctx: Context, group: Group) -> list[dict[str, Any]]:
    rows = ctx.session.execute(
        select(User, Membership.capacity)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.group_id == group.id)
        .order_by(User.name)
    )
    return [
        {
            "id": u.id,
            "name": u.name,
            "display_name": u.fullname or u.name,
            "capacity": cap,
            "sysadmin": u.sysadmin,
        }
        for u, cap in rows
    ]


def _create(ctx: Context, data: dict[str, Any], is_organization: bool) -> dict[str, Any]:
    authz.require_sysadmin(ctx, f"create {'organizations' if is_organization else 'groups'}")
    parsed = parse(GroupIn, data, GROUP_READ_ONLY)
    _check_name_free(ctx, parsed.name, None)
    group = Group(
        id=str(uuid.uuid4()),
        name=parsed.name,
        type="organization" if is_organization else (parsed.type or "group"),
        is_organization=is_organization,
        created=utcnow(),
        state="active",
    )
    _apply(group, parsed)
    ctx.session.add(group)
    ctx.session.flush()
    assert ctx.user is not None
    ctx.session.add(Membership(group_id=group.id, user_id=ctx.user.id, capacity="admin"))
    result = group_dict(group, package_count=0)
    activity.record(ctx, f"new {'organization' if is_organization else 'group'}", group, result)
    return result


def _apply(group: Group, parsed: GroupIn) -> None:
    group.title = parsed.title
    group.title_translated = parsed.title_translated
    group.description = parsed.description
    group.description_translated = parsed.description_translated
    group.image_url = parsed.image_url
    if group.title is None and parsed.title_translated:
        group.title = next(iter(parsed.title_translated.values()), None)


def _check_name_free(ctx: Context, name: str, own_id: str | None) -> None:
    other = ctx.session.scalar(select(Group.id).where(Group.name == name))
    if other is not None and other != own_id:
        raise ValidationError({"name": ["Group name already exists in database"]})


def _update(
    ctx: Context, data: dict[str, Any], is_organization: bool, patch: bool
) -> dict[str, Any]:
    group = get_group(ctx, data.get("id"), is_organization=is_organization)
    authz.require(
        authz.has_role(ctx, group.id, "admin"),
        f"User not authorized to edit {_kind(is_organization).lower()} {group.name}",
    )
    payload = dict(data)
    payload.pop("id", None)
    if patch:
        current = group_dict(group)
        current.pop("id")
        current.update(payload)
        payload = current
    payload.setdefault("name", group.name)
    if payload.get("type") not in (None, group.type):
        raise ValidationError({"type": ["Type cannot be updated"]})
    parsed = parse(GroupIn, payload, GROUP_READ_ONLY | {"id", "state"})
    _check_name_free(ctx, parsed.name, group.id)
    title_before = (group.title, group.name, group.title_translated)
    group.name = parsed.name
    _apply(group, parsed)
    ctx.session.flush()
    if is_organization and title_before != (group.title, group.name, group.title_translated):
        # An organization's names are part of its datasets' search text.
        for pkg in ctx.session.scalars(select(Package).where(Package.owner_org == group.id)):
            mark_changed(ctx, pkg)
    result = group_dict(group, package_count=_count(ctx, group))
    activity.record(ctx, f"changed {'organization' if is_organization else 'group'}", group, result)
    return result


def _delete(ctx: Context, data: dict[str, Any], is_organization: bool) -> None:
    group = get_group(ctx, data.get("id"), is_organization=is_organization)
    authz.require(
        authz.has_role(ctx, group.id, "admin"),
        f"User not authorized to delete {_kind(is_organization).lower()} {group.name}",
    )
    if is_organization:
        remaining = ctx.session.scalar(
            select(func.count())
            .select_from(Package)
            .where(Package.owner_org == group.id, Package.state != "deleted")
        )
        if remaining:
            raise ValidationError(
                {
                    "message": "Organization cannot be deleted while it still has datasets "
                    f"({remaining}): delete or move them first"
                }
            )
    group.state = "deleted"
    activity.record(
        ctx, f"deleted {'organization' if is_organization else 'group'}", group, group_dict(group)
    )


def _member_create(ctx: Context, data: dict[str, Any], is_organization: bool) -> dict[str, Any]:
    from renkei.catalog.users import get_user

    group = get_group(ctx, data.get("id"), is_organization=is_organization)
    authz.require(
        authz.has_role(ctx, group.id, "admin"),
        f"User not authorized to manage members of {group.name}",
    )
    errors: dict[str, list[str]] = {}
    if not data.get("username"):
        errors["username"] = ["Missing value"]
    role = data.get("role") or data.get("capacity")
    if role not in ROLES:
        errors["role"] = [f"Role must be one of: {', '.join(ROLES)}"]
    if errors:
        raise ValidationError(errors)
    user = get_user(ctx, str(data["username"]))
    member = ctx.session.scalar(
        select(Membership).where(Membership.group_id == group.id, Membership.user_id == user.id)
    )
    if member is None:
        member = Membership(group_id=group.id, user_id=user.id, capacity=str(role))
        ctx.session.add(member)
    else:
        member.capacity = str(role)
    ctx.session.flush()
    return {
        "id": str(member.id),
        "group_id": group.id,
        "table_name": "user",
        "table_id": user.id,
        "capacity": member.capacity,
        "state": "active",
    }


def _member_delete(ctx: Context, data: dict[str, Any], is_organization: bool) -> None:
    from renkei.catalog.users import get_user

    group = get_group(ctx, data.get("id"), is_organization=is_organization)
    authz.require(
        authz.has_role(ctx, group.id, "admin"),
        f"User not authorized to manage members of {group.name}",
    )
    if not data.get("username"):
        raise ValidationError({"username": ["Missing value"]})
    user = get_user(ctx, str(data["username"]))
    member = ctx.session.scalar(
        select(Membership).where(Membership.group_id == group.id, Membership.user_id == user.id)
    )
    if member is None:
        raise NotFound(f"{user.name} is not a member of {group.name}")
    ctx.session.delete(member)


def member_list(ctx: Context, data: dict[str, Any]) -> list[list[str]]:
    """CKAN's member_list: ``[id, type, capacity]`` triples of users or datasets in a group."""
    ref = data.get("id")
    group = ctx.session.scalar(
        select(Group).where(or_(Group.id == ref, Group.name == ref), Group.state == "active")
    )
    if group is None:
        raise NotFound(f"Group not found: {ref}")
    object_type = data.get("object_type")
    capacity = data.get("capacity")
    result: list[list[str]] = []
    if object_type in (None, "", "user"):
        authz.require(
            authz.has_role(ctx, group.id, "member"),
            "Only members of the organization or group may list its users",
        )
        query = select(Membership.user_id, Membership.capacity).where(
            Membership.group_id == group.id
        )
        if capacity:
            query = query.where(Membership.capacity == capacity)
        result += [[uid, "user", cap] for uid, cap in ctx.session.execute(query)]
    if object_type in (None, "", "package"):
        pkgs = ctx.session.execute(
            select(Package.id, Package.private).where(_visible_count_condition(ctx, group))
        )
        for pid, private in pkgs:
            cap = "private" if private else "public"
            if not capacity or capacity == cap:
                result.append([pid, "package", cap])
    return result


def organization_list_for_user(ctx: Context, data: dict[str, Any]) -> list[dict[str, Any]]:
    """Organizations where the caller (or, for sysadmins, ``id``) holds at least ``permission``."""
    from renkei.catalog.users import get_user

    user = ctx.user
    if data.get("id"):
        user = get_user(ctx, str(data["id"]))
        authz.require(ctx.is_sysadmin or user.id == ctx.user_id, "Not authorized to see this list")
    if user is None:
        return []
    permission = str(data.get("permission") or "manage_group")
    needed = {"read": "member", "create_dataset": "editor", "update_dataset": "editor"}.get(
        permission, "admin"
    )
    query = (
        select(Group, Membership.capacity)
        .outerjoin(Membership, and_(Membership.group_id == Group.id, Membership.user_id == user.id))
        .where(Group.is_organization.is_(True), Group.state == "active")
    )
    result = []
    for group, cap in ctx.session.execute(query.order_by(Group.name)):
        if user.sysadmin or (cap and authz.ROLE_RANK[cap] >= authz.ROLE_RANK[needed]):
            item = group_dict(group)
            item["capacity"] = "admin" if user.sysadmin else cap
            result.append(item)
    return result


def organization_list(ctx: Context, data: dict[str, Any]) -> list[Any]:
    return _list(ctx, data, True)


def group_list(ctx: Context, data: dict[str, Any]) -> list[Any]:
    return _list(ctx, data, False)


def organization_show(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    return _show(ctx, data, True)


def group_show(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    return _show(ctx, data, False)


def organization_create(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    return _create(ctx, data, True)


def group_create(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    return _create(ctx, data, False)


def organization_update(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    return _update(ctx, data, True, patch=False)


def organization_patch(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    return _update(ctx, data, True, patch=True)


def group_update(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    return _update(ctx, data, False, patch=False)


def group_patch(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    return _update(ctx, data, False, patch=True)


def organization_delete(ctx: Context, data: dict[str, Any]) -> None:
    _delete(ctx, data, True)


def group_delete(ctx: Context, data: dict[str, Any]) -> None:
    _delete(ctx, data, False)


def organization_member_create(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    return _member_create(ctx, data, True)


def organization_member_delete(ctx: Context, data: dict[str, Any]) -> None:
    _member_delete(ctx, data, True)


def group_member_create(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    return _member_create(ctx, data, False)


def group_member_delete(ctx: Context, data: dict[str, Any]) -> None:
    _member_delete(ctx, data, False)
