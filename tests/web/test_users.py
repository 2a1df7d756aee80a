"""Login, logout and the API token page; every form refuses a POST without its CSRF token."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from renkei.web.page import safe_next
from tests.conftest import Api
from tests.web.conftest import PASSWORD, Site, csrf_token, login


def test_login_and_logout(client: TestClient, site: Site) -> None:
    response = login(client, site.member)
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = response.headers["set-cookie"]
    assert "renkei_session=" in cookie and "httponly" in cookie.lower()
    assert "samesite=lax" in cookie.lower()
    home = client.get("/").text
    assert "mina としてログインしています。" in home  # the flash message, shown once
    assert "mina としてログインしています。" not in client.get("/").text
    assert 'action="/user/logout"' in home

    token = csrf_token(client, "/")
    out = client.post("/user/logout", data={"csrf_token": token}, follow_redirects=False)
    assert out.status_code == 303
    assert 'action="/user/logout"' not in client.get("/").text


@pytest.mark.parametrize(
    ("username", "password"),
    [("mina", "wrong password"), ("nobody", PASSWORD), ("", ""), ("MINA", PASSWORD)],
)
def test_login_failure_says_so_without_telling_which(
    client: TestClient, site: Site, username: str, password: str
) -> None:
    response = login(client, username, password)
    assert response.status_code == 400
    assert "ログイン名またはパスワードが正しくありません。" in response.text
    assert 'role="alert"' in response.text and 'aria-invalid="true"' in response.text
    assert 'action="/user/logout"' not in client.get("/").text


def test_login_by_user_id_is_refused(client: TestClient, site: Site) -> None:
    user_id = client.get("/api/3/action/user_show", params={"id": site.member}).json()["result"]
    assert login(client, user_id["id"]).status_code == 400


def test_login_returns_to_a_local_page_only(client: TestClient, site: Site) -> None:
    token = csrf_token(client)
    data = {"username": site.member, "password": PASSWORD, "csrf_token": token}
    back = client.post("/user/login", data={**data, "next": "/dataset?q=x"}, follow_redirects=False)
    assert back.headers["location"] == "/dataset?q=x"
    for hostile in ("https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:x"):
        assert safe_next(hostile) == "/"


def test_posts_without_the_csrf_token_are_refused(client: TestClient, site: Site) -> None:
    refused = client.post("/user/login", data={"username": site.member, "password": PASSWORD})
    assert refused.status_code == 403
    assert "有効期限が切れているか" in refused.text
    assert 'action="/user/logout"' not in client.get("/").text

    login(client, site.member)
    forged = {"csrf_token": "forged"}
    assert client.post("/user/tokens", data={**forged, "name": "x"}).status_code == 403
    assert client.post("/user/logout", data=forged).status_code == 403
    assert client.post("/user/tokens/abc/revoke", data={}).status_code == 403
    # Still logged in, and no token was made.
    assert client.get("/user/tokens.json").json()["tokens"] == []


def test_a_token_from_another_session_is_refused(client: TestClient, site: Site) -> None:
    other = TestClient(client.app)
    stolen = csrf_token(other)
    response = client.post(
        "/user/login",
        data={"username": site.member, "password": PASSWORD, "csrf_token": stolen},
    )
    assert response.status_code == 403


def test_token_page_create_show_once_use_and_revoke(
    client: TestClient, site: Site, api: Api
) -> None:
    assert client.get("/user/tokens", follow_redirects=False).headers["location"] == (
        "/user/login?next=%2Fuser%2Ftokens"
    )
    assert client.get("/user/tokens.json").status_code == 403
    login(client, site.member)
    page = client.get("/user/tokens")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"

    token = csrf_token(client, "/user/tokens")
    created = client.post(
        "/user/tokens", data={"csrf_token": token, "name": "harvester", "expires_days": "30"}
    )
    assert created.status_code == 201
    secret = re.search(r'value="(rk_[^"]+)"', created.text)
    assert secret, created.text
    assert api.ok("user_show", secret.group(1))["name"] == site.member  # it works
    listed = client.get("/user/tokens.json").json()["tokens"]
    assert [t["name"] for t in listed] == ["harvester"] and listed[0]["expires_at"]
    assert secret.group(1) not in client.get("/user/tokens").text  # shown only once

    empty_name = client.post("/user/tokens", data={"csrf_token": token, "name": " "})
    assert empty_name.status_code == 400 and 'role="alert"' in empty_name.text

    revoked = client.post(
        f"/user/tokens/{listed[0]['id']}/revoke",
        data={"csrf_token": token},
        follow_redirects=False,
    )
    assert revoked.status_code == 303
    assert client.get("/user/tokens.json").json()["tokens"] == []
    api.error("user_show", secret.group(1), status=403)


def test_nobody_revokes_another_users_token(client: TestClient, site: Site, api: Api) -> None:
    login(client, site.member)
    token = csrf_token(client, "/user/tokens")
    client.post("/user/tokens", data={"csrf_token": token, "name": "mine"})
    token_id = client.get("/user/tokens.json").json()["tokens"][0]["id"]

    other = TestClient(client.app)
    login(other, site.outsider)
    other_token = csrf_token(other, "/user/tokens")
    response = other.post(f"/user/tokens/{token_id}/revoke", data={"csrf_token": other_token})
    assert response.status_code == 403
    assert len(client.get("/user/tokens.json").json()["tokens"]) == 1
