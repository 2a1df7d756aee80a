"""Datasets (CKAN "packages"): show, create, update, patch, delete, purge, lists."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete, or_, select

from renkei.catalog import activity, authz
from renkei.catalog.context import Context, utcnow
from renkei.catalog.dictize import package_dict, package_dicts
from renkei.catalog.groups import get_group
from renkei.catalog.resources import apply_resource_fields, delete_blob_later
from renkei.errors import NotFound, ValidationError
from renkei.model.names import UUID_RE
from renkei.model.schemas import PACKAGE_READ_ONLY, PackageIn, parse
from renkei.search.index import mark_changed, queue
from renkei.store.tables import Group, Package, PackageExtra, PackageGroup, PackageTag, Resource

MAX_INT = 2**31 - 1


def get_package(ctx: Context, ref: Any) -> Package:
    if not isinstance(ref, str) or not ref:
        raise ValidationError({"id": ["Missing value"]})
    pkg = ctx.session.scalar(select(Package).where(or_(Package.id == ref, Package.name == ref)))
    if pkg is None:
        raise NotFound(f"Dataset not found: {ref}")
    return pkg


def readable_package(ctx: Context, ref: Any) -> Package:
    """The dataset, if the caller may read it. A dataset the caller can't read (private, or
    deleted) gets the same answer as one that doesn't exist: its existence isn't confirmed."""
    pkg = get_package(ctx, ref)
    if not authz.can_read_package(ctx, pkg):
        raise NotFound(f"Dataset not found: {ref}")
    return pkg


def editable_package(ctx: Context, ref: Any) -> Package:
    pkg = readable_package(ctx, ref)
    authz.require(authz.can_edit_package(ctx, pkg), f"User not authorized to edit dataset {ref}")
    return pkg


def package_show(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    from renkei.quality.report import summary

    pkg = readable_package(ctx, data.get("id") or data.get("name_or_id"))
    result = package_dict(ctx, pkg)
    result["quality"] = summary(ctx, pkg)  # one query; None until the dataset is scored
    return result


def package_create(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    authz.require_user(ctx, "create datasets")
    parsed = parse(PackageIn, data, PACKAGE_READ_ONLY)
    org = _owner_org(ctx, parsed.owner_org)
    authz.require(
        authz.can_create_in(ctx, org),
        "User not authorized to create datasets"
        + (f" in organization {org.name}" if org else " without an organization"),
    )
    now = utcnow()
    pkg_id = parsed.id or str(uuid.uuid4())
    if parsed.id:
        authz.require(ctx.is_sysadmin, "Only sysadmins may choose a dataset id")
        if not UUID_RE.match(parsed.id):
            raise ValidationError({"id": ["Must be a lowercase UUID"]})
        if ctx.session.get(Package, parsed.id):
            raise ValidationError({"id": ["Dataset id already exists"]})
    _check_name_free(ctx, parsed.name, None)
    pkg = Package(
        id=pkg_id,
        name=parsed.name,
        creator_user_id=ctx.user_id,
        metadata_created=now,
        metadata_modified=now,
        state="active",
    )
    ctx.session.add(pkg)
    _save(ctx, pkg, parsed, org, creating=True)
    result = package_dict(ctx, pkg)
    activity.record(ctx, "new package", pkg, result)
    return result


def package_update(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    pkg = editable_package(ctx, data.get("id") or data.get("name"))
    payload = dict(data)
    payload.setdefault("name", pkg.name)
    payload.pop("id", None)
    parsed = parse(PackageIn, payload, PACKAGE_READ_ONLY)
    org = _owner_org(ctx, parsed.owner_org)
    if (org.id if org else None) != pkg.owner_org:
        authz.require(
            authz.can_create_in(ctx, org),
            "User not authorized to move the dataset to that organization",
        )
    _check_name_free(ctx, parsed.name, pkg.id)
    pkg.name = parsed.name
    pkg.metadata_modified = utcnow()
    _save(ctx, pkg, parsed, org, creating=False)
    result = package_dict(ctx, pkg)
    activity.record(
        ctx, "deleted package" if pkg.state == "deleted" else "changed package", pkg, result
    )
    return result


def package_patch(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    """Update only the fields given; everything else keeps its value."""
    pkg = editable_package(ctx, data.get("id") or data.get("name"))
    current = package_dict(ctx, pkg)
    current.update({k: v for k, v in data.items() if k != "id"})
    current["id"] = pkg.id
    return package_update(ctx, current)


def package_delete(ctx: Context, data: dict[str, Any]) -> None:
    """Soft delete, as CKAN: the dataset and its files stay, hidden, until purged."""
    pkg = editable_package(ctx, data.get("id"))
    pkg.state = "deleted"
    pkg.metadata_modified = utcnow()
    queue(ctx, pkg.id)
    activity.record(ctx, "deleted package", pkg, package_dict(ctx, pkg))


def dataset_purge(ctx: Context, data: dict[str, Any]) -> None:
    """Remove a dataset for good: rows now, its uploaded files once the removal has committed."""
    authz.require_sysadmin(ctx, "purge datasets")
    pkg = get_package(ctx, data.get("id"))
    for resource_id, key in ctx.session.execute(
        select(Resource.id, Resource.blob_key).where(Resource.package_id == pkg.id)
    ):
        ctx.note_resource(resource_id)
        if key is not None:
            delete_blob_later(ctx, key)
    for table in (Resource, PackageTag, PackageExtra, PackageGroup):
        ctx.session.execute(delete(table).where(table.package_id == pkg.id))
    ctx.session.delete(pkg)
    queue(ctx, pkg.id)


def package_list(ctx: Context, data: dict[str, Any]) -> list[str]:
    """Names of public active datasets, as CKAN (private ones are never listed here)."""
    query = (
        select(Package.name)
        .where(authz.visible_packages(ctx, include_private=False))
        .order_by(Package.name)
    )
    limit, offset = _paging(data, default_limit=None)
    if limit is not None:
        query = query.limit(limit)
    return list(ctx.session.scalars(query.offset(offset)))


def current_package_list_with_resources(ctx: Context, data: dict[str, Any]) -> list[dict[str, Any]]:
    limit, offset = _paging(data, default_limit=10)
    pkgs = list(
        ctx.session.scalars(
            select(Package)
            .where(authz.visible_packages(ctx, include_private=True))
            .order_by(Package.metadata_modified.desc(), Package.id)
            .limit(limit)
            .offset(offset)
        )
    )
    return package_dicts(ctx, pkgs)


def package_autocomplete(ctx: Context, data: dict[str, Any]) -> list[dict[str, Any]]:
    from renkei.search.text import normalize

    q = normalize(str(data.get("q") or ""))
    if not q:
        raise ValidationError({"q": ["Missing value"]})
    limit, _ = _paging(data, default_limit=10)
    pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    rows = ctx.session.execute(
        select(Package.name, Package.title, Package.search_title)
        .where(authz.visible_packages(ctx), Package.search_title.like(pattern, escape="\\"))
        .order_by(Package.name)
        .limit(limit)
    )
    result = []
    for name, title, _ in rows:
        match_field = "name" if q in name else "title"
        result.append(
            {
                "name": name,
                "title": title or name,
                "match_field": match_field,
                "match_displayed": name if match_field == "name" else (title or name),
            }
        )
    return result


def _paging(data: dict[str, Any], default_limit: int | None) -> tuple[int | None, int]:
    errors: dict[str, list[str]] = {}
    values: dict[str, int | None] = {"limit": default_limit, "offset": 0}
    for key in ("limit", "offset"):
        raw = data.get(key)
        if raw in (None, ""):
            continue
        try:
            number = int(raw)
        except (TypeError, ValueError):
            errors[key] = ["Invalid integer"]
            continue
        if number < 0:
            errors[key] = ["Must be a positive integer"]
        elif number > MAX_INT:
            errors[key] = [f"Must be at most {MAX_INT}"]
        values[key] = number
    if errors:
        raise ValidationError(errors)
    limit = values["limit"]
    if limit is not None:
        limit = min(limit, 1000)
    return limit, values["offset"] or 0


def _check_name_free(ctx: Context, name: str, own_id: str | None) -> None:
    other = ctx.session.scalar(select(Package.id).where(Package.name == name))
    if other is not None and other != own_id:
        raise ValidationError({"name": ["That URL is already in use."]})


def _owner_org(ctx: Context, ref: str | None) -> Group | None:
    if not ref:
        return None
    try:
        org = get_group(ctx, ref, is_organization=True)
    except NotFound:
        raise ValidationError({"owner_org": [f"Organization does not exist: {ref}"]}) from None
    return org


def _save(
    ctx: Context, pkg: Package, parsed: PackageIn, org: Group | None, *, creating: bool
) -> None:
    """Write every field of ``parsed`` onto ``pkg`` and its child rows (tags, extras, groups...)."""
    if parsed.private and org is None:
        raise ValidationError({"private": ["Datasets with no organization can't be private."]})
    tags = parsed.all_tags()
    pkg.title = parsed.title
    pkg.title_translated = parsed.title_translated
    pkg.notes = parsed.notes
    pkg.notes_translated = parsed.notes_translated
    if pkg.title is None and parsed.title_translated:
        pkg.title = parsed.title_translated.get(ctx.settings.default_locale) or next(
            iter(parsed.title_translated.values()), None
        )
    if pkg.notes is None and parsed.notes_translated:
        pkg.notes = parsed.notes_translated.get(ctx.settings.default_locale) or next(
            iter(parsed.notes_translated.values()), None
        )
    for field in ("url", "version", "author", "author_email", "maintainer", "maintainer_email"):
        setattr(pkg, field, getattr(parsed, field))
    pkg.license_id = parsed.license_id
    pkg.private = parsed.private
    pkg.type = parsed.type
    pkg.owner_org = org.id if org else None
    if parsed.state is not None:
        pkg.state = parsed.state
    ctx.session.flush()

    ctx.session.execute(delete(PackageTag).where(PackageTag.package_id == pkg.id))
    ctx.session.add_all(PackageTag(package_id=pkg.id, tag=t) for t in tags)

    ctx.session.execute(delete(PackageExtra).where(PackageExtra.package_id == pkg.id))
    ctx.session.add_all(
        PackageExtra(package_id=pkg.id, key=e.key, value=e.value)
        for e in parsed.extras or []
        if not e.deleted
    )

    if parsed.groups is not None or creating:
        _save_groups(ctx, pkg, parsed)
    if parsed.resources is not None:
        _save_resources(ctx, pkg, parsed)
    ctx.session.flush()
    mark_changed(ctx, pkg)


def _save_groups(ctx: Context, pkg: Package, parsed: PackageIn) -> None:
    wanted: dict[str, Group] = {}
    for index, ref in enumerate(parsed.groups or []):
        if not ref.ref:
            raise ValidationError(
                {"groups": [{} for _ in range(index)] + [{"id": ["Missing value"]}]}
            )
        try:
            group = get_group(ctx, ref.ref, is_organization=False)
        except NotFound:
            raise ValidationError({"groups": [f"Group does not exist: {ref.ref}"]}) from None
        wanted[group.id] = group
    current = set(
        ctx.session.scalars(select(PackageGroup.group_id).where(PackageGroup.package_id == pkg.id))
    )
    for gid in current.symmetric_difference(wanted):
        group = wanted.get(gid) or ctx.session.get(Group, gid)
        name = group.name if group else gid
        authz.require(
            authz.has_role(ctx, gid, "editor"),
            f"User not authorized to add datasets to or remove them from group {name}",
        )
    ctx.session.execute(delete(PackageGroup).where(PackageGroup.package_id == pkg.id))
    ctx.session.add_all(PackageGroup(package_id=pkg.id, group_id=gid) for gid in wanted)


def _save_resources(ctx: Context, pkg: Package, parsed: PackageIn) -> None:
    existing = {
        r.id: r for r in ctx.session.scalars(select(Resource).where(Resource.package_id == pkg.id))
    }
    now = utcnow()
    kept: set[str] = set()
    for position, res_in in enumerate(parsed.resources or []):
        res = existing.get(res_in.id or "")
        if res is None:
            if res_in.id and ctx.session.get(Resource, res_in.id) is not None:
                raise ValidationError(
                    {
                        "resources": [{} for _ in range(position)]
                        + [{"id": ["Resource id already in use"]}]
                    }
                )
            res = Resource(
                id=res_in.id if res_in.id and UUID_RE.match(res_in.id) else str(uuid.uuid4()),
                package_id=pkg.id,
                created=now,
            )
            ctx.session.add(res)
        kept.add(res.id)
        try:
            apply_resource_fields(ctx, pkg, res, res_in, upload=None)
        except ValidationError as exc:
            raise ValidationError(
                {"resources": [{} for _ in range(position)] + [exc.errors]}
            ) from None
        res.position = position
        res.metadata_modified = now
    for rid, res in existing.items():
        if rid not in kept:
            if res.blob_key:
                delete_blob_later(ctx, res.blob_key)
            ctx.note_resource(rid)
            ctx.session.delete(res)
