"""Quality pages: a dataset's report with every finding and how to fix it, an organization's
aggregate (bands, stars, trend), the public ranking of organizations, and "score now" for
the dataset's editors. They read what ``/api/v1/quality`` serves (``renkei.quality.service``)
with the same rights: a dataset the caller can't read is a 404 here too."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from renkei.catalog import authz
from renkei.catalog.context import Context
from renkei.catalog.packages import get_package, package_show
from renkei.errors import NotFound
from renkei.quality import service
from renkei.web.i18n import N_
from renkei.web.page import Web
from renkei.web.routes.datasets import QUALITY_BANDS
from renkei.web.routing import page, web_router

router = web_router()

SCORER_TITLES = {
    "mqa": N_("Metadata (data.europa.eu MQA)"),
    "openness": N_("Openness (5-star open data)"),
    "freshness": N_("Freshness"),
    "links": N_("Links"),
    "machine_readability": N_("Machine-readability (統計表の表記方法)"),
    "structure": N_("Structure"),
    "codes": N_("Local government codes"),
    "standard_schema": N_("Standard dataset schema"),
}
DIMENSION_TITLES = {
    "findability": N_("Findability"),
    "accessibility": N_("Accessibility"),
    "interoperability": N_("Interoperability"),
    "reusability": N_("Reusability"),
    "contextuality": N_("Contextuality"),
}
SEVERITY_TITLES = {"error": N_("error"), "warning": N_("warning"), "info": N_("info")}


@page(router, "/quality")
def ranking_page(request: Request) -> Response:
    web = Web(request)
    with web.context() as ctx:
        ranking = service.organization_ranking(ctx)
    return web.render(
        "quality_ranking.html",
        ranking,
        title=web.gettext("Quality of organizations' data"),
        extra=_labels(web),
    )


@page(router, "/organization/{name}/quality")
def organization_quality_page(request: Request, name: str) -> Response:
    web = Web(request)
    with web.context() as ctx:
        report = service.organization_report(ctx, name)
    org = report["organization"]
    return web.render(
        "organization_quality.html",
        report,
        title=web.gettext("Quality: %(name)s", name=org["title"] or org["name"]),
        extra={
            **_labels(web),
            "band_link": lambda band: web.url(
                "/dataset", [("organization", org["name"]), ("quality", band)]
            ),
        },
    )


@page(router, "/dataset/{name}/quality")
def dataset_quality_page(request: Request, name: str) -> Response:
    web = Web(request)
    with web.context() as ctx:
        data = dataset_quality_data(ctx, name)
    dataset = data["dataset"]
    title = web.tr(dataset["title_translated"], dataset["title"]).text or dataset["name"]
    return web.render(
        "dataset_quality.html",
        data,
        title=web.gettext("Quality: %(name)s", name=title),
        extra=_labels(web),
    )


@page(router, "/dataset/{name}/quality", methods=("POST",))
async def score_dataset(request: Request, name: str) -> Response:
    """Score now (the dataset's editors): what ``POST /api/v1/quality/datasets/{id}/scan``
    does, links included when the form asks for them."""
    web = Web(request)
    fields = dict(await request.form())
    web.check_csrf(fields)
    if web.user is None:
        return web.login_first(web.gettext("Log in first."))
    check_links = fields.get("links") in ("1", "true", "on")

    def prepare() -> Any:
        with web.context() as ctx:
            return service.prepare_scan(ctx, name)

    def save(evaluation: Any) -> dict[str, Any]:
        with web.context(write=True) as ctx:
            return service.save_scan(ctx, evaluation)

    scan = await run_in_threadpool(prepare)
    evaluation = await run_in_threadpool(
        service.evaluate_scan, scan, web.settings, links=check_links
    )
    report = await run_in_threadpool(save, evaluation)
    web.flash(web.gettext("The dataset was scored: %(total)s of %(max)s points.",
                          total=round(report["total"]), max=round(report["max"])))  # fmt: skip
    path = f"/dataset/{report['name']}/quality"
    if web.as_json:
        return web.render("error.html", {"report": report, "redirect": web.url(path)}, title="")
    return web.redirect(path)


def dataset_quality_data(ctx: Context, name: str) -> dict[str, Any]:
    """The dataset's stored report with each resource's findings (``None`` before the first
    scoring), and whether the caller may score it."""
    dataset = package_show(ctx, {"id": name})  # a 404 for those who can't read it
    can_edit = authz.can_edit_package(ctx, get_package(ctx, dataset["id"]))
    try:
        report = service.dataset_report(ctx, dataset["id"])
    except NotFound:
        report = None
    resources = []
    for summary in (report or {}).get("resources", []):
        try:
            resources.append(service.resource_report(ctx, summary["id"]))
        except NotFound:  # a resource added after the report: listed without findings
            resources.append({**summary, "resource_id": summary["id"], "missing": True})
    return {
        "dataset": {
            key: dataset[key]
            for key in ("id", "name", "title", "title_translated", "private", "organization")
        },
        "report": report,
        "resources": resources,
        "can_edit": can_edit,
    }


def _labels(web: Web) -> dict[str, Any]:
    """Translated names of bands, scorers, dimensions and severities, and a finding's texts in
    the page's language (the reports carry English and Japanese)."""
    japanese = web.lang == "ja"

    def text(finding: dict[str, Any], key: str) -> str:
        return (finding.get(f"{key}_ja") if japanese else None) or finding.get(key) or ""

    return {
        "bands": {k: web.gettext(v) for k, v in QUALITY_BANDS.items()},
        "scorer_titles": {k: web.gettext(v) for k, v in SCORER_TITLES.items()},
        "dimension_titles": {k: web.gettext(v) for k, v in DIMENSION_TITLES.items()},
        "severity_titles": {k: web.gettext(v) for k, v in SEVERITY_TITLES.items()},
        "finding_text": text,
        "where": lambda location: describe_location(web, location),
        "points": format_points,
    }


def format_points(value: float | None) -> str:
    """Points as people write them: 405, 313.33 (not 405.0, 313.3333)."""
    if value is None:
        return "—"
    rounded = round(float(value), 2)
    return str(int(rounded)) if rounded.is_integer() else f"{rounded:g}"


def describe_location(web: Web, location: dict[str, Any] | None) -> str:
    """Where a finding is, in words: sheet, row, column (and its name), or metadata field."""
    if not location:
        return ""
    parts = []
    if location.get("sheet"):
        parts.append(web.gettext("sheet %(name)s", name=location["sheet"]))
    if location.get("row") is not None:
        parts.append(web.gettext("row %(row)s", row=location["row"]))
    if location.get("column") is not None:
        column = web.gettext("column %(column)s", column=location["column"])
        if location.get("column_name"):
            column += f" ({location['column_name']})"
        parts.append(column)
    elif location.get("column_name"):
        parts.append(web.gettext("column %(column)s", column=location["column_name"]))
    if location.get("field"):
        parts.append(web.gettext("field %(field)s", field=location["field"]))
    return ", ".join(parts)
