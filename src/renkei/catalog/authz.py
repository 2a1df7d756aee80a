"""Who may do what. CKAN's semantics: per-organization roles admin > editor > member, sysadmins.

- Anyone reads active public datasets.
- Members (any role) of the owning organization also read its private datasets.
- Editors and admins create, update and delete the organization's datasets.
- Admins also manage the organization and its members.
- Sysadmins may do everything.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, or_, select

from renkei.catalog.context import Context
from renkei.errors import NotAuthorized
from renkei.search.backend import Visibility
from renkei.store.tables import Group, Membership, Package

ROLE_RANK = {"member": 1, "editor": 2, "admin": 3}


def capacity(ctx: Context, group_id: str | None) -> str | None:
    """The caller's role in the organization or group, or None."""
    if ctx.user is None or group_id is None:
        return None
    return ctx.session.scalar(
        select(Membership.capacity).where(
            Membership.group_id == group_id, Membership.user_id == ctx.user.id
        )
    )


def has_role(ctx: Context, group_id: str | None, at_least: str) -> bool:
    if ctx.is_sysadmin:
        return True
    role = capacity(ctx, group_id)
    return role is not None and ROLE_RANK[role] >= ROLE_RANK[at_least]


def member_group_ids(ctx: Context) -> list[str]:
    """Ids of the organizations and groups the caller belongs to, in any role."""
    if ctx.user is None:
        return []
    return list(
        ctx.session.scalars(select(Membership.group_id).where(Membership.user_id == ctx.user.id))
    )


def can_read_package(ctx: Context, pkg: Package) -> bool:
    if ctx.is_sysadmin:
        return True
    if pkg.state != "active":
        return can_edit_package(ctx, pkg)
    if not pkg.private:
        return True
    return has_role(ctx, pkg.owner_org, "member")


def can_edit_package(ctx: Context, pkg: Package) -> bool:
    if ctx.is_sysadmin:
        return True
    if ctx.user is None:
        return False
    if pkg.owner_org is None:
        return pkg.creator_user_id == ctx.user.id
    return has_role(ctx, pkg.owner_org, "editor")


def can_create_in(ctx: Context, org: Group | None) -> bool:
    if ctx.is_sysadmin:
        return True
    if ctx.user is None:
        return False
    if org is None:
        return ctx.settings.create_unowned_dataset
    return has_role(ctx, org.id, "editor")


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise NotAuthorized(message)


def require_user(ctx: Context, action: str) -> None:
    require(ctx.user is not None, f"You must be logged in to {action}")


def require_sysadmin(ctx: Context, action: str) -> None:
    require(ctx.is_sysadmin, f"Only sysadmins may {action}")


def visibility(ctx: Context, include_private: bool = True) -> Visibility:
    """Which active datasets the caller may see: public ones, also those of their
    organizations (``include_private``), or all of them (sysadmins)."""
    if not include_private:
        return Visibility(everything=False)
    if ctx.is_sysadmin:
        return Visibility(everything=True)
    return Visibility(everything=False, member_orgs=tuple(member_group_ids(ctx)))


def visibility_condition(seen: Visibility) -> ColumnElement[bool]:
    """The SQL condition for ``seen``, put inside every query that lists, counts or facets."""
    active = Package.state == "active"
    if seen.everything:
        return active
    if seen.member_orgs:
        return and_(
            active, or_(Package.private.is_(False), Package.owner_org.in_(seen.member_orgs))
        )
    return and_(active, Package.private.is_(False))


def visible_packages(ctx: Context, include_private: bool = True) -> ColumnElement[bool]:
    """SQL condition: active datasets the caller may see."""
    return visibility_condition(visibility(ctx, include_private))
