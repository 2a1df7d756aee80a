"""The needs and roadmap pages: HTML and JSON, forms with CSRF, and nothing private leaking."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from renkei.catalog import groups, users
from renkei.catalog.context import Catalog
from renkei.requests import service
from renkei.roadmap.service import import_roadmap, measure_link
from tests.needs.test_roadmap import ALIGNED_HEADER, ALIGNED_ROWS, _table
from tests.web.conftest import PASSWORD, Site, csrf_token, login

HOSTILE = '<script>alert("x")</script>'


@pytest.fixture
def filed(catalog: Catalog, site: Site) -> str:
    """A request to the test city (hostile title), an editor, and an aligned roadmap."""
    with catalog.context() as ctx:
        users.create_user(ctx, "eddy", password=PASSWORD)
        asker = users.create_user(ctx, "asker", password=PASSWORD)
        admin = users.get_user(ctx, site.admin)
    with catalog.context(admin.id) as ctx:
        groups.organization_member_create(
            ctx, {"id": site.org, "username": "eddy", "role": "editor"}
        )
        import_roadmap(ctx, _table(ALIGNED_HEADER + ALIGNED_ROWS))
        for kpi in ("quality_scores", "datasets_linked"):
            measure_link(ctx, "01-01", {"kind": "kpi", "target": kpi})
    with catalog.context(asker.id) as ctx:
        return service.request_create(
            ctx, {"title": HOSTILE, "purpose": "testing", "organization": site.org}
        )["id"]


def pages(request_id: str, org: str) -> list[str]:
    return [
        "/request",
        "/request?state=open&sort=support",
        f"/request/{request_id}",
        "/request/stats",
        "/inventory",
        f"/inventory/{org}",
        "/roadmap",
        "/roadmap?ministry=総務省&article=29条",
        "/roadmap/01-01",
    ]


def test_pages_are_html_and_json_and_escaped(client: TestClient, site: Site, filed: str) -> None:
    for path in pages(filed, site.org):
        html = client.get(path)
        assert html.status_code == 200, (path, html.text)
        assert html.headers["content-type"].startswith("text/html")
        assert HOSTILE not in html.text, path
        base, _, query = path.partition("?")
        as_json = client.get(f"{base}.json" + (f"?{query}" if query else ""))
        assert as_json.status_code == 200 and as_json.headers["content-type"] == "application/json"
    english = client.get("/roadmap?lang=en").text
    assert "Roadmap" in english and "01-01" in english
    japanese = client.get("/roadmap?lang=ja").text
    assert "工程表" in japanese
    filtered = client.get("/roadmap.json", params={"article": "29条"}).json()
    assert [m["number"] for m in filtered["results"]] == ["01-02"]
    assert client.get("/request/no-such.json").status_code == 404
    assert client.get("/roadmap/99-99").status_code == 404
    measure = client.get("/roadmap/01-01?lang=en").text
    assert "no organization has scored public datasets yet" in measure
    assert "datasets on this node visible to you" in measure


def test_new_request_form_support_and_answer(client: TestClient, site: Site, filed: str) -> None:
    assert client.get("/request/new", follow_redirects=False).status_code == 303  # log in first
    login(client, site.outsider)
    token = csrf_token(client, "/request/new")
    refused = client.post("/request/new", data={"title": "x", "purpose": "y"},
                          follow_redirects=False)  # fmt: skip
    assert refused.status_code == 403  # no CSRF token
    empty = client.post("/request/new", data={"csrf_token": token, "title": ""})
    assert empty.status_code == 409 and 'aria-invalid="true"' in empty.text
    made = client.post(
        "/request/new",
        data={
            "csrf_token": token,
            "title": "Toilets",
            "purpose": "A map",
            "organization": site.org,
        },
        follow_redirects=False,
    )
    assert made.status_code == 303
    request_path = made.headers["location"]
    page = client.get(request_path).text
    assert "Toilets" in page and "私もこのデータが必要です" in page
    client.post(f"{request_path}/support", data={"csrf_token": token})
    assert "この要望に賛同しています" in client.get(request_path).text
    # The outsider sees no answer form and cannot answer.
    assert 'name="reason_category"' not in client.get(request_path).text
    answer = {"csrf_token": token, "state": "received"}
    assert client.post(f"{request_path}/answer", data=answer).status_code == 403

    client.cookies.clear()
    login(client, "eddy")
    token = csrf_token(client, request_path)
    assert 'name="reason_category"' in client.get(request_path).text
    answered = client.post(f"{request_path}/answer",
                           data={"csrf_token": token, "state": "planned",
                                 "planned_date": "2027-04-01"}, follow_redirects=False)  # fmt: skip
    assert answered.status_code == 303
    shown = client.get(f"{request_path}.json").json()["request"]
    assert shown["state"] == "planned" and shown["events"][-1]["by"] == "eddy"


def test_private_dataset_not_on_request_or_inventory_pages(
    client: TestClient,
    catalog: Catalog,
    site: Site,
    filed: str,
) -> None:
    with catalog.context() as ctx:
        editor = users.get_user(ctx, "eddy")
    with catalog.context(editor.id) as ctx:
        service.request_answer(ctx, filed, {"state": "published", "dataset": site.private})
        from renkei.requests import inventory

        inventory.entry_create(ctx, site.org, {"title": "Draft", "status": "open",
                                               "dataset": site.private})  # fmt: skip
    for path in (f"/request/{filed}", f"/inventory/{site.org}", f"/request/{filed}.json"):
        text = client.get(path).text
        assert site.private not in text and "非公開の下書き" not in text, path
    login(client, site.member)
    assert re.search("非公開の下書き", client.get(f"/inventory/{site.org}").text)


def test_editor_imports_the_inventory_through_the_page(
    client: TestClient, site: Site, filed: str
) -> None:
    path = f"/inventory/{site.org}"
    assert 'type="file"' not in client.get(path).text  # only editors see the form
    login(client, "eddy")
    token = csrf_token(client, path)
    good = b"title,status,planned_date\r\nBus stops,planned,2027-01-01\r\n"
    done = client.post(f"{path}/import", data={"csrf_token": token},
                       files={"file": ("inv.csv", good)}, follow_redirects=False)  # fmt: skip
    assert done.status_code == 303
    assert "Bus stops" in client.get(path).text
    bad = b"title,status\r\nTaxes,not_open\r\n"
    refused = client.post(f"{path}/import", data={"csrf_token": token},
                          files={"file": ("inv.csv", bad)})  # fmt: skip
    assert refused.status_code == 409 and "row 2" in refused.text
    assert "Taxes" not in client.get(f"{path}.json").text


def test_request_list_pages(client: TestClient, catalog: Catalog, site: Site) -> None:
    with catalog.context() as ctx:
        asker = users.create_user(ctx, "many", password=PASSWORD)
    with catalog.context(asker.id) as ctx:
        for number in range(52):
            service.request_create(ctx, {"title": f"R{number:02}", "purpose": "p"})
    first = client.get("/request").text
    assert "offset=50" in first and "R51" in first and "R01" not in first
    second = client.get("/request?offset=50").text
    assert "R01" in second and "R00" in second and "offset=0" in second


def test_an_organization_page_links_its_requests_and_inventory(
    client: TestClient, site: Site
) -> None:
    html = client.get(f"/organization/{site.org}", params={"lang": "en"}).text
    assert f'href="/request?organization={site.org}"' in html
    assert f'href="/inventory/{site.org}"' in html
    assert client.get(f"/inventory/{site.org}").status_code == 200
