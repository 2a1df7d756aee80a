"""Dataset search as pages use it: URL parameters -> ``package_search`` -> a JSON-ready result.

Filters travel in the URL one parameter per facet value (``?organization=x&tags=y``), readable
and easy to remove; each becomes one ``fq`` clause ``field:"value"``. The search page and the
organization and group pages (a search with one fixed filter) share this.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from starlette.datastructures import QueryParams

from renkei.catalog import groups
from renkei.catalog.context import Context
from renkei.errors import SearchQueryError, ValidationError
from renkei.model.licenses import get_license
from renkei.search.extent import bbox_of
from renkei.search.service import package_search
from renkei.web.i18n import N_, localized, translations

FACET_TITLES: dict[str, str] = {
    "organization": N_("Organizations"),
    "groups": N_("Groups"),
    "tags": N_("Tags"),
    "res_format": N_("Formats"),
    "license_id": N_("Licences"),
    "quality": N_("Quality rating"),
}
# The metadata quality bands (data.europa.eu MQA), as facet values.
QUALITY_BANDS: dict[str, str] = {
    "excellent": N_("Excellent"),
    "good": N_("Good"),
    "sufficient": N_("Sufficient"),
    "bad": N_("Bad"),
}
FACET_FIELDS: tuple[str, ...] = tuple(FACET_TITLES)
AREA_TITLE = N_("Area")
SORTS: dict[str, str] = {
    "score desc, metadata_modified desc": N_("Relevance"),
    "metadata_modified desc": N_("Last modified"),
    "metadata_created desc": N_("Newest"),
    "title_string asc": N_("Title"),
    "name asc": N_("Name (URL)"),
}
DEFAULT_SORT = next(iter(SORTS))
PAGE_SIZE = 20
# Deep pages cost the index more and help nobody: the API's cursor paging is for walking all.
MAX_PAGE = 500
MAX_FILTERS = 20


@dataclass
class SearchParams:
    q: str = ""
    filters: list[tuple[str, str]] = field(default_factory=list)
    sort: str = DEFAULT_SORT
    page: int = 1
    # ckanext-spatial's "west,south,east,north" (WGS84): the map's "draw a box", or typed.
    bbox: str = ""

    @classmethod
    def from_query(cls, params: QueryParams, facet_fields: Sequence[str]) -> SearchParams:
        filters: list[tuple[str, str]] = []
        for key, value in params.multi_items():
            if key in facet_fields and value and (key, value) not in filters:
                filters.append((key, value))
        sort = params.get("sort") or DEFAULT_SORT
        try:
            page = int(params.get("page") or 1)
        except ValueError:
            page = 1
        return cls(
            q=(params.get("q") or "").strip(),
            filters=filters[:MAX_FILTERS],
            sort=sort if sort in SORTS else DEFAULT_SORT,
            page=min(max(page, 1), MAX_PAGE),
            bbox=(params.get("ext_bbox") or "").strip()[:200],
        )

    def items(
        self,
        *,
        add: tuple[str, str] | None = None,
        remove: tuple[str, str] | None = None,
        page: int | None = None,
        clear: bool = False,
    ) -> list[tuple[str, str]]:
        """URL parameters for a link from this search. Changing filters returns to page 1."""
        filters = [] if clear else [f for f in self.filters if f != remove]
        if add and add not in filters:
            filters.append(add)
        items: list[tuple[str, str]] = [("q", self.q)] if self.q else []
        items += filters
        if self.bbox and not clear and remove != ("ext_bbox", self.bbox):
            items.append(("ext_bbox", self.bbox))
        if self.sort != DEFAULT_SORT:
            items.append(("sort", self.sort))
        if page and page > 1:
            items.append(("page", str(page)))
        return items


def fq_clause(field_name: str, value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'{field_name}:"{escaped}"'


def run_search(
    ctx: Context,
    params: SearchParams,
    *,
    lang: str,
    default_lang: str,
    fixed: Sequence[tuple[str, str]] = (),
    facet_fields: Sequence[str] = FACET_FIELDS,
) -> dict[str, Any]:
    """One ``package_search`` call; facet values get display names in ``lang``.

    Private datasets are included for those who may see them (CKAN's web UI does the same),
    with the same SQL privacy rule as the API's ``include_private=true``.
    """
    request: dict[str, Any] = {
        "q": params.q,
        "fq_list": [fq_clause(f, v) for f, v in [*fixed, *params.filters]],
        "sort": params.sort,
        "rows": PAGE_SIZE,
        "start": (params.page - 1) * PAGE_SIZE,
        "facet.field": list(facet_fields),
        "include_private": True,
    }
    if params.bbox:
        request["ext_bbox"] = params.bbox
    result: dict[str, Any] = {
        "q": params.q,
        "sort": params.sort,
        "page": params.page,
        "page_size": PAGE_SIZE,
        "filters": [],
        "ext_bbox": params.bbox,
        "extents": [],
        "api_call": _api_call(request),
    }
    try:
        found = package_search(ctx, request)
    except (SearchQueryError, ValidationError) as exc:
        message = exc.message
        if isinstance(exc, ValidationError) and "ext_bbox" in exc.errors:
            message = "ext_bbox: " + "; ".join(map(str, exc.errors["ext_bbox"]))
        result.update(count=0, pages=0, results=[], facets=[], error=message)
        return result
    names = _display_names(ctx, found["search_facets"], params.filters, lang, default_lang)
    result["count"] = found["count"]
    result["pages"] = math.ceil(found["count"] / PAGE_SIZE)
    result["results"] = found["results"]
    result["filters"] = [
        {"field": f, "value": v, "display_name": names.get((f, v), v)} for f, v in params.filters
    ]
    if params.bbox:
        result["filters"].append(
            {"field": "ext_bbox", "value": params.bbox, "display_name": params.bbox}
        )
    result["extents"] = result_extents(found["results"])
    active = set(params.filters)
    result["facets"] = [
        {
            "field": name,
            "items": [
                {
                    "name": item["name"],
                    "display_name": names.get((name, item["name"]), item["name"]),
                    "count": item["count"],
                    "active": (name, item["name"]) in active,
                }
                for item in found["search_facets"].get(name, {}).get("items", [])
            ],
        }
        for name in facet_fields
    ]
    return result


def result_extents(results: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each result's bounding box (from its ``spatial`` extra), for the map of the results."""
    extents = []
    for ds in results:
        spatial = next((e["value"] for e in ds.get("extras") or [] if e["key"] == "spatial"), None)
        box = bbox_of(spatial)
        if box is not None:
            title = ds.get("title") or ds["name"]
            extents.append({"name": ds["name"], "title": title, "bbox": box})
    return extents


def _api_call(request: dict[str, Any]) -> str:
    """The same search through the Action API (a path with its query string)."""
    params: list[tuple[str, str]] = []
    if request["q"]:
        params.append(("q", request["q"]))
    params += [("fq", fq) for fq in request["fq_list"]]
    if request["sort"] != DEFAULT_SORT:
        params.append(("sort", request["sort"]))
    params.append(("rows", str(request["rows"])))
    if request["start"]:
        params.append(("start", str(request["start"])))
    if request.get("ext_bbox"):
        params.append(("ext_bbox", request["ext_bbox"]))
    params.append(("facet.field", json.dumps(request["facet.field"])))
    params.append(("include_private", "true"))
    return "/api/3/action/package_search?" + urlencode(params)


def _display_names(
    ctx: Context,
    search_facets: dict[str, Any],
    filters: list[tuple[str, str]],
    lang: str,
    default_lang: str,
) -> dict[tuple[str, str], str]:
    """Organization, group and licence titles in ``lang`` for facet values and filters."""
    wanted: dict[str, set[str]] = {"organization": set(), "groups": set(), "license_id": set()}
    for name in wanted:
        wanted[name] |= {i["name"] for i in search_facets.get(name, {}).get("items", [])}
    for name, value in filters:
        if name in wanted:
            wanted[name].add(value)
    names: dict[tuple[str, str], str] = {}
    for name, is_org in (("organization", True), ("groups", False)):
        if not wanted[name]:
            continue
        listing = groups.organization_list if is_org else groups.group_list
        key = "organizations" if is_org else "groups"
        for group in listing(ctx, {key: sorted(wanted[name]), "all_fields": True}):
            title = localized(group["title_translated"], group["title"], lang, default_lang)
            names[(name, group["name"])] = title.text or group["name"]
    for value in wanted["license_id"]:
        lic = get_license(value)
        if lic:
            names[("license_id", value)] = lic.title_ja if lang == "ja" else lic.title
    gettext = translations(lang).gettext
    for band, title in QUALITY_BANDS.items():
        names[("quality", band)] = gettext(title)
    return names
