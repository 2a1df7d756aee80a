"""The search port: what ``package_search`` asks of a backend, and how a backend is chosen.

Backends (``RENKEI_SEARCH``):
- ``tantivy`` (default): an embedded inverted index (tantivy, BM25) in the data dir, built for
  catalogs of millions of datasets on one machine.
- ``sql``: portable SQL over the metadata database (substring matching); no extra files, and
  any number of processes may share it. Right for small catalogs.
Both take the same ``SearchRequest`` and must give the same matches for it; relevance order may
differ. The test suite runs against both.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from renkei.errors import ValidationError
from renkei.search.extent import BBox
from renkei.search.query import Node

if TYPE_CHECKING:
    from collections.abc import Callable

    from renkei.catalog.context import Catalog, Context

CURSOR_SORTS = ("metadata_modified", "metadata_created")


@dataclass(frozen=True)
class Visibility:
    """Which datasets the caller may see: all (sysadmin), public ones, or also some orgs'."""

    everything: bool
    member_orgs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Cursor:
    """Where a page ended: the sort value of its last dataset and the ids already returned
    with that same value (so ties are neither repeated nor skipped)."""

    field: str
    descending: bool
    value: Any
    seen: tuple[str, ...]

    def encode(self) -> str:
        raw = json.dumps([self.field, self.descending, self.value, list(self.seen)])
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @staticmethod
    def decode(token: str) -> Cursor:
        try:
            padded = token + "=" * (-len(token) % 4)
            field_name, descending, value, seen = json.loads(base64.urlsafe_b64decode(padded))
            if field_name not in CURSOR_SORTS or not isinstance(seen, list):
                raise ValueError
            return Cursor(field_name, bool(descending), value, tuple(str(s) for s in seen))
        except (ValueError, TypeError, json.JSONDecodeError):
            raise ValidationError(
                {"cursor": ["Not a cursor from this node: pass next_cursor back unchanged"]}
            ) from None


@dataclass
class SearchRequest:
    query: Node
    filters: list[Node]
    visibility: Visibility
    sort: list[tuple[str, bool]]  # (field, descending); field "score" for relevance
    rows: int
    start: int = 0
    bbox: BBox | None = None
    temporal: tuple[datetime | None, datetime | None] | None = None
    cursor: Cursor | None = None
    want_cursor: bool = False
    facet_fields: list[str] = field(default_factory=list)
    facet_limit: int = 50
    facet_mincount: int = 1


@dataclass
class SearchHits:
    count: int
    ids: list[str]
    facets: dict[str, list[tuple[str, int]]]
    next_cursor: Cursor | None = None
    #: facets still being counted on another thread (tantivy): ``facet_counts`` waits for them,
    #: so the caller can read the page's datasets meanwhile
    pending_facets: Callable[[], dict[str, list[tuple[str, int]]]] | None = None

    def facet_counts(self) -> dict[str, list[tuple[str, int]]]:
        if self.pending_facets is not None:
            self.facets, self.pending_facets = self.pending_facets(), None
        return self.facets


@dataclass
class DriftReport:
    missing: list[str]  # active datasets absent from the index
    stale: list[str]  # indexed with an older version
    extra: list[str]  # in the index but not (or no longer active) in the database
    pending: int  # changes queued but not yet applied

    @property
    def clean(self) -> bool:
        return not (self.missing or self.stale or self.extra or self.pending)


class SearchBackend(Protocol):
    name: str

    def search(self, ctx: Context, request: SearchRequest) -> SearchHits: ...

    def apply_pending(self, catalog: Catalog) -> None: ...

    def reindex(
        self, catalog: Catalog, progress: Callable[[int, int], None] | None = None
    ) -> int: ...

    def check(self, catalog: Catalog) -> DriftReport: ...

    def ensure_built(self, catalog: Catalog) -> None: ...


def make_backend(name: str, index_dir: Any) -> SearchBackend:
    if name == "sql":
        from renkei.search.sql_backend import SqlSearch

        return SqlSearch()
    if name == "tantivy":
        from renkei.search.tantivy_backend import TantivySearch

        return TantivySearch(index_dir)
    raise ValueError(f"Unknown search backend {name!r}: use 'tantivy' or 'sql'")
