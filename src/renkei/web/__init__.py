"""The web interface: server-rendered pages (Jinja2) over the same services as the Action API.

Every page also answers as JSON (``<path>.json`` or ``Accept: application/json``) with the
content it shows. ``mount`` adds the pages, their static files and the session cookie to an app.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from starlette.middleware.sessions import SessionMiddleware

from renkei.api import rest
from renkei.catalog.context import Catalog
from renkei.errors import BadRequest, NotFound
from renkei.web.page import Web, WebOptions, wants_json
from renkei.web.ratelimit import LoginLimiter
from renkei.web.secret import load_secret_key
from renkei.web.views import ViewCounter

log = logging.getLogger(__name__)
STATIC_DIR = Path(__file__).resolve().parent / "static"
SESSION_COOKIE = "renkei_session"
SESSION_AGE = 14 * 24 * 3600


def mount(app: FastAPI, catalog: Catalog) -> None:
    """Add the web pages to ``app`` (session key and time zone come from the settings)."""
    settings = catalog.settings
    settings.ensure_dirs()
    app.state.web_options = WebOptions(timezone=settings.timezone)
    app.state.view_counter = ViewCounter(catalog)
    app.state.login_limiter = LoginLimiter(settings.login_attempts, settings.login_window_seconds)
    _flush_views_on_shutdown(app)
    app.add_middleware(
        SessionMiddleware,
        secret_key=load_secret_key(settings.data_dir, settings.secret_key),
        session_cookie=SESSION_COOKIE,
        max_age=SESSION_AGE,
        same_site="lax",
        https_only=settings.site_url.startswith("https://"),
    )
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    # The pages are imported here, not with the package: the quality and catalog services they
    # call use helpers of this package (renkei.web.jsonld for DCAT-AP), and importing one of
    # those must not drag every page in (an import cycle through renkei.quality.report).
    from renkei.web.routes import router

    app.include_router(router)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _bad_request)
    app.add_exception_handler(Exception, _server_error)


def _flush_views_on_shutdown(app: FastAPI) -> None:
    """Wrap the app's lifespan so that buffered view counts are written when it stops."""
    previous = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app_: Any) -> AsyncIterator[Any]:
        async with previous(app_) as state:
            yield state
        try:
            app.state.view_counter.flush()
        except Exception:
            log.exception("could not write the last view counts")

    app.router.lifespan_context = lifespan


async def _server_error(request: Request, exc: Exception) -> Response:
    """An unexpected failure: logged with its traceback (by Starlette, after this answer) and
    answered with a page in the visitor's language that says nothing about the cause."""
    if _is_page_request(request):
        return Web(request).server_error()
    return JSONResponse({"detail": "Internal Server Error"}, status_code=500)


async def _http_error(request: Request, exc: Exception) -> Response:
    """Unknown paths get an error page when a browser asks, FastAPI's JSON otherwise."""
    from fastapi.exception_handlers import http_exception_handler

    assert isinstance(exc, HTTPException)
    if exc.status_code == 404 and _is_page_request(request):
        return Web(request).error(NotFound("No such page"))
    return await http_exception_handler(request, exc)


async def _bad_request(request: Request, exc: Exception) -> Response:
    from fastapi.exception_handlers import request_validation_exception_handler

    assert isinstance(exc, RequestValidationError)
    if rest.is_rest_path(request.url.path):
        return rest.invalid_parameters(request, list(exc.errors()))
    if _is_page_request(request):
        return Web(request).error(BadRequest("The request's parameters could not be read"))
    return await request_validation_exception_handler(request, exc)


def _is_page_request(request: Request) -> bool:
    path = request.url.path
    if path.startswith(("/api/", "/static/", "/docs", "/openapi", "/redoc")):
        return False
    return not wants_json(request) or path.endswith(".json")
