"""The CKAN Action API: ``/api/3/action/{name}`` and ``/api/action/{name}``, GET and POST.

Requests are JSON, form-encoded or multipart (with one ``upload`` file); responses use CKAN's
envelope ``{"help", "success", "result"}`` or ``{"help", "success": false, "error"}``.
"""

from __future__ import annotations

import json
import logging
import math
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from renkei.api.deps import catalog_of, request_context, token_from
from renkei.api.multipart import read_multipart
from renkei.api.registry import ACTIONS, help_text
from renkei.catalog.resources import Upload, inspect_upload
from renkei.errors import BadRequest, PayloadTooLarge, RenkeiError

log = logging.getLogger(__name__)
router = APIRouter()


def _help_url(request: Request, name: str) -> str:
    base = catalog_of(request).settings.site_url.rstrip("/")
    return f"{base}/api/3/action/help_show?name={name}"


def _envelope(request: Request, name: str, status: int, body: dict[str, Any]) -> JSONResponse:
    return JSONResponse({"help": _help_url(request, name), **body}, status_code=status)


def error_response(request: Request, name: str, exc: RenkeiError) -> JSONResponse:
    return _envelope(request, name, exc.status_code, {"success": False, "error": exc.ckan_error()})


async def _read_json(request: Request, limit: int) -> dict[str, Any]:
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise PayloadTooLarge("body", f"Request body larger than {limit} bytes")
    if not body.strip():
        return {}
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/x-www-form-urlencoded"):
        return _multi(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    try:
        data = json.loads(body, parse_constant=_no_constant, parse_float=_finite_float)
    except ValueError as exc:  # also JSONDecodeError and UnicodeDecodeError
        raise BadRequest(f"Bad request - JSON Error: {exc}") from None
    except RecursionError:
        raise BadRequest("Bad request - JSON Error: the body is nested too deeply") from None
    if not isinstance(data, dict):
        raise BadRequest("Bad request - JSON Error: the request body must be a JSON object")
    return data


def _no_constant(name: str) -> Any:
    # NaN and Infinity are not JSON (RFC 8259); stored, they would make every later response
    # of the dataset fail to render.
    raise ValueError(f"{name} is not a valid JSON value")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number {text} is out of range")
    return value


def _multi(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key, value in pairs:
        if key in data:
            existing = data[key]
            data[key] = [*existing, value] if isinstance(existing, list) else [existing, value]
        else:
            data[key] = value
    return data


@router.api_route("/api/3/action/{name}", methods=["GET", "POST"], name="ckan_action")
@router.api_route("/api/action/{name}", methods=["GET", "POST"], include_in_schema=False)
async def ckan_action(request: Request, name: str) -> JSONResponse:
    """Call a CKAN action by name; see ``help_show`` for each action's parameters."""
    catalog = catalog_of(request)
    upload: Upload | None = None
    try:
        if name == "help_show":
            return _help(request)
        action = ACTIONS.get(name)
        if action is None:
            raise BadRequest(f"Action name not known: {name}")
        if request.method == "GET":
            if not action.read_only:
                raise BadRequest(f"Bad request - {name} changes data: use POST for this action")
            data = _multi(list(request.query_params.multi_items()))
        elif request.headers.get("content-type", "").startswith("multipart/form-data"):
            data, upload = await read_multipart(
                request, catalog.blobs, catalog.settings.max_upload_bytes
            )
            if upload is not None and not action.accepts_upload:
                raise BadRequest(f"{name} does not take a file upload")
            if upload is not None:
                # Read the file now, outside the write transaction (see resources).
                limit = catalog.settings.inspect_upload_max_bytes
                await run_in_threadpool(inspect_upload, upload, limit)
        else:
            data = await _read_json(request, catalog.settings.max_json_bytes)
        token = token_from(request)
        result = await run_in_threadpool(_invoke, catalog, action, token, data, upload)
    except RenkeiError as exc:
        return error_response(request, name, exc)
    except Exception:
        log.exception("action %s failed", name)
        return _envelope(
            request,
            name,
            500,
            {
                "success": False,
                "error": {"__type": "Internal Server Error", "message": "Internal error"},
            },
        )
    finally:
        if upload is not None:
            upload.staged.discard()  # a no-op once the blob store has kept the file
    return _envelope(request, name, 200, {"success": True, "result": result})


def _invoke(
    catalog: Any, action: Any, token: str | None, data: dict[str, Any], upload: Upload | None
) -> Any:
    with request_context(catalog, token, write=not action.read_only) as ctx:
        if action.accepts_upload:
            return action.func(ctx, data, upload)
        return action.func(ctx, data)


def _help(request: Request) -> JSONResponse:
    name = request.query_params.get("name", "")
    text = help_text(name)
    if text is None:
        exc = BadRequest(f"Action name not known: {name}")
        return error_response(request, "help_show", exc)
    return _envelope(request, "help_show", 200, {"success": True, "result": text})
