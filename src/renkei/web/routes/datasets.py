"""Dataset pages: the search (``/dataset``) and one dataset (``/dataset/{name}``)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import Response

from renkei.catalog import authz
from renkei.catalog.activity import package_activity_list
from renkei.catalog.context import Context
from renkei.catalog.groups import group_list
from renkei.catalog.packages import get_package, package_show
from renkei.model.licenses import get_license
from renkei.search.extent import bbox_of
from renkei.web import jsonld
from renkei.web.i18n import N_
from renkei.web.page import Web
from renkei.web.routing import page, web_router
from renkei.web.search_view import (
    AREA_TITLE,
    FACET_FIELDS,
    FACET_TITLES,
    MAX_PAGE,
    SORTS,
    SearchParams,
    run_search,
)
from renkei.web.views import count_view

router = web_router()
ACTIVITY_SHOWN = 10
ACTIVITY_TYPES = {
    "new package": N_("created the dataset"),
    "changed package": N_("updated the dataset"),
    "deleted package": N_("deleted the dataset"),
}
# The MQA bands (renkei.quality.mqa.band).
QUALITY_BANDS = {
    "excellent": N_("excellent"),
    "good": N_("good"),
    "sufficient": N_("sufficient"),
    "bad": N_("bad"),
}


@page(router, "/dataset")
def search_page(request: Request) -> Response:
    web = Web(request)
    params = SearchParams.from_query(request.query_params, FACET_FIELDS)
    with web.context() as ctx:
        data = run_search(ctx, params, lang=web.lang, default_lang=web.default_lang)
    title = web.gettext("Datasets")
    if params.q:
        title = web.gettext("“%(q)s” – datasets", q=params.q)
    return web.render(
        "search.html",
        data,
        title=title,
        status=400 if "error" in data else 200,
        extra=search_helpers(web, params, "/dataset"),
    )


def search_helpers(web: Web, params: SearchParams, path: str) -> dict[str, Any]:
    """Links and labels the search templates need (not content, so not in the JSON)."""
    return {
        "params": params,
        "search_path": path,
        "max_page": MAX_PAGE,
        "sorts": [(value, web.gettext(label)) for value, label in SORTS.items()],
        "facet_titles": {
            **{k: web.gettext(v) for k, v in FACET_TITLES.items()},
            "ext_bbox": web.gettext(AREA_TITLE),
        },
        "link": lambda **change: web.url(path, params.items(**change)),
    }


@page(router, "/dataset/{name}")
def dataset_page(request: Request, name: str) -> Response:
    web = Web(request)
    with web.context() as ctx:
        data = dataset_data(ctx, web, name)
    dataset = data["dataset"]
    title = web.tr(dataset["title_translated"], dataset["title"]).text or dataset["name"]
    page_url = web.absolute(f"/dataset/{dataset['name']}")
    schema = jsonld.schema_org(
        dataset,
        page_url=page_url,
        site_url=web.absolute(""),
        site_title=web.settings.site_title,
        lang=web.lang,
        default_lang=web.default_lang,
    )
    dcat = jsonld.dcat(
        dataset, page_url=page_url, site_url=web.absolute(""), default_lang=web.default_lang
    )
    response = web.render(
        "dataset.html",
        data,
        title=title,
        extra={
            "canonical_url": page_url,
            "jsonld": [schema, dcat],
            "activity_types": {k: web.gettext(v) for k, v in ACTIVITY_TYPES.items()},
            "quality_bands": {k: web.gettext(v) for k, v in QUALITY_BANDS.items()},
            "search_link": lambda field, value: web.url("/dataset", [(field, value)]),
        },
    )
    if not web.as_json:
        count_view(request, dataset["id"], response, web.user.id if web.user else None)
    return response


def dataset_data(ctx: Context, web: Web, name: str) -> dict[str, Any]:
    """What the dataset page shows; private datasets answer 404 to those who can't read them,
    exactly as ``package_show`` does."""
    dataset = package_show(ctx, {"id": name})
    can_edit = authz.can_edit_package(ctx, get_package(ctx, dataset["id"]))
    activity = package_activity_list(ctx, {"id": dataset["id"], "limit": ACTIVITY_SHOWN})
    lic = get_license(dataset.get("license_id"))
    query = urlencode({"id": dataset["name"]})
    group_names = [g["name"] for g in dataset["groups"]]
    return {
        "dataset": dataset,
        "extent": dataset_extent(dataset),
        "can_edit": can_edit,
        # The dataset's groups in full: package_show's summaries lack their translated titles.
        "groups": group_list(ctx, {"groups": group_names, "all_fields": True})
        if group_names
        else [],
        "license": lic.as_ckan_dict() if lic else None,
        # The snapshot each entry keeps is the whole dataset; the page shows who and when.
        "activity": [{k: v for k, v in a.items() if k != "data"} for a in activity],
        "api": {
            "package_show": web.absolute(f"/api/3/action/package_show?{query}"),
            "package_activity_list": web.absolute(f"/api/3/action/package_activity_list?{query}"),
            "quality": web.absolute(f"/api/v1/quality/datasets/{dataset['name']}"),
            "needs_token": bool(dataset.get("private")),
        },
    }


def dataset_extent(dataset: dict[str, Any]) -> dict[str, Any] | None:
    """The ``spatial`` extra as a geometry with its bounding box, when it is readable."""
    spatial = next((e["value"] for e in dataset.get("extras") or [] if e["key"] == "spatial"), None)
    box = bbox_of(spatial)
    if box is None or spatial is None:
        return None
    geometry = json.loads(spatial)
    return {"geometry": geometry, "bbox": [round(v, 6) for v in box]}
