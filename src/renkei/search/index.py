"""Keep each dataset's normalised search text in step with its rows (same transaction)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from renkei.search.text import join_fields
from renkei.store.tables import Group, Package, PackageExtra, PackageTag, Resource


def refresh_search_text(session: Session, pkg: Package) -> None:
    tags = list(session.scalars(select(PackageTag.tag).where(PackageTag.package_id == pkg.id)))
    org = session.get(Group, pkg.owner_org) if pkg.owner_org else None
    resources = session.execute(
        select(Resource.name, Resource.description, Resource.format).where(
            Resource.package_id == pkg.id
        )
    ).all()
    extras = list(
        session.scalars(select(PackageExtra.value).where(PackageExtra.package_id == pkg.id))
    )
    titles = [pkg.title, pkg.name, *(pkg.title_translated or {}).values()]
    pkg.search_title = join_fields(titles)
    pkg.search_text = join_fields(
        [
            *titles,
            *tags,
            org.title if org else None,
            org.name if org else None,
            *((org.title_translated or {}).values() if org else ()),
            pkg.notes,
            *(pkg.notes_translated or {}).values(),
            pkg.author,
            pkg.maintainer,
            *(part for row in resources for part in row),
            *extras,
        ]
    )
