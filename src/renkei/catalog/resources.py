"""Resources: the files and links of a dataset, including uploads kept in the blob store.

File rule (no silent orphans): a blob is deleted exactly when the last reference to it goes away
in a committed transaction — the resource is deleted, its upload is replaced, it becomes a link,
or its dataset is purged. A soft-deleted dataset keeps its files so that it can be restored.
"""

from __future__ import annotations

import logging
import mimetypes
import posixpath
import unicodedata
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from sqlalchemy import func, select

from renkei.catalog import activity
from renkei.catalog.context import Context, utcnow
from renkei.catalog.dictize import download_url, package_dict, resource_dict
from renkei.errors import NotFound, ValidationError
from renkei.model.schemas import RESOURCE_READ_ONLY, ResourceIn, parse
from renkei.search.index import mark_changed
from renkei.store.blobs import StagedBlob
from renkei.store.tables import Package, Resource

log = logging.getLogger(__name__)


@dataclass
class Upload:
    """A file received for a resource, already streamed to a staging file."""

    filename: str
    content_type: str | None
    staged: StagedBlob
    # What the file holds (renkei.ingest.Inspection), read before the write transaction starts
    # so that the database's write lock isn't held while a large file is read.
    inspection: Any = None


def inspect_upload(upload: Upload, limit: int) -> None:
    """Inspect a staged upload of at most ``limit`` bytes (call outside any transaction)."""
    from renkei.ingest import inspect_file

    if upload.inspection is not None or upload.staged.size > limit:
        return
    try:
        upload.inspection = inspect_file(upload.staged.path, filename=upload.filename)
    except Exception:  # noqa: BLE001 - a file we can't read is still stored, as uploaded
        log.exception("inspecting upload %s failed", upload.filename)


def delete_blob_later(ctx: Context, key: str) -> None:
    ctx.after_commit(lambda: ctx.blobs.delete(key))


def safe_filename(name: str) -> str:
    """A file name safe to store and serve: no path, no control characters, at most 200 chars."""
    base = posixpath.basename(name.replace("\\", "/"))
    cleaned = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip(" .")
    return cleaned[:200] or "file"


def apply_resource_fields(
    ctx: Context, pkg: Package, res: Resource, res_in: ResourceIn, upload: Upload | None
) -> None:
    """Copy ``res_in`` onto ``res``; keep, replace or drop its uploaded file as the input says."""
    fields = res_in.model_fields_set
    link_before = (res.url, res.format)
    incoming_url = res_in.url or ""
    was_upload = res.url_type == "upload" and res.blob_key is not None
    if upload is not None:
        # Before the file moves into the blob store (a no-op when the HTTP layer did it).
        inspect_upload(upload, ctx.settings.inspect_upload_max_bytes)
        if res.blob_key:
            delete_blob_later(ctx, res.blob_key)
        key = ctx.blobs.keep(upload.staged)
        ctx.on_rollback(lambda: ctx.blobs.delete(key))
        res.blob_key = key
        ctx.note_resource(res.id)
        res.url_type = "upload"
        res.url = safe_filename(upload.filename)
        res.size = upload.staged.size
        res.hash = upload.staged.sha256
        res.last_modified = utcnow()
        guessed, _ = mimetypes.guess_type(res.url)
        res.mimetype = res_in.mimetype or _useful_type(upload.content_type) or guessed
        res.format = res_in.format or _format_from_name(res.url)
    elif was_upload and _still_the_upload(ctx, pkg, res, res_in, incoming_url):
        pass  # the client echoed the download URL back: the file stays
    elif res_in.url_type == "upload" and not was_upload:
        raise ValidationError({"upload": ["url_type is 'upload' but no file was sent"]})
    else:
        if was_upload and res.blob_key:
            delete_blob_later(ctx, res.blob_key)
            res.blob_key = None
            ctx.note_resource(res.id)
        res.url = incoming_url
        # No file came with this change, so the resource is a link now, whatever url_type the
        # client echoed back from a previous show.
        res.url_type = None if res_in.url_type == "upload" else (res_in.url_type or None)
        if "size" in fields or was_upload:
            res.size = res_in.size
        if "hash" in fields or was_upload:
            res.hash = res_in.hash
        if "mimetype" in fields:
            res.mimetype = res_in.mimetype
        if "last_modified" in fields:
            res.last_modified = res_in.last_modified
    if upload is None:
        if res_in.format is not None or res.format is None:
            res.format = res_in.format or _format_from_name(res.url or "")
        if "mimetype" in fields and res_in.mimetype:
            res.mimetype = res_in.mimetype
        if res.blob_key is None and (res.url, res.format) != link_before:
            # A link to a table is loaded into the DataStore from its URL: a new one loads.
            ctx.note_resource(res.id)
    res.name = res_in.name
    res.description = res_in.description
    res.extras = res_in.extras() or None
    if res.name is None and upload is not None:
        res.name = res.url
    if upload is not None:
        _prefill_from_file(ctx, res, res_in, upload)


def _prefill_from_file(ctx: Context, res: Resource, res_in: ResourceIn, upload: Upload) -> None:
    """Format, mimetype and Table Schema read from the uploaded file itself, for whatever the
    caller left out (what the caller gave is never replaced). Files over
    ``inspect_upload_max_bytes`` are left to the background load, so that saving stays quick.
    The HTTP layer inspects before the transaction (``inspect_upload``); for other callers
    (CLI, demo loader) ``apply_resource_fields`` does it before keeping the file."""
    from renkei.ingest.prefill import table_schema

    inspection = upload.inspection
    if inspection is None:
        return
    given = res_in.model_fields_set
    if not res_in.format and inspection.format:
        res.format = inspection.format.upper()
    if "mimetype" not in given and inspection.mimetype:
        res.mimetype = inspection.mimetype
    extras = dict(res.extras or {})
    schema = table_schema(inspection) if inspection.ok else None
    if "schema" not in extras and schema is not None:
        extras["schema"] = schema
        res.extras = extras


def _still_the_upload(
    ctx: Context, pkg: Package, res: Resource, res_in: ResourceIn, incoming_url: str
) -> bool:
    if res_in.url_type not in (None, "upload"):
        return False
    if incoming_url in ("", res.url):
        return True
    return unquote(incoming_url) == unquote(download_url(ctx, pkg.id, res))


def _useful_type(content_type: str | None) -> str | None:
    if not content_type or content_type == "application/octet-stream":
        return None
    return content_type.split(";")[0].strip()


def _format_from_name(name: str) -> str | None:
    path = name.split("?")[0].split("#")[0]
    ext = posixpath.splitext(path)[1].lstrip(".")
    if not ext or len(ext) > 10 or not ext.isalnum():
        return None
    return ext.upper()


def get_resource(ctx: Context, ref: Any) -> tuple[Resource, Package]:
    if not isinstance(ref, str) or not ref:
        raise ValidationError({"id": ["Missing value"]})
    res = ctx.session.get(Resource, ref)
    if res is None:
        raise NotFound(f"Resource not found: {ref}")
    pkg = ctx.session.get(Package, res.package_id)
    assert pkg is not None
    return res, pkg


def readable_resource(ctx: Context, ref: Any) -> tuple[Resource, Package]:
    """The resource, if the caller may read its dataset; otherwise absent, as if missing."""
    from renkei.catalog.packages import readable_package

    res, pkg = get_resource(ctx, ref)
    try:
        readable_package(ctx, pkg.id)
    except NotFound:
        raise NotFound(f"Resource not found: {ref}") from None
    return res, pkg


def resource_of_dataset(ctx: Context, package_ref: str, ref: Any) -> tuple[Resource, Package]:
    """The resource at ``/dataset/{package_ref}/resource/{ref}``, if the caller may read it.
    Another dataset's resource, a missing one and an unreadable one all look the same."""
    try:
        res, pkg = readable_resource(ctx, ref)
        if package_ref not in (pkg.id, pkg.name):
            raise NotFound(ref)
    except NotFound:
        raise NotFound(f"Resource not found: {ref}") from None
    return res, pkg


def editable_resource(ctx: Context, ref: Any) -> tuple[Resource, Package]:
    """The resource, if the caller may edit its dataset. In a private dataset the caller can't
    read, it looks absent, with the same message as a missing resource (no dataset id either)."""
    from renkei.catalog.packages import editable_package

    res, pkg = get_resource(ctx, ref)
    try:
        editable_package(ctx, pkg.id)
    except NotFound:
        raise NotFound(f"Resource not found: {ref}") from None
    return res, pkg


def resource_show(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    res, _ = readable_resource(ctx, data.get("id"))
    return resource_dict(ctx, res)


def resource_create(
    ctx: Context, data: dict[str, Any], upload: Upload | None = None
) -> dict[str, Any]:
    from renkei.catalog.packages import editable_package

    if not data.get("package_id"):
        raise ValidationError({"package_id": ["Missing value"]})
    pkg = editable_package(ctx, data["package_id"])
    res_in = parse(ResourceIn, _without_upload_keys(data), RESOURCE_READ_ONLY)
    if res_in.id and ctx.session.get(Resource, res_in.id) is not None:
        raise ValidationError({"id": ["Resource id already in use"]})
    position = ctx.session.scalar(
        select(func.coalesce(func.max(Resource.position) + 1, 0)).where(
            Resource.package_id == pkg.id
        )
    )
    now = utcnow()
    res = Resource(
        id=str(uuid.uuid4()) if not res_in.id else res_in.id,
        package_id=pkg.id,
        position=position,
        created=now,
        metadata_modified=now,
    )
    ctx.session.add(res)
    apply_resource_fields(ctx, pkg, res, res_in, upload)
    _touch(ctx, pkg)
    return resource_dict(ctx, res)


def resource_update(
    ctx: Context, data: dict[str, Any], upload: Upload | None = None
) -> dict[str, Any]:
    res, pkg = editable_resource(ctx, data.get("id"))
    res_in = parse(ResourceIn, _without_upload_keys(data), RESOURCE_READ_ONLY)
    apply_resource_fields(ctx, pkg, res, res_in, upload)
    res.metadata_modified = utcnow()
    _touch(ctx, pkg)
    return resource_dict(ctx, res)


def resource_patch(
    ctx: Context, data: dict[str, Any], upload: Upload | None = None
) -> dict[str, Any]:
    res, pkg = editable_resource(ctx, data.get("id"))
    current = resource_dict(ctx, res)
    current.update(data)
    return resource_update(ctx, current, upload)


def resource_delete(ctx: Context, data: dict[str, Any]) -> None:
    res, pkg = editable_resource(ctx, data.get("id"))
    if res.blob_key:
        delete_blob_later(ctx, res.blob_key)
    ctx.note_resource(res.id)
    ctx.session.delete(res)
    ctx.session.flush()
    for position, other in enumerate(
        ctx.session.scalars(
            select(Resource).where(Resource.package_id == pkg.id).order_by(Resource.position)
        )
    ):
        other.position = position
    _touch(ctx, pkg)


def _without_upload_keys(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k not in ("upload", "clear_upload")}


def _touch(ctx: Context, pkg: Package) -> None:
    pkg.metadata_modified = utcnow()
    ctx.session.flush()
    mark_changed(ctx, pkg)
    activity.record(ctx, "changed package", pkg, package_dict(ctx, pkg))
