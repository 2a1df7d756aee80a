"""``package_search`` and ``tag_list``: parameters in CKAN's shape, results in CKAN's shape."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select

from renkei.catalog import authz
from renkei.catalog.context import Context
from renkei.catalog.dictize import package_dicts
from renkei.catalog.packages import MAX_INT
from renkei.errors import ValidationError
from renkei.search import sql
from renkei.search.query import parse_query
from renkei.store.tables import Package, PackageTag

KNOWN_PARAMS = frozenset(
    {
        "q",
        "fq",
        "fq_list",
        "rows",
        "start",
        "sort",
        "facet",
        "facet.field",
        "facet.limit",
        "facet.mincount",
        "include_private",
        "include_drafts",
        "include_deleted",
        "fl",
        "use_default_schema",
        "defType",
        "qf",
        "ext_bbox",
        "callback",
        "_",
    }
)


def _bool(data: dict[str, Any], key: str, default: bool) -> bool:
    value = data.get(key, default)
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "1", "yes", "on"):
        return True
    if isinstance(value, str) and value.lower() in ("false", "0", "no", "off", ""):
        return False
    if isinstance(value, int):
        return bool(value)
    raise ValidationError({key: ["Must be true or false"]})


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
    errors: dict[str, list[str]] = {}
    unknown = sorted(k for k in data if k not in KNOWN_PARAMS)
    for key in unknown:
        errors[key] = ["The parameter is not known to package_search"]
    rows = _int(data, "rows", 10, errors)
    start = _int(data, "start", 0, errors)
    facet_limit = _int(data, "facet.limit", 50, errors)
    facet_mincount = _int(data, "facet.mincount", 1, errors)
    if rows < 0:
        errors["rows"] = ["Must be a positive integer"]
    if start < 0:
        errors["start"] = ["Must be a positive integer"]
    for key, value in (("rows", rows), ("start", start), ("facet.limit", facet_limit)):
        if value > MAX_INT:
            errors[key] = [f"Must be at most {MAX_INT}"]
    if errors:
        raise ValidationError(errors)
    rows = min(rows, ctx.settings.search_rows_max)
    include_private = _bool(data, "include_private", False)

    q = data.get("q")
    if q is not None and not isinstance(q, str):
        raise ValidationError({"q": ["Must be a string"]})
    query_node = parse_query(q)
    filters = [sql.to_sql(query_node)]
    for fq in [*_list_param(data.get("fq"), "fq"), *_list_param(data.get("fq_list"), "fq_list")]:
        filters.append(sql.to_sql(parse_query(fq)))
    # Privacy lives inside the query, so counts and facets are exact for this caller.
    filters.append(authz.visible_packages(ctx, include_private=include_private))

    matched = select(Package.id).where(*filters)
    count = ctx.session.scalar(select(func.count()).select_from(matched.subquery())) or 0

    score = sql.score_expression(sql.text_terms(query_node))
    sort = data.get("sort")
    order = sql.parse_sort(sort if isinstance(sort, str) else None, score is not None)
    sort_text = (
        sort if isinstance(sort, str) and sort.strip() else "score desc, metadata_modified desc"
    )
    if score is not None and sort_text.strip().startswith("score"):
        order.insert(0, score.desc())
    page = list(
        ctx.session.scalars(
            select(Package).where(*filters).order_by(*order).limit(rows).offset(start)
        )
    )
    results = package_dicts(ctx, page)
    fields = [f for f in _split_fl(data.get("fl"))]
    if fields:
        results = [{k: r.get(k) for k in fields} for r in results]

    facets: dict[str, dict[str, int]] = {}
    search_facets: dict[str, Any] = {}
    if _bool(data, "facet", True):
        for field in _list_param(data.get("facet.field"), "facet.field"):
            counts = sql.facet_counts(ctx.session, matched, field, facet_limit, facet_mincount)
            facets[field] = {value: n for value, _, n in counts}
            search_facets[field] = {
                "title": field,
                "items": [{"name": v, "display_name": d, "count": n} for v, d, n in counts],
            }
    return {
        "count": count,
        "results": results,
        "facets": facets,
        "search_facets": search_facets,
        "sort": sort_text,
    }


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
