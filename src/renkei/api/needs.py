"""REST routes for needs: data requests, their statistics, the inventory, notifications.

Thin: parse, call a service in one transaction as the caller, return JSON (errors as
problems). See docs/needs.md for what each route does.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request, UploadFile
from fastapi.responses import Response

from renkei.api import rest
from renkei.requests import inventory, outbox, service, spreadsheet, stats

router = APIRouter(tags=["needs"])
MAX_UPLOAD = 10 * 1024 * 1024


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        raise rest.InvalidParameters({"body": ["The body is not JSON"]}) from None
    if not isinstance(data, dict):
        raise rest.InvalidParameters({"body": ["The body must be a JSON object"]})
    return data


@router.get("/requests")
async def requests_list(request: Request) -> Any:
    return await rest.call_service(request, service.request_list, dict(request.query_params))


@router.post("/requests", status_code=201)
async def requests_create(request: Request) -> Any:
    return await rest.call_service(
        request, service.request_create, await _body(request), write=True
    )


@router.get("/requests/stats")
async def requests_stats(request: Request) -> Any:
    return await rest.call_service(request, stats.request_stats, dict(request.query_params))


@router.get("/requests/{request_id}")
async def requests_show(request: Request, request_id: str) -> Any:
    return await rest.call_service(request, service.request_show, request_id)


@router.post("/requests/{request_id}/support")
async def requests_support(request: Request, request_id: str) -> Any:
    return await rest.call_service(request, service.request_support, request_id, write=True)


@router.delete("/requests/{request_id}/support")
async def requests_unsupport(request: Request, request_id: str) -> Any:
    return await rest.call_service(request, service.request_unsupport, request_id, write=True)


@router.post("/requests/{request_id}/comments", status_code=201)
async def requests_comment(request: Request, request_id: str) -> Any:
    body = await _body(request)
    return await rest.call_service(request, service.request_comment, request_id, body, write=True)


@router.post("/requests/{request_id}/answers", status_code=201)
async def requests_answer(request: Request, request_id: str) -> Any:
    body = await _body(request)
    return await rest.call_service(request, service.request_answer, request_id, body, write=True)


@router.post("/requests/{request_id}/forward")
async def requests_forward(request: Request, request_id: str) -> Any:
    body = await _body(request)
    return await rest.call_service(request, service.request_forward, request_id, body, write=True)


@router.post("/requests/{request_id}/withdraw")
async def requests_withdraw(request: Request, request_id: str) -> Any:
    body = await _body(request)
    return await rest.call_service(request, service.request_withdraw, request_id, body, write=True)


@router.get("/inventory")
async def inventory_progress(request: Request) -> Any:
    return {"organizations": await rest.call_service(request, inventory.inventory_progress)}


@router.get("/inventory/template.csv")
async def inventory_template_csv() -> Response:
    return Response(
        spreadsheet.template_csv(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="inventory_template.csv"'},
    )


@router.get("/inventory/template.xlsx")
async def inventory_template_xlsx() -> Response:
    return Response(
        spreadsheet.write_xlsx([]),
        media_type=spreadsheet.XLSX_TYPE,
        headers={"Content-Disposition": 'attachment; filename="inventory_template.xlsx"'},
    )


@router.get("/inventory/{organization}")
async def inventory_show(request: Request, organization: str) -> Any:
    return await rest.call_service(request, inventory.inventory_list, organization)


@router.post("/inventory/{organization}/entries", status_code=201)
async def inventory_create(request: Request, organization: str) -> Any:
    body = await _body(request)
    return await rest.call_service(request, inventory.entry_create, organization, body, write=True)


@router.put("/inventory/{organization}/entries/{entry_id}")
async def inventory_update(request: Request, organization: str, entry_id: str) -> Any:
    body = await _body(request)
    return await rest.call_service(
        request, inventory.entry_update, organization, entry_id, body, write=True
    )


@router.delete("/inventory/{organization}/entries/{entry_id}")
async def inventory_delete(request: Request, organization: str, entry_id: str) -> Any:
    return await rest.call_service(
        request, inventory.entry_delete, organization, entry_id, write=True
    )


@router.post("/inventory/{organization}/import")
async def inventory_import(request: Request, organization: str, file: UploadFile) -> Any:
    raw = await file.read(MAX_UPLOAD + 1)
    if len(raw) > MAX_UPLOAD:
        raise rest.InvalidParameters({"file": [f"At most {MAX_UPLOAD // (1024 * 1024)} MB"]})
    return await rest.call_service(
        request, inventory.import_file, organization, raw, file.filename or "", write=True
    )


@router.get("/inventory/{organization}/export.{fmt}")
async def inventory_export(request: Request, organization: str, fmt: str) -> Response:
    if fmt not in ("csv", "xlsx"):
        raise rest.InvalidParameters({"format": ["csv or xlsx"]})
    listing = await rest.call_service(request, inventory.inventory_list, organization)
    name = listing["organization"]["name"]
    if fmt == "csv":
        body, media = spreadsheet.write_csv(listing["entries"]), "text/csv; charset=utf-8"
    else:
        body, media = spreadsheet.write_xlsx(listing["entries"]), spreadsheet.XLSX_TYPE
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="inventory-{name}.{fmt}"'},
    )


@router.get("/notifications")
async def notifications_mine(request: Request) -> Any:
    return {"results": await rest.call_service(request, outbox.my_notifications)}


@router.get("/notifications/outbox")
async def notifications_outbox(request: Request, pending: bool = False) -> Any:
    return {"results": await rest.call_service(request, _outbox, pending)}


def _outbox(ctx: rest.Context, pending: bool) -> list[dict[str, Any]]:
    return outbox.outbox_list(ctx, pending_only=pending)


rest.FEATURE_ROUTERS.append(router)
