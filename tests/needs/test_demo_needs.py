"""The demo shows the needs features filled in: the roadmap, an inventory, answered requests."""

from __future__ import annotations

from typing import Any

from renkei.catalog.context import Catalog
from renkei.demo import loader


def test_demo_has_roadmap_inventory_and_requests(catalog: Catalog, client: Any) -> None:
    loader.load(catalog)
    measures = client.get("/api/v1/roadmap/measures").json()
    assert measures["count"] == 15
    assert {
        k["id"] for k in client.get("/api/v1/roadmap/measures/04-02").json()["links"]["kpis"]
    } == {"datasets_linked"}
    listing = client.get("/api/v1/inventory/takamatsu-city").json()
    assert listing["progress"]["open"] == 2 and listing["progress"]["planned"] == 1
    requests = client.get("/api/v1/requests").json()["results"]
    states = {r["title"]: r["state"] for r in requests}
    assert states == {"バス停留所の位置情報": "planned", "避難所ごとの収容可能人数": "submitted"}
    bus = next(r for r in requests if r["state"] == "planned")
    assert bus["inventory_entry"]["title"] == "バス停留所位置"
    assert client.get("/request").status_code == 200
