"""The ``tantivy`` search backend: an embedded BM25 inverted index in ``data_dir/search``.

Text analysis (see docs/search.md for the measurements behind it):
- every text is normalised first (NFKC + case folding, ``renkei.search.text``);
- ``*_uni`` and ``*_bi`` fields hold the characters and the overlapping character bigrams of
  the non-Latin text (kanji, kana), so any Japanese word is found without a dictionary: one
  character (駅) by its unigram, longer words (避難, 指定緊急避難場所) as a phrase of their
  bigrams, which matches exactly where those characters stand together;
- ``*_en`` fields hold Latin-script words, matched with light English stemming done at query
  time (population finds populations, shelters finds shelter, cities finds city);
- every text also goes to the combined ``all_*`` fields, where free-text terms are matched and
  counted; title and tags/organization matches add score bonuses (tantivy_query.BONUS).

Consistency: changes reach the index through the search outbox (``renkei.search.index``),
applied right after each commit under a lock, each batch in one index commit; the outbox rows
are removed only after the index commit, so a crash anywhere re-applies rather than loses.
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import tantivy
from sqlalchemy import delete, func, select

from renkei.quality import mqa
from renkei.search.backend import Cursor, DriftReport, SearchHits, SearchRequest
from renkei.search.facet_cache import FacetCache, Facets, Question
from renkei.search.tantivy_query import QueryBuilder, _en
from renkei.search.text import bigram_text, cjk_runs, micros, normalize, unigram_text
from renkei.store.tables import (
    Group,
    Package,
    PackageExtra,
    PackageGroup,
    PackageTag,
    QualityReport,
    Resource,
    SearchOutbox,
)

if TYPE_CHECKING:
    from renkei.catalog.context import Catalog, Context

log = logging.getLogger(__name__)

SCHEMA_VERSION = "8"
# "all" holds every searchable text of the dataset: free-text terms are matched and counted
# there (one posting list per gram instead of one per field); "title" and "keys" (tags and
# organization) only add to the score of what "all" matched; "notes" serves notes:… queries.
TEXT_FIELDS = ("title", "keys", "notes", "all")
RAW_FIELDS = ("organization", "owner_org", "groups", "tags_raw", "res_format", "res_format_lc",
              "license_id", "type", "extras", "quality")  # fmt: skip
FACET_FIELD = {
    "organization": "organization",
    "groups": "groups",
    "tags": "tags_raw",
    "res_format": "res_format",
    "license_id": "license_id",
    "type": "type",
    "quality": "quality",
}
SORT_FIELD = {
    "metadata_modified": "modified",
    "metadata_created": "created",
    "name": "name",
    "title_string": "title_sort",
}
# Extras that hold data rather than words: a GeoJSON polygon would make "polygon" match all.
UNSEARCHED_EXTRAS = frozenset({"spatial"})
BATCH = 2000
FACET_CACHE_SIZE = 512
FACET_WORKERS = 2  # threads counting facets beside the requests' own threads
WRITER_HEAP = 64_000_000
REINDEX_HEAP = 512_000_000
# How much the quality score weighs on relevance: the "boost" field holds
# QUALITY_BOOST x (MQA total / 405), and tantivy multiplies BM25 by log2(2 + boost): from 1
# (unscored, or 0 points) to log2(2.5) = 1.32 (405 points). A nudge among similar matches,
# not a reordering of unrelated ones.
QUALITY_BOOST = 0.5
MQA_MAX = mqa.MAX_POINTS


def build_schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw", fast=True)
    for name in TEXT_FIELDS:
        builder.add_text_field(f"{name}_uni", tokenizer_name="whitespace", index_option="freq")
        builder.add_text_field(f"{name}_bi", tokenizer_name="whitespace", index_option="position")
        builder.add_text_field(f"{name}_en", tokenizer_name="en_stem", index_option="position")
    builder.add_text_field("name", tokenizer_name="raw", fast=True)
    builder.add_text_field("title_sort", tokenizer_name="raw", fast=True)
    for name in RAW_FIELDS:
        builder.add_text_field(name, tokenizer_name="raw", fast=True)
    builder.add_boolean_field("private", indexed=True, fast=True)
    # Times as integer microseconds since 1970 (UTC): exact, unlike second-precision dates.
    for name in ("modified", "created", "tstart", "tend"):
        builder.add_integer_field(name, indexed=True, fast=True)
    for name in ("west", "south", "east", "north"):
        builder.add_float_field(name, indexed=True, fast=True)
    builder.add_float_field("boost", fast=True)
    return builder.build()


def english_analyzer() -> tantivy.TextAnalyzer:
    # No stemmer here: Snowball turns acronyms into other words (AED -> "a"). Plurals are
    # handled at query time instead (renkei.search.tantivy_query.word_variants).
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.lowercase())
        .build()
    )


def whitespace_analyzer() -> tantivy.TextAnalyzer:
    # The grams are made in Python (renkei.search.text); here they are only split, in order.
    return tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build()


class TantivySearch:
    name = "tantivy"

    def __init__(self, index_dir: Path) -> None:
        self.dir = Path(index_dir)
        self.schema = build_schema()
        self.fresh = self._prepare_dir()
        self.index = tantivy.Index(self.schema, path=str(self.dir), reuse=True)
        self.index.register_tokenizer("whitespace", whitespace_analyzer())
        self.index.register_tokenizer("en_stem", english_analyzer())
        self.queries = QueryBuilder(self.schema, english_analyzer())
        self._lock = threading.Lock()
        self.facet_cache = FacetCache(FACET_CACHE_SIZE)

    def _prepare_dir(self) -> bool:
        """Create the index dir; start afresh if it holds another schema version."""
        marker = self.dir / "RENKEI_SCHEMA"
        if self.dir.is_dir() and marker.is_file() and marker.read_text().strip() == SCHEMA_VERSION:
            return False
        if self.dir.exists():
            log.warning("search index at %s has another schema: rebuilding it", self.dir)
            shutil.rmtree(self.dir)
        self.dir.mkdir(parents=True)
        marker.write_text(SCHEMA_VERSION)
        return True

    # -- writing -------------------------------------------------------------------------

    def _writer(self, heap: int = WRITER_HEAP, threads: int = 1, wait: float = 60.0) -> Any:
        deadline = time.monotonic() + wait
        while True:
            try:
                return self.index.writer(heap, threads)
            except ValueError as exc:  # another process holds the index lock
                if "LockBusy" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def apply_pending(self, catalog: Catalog) -> None:
        applied = False
        with self._lock:
            while True:
                with catalog.sessions() as session:
                    rows = session.execute(
                        select(SearchOutbox.id, SearchOutbox.package_id)
                        .order_by(SearchOutbox.id)
                        .limit(BATCH)
                    ).all()
                    if not rows:
                        break
                    package_ids = list(dict.fromkeys(pid for _, pid in rows))
                    documents = list(self._documents(session, package_ids))
                writer = self._writer()
                try:
                    for pid in package_ids:
                        writer.delete_documents_by_term("id", pid)
                    for document in documents:
                        writer.add_document(document)
                    writer.commit()
                finally:
                    writer.wait_merging_threads()
                with catalog.sessions() as session, session.begin():
                    session.execute(delete(SearchOutbox).where(SearchOutbox.id <= rows[-1][0]))
                applied = True
            self.index.reload()
        if applied:
            self.facet_cache.recount_after_change(self._version, self._searcher, self._count)

    def reindex(self, catalog: Catalog, progress: Callable[[int, int], None] | None = None) -> int:
        """Rebuild the whole index from the database in one index commit.

        Searches keep using the old index until the new one is committed.
        """
        with self._lock:
            with catalog.sessions() as session:
                queued_before = session.scalar(select(func.max(SearchOutbox.id))) or 0
                total = (
                    session.scalar(
                        select(func.count()).select_from(Package).where(Package.state == "active")
                    )
                    or 0
                )
                writer = self._writer(REINDEX_HEAP, 2)
                done = 0
                try:
                    writer.delete_all_documents()
                    for document in self._all_documents(session):
                        writer.add_document(document)
                        done += 1
                        if progress and done % 5000 == 0:
                            progress(done, total)
                    writer.commit()
                finally:
                    writer.wait_merging_threads()
            if progress:
                progress(done, total)
            with catalog.sessions() as session, session.begin():
                session.execute(delete(SearchOutbox).where(SearchOutbox.id <= queued_before))
            self.index.reload()
        self.apply_pending(catalog)  # whatever changed while the rebuild ran
        return done

    def _all_documents(self, session: Any) -> Iterable[tantivy.Document]:
        """Every active dataset, read as six ordered streams merged on the dataset id: a few
        sequential scans instead of thousands of lookups."""
        orgs = {g.id: g for g in session.scalars(select(Group))}
        group_names = {g.id: g.name for g in orgs.values()}

        def stream(statement: Any) -> Any:
            return _Merge(session.execute(statement.execution_options(yield_per=10_000)))

        tags = stream(select(PackageTag.package_id, PackageTag.tag).order_by(PackageTag.package_id))
        extras = stream(
            select(PackageExtra.package_id, PackageExtra.key, PackageExtra.value).order_by(
                PackageExtra.package_id
            )
        )
        resources = stream(
            select(
                Resource.package_id, Resource.name, Resource.description, Resource.format
            ).order_by(Resource.package_id, Resource.position)
        )
        groups = stream(
            select(PackageGroup.package_id, PackageGroup.group_id).order_by(PackageGroup.package_id)
        )
        quality = stream(_quality_totals().order_by(QualityReport.package_id))
        packages = session.scalars(
            select(Package)
            .where(Package.state == "active")
            .order_by(Package.id)
            .execution_options(yield_per=2_000)
        )
        for pkg in packages:
            yield self._document(
                pkg,
                [tag for _, tag in tags.take(pkg.id)],
                [(key, value) for _, key, value in extras.take(pkg.id)],
                [(name, desc, fmt) for _, name, desc, fmt in resources.take(pkg.id)],
                [group_names.get(gid, gid) for _, gid in groups.take(pkg.id)],
                orgs.get(pkg.owner_org or ""),
                next((total for _, total in quality.take(pkg.id)), None),
            )
            session.expunge(pkg)

    def _documents(self, session: Any, package_ids: list[str]) -> Iterable[tantivy.Document]:
        """Index documents for the active datasets among ``package_ids`` (batch queries)."""
        packages = list(
            session.scalars(
                select(Package).where(Package.id.in_(package_ids), Package.state == "active")
            )
        )
        if not packages:
            return
        ids = [p.id for p in packages]
        tags: dict[str, list[str]] = defaultdict(list)
        for pid, tag in session.execute(
            select(PackageTag.package_id, PackageTag.tag).where(PackageTag.package_id.in_(ids))
        ):
            tags[pid].append(tag)
        extras: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for pid, key, value in session.execute(
            select(PackageExtra.package_id, PackageExtra.key, PackageExtra.value).where(
                PackageExtra.package_id.in_(ids)
            )
        ):
            extras[pid].append((key, value))
        resources: dict[str, list[tuple[str | None, str | None, str | None]]] = defaultdict(list)
        for pid, name, description, fmt in session.execute(
            select(Resource.package_id, Resource.name, Resource.description, Resource.format)
            .where(Resource.package_id.in_(ids))
            .order_by(Resource.position)
        ):
            resources[pid].append((name, description, fmt))
        groups: dict[str, list[str]] = defaultdict(list)
        for pid, gname in session.execute(
            select(PackageGroup.package_id, Group.name)
            .join(Group, Group.id == PackageGroup.group_id)
            .where(PackageGroup.package_id.in_(ids))
        ):
            groups[pid].append(gname)
        org_ids = {p.owner_org for p in packages if p.owner_org}
        orgs = {g.id: g for g in session.scalars(select(Group).where(Group.id.in_(org_ids)))}
        quality = dict(
            session.execute(_quality_totals().where(QualityReport.package_id.in_(ids))).all()
        )
        for pkg in packages:
            yield self._document(
                pkg, tags[pkg.id], extras[pkg.id], resources[pkg.id], groups[pkg.id],
                orgs.get(pkg.owner_org or ""), quality.get(pkg.id),
            )  # fmt: skip

    def _document(
        self,
        pkg: Package,
        tags: list[str],
        extras: list[tuple[str, str]],
        resources: list[tuple[str | None, str | None, str | None]],
        groups: list[str],
        org: Group | None,
        quality_total: float | None = None,
    ) -> tantivy.Document:
        doc = tantivy.Document()
        doc.add_text("id", pkg.id)
        texts = {
            "title": [pkg.title, pkg.name.replace("-", " ").replace("_", " "),
                      *(pkg.title_translated or {}).values()],
            "keys": [*tags, *([org.title, org.name, *(org.title_translated or {}).values()]
                             if org else [])],
            "notes": [pkg.notes, *(pkg.notes_translated or {}).values()],
            "rest": [*(part for row in resources for part in row), pkg.author, pkg.maintainer,
                     pkg.version, pkg.url,
                     *(value for key, value in extras if key not in UNSEARCHED_EXTRAS)],
        }  # fmt: skip
        for name, values in texts.items():
            for value in values:
                text = normalize(value)
                if not text:
                    continue
                english = _en(text)
                runs = cjk_runs(text) if not text.isascii() else []
                unigrams, bigrams = unigram_text(runs), bigram_text(runs)
                for field in (name, "all") if name != "rest" else ("all",):
                    doc.add_text(f"{field}_en", english)
                    if runs:
                        doc.add_text(f"{field}_uni", unigrams)
                        doc.add_text(f"{field}_bi", bigrams)
        doc.add_text("name", pkg.name)
        doc.add_text("title_sort", normalize(pkg.title or pkg.name))
        if org is not None:
            doc.add_text("organization", org.name)
            doc.add_text("owner_org", org.id)
        for tag in dict.fromkeys(tags):
            doc.add_text("tags_raw", tag)
        for gname in dict.fromkeys(groups):
            doc.add_text("groups", gname)
        formats = dict.fromkeys(f.strip() for _, _, f in resources if f and f.strip())
        for fmt in formats:
            doc.add_text("res_format", fmt)
        for fmt in dict.fromkeys(f.lower() for f in formats):
            doc.add_text("res_format_lc", fmt)
        if pkg.license_id:
            doc.add_text("license_id", pkg.license_id)
        doc.add_text("type", pkg.type)
        for key, value in extras:
            doc.add_text("extras", f"{key}={value}")
        doc.add_boolean("private", bool(pkg.private))
        doc.add_integer("modified", micros(pkg.metadata_modified))
        doc.add_integer("created", micros(pkg.metadata_created))
        if pkg.temporal_start is not None:
            doc.add_integer("tstart", micros(pkg.temporal_start))
        if pkg.temporal_end is not None:
            doc.add_integer("tend", micros(pkg.temporal_end))
        if pkg.bbox_west is not None:
            doc.add_float("west", pkg.bbox_west)
            doc.add_float("south", pkg.bbox_south or 0.0)
            doc.add_float("east", pkg.bbox_east or 0.0)
            doc.add_float("north", pkg.bbox_north or 0.0)
        doc.add_float("boost", QUALITY_BOOST * max(0.0, quality_total or 0.0) / MQA_MAX)
        if quality_total is not None:
            doc.add_text("quality", mqa.band(quality_total))  # the rating, for facets and fq
        return doc

    # -- reading -------------------------------------------------------------------------

    def search(self, ctx: Context, request: SearchRequest) -> SearchHits:
        if ctx.session.scalar(select(SearchOutbox.id).limit(1)) is not None and self._lock.acquire(
            blocking=False
        ):
            # Changes committed elsewhere (another process, a crash) are applied before reading.
            self._lock.release()
            self.apply_pending(_catalog_of(ctx))
        self.index.reload()
        searcher = self.index.searcher()
        query = self.queries.request_query(request)
        wanted = [f for f in request.facet_fields if f in FACET_FIELD]
        # Facets are counted on a second core while this thread ranks the page: tantivy lets
        # go of the GIL, so a broad query costs the longer of the two, not their sum.
        counting = self._facets(searcher, query, request, wanted) if wanted else None
        first_field, descending = request.sort[0] if request.sort else ("score", True)
        order = tantivy.Order.Desc if descending else tantivy.Order.Asc
        limit = max(request.rows, 1)  # tantivy needs a positive limit; rows=0 keeps no hit
        if first_field == "score":
            result = searcher.search(
                query, limit, count=True, offset=request.start, weight_by_field="boost"
            )
        else:
            page_query = query
            if request.cursor is not None:
                page_query = self.queries.after_cursor(query, request.cursor, SORT_FIELD)
            result = searcher.search(
                page_query,
                limit,
                count=True,
                order_by_field=SORT_FIELD[first_field],
                offset=0 if request.cursor else request.start,
                order=order,
            )
        hits = result.hits[: request.rows]
        ids = [searcher.doc(address)["id"][0] for _, address in hits]
        count = result.count if request.cursor is None else searcher.search(query, 1).count
        next_cursor = None
        if request.want_cursor and first_field != "score" and len(ids) == request.rows:
            last = hits[-1][0]
            seen = [pid for (key, _), pid in zip(hits, ids, strict=True) if key == last]
            if request.cursor is not None and request.cursor.value == last:
                seen = list(request.cursor.seen) + seen
            next_cursor = Cursor(first_field, descending, last, tuple(seen))

        def facets() -> dict[str, list[tuple[str, int]]]:
            counted = dict(counting.result()) if counting else {}
            return {f: counted.get(f, []) for f in request.facet_fields}

        return SearchHits(count, ids, {}, next_cursor, pending_facets=facets)

    def _facets(
        self, searcher: Any, query: Any, request: SearchRequest, wanted: list[str]
    ) -> Future[Facets]:
        """Facet counts, remembered until the index next changes (``renkei.search.facet_cache``),
        else counted in a worker thread."""
        size = request.facet_limit if request.facet_limit >= 0 else 100_000
        key = repr((request.query, request.filters, request.visibility, request.bbox,
                    request.temporal, wanted, size, request.facet_mincount))  # fmt: skip
        spec = {
            f: {
                "terms": {
                    "field": FACET_FIELD[f],
                    "size": max(size, 1),
                    "min_doc_count": max(request.facet_mincount, 1),
                }
            }
            for f in wanted
        }
        question = Question(key, query, spec, size)
        version = self._version()
        cached = self.facet_cache.get(version, question)
        if cached is not None:
            done: Future[Facets] = Future()
            done.set_result(cached)
            return done

        def count() -> Facets:
            facets = self._count(searcher, question)
            self.facet_cache.put(version, question, facets)
            return facets

        return _facet_workers().submit(count)

    @staticmethod
    def _count(searcher: Any, question: Question) -> Facets:
        aggregated = searcher.aggregate(question.query, question.spec)
        facets: Facets = {}
        for f in question.spec:
            buckets = aggregated.get(f, {}).get("buckets", [])
            pairs = sorted(
                ((b["key"], b["doc_count"]) for b in buckets), key=lambda p: (-p[1], p[0])
            )
            facets[f] = pairs[: question.size] if question.size else []
        return facets

    def _searcher(self) -> Any:
        self.index.reload()
        return self.index.searcher()

    def _version(self) -> tuple[int, int]:
        """Changes whenever any process commits to the index (tantivy rewrites meta.json)."""
        try:
            stat = (self.dir / "meta.json").stat()
        except FileNotFoundError:
            return (0, 0)
        return (stat.st_mtime_ns, stat.st_ino)

    def check(self, catalog: Catalog) -> DriftReport:
        """Compare the index with the database: missing, stale and extra datasets."""
        self.index.reload()
        searcher = self.index.searcher()
        total = searcher.num_docs
        result = searcher.search(tantivy.Query.all_query(), max(total, 1), count=False,
                                 order_by_field="modified")  # fmt: skip
        indexed: dict[str, int] = {}
        for key, address in result.hits:
            indexed[searcher.doc(address)["id"][0]] = key
        with catalog.sessions() as session:
            pending = session.scalar(select(func.count()).select_from(SearchOutbox)) or 0
            database = {
                pid: micros(modified)
                for pid, modified in session.execute(
                    select(Package.id, Package.metadata_modified).where(Package.state == "active")
                )
            }
        missing = sorted(set(database) - set(indexed))
        extra = sorted(set(indexed) - set(database))
        stale = sorted(pid for pid in set(database) & set(indexed) if database[pid] != indexed[pid])
        return DriftReport(missing=missing, stale=stale, extra=extra, pending=pending)

    def ensure_built(self, catalog: Catalog) -> None:
        """At start: build a new index from the database, or apply what is queued."""
        if self.fresh:
            with catalog.sessions() as session:
                has_data = session.scalar(select(Package.id).limit(1)) is not None
            if has_data:
                log.warning("building the search index from the database")
                self.reindex(catalog)
            self.fresh = False
        self.apply_pending(catalog)


@cache
def _facet_workers() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=FACET_WORKERS, thread_name_prefix="renkei-facets")


def _quality_totals() -> Any:
    """(package id, MQA total) of the scored datasets."""
    return select(QualityReport.package_id, QualityReport.total).where(
        QualityReport.subject_type == "dataset"
    )


class _Merge:
    """Rows ordered by dataset id, taken a dataset at a time as the main stream advances."""

    def __init__(self, rows: Any) -> None:
        self.rows = iter(rows)
        self.head = next(self.rows, None)

    def take(self, package_id: str) -> list[Any]:
        taken = []
        while self.head is not None and self.head[0] < package_id:
            self.head = next(self.rows, None)  # rows of datasets that are not active
        while self.head is not None and self.head[0] == package_id:
            taken.append(self.head)
            self.head = next(self.rows, None)
        return taken


def _catalog_of(ctx: Context) -> Catalog:
    catalog = ctx.catalog
    assert catalog is not None
    return catalog
