"""datastore_search: CKAN's parameters turned into one parameterised DuckDB query over a table.

Field names come from the table's schema and are quoted; values are bound parameters; nothing
the caller sends is pasted into SQL. ``q`` is matched on text normalised the way the catalog's
search normalises it (NFKC + case folding), as substrings, so a Japanese word is found inside
a longer one without any tokenizer (tables are not segmented into words).
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from renkei.datastore.engine import NORMALIZE_UDF, ident
from renkei.datastore.types import STORAGE
from renkei.datastore.write import ROW_ID, Field
from renkei.errors import ValidationError
from renkei.model.params import as_bool

RECORDS_FORMATS = ("objects", "lists", "csv", "tsv")
_SORT_TERM = re.compile(r'^\s*(?:"((?:[^"]|"")+)"|([^\s,]+))\s*(asc|desc)?\s*$', re.IGNORECASE)


@dataclass
class SearchPlan:
    select: list[str]  # output field ids, in order
    where: str
    params: list[Any]
    order_by: str
    distinct: bool
    limit: int
    offset: int
    echo: dict[str, Any] = field(default_factory=dict)


def _int(value: Any, name: str, default: int, minimum: int = 0) -> int:
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError({name: [f"{value!r} is not an integer"]}) from None
    if number < minimum:
        raise ValidationError({name: [f"must be at least {minimum}"]})
    return number


def _json_param(value: Any, name: str) -> Any:
    """GET requests carry dicts and lists as JSON text, as CKAN's do."""
    if isinstance(value, str) and value.strip()[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError:
            raise ValidationError({name: ["is not valid JSON"]}) from None
    return value


def normalize_term(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def split_terms(q: str) -> list[str]:
    """Words of a query; "quoted phrases" stay whole."""
    terms = [a or b for a, b in re.findall(r'"([^"]+)"|(\S+)', q)]
    return [normalize_term(t) for t in terms if t.strip()]


def plan_search(fields: list[Field], data: dict[str, Any], rows_max: int) -> SearchPlan:
    all_fields = [Field(ROW_ID, "int"), *fields]
    by_id = {f.id: f for f in all_fields}
    where: list[str] = []
    params: list[Any] = []
    echo: dict[str, Any] = {}

    filters = _json_param(data.get("filters"), "filters")
    if filters:
        if not isinstance(filters, dict):
            raise ValidationError({"filters": ["must be an object of field: value"]})
        for name, value in filters.items():
            column = by_id.get(name)
            if column is None:
                raise ValidationError({"filters": [f"field {name!r} not in table"]})
            values = value if isinstance(value, list) else [value]
            if not values:
                where.append("FALSE")
                continue
            storage = STORAGE[column.type]
            holders = ", ".join(f"TRY_CAST(? AS {storage})" for _ in values)
            where.append(f"{ident(name)} IN ({holders})")
            params.extend(None if v is None else str(v) for v in values)
        echo["filters"] = filters

    q = _json_param(data.get("q"), "q")
    if q:
        texts = [f for f in all_fields if f.id != ROW_ID]
        if isinstance(q, dict):
            for name, text in q.items():
                column = by_id.get(name)
                if column is None:
                    raise ValidationError({"q": [f"field {name!r} not in table"]})
                for term in split_terms(str(text)):
                    where.append(f"contains({NORMALIZE_UDF}(CAST({ident(name)} AS VARCHAR)), ?)")
                    params.append(term)
        elif isinstance(q, str):
            row_text = ", ".join(f"CAST({ident(f.id)} AS VARCHAR)" for f in texts) or "''"
            for term in split_terms(q):
                where.append(f"contains({NORMALIZE_UDF}(concat_ws(' ', {row_text})), ?)")
                params.append(term)
        else:
            raise ValidationError({"q": ["must be text or an object of field: text"]})
        echo["q"] = q

    requested = _json_param(data.get("fields"), "fields")
    if requested:
        names = (
            [n.strip() for n in requested.split(",") if n.strip()]
            if isinstance(requested, str)
            else requested
        )
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise ValidationError({"fields": ["must be a list of field names"]})
        unknown = [n for n in names if n not in by_id]
        if unknown:
            raise ValidationError({"fields": [f"field {unknown[0]!r} not in table"]})
        select = names
    else:
        select = [f.id for f in all_fields]

    distinct = as_bool(data.get("distinct", False), "distinct")
    sort = data.get("sort")
    order_by = _order_by(sort, by_id) if sort else ""
    if sort:
        echo["sort"] = sort
    if not order_by:
        order_by = ident(ROW_ID) if (not distinct and ROW_ID in select) else ""
    limit = min(_int(data.get("limit"), "limit", 100), rows_max)
    offset = _int(data.get("offset"), "offset", 0)
    return SearchPlan(
        select=select,
        where=" AND ".join(where) or "TRUE",
        params=params,
        order_by=order_by,
        distinct=distinct,
        limit=limit,
        offset=offset,
        echo=echo,
    )


def _order_by(sort: Any, by_id: dict[str, Field]) -> str:
    if not isinstance(sort, str):
        raise ValidationError({"sort": ["must be text such as 'field desc, other asc'"]})
    parts = []
    for term in _split_sort(sort):
        match = _SORT_TERM.match(term)
        if not match:
            raise ValidationError({"sort": [f"can't read {term.strip()!r}"]})
        name = match.group(1).replace('""', '"') if match.group(1) else match.group(2)
        if name not in by_id:
            raise ValidationError({"sort": [f"field {name!r} not in table"]})
        direction = (match.group(3) or "asc").upper()
        parts.append(f"{ident(name)} {direction} NULLS LAST")
    return ", ".join(parts)


def _split_sort(sort: str) -> list[str]:
    terms, current, quoted = [], "", False
    for char in sort:
        if char == '"':
            quoted = not quoted
        if char == "," and not quoted:
            terms.append(current)
            current = ""
        else:
            current += char
    terms.append(current)
    return [t for t in terms if t.strip()]


def select_sql(plan: SearchPlan, source: str, *, paged: bool = True) -> str:
    columns = ", ".join(ident(n) for n in plan.select)
    sql = f"SELECT {'DISTINCT ' if plan.distinct else ''}{columns} FROM {source} WHERE {plan.where}"
    if plan.order_by:
        sql += f" ORDER BY {plan.order_by}"
    if paged:
        sql += f" LIMIT {plan.limit} OFFSET {plan.offset}"
    return sql


def count_sql(plan: SearchPlan, source: str) -> str:
    if plan.distinct:
        columns = ", ".join(ident(n) for n in plan.select)
        return f"SELECT count(*) FROM (SELECT DISTINCT {columns} FROM {source} WHERE {plan.where})"
    return f"SELECT count(*) FROM {source} WHERE {plan.where}"


def json_value(value: Any, type_name: str) -> Any:
    """A DuckDB value as CKAN returns it in JSON."""
    if value is None:
        return None
    if type_name == "json" and isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, float) and value != value:  # NaN
        return None
    return value


def render_records(rows: list[tuple[Any, ...]], columns: list[Field], records_format: str) -> Any:
    converted = [[json_value(v, c.type) for v, c in zip(row, columns, strict=True)] for row in rows]
    if records_format == "objects":
        return [dict(zip((c.id for c in columns), row, strict=True)) for row in converted]
    if records_format == "lists":
        return converted
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="\t" if records_format == "tsv" else ",")
    for row in converted:
        writer.writerow(
            [
                ""
                if v is None
                else json.dumps(v, ensure_ascii=False)
                if isinstance(v, (dict, list))
                else v
                for v in row
            ]
        )
    return buffer.getvalue()
