"""One resource: its metadata, its download, and a preview of its file.

A resource in a dataset the caller can't read is "not found", whatever the reason, as in
``resource_show`` and the download route: nothing is confirmed.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from renkei.catalog.context import Context
from renkei.catalog.packages import package_show, readable_package
from renkei.catalog.resources import get_resource
from renkei.errors import NotFound
from renkei.store.tables import Package, Resource
from renkei.web import preview
from renkei.web.i18n import N_
from renkei.web.page import Web
from renkei.web.routing import page, web_router

router = web_router()
COLUMN_TYPES = {
    "integer": N_("integer"),
    "number": N_("number"),
    "date": N_("date"),
    "text": N_("text"),
}


def readable_resource(ctx: Context, package_ref: str, resource_id: str) -> tuple[Resource, Package]:
    try:
        res, pkg = get_resource(ctx, resource_id)
        if package_ref not in (pkg.id, pkg.name):
            raise NotFound(resource_id)
        readable_package(ctx, pkg.id)
    except NotFound:
        raise NotFound(f"Resource not found: {resource_id}") from None
    return res, pkg


@page(router, "/dataset/{name}/resource/{resource_id}")
async def resource_page(request: Request, name: str, resource_id: str) -> Response:
    web = Web(request)
    data = await run_in_threadpool(_resource_data, web, name, resource_id)
    dataset, resource = data["dataset"], data["resource"]
    title = resource["name"] or web.gettext("Unnamed resource")
    return web.render(
        "resource.html",
        data,
        title=title,
        extra={
            "canonical_url": web.absolute(f"/dataset/{dataset['name']}/resource/{resource['id']}"),
            "ds": dataset,
            "column_types": {k: web.gettext(v) for k, v in COLUMN_TYPES.items()},
        },
    )


def _resource_data(web: Web, name: str, resource_id: str) -> dict[str, Any]:
    with web.context() as ctx:
        res, pkg = readable_resource(ctx, name, resource_id)
        dataset = package_show(ctx, {"id": pkg.id})
        path = ctx.blobs.path(res.blob_key) if res.blob_key else None
    resource = next(r for r in dataset["resources"] if r["id"] == res.id)
    base = f"/dataset/{dataset['name']}/resource/{res.id}"
    kind = preview.preview_kind(resource)
    shown: dict[str, Any] = {"kind": kind, "error": None}
    if path is None or not path.is_file():
        shown["kind"] = "none"
    elif kind == "table":
        shown["table"] = table_preview_of(path, resource.get("format"))
        if shown["table"] is None:
            shown.update(kind="none", error="unreadable")
    elif kind == "geojson":
        shown["geojson_url"] = web.url(base + "/preview.geojson")
    elif kind == "text":
        shown.update(preview.text_preview(path))
    elif kind in ("image", "pdf"):
        shown["file_url"] = web.url(base + "/download")
    # The dataset's other resources, by name, for the side navigation.
    siblings = [{"id": r["id"], "name": r["name"]} for r in dataset["resources"]]
    slim = {k: v for k, v in dataset.items() if k != "resources"}
    return {
        "dataset": slim,
        "resource": resource,
        "resources": siblings,
        "preview": shown,
        "api": {"resource_show": web.absolute(f"/api/3/action/resource_show?id={res.id}")},
    }


def table_preview_of(path: Any, fmt: str | None) -> dict[str, Any] | None:
    """The table shown on a resource page. One function on purpose: the DataStore (typed,
    paged tables) replaces this file reader here when it lands."""
    try:
        return preview.table_preview(path, fmt).as_dict()
    except (ValueError, UnicodeDecodeError):
        return None


@router.get("/dataset/{name}/resource/{resource_id}/preview.geojson", name="resource_geojson")
async def resource_geojson(request: Request, name: str, resource_id: str) -> Response:
    """The resource's GeoJSON file in WGS84, for the map (reprojected when it says its CRS)."""
    web = Web(request)

    def load() -> dict[str, Any]:
        with web.context() as ctx:
            res, _ = readable_resource(ctx, name, resource_id)
            if res.url_type != "upload" or not res.blob_key:
                raise NotFound(f"Resource not found: {resource_id}")
            path = ctx.blobs.path(res.blob_key)
        return preview.geojson_preview(path)

    try:
        data = await run_in_threadpool(load)
    except NotFound as exc:
        return JSONResponse({"error": exc.message}, status_code=404)
    except preview.NotPreviewable as exc:
        return JSONResponse({"error": f"Cannot be shown on a map: {exc}"}, status_code=422)
    return JSONResponse(
        data,
        media_type="application/geo+json",
        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=60"},
    )
