"""The ``sql`` search backend: the query runs in the metadata database itself.

Its search columns are written in the same transaction as the dataset, so there is no separate
index to apply; the outbox is simply cleared.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, and_, delete, func, not_, or_, select

from renkei.catalog import authz
from renkei.search import sql
from renkei.search.backend import Cursor, DriftReport, SearchHits, SearchRequest
from renkei.search.text import from_micros, micros
from renkei.store.tables import Package, SearchOutbox

if TYPE_CHECKING:
    from renkei.catalog.context import Catalog, Context

SORT_COLUMNS = {
    "metadata_modified": Package.metadata_modified,
    "metadata_created": Package.metadata_created,
    "name": Package.name,
    "title_string": func.lower(Package.title),
}


def _cursor_condition(cursor: Cursor) -> ColumnElement[bool]:
    column = SORT_COLUMNS[cursor.field]
    value: Any = cursor.value
    if cursor.field != "name":
        value = from_micros(int(value))
    beyond = column < value if cursor.descending else column > value
    return or_(beyond, and_(column == value, not_(Package.id.in_(cursor.seen))))


class SqlSearch:
    name = "sql"

    def search(self, ctx: Context, request: SearchRequest) -> SearchHits:
        conditions = [sql.to_sql(request.query), *(sql.to_sql(f) for f in request.filters)]
        conditions.append(authz.visibility_condition(request.visibility))
        if request.bbox is not None:
            west, south, east, north = request.bbox
            conditions += [
                Package.bbox_west <= east,
                Package.bbox_east >= west,
                Package.bbox_south <= north,
                Package.bbox_north >= south,
            ]
        if request.temporal is not None:
            start, end = request.temporal
            conditions.append(Package.temporal_start.is_not(None))
            if end is not None:
                conditions.append(Package.temporal_start <= end)
            if start is not None:
                # No end means the coverage is ongoing.
                conditions.append(
                    or_(Package.temporal_end >= start, Package.temporal_end.is_(None))
                )
        matched = select(Package.id).where(*conditions)
        count = ctx.session.scalar(select(func.count()).select_from(matched.subquery())) or 0

        page_conditions = list(conditions)
        if request.cursor is not None:
            page_conditions.append(_cursor_condition(request.cursor))
        order: list[Any] = []
        score = sql.score_expression(sql.text_terms(request.query))
        for field_name, descending in request.sort:
            if field_name == "score":
                if score is not None:
                    order.append(score.desc() if descending else score.asc())
                continue
            column = SORT_COLUMNS[field_name]
            order.append(column.desc() if descending else column.asc())
        order.append(Package.id.asc())
        select_columns = [Package.id]
        first = request.sort[0] if request.sort else ("score", True)
        if request.want_cursor:
            select_columns.append(SORT_COLUMNS[first[0]])
        rows = ctx.session.execute(
            select(*select_columns)
            .where(*page_conditions)
            .order_by(*order)
            .limit(request.rows)
            .offset(0 if request.cursor else request.start)
        ).all()
        ids = [row[0] for row in rows]
        next_cursor = None
        if request.want_cursor and len(rows) == request.rows:
            last = rows[-1][1]
            seen = [row[0] for row in rows if row[1] == last]
            if request.cursor is not None and request.cursor.value == _key(first[0], last):
                seen = list(request.cursor.seen) + seen
            next_cursor = Cursor(first[0], first[1], _key(first[0], last), tuple(seen))
        facets = {
            f: [
                (v, n)
                for v, _, n in sql.facet_counts(
                    ctx.session, matched, f, request.facet_limit, request.facet_mincount
                )
            ]
            for f in request.facet_fields
        }
        return SearchHits(count=count, ids=ids, facets=facets, next_cursor=next_cursor)

    def apply_pending(self, catalog: Catalog) -> None:
        with catalog.sessions() as session, session.begin():
            session.execute(delete(SearchOutbox))

    def reindex(self, catalog: Catalog, progress: Callable[[int, int], None] | None = None) -> int:
        from renkei.search.index import refresh_search_columns

        with catalog.sessions() as session:
            ids = list(session.scalars(select(Package.id).order_by(Package.id)))
        total = len(ids)
        for start in range(0, total, 500):
            with catalog.sessions() as session, session.begin():
                for pkg in session.scalars(
                    select(Package).where(Package.id.in_(ids[start : start + 500]))
                ):
                    refresh_search_columns(session, pkg)
            if progress:
                progress(min(start + 500, total), total)
        self.apply_pending(catalog)
        return total

    def ensure_built(self, catalog: Catalog) -> None:
        self.apply_pending(catalog)

    def check(self, catalog: Catalog) -> DriftReport:
        with catalog.sessions() as session:
            pending = session.scalar(select(func.count()).select_from(SearchOutbox)) or 0
        return DriftReport(missing=[], stale=[], extra=[], pending=pending)


def _key(field_name: str, value: Any) -> Any:
    return value if field_name == "name" else micros(value)
