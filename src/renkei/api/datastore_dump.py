"""Downloads of DataStore tables: ``/datastore/dump/{resource_id}`` (CKAN's URL), with
``format`` (csv, tsv, json, parquet, geojson), ``bom``, ``encoding`` (utf-8, cp932) and the
search parameters ``q``, ``filters``, ``fields``, ``sort`` to download a search's rows; and
``/datastore/query?sql=...`` for the result of a SQL query, with the same options."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pyarrow as pa
from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from renkei.api.deps import catalog_of, request_context, token_from
from renkei.catalog.context import Catalog
from renkei.datastore import export, sandbox
from renkei.datastore.service import datastore_of, readable_table, select_rows_sql
from renkei.datastore.write import Field, fields_from_json
from renkei.errors import RenkeiError
from renkei.model.params import as_bool

router = APIRouter()

SEARCH_PARAMETERS = ("q", "filters", "fields", "sort", "distinct", "plain", "language")


def _dump(
    catalog: Catalog, token: str | None, resource_id: str, params: dict[str, Any]
) -> tuple[Path, str, str]:
    fmt, encoding, bom = _options(params)
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


def _query(catalog: Catalog, token: str | None, params: dict[str, Any]) -> tuple[Path, str, str]:
    fmt, encoding, bom = _options(params)
    with request_context(catalog, token, write=False) as ctx:
        result = sandbox.run_sql(ctx, params.get("sql"))
        target = catalog.settings.data_dir / "tmp" / f"query-{uuid.uuid4().hex}"
        names = [f["id"] for f in result.fields]
        columns = list(zip(*result.rows, strict=True)) if result.rows else [() for _ in names]
        table = pa.table(
            {f"c{i}": _arrow_column(values) for i, values in enumerate(columns)}
        ).rename_columns(names)
        fields = [Field(f["id"], f["type"]) for f in result.fields]
        store = datastore_of(ctx)
        try:
            with store.engine.isolated(threads=1) as con:
                con.register("query_result", table)
                export.write(
                    con, "SELECT * FROM query_result", [], fields, fmt, target,
                    encoding=encoding, bom=bom,
                )  # fmt: skip
        except BaseException:
            target.unlink(missing_ok=True)
            raise
    return target, f"query.{export.FORMATS[fmt][1]}", export.media_type(fmt, encoding)


def _arrow_column(values: tuple[Any, ...]) -> pa.Array:
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        # Mixed or nested values: as JSON text, which every format can carry.
        return pa.array([None if v is None else json.dumps(v, default=str) for v in values])


def _options(params: dict[str, Any]) -> tuple[str, str, bool]:
    fmt = str(params.get("format", "csv")).lower()
    encoding = str(params.get("encoding", "utf-8")).lower().replace("_", "-")
    encoding = {"shift-jis": "cp932", "sjis": "cp932", "utf8": "utf-8"}.get(encoding, encoding)
    bom = as_bool(params.get("bom", False), "bom")
    export.check_options(fmt, encoding, bom)
    return fmt, encoding, bom


def _file_response(path: Path, filename: str, media: str) -> FileResponse:
    return FileResponse(
        path,
        media_type=media,
        filename=filename,
        content_disposition_type="attachment",
        background=BackgroundTask(path.unlink, missing_ok=True),
    )


@router.get("/datastore/query", name="datastore_query")
async def datastore_query(request: Request) -> Response:
    """The result of a ``datastore_search_sql`` query (``sql``) as a file, in ``format``."""
    catalog = catalog_of(request)
    try:
        path, filename, media = await run_in_threadpool(
            _query, catalog, token_from(request), dict(request.query_params)
        )
    except RenkeiError as exc:
        return JSONResponse(
            {"success": False, "error": exc.ckan_error()}, status_code=exc.status_code
        )
    return _file_response(path, filename, media)


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
    return _file_response(path, filename, media)
