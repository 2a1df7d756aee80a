"""The web router: every page at its path and at ``<path>.json``, domain errors as error pages."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response

from renkei.errors import RenkeiError
from renkei.web.page import HOME_JSON, JSON_SUFFIX, Web

log = logging.getLogger(__name__)


class WebRoute(APIRoute):
    """Turns a domain error raised by a page handler into an error page in the caller's
    language (HTML or JSON), with the error's status: 404 for what the caller may not see."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except RenkeiError as exc:
                return Web(request).error(exc)

        return handle


def web_router() -> APIRouter:
    # Pages are not part of the API's OpenAPI document.
    return APIRouter(route_class=WebRoute, include_in_schema=False)


def page(
    router: APIRouter, path: str, *, methods: tuple[str, ...] = ("GET",)
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a handler at ``path`` and at its JSON twin (``/x.json``; ``/index.json`` for
    ``/``). The JSON path comes first so that ``/dataset/{name}`` doesn't swallow ``.json``."""

    def register(func: Callable[..., Any]) -> Callable[..., Any]:
        twin = HOME_JSON if path == "/" else path + JSON_SUFFIX
        router.add_api_route(twin, func, methods=list(methods), name=f"{func.__name__}_json")
        router.add_api_route(path, func, methods=list(methods), name=func.__name__)
        return func

    return register
