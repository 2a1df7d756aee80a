"""Keep the search side of each dataset in step with its rows, in the same transaction.

``mark_changed`` recomputes the dataset's search columns and extents and queues it in the
search outbox; the search backend applies the outbox right after the commit (and at start,
and before searching if anything is left), so a committed change is searchable at once and a
crash in between loses nothing.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from renkei.catalog.context import Context, utcnow
from renkei.search.extent import bbox_of, temporal_of
from renkei.search.text import join_fields
from renkei.store.tables import Group, Package, PackageExtra, PackageTag, Resource, SearchOutbox


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
            *(e["value"] for e in dataset.get("extras") or [] if e.get("key") != "spatial"),
        ]
    )
    return join_fields(titles), text


def mark_changed(ctx: Context, pkg: Package) -> None:
    """Recompute ``pkg``'s search columns and queue it for the search index; the dataset's
    other followers (quality rescoring) hear of the change after the commit."""
    refresh_search_columns(ctx.session, pkg)
    queue(ctx, pkg.id)
    ctx.note_dataset(pkg.id)


def queue(ctx: Context, package_id: str) -> None:
    """Queue a dataset (changed, deleted or purged) for the search index."""
    ctx.session.add(SearchOutbox(package_id=package_id, queued_at=utcnow()))
    ctx.search_changed = True


def refresh_search_columns(session: Session, pkg: Package) -> None:
    tags = session.scalars(select(PackageTag.tag).where(PackageTag.package_id == pkg.id))
    org = session.get(Group, pkg.owner_org) if pkg.owner_org else None
    resources = session.execute(
        select(Resource.name, Resource.description, Resource.format).where(
            Resource.package_id == pkg.id
        )
    )
    extras = dict(
        session.execute(
            select(PackageExtra.key, PackageExtra.value).where(PackageExtra.package_id == pkg.id)
        ).all()
    )
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
        "extras": [{"key": k, "value": v} for k, v in extras.items()],
    }
    org_dict = (
        {"title": org.title, "name": org.name, "title_translated": org.title_translated}
        if org
        else None
    )
    pkg.search_title, pkg.search_text = search_columns(dataset, org_dict)
    bbox = bbox_of(extras.get("spatial"))
    pkg.bbox_west, pkg.bbox_south, pkg.bbox_east, pkg.bbox_north = bbox or (None,) * 4
    pkg.temporal_start, pkg.temporal_end = temporal_of(extras)
