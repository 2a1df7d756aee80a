"""The quality pages: a dataset's findings with how to fix them, "score now" for its editors,
an organization's aggregate and the public ranking; the same rights as the quality API."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from renkei.catalog import packages
from renkei.catalog.context import Catalog
from renkei.quality.report import evaluate, gather, save
from renkei.store.tables import Package, QualityReport
from renkei.web.routes.quality import format_points
from tests.web.conftest import Site, csrf_token, login


def _score(catalog: Catalog, name: str) -> dict:
    with catalog.context(write=False) as ctx:
        pkg = ctx.session.query(Package).filter_by(name=name).one()
        scan_input = gather(ctx, pkg)
    evaluation = evaluate(scan_input)
    with catalog.context() as ctx:
        save(ctx, evaluation)
    return evaluation.dataset_report


def _reports(catalog: Catalog) -> int:
    with catalog.context(write=False) as ctx:
        return ctx.session.query(QualityReport).filter_by(subject_type="dataset").count()


def test_an_editor_scores_the_dataset_and_reads_every_finding(
    client: TestClient, catalog: Catalog, site: Site
) -> None:
    page = client.get(f"/dataset/{site.public}/quality")
    assert page.status_code == 200
    assert "このデータセットはまだ評価されていません。" in page.text
    assert "今すぐ評価" not in page.text  # no button for an anonymous reader
    assert client.get(f"/dataset/{site.public}/quality.json").json()["report"] is None

    assert login(client, site.admin).status_code == 303
    page = client.get(f"/dataset/{site.public}/quality")
    assert "今すぐ評価" in page.text
    token = csrf_token(client, f"/dataset/{site.public}/quality")
    done = client.post(
        f"/dataset/{site.public}/quality", data={"csrf_token": token}, follow_redirects=False
    )
    assert done.status_code == 303
    assert done.headers["location"].endswith(f"/dataset/{site.public}/quality")

    data = client.get(f"/dataset/{site.public}/quality.json").json()
    report = data["report"]
    assert report is not None and report["name"] == site.public
    rules = {f["rule"] for s in report["scores"] for f in s.get("findings", [])}
    assert "mqa.findability.temporal" in rules  # the dataset has no temporal coverage
    html = client.get(f"/dataset/{site.public}/quality").text
    assert "mqa.findability.temporal" in html
    assert "対象期間（temporal_start / temporal_end）がありません。" in html
    assert "temporal_start（と temporal_end）に日付" in html  # how to fix, in Japanese
    assert f"405 点中 {format_points(report['total'])} 点" in html
    english = client.get(f"/dataset/{site.public}/quality", params={"lang": "en"}).text
    assert "No temporal coverage." in english
    assert "How to fix" in english
    # The resource is listed with its stars and its own findings.
    assert data["resources"][0]["name"] == "一覧 (CSV)"
    assert "一覧 (CSV)" in html
    # The dataset page links to the report.
    assert f'href="/dataset/{site.public}/quality"' in client.get(f"/dataset/{site.public}").text


def test_scoring_needs_an_editor_and_the_form_token(
    client: TestClient, catalog: Catalog, site: Site
) -> None:
    # Without a session token: refused, nothing stored.
    refused = client.post(f"/dataset/{site.public}/quality", data={}, follow_redirects=False)
    assert refused.status_code in (400, 403)
    assert _reports(catalog) == 0
    # Anonymous with a token: sent to log in.
    token = csrf_token(client)
    anonymous = client.post(
        f"/dataset/{site.public}/quality", data={"csrf_token": token}, follow_redirects=False
    )
    assert anonymous.status_code == 303 and "/user/login" in anonymous.headers["location"]
    # A member of the organization reads but doesn't edit: forbidden.
    login(client, site.member)
    token = csrf_token(client, f"/dataset/{site.public}/quality")
    member = client.post(
        f"/dataset/{site.public}/quality", data={"csrf_token": token}, follow_redirects=False
    )
    assert member.status_code == 403
    assert "今すぐ評価" not in client.get(f"/dataset/{site.public}/quality").text
    assert _reports(catalog) == 0


def test_private_datasets_stay_hidden(client: TestClient, catalog: Catalog, site: Site) -> None:
    _score(catalog, site.private)
    for path in (f"/dataset/{site.private}/quality", f"/dataset/{site.private}/quality.json"):
        assert client.get(path).status_code == 404
    login(client, site.outsider)
    assert client.get(f"/dataset/{site.private}/quality").status_code == 404
    client.get("/user/logout")
    member = TestClient(client.app)
    login(member, site.member)
    assert member.get(f"/dataset/{site.private}/quality").status_code == 200


def test_organization_summary_and_public_ranking(
    client: TestClient, catalog: Catalog, site: Site
) -> None:
    public = _score(catalog, site.public)
    _score(catalog, site.private)

    ranking = client.get("/quality.json").json()
    rows = ranking["ranking"]
    assert [r["name"] for r in rows] == [site.org]
    # Only the public dataset counts, for everybody.
    assert rows[0]["scored_datasets"] == 1
    assert rows[0]["average_total"] == round(public["total"], 2)
    html = client.get("/quality").text
    assert f'href="/organization/{site.org}/quality"' in html and "テスト市" in html

    summary = client.get(f"/organization/{site.org}/quality.json").json()
    assert (summary["datasets"], summary["scored"]) == (1, 1)  # anonymous: the public one
    assert [d["name"] for d in summary["lowest"]] == [site.public]
    html = client.get(f"/organization/{site.org}/quality").text
    band_link = f"/dataset?organization={site.org}&amp;quality={public['band']}"
    assert band_link in html
    # The band link finds the dataset through the search's quality filter.
    found = client.get(f"/dataset.json?organization={site.org}&quality={public['band']}").json()
    assert [d["name"] for d in found["results"]] == [site.public]

    login(client, site.member)
    summary = client.get(f"/organization/{site.org}/quality.json").json()
    assert (summary["datasets"], summary["scored"]) == (2, 2)  # a member reads both
    lowest = summary["lowest"]
    assert {d["name"] for d in lowest} == {site.public, site.private}
    assert lowest[0]["total"] <= lowest[1]["total"]  # what to fix first comes first
    assert (
        f'href="/dataset/{site.private}/quality"'
        in client.get(f"/organization/{site.org}/quality").text
    )
    assert client.get("/quality.json").json()["ranking"][0]["scored_datasets"] == 1
    assert client.get("/organization/no-such-org/quality").status_code == 404


def test_points_are_written_as_people_write_them() -> None:
    assert [format_points(v) for v in (405.0, 313.3333, 20, 0.5, None)] == [
        "405", "313.33", "20", "0.5", "—"
    ]  # fmt: skip


def test_hostile_names_are_escaped(client: TestClient, catalog: Catalog, site: Site) -> None:
    hostile = '<script>alert("x")</script>'
    with catalog.context() as ctx:
        admin_id = ctx.session.query(Package).filter_by(name=site.public).one().creator_user_id
    with catalog.context(admin_id) as ctx:
        pkg = packages.package_show(ctx, {"id": site.public})
        pkg["resources"][0]["name"] = hostile
        packages.package_update(ctx, pkg)
    _score(catalog, site.public)
    html = client.get(f"/dataset/{site.public}/quality").text
    assert hostile not in html
    assert re.search(r"&lt;script&gt;alert\(&#34;x&#34;\)&lt;/script&gt;", html)
