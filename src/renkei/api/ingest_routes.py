"""``/api/v1/inspect`` (a file or URL to metadata suggestions) and ``/api/v1/bulk/import``
(a metadata spreadsheet to datasets, all or nothing). Both need a logged-in user: inspecting
costs the node CPU and, for URLs, outbound requests."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from renkei.api.deps import catalog_of
from renkei.api.multipart import read_multipart
from renkei.api.rest import FEATURE_ROUTERS, call_service
from renkei.catalog import authz
from renkei.catalog.context import Context
from renkei.errors import BadRequest, ValidationError
from renkei.ingest import bulk, fetch, prefill

router = APIRouter(tags=["ingest"])
TRUE = {"1", "true", "yes", "on"}
# A metadata sheet has a row per dataset: tens of megabytes would be millions of datasets.
BULK_SHEET_MAX_BYTES = 64 * 1024**2


def _require_user(ctx: Context) -> None:
    authz.require_user(ctx, "inspect or import files")


@router.post("/inspect")
async def inspect(request: Request) -> dict[str, Any]:
    """Multipart with a file in ``upload`` (optional ``format``), or JSON ``{"url": ...}``."""
    catalog = catalog_of(request)
    settings = catalog.settings
    await call_service(request, _require_user)
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        # Nothing is kept: the inspection limit applies, not the (larger) upload limit.
        fields, upload = await read_multipart(request, catalog.blobs, settings.inspect_max_bytes)
        if upload is None:
            raise ValidationError({"upload": ["Send the file to inspect in the 'upload' field"]})
        try:
            return await run_in_threadpool(
                prefill.inspect_and_suggest,
                upload.staged.path,
                upload.filename,
                fields.get("format"),
            )
        finally:
            upload.staged.discard()
    try:
        body = await request.json()
    except ValueError:
        raise BadRequest("Send multipart/form-data with 'upload', or JSON {\"url\": ...}") from None
    url = body.get("url") if isinstance(body, dict) else None
    if not isinstance(url, str) or not url:
        raise ValidationError({"url": ["Missing value"]})

    def run() -> dict[str, Any]:
        fetched = fetch.fetch(
            url,
            settings.data_dir / "tmp",
            max_bytes=settings.inspect_max_bytes,
            timeout=settings.inspect_fetch_timeout,
            allow_private=settings.fetch_allow_private,
        )
        try:
            return prefill.inspect_and_suggest(fetched.path, fetched.filename, body.get("format"))
        finally:
            fetched.path.unlink(missing_ok=True)

    return await run_in_threadpool(run)


@router.post("/bulk/import")
async def bulk_import(request: Request) -> JSONResponse:
    """Multipart: the sheet in ``upload``; ``dry_run`` and ``valid_only`` as form fields.

    200 with the report when applied (or a clean dry run); 422 with the same report, listing
    every problem by row and column, when nothing was applied."""
    catalog = catalog_of(request)
    await call_service(request, _require_user)  # before reading a byte of the body
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise BadRequest("Send the sheet as multipart/form-data in the 'upload' field")
    limit = min(catalog.settings.max_upload_bytes, BULK_SHEET_MAX_BYTES)
    fields, upload = await read_multipart(request, catalog.blobs, limit)
    if upload is None:
        raise ValidationError({"upload": ["Send the sheet (CSV or XLSX) in the 'upload' field"]})
    try:
        sheet = await run_in_threadpool(bulk.read_sheet, upload.staged.path, upload.filename)
    finally:
        upload.staged.discard()
    dry_run = str(fields.get("dry_run", "")).lower() in TRUE
    valid_only = str(fields.get("valid_only", "")).lower() in TRUE

    def run(ctx: Context) -> dict[str, Any]:
        return bulk.bulk_import(ctx, sheet, valid_only=valid_only, dry_run=dry_run)

    report = await call_service(request, run, write=True)
    ok = report["applied"] or (dry_run and not report["errors"])
    return JSONResponse(report, status_code=200 if ok else 422)


FEATURE_ROUTERS.append(router)
