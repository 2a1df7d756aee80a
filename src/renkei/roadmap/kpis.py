"""KPIs of the roadmap that this node can measure itself, computed live when asked.

Each answers for the caller: datasets are counted as the caller may see them, so a private
dataset never shows up in a count it should not. A KPI the node cannot measure yet says so
(``value: null`` with the reason) instead of reporting a made-up zero.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import func, select

from renkei.catalog import authz
from renkei.catalog.context import Context
from renkei.store.tables import DataRequest, Package

# KPI id -> the measure whose KPI it is.
MEASURE_OF = {
    "datasets_linked": "04-02",
    "connected_peers": "04-01",
    "quality_scores": "04-07",
    "requests_answered": "04-05",
}
KPIS = tuple(MEASURE_OF)


def _datasets_linked(ctx: Context) -> dict[str, Any]:
    count = ctx.session.scalar(
        select(func.count()).select_from(Package).where(authz.visible_packages(ctx))
    )
    return {"value": count or 0, "unit": "datasets", "note": "datasets on this node visible to you"}


def _connected_peers(ctx: Context) -> dict[str, Any]:
    return {
        "value": 0,
        "unit": "peers",
        "note": "federation is not built on this node yet, so no peer is connected",
    }


# Where organization quality scores come from: a function (ctx -> {organization name: score
# 0-100}, only organizations whose data is scored) that the quality feature registers with
# ``set_quality_source``. Until one is registered the KPI says so instead of reporting zero.
QualitySource = Callable[[Context], Mapping[str, float]]
_quality_source: QualitySource | None = None
BUCKETS = ((0, 20), (20, 40), (40, 60), (60, 80), (80, 100))


def set_quality_source(source: QualitySource | None) -> None:
    """Replace where the 04-07 KPI's scores come from (None: the quality reports' ranking)."""
    global _quality_source
    _quality_source = source


def _quality_scores(ctx: Context) -> dict[str, Any]:
    from renkei.quality.service import organization_scores

    source = _quality_source or organization_scores
    scores = sorted(float(v) for v in source(ctx).values())
    if not scores:
        return {
            "value": None,
            "unit": "organizations",
            "distribution": None,
            "reason": "no organization has scored public datasets yet (renkei quality scan, or "
            "POST /api/v1/quality/datasets/{id}/scan)",
        }
    distribution = [
        {
            "from": low,
            "to": high,
            "organizations": sum(
                1 for v in scores if low <= v < high or (high == 100 and v == 100)
            ),
        }
        for low, high in BUCKETS
    ]
    return {
        "value": len(scores),
        "unit": "organizations",
        "distribution": distribution,
        "mean": round(statistics.fmean(scores), 2) if scores else None,
        "median": round(statistics.median(scores), 2) if scores else None,
        "note": "organizations whose data is scored, and their scores (0-100) in five bands",
    }


def _requests_answered(ctx: Context) -> dict[str, Any]:
    from renkei.requests.stats import answered_share

    share = answered_share(list(ctx.session.scalars(select(DataRequest))))
    return {
        "value": share["share"],
        "unit": "share",
        "answered": share["answered"],
        "requests": share["requests"],
        "note": "requests answered at least once, among those not withdrawn before an answer",
    }


COMPUTE = {
    "datasets_linked": _datasets_linked,
    "connected_peers": _connected_peers,
    "quality_scores": _quality_scores,
    "requests_answered": _requests_answered,
}


def compute(ctx: Context, kpi_id: str) -> dict[str, Any]:
    return {"id": kpi_id, "measure": MEASURE_OF[kpi_id], **COMPUTE[kpi_id](ctx)}


def all_kpis(ctx: Context) -> dict[str, Any]:
    return {"kpis": [compute(ctx, kpi_id) for kpi_id in KPIS]}
