"""Link resources (a URL, no upload) with a tabular format are fetched in the background and
loaded like uploads; a fetch that fails says why, and a reload fetches the file again."""

from __future__ import annotations

import hashlib
import http.server
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from renkei.config import Settings
from renkei.datastore import sync


@dataclass
class Served:
    root: Path
    base: str
    paths: list[str] = field(default_factory=list)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # The test server listens on loopback: a node refuses that unless allowed.
    return Settings(
        data_dir=tmp_path / "data", site_url="http://testserver", fetch_allow_private=True
    )


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    root = tmp_path / "www"
    root.mkdir()
    seen: list[str] = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(root), **kwargs)

        def do_GET(self) -> None:
            seen.append(self.path)
            super().do_GET()

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Served(root, f"http://127.0.0.1:{server.server_address[1]}", seen)
    finally:
        server.shutdown()
        server.server_close()


def _link(api, ds, url: str, **fields):  # type: ignore[no-untyped-def]
    return api.ok("resource_create", ds.editor, package_id=ds.public_dataset, url=url, **fields)


def _info(catalog, api, resource_id):  # type: ignore[no-untyped-def]
    assert catalog.datastore.jobs.join(timeout=60)
    return api.ok("datastore_info", id=resource_id)["meta"]


def test_a_linked_csv_is_fetched_and_loaded(api, ds, catalog, served, fixture_file):  # type: ignore[no-untyped-def]
    body = fixture_file("csv-ja/nanao_shelter_reference_data.csv").read_bytes()
    (served.root / "shelters.csv").write_bytes(body)
    res = _link(api, ds, f"{served.base}/shelters.csv")
    meta = _info(catalog, api, res["id"])
    assert (meta["status"], meta["source"], meta["count"]) == ("active", "url", 112), meta
    assert meta["fetched"]["url"] == f"{served.base}/shelters.csv"
    assert meta["fetched"]["sha256"] == hashlib.sha256(body).hexdigest()
    assert meta["fetched"]["bytes"] == len(body) and meta["fetched"]["at"]
    assert api.ok("resource_show", id=res["id"])["datastore_active"] is True
    assert api.ok("datastore_search", resource_id=res["id"], limit=1)["total"] == 112
    # Editing the resource's other metadata doesn't fetch again.
    api.ok("resource_patch", ds.editor, id=res["id"], description="避難所")
    catalog.datastore.jobs.join(timeout=60)
    assert served.paths == ["/shelters.csv"]


def test_a_reload_fetches_the_changed_file_and_a_new_url_loads(  # type: ignore[no-untyped-def]
    api, ds, catalog, served, fixture_file
):
    (served.root / "data.csv").write_text("name,count\nA,1\nB,2\n", encoding="utf-8")
    res = _link(api, ds, f"{served.base}/data.csv")
    first = _info(catalog, api, res["id"])
    assert first["count"] == 2
    # The publisher's server now serves a longer file under the same URL.
    (served.root / "data.csv").write_text("name,count\nA,1\nB,2\nC,3\n", encoding="utf-8")
    assert sync.reload(catalog, res["id"])
    second = _info(catalog, api, res["id"])
    assert (second["status"], second["count"]) == ("active", 3)
    assert second["fetched"]["sha256"] != first["fetched"]["sha256"]
    # A changed URL loads the other file.
    aed = fixture_file("csv-ja/takamatsu_0002_aed.csv").read_bytes()
    (served.root / "aed.csv").write_bytes(aed)
    api.ok("resource_patch", ds.editor, id=res["id"], url=f"{served.base}/aed.csv")
    third = _info(catalog, api, res["id"])
    assert (third["status"], third["count"]) == ("active", 514)
    assert third["fetched"]["bytes"] == len(aed)


def test_a_missing_file_fails_with_the_http_status(api, ds, catalog, served):  # type: ignore[no-untyped-def]
    res = _link(api, ds, f"{served.base}/gone.csv")
    meta = _info(catalog, api, res["id"])
    assert meta["status"] == "failed"
    assert "HTTP 404" in meta["message"]
    assert api.ok("resource_show", id=res["id"])["datastore_active"] is False


def test_a_file_over_the_fetch_limit_fails_and_keeps_nothing(api, ds, catalog, served):  # type: ignore[no-untyped-def]
    (served.root / "big.csv").write_text("a,b\n" + "1,2\n" * 500, encoding="utf-8")
    catalog.settings.datastore_fetch_max_bytes = 1000
    res = _link(api, ds, f"{served.base}/big.csv")
    meta = _info(catalog, api, res["id"])
    assert meta["status"] == "failed"
    assert "larger than the limit (1,000 bytes)" in meta["message"]
    assert list((catalog.settings.data_dir / "tmp").glob("fetch-*")) == []


def test_a_loopback_url_is_refused_unless_allowed(api, ds, catalog, served):  # type: ignore[no-untyped-def]
    (served.root / "data.csv").write_text("name,count\nA,1\n", encoding="utf-8")
    catalog.settings.fetch_allow_private = False
    res = _link(api, ds, f"{served.base}/data.csv")
    meta = _info(catalog, api, res["id"])
    assert meta["status"] == "failed"
    assert "non-public (loopback)" in meta["message"], meta["message"]
    assert served.paths == []  # nothing was sent
    # Allowed (a closed network), the same link loads on reload.
    catalog.settings.fetch_allow_private = True
    assert sync.reload(catalog, res["id"])
    assert _info(catalog, api, res["id"])["status"] == "active"


def test_a_link_that_is_not_a_table_has_no_table(api, ds, catalog, served):  # type: ignore[no-untyped-def]
    res = _link(api, ds, f"{served.base}/report.pdf")
    catalog.datastore.jobs.join(timeout=60)
    api.error("datastore_info", status=404, id=res["id"])
    assert served.paths == []


def test_datastore_create_makes_a_links_table_the_publishers(api, ds, catalog, served):  # type: ignore[no-untyped-def]
    # CKAN clients create a link resource, then fill its table with datastore_create.
    res = _link(api, ds, f"{served.base}/pushed.csv")
    catalog.datastore.jobs.join(timeout=60)
    api.ok(
        "datastore_create",
        ds.editor,
        resource_id=res["id"],
        fields=[{"id": "label", "type": "text"}],
        records=[{"label": "pushed"}],
    )
    meta = _info(catalog, api, res["id"])
    assert (meta["source"], meta["status"], meta["count"]) == ("api", "active", 1)
    assert not sync.reload(catalog, res["id"])  # no longer loaded from the link
    api.ok("datastore_upsert", ds.editor, resource_id=res["id"], method="insert",
           records=[{"label": "more"}])  # fmt: skip
    assert api.ok("datastore_search", resource_id=res["id"])["total"] == 2
