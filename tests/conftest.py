"""Shared fixtures: a fresh node per test (SQLite + blobs in a temp dir), users with tokens,
an Action API caller, and a real uvicorn server on loopback for client-level tests."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi.testclient import TestClient

from renkei.api.app import build_catalog, create_app
from renkei.catalog import users
from renkei.catalog.context import Catalog
from renkei.config import Settings

# shared/ lies beside the checkout (../shared), for developers and CI alike.
SHARED = Path(os.environ.get("RENKEI_SHARED_DIR", Path(__file__).resolve().parents[2] / "shared"))
FIXTURES = SHARED / "fixtures"


@pytest.fixture
def fixture_file(tmp_path: Path) -> Callable[[str], Path]:
    """Copy a file from ../shared/fixtures (read-only) into the test's temp dir."""

    def copy(relative: str) -> Path:
        source = FIXTURES / relative
        if not FIXTURES.is_dir() and not os.environ.get("CI"):
            # A checkout without the team's shared/ folder beside it (a newcomer's clone).
            pytest.skip(f"shared fixtures not found at {FIXTURES} (set RENKEI_SHARED_DIR)")
        if not source.is_file():
            pytest.fail(f"missing shared fixture {source}")
        target = tmp_path / "fixtures" / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        target.chmod(0o644)
        return target

    return copy


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", site_url="http://testserver")


@pytest.fixture
def catalog(settings: Settings) -> Catalog:
    return build_catalog(settings)


@pytest.fixture
def client(settings: Settings, catalog: Catalog) -> Iterator[TestClient]:
    with TestClient(create_app(settings, catalog)) as test_client:
        yield test_client


@dataclass
class Account:
    id: str
    name: str
    token: str


@pytest.fixture
def make_user(catalog: Catalog) -> Callable[..., Account]:
    """Create a user with an API token: ``make_user("alice", sysadmin=False)``."""

    def make(name: str, *, sysadmin: bool = False) -> Account:
        with catalog.context() as ctx:
            user = users.create_user(ctx, name, sysadmin=sysadmin, email=f"{name}@example.org")
            _, secret = users.create_token(ctx, user, "tests")
        return Account(user.id, name, secret)

    return make


class Api:
    """Calls the Action API through the test client. ``call`` returns the response."""

    def __init__(self, client: TestClient) -> None:
        self.client = client

    def call(
        self,
        action: str,
        token: str | None = None,
        *,
        files: dict[str, Any] | None = None,
        http_method: str = "POST",
        **data: Any,
    ) -> Any:
        headers = {"Authorization": token} if token else {}
        url = f"/api/3/action/{action}"
        if http_method == "GET":
            return self.client.get(url, params=data, headers=headers)
        if files:
            return self.client.post(url, data=data, files=files, headers=headers)
        return self.client.post(url, json=data, headers=headers)

    def ok(self, action: str, token: str | None = None, **kwargs: Any) -> Any:
        response = self.call(action, token, **kwargs)
        body = response.json()
        assert response.status_code == 200 and body["success"], (action, response.status_code, body)
        return body["result"]

    def error(self, action: str, token: str | None = None, *, status: int, **kwargs: Any) -> Any:
        response = self.call(action, token, **kwargs)
        body = response.json()
        assert response.status_code == status, (action, response.status_code, body)
        assert body["success"] is False
        return body["error"]


@pytest.fixture
def api(client: TestClient) -> Api:
    return Api(client)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(settings: Settings, catalog: Catalog, port: int) -> Iterator[None]:
    """Run the node's app in uvicorn on 127.0.0.1:port in a thread, for the block's length."""
    config = uvicorn.Config(
        create_app(settings, catalog), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@dataclass
class LiveNode:
    url: str
    settings: Settings
    catalog: Catalog


@pytest.fixture
def live_node(tmp_path: Path) -> Iterator[LiveNode]:
    """A real uvicorn server on 127.0.0.1 with its own data dir, stopped after the test."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    node_settings = Settings(data_dir=tmp_path / "live-data", site_url=url)
    node_catalog = build_catalog(node_settings)
    with serving(node_settings, node_catalog, port):
        yield LiveNode(url, node_settings, node_catalog)
