"""The bulk import page: upload a metadata spreadsheet, see every problem by row and column,
and have all datasets created or none (the same service as ``renkei bulk import`` and
``POST /api/v1/bulk/import``)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import FileResponse, Response
from starlette.concurrency import run_in_threadpool

from renkei.api.multipart import read_multipart
from renkei.errors import ValidationError
from renkei.ingest import bulk
from renkei.web.i18n import N_
from renkei.web.page import Web
from renkei.web.routing import page, web_router

router = web_router()
TRUE = {"1", "true", "on", "yes"}
LOGIN_REQUIRED = N_("Log in to import datasets.")
TEMPLATES = {"csv": "text/csv; charset=utf-8", "xlsx": bulk.XLSX_MIMETYPE}


def _empty() -> dict[str, Any]:
    return {"report": None, "error": None}


@page(router, "/import")
def import_form(request: Request) -> Response:
    web = Web(request)
    if web.user is None:
        return _login_required(web)
    return _render(web, _empty())


@page(router, "/import", methods=("POST",))
async def import_sheet(request: Request) -> Response:
    web = Web(request)
    catalog = web.catalog
    fields, upload = await read_multipart(request, catalog.blobs, catalog.settings.max_upload_bytes)
    try:
        web.check_csrf(fields)
        if web.user is None:
            return _login_required(web)
        if upload is None:
            data = {**_empty(), "error": web.gettext("Choose a CSV or XLSX sheet to import.")}
            return _render(web, data, status=400)
        try:
            sheet = await run_in_threadpool(bulk.read_sheet, upload.staged.path, upload.filename)
        except ValidationError as exc:
            messages = [m for v in exc.errors.values() for m in (v if isinstance(v, list) else [v])]
            return _render(web, {**_empty(), "error": " ".join(map(str, messages))}, status=400)
    finally:
        if upload is not None:
            upload.staged.discard()
    dry_run = str(fields.get("dry_run", "")).lower() in TRUE
    valid_only = str(fields.get("valid_only", "")).lower() in TRUE

    def run() -> dict[str, Any]:
        with web.context(write=True) as ctx:
            return bulk.bulk_import(ctx, sheet, valid_only=valid_only, dry_run=dry_run)

    report = await run_in_threadpool(run)
    ok = report["applied"] or (dry_run and not report["errors"])
    return _render(web, {**_empty(), "report": report}, status=200 if ok else 422)


@router.get("/import/template.{kind}")
def template(kind: str) -> Response:
    """The spreadsheet template (documented in docs/registration.md)."""
    if kind not in TEMPLATES:
        return Response(status_code=404)
    return FileResponse(
        bulk.TEMPLATE_DIR / f"bulk_template.{kind}",
        media_type=TEMPLATES[kind],
        filename=f"renkei_bulk_template.{kind}",
    )


def _render(web: Web, data: dict[str, Any], status: int = 200) -> Response:
    return web.render("import.html", data, title=web.gettext("Import datasets"), status=status)


def _login_required(web: Web) -> Response:
    return web.login_first(web.gettext(LOGIN_REQUIRED))
