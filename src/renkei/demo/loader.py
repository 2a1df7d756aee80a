"""Load the demo catalog (``catalog.json`` + ``files/``) through the same services as the API."""

from __future__ import annotations

import json
import mimetypes
from collections.abc import Callable
from importlib import resources as importlib_resources
from pathlib import Path
from typing import Any

from sqlalchemy import select

from renkei.catalog import groups, packages, resources, users
from renkei.catalog.context import Catalog
from renkei.catalog.resources import Upload
from renkei.quality.scan import datasets_to_scan, scan
from renkei.store.tables import User

DEMO_DIR = Path(str(importlib_resources.files("renkei.demo")))
ADMIN = "demo-admin"
DEMO_USERS = (
    # name, role in every demo organization (None: sysadmin)
    (ADMIN, None),
    ("demo-editor", "editor"),
    ("demo-member", "member"),
)


def manifest() -> dict[str, Any]:
    return json.loads((DEMO_DIR / "catalog.json").read_text(encoding="utf-8"))


def is_loaded(catalog: Catalog) -> bool:
    with catalog.context() as ctx:
        return ctx.session.scalar(select(User.id).where(User.name == ADMIN)) is not None


def load(catalog: Catalog, progress: Callable[[str], None] = lambda _: None) -> str | None:
    """Load the demo once. Returns a new sysadmin token the first time, None if already loaded."""
    if is_loaded(catalog):
        return None
    data = manifest()
    with catalog.context() as ctx:
        admin = users.create_user(
            ctx, ADMIN, sysadmin=True, fullname="Demo administrator", password="demo-admin-password"
        )
        _, token = users.create_token(ctx, admin, "demo")
        for name, _role in DEMO_USERS[1:]:
            users.create_user(
                ctx, name, fullname=name.replace("-", " ").title(), password=f"{name}-password"
            )
    with catalog.context(admin.id) as ctx:
        for org in data["organizations"]:
            groups.organization_create(ctx, org)
            for name, role in DEMO_USERS[1:]:
                groups.organization_member_create(
                    ctx, {"id": org["name"], "username": name, "role": role}
                )
        for group in data["groups"]:
            groups.group_create(ctx, group)
    for dataset in data["datasets"]:
        progress(dataset["name"])
        _load_dataset(catalog, admin.id, dataset)
    progress("roadmap, inventory and data requests")
    _load_needs(catalog, admin.id)
    # Scored from the start, so that the quality pages, badges and facet show something (no
    # link checks: the demo makes no outbound requests).
    progress("quality scores")
    scan(catalog, datasets_to_scan(catalog, everything=True))
    return token


def _load_needs(catalog: Catalog, admin_id: str) -> None:
    """The roadmap (from the demo's copy of the seed table), an inventory, and data requests
    with answers, each made as the demo user who would make it."""
    from renkei.requests import inventory, service
    from renkei.roadmap.service import import_roadmap

    data = json.loads((DEMO_DIR / "needs.json").read_text(encoding="utf-8"))
    roadmap_file = data["roadmap_file"]
    with catalog.context(admin_id) as ctx:
        text = (DEMO_DIR / "files" / roadmap_file).read_text(encoding="utf-8")
        import_roadmap(ctx, text, source=roadmap_file)
        user_ids = {name: users.get_user(ctx, name).id for name, _ in DEMO_USERS}
        for org, entries in data["inventory"].items():
            for entry in entries:
                inventory.entry_create(ctx, org, entry)
        entry_ids = {
            e["title"]: e["id"]
            for org in data["inventory"]
            for e in inventory.inventory_list(ctx, org)["entries"]
        }
    for item in data["requests"]:
        with catalog.context(user_ids[item["by"]]) as ctx:
            request_id = service.request_create(ctx, item["request"])["id"]
        for answer in item["answers"]:
            fields = {k: v for k, v in answer.items() if k != "by"}
            if "inventory_entry" in fields:
                fields["inventory_entry"] = entry_ids[fields["inventory_entry"]]
            with catalog.context(user_ids[answer["by"]]) as ctx:
                service.request_answer(ctx, request_id, fields)


def _load_dataset(catalog: Catalog, admin_id: str, dataset: dict[str, Any]) -> None:
    """One dataset in one transaction; resources in manifest order, files uploaded as by a user."""
    meta = {k: v for k, v in dataset.items() if k != "resources"}
    with catalog.context(admin_id) as ctx:
        pkg = packages.package_create(ctx, meta)
        for res in dataset.get("resources", []):
            fields = {k: v for k, v in res.items() if k != "file"}
            upload = _upload(ctx, DEMO_DIR / "files" / res["file"]) if "file" in res else None
            resources.resource_create(ctx, {**fields, "package_id": pkg["id"]}, upload)


def _upload(ctx: Any, path: Path) -> Upload:
    staged = ctx.blobs.stage_file(path, ctx.settings.max_upload_bytes)
    return Upload(
        filename=path.name, content_type=mimetypes.guess_type(path.name)[0], staged=staged
    )
