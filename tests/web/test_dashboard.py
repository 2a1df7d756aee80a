"""The editor's dashboard and forms: the same services and rules as the Action API."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient

from renkei.catalog import groups, packages, users
from renkei.catalog.context import Catalog
from tests.web.conftest import PASSWORD, Site, csrf_token, login

EDITOR = "eddie"
ERROR_RE = re.compile(r'<p class="field-message" id="error-([^"]+)">([^<]+)</p>')


def _editor(catalog: Catalog, site: Site) -> str:
    with catalog.context() as ctx:
        users.create_user(ctx, EDITOR, password=PASSWORD)
        admin = users.get_user(ctx, site.admin)
    with catalog.context(admin.id) as ctx:
        groups.organization_member_create(
            ctx, {"id": site.org, "username": EDITOR, "role": "editor"}
        )
    return EDITOR


def _dataset_form(**fields: str) -> dict[str, str]:
    return {
        "name": "shelter-capacity",
        "title_ja": "避難所の収容人数",
        "title_en": "Shelter capacity",
        "notes_ja": "市内の避難所の**収容人数**。",
        "owner_org": "city-of-tests",
        "license_id": "cc-by-4.0",
        "tag_string": "避難所, 防災",
        "spatial": "133.9,34.2,134.2,34.4",
        "temporal_start": "2024-04-01",
        "extras__0__key": "attribution",
        "extras__0__value": "テスト市",
        "save": "active",
        **fields,
    }


def test_dashboard_needs_a_login(client: TestClient, site: Site) -> None:
    page = client.get("/dashboard", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == "/user/login?next=%2Fdashboard"
    assert client.get("/dashboard.json").status_code == 403


def test_dashboard_lists_private_datasets_and_drafts_of_my_organizations(
    client: TestClient, catalog: Catalog, site: Site
) -> None:
    _editor(catalog, site)
    with catalog.context() as ctx:
        ada = users.get_user(ctx, site.admin)
    with catalog.context(ada.id) as ctx:
        packages.package_create(
            ctx, {"name": "a-draft", "owner_org": site.org, "state": "draft", "title": "下書き"}
        )
    login(client, EDITOR)
    data = client.get("/dashboard.json").json()
    names = {d["name"] for d in data["datasets"]}
    assert {site.public, site.private, "a-draft"} <= names
    assert [o["name"] for o in data["organizations"]] == [site.org]
    assert data["organizations"][0]["capacity"] == "editor"
    html = client.get("/dashboard").text
    assert "下書き" in html and f"/dataset/{site.private}/edit" in html


def test_editor_creates_a_dataset_with_every_field(
    client: TestClient, catalog: Catalog, site: Site
) -> None:
    _editor(catalog, site)
    login(client, EDITOR)
    token = csrf_token(client, "/dashboard/datasets/new")
    created = client.post(
        "/dashboard/datasets/new",
        data={**_dataset_form(), "csrf_token": token},
        follow_redirects=False,
    )
    assert created.status_code == 303
    assert created.headers["location"] == "/dataset/shelter-capacity/resource/new"
    with catalog.context() as ctx:
        ds = packages.package_show(ctx, {"id": "shelter-capacity"})
    assert ds["title_translated"] == {"ja": "避難所の収容人数", "en": "Shelter capacity"}
    assert ds["title"] == "避難所の収容人数"  # the default language's
    assert ds["organization"]["name"] == site.org
    assert sorted(t["name"] for t in ds["tags"]) == ["避難所", "防災"]
    extras = {e["key"]: e["value"] for e in ds["extras"]}
    assert extras["attribution"] == "テスト市"
    assert extras["temporal_start"] == "2024-04-01"
    assert '"Polygon"' in extras["spatial"] and "133.9" in extras["spatial"]
    # The form shows it all again for editing.
    edit = client.get("/dataset/shelter-capacity/edit").text
    assert 'value="Shelter capacity"' in edit and 'value="避難所, 防災"' in edit


def test_errors_are_shown_next_to_their_fields_and_nothing_is_saved(
    client: TestClient, catalog: Catalog, site: Site
) -> None:
    _editor(catalog, site)
    login(client, EDITOR)
    token = csrf_token(client, "/dashboard/datasets/new")
    form = _dataset_form(title_ja="", title_en="", spatial="somewhere", extras__0__key="", name="x")
    answer = client.post("/dashboard/datasets/new", data={**form, "csrf_token": token})
    assert answer.status_code == 400
    errors = dict(ERROR_RE.findall(answer.text))
    # The form's checks and the schema's, all in one answer.
    assert set(errors) == {"title_ja", "spatial", "extras__0__key", "name"}
    assert 'aria-invalid="true"' in answer.text
    # The service's own checks (name, licence) come back the same way, in CKAN's field names.
    form = _dataset_form(name="Not A Valid Name", license_id="no-such-licence")
    answer = client.post("/dashboard/datasets/new", data={**form, "csrf_token": token})
    assert answer.status_code == 400
    assert {"name", "license_id"} <= set(dict(ERROR_RE.findall(answer.text)))
    assert 'value="避難所の収容人数"' in answer.text  # what was typed stays
    json_answer = client.post(
        "/dashboard/datasets/new.json", data={**form, "csrf_token": token}
    ).json()
    assert "name" in json_answer["errors"]
    with catalog.context() as ctx:
        assert packages.package_list(ctx, {}) == [site.public]


def test_members_and_outsiders_cannot_edit(
    client: TestClient, catalog: Catalog, site: Site
) -> None:
    login(client, site.member)  # reads private datasets, edits nothing
    assert client.get(f"/dataset/{site.private}/edit").status_code == 403
    token = csrf_token(client, "/dashboard")
    answer = client.post("/dashboard/datasets/new", data={**_dataset_form(), "csrf_token": token})
    assert answer.status_code == 403
    assert (
        client.post(f"/dataset/{site.public}/delete", data={"csrf_token": token}).status_code == 403
    )
    client.cookies.clear()
    login(client, site.outsider)
    # A private dataset the caller can't read doesn't exist for them.
    assert client.get(f"/dataset/{site.private}/edit").status_code == 404


def test_posts_need_the_csrf_token(client: TestClient, catalog: Catalog, site: Site) -> None:
    _editor(catalog, site)
    login(client, EDITOR)
    answer = client.post("/dashboard/datasets/new", data=_dataset_form())
    assert answer.status_code == 403
    assert client.post(f"/dataset/{site.public}/delete").status_code == 403
    with catalog.context() as ctx:
        assert packages.package_show(ctx, {"id": site.public})["state"] == "active"


def test_upload_a_csv_then_replace_and_delete_it(
    client: TestClient, catalog: Catalog, site: Site, fixture_file: Callable[[str], Path]
) -> None:
    _editor(catalog, site)
    login(client, EDITOR)
    token = csrf_token(client, f"/dataset/{site.public}/resource/new")
    csv_bytes = fixture_file("csv-ja/takamatsu_0060_evacuation_space.csv").read_bytes()
    # As the progress script sends it: multipart, asking for JSON.
    answer = client.post(
        f"/dataset/{site.public}/resource/new",
        data={"csrf_token": token, "name": "", "format": "", "description": ""},
        files={"upload": ("避難場所.csv", csv_bytes, "text/csv")},
        headers={"Accept": "application/json"},
    )
    assert answer.status_code == 201, answer.text
    res = answer.json()["resource"]
    assert answer.json()["redirect"] == f"/dataset/{site.public}/resource/{res['id']}"
    assert (res["name"], res["format"], res["size"]) == ("避難場所.csv", "CSV", len(csv_bytes))
    assert client.get(res["url"]).content == csv_bytes
    page = client.get(answer.json()["redirect"]).text
    assert "日新小学校跡施設" in page

    # Edit without a file: the file stays.
    edited = client.post(
        f"/dataset/{site.public}/resource/{res['id']}/edit",
        data={"csrf_token": token, "name": "避難場所一覧", "format": "CSV", "url": ""},
        follow_redirects=False,
    )
    assert edited.status_code == 303
    with catalog.context() as ctx:
        ds = packages.package_show(ctx, {"id": site.public})
    shown = next(r for r in ds["resources"] if r["id"] == res["id"])
    assert (shown["name"], shown["url_type"], shown["size"]) == (
        "避難場所一覧",
        "upload",
        len(csv_bytes),
    )

    deleted = client.post(
        f"/dataset/{site.public}/resource/{res['id']}/delete",
        data={"csrf_token": token},
        follow_redirects=False,
    )
    assert deleted.status_code == 303
    assert client.get(res["url"]).status_code == 404


def test_a_resource_needs_a_file_or_a_link(
    client: TestClient, catalog: Catalog, site: Site
) -> None:
    _editor(catalog, site)
    login(client, EDITOR)
    token = csrf_token(client, f"/dataset/{site.public}/resource/new")
    answer = client.post(
        f"/dataset/{site.public}/resource/new",
        data={"csrf_token": token, "name": "nothing"},
        files={"upload": ("", b"", "application/octet-stream")},
    )
    assert answer.status_code == 400
    assert "upload" in dict(ERROR_RE.findall(answer.text))
    linked = client.post(
        f"/dataset/{site.public}/resource/new",
        data={"csrf_token": token, "name": "API", "url": "https://example.org/api"},
        follow_redirects=False,
    )
    assert linked.status_code == 303


def test_admins_manage_members_editors_do_not(
    client: TestClient, catalog: Catalog, site: Site
) -> None:
    _editor(catalog, site)
    login(client, EDITOR)
    assert client.get(f"/organization/{site.org}/members").status_code == 403
    org_page = client.get(f"/organization/{site.org}").text
    assert f"/dashboard/datasets/new?organization={site.org}" in org_page
    assert f"/organization/{site.org}/members" not in org_page  # editors don't manage members
    client.cookies.clear()
    login(client, site.admin)
    assert f"/organization/{site.org}/members" in client.get(f"/organization/{site.org}").text
    page = client.get(f"/organization/{site.org}/members")
    assert page.status_code == 200 and EDITOR in page.text
    token = csrf_token(client, f"/organization/{site.org}/members")
    added = client.post(
        f"/organization/{site.org}/members",
        data={"csrf_token": token, "username": site.outsider, "role": "editor"},
        follow_redirects=False,
    )
    assert added.status_code == 303
    unknown = client.post(
        f"/organization/{site.org}/members",
        data={"csrf_token": token, "username": "nobody-here", "role": "editor"},
    )
    assert unknown.status_code == 400 and 'role="alert"' in unknown.text
    members = {
        m["name"]: m["capacity"]
        for m in client.get(f"/organization/{site.org}/members.json").json()["members"]
    }
    assert members[site.outsider] == "editor"
    removed = client.post(
        f"/organization/{site.org}/members/{site.outsider}/delete",
        data={"csrf_token": token},
        follow_redirects=False,
    )
    assert removed.status_code == 303
    after = client.get(f"/organization/{site.org}/members.json").json()["members"]
    assert site.outsider not in {m["name"] for m in after}


def test_the_resource_form_asks_what_a_chosen_file_holds(
    client: TestClient, catalog: Catalog, site: Site, fixture_file: Callable[[str], Path]
) -> None:
    source = fixture_file("csv-ja/takamatsu_0002_aed.cp932.csv")
    upload = {"upload": (source.name, source.read_bytes(), "text/csv")}
    anonymous = client.post(
        "/dashboard/inspect", files=upload, headers={"Accept": "application/json"}
    )
    assert anonymous.status_code == 403  # no session: no CSRF token, no login
    _editor(catalog, site)
    login(client, EDITOR)
    token = csrf_token(client, f"/dataset/{site.public}/resource/new")
    answer = client.post(
        "/dashboard/inspect",
        data={"csrf_token": token},
        files=upload,
        headers={"Accept": "application/json"},
    )
    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert found["inspection"]["encoding"] == "cp932"
    assert found["inspection"]["row_count"] == 514
    assert found["suggested"]["resource"]["format"] == "CSV"
    assert list((catalog.settings.data_dir / "tmp").glob("*")) == []  # nothing is kept
    form = client.get(f"/dataset/{site.public}/resource/new").text
    assert 'data-url="/dashboard/inspect"' in form


def test_inspecting_refuses_files_over_the_inspection_limit(
    client: TestClient, catalog: Catalog, site: Site
) -> None:
    _editor(catalog, site)
    login(client, EDITOR)
    catalog.settings.inspect_upload_max_bytes = 1000
    token = csrf_token(client, f"/dataset/{site.public}/resource/new")
    answer = client.post(
        "/dashboard/inspect",
        data={"csrf_token": token},
        files={"upload": ("big.csv", b"a,b\n" + b"1,2\n" * 1000, "text/csv")},
        headers={"Accept": "application/json"},
    )
    assert answer.status_code == 413
    assert list((catalog.settings.data_dir / "tmp").glob("*")) == []  # nothing left staged
