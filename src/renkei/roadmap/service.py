"""The roadmap's measures as data: import (idempotent), list with filters, one measure, links.

A measure is keyed by its number: importing the same table again changes nothing, importing a
corrected one updates the measures it names and keeps the others.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import delete, select

from renkei.catalog import authz
from renkei.catalog.context import Context, utcnow
from renkei.catalog.packages import get_package
from renkei.errors import NotFound, ValidationError
from renkei.roadmap import kpis
from renkei.roadmap.table import Measure, parse_roadmap
from renkei.store.tables import (
    DataRequest,
    RoadmapArticle,
    RoadmapLink,
    RoadmapMeasure,
    RoadmapMinistry,
)

LINK_KINDS = ("dataset", "request", "kpi")


def _stored(ctx: Context, row: RoadmapMeasure) -> dict[str, Any]:
    """What the import compares: the measure as stored."""
    return {
        "name": row.name,
        "kpi_progress": row.kpi_progress,
        "kpi_effect": row.kpi_effect,
        "summary": row.summary,
        "alignment": row.alignment,
        "alignment_note": row.alignment_note,
        "marks": row.marks,
        "articles": _articles(ctx, row.id),
        "ministries": _ministries(ctx, row.id),
    }


def _parsed(measure: Measure) -> dict[str, Any]:
    return {
        "name": measure.name,
        "kpi_progress": measure.kpi_progress,
        "kpi_effect": measure.kpi_effect,
        "summary": measure.summary,
        "alignment": measure.alignment,
        "alignment_note": measure.alignment_note,
        "marks": measure.marks,
        "articles": sorted(measure.articles, key=lambda a: (a["law"], a["article"])),
        "ministries": measure.ministries,
    }


def _articles(ctx: Context, measure_id: int) -> list[dict[str, str]]:
    rows = ctx.session.scalars(
        select(RoadmapArticle)
        .where(RoadmapArticle.measure_id == measure_id)
        .order_by(RoadmapArticle.law, RoadmapArticle.article)
    )
    return [{"law": r.law, "article": r.article, "role": r.role} for r in rows]


def _ministries(ctx: Context, measure_id: int) -> list[dict[str, Any]]:
    rows = ctx.session.scalars(
        select(RoadmapMinistry)
        .where(RoadmapMinistry.measure_id == measure_id)
        .order_by(RoadmapMinistry.position)
    )
    return [{"name": r.name, "main": r.main} for r in rows]


def import_roadmap(ctx: Context, text: str, source: str | None = None) -> dict[str, Any]:
    """Store the measures of a roadmap table; report what changed and what could not be placed."""
    if ctx.user is not None:
        authz.require_sysadmin(ctx, "import the roadmap")
    table = parse_roadmap(text)
    outcome: Counter[str] = Counter()
    now = utcnow()
    for measure in table.measures:
        row = ctx.session.scalar(
            select(RoadmapMeasure).where(RoadmapMeasure.number == measure.number)
        )
        wanted = _parsed(measure)
        if row is not None and _stored(ctx, row) == wanted:
            outcome["unchanged"] += 1
            continue
        if row is None:
            row = RoadmapMeasure(number=measure.number, imported_at=now)
            ctx.session.add(row)
            outcome["created"] += 1
        else:
            outcome["updated"] += 1
        for key in (
            "name",
            "kpi_progress",
            "kpi_effect",
            "summary",
            "alignment",
            "alignment_note",
            "marks",
        ):
            setattr(row, key, wanted[key])
        row.source = source
        row.source_line = measure.line
        row.imported_at = now
        ctx.session.flush()
        ctx.session.execute(delete(RoadmapArticle).where(RoadmapArticle.measure_id == row.id))
        ctx.session.execute(delete(RoadmapMinistry).where(RoadmapMinistry.measure_id == row.id))
        for article in wanted["articles"]:
            ctx.session.add(RoadmapArticle(measure_id=row.id, **article))
        for position, ministry in enumerate(measure.ministries):
            ctx.session.add(RoadmapMinistry(measure_id=row.id, position=position, **ministry))
    ctx.session.flush()
    _link_builtin_kpis(ctx)
    alignment = Counter(m.alignment for m in table.measures)
    return {
        "measures": len(table.measures),
        "numbers": [m.number for m in table.measures],
        "created": outcome["created"],
        "updated": outcome["updated"],
        "unchanged": outcome["unchanged"],
        "alignment": {"exact": alignment["exact"], "uncertain": alignment["uncertain"]},
        "problems": [p.as_dict() for p in table.problems],
    }


def _link_builtin_kpis(ctx: Context) -> None:
    """The KPIs this node measures itself belong to the measures that set them."""
    for kpi_id, number in kpis.MEASURE_OF.items():
        measure = ctx.session.scalar(select(RoadmapMeasure).where(RoadmapMeasure.number == number))
        if measure is None:
            continue
        exists = ctx.session.scalar(
            select(RoadmapLink.id).where(
                RoadmapLink.measure_id == measure.id,
                RoadmapLink.kind == "kpi",
                RoadmapLink.target == kpi_id,
            )
        )
        if exists is None:
            ctx.session.add(
                RoadmapLink(measure_id=measure.id, kind="kpi", target=kpi_id, created=utcnow())
            )


def get_measure(ctx: Context, number: str) -> RoadmapMeasure:
    row = ctx.session.scalar(select(RoadmapMeasure).where(RoadmapMeasure.number == number))
    if row is None:
        raise NotFound(f"No roadmap measure {number}")
    return row


def measure_dict(ctx: Context, row: RoadmapMeasure, *, full: bool = False) -> dict[str, Any]:
    result: dict[str, Any] = {
        "number": row.number,
        "name": row.name,
        "kpi_progress": row.kpi_progress,
        "kpi_effect": row.kpi_effect,
        "summary": row.summary,
        "articles": _articles(ctx, row.id),
        "ministries": _ministries(ctx, row.id),
        "alignment": {"status": row.alignment, "note": row.alignment_note, "marks": row.marks},
    }
    if full:
        result["links"] = _links(ctx, row)
        result["source"] = {"file": row.source, "line": row.source_line}
    return result


def _links(ctx: Context, row: RoadmapMeasure) -> dict[str, list[Any]]:
    links = list(ctx.session.scalars(select(RoadmapLink).where(RoadmapLink.measure_id == row.id)))
    datasets = []
    requests = []
    live = []
    for link in sorted(links, key=lambda link: link.id):
        if link.kind == "dataset":
            try:
                pkg = get_package(ctx, link.target)
            except NotFound:
                continue
            # A private dataset stays out of the measure for those who may not read it.
            if pkg.state == "active" and authz.can_read_package(ctx, pkg):
                datasets.append({"name": pkg.name, "title": pkg.title or pkg.name})
        elif link.kind == "request":
            request = ctx.session.get(DataRequest, link.target)
            if request is not None:
                requests.append({"id": request.id, "title": request.title, "state": request.state})
        elif link.kind == "kpi":
            live.append(kpis.compute(ctx, link.target))
    return {"datasets": datasets, "requests": requests, "kpis": live}


def measure_list(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    """Measures in number order, filtered by a ministry in charge (``main=true``: as the main
    one) and by an article (only articles assigned with certainty match)."""
    query = select(RoadmapMeasure).order_by(RoadmapMeasure.number)
    if ministry := str(data.get("ministry") or "").strip():
        sub = select(RoadmapMinistry.measure_id).where(RoadmapMinistry.name == ministry)
        if str(data.get("main") or "").lower() in ("1", "true", "yes"):
            sub = sub.where(RoadmapMinistry.main.is_(True))
        query = query.where(RoadmapMeasure.id.in_(sub))
    if article := str(data.get("article") or "").strip():
        sub = select(RoadmapArticle.measure_id).where(RoadmapArticle.article == article)
        if law := str(data.get("law") or "").strip():
            sub = sub.where(RoadmapArticle.law == law)
        query = query.where(RoadmapMeasure.id.in_(sub))
    rows = list(ctx.session.scalars(query))
    return {"count": len(rows), "results": [measure_dict(ctx, r) for r in rows]}


def facets(ctx: Context) -> dict[str, list[Any]]:
    """The ministries and articles there are, for the filters of the measures page."""
    ministries = sorted(set(ctx.session.scalars(select(RoadmapMinistry.name))))
    articles = sorted(
        {
            (law, article)
            for law, article in ctx.session.execute(
                select(RoadmapArticle.law, RoadmapArticle.article)
            )
        }
    )
    return {
        "ministries": ministries,
        "articles": [{"law": law, "article": article} for law, article in articles],
    }


def measure_show(ctx: Context, number: str) -> dict[str, Any]:
    return measure_dict(ctx, get_measure(ctx, number), full=True)


def measure_link(ctx: Context, number: str, data: dict[str, Any]) -> dict[str, Any]:
    """Link a dataset (that the caller can read), a data request or a live KPI (sysadmins)."""
    authz.require_sysadmin(ctx, "link roadmap measures")
    row = get_measure(ctx, number)
    kind = data.get("kind")
    target = str(data.get("target") or "").strip()
    if kind not in LINK_KINDS:
        raise ValidationError({"kind": [f"One of {', '.join(LINK_KINDS)}"]})
    if kind == "dataset":
        try:
            target = get_package(ctx, target).id
        except (NotFound, ValidationError):
            raise ValidationError({"target": [f"No dataset {target!r}"]}) from None
    elif kind == "request" and ctx.session.get(DataRequest, target) is None:
        raise ValidationError({"target": [f"No data request {target!r}"]})
    elif kind == "kpi" and target not in kpis.KPIS:
        raise ValidationError({"target": [f"One of {', '.join(kpis.KPIS)}"]})
    exists = ctx.session.scalar(
        select(RoadmapLink.id).where(
            RoadmapLink.measure_id == row.id, RoadmapLink.kind == kind, RoadmapLink.target == target
        )
    )
    if exists is None:
        ctx.session.add(RoadmapLink(measure_id=row.id, kind=kind, target=target, created=utcnow()))
        ctx.session.flush()
    return measure_show(ctx, number)
