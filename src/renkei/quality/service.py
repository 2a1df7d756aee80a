"""Quality reports as services: per dataset, per resource, per organization, and the ranking.

Privacy: a dataset's and a resource's report are shown to whoever may read the dataset.
Organization aggregates count only the datasets the caller may read. The **ranking is public
and the same for everybody**: it is computed from public datasets only, so it never reveals
anything about private ones (not even to their members, who would otherwise see a ranking
nobody else sees).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from typing import Any

from sqlalchemy import func, select

from renkei.catalog import authz
from renkei.catalog.context import Context
from renkei.catalog.groups import get_group
from renkei.catalog.packages import editable_package, readable_package
from renkei.catalog.resources import get_resource
from renkei.config import Settings
from renkei.errors import NotFound
from renkei.quality import mqa
from renkei.quality.links import LinkChecker
from renkei.quality.report import (
    Evaluation,
    ScanInput,
    evaluate,
    gather,
    is_stale,
    save,
    stored,
)
from renkei.store.tables import Group, Package, QualityHistory, QualityReport

BANDS = ("excellent", "good", "sufficient", "bad")


def _not_scored(kind: str, ref: str) -> NotFound:
    return NotFound(
        f"The {kind} {ref} has not been scored yet: POST /api/v1/quality/datasets/{{id}}/scan "
        "or run `renkei quality scan`"
    )


def dataset_report(ctx: Context, ref: str) -> dict[str, Any]:
    pkg = readable_package(ctx, ref)
    row = stored(ctx, "dataset", pkg.id)
    if row is None:
        raise _not_scored("dataset", ref)
    return {**row.report, "stale": is_stale(row.scored_at, pkg)}


def resource_report(ctx: Context, ref: str) -> dict[str, Any]:
    resource, pkg = get_resource(ctx, ref)
    try:
        readable_package(ctx, pkg.id)
    except NotFound:
        # A private dataset's resource looks absent, as in resource_show.
        raise NotFound(f"Resource not found: {ref}") from None
    row = stored(ctx, "resource", resource.id)
    if row is None:
        raise _not_scored("resource", ref)
    return {**row.report, "stale": resource.metadata_modified > row.scored_at}


def prepare_scan(ctx: Context, ref: str) -> ScanInput:
    """What scoring the dataset needs, for its organization's editors (read transaction)."""
    return gather(ctx, editable_package(ctx, ref))


def evaluate_scan(scan: ScanInput, settings: Settings, *, links: bool = False) -> Evaluation:
    """Score what ``prepare_scan`` gathered (no transaction held: link checks take seconds);
    ``links`` also checks the link resources' URLs over HTTP."""
    if not links:
        return evaluate(scan)
    with LinkChecker.from_settings(settings) as checker:
        return evaluate(scan, links=checker)


def save_scan(ctx: Context, evaluation: Evaluation) -> dict[str, Any]:
    editable_package(ctx, evaluation.package_id)  # still allowed, still there
    save(ctx, evaluation)
    return evaluation.dataset_report


def _org(ctx: Context, name: str) -> Group:
    return get_group(ctx, name, is_organization=True)


LOWEST_SHOWN = 10


def organization_report(ctx: Context, name: str) -> dict[str, Any]:
    """Aggregate, band distribution and trend of the datasets of ``name`` the caller may read."""
    org = _org(ctx, name)
    visible = authz.visible_packages(ctx)
    rows = ctx.session.execute(
        select(QualityReport.total, QualityReport.band, QualityReport.stars)
        .add_columns(Package.name, Package.title)
        .join(Package, Package.id == QualityReport.package_id)
        .where(
            QualityReport.subject_type == "dataset",
            Package.owner_org == org.id,
            visible,
        )
    ).all()
    datasets = ctx.session.scalar(
        select(func.count()).select_from(Package).where(Package.owner_org == org.id, visible)
    )
    bands = Counter(row.band for row in rows)
    stars = Counter(int(row.stars or 0) for row in rows)
    # What to fix first: the lowest totals (ties by name), each with its own report.
    lowest = sorted(rows, key=lambda row: (row.total, row.name))[:LOWEST_SHOWN]
    history = ctx.session.execute(
        select(QualityHistory.package_id, QualityHistory.scored_at, QualityHistory.total)
        .join(Package, Package.id == QualityHistory.package_id)
        .where(Package.owner_org == org.id, visible)
        .order_by(QualityHistory.scored_at)
    ).all()
    return {
        "organization": {"id": org.id, "name": org.name, "title": org.title or org.name},
        "datasets": datasets or 0,
        "scored": len(rows),
        "average_total": _avg([row.total for row in rows]),
        "max": mqa.MAX_POINTS,
        "band": mqa.band(_avg([row.total for row in rows]) or 0) if rows else None,
        "average_stars": _avg([float(row.stars or 0) for row in rows]),
        "bands": {b: bands.get(b, 0) for b in BANDS},
        "stars": {str(n): stars.get(n, 0) for n in range(6)},
        "trend": _trend(history),
        "lowest": [
            {
                "name": row.name,
                "title": row.title or row.name,
                "total": row.total,
                "band": row.band,
                "stars": row.stars,
            }
            for row in lowest
        ],
    }


def _avg(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None


def _trend(history: list[Any]) -> list[dict[str, Any]]:
    """Per day with scoring: the average of every dataset's latest total as of that day."""
    latest: dict[str, float] = {}
    by_day: dict[date, dict[str, float]] = defaultdict(dict)
    for package_id, scored_at, total in history:
        by_day[scored_at.date()][package_id] = total
    points = []
    for day in sorted(by_day):
        latest.update(by_day[day])
        points.append(
            {
                "date": day.isoformat(),
                "average_total": _avg(list(latest.values())),
                "datasets": len(latest),
            }
        )
    return points


def organization_ranking(ctx: Context) -> dict[str, Any]:
    """Organizations by the average MQA total of their scored public datasets."""
    public = authz.visible_packages(ctx, include_private=False)
    rows = ctx.session.execute(
        select(
            Group.name,
            Group.title,
            func.avg(QualityReport.total),
            func.avg(QualityReport.stars),
            func.count(),
        )
        .join(Package, Package.id == QualityReport.package_id)
        .join(Group, Group.id == Package.owner_org)
        .where(QualityReport.subject_type == "dataset", public, Group.state == "active")
        .group_by(Group.id, Group.name, Group.title)
        .order_by(func.avg(QualityReport.total).desc(), Group.name)
    ).all()
    ranking = []
    for position, (name, title, total, stars, count) in enumerate(rows, start=1):
        average = round(float(total), 2)
        ranking.append(
            {
                "rank": position,
                "name": name,
                "title": title or name,
                "average_total": average,
                "band": mqa.band(average),
                "average_stars": round(float(stars or 0), 2),
                "scored_datasets": count,
            }
        )
    return {"max": mqa.MAX_POINTS, "basis": "public datasets only", "ranking": ranking}


def organization_scores(ctx: Context) -> dict[str, float]:
    """Each organization's average metadata score on a 0-100 scale, from its public scored
    datasets (the ranking's basis): the roadmap's KPI for measure 04-07."""
    ranking = organization_ranking(ctx)
    return {
        entry["name"]: round(entry["average_total"] / ranking["max"] * 100, 2)
        for entry in ranking["ranking"]
    }
