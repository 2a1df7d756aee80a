"""The native REST API under ``/api/v1``: resource-shaped JSON, errors as RFC 9457 problems.

The Action API is CKAN's contract; everything Renkei adds that CKAN has no action for (quality
reports, data requests, the roadmap, ...) lives here. Each feature keeps its routes in its own
module with its own ``APIRouter`` and is listed once in ``FEATURE_ROUTERS`` below. Handlers stay
thin: parse, call a service inside ``call_service`` (one transaction as the caller), return.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from renkei.api.deps import catalog_of, request_context, token_from
from renkei.catalog.context import Context
from renkei.errors import RenkeiError, ValidationError

PREFIX = "/api/v1"
PROBLEM_JSON = "application/problem+json"

T = TypeVar("T")


class InvalidParameters(ValidationError):
    """Path, query or body parameters that could not be read: a malformed request (400)."""

    status_code = 400


# Feature routers, each with paths relative to /api/v1 (e.g. "/quality/datasets/{id}").
FEATURE_ROUTERS: list[APIRouter] = []


async def call_service(
    request: Request, func: Callable[..., T], *args: Any, write: bool = False
) -> T:
    """Run ``func(ctx, *args)`` in a worker thread, in one transaction as the caller."""
    catalog = catalog_of(request)
    token = token_from(request)

    def run() -> T:
        with request_context(catalog, token, write=write) as ctx:
            return func(ctx, *args)

    return await run_in_threadpool(run)


def problem(request: Request, exc: RenkeiError) -> JSONResponse:
    """RFC 9457 problem details; validation errors add ``errors`` (field -> messages)."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": exc.ckan_type,
        "status": exc.status_code,
        "detail": exc.message,
        "instance": request.url.path,
    }
    if isinstance(exc, ValidationError):
        body["errors"] = exc.errors
    return JSONResponse(body, status_code=exc.status_code, media_type=PROBLEM_JSON)


def mount(app: FastAPI) -> None:
    """Include every feature router under /api/v1 and answer its errors as problems."""
    for router in FEATURE_ROUTERS:
        app.include_router(router, prefix=PREFIX)

    async def on_error(request: Request, exc: Exception) -> Any:
        # Only routes outside the pages and the Action API raise RenkeiError this far: those
        # two render their own errors (page, CKAN envelope).
        assert isinstance(exc, RenkeiError)
        return problem(request, exc)

    app.add_exception_handler(RenkeiError, on_error)


def is_rest_path(path: str) -> bool:
    return path == PREFIX or path.startswith(PREFIX + "/")


def invalid_parameters(request: Request, errors: list[dict[str, Any]]) -> JSONResponse:
    """A request FastAPI could not parse (path, query or body), as a 400 problem."""
    fields: dict[str, list[str]] = {}
    for error in errors:
        name = ".".join(str(part) for part in error.get("loc", ())[1:]) or "request"
        fields.setdefault(name, []).append(str(error.get("msg", "invalid")))
    return problem(request, InvalidParameters(fields or {"request": ["invalid request"]}))


__all__ = ["FEATURE_ROUTERS", "Context", "call_service", "mount", "problem"]
