"""Keep each dataset's normalised search text in step with its rows (same transaction)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from renkei.search.text import join_fields
from renkei.store.tables import Group, Package, PackageExtra, PackageTag, Resource


def search_columns(dataset: dict[str, Any], org: dict[str, Any] | None) -> tuple[str, str]:
    """(search_title, search_text) of a CKAN-shaped dataset dict and its organization."""
    titles = [
        dataset.get("title"),
        dataset.get("name"),
        *(dataset.get("title_translated") or {}).values(),
    ]
    org = org or {}
    text = join_fields(
        [
            *titles,
            *(t["name"] for t in dataset.get("tags") or []),
            org.get("title"),
            org.get("name"),
            *(org.get("title_translated") or {}).values(),
            dataset.get("notes"),
            *(dataset.get("notes_translated") or {}).values(),
            dataset.get("author"),
            dataset.get("maintainer"),
            *(
                part
                for res in dataset.get("resources") or []
                for part in (res.get("name"), res.get("description"), res.get("format"))
            ),
            *(e["value"] for e in dataset.get("extras") or []),
        ]
    )
    return join_fields(titles), text


def refresh_search_text(session: Session, pkg: Package) -> None:
    tags = session.scalars(select(PackageTag.tag).where(PackageTag.package_id == pkg.id))
    org = session.get(Group, pkg.owner_org) if pkg.owner_org else None
    resources = session.execute(
        select(Resource.name, Resource.description, Resource.format).where(
            Resource.package_id == pkg.id
        )
    )
    extras = session.scalars(select(PackageExtra.value).where(PackageExtra.package_id == pkg.id))
    dataset = {
        "title": pkg.title,
        "name": pkg.name,
        "title_translated": pkg.title_translated,
        "notes": pkg.notes,
        "notes_translated": pkg.notes_translated,
        "author": pkg.author,
        "maintainer": pkg.maintainer,
        "tags": [{"name": t} for t in tags],
        "resources": [{"name": n, "description": d, "format": f} for n, d, f in resources],
        "extras": [{"value": v} for v in extras],
    }
    org_dict = (
        {"title": org.title, "name": org.name, "title_translated": org.title_translated}
        if org
        else None
    )
    pkg.search_title, pkg.search_text = search_columns(dataset, org_dict)
