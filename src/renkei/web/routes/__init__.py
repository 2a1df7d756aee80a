"""Page handlers, one module per family of pages; ``router`` holds them all."""

from __future__ import annotations

from renkei.web.routes import (
    dashboard,
    datasets,
    groups,
    home,
    imports,
    needs,
    quality,
    resources,
    roadmap,
    users,
)
from renkei.web.routing import web_router

router = web_router()
# The editor's fixed paths (/dataset/x/resource/new) come before the pages they resemble.
for module in (
    home,
    dashboard,
    datasets,
    resources,
    groups,
    users,
    needs,
    roadmap,
    imports,
    quality,
):
    router.include_router(module.router)
