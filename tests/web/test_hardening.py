"""Login rate limiting, the 500 page, and the pages' Content-Security-Policy with maps."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from renkei.api.app import create_app
from renkei.catalog.context import Catalog
from renkei.config import Settings
from renkei.web.ratelimit import LoginLimiter, SlidingWindow
from tests.web.conftest import PASSWORD, Site, csrf_token, login


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_sliding_window_forgets_old_events() -> None:
    clock = Clock()
    window = SlidingWindow(limit=3, window=60, clock=clock)
    for _ in range(3):
        assert window.wait_seconds("k") == 0
        window.hit("k")
        clock.now += 10
    # Three hits at 1000, 1010, 1020; now 1030: the first leaves the window at 1060.
    assert window.wait_seconds("k") == 30
    clock.now = 1060
    assert window.wait_seconds("k") == 0
    assert window.wait_seconds("other") == 0


def test_expired_windows_are_dropped_when_many_keys_pile_up() -> None:
    from renkei.web import ratelimit

    clock = Clock()
    window = SlidingWindow(limit=3, window=60, clock=clock)
    for i in range(ratelimit.MAX_KEYS):
        window.hit(f"name{i}")
    clock.now += 61
    window.hit("one more")
    assert len(window._events) == 1


def test_limiter_counts_accounts_and_addresses_apart() -> None:
    clock = Clock()
    limiter = LoginLimiter(limit=2, window=300, clock=clock)
    limiter.failed("Mina", "10.0.0.1")
    limiter.failed("mina", "10.0.0.2")
    assert limiter.wait_seconds("MINA", "10.0.0.3") == 300  # names are case-insensitive
    assert limiter.wait_seconds("otto", "10.0.0.1") == 0
    # One address trying many names is stopped by the address window (4 x the limit).
    for i in range(8):
        limiter.failed(f"user{i}", "10.9.9.9")
    assert limiter.wait_seconds("someone-new", "10.9.9.9") > 0
    limiter.succeeded("mina")
    assert limiter.wait_seconds("mina", "10.0.0.3") == 0


def test_too_many_failed_logins_are_refused_with_the_wait(
    settings: Settings, catalog: Catalog, site: Site
) -> None:
    settings.login_attempts = 3
    with TestClient(create_app(settings, catalog)) as client:
        for _ in range(3):
            assert login(client, site.member, "wrong").status_code == 400
        refused = login(client, site.member)  # even the right password waits now
        assert refused.status_code == 429
        wait = int(refused.headers["retry-after"])
        assert 0 < wait <= settings.login_window_seconds
        assert f"{wait} 秒待ってから" in refused.text
        token = csrf_token(client)
        english = client.post(
            "/user/login?lang=en",
            data={"username": site.member, "password": PASSWORD, "csrf_token": token},
        )
        assert english.status_code == 429
        assert f"Wait {wait} seconds, then try again." in english.text
        # Another account from another address is not affected.
        assert login(client, site.outsider).status_code == 303


def _failing_app(settings: Settings, catalog: Catalog) -> FastAPI:
    app = create_app(settings, catalog)

    @app.get("/broken")
    def broken() -> None:
        raise RuntimeError("database password is hunter2 at /srv/secret/path")

    @app.get("/api/broken")
    def broken_api() -> None:
        raise RuntimeError("hunter2")

    return app


def test_the_500_page_is_translated_and_reveals_nothing(
    settings: Settings, catalog: Catalog
) -> None:
    app = _failing_app(settings, catalog)
    with TestClient(app, raise_server_exceptions=False) as client:
        ja = client.get("/broken")
        assert ja.status_code == 500
        assert '<html lang="ja">' in ja.text and "問題が発生しました" in ja.text
        en = client.get("/broken", params={"lang": "en"})
        assert en.status_code == 500 and "Something went wrong" in en.text
        as_json = client.get("/broken", headers={"Accept": "application/json"})
        assert as_json.status_code == 500
        api = client.get("/api/broken")
        assert api.status_code == 500 and api.json() == {"detail": "Internal Server Error"}
        for answer in (ja, en, as_json, api):
            assert "hunter2" not in answer.text and "RuntimeError" not in answer.text
            assert "Traceback" not in answer.text and "/srv/" not in answer.text


def test_csp_allows_the_configured_tile_server_only(settings: Settings, catalog: Catalog) -> None:
    with TestClient(create_app(settings, catalog)) as client:
        csp = client.get("/dataset").headers["content-security-policy"]
        assert "connect-src 'self';" in csp and "worker-src 'self'" in csp
    settings.map_tiles = "https://cyberjapandata.gsi.go.jp/xyz/std/{z}/{x}/{y}.png"
    settings.map_attribution = "地理院タイル"
    with TestClient(create_app(settings, catalog)) as client:
        page = client.get("/dataset")
        csp = page.headers["content-security-policy"]
        assert "connect-src 'self' https://cyberjapandata.gsi.go.jp;" in csp
        assert "cyberjapandata.gsi.go.jp/xyz/std/{z}/{x}/{y}.png" in page.text
        assert "地理院タイル" in page.text
