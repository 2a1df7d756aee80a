"""``package_search`` and ``tag_list``: parameters in CKAN's shape, results in CKAN's shape."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select

from renkei.catalog import authz
from renkei.catalog.context import Context
from renkei.catalog.dictize import package_dicts
from renkei.catalog.packages import MAX_INT
from renkei.errors import SearchParameterError, SearchQueryError, ValidationError
from renkei.model.params import as_bool
from renkei.search.backend import CURSOR_SORTS, Cursor, SearchRequest
from renkei.search.extent import parse_bbox, parse_temporal
from renkei.search.query import parse_query
from renkei.store.tables import Group, Package, PackageTag

MAX_QUERY_CHARS = 2_000

KNOWN_PARAMS = frozenset(
    {
        "q", "fq", "fq_list", "rows", "start", "sort", "facet", "facet.field", "facet.limit",
        "facet.mincount", "include_private", "include_drafts", "include_deleted", "fl",
        "use_default_schema", "defType", "qf", "ext_bbox", "ext_temporal", "cursor",
        "callback", "_",
    }
)  # fmt: skip


def _bool(data: dict[str, Any], key: str, default: bool) -> bool:
    return as_bool(data.get(key, default), key)


def _int(data: dict[str, Any], key: str, default: int, errors: dict[str, list[str]]) -> int:
    raw = data.get(key)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except (TypeError, ValueError):
        errors[key] = ["Invalid integer"]
        return default


def _list_param(value: Any, key: str) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                parsed = json.loads(text)
            except json.JSONDecodeError:
                raise ValidationError({key: ["Not a valid JSON list"]}) from None
            if isinstance(parsed, list):
                return [str(v) for v in parsed]
        return [text]
    raise ValidationError({key: ["Must be a list of strings"]})


def package_search(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    request, fields = _request(ctx, data)
    assert ctx.catalog is not None and ctx.catalog.search is not None
    hits = ctx.catalog.search.search(ctx, request)
    by_id = {p.id: p for p in ctx.session.scalars(select(Package).where(Package.id.in_(hits.ids)))}
    results = package_dicts(ctx, [by_id[i] for i in hits.ids if i in by_id])
    if fields:
        results = [{k: r.get(k) for k in fields} for r in results]
    facets: dict[str, dict[str, int]] = {}
    search_facets: dict[str, Any] = {}
    for field, pairs in hits.facet_counts().items():  # counted meanwhile (tantivy)
        titles = _display_names(ctx, field, [v for v, _ in pairs])
        facets[field] = dict(pairs)
        search_facets[field] = {
            "title": field,
            "items": [{"name": v, "display_name": titles.get(v, v), "count": n} for v, n in pairs],
        }
    result: dict[str, Any] = {
        "count": hits.count,
        "results": results,
        "facets": facets,
        "search_facets": search_facets,
        "sort": data.get("sort") or DEFAULT_SORT,
    }
    if request.want_cursor:
        result["next_cursor"] = hits.next_cursor.encode() if hits.next_cursor else None
    return result


DEFAULT_SORT = "score desc, metadata_modified desc"
SORTABLE = ("score", "metadata_modified", "metadata_created", "name", "title_string")


def _request(ctx: Context, data: dict[str, Any]) -> tuple[SearchRequest, list[str]]:
    try:
        return _parse_request(ctx, data)
    except SearchParameterError:
        raise
    except ValidationError as exc:
        raise SearchParameterError(exc.errors) from None


def _parse_request(ctx: Context, data: dict[str, Any]) -> tuple[SearchRequest, list[str]]:
    errors: dict[str, list[str]] = {}
    for key in sorted(k for k in data if k not in KNOWN_PARAMS):
        errors[key] = ["The parameter is not known to package_search"]
    rows = _int(data, "rows", 10, errors)
    start = _int(data, "start", 0, errors)
    facet_limit = _int(data, "facet.limit", 50, errors)
    facet_mincount = _int(data, "facet.mincount", 1, errors)
    for key, value in (("rows", rows), ("start", start), ("facet.mincount", facet_mincount)):
        if value < 0:
            errors[key] = ["Must be a positive integer"]
    for key, value in (("rows", rows), ("start", start), ("facet.limit", facet_limit)):
        if value > MAX_INT:
            errors[key] = [f"Must be at most {MAX_INT}"]
    if ctx.settings.search_rows_max < rows <= MAX_INT:
        errors["rows"] = [
            f"Must be at most {ctx.settings.search_rows_max}: use cursor=* to walk more results"
        ]
    q = data.get("q")
    if q is not None and not isinstance(q, str):
        errors["q"] = ["Must be a string"]
    if isinstance(q, str) and len(q) > MAX_QUERY_CHARS:
        errors["q"] = [f"Longer than {MAX_QUERY_CHARS} characters"]
    if errors:
        raise ValidationError(errors)

    sort = _sort(data.get("sort"))
    cursor_param = data.get("cursor")
    cursor = None
    if cursor_param not in (None, "", "*"):
        cursor = Cursor.decode(str(cursor_param))
        sort = [(cursor.field, cursor.descending)]
    want_cursor = cursor_param is not None
    if want_cursor:
        if sort[0][0] == "score":
            sort = [("metadata_modified", True)]
        if sort[0][0] not in CURSOR_SORTS:
            raise ValidationError(
                {"cursor": [f"Cursor paging sorts by {' or '.join(CURSOR_SORTS)}"]}
            )
        if start:
            raise ValidationError({"start": ["Use either start or cursor, not both"]})
    filters = [
        parse_query(fq)
        for fq in [*_list_param(data.get("fq"), "fq"), *_list_param(data.get("fq_list"), "fq_list")]
    ]
    bbox = parse_bbox(str(data["ext_bbox"])) if data.get("ext_bbox") not in (None, "") else None
    temporal = (
        parse_temporal(str(data["ext_temporal"]))
        if data.get("ext_temporal") not in (None, "")
        else None
    )
    facet_fields = []
    if _bool(data, "facet", True):
        facet_fields = _list_param(data.get("facet.field"), "facet.field")
    request = SearchRequest(
        query=parse_query(q),
        filters=filters,
        visibility=authz.visibility(ctx, _bool(data, "include_private", False)),
        sort=sort,
        rows=rows,
        start=start,
        bbox=bbox,
        temporal=temporal,
        cursor=cursor,
        want_cursor=want_cursor,
        facet_fields=facet_fields,
        facet_limit=facet_limit,
        facet_mincount=facet_mincount,
    )
    return request, _split_fl(data.get("fl"))


def _sort(value: Any) -> list[tuple[str, bool]]:
    if value is not None and not isinstance(value, str):
        raise ValidationError({"sort": ["Must be a string such as 'metadata_modified desc'"]})
    order = []
    for clause in (value or DEFAULT_SORT).split(","):
        words = clause.split()
        if not words:
            continue
        field = "title_string" if words[0] == "title" else words[0]
        direction = words[1].lower() if len(words) > 1 else "asc"
        if field not in SORTABLE or direction not in ("asc", "desc") or len(words) > 2:
            raise SearchQueryError(f"cannot sort by {clause.strip()!r}")
        order.append((field, direction == "desc"))
    return order or [("score", True)]


def _display_names(ctx: Context, field: str, values: list[str]) -> dict[str, str]:
    if field not in ("organization", "groups") or not values:
        return {}
    rows = ctx.session.execute(select(Group.name, Group.title).where(Group.name.in_(values)))
    return {name: title or name for name, title in rows}


def _split_fl(value: Any) -> list[str]:
    if not value:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    return [part for part in str(value).replace(",", " ").split() if part]


def tag_list(ctx: Context, data: dict[str, Any]) -> list[Any]:
    """Tags of public datasets, optionally filtered by ``query``."""
    query = (
        select(PackageTag.tag, func.count())
        .join(Package, Package.id == PackageTag.package_id)
        .where(authz.visible_packages(ctx, include_private=False))
        .group_by(PackageTag.tag)
        .order_by(PackageTag.tag)
    )
    if q := data.get("query") or data.get("q"):
        query = query.where(PackageTag.tag.contains(str(q)))
    rows = ctx.session.execute(query).all()
    if _bool(data, "all_fields", False):
        return [{"name": t, "display_name": t, "count": n, "vocabulary_id": None} for t, n in rows]
    return [t for t, _ in rows]
