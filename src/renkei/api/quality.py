"""``/api/v1/quality/...``: quality reports of datasets, resources and organizations, the
ranking, and a rescan of one dataset by its editors."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool

from renkei.api import rest
from renkei.api.deps import catalog_of
from renkei.quality import service
from renkei.quality.report import ScanInput

router = APIRouter(prefix="/quality", tags=["quality"])


@router.get("/datasets/{id_or_name}")
async def dataset_quality(request: Request, id_or_name: str) -> Any:
    """The latest report of a dataset: MQA total and band, stars, freshness, every finding."""
    return await rest.call_service(request, service.dataset_report, id_or_name)


@router.post("/datasets/{id_or_name}/scan")
async def scan_dataset(
    request: Request,
    id_or_name: str,
    links: bool = Query(False, description="Also check the link resources' URLs over HTTP"),
) -> Any:
    """Score the dataset now and store the report (editors of its organization)."""
    scan: ScanInput = await rest.call_service(request, service.prepare_scan, id_or_name)
    settings = catalog_of(request).settings
    evaluation = await run_in_threadpool(service.evaluate_scan, scan, settings, links=links)
    return await rest.call_service(request, service.save_scan, evaluation, write=True)


@router.get("/resources/{resource_id}")
async def resource_quality(request: Request, resource_id: str) -> Any:
    return await rest.call_service(request, service.resource_report, resource_id)


@router.get("/organizations")
async def organization_ranking(request: Request) -> Any:
    """Organizations ranked by the average MQA total of their public datasets."""
    return await rest.call_service(request, service.organization_ranking)


@router.get("/organizations/{name}")
async def organization_quality(request: Request, name: str) -> Any:
    """An organization's aggregate, band distribution and trend (datasets the caller may read)."""
    return await rest.call_service(request, service.organization_report, name)


if router not in rest.FEATURE_ROUTERS:
    rest.FEATURE_ROUTERS.append(router)
