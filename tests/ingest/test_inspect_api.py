"""``POST /api/v1/inspect`` (upload or URL) and ``renkei inspect``: the inspection plus the
registration pre-fill, and URL fetches that can't be turned against the node's network."""

from __future__ import annotations

import functools
import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from renkei.api.app import build_catalog, create_app
from renkei.catalog import users
from renkei.cli import app
from renkei.config import Settings

runner = CliRunner()


@pytest.fixture
def publisher(make_user: Any) -> Any:
    return make_user("publisher")


def test_upload_is_inspected_and_prefilled(client, publisher, fixture_file) -> None:  # type: ignore[no-untyped-def]
    path = fixture_file("csv-ja/takamatsu_0066_201811_population.xlsx")
    response = client.post(
        "/api/v1/inspect",
        files={"upload": (path.name, path.read_bytes(), "application/octet-stream")},
        headers={"Authorization": publisher.token},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    inspection = body["inspection"]
    assert inspection["format"] == "xlsx" and inspection["row_count"] == 235
    assert inspection["header_rows"] == 3 and inspection["sheet"] == "Sheet0"
    resource = body["suggested"]["resource"]
    assert resource["format"] == "XLSX" and resource["size"] == path.stat().st_size
    assert resource["mimetype"].endswith("spreadsheetml.sheet")
    fields = resource["schema"]["fields"]
    assert {"name": "surveyDate", "type": "date", "format": "%m/%d/%Y"}.items() <= fields[5].items()
    dataset = body["suggested"]["dataset"]
    extras = {e["key"]: e["value"] for e in dataset["extras"]}
    assert extras["temporal_start"] == "2018-11-01"
    assert json.loads(extras["spatial"])["type"] == "Polygon"
    assert {"name": "人口"} in dataset["tags"]


def test_inspect_needs_a_user_and_a_file(client, publisher) -> None:  # type: ignore[no-untyped-def]
    anonymous = client.post("/api/v1/inspect", files={"upload": ("a.csv", b"a,b\n1,2\n")})
    assert anonymous.status_code == 403
    empty = client.post("/api/v1/inspect", json={}, headers={"Authorization": publisher.token})
    assert empty.status_code == 409 and empty.json()["errors"] == {"url": ["Missing value"]}


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:9/x.csv", "http://localhost/x.csv", "http://169.254.169.254/latest",
     "http://[::1]/x.csv", "http://10.0.0.1/x.csv", "file:///etc/passwd"],
)  # fmt: skip
def test_url_to_private_addresses_is_refused(client, publisher, url: str) -> None:  # type: ignore[no-untyped-def]
    response = client.post(
        "/api/v1/inspect", json={"url": url}, headers={"Authorization": publisher.token}
    )
    assert response.status_code == 409, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "url" in response.json()["errors"]


@pytest.fixture
def file_server(tmp_path: Path) -> Iterator[str]:
    root = tmp_path / "www"
    root.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))

    class Quiet(handler.func):  # type: ignore[name-defined,misc]
        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(root))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_url_is_fetched_when_private_addresses_are_allowed(
    tmp_path, file_server, fixture_file
) -> None:  # type: ignore[no-untyped-def]
    source = fixture_file("csv-ja/tokyo_taito_public_toilets_sisetu_28.cp932.csv")
    (tmp_path / "www" / "toilets.csv").write_bytes(source.read_bytes())
    settings = Settings(
        data_dir=tmp_path / "data", site_url="http://testserver", fetch_allow_private=True,
        inspect_max_bytes=20_000,
    )  # fmt: skip
    catalog = build_catalog(settings)
    with catalog.context() as ctx:
        user = users.create_user(ctx, "fetcher", email="f@example.org")
        _, token = users.create_token(ctx, user, "tests")
    with TestClient(create_app(settings, catalog)) as client:
        response = client.post(
            "/api/v1/inspect", json={"url": f"{file_server}/toilets.csv"},
            headers={"Authorization": token},
        )  # fmt: skip
        assert response.status_code == 200, response.text
        inspection = response.json()["inspection"]
        assert inspection["encoding"] == "cp932" and inspection["row_count"] == 75
        assert response.json()["suggested"]["resource"]["name"] == "toilets.csv"
        (tmp_path / "www" / "big.csv").write_bytes(b"a,b\n" + b"1,2\n" * 10_000)
        too_big = client.post(
            "/api/v1/inspect", json={"url": f"{file_server}/big.csv"},
            headers={"Authorization": token},
        )  # fmt: skip
        assert too_big.status_code == 413
        big_upload = client.post(
            "/api/v1/inspect", files={"upload": ("big.csv", b"a,b\n" + b"1,2\n" * 10_000)},
            headers={"Authorization": token},
        )  # fmt: skip
        assert big_upload.status_code == 413
    assert list((settings.data_dir / "tmp").iterdir()) == []  # fetched files are removed


def test_cli_inspect_json_and_rich(fixture_file) -> None:  # type: ignore[no-untyped-def]
    path = fixture_file("csv-ja/takamatsu_0002_aed.cp932.csv")
    result = runner.invoke(app, ["inspect", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["encoding"] == "cp932" and body["format"] == "csv"
    assert body["header_rows"] == 3 and body["row_count"] == 514
    assert {"name": "location", "type": "string"}.items() <= body["columns"][4].items()
    assert body["bbox"] and body["temporal"] is None
    rich = runner.invoke(app, ["inspect", str(path)])
    assert rich.exit_code == 0 and "514" in rich.output and "location" in rich.output


def test_cli_inspect_exit_codes(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert runner.invoke(app, ["inspect", str(empty)]).exit_code == 1
    assert runner.invoke(app, ["inspect", str(tmp_path / "missing.csv")]).exit_code == 2
    refused = runner.invoke(app, ["inspect", "http://127.0.0.1:9/x.csv"])
    assert refused.exit_code == 2 and "non-public" in refused.output


def test_resource_create_prefills_what_the_caller_left_out(api, make_user, fixture_file) -> None:  # type: ignore[no-untyped-def]
    admin = make_user("sysop", sysadmin=True).token
    org = api.ok("organization_create", admin, name="taito", title="台東区")
    dataset = api.ok("package_create", admin, name="toilets", owner_org=org["id"])
    path = fixture_file("csv-ja/tokyo_taito_public_toilets_sisetu_28.cp932.csv")
    content = path.read_bytes()
    # A browser on Windows sends CSV as application/vnd.ms-excel; the file says what it is.
    filled = api.ok(
        "resource_create", admin, package_id=dataset["id"],
        files={"upload": ("トイレ.csv", content, "application/vnd.ms-excel")},
    )  # fmt: skip
    assert filled["format"] == "CSV" and filled["mimetype"] == "text/csv"
    fields = filled["schema"]["fields"]
    assert [f["name"] for f in fields][-2:] == ["X座標", "Y座標"]
    assert fields[-1]["type"] == "number"
    kept = api.ok(
        "resource_create", admin, package_id=dataset["id"], format="Shift_JIS CSV",
        mimetype="text/plain", schema='{"fields": []}',
        files={"upload": ("toilets.csv", content, "text/csv")},
    )  # fmt: skip
    assert kept["format"] == "Shift_JIS CSV" and kept["mimetype"] == "text/plain"
    assert kept["schema"] == '{"fields": []}'
    shown = api.ok("resource_show", admin, id=filled["id"])
    assert shown["schema"] == filled["schema"]


def test_services_called_directly_prefill_too(catalog, make_user, fixture_file) -> None:  # type: ignore[no-untyped-def]
    # The CLI and the demo loader call the service without the HTTP layer's early inspection.
    from renkei.catalog import groups, packages, resources

    admin = make_user("sysop", sysadmin=True)
    path = fixture_file("csv-ja/nanao_shelter_reference_data.utf16.csv")
    with catalog.context(admin.id) as ctx:
        groups.organization_create(ctx, {"name": "nanao"})
        packages.package_create(ctx, {"name": "shelters", "owner_org": "nanao"})
        staged = ctx.blobs.stage_file(path, ctx.settings.max_upload_bytes)
        upload = resources.Upload(filename=path.name, content_type=None, staged=staged)
        created = resources.resource_create(ctx, {"package_id": "shelters"}, upload)
    assert created["format"] == "CSV" and created["mimetype"] == "text/csv"
    types = {f["name"]: f["type"] for f in created["schema"]["fields"]}
    assert types["緯度"] == "number" and types["所在地_全国地方公共団体コード"] == "string"
