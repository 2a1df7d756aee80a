"""Most viewed datasets: counted once per visitor, buffered, never leaking private datasets."""

from __future__ import annotations

from fastapi.testclient import TestClient

from renkei.api.app import create_app
from renkei.catalog.context import Catalog
from renkei.config import Settings
from renkei.web.views import ViewCounter, most_viewed
from tests.web.conftest import Site, login

BROWSER = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/120"}


def test_views_are_counted_once_per_visitor_and_not_for_crawlers(
    catalog: Catalog, site: Site
) -> None:
    counter = ViewCounter(catalog)
    with catalog.context() as ctx:
        from renkei.catalog.packages import get_package

        public = get_package(ctx, site.public).id
    assert counter.record(public, "addr:1", "Mozilla/5.0")
    assert not counter.record(public, "addr:1", "Mozilla/5.0")  # a reload
    assert counter.record(public, "addr:2", "Mozilla/5.0")
    assert not counter.record(public, "addr:3", "Googlebot/2.1 (+http://www.google.com/bot.html)")
    assert counter.flush() == 2
    assert counter.flush() == 0
    assert counter.record(public, "addr:4", "Mozilla/5.0")
    counter.flush()
    with catalog.context() as ctx:
        top = most_viewed(ctx, 5)
    assert [(d["name"], d["views"]) for d in top] == [(site.public, 3)]


def test_home_shows_most_viewed_without_private_datasets(
    settings: Settings, catalog: Catalog, site: Site
) -> None:
    app = create_app(settings, catalog)
    with TestClient(app) as client:
        login(client, site.member)
        client.get(f"/dataset/{site.private}", headers=BROWSER)
        client.get(f"/dataset/{site.public}", headers=BROWSER)
        client.get(f"/dataset/{site.public}.json", headers=BROWSER)  # programs don't count
    # Leaving the block stopped the app: the buffered counts were written then.
    with TestClient(create_app(settings, catalog)) as client:
        anonymous = client.get("/index.json").json()["most_viewed"]
        assert [(d["name"], d["views"]) for d in anonymous] == [(site.public, 1)]
        assert "非公開の下書き" not in client.get("/").text
        login(client, site.member)
        member = {d["name"] for d in client.get("/index.json").json()["most_viewed"]}
        assert member == {site.public, site.private}
        assert "非公開の下書き" in client.get("/").text
