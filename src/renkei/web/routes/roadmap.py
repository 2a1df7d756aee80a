"""Pages for the roadmap: its measures with filters by ministry and article, and one measure
with its KPIs (live where the node measures them), articles and ministries."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from renkei.roadmap import service
from renkei.web.page import Web
from renkei.web.routing import page, web_router

router = web_router()


@page(router, "/roadmap")
def roadmap_page(request: Request) -> Response:
    web = Web(request)
    filters = {k: request.query_params.get(k, "") for k in ("ministry", "article", "main")}
    with web.context() as ctx:
        result = service.measure_list(ctx, filters)
        choices = service.facets(ctx)
    return web.render(
        "roadmap.html",
        {"filters": filters, **result},
        title=web.gettext("Roadmap"),
        extra={"choices": choices},
    )


@page(router, "/roadmap/{number}")
def measure_page(request: Request, number: str) -> Response:
    web = Web(request)
    with web.context() as ctx:
        measure = service.measure_show(ctx, number)
    return web.render(
        "roadmap_measure.html",
        {"measure": measure},
        title=f"{measure['number']} {measure['name']}",
    )
