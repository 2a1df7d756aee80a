"""Organization and group pages: lists, and one organization or group with its datasets.

The two kinds share CKAN's model (one table, ``is_organization``), so they share handlers; an
organization's datasets are those it owns, a group's those filed under it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from renkei.catalog import authz, groups
from renkei.web.i18n import N_
from renkei.web.page import Web
from renkei.web.routes.datasets import search_helpers
from renkei.web.routing import page, web_router
from renkei.web.search_view import FACET_FIELDS, SearchParams, run_search

router = web_router()


@dataclass(frozen=True)
class Kind:
    path: str  # "/organization"
    key: str  # JSON key and fq field of one: "organization" / "group"
    fq_field: str
    plural_title: str
    list_action: Any
    show_action: Any


ORGANIZATION = Kind(
    "/organization",
    "organization",
    "organization",
    N_("Organizations"),
    groups.organization_list,
    groups.organization_show,
)
GROUP = Kind("/group", "group", "groups", N_("Groups"), groups.group_list, groups.group_show)


def _list_page(request: Request, kind: Kind) -> Response:
    web = Web(request)
    q = (request.query_params.get("q") or "").strip()
    with web.context() as ctx:
        items = kind.list_action(ctx, {"all_fields": True, "sort": "package_count desc", "q": q})
    data = {"q": q, f"{kind.key}s": items, "count": len(items)}
    return web.render(
        "group_list.html",
        data,
        title=web.gettext(kind.plural_title),
        extra={"kind": kind, "items": items},
    )


def _show_page(request: Request, kind: Kind, name: str) -> Response:
    web = Web(request)
    facet_fields = [f for f in FACET_FIELDS if f != kind.fq_field]
    params = SearchParams.from_query(request.query_params, facet_fields)
    with web.context() as ctx:
        group = kind.show_action(ctx, {"id": name, "include_users": False})
        search = run_search(
            ctx,
            params,
            lang=web.lang,
            default_lang=web.default_lang,
            fixed=[(kind.fq_field, group["name"])],
            facet_fields=facet_fields,
        )
        # Shortcuts for the organization's editors ("editor") and admins ("admin").
        editor_links = None
        if kind is ORGANIZATION and ctx.user is not None:
            if authz.has_role(ctx, group["id"], "admin"):
                editor_links = "admin"
            elif authz.has_role(ctx, group["id"], "editor"):
                editor_links = "editor"
    title = web.tr(group["title_translated"], group["title"]).text or group["name"]
    path = f"{kind.path}/{group['name']}"
    return web.render(
        "group.html",
        {kind.key: group, "search": search},
        title=title,
        status=400 if "error" in search else 200,
        extra={
            "kind": kind,
            "group": group,
            "editor_links": editor_links,
            "canonical_url": web.absolute(path),
            **search_helpers(web, params, path),
        },
    )


@page(router, "/organization")
def organization_list_page(request: Request) -> Response:
    return _list_page(request, ORGANIZATION)


@page(router, "/organization/{name}")
def organization_page(request: Request, name: str) -> Response:
    return _show_page(request, ORGANIZATION, name)


@page(router, "/group")
def group_list_page(request: Request) -> Response:
    return _list_page(request, GROUP)


@page(router, "/group/{name}")
def group_page(request: Request, name: str) -> Response:
    return _show_page(request, GROUP, name)
