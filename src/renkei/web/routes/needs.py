"""Pages for needs: data requests (list, one request, new-request form, answers), the needs
statistics, and the inventories of data held. Each calls the services the REST API calls."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile as StarletteUpload

from renkei.catalog import groups
from renkei.catalog.context import Context
from renkei.errors import ValidationError
from renkei.requests import inventory, rules, service, stats
from renkei.web.i18n import N_
from renkei.web.page import Web
from renkei.web.routing import page, web_router

router = web_router()

STATE_LABELS = {
    "submitted": N_("Submitted"),
    "received": N_("Received"),
    "under_consideration": N_("Under consideration"),
    "planned": N_("Planned"),
    "published": N_("Published"),
    "declined": N_("Declined"),
    "withdrawn": N_("Withdrawn"),
}
REASON_LABELS = {
    "personal_data": N_("Personal data"),
    "security": N_("Security"),
    "third_party_rights": N_("Third-party rights"),
    "cost": N_("Cost"),
    "other": N_("Other reason"),
}
STATUS_LABELS = {"open": N_("Open"), "planned": N_("Planned"), "not_open": N_("Not open")}
REQUEST_FIELDS = ("title", "purpose", "description", "organization", "topic", "format", "frequency")
MAX_UPLOAD = 10 * 1024 * 1024
ANSWER_FIELDS = ("state", "note", "planned_date", "reason_category", "reason_text", "dataset")


def _labels(web: Web) -> dict[str, Any]:
    return {
        "state_labels": {k: web.gettext(v) for k, v in STATE_LABELS.items()},
        "reason_labels": {k: web.gettext(v) for k, v in REASON_LABELS.items()},
        "status_labels": {k: web.gettext(v) for k, v in STATUS_LABELS.items()},
    }


def _organizations(ctx: Context) -> list[dict[str, Any]]:
    return groups.organization_list(ctx, {"all_fields": True, "sort": "title asc"})


# -- requests ---------------------------------------------------------------------------------


@page(router, "/request")
def request_list_page(request: Request) -> Response:
    web = Web(request)
    params = {
        k: request.query_params.get(k, "")
        for k in ("organization", "state", "topic", "sort", "offset")
    }
    with web.context() as ctx:
        result = service.request_list(ctx, {**params, "limit": 50})
        organizations = _organizations(ctx)
    data = {"filters": params, **result}
    return web.render(
        "requests.html",
        data,
        title=web.gettext("Data requests"),
        extra={"organizations": organizations, **_labels(web)},
    )


@page(router, "/request/stats")
def request_stats_page(request: Request) -> Response:
    web = Web(request)
    organization = request.query_params.get("organization", "")
    with web.context() as ctx:
        data = stats.request_stats(ctx, {"organization": organization})
    return web.render(
        "request_stats.html", data, title=web.gettext("Needs statistics"), extra=_labels(web)
    )


def _new_form(web: Web, form: dict[str, Any], errors: dict[str, Any], status: int) -> Response:
    with web.context() as ctx:
        organizations = _organizations(ctx)
    data = {"form": form, "errors": errors}
    return web.render(
        "request_new.html",
        data,
        title=web.gettext("Request data"),
        status=status,
        extra={"organizations": organizations},
    )


LOGIN_TO_REQUEST = N_("Log in to request data.")


@page(router, "/request/new")
def request_new_page(request: Request) -> Response:
    web = Web(request)
    if web.user is None:
        return web.login_first(web.gettext(LOGIN_TO_REQUEST))
    return _new_form(web, {"organization": request.query_params.get("organization", "")}, {}, 200)


@page(router, "/request/new", methods=("POST",))
async def request_create_page(request: Request) -> Response:
    web = Web(request)
    form = await request.form()
    web.check_csrf(form)
    if web.user is None:
        return web.login_first(web.gettext(LOGIN_TO_REQUEST))
    values = {k: str(form.get(k) or "") for k in REQUEST_FIELDS}

    def create() -> dict[str, Any]:
        with web.context(write=True) as ctx:
            return service.request_create(ctx, values)

    try:
        created = await run_in_threadpool(create)
    except ValidationError as exc:
        return _new_form(web, values, exc.errors, 409)
    if web.as_json:
        return web.render("request.html", {"request": created}, title="", status=201)
    web.flash(web.gettext("Your request was filed."))
    return web.redirect(f"/request/{created['id']}")


def _request_page(
    web: Web, request_id: str, *, errors: dict[str, Any] | None = None, status: int = 200
) -> Response:
    with web.context() as ctx:
        shown = service.request_show(ctx, request_id)
        organizations = _organizations(ctx) if shown["can_answer"] else []
        entries: list[dict[str, Any]] = []
        if shown["can_answer"] and shown["organization"]:
            entries = inventory.inventory_list(ctx, shown["organization"]["name"])["entries"]
    return web.render(
        "request.html",
        {"request": shown, "errors": errors or {}},
        title=shown["title"],
        status=status,
        extra={
            "answer_states": rules.ANSWER_STATES,
            "reasons": rules.REASON_CATEGORIES,
            "entries": entries,
            "organizations": organizations,
            **_labels(web),
        },
    )


@page(router, "/request/{request_id}")
def request_page(request: Request, request_id: str) -> Response:
    return _request_page(Web(request), request_id)


async def _act(
    request: Request,
    request_id: str,
    action: Callable[[Context, dict[str, str]], Any],
    fields: tuple[str, ...],
    done: str,
) -> Response:
    """A form on the request page: run ``action``, then show the page again (or the errors)."""
    web = Web(request)
    form = await request.form()
    web.check_csrf(form)
    if web.user is None:
        return web.login_first(web.gettext("Log in first."))
    values = {k: str(form.get(k) or "") for k in fields}

    def run() -> None:
        with web.context(write=True) as ctx:
            action(ctx, values)

    try:
        await run_in_threadpool(run)
    except ValidationError as exc:
        return _request_page(web, request_id, errors=exc.errors, status=409)
    if web.as_json:
        return _request_page(web, request_id)
    web.flash(web.gettext(done))
    return web.redirect(f"/request/{request_id}")


@page(router, "/request/{request_id}/support", methods=("POST",))
async def request_support_page(request: Request, request_id: str) -> Response:
    return await _act(
        request,
        request_id,
        lambda ctx, _: service.request_support(ctx, request_id),
        (),
        N_("Thank you for your support."),
    )


@page(router, "/request/{request_id}/comment", methods=("POST",))
async def request_comment_page(request: Request, request_id: str) -> Response:
    return await _act(
        request,
        request_id,
        lambda ctx, values: service.request_comment(ctx, request_id, values),
        ("text",),
        N_("Your comment was added."),
    )


@page(router, "/request/{request_id}/answer", methods=("POST",))
async def request_answer_page(request: Request, request_id: str) -> Response:
    fields = (*ANSWER_FIELDS, "inventory_entry")
    return await _act(
        request,
        request_id,
        lambda ctx, values: service.request_answer(ctx, request_id, values),
        fields,
        N_("The answer was recorded."),
    )


@page(router, "/request/{request_id}/forward", methods=("POST",))
async def request_forward_page(request: Request, request_id: str) -> Response:
    return await _act(
        request,
        request_id,
        lambda ctx, values: service.request_forward(ctx, request_id, values),
        ("organization", "note"),
        N_("The request was forwarded."),
    )


@page(router, "/request/{request_id}/withdraw", methods=("POST",))
async def request_withdraw_page(request: Request, request_id: str) -> Response:
    return await _act(
        request,
        request_id,
        lambda ctx, values: service.request_withdraw(ctx, request_id, values),
        ("note",),
        N_("The request was withdrawn."),
    )


# -- inventory --------------------------------------------------------------------------------


@page(router, "/inventory")
def inventory_overview_page(request: Request) -> Response:
    web = Web(request)
    with web.context() as ctx:
        progress = inventory.inventory_progress(ctx)
    return web.render(
        "inventory_list.html",
        {"organizations": progress},
        title=web.gettext("Inventory of data held"),
        extra=_labels(web),
    )


def _inventory_page(
    web: Web, organization: str, *, errors: dict[str, Any] | None = None, status: int = 200
) -> Response:
    with web.context() as ctx:
        data = inventory.inventory_list(ctx, organization)
    org = data["organization"]
    return web.render(
        "inventory.html",
        {**data, "errors": errors or {}},
        title=web.gettext("Inventory of %(name)s", name=org["title"]),
        status=status,
        extra=_labels(web),
    )


@page(router, "/inventory/{organization}")
def inventory_page(request: Request, organization: str) -> Response:
    return _inventory_page(Web(request), organization)


@page(router, "/inventory/{organization}/import", methods=("POST",))
async def inventory_import_page(request: Request, organization: str) -> Response:
    """An editor uploads the filled-in template: every row is checked before any is saved."""
    web = Web(request)
    form = await request.form()
    web.check_csrf(form)
    if web.user is None:
        return web.login_first(web.gettext("Log in first."))
    upload = form.get("file")
    raw = await upload.read(MAX_UPLOAD + 1) if isinstance(upload, StarletteUpload) else b""
    filename = upload.filename or "" if isinstance(upload, StarletteUpload) else ""

    def run() -> dict[str, Any]:
        if not raw:
            raise ValidationError({"file": [web.gettext("Choose a CSV or Excel file.")]})
        if len(raw) > MAX_UPLOAD:
            raise ValidationError({"file": ["At most 10 MB"]})
        with web.context(write=True) as ctx:
            return inventory.import_file(ctx, organization, raw, filename)

    try:
        result = await run_in_threadpool(run)
    except ValidationError as exc:
        return _inventory_page(web, organization, errors=exc.errors, status=409)
    if web.as_json:
        return web.render("inventory.html", result, title="")
    web.flash(
        web.gettext(
            "Imported: %(created)s new, %(updated)s updated, %(unchanged)s unchanged.",
            created=result["created"],
            updated=result["updated"],
            unchanged=result["unchanged"],
        )
    )
    return web.redirect(f"/inventory/{organization}")
