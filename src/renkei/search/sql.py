"""Search over the metadata database with portable SQL (the embedded default backend).

Text terms match normalised substrings of each dataset's search text, which finds Japanese words
of any length. The caller's visibility condition is part of the same query, so counts and facets
never include what the caller may not see. The search issue replaces the text part with a real
inverted index; the query language and result shape stay.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    exists,
    false,
    func,
    not_,
    or_,
    select,
    true,
)

from renkei.errors import SearchQueryError
from renkei.search.query import And, MatchAll, Node, Not, Or, Range, Term
from renkei.search.text import normalize, split_scripts
from renkei.store.tables import (
    Group,
    Package,
    PackageExtra,
    PackageGroup,
    PackageTag,
    QualityReport,
    Resource,
)


def _like(value: str, *, wildcards: bool) -> str:
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    if wildcards:
        escaped = escaped.replace("*", "%").replace("?", "_")
    return escaped


def _contains(column: Any, value: str, phrase: bool) -> ColumnElement[bool]:
    text = normalize(value)
    if not text or text in ("*", "%"):
        return true()
    parts = [text] if phrase else split_scripts(text)
    return and_(
        *(column.like(f"%{_like(part, wildcards=not phrase)}%", escape="\\") for part in parts)
    )


def _equals(column: Any, value: str, phrase: bool, *, fold: bool = False) -> ColumnElement[bool]:
    if value == "*" and not phrase:
        return and_(column.is_not(None), column != "")
    col = func.lower(column) if fold else column
    val = value.lower() if fold else value
    if not phrase and ("*" in value or "?" in value):
        return col.like(_like(val, wildcards=True), escape="\\")
    return col == val


_NOW = re.compile(r"^NOW(?:/(DAY|HOUR|MONTH|YEAR))?(?:([+-])(\d+)(DAY|HOUR|MONTH|YEAR|MINUTE)S?)?$")


def parse_time(value: str) -> datetime | None:
    value = value.strip()
    if value == "*":
        return None
    match = _NOW.match(value)
    if match:
        now = datetime.utcnow()  # noqa: DTZ003 - stored times are naive UTC
        if match.group(1) == "DAY":
            now = now.replace(hour=0, minute=0, second=0, microsecond=0)
        if match.group(2):
            amount = int(match.group(3)) * (-1 if match.group(2) == "-" else 1)
            unit = match.group(4)
            days = {"DAY": 1, "MONTH": 30, "YEAR": 365}.get(unit)
            now += (
                timedelta(days=amount * days)
                if days
                else timedelta(
                    hours=amount if unit == "HOUR" else 0, minutes=amount if unit == "MINUTE" else 0
                )
            )
        return now
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).replace(tzinfo=None)
    except ValueError:
        raise SearchQueryError(f"{value!r} is not a date (use ISO 8601, *, or NOW-7DAYS)") from None


def _time_range(column: Any, node: Range) -> ColumnElement[bool]:
    low, high = parse_time(node.low), parse_time(node.high)
    parts = []
    if low is not None:
        parts.append(column >= low if node.include_low else column > low)
    if high is not None:
        parts.append(column <= high if node.include_high else column < high)
    return and_(true(), *parts)


def _term(node: Term) -> ColumnElement[bool]:
    field, value, phrase = node.field, node.value, node.phrase
    if field in (None, "text", "q"):
        return _contains(Package.search_text, value, phrase)
    if field == "title":
        return _contains(Package.search_title, value, phrase)
    if field in ("name", "id", "license_id", "type", "dataset_type", "state", "owner_org"):
        column = {
            "name": Package.name,
            "id": Package.id,
            "license_id": Package.license_id,
            "type": Package.type,
            "dataset_type": Package.type,
            "state": Package.state,
            "owner_org": Package.owner_org,
        }[field]
        return _equals(column, value, phrase)
    if field in ("notes", "author", "maintainer", "version", "url"):
        return _contains(func.lower(getattr(Package, field)), value, phrase)
    if field == "organization":
        return Package.owner_org.in_(select(Group.id).where(_equals(Group.name, value, phrase)))
    if field == "quality":
        return exists(
            select(QualityReport.package_id).where(
                QualityReport.subject_type == "dataset",
                QualityReport.subject_id == Package.id,
                _equals(QualityReport.band, value, phrase),
            )
        )
    if field == "groups":
        return exists(
            select(PackageGroup.package_id)
            .join(Group, Group.id == PackageGroup.group_id)
            .where(PackageGroup.package_id == Package.id, _equals(Group.name, value, phrase))
        )
    if field == "tags":
        return exists(
            select(PackageTag.package_id).where(
                PackageTag.package_id == Package.id, _equals(PackageTag.tag, value, phrase)
            )
        )
    if field == "res_format":
        return exists(
            select(Resource.id).where(
                Resource.package_id == Package.id,
                _equals(Resource.format, value, phrase, fold=True),
            )
        )
    if field in ("res_name", "res_description", "res_url"):
        column = {
            "res_name": Resource.name,
            "res_description": Resource.description,
            "res_url": Resource.url,
        }[field]
        return exists(
            select(Resource.id).where(
                Resource.package_id == Package.id, _contains(func.lower(column), value, phrase)
            )
        )
    if field == "capacity":
        if value not in ("public", "private"):
            raise SearchQueryError("capacity is 'public' or 'private'")
        return Package.private.is_(value == "private")
    if field in ("metadata_modified", "metadata_created"):
        column = getattr(Package, field)
        moment = parse_time(value)
        return true() if moment is None else column == moment
    if field.startswith("extras_") and len(field) > 7:
        return exists(
            select(PackageExtra.package_id).where(
                PackageExtra.package_id == Package.id,
                PackageExtra.key == field[7:],
                _equals(PackageExtra.value, value, phrase),
            )
        )
    raise SearchQueryError(f"unknown field {field!r}")


def to_sql(node: Node) -> ColumnElement[bool]:
    if isinstance(node, MatchAll):
        return true()
    if isinstance(node, Term):
        return _term(node)
    if isinstance(node, Range):
        if node.field not in ("metadata_modified", "metadata_created"):
            raise SearchQueryError(
                f"ranges work on metadata_modified and metadata_created, not {node.field!r}"
            )
        return _time_range(getattr(Package, node.field), node)
    if isinstance(node, Not):
        return not_(to_sql(node.part))
    if isinstance(node, And):
        return and_(*(to_sql(p) for p in node.parts))
    if isinstance(node, Or):
        return or_(*(to_sql(p) for p in node.parts))
    return false()


def text_terms(node: Node, negated: bool = False) -> list[str]:
    """Positive free-text terms of a query, for scoring."""
    if isinstance(node, Term) and node.field in (None, "text", "title") and not negated:
        return [normalize(node.value)]
    if isinstance(node, Not):
        return text_terms(node.part, not negated)
    if isinstance(node, And | Or):
        return [t for p in node.parts for t in text_terms(p, negated)]
    return []


def score_expression(terms: list[str]) -> Any:
    """A simple relevance score: title matches count more than matches elsewhere."""
    if not terms:
        return None
    parts = []
    for term in terms:
        pattern = f"%{_like(term, wildcards=True)}%"
        parts.append(
            case((Package.search_title.like(pattern, escape="\\"), 4), else_=0)
            + case((Package.search_text.like(pattern, escape="\\"), 1), else_=0)
        )
    total = parts[0]
    for part in parts[1:]:
        total = total + part
    return total


def facet_counts(
    session: Any, matched: Select[Any], field: str, limit: int, mincount: int
) -> list[tuple[str, str, int]]:
    """(value, display name, count) for ``field`` over the matched datasets, biggest first."""
    ids = matched.subquery()
    count = func.count(func.distinct(Package.id))
    if field == "organization":
        query = (
            select(Group.name, Group.title, count)
            .join(Package, Package.owner_org == Group.id)
            .where(Package.id.in_(select(ids.c.id)))
            .group_by(Group.name, Group.title)
        )
    elif field == "groups":
        query = (
            select(Group.name, Group.title, count)
            .join(PackageGroup, PackageGroup.group_id == Group.id)
            .join(Package, Package.id == PackageGroup.package_id)
            .where(Package.id.in_(select(ids.c.id)))
            .group_by(Group.name, Group.title)
        )
    elif field == "tags":
        query = (
            select(PackageTag.tag, PackageTag.tag, func.count(func.distinct(PackageTag.package_id)))
            .where(PackageTag.package_id.in_(select(ids.c.id)))
            .group_by(PackageTag.tag)
        )
    elif field == "res_format":
        query = (
            select(Resource.format, Resource.format, func.count(func.distinct(Resource.package_id)))
            .where(
                Resource.package_id.in_(select(ids.c.id)),
                Resource.format.is_not(None),
                Resource.format != "",
            )
            .group_by(Resource.format)
        )
    elif field == "quality":
        query = (
            select(QualityReport.band, QualityReport.band, func.count())
            .where(
                QualityReport.subject_type == "dataset",
                QualityReport.subject_id.in_(select(ids.c.id)),
                QualityReport.band.is_not(None),
            )
            .group_by(QualityReport.band)
        )
    elif field in ("license_id", "type"):
        column = getattr(Package, field)
        query = (
            select(column, column, count)
            .where(Package.id.in_(select(ids.c.id)), column.is_not(None))
            .group_by(column)
        )
    else:
        return []
    rows = [(v, d or v, n) for v, d, n in session.execute(query) if n >= mincount and v is not None]
    rows.sort(key=lambda r: (-r[2], str(r[0])))
    return rows if limit < 0 else rows[:limit]
