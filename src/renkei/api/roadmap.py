"""REST routes for the roadmap: measures (filters by ministry and article), links, live KPIs."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from renkei.api import rest
from renkei.api.needs import _body
from renkei.roadmap import kpis, service

router = APIRouter(tags=["roadmap"])


@router.get("/roadmap/measures")
async def measures_list(request: Request) -> Any:
    return await rest.call_service(request, service.measure_list, dict(request.query_params))


@router.get("/roadmap/kpis")
async def roadmap_kpis(request: Request) -> Any:
    return await rest.call_service(request, kpis.all_kpis)


@router.get("/roadmap/measures/{number}")
async def measures_show(request: Request, number: str) -> Any:
    return await rest.call_service(request, service.measure_show, number)


@router.post("/roadmap/measures/{number}/links", status_code=201)
async def measures_link(request: Request, number: str) -> Any:
    body = await _body(request)
    return await rest.call_service(request, service.measure_link, number, body, write=True)


rest.FEATURE_ROUTERS.append(router)
