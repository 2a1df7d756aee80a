"""Page handlers, one module per family of pages; ``router`` holds them all."""

from __future__ import annotations

from renkei.web.routes import datasets, groups, home, imports, users
from renkei.web.routing import web_router

router = web_router()
for module in (home, datasets, groups, users, imports):
    router.include_router(module.router)
