"""Bad input through the Action API: refused clearly (right status, CKAN-shaped field errors),
never a 500, and never half-written — a refused write leaves the database and the blob store
exactly as they were."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from renkei.api.app import build_catalog, create_app
from renkei.catalog.context import Catalog
from renkei.config import Settings
from renkei.store.tables import Activity, Package, PackageExtra, PackageTag, Resource

# --- helpers ------------------------------------------------------------------------------------


@pytest.fixture
def admin(make_user: Callable[..., Any]) -> str:
    return make_user("sysop", sysadmin=True).token


@pytest.fixture
def org(api: Any, admin: str) -> dict[str, Any]:
    return api.ok("organization_create", admin, name="city-office", title="市役所")


def _rows(catalog: Catalog) -> dict[str, int]:
    """Row counts of everything a dataset write touches."""
    with catalog.context() as ctx:
        return {
            table.__tablename__: ctx.session.scalar(select(func.count()).select_from(table)) or 0
            for table in (Package, PackageTag, PackageExtra, Resource, Activity)
        }


def _files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*") if p.is_file())


@pytest.fixture
def small_node(settings: Settings, catalog: Catalog) -> Iterator[tuple[TestClient, Catalog]]:
    """The same node (same data dir and database) restarted with tiny request limits."""
    small = settings.model_copy(update={"max_json_bytes": 2_000, "max_upload_bytes": 1_000})
    small_catalog = build_catalog(small)
    with TestClient(create_app(small, small_catalog)) as test_client:
        yield test_client, small_catalog


def _post_raw(client: TestClient, action: str, token: str, body: bytes, ctype: str) -> Any:
    return client.post(
        f"/api/3/action/{action}",
        content=body,
        headers={"Authorization": token, "Content-Type": ctype},
    )


# --- names --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("Upper-Case", "lowercase alphanumeric"),
        ("a", "at least 2 characters"),
        ("x" * 101, "maximum of 100 characters"),
        ("with space", "lowercase alphanumeric"),
        ("日本語", "lowercase alphanumeric"),
        ("new", "reserved word"),
        ("api", "reserved word"),
        ("", "at least 2 characters"),
    ],
)
def test_invalid_dataset_names_are_refused(api, catalog, admin, org, name, message):
    before = _rows(catalog)
    error = api.error(
        "package_create", admin, status=409, name=name, owner_org=org["id"], tags=[{"name": "t"}]
    )
    assert error["__type"] == "Validation Error"
    assert set(error) == {"__type", "name"}
    assert len(error["name"]) == 1 and message in error["name"][0]
    assert _rows(catalog) == before


def test_invalid_names_on_update_keep_the_old_name(api, catalog, admin, org):
    pkg = api.ok("package_create", admin, name="keep-me", owner_org=org["id"])
    error = api.error("package_update", admin, status=409, id=pkg["id"], name="Keep Me")
    assert "name" in error
    assert api.ok("package_show", id=pkg["id"])["name"] == "keep-me"
    api.error("package_show", status=404, id="Keep Me")


def test_duplicate_names(api, catalog, admin, org):
    first = api.ok("package_create", admin, name="dup", owner_org=org["id"], title="first")
    before = _rows(catalog)
    error = api.error(
        "package_create", admin, status=409, name="dup", owner_org=org["id"], title="second"
    )
    assert error == {"__type": "Validation Error", "name": ["That URL is already in use."]}
    assert _rows(catalog) == before
    # Renaming another dataset onto it is refused too, and changes nothing.
    other = api.ok("package_create", admin, name="other", owner_org=org["id"], notes="n")
    error = api.error(
        "package_update", admin, status=409, id=other["id"], name="dup", notes="changed"
    )
    assert error["name"] == ["That URL is already in use."]
    assert api.ok("package_show", id="dup")["title"] == "first"
    assert api.ok("package_show", id="dup")["id"] == first["id"]
    assert api.ok("package_show", id=other["id"])["notes"] == "n"
    # Organizations: same rule with CKAN's wording for groups.
    error = api.error("organization_create", admin, status=409, name="city-office")
    assert error["name"] == ["Group name already exists in database"]


# --- fields and types ---------------------------------------------------------------------------


def test_unknown_licence(api, catalog, admin, org):
    before = _rows(catalog)
    error = api.error(
        "package_create", admin, status=409, name="lic", owner_org=org["id"], license_id="wtfpl-9"
    )
    assert set(error) == {"__type", "license_id"}
    assert "wtfpl-9" in error["license_id"][0] and "license_list" in error["license_id"][0]
    assert _rows(catalog) == before
    api.error("package_show", status=404, id="lic")


def test_unknown_top_level_fields(api, catalog, admin, org):
    before = _rows(catalog)
    error = api.error(
        "package_create",
        admin,
        status=409,
        name="typo",
        owner_org=org["id"],
        titel="typo in a key",
        licence_id="cc-by-4.0",
    )
    assert set(error) == {"__type", "titel", "licence_id"}
    assert "not known" in error["titel"][0]
    assert _rows(catalog) == before
    # Read-only fields echoed back from package_show are fine (show -> edit -> update).
    pkg = api.ok("package_create", admin, name="round-trip", owner_org=org["id"])
    pkg["title"] = "edited"
    assert api.ok("package_update", admin, **pkg)["title"] == "edited"


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"title": 12345}, {"title": ["Input should be a valid string"]}),
        ({"tags": "flood,river"}, {"tags": ["Input should be a valid list"]}),
        ({"tags": [{"name": "ok"}, {"nam": "typo"}]}, None),
        ({"private": "maybe"}, None),
        ({"extras": {"key": "value"}}, None),
        (
            {"resources": [{"url": "http://example.org/a.csv"}, {"url": "b", "size": -1}]},
            {"resources": [{}, {"size": ["Input should be greater than or equal to 0"]}]},
        ),
        (
            {"resources": [{"url": "a"}, {"url": "b"}, {"url": "c", "size": 2**70}]},
            {
                "resources": [
                    {},
                    {},
                    {"size": ["Input should be less than or equal to 9223372036854775807"]},
                ]
            },
        ),
        ({"resources": [{"url": "a", "url_type": "ftp"}]}, None),
    ],
)
def test_wrong_types_give_field_level_errors(api, catalog, admin, org, fields, expected):
    before = _rows(catalog)
    body = {"name": "typed", "owner_org": org["id"], "tags": [{"name": "x"}], **fields}
    error = api.error("package_create", admin, status=409, **body)
    assert error["__type"] == "Validation Error"
    key = next(iter(fields))
    assert set(error) == {"__type", key}
    if expected is not None:
        assert {k: v for k, v in error.items() if k != "__type"} == expected
    if key == "tags" and isinstance(fields["tags"], list):
        assert error["tags"][0] == {}
        assert error["tags"][1] == {"name": ["Missing value"], "nam": [error["tags"][1]["nam"][0]]}
    if key == "private":
        assert "boolean" in error["private"][0]
    assert _rows(catalog) == before
    api.error("package_show", admin, status=404, id="typed")


def test_bad_resource_in_update_rolls_back_everything(api, catalog, admin, org):
    pkg = api.ok(
        "package_create",
        admin,
        name="stable",
        owner_org=org["id"],
        title="old title",
        tags=[{"name": "old"}],
        resources=[{"url": "http://example.org/1.csv", "name": "one"}],
    )
    before = _rows(catalog)
    error = api.error(
        "package_update",
        admin,
        status=409,
        id=pkg["id"],
        title="new title",
        tags=[{"name": "new1"}, {"name": "new2"}],
        resources=[
            {"url": "http://example.org/1.csv", "name": "one", "id": pkg["resources"][0]["id"]},
            {"url": "http://example.org/2.csv", "size": -1},
        ],
    )
    assert error["resources"][1] == {"size": ["Input should be greater than or equal to 0"]}
    after = api.ok("package_show", id=pkg["id"])
    assert after["title"] == "old title"
    assert [t["name"] for t in after["tags"]] == ["old"]
    assert [r["name"] for r in after["resources"]] == ["one"]
    assert after["metadata_modified"] == pkg["metadata_modified"]
    assert _rows(catalog) == before


def test_resource_create_with_bad_field_leaves_count_unchanged(api, catalog, admin, org):
    pkg = api.ok("package_create", admin, name="res-count", owner_org=org["id"])
    before = _rows(catalog)
    error = api.error(
        "resource_create", admin, status=409, package_id=pkg["id"], url="x", size="big"
    )
    assert "size" in error
    error = api.error("resource_create", admin, status=409, url="x")
    assert error["package_id"] == ["Missing value"]
    assert _rows(catalog) == before
    assert api.ok("package_show", id=pkg["id"])["num_resources"] == 0


# --- request bodies -----------------------------------------------------------------------------


def test_malformed_json(client, catalog, admin, org):
    before = _rows(catalog)
    for body in (b'{"name": "broken", ', b"{'name': 'single-quotes'}", b"\xff\xfe{}"):
        response = _post_raw(client, "package_create", admin, body, "application/json")
        assert response.status_code == 400
        payload = response.json()
        assert payload["success"] is False
        assert payload["error"]["__type"] == "Bad request"
        assert payload["error"]["message"].startswith("Bad request - JSON Error")
    assert _rows(catalog) == before


@pytest.mark.parametrize("body", [b"[]", b'[{"name": "in-a-list"}]', b'"text"', b"42", b"null"])
def test_json_body_must_be_an_object(client, catalog, admin, body):
    before = _rows(catalog)
    response = _post_raw(client, "package_create", admin, body, "application/json")
    assert response.status_code == 400, response.text
    assert response.json()["error"]["__type"] == "Bad request"
    assert "JSON object" in response.json()["error"]["message"]
    assert _rows(catalog) == before


@pytest.mark.parametrize("literal", [b"NaN", b"Infinity", b"-Infinity", b"1e999", b"-1e400"])
def test_non_finite_numbers_are_refused(client, api, catalog, admin, org, literal):
    """Not JSON; once stored, they would make every later package_show fail to render."""
    pkg = api.ok("package_create", admin, name="finite", owner_org=org["id"])
    before = _rows(catalog)
    body = b'{"package_id": "finite", "url": "http://example.org", "weight": ' + literal + b"}"
    response = _post_raw(client, "resource_create", admin, body, "application/json")
    assert response.status_code == 400, response.text
    assert response.json()["error"]["__type"] == "Bad request"
    assert _rows(catalog) == before
    assert api.ok("package_show", id=pkg["id"])["resources"] == []


def test_deeply_nested_json_is_a_bad_request(client, catalog, admin):
    before = _rows(catalog)
    body = b'{"name": "deep", "extras": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    response = _post_raw(client, "package_create", admin, body, "application/json")
    assert response.status_code == 400, response.text
    assert response.json()["error"]["__type"] == "Bad request"
    assert _rows(catalog) == before


def test_body_over_max_json_bytes(small_node, api, catalog, admin, org):
    client, small_catalog = small_node
    assert small_catalog.settings.max_json_bytes == 2_000
    before = _rows(catalog)
    body = json.dumps(
        {"name": "too-big", "owner_org": org["id"], "notes": "長" * 3_000}, ensure_ascii=False
    ).encode()
    assert len(body) > 2_000
    response = _post_raw(client, "package_create", admin, body, "application/json")
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["__type"] == "Validation Error"
    assert "2000 bytes" in error["body"][0]
    assert _rows(catalog) == before
    # Under the limit the same node accepts it.
    small_body = json.dumps({"name": "small-enough", "owner_org": org["id"]}).encode()
    assert _post_raw(client, "package_create", admin, small_body, "application/json").is_success


def test_get_on_a_write_action(api, catalog, admin, org):
    before = _rows(catalog)
    response = api.call("package_create", admin, http_method="GET", name="via-get", owner_org="x")
    assert response.status_code == 400
    assert response.json()["error"]["__type"] == "Bad request"
    assert "POST" in response.json()["error"]["message"]
    response = api.call("package_delete", admin, http_method="GET", id="anything")
    assert response.status_code == 400
    assert _rows(catalog) == before
    # Read actions do accept GET.
    assert api.call("package_list", http_method="GET").json()["result"] == []


def test_unknown_action(api, admin):
    for method in ("GET", "POST"):
        response = api.call("package_destroy_everything", admin, method=method)
        assert response.status_code == 400
        body = response.json()
        assert body["success"] is False
        assert body["error"] == {
            "__type": "Bad request",
            "message": "Action name not known: package_destroy_everything",
        }


def test_upload_to_an_action_without_files(api, catalog, settings, admin, org):
    before = _rows(catalog)
    response = api.call(
        "package_create",
        admin,
        files={"upload": ("x.csv", b"a,b\n", "text/csv")},
        name="with-file",
        owner_org=org["id"],
    )
    assert response.status_code == 400
    assert "does not take a file upload" in response.json()["error"]["message"]
    assert _rows(catalog) == before
    assert _files(settings.blob_dir) == []
    assert _files(settings.data_dir / "tmp") == []


# --- uploads over the limit ---------------------------------------------------------------------


def test_oversized_upload_leaves_nothing_behind(small_node, api, catalog, settings, admin, org):
    client, _ = small_node
    pkg = api.ok("package_create", admin, name="uploads", owner_org=org["id"])
    before = _rows(catalog)
    response = client.post(
        "/api/3/action/resource_create",
        data={"package_id": pkg["id"], "name": "too big"},
        files={"upload": ("big.csv", b"x" * 5_000, "text/csv")},
        headers={"Authorization": admin},
    )
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["__type"] == "Validation Error"
    assert set(error) == {"__type", "upload"}
    assert "more than 1000 bytes" in error["upload"][0]
    assert _rows(catalog) == before
    assert api.ok("package_show", id=pkg["id"])["resources"] == []
    assert _files(settings.blob_dir) == []
    assert _files(settings.data_dir / "tmp") == []

    # The same limit guards replacing an existing file: the old one stays.
    ok = client.post(
        "/api/3/action/resource_create",
        data={"package_id": pkg["id"]},
        files={"upload": ("small.csv", b"a,b\n1,2\n", "text/csv")},
        headers={"Authorization": admin},
    )
    assert ok.status_code == 200, ok.text
    res = ok.json()["result"]
    blobs = _files(settings.blob_dir)
    assert len(blobs) == 1
    response = client.post(
        "/api/3/action/resource_update",
        data={"id": res["id"]},
        files={"upload": ("big.csv", b"y" * 5_000, "text/csv")},
        headers={"Authorization": admin},
    )
    assert response.status_code == 413
    assert _files(settings.blob_dir) == blobs
    assert blobs[0].read_bytes() == b"a,b\n1,2\n"
    assert _files(settings.data_dir / "tmp") == []
    assert api.ok("resource_show", id=res["id"])["hash"] == res["hash"]


def test_truncated_multipart_body_is_refused(client, api, catalog, settings, admin, org):
    """A body cut off mid-file (client gone, proxy limit) must not create a file-less resource."""
    pkg = api.ok("package_create", admin, name="cut-off", owner_org=org["id"])
    before = _rows(catalog)
    body = (
        b"--BOUNDARY\r\n"
        b'Content-Disposition: form-data; name="package_id"\r\n\r\n'
        + pkg["id"].encode()
        + b"\r\n--BOUNDARY\r\n"
        b'Content-Disposition: form-data; name="upload"; filename="half.csv"\r\n'
        b"Content-Type: text/csv\r\n\r\n"
        b"a,b\n1,2\n3,"
    )
    response = _post_raw(
        client, "resource_create", admin, body, "multipart/form-data; boundary=BOUNDARY"
    )
    assert response.status_code == 400
    assert response.json()["error"]["__type"] == "Bad request"
    assert _rows(catalog) == before
    assert _files(settings.blob_dir) == []
    assert _files(settings.data_dir / "tmp") == []


def test_multipart_without_boundary_and_stray_file_fields(client, catalog, settings, admin, org):
    before = _rows(catalog)
    response = _post_raw(client, "resource_create", admin, b"junk", "multipart/form-data")
    assert response.status_code == 400
    body = (
        b"--B\r\n"
        b'Content-Disposition: form-data; name="notes"; filename="notes.txt"\r\n\r\n'
        b"text\r\n--B--\r\n"
    )
    response = _post_raw(client, "resource_create", admin, body, "multipart/form-data; boundary=B")
    assert response.status_code == 400
    assert "'upload' field" in response.json()["error"]["message"]
    assert _rows(catalog) == before
    assert _files(settings.data_dir / "tmp") == []


# --- hostile strings ----------------------------------------------------------------------------

HOSTILE_TITLE = '<script>alert("x")</script> \u202eevil\u202c "quotes" \\ \u0000 end'
HOSTILE_NOTES = "line1\r\nline2\u0000\u200b\ufeff 𠮷野家 \U0001f600 \u202e RTL"


def test_hostile_strings_are_stored_verbatim_or_refused(client, api, catalog, admin, org):
    pkg = api.ok(
        "package_create",
        admin,
        name="hostile",
        owner_org=org["id"],
        title=HOSTILE_TITLE,
        notes=HOSTILE_NOTES,
        author="</script><img src=x onerror=alert(1)>",
        extras=[{"key": "rtl\u202ekey", "value": "\u0000<b>"}],
        resources=[
            {"url": "javascript:alert(1)", "name": HOSTILE_TITLE, "note": HOSTILE_NOTES},
            {"url": 'http://example.org/a?q=<script>"x"</script>\r\nSet-Cookie: a=b'},
        ],
    )
    for shown in (pkg, api.ok("package_show", id="hostile")):
        assert shown["title"] == HOSTILE_TITLE
        assert shown["notes"] == HOSTILE_NOTES
        assert shown["author"] == "</script><img src=x onerror=alert(1)>"
        assert shown["extras"] == [{"key": "rtl\u202ekey", "value": "\u0000<b>"}]
        assert shown["resources"][0]["name"] == HOSTILE_TITLE
        assert shown["resources"][0]["note"] == HOSTILE_NOTES
        assert shown["resources"][0]["url"] == "javascript:alert(1)"
    # The response is JSON (never HTML), so the markup is inert.
    response = api.call("package_show", id="hostile")
    assert response.headers["content-type"].startswith("application/json")
    assert json.loads(response.content)["result"]["title"] == HOSTILE_TITLE
    # Search finds it by its text and returns it unchanged.
    found = api.ok("package_search", q="evil")
    assert [r["title"] for r in found["results"]] == [HOSTILE_TITLE]
    # A link redirects to what was stored, escaped: no markup, no header injection.
    res_id = pkg["resources"][1]["id"]
    redirect = client.get(f"/dataset/hostile/resource/{res_id}/download", follow_redirects=False)
    assert redirect.status_code == 302
    location = redirect.headers["location"]
    assert location.startswith("http://example.org/a?q=")
    assert not set('<>"\r\n ') & set(location)
    assert "set-cookie" not in redirect.headers


@pytest.mark.parametrize(
    "tag",
    [
        "t" * 10_000,
        "a\u202eb",
        "<script>",
        "nul\u0000byte",
        "new\nline",
    ],
)
def test_hostile_tags_are_refused_cleanly(api, catalog, admin, org, tag):
    pkg = api.ok(
        "package_create", admin, name="tagged", owner_org=org["id"], tags=[{"name": "good"}]
    )
    before = _rows(catalog)
    error = api.error(
        "package_update",
        admin,
        status=409,
        id=pkg["id"],
        tags=[{"name": "fine"}, {"name": tag}],
    )
    assert error["tags"][0] == {}
    assert len(error["tags"][1]["name"]) == 1
    assert _rows(catalog) == before
    assert [t["name"] for t in api.ok("package_show", id=pkg["id"])["tags"]] == ["good"]
    error = api.error("package_update", admin, status=409, id=pkg["id"], tag_string=f"fine,{tag}")
    assert "tag_string" in error
    assert [t["name"] for t in api.ok("package_show", id=pkg["id"])["tags"]] == ["good"]


def test_japanese_tags_and_titles_are_accepted(api, admin, org):
    pkg = api.ok(
        "package_create",
        admin,
        name="japanese",
        owner_org=org["id"],
        title="避難所一覧（令和６年）",
        tags=[{"name": "防災"}, {"name": "川"}, {"name": "ｶﾀｶﾅ"}],
    )
    assert pkg["title"] == "避難所一覧（令和６年）"
    assert sorted(t["name"] for t in pkg["tags"]) == sorted(["防災", "川", "ｶﾀｶﾅ"])


def test_no_500_for_odd_parameter_types(api, admin, org):
    """Non-string ids and refs are validation errors, not crashes."""
    for action, fields in [
        ("package_show", {"id": 123}),
        ("package_show", {"id": ["a", "b"]}),
        ("package_update", {"id": {"x": 1}}),
        ("resource_show", {"id": None}),
        ("package_create", {"name": "odd", "owner_org": 42}),
        ("package_create", {"name": ["odd"]}),
        ("package_search", {"q": {"$ne": 1}}),
    ]:
        response = api.call(action, admin, **fields)
        assert response.status_code in (400, 403, 404, 409), (action, fields, response.text)
        assert response.json()["success"] is False
