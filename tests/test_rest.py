"""The native REST API's plumbing: errors as RFC 9457 problems, services as the caller."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.testclient import TestClient

from renkei.api import rest
from renkei.api.app import create_app
from renkei.catalog.context import Catalog, Context
from renkei.errors import NotFound


def _probe_app(catalog: Catalog, monkeypatch) -> TestClient:  # type: ignore[no-untyped-def]
    router = APIRouter()

    def whoami(ctx: Context) -> dict[str, str | None]:
        return {"user": ctx.user.name if ctx.user else None}

    def missing(ctx: Context, name: str) -> None:
        raise NotFound(f"no thing called {name}")

    @router.get("/probe/whoami")
    async def probe_whoami(request: Request) -> dict[str, str | None]:
        return await rest.call_service(request, whoami)

    @router.get("/probe/things/{name}")
    async def probe_thing(request: Request, name: str, limit: int = 10) -> None:
        await rest.call_service(request, missing, name)

    monkeypatch.setattr(rest, "FEATURE_ROUTERS", [router])
    return TestClient(create_app(catalog.settings, catalog))


def test_errors_are_problem_details(catalog, monkeypatch):  # type: ignore[no-untyped-def]
    client = _probe_app(catalog, monkeypatch)
    response = client.get("/api/v1/probe/things/x")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 404
    assert body["detail"] == "no thing called x"
    assert body["instance"] == "/api/v1/probe/things/x"


def test_unreadable_parameters_are_a_400_problem(catalog, monkeypatch):  # type: ignore[no-untyped-def]
    client = _probe_app(catalog, monkeypatch)
    response = client.get("/api/v1/probe/things/x?limit=many")
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert "limit" in response.json()["errors"]


def test_services_run_as_the_token_user(catalog, monkeypatch, make_user):  # type: ignore[no-untyped-def]
    client = _probe_app(catalog, monkeypatch)
    user = make_user("rest-probe")
    assert client.get("/api/v1/probe/whoami").json() == {"user": None}
    answer = client.get("/api/v1/probe/whoami", headers={"Authorization": user.token})
    assert answer.json() == {"user": "rest-probe"}
    bad = client.get("/api/v1/probe/whoami", headers={"Authorization": "rk_nope"})
    assert bad.status_code == 403
    assert bad.headers["content-type"] == "application/problem+json"
