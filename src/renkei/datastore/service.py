"""The DataStore actions of CKAN's Action API: create, upsert, delete, info, search, search_sql.

A table belongs to a resource; reading it needs the right to read the resource's dataset,
changing it the right to edit that dataset. A table the caller may not read answers exactly
like a missing one. Writes build a complete new table file inside the call's transaction
and switch to it when the transaction commits; a failed call leaves the previous version.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from renkei.catalog import resources
from renkei.catalog.context import Context, utcnow
from renkei.datastore.engine import new_table_file
from renkei.datastore.query import (
    RECORDS_FORMATS,
    _json_param,
    count_sql,
    plan_search,
    render_records,
    select_sql,
)
from renkei.datastore.store import DataStore
from renkei.datastore.sync import fetch_status
from renkei.datastore.types import STORAGE, require_type
from renkei.datastore.write import (
    ROW_ID,
    Field,
    apply_records,
    fields_from_json,
    load_current,
    stage_records,
    write_current,
)
from renkei.errors import NotFound, ValidationError
from renkei.model.params import as_bool
from renkei.store.tables import DatastoreTable, Resource

MAX_FIELD_NAME = 63  # PostgreSQL's identifier limit, which CKAN's clients expect


def datastore_of(ctx: Context) -> DataStore:
    assert ctx.catalog is not None and ctx.catalog.datastore is not None
    return ctx.catalog.datastore


def _resource_id(data: dict[str, Any]) -> Any:
    return data.get("resource_id") or data.get("id")


def _missing(ref: Any) -> NotFound:
    return NotFound(f'Resource "{ref}" was not found in the DataStore.')


def _resource(
    ctx: Context, ref: Any, find: Callable[[Context, Any], tuple[Resource, Any]]
) -> Resource:
    """The resource through ``find`` (readable or editable); absent ones look like tables
    that don't exist, so nothing about a private resource is confirmed."""
    if not ref:
        raise ValidationError({"resource_id": ["Missing value"]})
    try:
        res, _ = find(ctx, ref)
    except NotFound:
        raise _missing(ref) from None
    return res


def readable_table(ctx: Context, ref: Any) -> tuple[DatastoreTable, Resource]:
    """The resource's table, if the caller may read the resource and the table has data."""
    res = _resource(ctx, ref, resources.readable_resource)
    table = ctx.session.get(DatastoreTable, res.id)
    if table is None or table.version == 0:
        raise _missing(ref)
    return table, res


def _editable_table(
    ctx: Context, ref: Any, *, force: bool, create: bool = False
) -> tuple[DatastoreTable | None, Resource]:
    res = _resource(ctx, ref, resources.editable_resource)
    table = ctx.session.get(DatastoreTable, res.id)
    if table is None and not create:
        raise _missing(ref)
    if table is not None and table.source == "url" and create:
        # datastore_create on a link resource is CKAN's usual way to fill its table from a
        # script: the table becomes the publisher's, and the link is no longer loaded into it
        # (a fetch under way is discarded when it finishes).
        table.source = "api"
        table.status = "active"
        table.message = None
    if table is not None and table.source != "api" and not force:
        raise ValidationError(
            {
                "read-only": [
                    "This table is loaded from the resource's file and is replaced at the next "
                    "load; change the file, or pass force=true to write anyway"
                ]
            }
        )
    return table, res


def _parse_fields(raw: Any) -> list[Field]:
    raw = _json_param(raw, "fields")
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise ValidationError({"fields": ["must be a list of {id, type}"]})
    parsed: list[Field] = []
    seen: set[str] = set()
    for position, item in enumerate(raw):
        where = f"field {position + 1}"
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            raise ValidationError({"fields": [f"{where}: needs an 'id' (text)"]})
        name = item["id"]
        problem = _field_name_problem(name)
        if problem:
            raise ValidationError({"fields": [f"{where} ({name!r}): {problem}"]})
        if name in seen:
            raise ValidationError({"fields": [f"{where}: {name!r} appears twice"]})
        seen.add(name)
        info = item.get("info")
        if info is not None and not isinstance(info, dict):
            raise ValidationError({"fields": [f"{where}: 'info' must be an object"]})
        parsed.append(Field(name, require_type(item.get("type"), where), info))
    return parsed


def _field_name_problem(name: str) -> str | None:
    if not name.strip():
        return "a field name can't be empty"
    if name.startswith("_"):
        return "names starting with '_' are reserved"
    if len(name) > MAX_FIELD_NAME:
        return f"longer than {MAX_FIELD_NAME} characters"
    if any(ord(c) < 32 for c in name):
        return "contains control characters"
    return None


def _merge_fields(current: list[Field], given: list[Field]) -> list[Field]:
    merged = list(current)
    known = {f.id: f for f in current}
    for field in given:
        existing = known.get(field.id)
        if existing is None:
            merged.append(field)
        elif existing.type != field.type:
            raise ValidationError(
                {"fields": [f"{field.id!r} is {existing.type}; it can't become {field.type}"]}
            )
        elif field.info is not None:
            merged[merged.index(existing)] = Field(existing.id, existing.type, field.info)
    return merged


def _primary_key(raw: Any, fields: list[Field]) -> list[str]:
    raw = _json_param(raw, "primary_key")
    if raw in (None, "", []):
        return []
    names = [n.strip() for n in raw.split(",")] if isinstance(raw, str) else raw
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise ValidationError({"primary_key": ["must be a field name or a list of them"]})
    known = {f.id for f in fields}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValidationError({"primary_key": [f"field {unknown[0]!r} not in table"]})
    return names


def _write_version(
    ctx: Context,
    table: DatastoreTable,
    fields: list[Field],
    primary_key: list[str],
    records: Any,
    method: str,
    *,
    delete_filters: dict[str, Any] | None = None,
    dry_run: bool = False,
) -> None:
    """Build the next version of ``table`` and switch to it when the transaction commits."""
    store = datastore_of(ctx)
    current = table_sql(ctx, table) if table.version else None
    staged = store.files.staging(table.resource_id)
    try:
        with store.engine.cursor() as con:
            load_current(con, fields, current)
            if records:
                stage_records(con, fields, records)
                apply_records(con, fields, primary_key, method)
            if delete_filters is not None:
                plan = plan_search(fields, {"filters": delete_filters}, 1)
                con.execute(f"DELETE FROM cur WHERE {plan.where}", plan.params)
            if dry_run:
                return
            with new_table_file(con, staged) as target:
                row_count = write_current(con, target)
    finally:
        if dry_run:
            staged.unlink(missing_ok=True)
    version = table.version + 1
    published = store.files.publish(staged, table.resource_id, version)
    ctx.on_rollback(lambda: published.unlink(missing_ok=True))
    resource_id = table.resource_id
    ctx.after_commit(lambda: store.switched(resource_id, version))
    table.version = version
    table.row_ids = "stored"
    table.fields = [f.as_dict() for f in fields]
    table.primary_key = primary_key or None
    table.row_count = row_count
    table.modified = utcnow()


def _records_echo(records: Any) -> Any:
    return records if isinstance(records, list) else None


def datastore_create(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    """Create a resource's table, or add fields and records to it (CKAN's datastore_create).

    Give ``resource_id`` of an existing resource, or ``resource`` (a resource dict with
    ``package_id``) to create the resource too. ``fields`` [{id, type, info}], ``records`` [{}],
    ``primary_key`` (field or list). Tables loaded from a file need ``force=true``."""
    force = as_bool(data.get("force", False), "force")
    if data.get("resource") and not _resource_id(data):
        resource = _json_param(data["resource"], "resource")
        if not isinstance(resource, dict):
            raise ValidationError({"resource": ["must be a resource object with package_id"]})
        created = resources.resource_create(ctx, resource)
        ref = created["id"]
    else:
        ref = _resource_id(data)
    table, res = _editable_table(ctx, ref, force=force, create=True)
    given = _parse_fields(data.get("fields"))
    records = _json_param(data.get("records"), "records")
    if table is None:
        if not given and records:
            given = _fields_from_records(records)
        table = DatastoreTable(resource_id=res.id, source="api", status="active", version=0)
        ctx.session.add(table)
        current: list[Field] = []
    else:
        current = fields_from_json(table.fields)
    fields = _merge_fields(current, given)
    if not fields:
        raise ValidationError({"fields": ["a table needs at least one field"]})
    primary_key = _primary_key(data.get("primary_key"), fields) or (table.primary_key or [])
    _write_version(ctx, table, fields, primary_key, records, "insert")
    result: dict[str, Any] = {
        "resource_id": res.id,
        "fields": [f.as_dict() for f in fields],
        "method": "insert",
    }
    if primary_key:
        result["primary_key"] = primary_key
    if _records_echo(records) is not None:
        result["records"] = records
    return result


def _fields_from_records(records: Any) -> list[Field]:
    """CKAN guesses text for fields it is not told about; so do we, in first-seen order."""
    names: dict[str, None] = {}
    if isinstance(records, list):
        for record in records:
            if isinstance(record, dict):
                names.update(dict.fromkeys(k for k in record if isinstance(k, str)))
    fields = []
    for name in names:
        problem = _field_name_problem(name)
        if problem:
            raise ValidationError({"records": [f"field {name!r}: {problem}"]})
        fields.append(Field(name, "text"))
    return fields


def datastore_upsert(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    """Add or change rows: ``method`` upsert (default; match on the primary key, or ``_id``),
    insert or update. ``dry_run=true`` checks the records without writing."""
    method = data.get("method") or "upsert"
    if method not in ("upsert", "insert", "update"):
        raise ValidationError({"method": ["must be upsert, insert or update"]})
    force = as_bool(data.get("force", False), "force")
    dry_run = as_bool(data.get("dry_run", False), "dry_run")
    table, res = _editable_table(ctx, _resource_id(data), force=force)
    assert table is not None
    records = _json_param(data.get("records"), "records")
    if not isinstance(records, list):
        raise ValidationError({"records": ["Missing value"]})
    fields = fields_from_json(table.fields)
    # Without a primary key, update and upsert match rows on _id, sent with each record.
    _write_version(ctx, table, fields, table.primary_key or [], records, method, dry_run=dry_run)
    return {"resource_id": res.id, "method": method, "records": records}


def datastore_delete(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    """Delete rows matching ``filters``, or the whole table when no filters are given."""
    force = as_bool(data.get("force", False), "force")
    table, res = _editable_table(ctx, _resource_id(data), force=force)
    assert table is not None
    filters = _json_param(data.get("filters"), "filters")
    result: dict[str, Any] = {"resource_id": res.id}
    if filters:
        if not isinstance(filters, dict):
            raise ValidationError({"filters": ["must be an object of field: value"]})
        fields = fields_from_json(table.fields)
        _write_version(
            ctx, table, fields, table.primary_key or [], None, "insert", delete_filters=filters
        )
        result["filters"] = filters
        return result
    store = datastore_of(ctx)
    resource_id = res.id
    ctx.session.delete(table)
    ctx.after_commit(lambda: store.dropped(resource_id))
    return result


def datastore_info(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    """The table's fields, row count, size on disk, and how its last load went."""
    ref = _resource_id(data)
    if not ref:
        raise ValidationError({"id": ["Missing value"]})
    res = _resource(ctx, ref, resources.readable_resource)
    table = ctx.session.get(DatastoreTable, res.id)
    if table is None:
        raise _missing(ref)
    store = datastore_of(ctx)
    path = store.files.path(res.id, table.version) if table.version else None
    size = path.stat().st_size if path is not None and path.exists() else 0
    return {
        "meta": {
            "id": res.id,
            "count": table.row_count,
            "table_type": "BASE TABLE",
            "size": size,
            "source": table.source,
            "status": table.status,
            "message": table.message,
            "load_started": table.load_started.isoformat() if table.load_started else None,
            "load_finished": table.load_finished.isoformat() if table.load_finished else None,
            "problems": table.report or [],
            # Link resources: the URL loaded, and the SHA-256, size and time of the last fetch.
            "fetched": fetch_status(table),
            "primary_key": table.primary_key or [],
        },
        "fields": [
            {**f, "schema": {"native_type": STORAGE.get(f["type"], "VARCHAR")}}
            for f in table.fields
        ],
    }


def table_path(ctx: Context, table: DatastoreTable) -> Path:
    return datastore_of(ctx).files.path(table.resource_id, table.version)


def table_sql(ctx: Context, table: DatastoreTable) -> str:
    return datastore_of(ctx).engine.source(table_path(ctx, table), table.row_ids)


def datastore_search(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    """Rows of a table: ``filters``, ``q`` (text or {field: text}), ``distinct``, ``fields``,
    ``sort``, ``limit`` (default 100), ``offset``, ``include_total``, ``records_format``
    (objects, lists, csv, tsv)."""
    ref = _resource_id(data)
    table, res = readable_table(ctx, ref)
    records_format = data.get("records_format") or "objects"
    if records_format not in RECORDS_FORMATS:
        raise ValidationError({"records_format": [f"must be one of {', '.join(RECORDS_FORMATS)}"]})
    fields = fields_from_json(table.fields)
    store = datastore_of(ctx)
    plan = plan_search(fields, data, ctx.settings.datastore_rows_max)
    source = table_sql(ctx, table)
    include_total = as_bool(data.get("include_total", True), "include_total")
    by_id = {f.id: f for f in [Field(ROW_ID, "int"), *fields]}
    columns = [by_id[name] for name in plan.select]
    with store.engine.cursor() as con:
        rows = con.execute(select_sql(plan, source), plan.params).fetchall()
        total = None
        if include_total:
            if plan.offset == 0 and len(rows) < plan.limit:
                total = len(rows)  # this page holds every match; no second scan needed
            else:
                counted = con.execute(count_sql(plan, source), plan.params).fetchone()
                total = int(counted[0]) if counted else 0
    result: dict[str, Any] = {
        "resource_id": res.id,
        "fields": [c.as_dict() for c in columns],
        "records": render_records(rows, columns, records_format),
        "records_format": records_format,
        "limit": plan.limit,
        "offset": plan.offset,
        "_links": _links(res.id, plan.limit, plan.offset),
        **plan.echo,
    }
    if include_total:
        result["total"] = total
        result["total_was_estimated"] = False
    return result


def _links(resource_id: str, limit: int, offset: int) -> dict[str, str]:
    base = f"/api/3/action/datastore_search?resource_id={resource_id}"
    return {"start": base, "next": f"{base}&offset={offset + limit}"}


def select_rows_sql(
    ctx: Context, table: DatastoreTable, data: dict[str, Any]
) -> tuple[str, list[Any], list[Field]]:
    """The unpaged query of a search (for downloads): SQL, parameters, output fields."""
    fields = fields_from_json(table.fields)
    plan = plan_search(fields, data, ctx.settings.datastore_rows_max)
    by_id = {f.id: f for f in [Field(ROW_ID, "int"), *fields]}
    sql = select_sql(plan, table_sql(ctx, table), paged=False)
    return sql, plan.params, [by_id[name] for name in plan.select]
