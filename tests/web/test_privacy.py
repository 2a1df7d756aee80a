"""Private datasets on pages: exactly what the API shows the same user, nothing more."""

from __future__ import annotations

from fastapi.testclient import TestClient

from renkei.catalog import users
from renkei.catalog.context import Catalog
from tests.conftest import Api
from tests.web.conftest import Site, login


def _visible(client: TestClient, headers: dict[str, str] | None = None) -> set[str]:
    data = client.get("/dataset.json", headers=headers or {}).json()
    return {d["name"] for d in data["results"]}


def test_anonymous_visitors_never_see_private_datasets(client: TestClient, site: Site) -> None:
    assert _visible(client) == {site.public}
    assert client.get("/index.json").json()["counts"]["datasets"] == 1
    for path in (f"/dataset/{site.private}", f"/dataset/{site.private}.json"):
        response = client.get(path)
        assert response.status_code == 404
        assert "非公開の下書き" not in response.text  # not even the title leaks
    org = client.get(f"/organization/{site.org}.json").json()
    assert org["organization"]["package_count"] == 1
    assert org["search"]["count"] == 1
    assert "非公開の下書き" not in client.get(f"/organization/{site.org}").text
    counts = {f["field"]: f["items"] for f in client.get("/dataset.json").json()["facets"]}
    assert counts["organization"][0]["count"] == 1
    assert "pdl-1.0" not in {i["name"] for i in counts["license_id"]}


def test_members_see_them_through_the_session(
    client: TestClient, site: Site, api: Api, catalog: Catalog
) -> None:
    assert login(client, site.member).status_code == 303
    assert _visible(client) == {site.public, site.private}
    page = client.get(f"/dataset/{site.private}")
    assert page.status_code == 200
    assert "非公開の下書き" in page.text and "badge-private" in page.text
    assert client.get(f"/organization/{site.org}.json").json()["search"]["count"] == 2

    # The same as the API with this user's token and include_private.
    with catalog.context() as ctx:
        member = users.get_user(ctx, site.member)
        _, token = users.create_token(ctx, member, "compare")
    via_api = api.ok("package_search", token, include_private=True)
    assert {d["name"] for d in via_api["results"]} == _visible(client)


def test_outsiders_and_logged_out_users_do_not(client: TestClient, site: Site) -> None:
    login(client, site.outsider)
    assert _visible(client) == {site.public}
    assert client.get(f"/dataset/{site.private}").status_code == 404

    client.cookies.clear()
    login(client, site.member)
    assert client.get(f"/dataset/{site.private}").status_code == 200
    token = client.get("/user/tokens").text.split('name="csrf_token" value="')[1].split('"')[0]
    assert client.post("/user/logout", data={"csrf_token": token}).status_code == 200
    assert client.get(f"/dataset/{site.private}").status_code == 404


def test_an_api_token_works_on_pages_too(client: TestClient, site: Site, catalog: Catalog) -> None:
    with catalog.context() as ctx:
        _, token = users.create_token(ctx, users.get_user(ctx, site.member), "script")
    headers = {"Authorization": token}
    assert _visible(client, headers) == {site.public, site.private}
    bad = client.get("/dataset.json", headers={"Authorization": "rk_wrong"})
    assert bad.status_code == 403 and bad.json()["ok"] is False
    page = client.get("/dataset", headers={"Authorization": "rk_wrong"})
    assert page.status_code == 403 and "<h1>" in page.text


def test_a_deleted_account_loses_its_session(
    client: TestClient, site: Site, catalog: Catalog
) -> None:
    login(client, site.member)
    with catalog.context() as ctx:
        users.get_user(ctx, site.member).state = "deleted"
    assert _visible(client) == {site.public}
    assert client.get("/user/tokens", follow_redirects=False).status_code == 303
