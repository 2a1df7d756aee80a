"""Uploaded files and the file rule: a blob lives exactly as long as something references it.

Checked on disk (the blob dir and the staging dir) as well as through the API, so a leak or a
premature deletion shows up even when the API answers look right.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

from renkei.config import Settings

# --- helpers ------------------------------------------------------------------------------------


@pytest.fixture
def admin(make_user: Callable[..., Any]) -> str:
    return make_user("sysop", sysadmin=True).token


@pytest.fixture
def org(api: Any, admin: str) -> dict[str, Any]:
    return api.ok("organization_create", admin, name="takamatsu", title="高松市")


@pytest.fixture
def dataset(api: Any, admin: str, org: dict[str, Any]) -> dict[str, Any]:
    return api.ok(
        "package_create", admin, name="aed", owner_org=org["id"], title="AED", notes="AED一覧"
    )


def blobs(settings: Settings) -> list[Path]:
    return sorted(p for p in settings.blob_dir.rglob("*") if p.is_file())


def staging(settings: Settings) -> list[Path]:
    return sorted(p for p in (settings.data_dir / "tmp").rglob("*") if p.is_file())


def upload(api: Any, token: str, action: str, content: bytes, filename: str, **fields: Any) -> Any:
    return api.call(action, token, files={"upload": (filename, content, "text/csv")}, **fields)


def path_of(url: str) -> str:
    """The test client's path for an absolute URL of the node."""
    parts = urlsplit(url)
    assert parts.netloc == "testserver", url
    return parts.path


def download(client: Any, url: str, token: str | None = None, **kwargs: Any) -> Any:
    headers = {"Authorization": token} if token else {}
    return client.get(path_of(url), headers=headers, **kwargs)


# --- upload and download ------------------------------------------------------------------------


def test_upload_streams_to_the_blob_store_with_size_and_hash(api, client, settings, admin, dataset):
    content = os.urandom(3 * 1024 * 1024 + 123)  # spans several 1 MiB chunks
    response = upload(api, admin, "resource_create", content, "big.bin", package_id=dataset["id"])
    assert response.status_code == 200, response.text
    res = response.json()["result"]
    assert res["size"] == len(content)
    assert res["hash"] == hashlib.sha256(content).hexdigest()
    assert res["url_type"] == "upload"
    assert res["format"] == "BIN"
    assert res["name"] == "big.bin"
    assert res["last_modified"]
    # Exactly one file, with the exact bytes, in the blob store; nothing left in staging.
    stored = blobs(settings)
    assert len(stored) == 1
    assert hashlib.sha256(stored[0].read_bytes()).hexdigest() == res["hash"]
    assert staging(settings) == []
    # The download URL serves the same bytes.
    got = download(client, res["url"], admin)
    assert got.status_code == 200
    assert got.content == content
    assert got.headers["content-length"] == str(len(content))
    # resource_show agrees.
    assert api.ok("resource_show", admin, id=res["id"])["hash"] == res["hash"]


def test_real_japanese_csv_and_its_file_name(api, client, settings, admin, dataset, fixture_file):
    source = fixture_file("csv-ja/takamatsu_0085_階数.csv")
    content = source.read_bytes()
    res = api.ok(
        "resource_create",
        admin,
        files={"upload": (source.name, content, "text/csv")},
        package_id=dataset["id"],
    )
    assert res["name"] == "takamatsu_0085_階数.csv"
    assert res["format"] == "CSV"
    assert res["mimetype"] == "text/csv"
    assert res["size"] == len(content)
    assert res["hash"] == hashlib.sha256(content).hexdigest()
    assert unquote(res["url"]).endswith("/download/takamatsu_0085_階数.csv")

    got = download(client, res["url"])
    assert got.status_code == 200
    assert got.content == content
    disposition = got.headers["content-disposition"]
    assert disposition.startswith("attachment")
    # RFC 6266 / 5987: the UTF-8 name, percent-encoded.
    assert "filename*=utf-8''" in disposition
    assert unquote(disposition.split("filename*=utf-8''", 1)[1]) == "takamatsu_0085_階数.csv"
    assert got.headers["content-type"].startswith("text/csv")


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\データ.csv", "データ.csv"),
        ("evil\u202ename\u200b.csv", "evilname.csv"),
        ("...", "file"),
    ],
)
def test_uploaded_file_names_are_made_safe(api, client, settings, admin, dataset, sent, kept):
    res = upload(api, admin, "resource_create", b"a,b\n", sent, package_id=dataset["id"])
    assert res.status_code == 200, res.text
    res = res.json()["result"]
    assert unquote(res["url"].rsplit("/", 1)[1]) == kept
    got = download(client, res["url"])
    assert got.status_code == 200 and got.content == b"a,b\n"
    # Nothing was written outside the blob store.
    assert len(blobs(settings)) == 1
    assert not (settings.data_dir.parent / "etc").exists()


def test_control_characters_in_a_raw_file_name_are_dropped(api, client, admin, dataset):
    """Clients that send the name as raw bytes (not HTML5-escaped) get the same cleaning."""
    body = (
        b"--B\r\n"
        b'Content-Disposition: form-data; name="package_id"\r\n\r\n'
        + dataset["id"].encode()
        + b"\r\n--B\r\n"
        b'Content-Disposition: form-data; name="upload"; filename="a\x00b\x07c\x7f.csv"\r\n'
        b"Content-Type: text/csv\r\n\r\n"
        b"1,2\n\r\n--B--\r\n"
    )
    response = client.post(
        "/api/3/action/resource_create",
        content=body,
        headers={"Authorization": admin, "Content-Type": "multipart/form-data; boundary=B"},
    )
    assert response.status_code == 200, response.text
    res = response.json()["result"]
    assert res["name"] == "abc.csv"
    assert res["url"].endswith("/download/abc.csv")
    got = download(client, res["url"])
    assert got.content == b"1,2\n"
    assert 'filename="abc.csv"' in got.headers["content-disposition"]


def test_download_url_works_with_dataset_name_and_without_file_name(api, client, admin, dataset):
    res = upload(api, admin, "resource_create", b"x,y\n", "x.csv", package_id=dataset["id"])
    res = res.json()["result"]
    for path in (
        f"/dataset/aed/resource/{res['id']}/download",
        f"/dataset/{dataset['id']}/resource/{res['id']}/download/any-name.csv",
    ):
        got = client.get(path)
        assert got.status_code == 200, path
        assert got.content == b"x,y\n"
    # A resource looked up through another dataset is not found.
    api.ok("package_create", admin, name="other", owner_org=dataset["owner_org"])
    assert client.get(f"/dataset/other/resource/{res['id']}/download").status_code == 404
    assert client.get(f"/dataset/aed/resource/{'0' * 36}/download").status_code == 404


def test_download_url_is_stable_across_update_round_trips(api, client, settings, admin, dataset):
    content = b"id,name\n1,\xe9\xab\x98\xe6\x9d\xbe\n"
    res = upload(api, admin, "resource_create", content, "data.csv", package_id=dataset["id"])
    res = res.json()["result"]
    stored = blobs(settings)

    pkg = api.ok("package_show", admin, id=dataset["id"])
    for _ in range(2):  # show -> update with the very same dict, twice
        pkg["notes"] = (pkg["notes"] or "") + "!"
        pkg = api.ok("package_update", admin, **pkg)
        (kept,) = pkg["resources"]
        assert kept["id"] == res["id"]
        assert kept["url"] == res["url"]
        assert kept["url_type"] == "upload"
        assert kept["hash"] == res["hash"]
        assert kept["size"] == len(content)
    assert blobs(settings) == stored
    assert download(client, res["url"]).content == content

    # Sending the resource back with its bare file name (no url) also keeps the file.
    pkg["resources"][0]["url"] = "data.csv"
    pkg = api.ok("package_update", admin, **pkg)
    assert pkg["resources"][0]["url"] == res["url"]
    pkg["resources"][0].pop("url")
    pkg = api.ok("package_update", admin, **pkg)
    assert pkg["resources"][0]["url"] == res["url"]
    # ...and so do package_patch and resource_patch without a file.
    api.ok("package_patch", admin, id=dataset["id"], title="AED 2")
    patched = api.ok("resource_patch", admin, id=res["id"], description="説明")
    assert patched["url"] == res["url"] and patched["description"] == "説明"
    assert blobs(settings) == stored
    assert download(client, res["url"]).content == content


def test_browser_form_without_a_file_keeps_the_current_file(api, client, settings, admin, dataset):
    """An HTML file input left empty sends ``filename=""``: no upload, not an empty file."""
    res = upload(api, admin, "resource_create", b"keep,me\n", "keep.csv", package_id=dataset["id"])
    res = res.json()["result"]
    stored = blobs(settings)
    body = (
        b"--B\r\n"
        b'Content-Disposition: form-data; name="id"\r\n\r\n' + res["id"].encode() + b"\r\n"
        b"--B\r\n"
        b'Content-Disposition: form-data; name="description"\r\n\r\nnew text\r\n'
        b"--B\r\n"
        b'Content-Disposition: form-data; name="upload"; filename=""\r\n'
        b"Content-Type: application/octet-stream\r\n\r\n\r\n"
        b"--B--\r\n"
    )
    response = client.post(
        "/api/3/action/resource_update",
        content=body,
        headers={"Authorization": admin, "Content-Type": "multipart/form-data; boundary=B"},
    )
    assert response.status_code == 200, response.text
    updated = response.json()["result"]
    assert updated["description"] == "new text"
    assert updated["url"] == res["url"]
    assert updated["size"] == res["size"] and updated["hash"] == res["hash"]
    assert blobs(settings) == stored
    assert staging(settings) == []
    assert download(client, res["url"]).content == b"keep,me\n"


# --- the file rule ------------------------------------------------------------------------------


def test_replacing_an_upload_deletes_the_old_blob(api, client, settings, admin, dataset):
    first = upload(api, admin, "resource_create", b"v1\n", "v1.csv", package_id=dataset["id"])
    first = first.json()["result"]
    (old_blob,) = blobs(settings)
    assert old_blob.read_bytes() == b"v1\n"

    second = upload(api, admin, "resource_update", b"version 2\n", "v2.csv", id=first["id"])
    assert second.status_code == 200, second.text
    second = second.json()["result"]
    assert second["id"] == first["id"]
    assert second["size"] == len(b"version 2\n")
    assert second["hash"] == hashlib.sha256(b"version 2\n").hexdigest()
    assert unquote(second["url"]).endswith("/v2.csv")
    (new_blob,) = blobs(settings)
    assert new_blob != old_blob and not old_blob.exists()
    assert new_blob.read_bytes() == b"version 2\n"
    assert download(client, second["url"]).content == b"version 2\n"
    # resource_patch with a file replaces it the same way.
    third = upload(api, admin, "resource_patch", b"v3\n", "v3.csv", id=first["id"])
    assert third.status_code == 200, third.text
    (newest,) = blobs(settings)
    assert newest.read_bytes() == b"v3\n" and not new_blob.exists()
    assert staging(settings) == []


def test_a_failed_replacement_keeps_the_old_blob(api, client, settings, admin, dataset):
    res = upload(api, admin, "resource_create", b"v1\n", "v1.csv", package_id=dataset["id"])
    res = res.json()["result"]
    stored = blobs(settings)
    bad = upload(api, admin, "resource_update", b"v2\n", "v2.csv", id=res["id"], size="-5")
    assert bad.status_code == 409
    assert "size" in bad.json()["error"]
    assert blobs(settings) == stored
    assert staging(settings) == []
    assert download(client, res["url"]).content == b"v1\n"
    # Not allowed to edit (anonymous): same outcome.
    outsider = api.client.post(
        "/api/3/action/resource_update",
        data={"id": res["id"]},
        files={"upload": ("v2.csv", b"v2\n", "text/csv")},
    )
    assert outsider.status_code == 403
    assert blobs(settings) == stored
    assert staging(settings) == []


def test_switching_to_a_link_deletes_the_blob(api, client, settings, admin, dataset):
    res = upload(api, admin, "resource_create", b"file\n", "f.csv", package_id=dataset["id"])
    res = res.json()["result"]
    assert len(blobs(settings)) == 1
    linked = api.ok(
        "resource_update", admin, id=res["id"], url="https://example.org/data.csv", url_type=""
    )
    assert linked["url"] == "https://example.org/data.csv"
    assert not linked["url_type"]
    assert linked["size"] is None and linked["hash"] is None
    assert blobs(settings) == []
    got = download(client, res["url"], follow_redirects=False)
    assert got.status_code == 302
    assert got.headers["location"] == "https://example.org/data.csv"


def test_switching_to_a_link_with_package_update_deletes_the_blob(
    api, client, settings, admin, dataset
):
    res = upload(api, admin, "resource_create", b"file\n", "f.csv", package_id=dataset["id"])
    res = res.json()["result"]
    pkg = api.ok("package_show", admin, id=dataset["id"])
    pkg["resources"][0].update(url="https://example.org/new.csv", url_type=None)
    pkg = api.ok("package_update", admin, **pkg)
    assert pkg["resources"][0]["url"] == "https://example.org/new.csv"
    assert blobs(settings) == []


def test_resource_patch_to_a_link_makes_it_a_link(api, client, settings, admin, dataset):
    res = upload(api, admin, "resource_create", b"file\n", "f.csv", package_id=dataset["id"])
    res = res.json()["result"]
    patched = api.ok("resource_patch", admin, id=res["id"], url="https://example.org/p.csv")
    assert blobs(settings) == []
    assert patched["url"] == "https://example.org/p.csv"
    assert patched["url_type"] in (None, "")


def test_resource_delete_deletes_the_blob(api, client, settings, admin, dataset):
    keep = upload(api, admin, "resource_create", b"keep\n", "keep.csv", package_id=dataset["id"])
    drop = upload(api, admin, "resource_create", b"drop\n", "drop.csv", package_id=dataset["id"])
    keep, drop = keep.json()["result"], drop.json()["result"]
    assert len(blobs(settings)) == 2
    assert api.ok("resource_delete", admin, id=drop["id"]) is None
    (left,) = blobs(settings)
    assert left.read_bytes() == b"keep\n"
    assert download(client, drop["url"]).status_code == 404
    assert download(client, keep["url"]).content == b"keep\n"
    api.error("resource_show", admin, status=404, id=drop["id"])
    pkg = api.ok("package_show", id=dataset["id"])
    assert [(r["id"], r["position"]) for r in pkg["resources"]] == [(keep["id"], 0)]


def test_dropping_a_resource_in_package_update_deletes_its_blob(
    api, client, settings, admin, dataset
):
    for name in ("a.csv", "b.csv"):
        upload(api, admin, "resource_create", name.encode(), name, package_id=dataset["id"])
    pkg = api.ok("package_show", admin, id=dataset["id"])
    kept = pkg["resources"][1]
    pkg["resources"] = [kept]
    pkg = api.ok("package_update", admin, **pkg)
    assert [r["id"] for r in pkg["resources"]] == [kept["id"]]
    (left,) = blobs(settings)
    assert left.read_bytes() == b"b.csv"


def test_soft_delete_keeps_the_blob_and_download_needs_edit_rights(
    api, client, settings, make_user, admin, org, dataset
):
    editor = make_user("editor").token
    member = make_user("member").token
    stranger = make_user("stranger").token
    api.ok("organization_member_create", admin, id=org["id"], username="editor", role="editor")
    api.ok("organization_member_create", admin, id=org["id"], username="member", role="member")
    res = upload(api, editor, "resource_create", b"public\n", "p.csv", package_id=dataset["id"])
    res = res.json()["result"]
    stored = blobs(settings)
    for token in (None, stranger, member, editor):
        assert download(client, res["url"], token).status_code == 200

    assert api.ok("package_delete", editor, id=dataset["id"]) is None
    assert blobs(settings) == stored
    for token in (None, stranger, member):
        got = download(client, res["url"], token)
        assert got.status_code in (403, 404)
        assert got.content != b"public\n"
    for token in (editor, admin):
        got = download(client, res["url"], token)
        assert got.status_code == 200 and got.content == b"public\n"

    # Restoring it (state back to active) brings the very same file back for everyone.
    pkg = api.ok("package_show", editor, id=dataset["id"])
    assert pkg["state"] == "deleted"
    pkg["state"] = "active"
    api.ok("package_update", editor, **pkg)
    assert download(client, res["url"]).content == b"public\n"
    assert blobs(settings) == stored


def test_dataset_purge_deletes_rows_and_blobs(
    api, client, settings, catalog, make_user, admin, org, dataset
):
    from sqlalchemy import func, select

    from renkei.store.tables import Package, PackageTag, Resource

    other = api.ok("package_create", admin, name="other", owner_org=dataset["owner_org"])
    upload(api, admin, "resource_create", b"other\n", "o.csv", package_id=other["id"])
    res = [
        upload(
            api, admin, "resource_create", f"{i}\n".encode(), f"{i}.csv", package_id="aed"
        ).json()["result"]
        for i in range(3)
    ]
    api.ok("resource_create", admin, package_id="aed", url="https://example.org/link.csv")
    api.ok("package_patch", admin, id="aed", tags=[{"name": "aed"}])
    assert len(blobs(settings)) == 4

    # Only sysadmins purge (not even the organization's admins); a refused purge changes nothing.
    org_admin = make_user("org-admin").token
    api.ok("organization_member_create", admin, id=org["id"], username="org-admin", role="admin")
    api.error("dataset_purge", org_admin, status=403, id="aed")
    api.error("dataset_purge", status=403, id="aed")
    assert len(blobs(settings)) == 4

    api.ok("package_delete", admin, id="aed")
    assert len(blobs(settings)) == 4
    assert api.ok("dataset_purge", admin, id="aed") is None
    (left,) = blobs(settings)
    assert left.read_bytes() == b"other\n"
    api.error("package_show", admin, status=404, id="aed")
    for r in res:
        api.error("resource_show", admin, status=404, id=r["id"])
        assert download(client, r["url"], admin).status_code == 404
    with catalog.context() as ctx:
        count = lambda table, cond: ctx.session.scalar(  # noqa: E731
            select(func.count()).select_from(table).where(cond)
        )
        assert count(Package, Package.id == dataset["id"]) == 0
        assert count(Resource, Resource.package_id == dataset["id"]) == 0
        assert count(PackageTag, PackageTag.package_id == dataset["id"]) == 0
        assert count(Resource, Resource.package_id == other["id"]) == 1
    # The name is free again.
    api.ok("package_create", admin, name="aed", owner_org=dataset["owner_org"])


def test_failed_resource_create_leaves_no_blob(api, settings, admin, dataset):
    for fields in (
        {"package_id": dataset["id"], "size": "many"},
        {"package_id": dataset["id"], "url_type": "ftp"},
        {"package_id": "no-such-dataset"},
        {"name": "no package id"},
    ):
        response = upload(api, admin, "resource_create", b"data\n", "d.csv", **fields)
        assert response.status_code in (404, 409), (fields, response.text)
        assert blobs(settings) == []
        assert staging(settings) == []
    # Anonymous: refused, nothing kept.
    response = upload(api, None, "resource_create", b"data\n", "d.csv", package_id=dataset["id"])
    assert response.status_code == 403
    assert blobs(settings) == [] and staging(settings) == []
    assert api.ok("package_show", id=dataset["id"])["resources"] == []


def test_link_only_resources_redirect(api, client, settings, admin, dataset):
    res = api.ok(
        "resource_create",
        admin,
        package_id=dataset["id"],
        url="https://www.city.takamatsu.kagawa.jp/opendata/aed.csv",
        format="CSV",
    )
    assert res["url_type"] in (None, "")
    assert blobs(settings) == []
    for path in (
        f"/dataset/{dataset['id']}/resource/{res['id']}/download",
        f"/dataset/aed/resource/{res['id']}/download/aed.csv",
    ):
        got = client.get(path, follow_redirects=False)
        assert got.status_code == 302
        assert got.headers["location"] == "https://www.city.takamatsu.kagawa.jp/opendata/aed.csv"
    # A resource with neither file nor URL has nothing to download.
    empty = api.ok("resource_create", admin, package_id=dataset["id"], name="placeholder")
    got = client.get(f"/dataset/aed/resource/{empty['id']}/download", follow_redirects=False)
    assert got.status_code == 404


def test_private_dataset_files_are_hidden_like_the_dataset(
    api, client, settings, make_user, admin, org
):
    member = make_user("member").token
    api.ok("organization_member_create", admin, id=org["id"], username="member", role="member")
    api.ok("package_create", admin, name="secret", owner_org=org["id"], private=True)
    res = upload(api, admin, "resource_create", b"secret\n", "s.csv", package_id="secret")
    res = res.json()["result"]
    assert download(client, res["url"]).status_code == 404
    assert download(client, res["url"], make_user("nobody").token).status_code == 404
    assert download(client, res["url"], member).content == b"secret\n"
    assert download(client, res["url"], "rk_not_a_real_token").status_code == 403


def test_missing_blob_is_reported_not_crashed(api, client, settings, admin, dataset):
    res = upload(api, admin, "resource_create", b"gone\n", "g.csv", package_id=dataset["id"])
    res = res.json()["result"]
    (blob,) = blobs(settings)
    blob.unlink()
    got = download(client, res["url"])
    assert got.status_code == 410
    assert got.json()["success"] is False
