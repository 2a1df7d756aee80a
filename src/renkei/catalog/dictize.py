"""Rows to CKAN-shaped dicts. Lists are built in a fixed number of queries, never one per item."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any
from urllib.parse import quote

from sqlalchemy import select

from renkei.catalog.context import Context
from renkei.model.licenses import get_license
from renkei.store.tables import Group, Package, PackageExtra, PackageGroup, PackageTag, Resource


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def download_url(ctx: Context, package_id: str, resource: Resource) -> str:
    filename = quote(resource.url or "file", safe="")
    base = ctx.settings.site_url.rstrip("/")
    return f"{base}/dataset/{package_id}/resource/{resource.id}/download/{filename}"


def resource_dict(ctx: Context, resource: Resource) -> dict[str, Any]:
    is_upload = resource.url_type == "upload"
    data: dict[str, Any] = dict(resource.extras or {})
    data.update(
        id=resource.id,
        package_id=resource.package_id,
        url=download_url(ctx, resource.package_id, resource) if is_upload else resource.url,
        url_type=resource.url_type,
        name=resource.name,
        description=resource.description,
        format=resource.format,
        mimetype=resource.mimetype,
        size=resource.size,
        hash=resource.hash,
        last_modified=iso(resource.last_modified),
        created=iso(resource.created),
        metadata_modified=iso(resource.metadata_modified),
        position=resource.position,
        state="active",
        datastore_active=bool(resource.datastore_active),
    )
    return data


def group_dict(group: Group, *, package_count: int | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": group.id,
        "name": group.name,
        "title": group.title or group.name,
        "title_translated": group.title_translated or {},
        "display_name": group.title or group.name,
        "description": group.description or "",
        "description_translated": group.description_translated or {},
        "image_url": group.image_url or "",
        "image_display_url": group.image_url or "",
        "type": group.type,
        "is_organization": group.is_organization,
        "approval_status": "approved",
        "state": group.state,
        "created": iso(group.created),
    }
    if package_count is not None:
        data["package_count"] = package_count
    return data


def package_dicts(ctx: Context, packages: list[Package]) -> list[dict[str, Any]]:
    """Full package_show dicts for ``packages`` in five queries whatever their number."""
    if not packages:
        return []
    ids = [p.id for p in packages]
    session = ctx.session

    resources: dict[str, list[Resource]] = defaultdict(list)
    for res in session.scalars(
        select(Resource).where(Resource.package_id.in_(ids)).order_by(Resource.position)
    ):
        resources[res.package_id].append(res)

    tags: dict[str, list[str]] = defaultdict(list)
    for pid, tag in session.execute(
        select(PackageTag.package_id, PackageTag.tag)
        .where(PackageTag.package_id.in_(ids))
        .order_by(PackageTag.tag)
    ):
        tags[pid].append(tag)

    extras: dict[str, list[dict[str, str]]] = defaultdict(list)
    for pid, key, value in session.execute(
        select(PackageExtra.package_id, PackageExtra.key, PackageExtra.value)
        .where(PackageExtra.package_id.in_(ids))
        .order_by(PackageExtra.key)
    ):
        extras[pid].append({"key": key, "value": value})

    groups: dict[str, list[Group]] = defaultdict(list)
    for pid, group in session.execute(
        select(PackageGroup.package_id, Group)
        .join(Group, Group.id == PackageGroup.group_id)
        .where(PackageGroup.package_id.in_(ids))
        .order_by(Group.name)
    ):
        groups[pid].append(group)

    org_ids = {p.owner_org for p in packages if p.owner_org}
    orgs = {g.id: g for g in session.scalars(select(Group).where(Group.id.in_(org_ids)))}

    return [
        _package_dict(
            ctx,
            p,
            resources[p.id],
            tags[p.id],
            extras[p.id],
            groups[p.id],
            orgs.get(p.owner_org or ""),
        )
        for p in packages
    ]


def package_dict(ctx: Context, package: Package) -> dict[str, Any]:
    return package_dicts(ctx, [package])[0]


def _package_dict(
    ctx: Context,
    pkg: Package,
    resources: list[Resource],
    tags: list[str],
    extras: list[dict[str, str]],
    groups: list[Group],
    org: Group | None,
) -> dict[str, Any]:
    lic = get_license(pkg.license_id)
    return {
        "id": pkg.id,
        "name": pkg.name,
        "title": pkg.title or pkg.name,
        "title_translated": pkg.title_translated or {},
        "notes": pkg.notes,
        "notes_translated": pkg.notes_translated or {},
        "url": pkg.url,
        "version": pkg.version,
        "author": pkg.author,
        "author_email": pkg.author_email,
        "maintainer": pkg.maintainer,
        "maintainer_email": pkg.maintainer_email,
        "license_id": pkg.license_id,
        "license_title": lic.title if lic else pkg.license_id,
        "license_url": lic.url if lic else None,
        "isopen": bool(lic and lic.is_okd_compliant),
        "private": pkg.private,
        "state": pkg.state,
        "type": pkg.type,
        "owner_org": pkg.owner_org,
        "organization": _org_summary(org) if org else None,
        "creator_user_id": pkg.creator_user_id,
        "metadata_created": iso(pkg.metadata_created),
        "metadata_modified": iso(pkg.metadata_modified),
        "num_resources": len(resources),
        "num_tags": len(tags),
        "tags": [
            {"name": t, "display_name": t, "state": "active", "vocabulary_id": None} for t in tags
        ],
        "groups": [_group_summary(g) for g in groups],
        "extras": extras,
        "resources": [resource_dict(ctx, r) for r in resources],
        "relationships_as_subject": [],
        "relationships_as_object": [],
    }


def _org_summary(org: Group) -> dict[str, Any]:
    return {
        "id": org.id,
        "name": org.name,
        "title": org.title or org.name,
        "title_translated": org.title_translated or {},
        "type": org.type,
        "description": org.description or "",
        "image_url": org.image_url or "",
        "created": iso(org.created),
        "is_organization": True,
        "approval_status": "approved",
        "state": org.state,
    }


def _group_summary(group: Group) -> dict[str, Any]:
    return {
        "id": group.id,
        "name": group.name,
        "title": group.title or group.name,
        "display_name": group.title or group.name,
        "description": group.description or "",
        "image_display_url": group.image_url or "",
    }
