"""Stored quality reports through /api/v1/quality, package_show's quality block, the
organization aggregates and ranking (privacy), and ``renkei quality scan``."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from renkei.catalog.context import Catalog
from renkei.cli import app
from renkei.config import Settings
from renkei.quality.findings import Score
from renkei.quality.reading import ReadError
from renkei.quality.report import ResourceFile, evaluate, gather
from renkei.store.tables import Package, QualityHistory, QualityReport
from tests.test_quality_links import server  # noqa: F401  (the loopback HTTP server fixture)

AED = "csv-ja/takamatsu_0002_aed.csv"


@pytest.fixture
def admin(make_user: Callable[..., Any]) -> Any:
    return make_user("sysop", sysadmin=True)


@pytest.fixture
def org(api: Any, admin: Any) -> dict[str, Any]:
    return api.ok("organization_create", admin.token, name="takamatsu", title="高松市")


@pytest.fixture
def users(
    api: Any, admin: Any, org: dict[str, Any], make_user: Callable[..., Any]
) -> dict[str, str]:
    """An editor and a member of the organization: name -> API token."""
    tokens = {}
    for role in ("editor", "member"):
        tokens[role] = make_user(role).token
        api.ok("organization_member_create", admin.token, id=org["id"], username=role, role=role)
    return tokens


def make_dataset(
    api: Any,
    token: str,
    org: dict[str, Any],
    name: str,
    fixture_file: Callable[[str], Path],
    **fields: Any,
) -> dict[str, Any]:
    dataset = api.ok(
        "package_create",
        token,
        name=name,
        owner_org=org["id"],
        title="AED設置場所",
        notes="高松市の AED 設置場所",
        license_id="cc-by-4.0",
        tags=[{"name": "AED"}],
        maintainer="高松市",
        maintainer_email="aed@city.takamatsu.example.jp",
        extras=[{"key": "frequency", "value": "毎年"}],
        **fields,
    )
    source = fixture_file(AED)
    api.ok(
        "resource_create",
        token,
        package_id=dataset["id"],
        name="AED一覧",
        format="CSV",
        files={"upload": (source.name, source.read_bytes(), "text/csv")},
    )
    return api.ok("package_show", token, id=dataset["id"])


def scan(client: Any, ref: str, token: str | None, **params: Any) -> Any:
    headers = {"Authorization": token} if token else {}
    return client.post(f"/api/v1/quality/datasets/{ref}/scan", headers=headers, params=params)


def test_scan_stores_the_report_and_package_show_summarises_it(
    api: Any,
    client: Any,
    catalog: Catalog,
    admin: Any,
    org: dict[str, Any],
    users: dict[str, str],
    fixture_file: Any,
) -> None:
    dataset = make_dataset(api, admin.token, org, "aed", fixture_file)
    assert dataset["quality"] is None  # never scored

    response = scan(client, "aed", users["editor"])
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["max"] == 405 and report["band"] in ("good", "sufficient")
    assert report["stars"] == 3  # an openly licensed CSV, sniffed from the uploaded file
    assert report["freshness"] == "fresh"
    assert [s["scorer"] for s in report["scores"]] == ["mqa", "openness", "freshness"]
    lost = {f["rule"] for f in report["scores"][0]["findings"]}
    # Uploaded: the blob answers, so the accessibility indicators are all met.
    assert not {r for r in lost if r.startswith("mqa.accessibility")}
    assert "mqa.findability.theme" in lost and "mqa.findability.spatial" in lost
    total = 405 - sum(f["points_lost"] for f in report["scores"][0]["findings"])
    assert report["total"] == pytest.approx(total)

    stored = client.get("/api/v1/quality/datasets/aed").json()
    assert stored["total"] == report["total"] and stored["stale"] is False

    shown = api.ok("package_show", id="aed")["quality"]
    assert shown == {
        "total": report["total"],
        "max": 405.0,
        "band": report["band"],
        "stars": 3,
        "scored_at": report["scored_at"],
        "stale": False,
    }
    # show -> update round trip keeps working with the read-only block in it
    shown_full = api.ok("package_show", admin.token, id="aed")
    api.ok("package_update", admin.token, **{**shown_full, "notes": "更新"})
    # The edit queued a rescore (tests/test_quality_on_save.py): once it ran, the summary is
    # fresh again; with the setting off it stays stale until a scan.
    assert catalog.jobs is not None and catalog.jobs.join(timeout=60)
    rescored = api.ok("package_show", id="aed")["quality"]
    assert rescored["stale"] is False and rescored["scored_at"] > report["scored_at"]

    resource_id = dataset["resources"][0]["id"]
    resource = client.get(f"/api/v1/quality/resources/{resource_id}").json()
    assert resource["stars"] == 3 and resource["link"] is None
    assert resource["scores"][0]["scorer"] == "openness"


def test_scan_needs_edit_rights(
    api: Any, client: Any, admin: Any, org: dict[str, Any], users: dict[str, str], fixture_file: Any
) -> None:
    make_dataset(api, admin.token, org, "aed", fixture_file)
    for token in (None, users["member"]):
        response = scan(client, "aed", token)
        assert response.status_code == 403
        assert response.headers["content-type"] == "application/problem+json"
    assert scan(client, "nope", users["editor"]).status_code == 404
    bad = scan(client, "aed", users["editor"], links="perhaps")
    assert bad.status_code == 400 and "links" in bad.json()["errors"]
    assert client.get("/api/v1/quality/datasets/aed").status_code == 404  # not scored yet
    assert "renkei quality scan" in client.get("/api/v1/quality/datasets/aed").json()["detail"]


def test_link_resources_are_checked_on_request(
    api: Any,
    client: Any,
    settings: Settings,
    admin: Any,
    org: dict[str, Any],
    fixture_file: Any,
    server: str,  # noqa: F811
) -> None:
    dataset = make_dataset(api, admin.token, org, "aed", fixture_file)
    link = api.ok(
        "resource_create",
        admin.token,
        package_id=dataset["id"],
        name="外部",
        url=f"{server}/data.csv",
        format="CSV",
    )
    settings.link_check_host_interval = 0

    # Loopback is refused unless the node allows private targets.
    refused = scan(client, "aed", admin.token, links="true").json()
    link_report = client.get(f"/api/v1/quality/resources/{link['id']}").json()
    assert link_report["link"]["ok"] is False and "loopback" in link_report["link"]["error"]
    assert "links.refused" in {f["rule"] for s in link_report["scores"] for f in s["findings"]}
    assert refused["stars"] == 3  # the upload still has 3

    settings.fetch_allow_private = True
    checked = scan(client, "aed", admin.token, links="true").json()
    link_report = client.get(f"/api/v1/quality/resources/{link['id']}").json()
    assert link_report["link"]["ok"] is True and link_report["link"]["status"] == 206
    mqa = checked["scores"][0]
    access = [f for f in mqa["findings"] if f["rule"] == "mqa.accessibility.access_url_status"]
    assert access == []  # both resources answered
    assert checked["scores"][-1]["scorer"] == "links"
    assert checked["scores"][-1]["points"] == 1 == checked["scores"][-1]["max_points"]

    # Without --links the previous result for the unchanged URL is reused.
    again = scan(client, "aed", admin.token).json()
    assert "mqa.accessibility.access_url_status" not in {
        f["rule"] for f in again["scores"][0]["findings"]
    }
    assert client.get(f"/api/v1/quality/resources/{link['id']}").json()["link"]["ok"] is True


def test_a_missing_upload_is_an_accessibility_error(
    api: Any, client: Any, settings: Settings, admin: Any, org: dict[str, Any], fixture_file: Any
) -> None:
    make_dataset(api, admin.token, org, "aed", fixture_file)
    for blob in settings.blob_dir.rglob("*"):
        if blob.is_file():
            blob.unlink()
    report = scan(client, "aed", admin.token).json()
    errors = [
        f
        for f in report["scores"][0]["findings"]
        if f["severity"] == "error" and "blob" in f["message"]
    ]
    assert {f["rule"] for f in errors} == {
        "mqa.accessibility.access_url_status",
        "mqa.accessibility.download_url_status",
    }
    assert report["stars"] == 0


def test_private_datasets_in_reports_aggregates_and_ranking(
    api: Any, client: Any, admin: Any, org: dict[str, Any], users: dict[str, str], fixture_file: Any
) -> None:
    make_dataset(api, admin.token, org, "public-aed", fixture_file)
    hidden = make_dataset(api, admin.token, org, "hidden-aed", fixture_file, private=True)
    other = api.ok("organization_create", admin.token, name="nanao", title="七尾市")
    api.ok(
        "package_create", admin.token, name="bare", owner_org=other["id"], notes="x"
    )  # a poor dataset in another organization
    for name in ("public-aed", "hidden-aed", "bare"):
        assert scan(client, name, admin.token).status_code == 200

    def get(path: str, token: str | None = None) -> Any:
        return client.get(path, headers={"Authorization": token} if token else {})

    assert get("/api/v1/quality/datasets/hidden-aed").status_code == 404
    assert get("/api/v1/quality/datasets/hidden-aed", users["member"]).status_code == 200
    hidden_resource = f"/api/v1/quality/resources/{hidden['resources'][0]['id']}"
    assert get(hidden_resource).status_code == 404
    assert get(hidden_resource, users["member"]).status_code == 200

    outside = get("/api/v1/quality/organizations/takamatsu").json()
    inside = get("/api/v1/quality/organizations/takamatsu", users["member"]).json()
    assert (outside["datasets"], outside["scored"]) == (1, 1)
    assert (inside["datasets"], inside["scored"]) == (2, 2)
    assert sum(outside["bands"].values()) == 1 and sum(outside["stars"].values()) == 1
    assert outside["trend"][-1]["datasets"] == 1
    assert get("/api/v1/quality/organizations/nope").status_code == 404

    ranking = get("/api/v1/quality/organizations").json()
    assert ranking == get("/api/v1/quality/organizations", admin.token).json()  # same for all
    assert ranking["basis"] == "public datasets only"
    assert [(r["rank"], r["name"], r["scored_datasets"]) for r in ranking["ranking"]] == [
        (1, "takamatsu", 1),
        (2, "nanao", 1),
    ]
    assert ranking["ranking"][0]["average_total"] == outside["average_total"]


def test_history_gives_the_trend_and_purge_removes_everything(
    api: Any,
    client: Any,
    catalog: Catalog,
    admin: Any,
    org: dict[str, Any],
    fixture_file: Any,
) -> None:
    dataset = make_dataset(api, admin.token, org, "aed", fixture_file)
    first = scan(client, "aed", admin.token).json()
    api.ok("package_patch", admin.token, id="aed", tags=[])  # loses the keyword points
    # The edit's background rescore is the second report (tests/test_quality_on_save.py).
    assert catalog.jobs is not None and catalog.jobs.join(timeout=60)
    second = client.get("/api/v1/quality/datasets/aed").json()
    assert second["total"] == first["total"] - 30
    trend = client.get("/api/v1/quality/organizations/takamatsu").json()["trend"]
    assert trend[-1] == {"date": trend[-1]["date"], "average_total": second["total"], "datasets": 1}

    with catalog.context() as ctx:
        assert ctx.session.scalar(select(func.count()).select_from(QualityHistory)) == 2
    api.ok("dataset_purge", admin.token, id=dataset["id"])
    with catalog.context() as ctx:
        for table in (QualityHistory, QualityReport):
            assert ctx.session.scalar(select(func.count()).select_from(table)) == 0


def test_resource_scorers_plug_in_for_uploaded_files(
    api: Any, catalog: Catalog, admin: Any, org: dict[str, Any], fixture_file: Any
) -> None:
    make_dataset(api, admin.token, org, "aed", fixture_file)
    seen: list[ResourceFile] = []

    def content_scorer(file: ResourceFile) -> list[Score]:
        seen.append(file)
        assert file.path.read_bytes() == fixture_file(AED).read_bytes()
        return [Score(scorer="structure", points=9, max_points=10, findings=[])]

    with catalog.context(write=False) as ctx:
        pkg = ctx.session.scalar(select(Package).where(Package.name == "aed"))
        assert pkg is not None
        scan_input = gather(ctx, pkg)

    def broken_scorer(file: ResourceFile) -> list[Score]:
        raise ValueError("cannot parse")

    evaluation = evaluate(scan_input, resource_scorers=[content_scorer, broken_scorer])
    assert [f.filename for f in seen] == ["takamatsu_0002_aed.csv"]
    assert seen[0].format == "CSV"
    report = next(iter(evaluation.resource_reports.values()))
    assert [s["scorer"] for s in report["scores"]] == ["openness", "structure", "broken_scorer"]
    # A scorer that fails on a file is a finding, not a failed scan.
    (failed,) = report["scores"][2]["findings"]
    assert failed["rule"] == "quality.scorer-failed" and "ValueError" in failed["message"]
    # A file that isn't what its format says: the reader's message, for the publisher to act on.

    def unreadable(file: ResourceFile) -> list[Score]:
        raise ReadError("aed.xlsx is not a readable XLSX workbook: not a zip file")

    evaluation_b = evaluate(scan_input, resource_scorers=[unreadable])
    report_b = next(iter(evaluation_b.resource_reports.values()))
    (unread,) = report_b["scores"][1]["findings"]
    assert unread["rule"] == "quality.scorer-failed"
    assert unread["message"] == "aed.xlsx is not a readable XLSX workbook: not a zip file"
    assert "XLSX" in unread["fix"] and "読めませんでした" in unread["message_ja"]
    assert evaluation.dataset_report["counts"]["warning"] >= 1
    summary = evaluation.dataset_report["resources"][0]["scores"]
    assert summary[1] == {
        "scorer": "structure",
        "points": 9.0,
        "max_points": 10.0,
        "band": None,
        "errors": 0,
    }


runner = CliRunner()


def test_cli_scan_is_incremental(
    api: Any,
    admin: Any,
    org: dict[str, Any],
    settings: Settings,
    fixture_file: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # What is tested is the CLI's choice of the datasets changed since their report: no
    # background rescore (tests/test_quality_on_save.py) may get there first.
    settings.quality_on_save = False
    make_dataset(api, admin.token, org, "aed", fixture_file)
    api.ok("package_create", admin.token, name="bare", owner_org=org["id"])
    monkeypatch.setenv("RENKEI_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("RENKEI_SITE_URL", settings.site_url)

    def run(*args: str) -> dict[str, Any]:
        result = runner.invoke(app, ["quality", "scan", "--format", "json", *args])
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    first = run()
    assert first["scanned"] == 2 and sum(first["bands"].values()) == 2
    assert run()["scanned"] == 0  # nothing changed since
    api.ok("package_patch", admin.token, id="bare", notes="説明")
    assert run()["scanned"] == 1
    assert run("--all")["scanned"] == 2
    assert run("--dataset", "aed")["scanned"] == 1
    assert run("--older-than", "0")["scanned"] == 2  # every report is older than 0 days
    missing = runner.invoke(app, ["quality", "scan", "--dataset", "nope"])
    assert missing.exit_code == 2 and "Not found" in missing.output
    text = runner.invoke(app, ["quality", "scan", "--all"])
    assert text.exit_code == 0 and "Scored 2 datasets" in text.output


def test_uploaded_tables_get_the_content_checks(
    api: Any, client: Any, admin: Any, org: dict[str, Any], fixture_file: Any
) -> None:
    dataset = make_dataset(api, admin.token, org, "aed", fixture_file)
    assert scan(client, "aed", admin.token).status_code == 200
    resource_id = dataset["resources"][0]["id"]
    resource = client.get(f"/api/v1/quality/resources/{resource_id}").json()
    scorers = [s["scorer"] for s in resource["scores"]]
    assert {"openness", "machine_readability", "structure", "codes"} <= set(scorers)
    readability = next(s for s in resource["scores"] if s["scorer"] == "machine_readability")
    # The Takamatsu AED file opens with a preamble of '#' lines above its header.
    assert any(f["rule"].startswith("jp-mr.table") for f in readability["findings"])
