"""Keep each resource's table in step with its file: queue a load when a tabular file arrives
or changes, drop the table when the file goes, resume unfinished loads when the node starts.

The state of every load is the ``datastore_table`` row (pending → loading → active | failed),
committed before the work starts, so a killed process loses nothing: at the next start the
pending and interrupted loads are queued again.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from renkei.catalog.context import utcnow
from renkei.datastore.load import TABULAR_FORMATS, LoadError, inspect_and_load
from renkei.ingest.inspector import EXTENSIONS
from renkei.store.tables import DatastoreTable, Resource

if TYPE_CHECKING:
    from renkei.catalog.context import Catalog

log = logging.getLogger(__name__)


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
        wanted = res.blob_key is not None and table_format(res) is not None
        if table is not None and table.source == "file" and not wanted:
            ctx.session.delete(table)
            ctx.after_commit(lambda: store.dropped(resource_id))
            return
        if not wanted or (table is not None and table.source != "file"):
            return  # no table file, or a table the publisher writes through the API
        if table is None:
            table = DatastoreTable(
                resource_id=resource_id, source="file", version=0, fields=[], modified=utcnow()
            )
            ctx.session.add(table)
        elif table.source_hash == res.hash and table.status != "loading":
            return  # this very file is loaded, queued, or failed (a retry needs a new file)
        table.status = "pending"
        table.source_hash = res.hash
        table.message = None
        submit = True
    if submit:
        store.jobs.submit(resource_id, lambda: load_resource(catalog, resource_id))


def reload(catalog: Catalog, resource_id: str) -> bool:
    """Load the resource's current file again, even if it was loaded or failed before (after a
    transient failure such as a full disk). False when the resource has no table file."""
    store = catalog.datastore
    assert store is not None
    with catalog.context() as ctx:
        res = ctx.session.get(Resource, resource_id)
        if res is None or res.blob_key is None or table_format(res) is None:
            return False
        table = ctx.session.get(DatastoreTable, resource_id)
        if table is None:
            table = DatastoreTable(
                resource_id=resource_id, source="file", version=0, fields=[], modified=utcnow()
            )
            ctx.session.add(table)
        elif table.source != "file":
            return False  # written through the API: nothing to load
        table.status = "pending"
        table.source_hash = res.hash
        table.message = None
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
    """Load the resource's current file into a new version of its table."""
    store = catalog.datastore
    assert store is not None
    with catalog.context() as ctx:
        res = ctx.session.get(Resource, resource_id)
        table = ctx.session.get(DatastoreTable, resource_id)
        if res is None or table is None or table.status != "pending" or not res.blob_key:
            return
        path = ctx.blobs.path(res.blob_key)
        filename, declared, expected = res.url, table_format(res), res.hash
        table.status = "loading"
        table.load_started = utcnow()
    staged = store.files.staging(resource_id)
    try:
        with store.engine.isolated(
            memory_limit=catalog.settings.datastore_load_memory_limit
        ) as con:
            inspection, loaded, _ = inspect_and_load(
                con, path, filename, declared, staged, catalog.settings.data_dir / "tmp"
            )
    except (LoadError, OSError, ValueError) as exc:
        staged.unlink(missing_ok=True)
        _finish_failed(catalog, resource_id, expected, str(exc))
        return
    except BaseException:
        staged.unlink(missing_ok=True)
        _finish_failed(catalog, resource_id, expected, "internal error while loading")
        raise
    problems = [_problem(p) for p in inspection.problems]
    with catalog.context() as ctx:
        res = ctx.session.get(Resource, resource_id)
        table = ctx.session.get(DatastoreTable, resource_id)
        if res is None or table is None or res.hash != expected or table.source != "file":
            staged.unlink(missing_ok=True)  # the file changed meanwhile: its own load follows
            return
        version = table.version + 1
        published = store.files.publish(staged, resource_id, version)
        ctx.on_rollback(lambda: published.unlink(missing_ok=True))
        ctx.after_commit(lambda: store.switched(resource_id, version))
        table.version = version
        table.row_ids = "file_order"
        table.fields = [f.as_dict() for f in loaded.fields]
        table.primary_key = None
        table.row_count = loaded.row_count
        table.status = "active"
        table.report = problems + loaded.problems
        table.load_finished = table.modified = utcnow()


def _problem(finding: Any) -> dict[str, Any]:
    data: dict[str, Any] = finding.model_dump(mode="json")
    return data


def _finish_failed(catalog: Catalog, resource_id: str, expected: str | None, message: str) -> None:
    with catalog.context() as ctx:
        table = ctx.session.get(DatastoreTable, resource_id)
        if table is None or table.source_hash != expected:
            return
        table.status = "failed"
        table.message = message
        table.report = None
        table.load_finished = table.modified = utcnow()
