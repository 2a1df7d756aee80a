"""Every page answers as HTML and, with the same content, as JSON (``.json`` or ``Accept``)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from fastapi.testclient import TestClient

from renkei.catalog import packages, users
from renkei.catalog.context import Catalog
from tests.web.conftest import Site

PAGES = [
    "/",
    "/dataset",
    "/dataset?q=避難所",
    "/dataset/public-shelters",
    "/organization",
    "/organization/city-of-tests",
    "/group",
    "/group/disaster",
    "/user/login",
]


def _json_path(path: str) -> str:
    base, _, query = path.partition("?")
    base = "/index" if base == "/" else base
    return f"{base}.json" + (f"?{query}" if query else "")


@pytest.mark.parametrize("path", PAGES)
def test_every_page_is_html_and_json(client: TestClient, site: Site, path: str) -> None:
    html = client.get(path)
    assert html.status_code == 200, html.text
    assert html.headers["content-type"].startswith("text/html")
    assert '<main id="main"' in html.text
    # The JSON twin is announced in the page and in a Link header.
    json_path = _json_path(path)
    link = html.headers["link"]
    assert 'rel="alternate"' in link and "application/json" in link
    assert re.search(r'<link rel="alternate" type="application/json" href="([^"]+)">', html.text)

    as_suffix = client.get(json_path)
    as_accept = client.get(path, headers={"Accept": "application/json"})
    for response in (as_suffix, as_accept):
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/json"
    assert as_suffix.json() == as_accept.json()
    assert "Accept" in html.headers["vary"]


def test_browser_accept_header_gets_html(client: TestClient, site: Site) -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    assert (
        client.get("/", headers={"Accept": browser}).headers["content-type"].startswith("text/html")
    )
    prefers_json = "text/html;q=0.5, application/json"
    assert client.get("/", headers={"Accept": prefers_json}).headers["content-type"] == (
        "application/json"
    )


def test_home_content(client: TestClient, site: Site) -> None:
    data = client.get("/index.json").json()
    # The keys of the node's JSON home page before it had an HTML twin.
    assert {"name", "description", "renkei_version", "links"} <= set(data)
    assert data["links"]["ckan_action_api"].endswith("/api/3/action/")
    assert data["counts"] == {"datasets": 1, "organizations": 1, "groups": 1}
    assert [d["name"] for d in data["newest"]] == [site.public]
    assert {t["name"] for t in data["tags"]} == {"避難所", "防災"}
    assert data["organizations"][0]["name"] == site.org
    html = client.get("/").text
    assert 'role="search"' in html and 'name="q"' in html
    assert "/dataset?tags=%E9%81%BF%E9%9B%A3%E6%89%80" in html  # a tag links to its filter


def test_search_facets_filters_sort_and_paging(client: TestClient, site: Site) -> None:
    data = client.get("/dataset.json", params={"q": "避難所"}).json()
    assert data["count"] == 1
    facets = {f["field"]: f["items"] for f in data["facets"]}
    assert set(facets) == {"organization", "groups", "tags", "res_format", "license_id", "quality"}
    assert facets["organization"] == [
        {"name": site.org, "display_name": "テスト市", "count": 1, "active": False}
    ]
    assert facets["license_id"][0]["display_name"] == "クリエイティブ・コモンズ 表示 4.0 国際"

    page = client.get("/dataset", params={"q": "避難所"}).text
    # A facet value links to the same search with one more filter.
    link = re.search(r'class="facet-link" href="([^"]*res_format=CSV[^"]*)"', page)
    assert link, page
    target = link.group(1).replace("&amp;", "&")
    assert dict(parse_qsl(urlsplit(target).query)) == {"q": "避難所", "res_format": "CSV"}

    filtered = client.get(target.replace("/dataset", "/dataset.json", 1)).json()
    assert filtered["filters"] == [{"field": "res_format", "value": "CSV", "display_name": "CSV"}]
    assert filtered["count"] == 1
    assert "fq=res_format" in filtered["api_call"]
    html = client.get(target).text
    assert 'class="chip"' in html  # the active filter is shown, and is a link that removes it
    chip = re.search(r'class="chip" href="([^"]*)"', html)
    assert chip and "res_format" not in chip.group(1)

    none = client.get("/dataset.json", params={"res_format": "XLSX"}).json()
    assert none["count"] == 0

    sorted_page = client.get("/dataset", params={"sort": "name asc"}).text
    assert '<option value="name asc" selected>' in sorted_page
    bad_sort = client.get("/dataset.json", params={"sort": "drop table"}).json()
    assert bad_sort["sort"] == "score desc, metadata_modified desc"


def test_pagination(client: TestClient, catalog: Catalog, site: Site) -> None:
    with catalog.context() as ctx:
        admin = users.get_user(ctx, site.admin)
    with catalog.context(admin.id) as ctx:
        for n in range(25):
            packages.package_create(
                ctx, {"name": f"bulk-{n:02d}", "title": f"Bulk {n}", "owner_org": site.org}
            )
    first = client.get("/dataset.json", params={"sort": "name asc"}).json()
    assert (first["count"], first["pages"], len(first["results"])) == (26, 2, 20)
    second = client.get("/dataset.json", params={"sort": "name asc", "page": "2"}).json()
    assert len(second["results"]) == 6
    assert not {r["name"] for r in first["results"]} & {r["name"] for r in second["results"]}
    html = client.get("/dataset", params={"sort": "name asc"}).text
    assert 'aria-current="page" class="current"' in html
    assert 'rel="next"' in html and "page=2" in html
    assert client.get("/dataset.json", params={"page": "x"}).json()["page"] == 1


def test_unreadable_query_is_a_400_page_not_a_crash(client: TestClient, site: Site) -> None:
    response = client.get("/dataset", params={"q": "(unbalanced"})
    assert response.status_code == 400
    assert 'role="alert"' in response.text
    data = client.get("/dataset.json", params={"q": "(unbalanced"}).json()
    assert data["count"] == 0 and data["error"]


def test_dataset_page_content(client: TestClient, site: Site) -> None:
    data = client.get(f"/dataset/{site.public}.json").json()
    dataset = data["dataset"]
    assert dataset["name"] == site.public
    assert data["license"]["summary_ja"] and data["license"]["summary_en"]
    assert data["api"]["package_show"] == (
        f"http://testserver/api/3/action/package_show?id={site.public}"
    )
    assert [g["name"] for g in data["groups"]] == ["disaster"]
    assert data["activity"][0]["activity_type"] == "new package"
    assert "data" not in data["activity"][0]

    html = client.get(f"/dataset/{site.public}").text
    assert "<h1>避難所一覧</h1>" in html
    assert "<strong>避難所</strong>" in html  # Markdown rendered
    assert "クレジットを表示すれば" in html  # the licence's plain-language summary
    assert 'href="https://example.org/shelters.csv"' in html  # the resource's link
    assert f"package_show?id={site.public}" in html
    assert html.count('<script type="application/ld+json">') == 2


def test_dataset_by_id_renders_with_canonical_link(client: TestClient, site: Site) -> None:
    dataset_id = client.get(f"/dataset/{site.public}.json").json()["dataset"]["id"]
    html = client.get(f"/dataset/{dataset_id}").text
    assert f'<link rel="canonical" href="http://testserver/dataset/{site.public}">' in html


def test_organization_and_group_pages(client: TestClient, site: Site) -> None:
    orgs = client.get("/organization.json").json()
    assert [o["name"] for o in orgs["organizations"]] == [site.org]
    assert orgs["organizations"][0]["package_count"] == 1
    org = client.get(f"/organization/{site.org}.json").json()
    assert org["organization"]["name"] == site.org
    assert [d["name"] for d in org["search"]["results"]] == [site.public]
    # The organization is fixed, so it is no facet of its own page.
    assert "organization" not in {f["field"] for f in org["search"]["facets"]}
    assert "テスト市" in client.get(f"/organization/{site.org}").text

    group = client.get("/group/disaster.json").json()
    assert group["group"]["name"] == "disaster"
    assert [d["name"] for d in group["search"]["results"]] == [site.public]
    assert [g["name"] for g in client.get("/group.json").json()["groups"]] == ["disaster"]
    assert client.get("/organization.json", params={"q": "nothing"}).json()["count"] == 0


@pytest.mark.parametrize(
    "path", ["/dataset/no-such-thing", "/organization/nope", "/group/nope", "/no/such/page"]
)
def test_missing_things_are_404_pages_and_json(client: TestClient, path: str) -> None:
    html = client.get(path)
    assert html.status_code == 404
    assert html.headers["content-type"].startswith("text/html")
    assert "<h1>" in html.text
    data: Any = client.get(path + ".json").json()
    assert data["ok"] is False and data["status"] == 404


def test_api_routes_keep_their_json_errors(client: TestClient) -> None:
    response = client.get("/api/3/action/package_show", params={"id": "nope"})
    assert response.status_code == 404 and response.json()["success"] is False
    assert client.get("/api/nope").json() == {"detail": "Not Found"}


def test_static_css_is_served(client: TestClient) -> None:
    response = client.get("/static/renkei.css")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/css")
    assert ":focus-visible" in response.text


def test_security_headers(client: TestClient, site: Site) -> None:
    headers = client.get("/").headers
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    # Anonymous browsing sets no session cookie.
    assert "renkei_session" not in headers.get("set-cookie", "")
