"""The home page: search box, counts, newest datasets, organizations, groups, popular tags."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from renkei import __version__
from renkei.catalog import groups
from renkei.catalog.context import Context
from renkei.search.service import package_search
from renkei.web.page import Web
from renkei.web.routing import page, web_router
from renkei.web.views import most_viewed

router = web_router()
NEWEST = 6
MOST_VIEWED = 6
ORGANIZATIONS = 8
TAGS = 24


@page(router, "/")
def home(request: Request) -> Response:
    web = Web(request)
    with web.context() as ctx:
        data = home_data(ctx, web)
    return web.render("home.html", data, title=web.settings.site_title)


def home_data(ctx: Context, web: Web) -> dict[str, Any]:
    newest = package_search(
        ctx,
        {
            "rows": NEWEST,
            "sort": "metadata_created desc",
            "include_private": True,
            "facet.field": ["tags"],
            "facet.limit": TAGS,
        },
    )
    organizations = groups.organization_list(
        ctx, {"all_fields": True, "sort": "package_count desc"}
    )
    theme_groups = groups.group_list(ctx, {"all_fields": True, "sort": "package_count desc"})
    tags = newest["search_facets"].get("tags", {}).get("items", [])
    return {
        # The keys the node's JSON home page had before it had an HTML twin; clients keep them.
        "name": web.settings.site_title,
        "description": web.settings.site_description,
        "renkei_version": __version__,
        "links": {
            "ckan_action_api": web.absolute("/api/3/action/"),
            "status": web.absolute("/api/3/action/status_show"),
            "datasets": web.absolute("/api/3/action/package_search"),
            "openapi": web.absolute("/openapi.json"),
            "docs": web.absolute("/docs"),
        },
        "counts": {
            "datasets": newest["count"],
            "organizations": len(organizations),
            "groups": len(theme_groups),
        },
        "newest": newest["results"],
        "most_viewed": most_viewed(ctx, MOST_VIEWED),
        "organizations": organizations[:ORGANIZATIONS],
        "groups": theme_groups,
        "tags": [{"name": t["name"], "count": t["count"]} for t in tags],
    }
