"""Keep each resource's table in step with its file: queue a load when a tabular file arrives
or changes (an upload, or the URL of a link resource), drop the table when the file goes,
resume unfinished loads when the node starts.

The state of every load is the ``datastore_table`` row (pending → loading → active | failed),
committed before the work starts, so a killed process loses nothing: at the next start the
pending and interrupted loads are queued again. A link resource's file is fetched by the
background job, between two transactions, never while a request or a transaction waits.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from sqlalchemy import select

from renkei.catalog.context import utcnow
from renkei.datastore.load import TABULAR_FORMATS, Loaded, LoadError, inspect_and_load
from renkei.errors import RenkeiError
from renkei.ingest import Inspection
from renkei.ingest.fetch import Fetched, failure_message, fetch
from renkei.ingest.inspector import EXTENSIONS
from renkei.store.tables import DatastoreTable, Resource

if TYPE_CHECKING:
    from renkei.catalog.context import Catalog

log = logging.getLogger(__name__)

# Tables whose rows come from a file (uploaded, or fetched from a link) rather than the API.
LOADED_SOURCES = ("file", "url")


def table_format(res: Resource) -> str | None:
    """The tabular format of a resource's file, from its declared format or its name."""
    declared = (res.format or "").strip().lower()
    if declared in TABULAR_FORMATS:
        return declared
    name = (res.url or "").rsplit("?", 1)[0].lower()
    extension = name.rsplit(".", 1)[-1] if "." in name else ""
    if declared and declared != extension:
        return None  # declared as something else (a PDF named .csv is a PDF)
    return EXTENSIONS.get("." + extension)


def load_source(res: Resource) -> str | None:
    """Where the resource's table is loaded from: "file" (its upload), "url" (the file its
    http(s) link points to), or None when it has no tabular file."""
    if table_format(res) is None:
        return None
    if res.blob_key is not None:
        return "file"
    parts = urlsplit(res.url or "")
    if parts.scheme in ("http", "https") and parts.hostname:
        return "url"
    return None


def _input_key(res: Resource, source: str) -> str | None:
    """What identifies the file a load reads: the upload's hash, or the link's URL."""
    return res.hash if source == "file" else res.url


def _table_key(table: DatastoreTable) -> str | None:
    return table.source_hash if table.source == "file" else table.source_url


def _queue(table: DatastoreTable, res: Resource, source: str) -> None:
    table.source = source
    table.status = "pending"
    table.message = None
    if source == "file":
        table.source_hash = res.hash
        table.source_url = table.fetched_at = table.fetched_bytes = None
    else:
        table.source_url = res.url


def _new_table(resource_id: str, source: str) -> DatastoreTable:
    return DatastoreTable(
        resource_id=resource_id, source=source, version=0, fields=[], modified=utcnow()
    )


def resources_changed(catalog: Catalog, resource_ids: set[str]) -> None:
    for resource_id in sorted(resource_ids):
        try:
            _sync(catalog, resource_id)
        except Exception:
            log.exception("DataStore: could not follow the change of resource %s", resource_id)


def _sync(catalog: Catalog, resource_id: str) -> None:
    store = catalog.datastore
    assert store is not None
    submit = False
    with catalog.context() as ctx:
        res = ctx.session.get(Resource, resource_id)
        table = ctx.session.get(DatastoreTable, resource_id)
        if res is None:
            ctx.after_commit(lambda: store.dropped(resource_id))
            return
        source = load_source(res)
        if table is not None and table.source in LOADED_SOURCES and source is None:
            ctx.session.delete(table)
            ctx.after_commit(lambda: store.dropped(resource_id))
            return
        if source is None or (table is not None and table.source not in LOADED_SOURCES):
            return  # no table file, or a table the publisher writes through the API
        if table is None:
            table = _new_table(resource_id, source)
            ctx.session.add(table)
        elif (
            table.source == source
            and _table_key(table) == _input_key(res, source)
            and table.status != "loading"
        ):
            # This very file (or URL) is loaded, queued, or failed: a retry needs a new file,
            # a new URL, or `renkei datastore reload` (a link whose remote file changed).
            return
        _queue(table, res, source)
        submit = True
    if submit:
        store.jobs.submit(resource_id, lambda: load_resource(catalog, resource_id))


def reload(catalog: Catalog, resource_id: str) -> bool:
    """Load the resource's file again, even if it was loaded or failed before: after a
    transient failure (a full disk, a server that was down), or to fetch a link resource's file
    anew when it changed at its source. False when the resource has no table file."""
    store = catalog.datastore
    assert store is not None
    with catalog.context() as ctx:
        res = ctx.session.get(Resource, resource_id)
        source = load_source(res) if res is not None else None
        if res is None or source is None:
            return False
        table = ctx.session.get(DatastoreTable, resource_id)
        if table is None:
            table = _new_table(resource_id, source)
            ctx.session.add(table)
        elif table.source not in LOADED_SOURCES:
            return False  # written through the API: nothing to load
        _queue(table, res, source)
    store.jobs.submit(resource_id, lambda: load_resource(catalog, resource_id))
    return True


def resume(catalog: Catalog) -> int:
    """Queue the loads a previous process didn't finish; remove files of vanished tables."""
    store = catalog.datastore
    assert store is not None
    with catalog.context() as ctx:
        unfinished = list(
            ctx.session.scalars(
                select(DatastoreTable).where(DatastoreTable.status.in_(("pending", "loading")))
            )
        )
        for table in unfinished:
            table.status = "pending"
        known = set(ctx.session.scalars(select(DatastoreTable.resource_id)))
    for orphan in store.files.table_ids() - known:
        store.files.remove_all(orphan)
    for table in unfinished:
        store.files.remove_staging(table.resource_id)
        rid = table.resource_id
        store.jobs.submit(rid, lambda rid=rid: load_resource(catalog, rid))  # type: ignore[misc]
    return len(unfinished)


def load_resource(catalog: Catalog, resource_id: str) -> None:
    """Load the resource's current file (fetched first for a link) into a new version of its
    table."""
    store = catalog.datastore
    assert store is not None
    settings = catalog.settings
    with catalog.context() as ctx:
        res = ctx.session.get(Resource, resource_id)
        table = ctx.session.get(DatastoreTable, resource_id)
        if res is None or table is None or table.status != "pending":
            return
        source = load_source(res)
        if source is None or source != table.source:
            return  # the resource changed meanwhile: its own sync follows
        key = _input_key(res, source)
        path = ctx.blobs.path(res.blob_key) if res.blob_key else None
        filename, declared = res.url, table_format(res)
        table.status = "loading"
        table.load_started = utcnow()
    tmp_dir = settings.data_dir / "tmp"
    staged = store.files.staging(resource_id)
    fetched: Fetched | None = None
    try:
        if source == "url":
            fetched = fetch(
                key or "",
                tmp_dir,
                max_bytes=settings.datastore_fetch_max_bytes,
                timeout=settings.datastore_fetch_timeout,
                allow_private=settings.fetch_allow_private,
            )
            path, filename = fetched.path, fetched.filename
        assert path is not None

        def serve_early(inspection: Inspection, early: Loaded) -> Path | None:
            # A sampled large file: the rows serve now, the whole-file report follows.
            problems = [_problem(p) for p in inspection.problems] + early.problems
            at = _publish(catalog, resource_id, source, key, staged, early,
                          [*problems, REPORT_PENDING], fetched)  # fmt: skip
            if at is not None:
                published.append(at)
            return at[1] if at is not None else None

        published: list[tuple[int, Path]] = []
        with store.engine.isolated(memory_limit=settings.datastore_load_memory_limit) as con:
            inspection, loaded, _ = inspect_and_load(
                con,
                path,
                filename,
                declared,
                staged,
                tmp_dir,
                sample_above=settings.datastore_sample_above_bytes,
                on_loaded=serve_early,
            )
    except RenkeiError as exc:  # the fetch failed: refused, HTTP error, too large, timeout
        staged.unlink(missing_ok=True)
        _finish_failed(catalog, resource_id, source, key, failure_message(exc), fetched)
        return
    except (LoadError, OSError, ValueError) as exc:
        staged.unlink(missing_ok=True)
        _finish_failed(catalog, resource_id, source, key, str(exc), fetched)
        return
    except BaseException:
        staged.unlink(missing_ok=True)
        _finish_failed(catalog, resource_id, source, key, "internal error while loading", fetched)
        raise
    finally:
        if fetched is not None:
            fetched.path.unlink(missing_ok=True)
    problems = [_problem(p) for p in inspection.problems] + loaded.problems
    if published:
        _complete_report(catalog, resource_id, published[0][0], problems)
    else:
        _publish(catalog, resource_id, source, key, staged, loaded, problems, fetched)


# Shown in a sampled large file's report while the whole file is being scanned.
REPORT_PENDING = {
    "rule": "datastore.report.pending",
    "severity": "info",
    "location": {"row": None, "column": None, "column_name": None},
    "message": "The table is loaded; the whole file is still being checked for ragged rows "
    "and values that don't convert. The full list replaces this note.",
    "message_ja": "テーブルは読み込み済みです。ファイル全体の行の列数と値の変換を確認中で、"
    "終わりしだい一覧がこの注記に代わります。",
}


def _publish(
    catalog: Catalog,
    resource_id: str,
    source: str,
    key: str | None,
    staged: Path,
    loaded: Loaded,
    problems: list[dict[str, Any]],
    fetched: Fetched | None,
) -> tuple[int, Path] | None:
    """Make the staged table file the resource's new version: (version, its file), or None
    when the resource changed meanwhile (its own load follows)."""
    store = catalog.datastore
    assert store is not None
    with catalog.context() as ctx:
        res = ctx.session.get(Resource, resource_id)
        table = ctx.session.get(DatastoreTable, resource_id)
        if (
            res is None
            or table is None
            or table.source != source
            or _input_key(res, source) != key
            or _table_key(table) != key
        ):
            staged.unlink(missing_ok=True)  # the file changed meanwhile: its own load follows
            return None
        version = table.version + 1
        published = store.files.publish(staged, resource_id, version)
        ctx.on_rollback(lambda: published.unlink(missing_ok=True))
        ctx.after_commit(lambda: store.switched(resource_id, version))
        table.version = version
        table.row_ids = "file_order"
        table.fields = [f.as_dict() for f in loaded.fields]
        table.primary_key = None
        table.row_count = loaded.row_count
        table.status = "pending" if _fetch_again(table) else "active"
        table.message = None
        table.report = problems
        _record_fetch(table, fetched)
        table.load_finished = table.modified = utcnow()
    return version, published


def _complete_report(
    catalog: Catalog, resource_id: str, version: int, problems: list[dict[str, Any]]
) -> None:
    """The whole-file scan's problems replace the early report, if the version still serves."""
    with catalog.context() as ctx:
        table = ctx.session.get(DatastoreTable, resource_id)
        if table is not None and table.version == version:
            table.report = problems
            table.modified = utcnow()


def _problem(finding: Any) -> dict[str, Any]:
    data: dict[str, Any] = finding.model_dump(mode="json")
    return data


def _record_fetch(table: DatastoreTable, fetched: Fetched | None) -> None:
    """What was fetched for a link's table: so its status tells which bytes the rows are."""
    if fetched is None:
        return
    table.source_hash = fetched.sha256
    table.fetched_bytes = fetched.size
    table.fetched_at = utcnow()


def _fetch_again(table: DatastoreTable) -> bool:
    """A reload of a link was asked for while this load ran (status back to pending): the
    queued job fetches again after it. (An upload's same hash is the same bytes: no need.)"""
    return table.source == "url" and table.status == "pending"


def _finish_failed(
    catalog: Catalog,
    resource_id: str,
    source: str,
    key: str | None,
    message: str,
    fetched: Fetched | None = None,
) -> None:
    with catalog.context() as ctx:
        table = ctx.session.get(DatastoreTable, resource_id)
        if table is None or table.source != source or _table_key(table) != key:
            return
        table.status = "pending" if _fetch_again(table) else "failed"
        table.message = message
        table.report = None
        _record_fetch(table, fetched)
        table.load_finished = table.modified = utcnow()


def fetch_status(table: DatastoreTable) -> dict[str, Any] | None:
    """What was fetched last for a link resource's table (None for other tables)."""
    if table.source != "url":
        return None
    return {
        "url": table.source_url,
        "sha256": table.source_hash if table.fetched_at else None,
        "bytes": table.fetched_bytes,
        "at": table.fetched_at.isoformat() if table.fetched_at else None,
    }
