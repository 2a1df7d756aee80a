"""The demo catalog: real files, both languages, the seed roadmap table, privacy."""

from __future__ import annotations

import hashlib
from typing import Any

import httpx

from renkei.catalog.context import Catalog
from renkei.demo import loader


def test_demo_catalog_content(catalog: Catalog, api: Any) -> None:
    token = loader.load(catalog)
    assert token is not None and token.startswith("rk_")
    assert loader.load(catalog) is None  # loads once

    public = api.ok("package_search", rows=1000)
    everything = api.ok("package_search", token, rows=1000, include_private=True)
    assert public["count"] >= 30
    assert everything["count"] - public["count"] == 2
    assert len(api.ok("organization_list")) >= 6
    assert len(api.ok("group_list")) >= 4

    for pkg in everything["results"]:
        assert set(pkg["title_translated"]) >= {"ja", "en"}, pkg["name"]
        assert pkg["license_id"], pkg["name"]
        assert pkg["owner_org"], pkg["name"]

    seed = api.ok("package_show", id="digital-society-priority-plan-schedule")
    assert seed["title"] == "デジタル社会の実現に向けた重点計画 工程表"
    assert seed["title_translated"]["en"]
    assert seed["resources"][0]["format"] == "TSV"


def test_demo_files_are_served_intact(catalog: Catalog, client: Any, api: Any) -> None:
    loader.load(catalog)
    uploads = [
        res
        for pkg in api.ok("package_search", rows=1000)["results"]
        for res in pkg["resources"]
        if res["url_type"] == "upload"
    ]
    assert len(uploads) >= 12
    for res in uploads:
        path = httpx.URL(res["url"]).raw_path.decode()
        body = client.get(path)
        assert body.status_code == 200, res["url"]
        assert hashlib.sha256(body.content).hexdigest() == res["hash"]
        assert len(body.content) == res["size"]
