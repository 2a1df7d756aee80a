"""Downloads of DataStore tables: ``/datastore/dump/{resource_id}`` (CKAN's URL), with
``format`` (csv, tsv, json, parquet, geojson), ``bom``, ``encoding`` (utf-8, cp932) and the
search parameters ``q``, ``filters``, ``fields``, ``sort`` to download a query's result."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from renkei.api.deps import catalog_of, request_context, token_from
from renkei.catalog.context import Catalog
from renkei.datastore import export
from renkei.datastore.query import _bool
from renkei.datastore.service import datastore_of, readable_table, select_rows_sql
from renkei.datastore.write import fields_from_json
from renkei.errors import RenkeiError

router = APIRouter()

SEARCH_PARAMETERS = ("q", "filters", "fields", "sort", "distinct", "plain", "language")


def _dump(
    catalog: Catalog, token: str | None, resource_id: str, params: dict[str, Any]
) -> tuple[Path, str, str]:
    fmt = params.get("format", "csv").lower()
    encoding = params.get("encoding", "utf-8").lower().replace("_", "-")
    encoding = {"shift-jis": "cp932", "sjis": "cp932", "utf8": "utf-8"}.get(encoding, encoding)
    bom = _bool(params.get("bom", False), "bom")
    export.check_options(fmt, encoding, bom)
    with request_context(catalog, token, write=False) as ctx:
        table, res = readable_table(ctx, resource_id)
        query = {k: v for k, v in params.items() if k in SEARCH_PARAMETERS}
        sql, sql_params, fields = select_rows_sql(ctx, table, query)
        # All fields' roles, for GeoJSON, even when only some are selected.
        all_fields = fields_from_json(table.fields)
        roles = {f.id: f for f in all_fields}
        fields = [roles.get(f.id, f) for f in fields]
        name = (res.name or res.id).rsplit(".", 1)[0] or res.id
        store = datastore_of(ctx)
        tmp_dir = catalog.settings.data_dir / "tmp"
        target = tmp_dir / f"dump-{uuid.uuid4().hex}"
        try:
            with store.engine.cursor() as con:
                export.write(con, sql, sql_params, fields, fmt, target, encoding=encoding, bom=bom)
        except BaseException:
            target.unlink(missing_ok=True)
            raise
    return target, f"{name}.{export.FORMATS[fmt][1]}", export.media_type(fmt, encoding)


@router.get("/datastore/dump/{resource_id}", name="datastore_dump")
async def datastore_dump(request: Request, resource_id: str) -> Response:
    """The table (or the rows a search selects) as a file."""
    catalog = catalog_of(request)
    params = dict(request.query_params)
    try:
        path, filename, media = await run_in_threadpool(
            _dump, catalog, token_from(request), resource_id, params
        )
    except RenkeiError as exc:
        return JSONResponse(
            {"success": False, "error": exc.ckan_error()}, status_code=exc.status_code
        )
    return FileResponse(
        path,
        media_type=media,
        filename=filename,
        content_disposition_type="attachment",
        background=BackgroundTask(path.unlink, missing_ok=True),
    )
