"""The editor's pages: the dashboard, dataset and resource forms, organization members.

Every change goes through the same services as the Action API (``renkei.catalog.*``), inside
one transaction on behalf of the logged-in user, so the rules (who may edit what, what a valid
dataset is) live in one place. Every POST carries the session's CSRF token; validation errors
come back as messages next to the fields (HTML), or as ``errors`` (JSON, used by the upload
script that shows progress).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import or_, select
from starlette.concurrency import run_in_threadpool

from renkei.api.multipart import read_multipart
from renkei.catalog import authz, groups, packages, resources
from renkei.catalog.context import Context
from renkei.catalog.dictize import package_dicts
from renkei.catalog.resources import Upload
from renkei.catalog.users import get_user
from renkei.errors import NotAuthorized, NotFound, ValidationError
from renkei.ingest import prefill
from renkei.model.licenses import LICENSES
from renkei.store.tables import Package
from renkei.web import forms
from renkei.web.i18n import N_
from renkei.web.page import Web
from renkei.web.routing import page, web_router

router = web_router()
DASHBOARD_DATASETS = 100
ROLES = ("member", "editor", "admin")
ROLE_NAMES = {"member": N_("Member"), "editor": N_("Editor"), "admin": N_("Admin")}
LOGIN_REQUIRED = N_("Log in to edit datasets.")
FIX_BELOW = N_("The form has problems: see the messages next to the fields.")


# -- helpers ----------------------------------------------------------------------------------


def _login_required(web: Web) -> Response:
    return web.login_first(web.gettext(LOGIN_REQUIRED))


async def _read_form(web: Web, limit: int | None = None) -> tuple[dict[str, Any], Upload | None]:
    """The posted fields (and the file, streamed to staging, at most ``limit`` bytes: the
    upload limit by default), CSRF checked."""
    request = web.request
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        limit = limit or web.settings.max_upload_bytes
        fields, upload = await read_multipart(request, web.catalog.blobs, limit)
    else:
        fields, upload = dict(await request.form()), None
    try:
        web.check_csrf(fields)
    except NotAuthorized:
        if upload is not None:
            upload.staged.discard()
        raise
    return fields, upload


def _errors(web: Web, exc: ValidationError) -> dict[str, list[str]]:
    return {k: [web.gettext(m) for m in v] for k, v in forms.field_errors(exc).items()}


def _done(
    web: Web, message: str, path: str, data: Mapping[str, Any], status: int = 200
) -> Response:
    """After a change: JSON says where to go next; a browser is sent there (303). The message
    waits in the session either way: the upload script goes to ``redirect`` next."""
    web.flash(message)
    if web.as_json:
        payload = {**data, "redirect": web.url(path)}
        return web.render("error.html", payload, title="", status=status)
    return web.redirect(path)


def _license_options(web: Web) -> list[dict[str, str]]:
    return [
        {
            "id": lic.id,
            "title": lic.title_ja if web.lang == "ja" else lic.title,
            "summary": lic.summary_ja if web.lang == "ja" else lic.summary_en,
        }
        for lic in LICENSES
    ]


# -- dashboard --------------------------------------------------------------------------------


@page(router, "/dashboard")
def dashboard(request: Request) -> Response:
    web = Web(request)
    if web.user is None:
        return _login_required(web)
    with web.context() as ctx:
        organizations = groups.organization_list_for_user(ctx, {"permission": "read"})
        datasets = _my_datasets(ctx, [o["id"] for o in organizations])
    data = {"user": web.user.name, "organizations": organizations, "datasets": datasets}
    return web.render(
        "dashboard.html",
        data,
        title=web.gettext("Dashboard"),
        extra={"role_names": {k: web.gettext(v) for k, v in ROLE_NAMES.items()}},
    )


def _my_datasets(ctx: Context, org_ids: list[str]) -> list[dict[str, Any]]:
    """Datasets of the caller's organizations and those they created: drafts and private
    ones included (the caller may see them all), deleted ones not; newest change first."""
    assert ctx.user is not None
    mine = or_(Package.owner_org.in_(org_ids), Package.creator_user_id == ctx.user.id)
    rows = ctx.session.scalars(
        select(Package)
        .where(mine, Package.state.in_(("active", "draft")))
        .order_by(Package.metadata_modified.desc())
        .limit(DASHBOARD_DATASETS)
    ).all()
    readable = [p for p in rows if authz.can_read_package(ctx, p)]
    result = package_dicts(ctx, readable)
    for data, pkg in zip(result, readable, strict=True):
        data["can_edit"] = authz.can_edit_package(ctx, pkg)
    return result


# -- datasets ---------------------------------------------------------------------------------


def _dataset_form(
    web: Web,
    *,
    values: dict[str, Any],
    organizations: list[dict[str, Any]],
    dataset: dict[str, Any] | None,
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> Response:
    editing = dataset is not None
    data = {
        "dataset": dataset,
        "values": values,
        "errors": errors or {},
        "organizations": [{"name": o["name"], "title": o["title"]} for o in organizations],
    }
    title = web.gettext("Edit dataset") if editing else web.gettext("New dataset")
    action = f"/dataset/{dataset['name']}/edit" if dataset else "/dashboard/datasets/new"
    return web.render(
        "dataset_form.html",
        data,
        title=title,
        status=status,
        extra={
            "licenses": _license_options(web),
            "action": action,
            "fix_below": web.gettext(FIX_BELOW) if errors else "",
            "all_organizations": organizations,
        },
        headers={"Cache-Control": "no-store"},
    )


@page(router, "/dashboard/datasets/new")
def new_dataset_form(request: Request) -> Response:
    web = Web(request)
    if web.user is None:
        return _login_required(web)
    with web.context() as ctx:
        orgs = groups.organization_list_for_user(ctx, {"permission": "create_dataset"})
    values = forms.dataset_values(None)
    chosen = request.query_params.get("organization")
    values["owner_org"] = chosen if chosen else (orgs[0]["name"] if len(orgs) == 1 else "")
    values["license_id"] = "cc-by-4.0"
    return _dataset_form(web, values=values, organizations=orgs, dataset=None)


@page(router, "/dashboard/datasets/new", methods=("POST",))
async def create_dataset(request: Request) -> Response:
    web = Web(request)
    fields, _ = await _read_form(web)
    if web.user is None:
        return _login_required(web)

    def create() -> dict[str, Any]:
        with web.context(write=True) as ctx:
            payload = forms.dataset_payload(fields, web.default_lang)
            return packages.package_create(ctx, payload)

    try:
        dataset = await run_in_threadpool(create)
    except ValidationError as exc:
        with web.context() as ctx:
            orgs = groups.organization_list_for_user(ctx, {"permission": "create_dataset"})
        return _dataset_form(
            web,
            values=forms.dataset_form_values(fields),
            organizations=orgs,
            dataset=None,
            errors=_errors(web, exc),
            status=400,
        )
    message = web.gettext("The dataset was created. Now add its data.")
    path = f"/dataset/{dataset['name']}/resource/new"
    return _done(web, message, path, {"dataset": dataset}, status=201)


@page(router, "/dataset/{name}/edit")
def edit_dataset_form(request: Request, name: str) -> Response:
    web = Web(request)
    if web.user is None:
        return _login_required(web)
    with web.context() as ctx:
        dataset = _editable_dataset(ctx, name)
        orgs = groups.organization_list_for_user(ctx, {"permission": "create_dataset"})
    return _dataset_form(
        web, values=forms.dataset_values(dataset), organizations=orgs, dataset=dataset
    )


def _editable_dataset(ctx: Context, name: str) -> dict[str, Any]:
    """The dataset, if the caller may edit it; one they can read but not edit is forbidden,
    one they can't read is not found (as everywhere)."""
    pkg = packages.readable_package(ctx, name)
    authz.require(authz.can_edit_package(ctx, pkg), "You may not edit this dataset")
    return packages.package_show(ctx, {"id": pkg.id})


@page(router, "/dataset/{name}/edit", methods=("POST",))
async def update_dataset(request: Request, name: str) -> Response:
    web = Web(request)
    fields, _ = await _read_form(web)
    if web.user is None:
        return _login_required(web)

    def update() -> dict[str, Any]:
        with web.context(write=True) as ctx:
            current = _editable_dataset(ctx, name)
            payload = forms.dataset_payload(fields, web.default_lang)
            # Groups and resources have their own pages: package_update keeps them when absent.
            payload["id"] = current["id"]
            return packages.package_update(ctx, payload)

    try:
        dataset = await run_in_threadpool(update)
    except ValidationError as exc:
        with web.context() as ctx:
            current = _editable_dataset(ctx, name)
            orgs = groups.organization_list_for_user(ctx, {"permission": "create_dataset"})
        return _dataset_form(
            web,
            values=forms.dataset_form_values(fields),
            organizations=orgs,
            dataset=current,
            errors=_errors(web, exc),
            status=400,
        )
    message = web.gettext("The dataset was saved.")
    return _done(web, message, f"/dataset/{dataset['name']}", {"dataset": dataset})


@page(router, "/dataset/{name}/delete", methods=("POST",))
async def delete_dataset(request: Request, name: str) -> Response:
    web = Web(request)
    await _read_form(web)
    if web.user is None:
        return _login_required(web)

    def delete() -> None:
        with web.context(write=True) as ctx:
            current = _editable_dataset(ctx, name)
            packages.package_delete(ctx, {"id": current["id"]})

    await run_in_threadpool(delete)
    message = web.gettext("The dataset was deleted.")
    return _done(web, message, "/dashboard", {"deleted": name})


# -- resources --------------------------------------------------------------------------------


def _resource_form(
    web: Web,
    *,
    dataset: dict[str, Any],
    resource: dict[str, Any] | None,
    values: dict[str, Any],
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> Response:
    base = f"/dataset/{dataset['name']}/resource"
    action = f"{base}/{resource['id']}/edit" if resource else f"{base}/new"
    data = {
        "dataset": {k: v for k, v in dataset.items() if k != "resources"},
        "resource": resource,
        "values": values,
        "errors": errors or {},
    }
    title = web.gettext("Edit resource") if resource else web.gettext("Add data")
    return web.render(
        "resource_form.html",
        data,
        title=title,
        status=status,
        extra={
            "action": action,
            "fix_below": web.gettext(FIX_BELOW) if errors else "",
            "max_upload": web.settings.max_upload_bytes,
            "inspect_max": web.settings.inspect_upload_max_bytes,
        },
        headers={"Cache-Control": "no-store"},
    )


@page(router, "/dataset/{name}/resource/new")
def new_resource_form(request: Request, name: str) -> Response:
    web = Web(request)
    if web.user is None:
        return _login_required(web)
    with web.context() as ctx:
        dataset = _editable_dataset(ctx, name)
    return _resource_form(web, dataset=dataset, resource=None, values=forms.resource_values(None))


async def _save_resource(
    web: Web, name: str, resource_id: str | None, change: Callable[..., dict[str, Any]]
) -> Response:
    fields, upload = await _read_form(web)
    try:
        if web.user is None:
            return _login_required(web)
        payload = forms.resource_payload(fields)

        def save() -> dict[str, Any]:
            with web.context(write=True) as ctx:
                dataset = _editable_dataset(ctx, name)
                return change(ctx, dataset, payload, upload)

        try:
            resource = await run_in_threadpool(save)
        except ValidationError as exc:
            with web.context() as ctx:
                dataset = _editable_dataset(ctx, name)
                current = _find_resource(dataset, resource_id) if resource_id else None
            values = {**forms.resource_values(current), **payload}
            values["url"] = payload["url"]
            return _resource_form(
                web,
                dataset=dataset,
                resource=current,
                values=values,
                errors=_errors(web, exc),
                status=400,
            )
    finally:
        if upload is not None:
            upload.staged.discard()  # a no-op once the blob store has kept the file
    message = web.gettext("The resource was saved.")
    path = f"/dataset/{name}/resource/{resource['id']}"
    return _done(web, message, path, {"resource": resource}, status=201 if not resource_id else 200)


def _find_resource(dataset: dict[str, Any], resource_id: str) -> dict[str, Any]:
    for res in dataset["resources"]:
        if res["id"] == resource_id:
            return dict(res)
    raise NotFound(f"Resource not found: {resource_id}")


@page(router, "/dashboard/inspect", methods=("POST",))
async def inspect_file_for_form(request: Request) -> Response:
    """What the chosen file holds and the metadata it suggests, for the resource form's
    script to show and pre-fill before anything is saved (the file is not kept)."""
    web = Web(request)
    # Only files the form's script offers (up to the inspection limit) are read: a larger
    # body is refused (413) as soon as it crosses the limit, before it fills the disk.
    fields, upload = await _read_form(web, web.settings.inspect_upload_max_bytes)
    try:
        if web.user is None:
            return _login_required(web)
        if upload is None:
            raise ValidationError({"upload": [N_("Choose a file to upload, or give a link")]})
        found = await run_in_threadpool(
            prefill.inspect_and_suggest, upload.staged.path, upload.filename, fields.get("format")
        )
    finally:
        if upload is not None:
            upload.staged.discard()
    return JSONResponse(found)


@page(router, "/dataset/{name}/resource/new", methods=("POST",))
async def create_resource(request: Request, name: str) -> Response:
    def create(
        ctx: Context, dataset: dict[str, Any], payload: dict[str, Any], upload: Upload | None
    ) -> dict[str, Any]:
        if upload is None and not payload["url"]:
            raise ValidationError({"upload": [N_("Choose a file to upload, or give a link")]})
        data = {**payload, "package_id": dataset["id"]}
        if upload is not None:
            data.pop("url")
        return resources.resource_create(ctx, data, upload)

    return await _save_resource(Web(request), name, None, create)


@page(router, "/dataset/{name}/resource/{resource_id}/edit")
def edit_resource_form(request: Request, name: str, resource_id: str) -> Response:
    web = Web(request)
    if web.user is None:
        return _login_required(web)
    with web.context() as ctx:
        dataset = _editable_dataset(ctx, name)
    resource = _find_resource(dataset, resource_id)
    return _resource_form(
        web, dataset=dataset, resource=resource, values=forms.resource_values(resource)
    )


@page(router, "/dataset/{name}/resource/{resource_id}/edit", methods=("POST",))
async def update_resource(request: Request, name: str, resource_id: str) -> Response:
    def update(
        ctx: Context, dataset: dict[str, Any], payload: dict[str, Any], upload: Upload | None
    ) -> dict[str, Any]:
        current = _find_resource(dataset, resource_id)
        data = {**payload, "id": resource_id}
        if upload is not None or (current.get("url_type") == "upload" and not payload["url"]):
            data.pop("url")  # the file stays (or is replaced by the new one)
        elif not payload["url"]:
            raise ValidationError({"url": [N_("Give the link, or choose a file to upload")]})
        return resources.resource_patch(ctx, data, upload)

    return await _save_resource(Web(request), name, resource_id, update)


@page(router, "/dataset/{name}/resource/{resource_id}/delete", methods=("POST",))
async def delete_resource(request: Request, name: str, resource_id: str) -> Response:
    web = Web(request)
    await _read_form(web)
    if web.user is None:
        return _login_required(web)

    def delete() -> None:
        with web.context(write=True) as ctx:
            dataset = _editable_dataset(ctx, name)
            _find_resource(dataset, resource_id)
            resources.resource_delete(ctx, {"id": resource_id})

    await run_in_threadpool(delete)
    message = web.gettext("The resource was deleted.")
    return _done(web, message, f"/dataset/{name}", {"deleted": resource_id})


# -- organization members ---------------------------------------------------------------------


def _members_data(ctx: Context, name: str) -> dict[str, Any]:
    org = groups.organization_show(ctx, {"id": name, "include_users": True})
    authz.require(
        authz.has_role(ctx, org["id"], "admin"), "Only the organization's admins manage members"
    )
    return {
        "organization": {k: v for k, v in org.items() if k not in ("users", "packages")},
        "members": sorted(org.get("users") or [], key=lambda u: u["name"]),
    }


def _members_page(
    web: Web, data: dict[str, Any], *, error: str | None = None, status: int = 200
) -> Response:
    org = data["organization"]
    return web.render(
        "members.html",
        {**data, "error": error},
        title=web.gettext("Members of %(org)s", org=web.tr(org["title_translated"], org["title"])),
        status=status,
        extra={
            "roles": [(r, web.gettext(ROLE_NAMES[r])) for r in ROLES],
            "role_names": {k: web.gettext(v) for k, v in ROLE_NAMES.items()},
        },
        headers={"Cache-Control": "no-store"},
    )


@page(router, "/organization/{name}/members")
def members_page(request: Request, name: str) -> Response:
    web = Web(request)
    if web.user is None:
        return _login_required(web)
    with web.context() as ctx:
        data = _members_data(ctx, name)
    return _members_page(web, data)


@page(router, "/organization/{name}/members", methods=("POST",))
async def add_member(request: Request, name: str) -> Response:
    web = Web(request)
    fields, _ = await _read_form(web)
    if web.user is None:
        return _login_required(web)
    username = forms.text(fields, "username")
    role = forms.text(fields, "role")

    def add() -> None:
        with web.context(write=True) as ctx:
            _members_data(ctx, name)  # admins only, checked before anything else is said
            try:
                if username:
                    get_user(ctx, username)
            except NotFound:
                raise ValidationError(
                    {"username": [N_("There is no user with this name")]}
                ) from None
            groups.organization_member_create(ctx, {"id": name, "username": username, "role": role})

    try:
        await run_in_threadpool(add)
    except ValidationError as exc:
        with web.context() as ctx:
            data = _members_data(ctx, name)
        messages = [m for ms in _errors(web, exc).values() for m in ms]
        return _members_page(web, data, error=" ".join(messages), status=400)
    message = web.gettext("%(user)s is now a member (%(role)s).", user=username, role=role)
    return _done(web, message, f"/organization/{name}/members", {"added": username})


@page(router, "/organization/{name}/members/{username}/delete", methods=("POST",))
async def remove_member(request: Request, name: str, username: str) -> Response:
    web = Web(request)
    await _read_form(web)
    if web.user is None:
        return _login_required(web)

    def remove() -> None:
        with web.context(write=True) as ctx:
            _members_data(ctx, name)
            groups.organization_member_delete(ctx, {"id": name, "username": username})

    await run_in_threadpool(remove)
    message = web.gettext("%(user)s is no longer a member.", user=username)
    return _done(web, message, f"/organization/{name}/members", {"removed": username})
