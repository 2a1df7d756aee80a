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
from renkei.catalog.packages import package_show
from renkei.catalog.resources import resource_of_dataset
from renkei.datastore.preview import histograms
from renkei.datastore.service import datastore_search
from renkei.errors import NotFound, ValidationError
from renkei.store.tables import DatastoreTable
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
    page_number = _page_number(web.request.query_params.get("page"))
    with web.context() as ctx:
        res, pkg = resource_of_dataset(ctx, name, resource_id)
        dataset = package_show(ctx, {"id": pkg.id})
        path = ctx.blobs.path(res.blob_key) if res.blob_key else None
        table = ctx.session.get(DatastoreTable, res.id)
        loading = _load_status(table)
        resource = next(r for r in dataset["resources"] if r["id"] == res.id)
        kind = preview.preview_kind(resource)
        # A loaded table is shown from the DataStore; a GeoJSON file keeps its own map.
        from_datastore = (
            datastore_preview(ctx, res.id, page_number)
            if res.datastore_active and kind not in ("geojson", "image", "pdf")
            else None
        )
    base = f"/dataset/{dataset['name']}/resource/{res.id}"
    shown: dict[str, Any] = {
        "kind": kind,
        "error": None,
        "datastore": loading,
        "pages": None,
        "downloads": None,
        "api_url": None,
    }
    if from_datastore is not None:
        shown.update(kind="table", table=from_datastore)
        shown["pages"] = _pages(web, base, from_datastore, page_number)
        shown["downloads"] = _downloads(web, res.id, has_points=bool(from_datastore["points"]))
        shown["api_url"] = web.absolute(
            f"/api/3/action/datastore_search?resource_id={res.id}&limit={PAGE_ROWS}"
        )
    elif path is None or not path.is_file():
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


PAGE_ROWS = 100


def _page_number(raw: str | None) -> int:
    try:
        return max(1, min(int(raw or 1), 10**7))
    except ValueError:
        return 1


def datastore_preview(ctx: Context, resource_id: str, page_number: int) -> dict[str, Any] | None:
    """A page of the resource's DataStore table (typed columns, the whole table's row count,
    histograms over every row, the first rows on a map); None if it can't be read."""
    offset = (page_number - 1) * PAGE_ROWS
    try:
        found = datastore_search(
            ctx,
            {"resource_id": resource_id, "limit": PAGE_ROWS, "offset": offset,
             "records_format": "lists"},
        )  # fmt: skip
        fields = [f for f in found["fields"] if f["id"] != "_id"]
        first = 1 if found["fields"] and found["fields"][0]["id"] == "_id" else 0
        rows = [row[first:] for row in found["records"]]
        map_rows = rows
        # The map shows the table's first rows, whatever the page: read them only when this
        # page shows the table has coordinates at all.
        paged = found["total"] > len(rows) or offset
        if paged and preview.datastore_points(fields, rows):
            sample = datastore_search(
                ctx,
                {"resource_id": resource_id, "limit": preview.MAP_POINTS,
                 "records_format": "lists", "fields": [f["id"] for f in fields]},
            )  # fmt: skip
            map_rows = sample["records"]
    except (NotFound, ValidationError):
        return None
    table = preview.datastore_table(fields, rows, map_rows, total=found["total"], offset=offset)
    numeric = [f["id"] for f in fields if preview.chartable(f["id"], table_type(f))]
    table["charts"] = histograms(ctx, resource_id, numeric[: preview.MAX_CHARTS])
    return table


def table_type(field: dict[str, Any]) -> str:
    return preview.DATASTORE_TYPES.get(field["type"], "text")


def _load_status(table: DatastoreTable | None) -> dict[str, Any] | None:
    if table is None:
        return None
    return {"status": table.status, "message": table.message, "rows": table.row_count}


def _pages(web: Web, base: str, table: dict[str, Any], page_number: int) -> dict[str, Any]:
    last_page = max(1, -(-table["total"] // PAGE_ROWS))
    return {
        "page": page_number,
        "last": last_page,
        "previous": web.url(base, {"page": page_number - 1}) if page_number > 1 else None,
        "next": web.url(base, {"page": page_number + 1}) if page_number < last_page else None,
    }


def _downloads(web: Web, resource_id: str, *, has_points: bool) -> list[dict[str, str]]:
    dump = f"/datastore/dump/{resource_id}"
    links = [
        ("CSV (UTF-8)", dump),
        (web.gettext("CSV for Excel (UTF-8 with BOM)"), dump + "?bom=true"),
        ("CSV (Shift_JIS)", dump + "?encoding=cp932"),
        ("JSON", dump + "?format=json"),
        ("Parquet", dump + "?format=parquet"),
    ]
    if has_points:
        links.append(("GeoJSON", dump + "?format=geojson"))
    return [{"label": label, "url": web.url(url)} for label, url in links]


def table_preview_of(path: Any, fmt: str | None) -> dict[str, Any] | None:
    """The table of a file that has no DataStore table (yet): its first rows, read from the
    file itself."""
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
            res, _ = resource_of_dataset(ctx, name, resource_id)
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
