"""Web fixtures: a small catalog with a public and a private dataset, accounts with passwords,
and helpers to read a form's CSRF token and to log in through the login form."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from renkei.catalog import groups, packages, users
from renkei.catalog.context import Catalog

PASSWORD = "correct horse battery"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Site:
    """Names in the small catalog every web test starts from."""

    org: str = "city-of-tests"
    public: str = "public-shelters"
    private: str = "private-draft"
    member: str = "mina"  # member of the organization: reads its private datasets
    outsider: str = "otto"  # no membership
    admin: str = "ada"  # sysadmin


@pytest.fixture
def site(catalog: Catalog) -> Site:
    names = Site()
    with catalog.context() as ctx:
        admin = users.create_user(ctx, names.admin, sysadmin=True, password=PASSWORD)
        for name in (names.member, names.outsider):
            users.create_user(ctx, name, password=PASSWORD, fullname=name.title())
    with catalog.context(admin.id) as ctx:
        groups.organization_create(
            ctx,
            {
                "name": names.org,
                "title": "テスト市",
                "title_translated": {"ja": "テスト市", "en": "Test City"},
            },
        )
        groups.group_create(
            ctx,
            {"name": "disaster", "title_translated": {"ja": "防災", "en": "Disaster prevention"}},
        )
        groups.organization_member_create(
            ctx, {"id": names.org, "username": names.member, "role": "member"}
        )
        packages.package_create(
            ctx,
            {
                "name": names.public,
                "title_translated": {"ja": "避難所一覧", "en": "List of shelters"},
                "notes_translated": {
                    "ja": "市内の**避難所**の一覧です。",
                    "en": "The city's **shelters**.",
                },
                "owner_org": names.org,
                "license_id": "cc-by-4.0",
                "tags": [{"name": "避難所"}, {"name": "防災"}],
                "groups": [{"name": "disaster"}],
                "resources": [
                    {
                        "name": "一覧 (CSV)",
                        "url": "https://example.org/shelters.csv",
                        "format": "CSV",
                    }
                ],
                "extras": [
                    {"key": "spatial", "value": '{"type":"Point","coordinates":[134,34.3]}'}
                ],
            },
        )
        packages.package_create(
            ctx,
            {
                "name": names.private,
                "title": "非公開の下書き",
                "owner_org": names.org,
                "private": True,
                "license_id": "pdl-1.0",
            },
        )
    return names


def csrf_token(client: TestClient, path: str = "/user/login") -> str:
    """The CSRF token of the client's session, read from a page's form."""
    page = client.get(path)
    match = CSRF_RE.search(page.text)
    assert match, f"no CSRF field on {path}"
    return match.group(1)


def login(client: TestClient, username: str, password: str = PASSWORD) -> Any:
    token = csrf_token(client)
    return client.post(
        "/user/login",
        data={"username": username, "password": password, "csrf_token": token, "next": "/"},
        follow_redirects=False,
    )
