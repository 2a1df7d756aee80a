"""The unmodified ``ckanapi`` client against a real node over HTTP (uvicorn on loopback).

One realistic session: an organization, a private dataset with an uploaded Japanese CSV, its
download, search (with and without the token), patch, conditional revise, soft delete, and the
mapping of error envelopes onto ckanapi's exception classes.
"""

from __future__ import annotations

import hashlib
import json
from urllib.parse import unquote

import ckanapi
import httpx
import pytest
import requests

from renkei.catalog import users

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


def _account(live_node, name: str, *, sysadmin: bool = False) -> str:
    """A user of the live node (its own catalog, not the ``catalog`` fixture) and its token."""
    with live_node.catalog.context() as ctx:
        user = users.create_user(ctx, name, sysadmin=sysadmin, email=f"{name}@example.org")
        _, secret = users.create_token(ctx, user, "ckanapi tests")
    return secret


def test_status_show_over_default_action_path(live_node):
    seen: list[str] = []
    session = requests.Session()
    session.hooks["response"].append(lambda r, *a, **k: seen.append(r.url))
    with ckanapi.RemoteCKAN(live_node.url, session=session) as ckan:
        assert ckan.base_url == "api/action/"
        status = ckan.action.status_show()
    assert status["site_url"] == live_node.url
    assert status["ckan_version"].startswith("2.")
    assert "renkei_version" in status
    # The client's default path (no /3/) is the one that answered.
    assert seen == [f"{live_node.url}/api/action/status_show"]


def test_full_session_with_unmodified_ckanapi(live_node, fixture_file):
    admin_token = _account(live_node, "sysop", sysadmin=True)
    outsider_token = _account(live_node, "outsider")
    source = fixture_file("csv-ja/takamatsu_0002_aed.csv")
    original = source.read_bytes()

    admin = ckanapi.RemoteCKAN(live_node.url, apikey=admin_token)
    anon = ckanapi.RemoteCKAN(live_node.url)
    outsider = ckanapi.RemoteCKAN(live_node.url, apikey=outsider_token)

    # --- organization + private dataset + upload -----------------------------------------
    org = admin.action.organization_create(name="takamatsu-city", title="高松市")
    assert org["is_organization"] is True

    pkg = admin.action.package_create(
        name="takamatsu-aed",
        title="AED設置箇所一覧",
        owner_org=org["id"],
        private=True,
        notes="高松市内のAED設置場所",
        tags=[{"name": "防災"}, {"name": "aed"}],
        license_id="cc-by-4.0",
    )
    assert pkg["private"] is True and pkg["owner_org"] == org["id"]

    with open(source, "rb") as handle:
        res = admin.action.resource_create(
            package_id=pkg["id"], name="AED一覧", format="CSV", upload=handle
        )
    assert res["url_type"] == "upload"
    assert res["size"] == len(original)
    assert res["hash"] == hashlib.sha256(original).hexdigest()
    assert res["format"] == "CSV"
    assert res["url"].startswith(f"{live_node.url}/dataset/{pkg['id']}/resource/{res['id']}/")
    assert res["url"].endswith("/takamatsu_0002_aed.csv")

    shown = admin.action.package_show(id="takamatsu-aed")
    assert [r["id"] for r in shown["resources"]] == [res["id"]]
    assert shown["resources"][0]["hash"] == res["hash"]

    # --- download: bytes with the token, 404 (not 403) without -----------------------------
    with httpx.Client() as http:
        got = http.get(res["url"], headers={"Authorization": admin_token})
        assert got.status_code == 200
        assert got.content == original
        assert "takamatsu_0002_aed.csv" in got.headers["content-disposition"]
        assert http.get(res["url"]).status_code == 404
        assert http.get(res["url"], headers={"Authorization": outsider_token}).status_code == 404

    # --- search: private dataset visible only to those who may read it --------------------
    found = admin.action.package_search(q="AED", include_private=True)
    assert [r["name"] for r in found["results"]] == ["takamatsu-aed"]
    assert found["count"] == 1

    for client in (anon, outsider):
        hidden = client.action.package_search(
            q="AED", include_private=True, **{"facet.field": ["organization", "tags"]}
        )
        assert hidden["count"] == 0
        assert hidden["results"] == []
        assert "takamatsu-city" not in hidden["facets"].get("organization", {})
        assert "防災" not in hidden["facets"].get("tags", {})
    everything = anon.action.package_search(
        include_private=True, **{"facet.field": json.dumps(["organization", "tags"])}
    )
    assert everything["count"] == 0
    assert everything["facets"]["organization"] == {}
    assert everything["facets"]["tags"] == {}
    # ...while the sysadmin's facets do count it.
    counted = admin.action.package_search(
        include_private=True, **{"facet.field": json.dumps(["organization", "tags"])}
    )
    assert counted["facets"]["organization"] == {"takamatsu-city": 1}
    assert counted["facets"]["tags"] == {"aed": 1, "防災": 1}

    # --- exceptions: NotFound / NotAuthorized / ValidationError ---------------------------
    with pytest.raises(ckanapi.NotFound):
        anon.action.package_show(id="takamatsu-aed")  # private: looks absent
    with pytest.raises(ckanapi.NotFound):
        admin.action.package_show(id="no-such-dataset")
    with pytest.raises(ckanapi.NotAuthorized):
        anon.action.package_create(name="anon-dataset", owner_org=org["id"])
    with pytest.raises(ckanapi.NotAuthorized):
        outsider.action.organization_create(name="outsider-org")
    with pytest.raises(ckanapi.ValidationError) as invalid:
        admin.action.package_create(
            name="Bad Name", owner_org=org["id"], license_id="no-such-licence"
        )
    errors = invalid.value.error_dict
    assert errors["__type"] == "Validation Error"
    assert isinstance(errors["name"], list) and errors["name"]
    assert isinstance(errors["license_id"], list) and "no-such-licence" in errors["license_id"][0]
    with pytest.raises(ckanapi.SearchQueryError):
        admin.action.package_search(q="(unbalanced")
    with pytest.raises(ckanapi.NotAuthorized):
        ckanapi.RemoteCKAN(live_node.url, apikey="rk_revoked_or_made_up").action.package_show(
            id="takamatsu-aed"
        )
    with pytest.raises(ckanapi.ValidationError) as duplicate:
        admin.action.package_create(name="takamatsu-aed", owner_org=org["id"])
    assert duplicate.value.error_dict["name"] == ["That URL is already in use."]

    # --- package_patch: only the given fields change, the file stays -----------------------
    patched = admin.action.package_patch(id=pkg["id"], notes="更新済み")
    assert patched["notes"] == "更新済み"
    assert patched["title"] == "AED設置箇所一覧"
    assert patched["private"] is True
    assert [t["name"] for t in patched["tags"]] == ["aed", "防災"]
    assert patched["resources"][0]["url"] == res["url"]
    assert patched["resources"][0]["hash"] == res["hash"]

    # --- package_revise: stale match refused, nothing changes; fresh match applied ---------
    with pytest.raises(ckanapi.ValidationError) as stale:
        admin.action.package_revise(
            match={"id": pkg["id"], "notes": "高松市内のAED設置場所"},
            update={"title": "上書きされてはいけない"},
        )
    assert "match" in stale.value.error_dict
    unchanged = admin.action.package_show(id=pkg["id"])
    assert unchanged["title"] == "AED設置箇所一覧"
    assert unchanged["notes"] == "更新済み"
    assert unchanged["metadata_modified"] == patched["metadata_modified"]

    revised = admin.action.package_revise(
        match={"id": pkg["id"], "notes": "更新済み"},
        update={"title": "AED設置箇所一覧（改訂）"},
    )
    assert revised["package"]["title"] == "AED設置箇所一覧（改訂）"
    assert admin.action.package_show(id=pkg["id"])["title"] == "AED設置箇所一覧（改訂）"
    assert revised["package"]["resources"][0]["hash"] == res["hash"]

    # --- package_delete: gone for the public, visible as deleted to the sysadmin -----------
    assert admin.action.package_delete(id=pkg["id"]) is None
    # Hidden from anonymous callers, as if it did not exist.
    with pytest.raises(ckanapi.NotFound):
        anon.action.package_show(id=pkg["id"])
    deleted = admin.action.package_show(id=pkg["id"])
    assert deleted["state"] == "deleted"
    assert admin.action.package_search(q="AED", include_private=True)["count"] == 0
    # The file is kept (soft delete) and still served to those who may edit.
    with httpx.Client() as http:
        assert http.get(res["url"], headers={"Authorization": admin_token}).content == original
        assert http.get(res["url"]).status_code == 404


def test_upload_with_ckanapi_to_resource_update_replaces_file(live_node, fixture_file):
    token = _account(live_node, "sysop", sysadmin=True)
    ckan = ckanapi.RemoteCKAN(live_node.url, apikey=token)
    ckan.action.organization_create(name="org-a")
    pkg = ckan.action.package_create(name="files", owner_org="org-a")
    first = fixture_file("csv-ja/takamatsu_0002_aed.csv")
    second = fixture_file("csv-ja/takamatsu_0085_階数.csv")  # a Japanese file name, via requests
    with open(first, "rb") as handle:
        res = ckan.action.resource_create(package_id=pkg["id"], upload=handle)
    with open(second, "rb") as handle:
        updated = ckan.action.resource_update(id=res["id"], upload=handle, name="階数")
    assert updated["id"] == res["id"]
    assert updated["name"] == "階数"
    assert updated["hash"] == hashlib.sha256(second.read_bytes()).hexdigest()
    assert updated["size"] == second.stat().st_size
    assert unquote(updated["url"]).endswith("/download/takamatsu_0085_階数.csv")
    with httpx.Client() as http:
        got = http.get(updated["url"], headers={"Authorization": token})
    assert got.content == second.read_bytes()
    disposition = got.headers["content-disposition"]
    assert unquote(disposition.split("filename*=utf-8''", 1)[1]) == "takamatsu_0085_階数.csv"
    blobs = [p for p in live_node.settings.blob_dir.rglob("*") if p.is_file()]
    assert len(blobs) == 1


def test_deleted_private_dataset_looks_absent_to_anonymous(live_node):
    token = _account(live_node, "sysop", sysadmin=True)
    admin = ckanapi.RemoteCKAN(live_node.url, apikey=token)
    admin.action.organization_create(name="org-b")
    pkg = admin.action.package_create(name="secret", owner_org="org-b", private=True)
    admin.action.package_delete(id=pkg["id"])
    assert admin.action.package_show(id=pkg["id"])["state"] == "deleted"
    with pytest.raises(ckanapi.NotFound):
        ckanapi.RemoteCKAN(live_node.url).action.package_show(id=pkg["id"])
