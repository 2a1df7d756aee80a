"""Scores kept fresh: a committed change of a scored dataset rescores it in the background
(one rescore per burst of edits), without reading unchanged files again; the setting off keeps
the report marked stale until the next scan."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from renkei.catalog.context import Catalog
from renkei.config import Settings
from renkei.store.tables import QualityHistory
from tests.test_quality_reports import AED, scan

JOIN_TIMEOUT = 60


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # A short debounce keeps the tests quick; the burst test sets a longer one.
    return Settings(
        data_dir=tmp_path / "data", site_url="http://testserver", quality_on_save_delay=0.2
    )


@pytest.fixture
def admin(make_user: Callable[..., Any]) -> Any:
    return make_user("sysop", sysadmin=True)


@pytest.fixture
def org(api: Any, admin: Any) -> dict[str, Any]:
    return api.ok("organization_create", admin.token, name="takamatsu", title="高松市")


def make_scored(
    api: Any, client: Any, token: str, org: dict[str, Any], fixture_file: Callable[[str], Path]
) -> dict[str, Any]:
    """A dataset with an uploaded CSV and no keywords, scored once; its report."""
    dataset = api.ok(
        "package_create",
        token,
        name="aed",
        owner_org=org["id"],
        title="AED設置場所",
        notes="高松市の AED 設置場所",
        license_id="cc-by-4.0",
    )
    source = fixture_file(AED)
    api.ok(
        "resource_create",
        token,
        package_id=dataset["id"],
        name="AED一覧",
        format="CSV",
        files={"upload": (source.name, source.read_bytes(), "text/csv")},
    )
    response = scan(client, "aed", token)
    assert response.status_code == 200, response.text
    return response.json()


def rescores(catalog: Catalog) -> int:
    """Reports saved after the first scan (each save adds a history row)."""
    with catalog.context(write=False) as ctx:
        return ctx.session.scalar(select(func.count()).select_from(QualityHistory)) - 1


def joined(catalog: Catalog) -> None:
    assert catalog.jobs is not None and catalog.jobs.join(timeout=JOIN_TIMEOUT)


def rules(report: dict[str, Any]) -> set[str]:
    return {f["rule"] for s in report["scores"] for f in s["findings"]}


def test_an_edit_rescores_the_dataset_in_the_background(
    api: Any, client: Any, catalog: Catalog, admin: Any, org: dict[str, Any], fixture_file: Any
) -> None:
    before = make_scored(api, client, admin.token, org, fixture_file)
    assert "mqa.findability.keyword" in rules(before)

    api.ok("package_patch", admin.token, id="aed", tags=[{"name": "AED"}])
    joined(catalog)

    after = client.get("/api/v1/quality/datasets/aed").json()
    assert after["stale"] is False
    assert after["total"] == before["total"] + 30  # the keyword points
    assert "mqa.findability.keyword" not in rules(after)
    assert after["scored_at"] > before["scored_at"]
    shown = api.ok("package_show", id="aed")["quality"]
    assert (shown["total"], shown["stale"]) == (after["total"], False)
    assert rescores(catalog) == 1
    # The search index follows the new report: the quality facet counts its band.
    found = api.ok("package_search", q="AED", **{"facet.field": '["quality"]'})
    items = {i["name"]: i["count"] for i in found["search_facets"]["quality"]["items"]}
    assert items == {after["band"]: 1}

    # A change of a resource counts as a change of its dataset.
    resource_id = before["resources"][0]["id"]
    api.ok("resource_patch", admin.token, id=resource_id, description="市内の AED")
    joined(catalog)
    assert client.get("/api/v1/quality/datasets/aed").json()["stale"] is False
    assert rescores(catalog) == 2


def test_an_unchanged_file_is_not_checked_again(
    api: Any,
    client: Any,
    catalog: Catalog,
    settings: Settings,
    admin: Any,
    org: dict[str, Any],
    fixture_file: Any,
) -> None:
    before = make_scored(api, client, admin.token, org, fixture_file)
    resource_id = before["resources"][0]["id"]
    scored = client.get(f"/api/v1/quality/resources/{resource_id}").json()
    content = [s for s in scored["scores"] if s["scorer"] != "openness"]
    assert {s["scorer"] for s in content} >= {"machine_readability", "structure"}
    # Behind the catalog's back, the stored file now breaks every rule: a rescore that read
    # it again would report other findings.
    (blob,) = [p for p in settings.blob_dir.rglob("*") if p.is_file()]
    blob.write_bytes("注：表題\n\n,,\n1,2\n".encode("cp932"))

    api.ok("package_patch", admin.token, id="aed", notes="高松市内の AED 設置場所")
    joined(catalog)
    kept = client.get(f"/api/v1/quality/resources/{resource_id}").json()
    assert kept["scored_at"] > scored["scored_at"] and kept["stale"] is False
    assert [s for s in kept["scores"] if s["scorer"] != "openness"] == content

    # A new file (another hash) is checked: the findings are the new file's.
    api.ok(
        "resource_patch",
        admin.token,
        id=resource_id,
        files={"upload": ("aed.csv", "注：表題\n\n,,\n1,2\n".encode("cp932"), "text/csv")},
    )
    joined(catalog)
    checked = client.get(f"/api/v1/quality/resources/{resource_id}").json()
    assert checked["file"]["hash"] != scored["file"]["hash"]
    assert "structure.non-utf8-encoding" in rules(checked)
    assert "structure.non-utf8-encoding" not in {f["rule"] for s in content for f in s["findings"]}


def test_a_burst_of_edits_gives_one_rescore(
    api: Any,
    client: Any,
    catalog: Catalog,
    settings: Settings,
    admin: Any,
    org: dict[str, Any],
    fixture_file: Any,
) -> None:
    make_scored(api, client, admin.token, org, fixture_file)
    # Longer than five edits take here, even on a busy machine.
    settings.quality_on_save_delay = 3.0
    for n in range(5):
        api.ok("package_patch", admin.token, id="aed", notes=f"改訂 {n}")
    joined(catalog)
    # One when the burst fits in the delay; two if the rescore started before the last edit
    # (that edit then queues the one rescore that reads it).
    assert 1 <= rescores(catalog) <= 2
    report = client.get("/api/v1/quality/datasets/aed").json()
    assert report["stale"] is False


def test_with_the_setting_off_an_edit_only_marks_the_report_stale(
    api: Any,
    client: Any,
    catalog: Catalog,
    settings: Settings,
    admin: Any,
    org: dict[str, Any],
    fixture_file: Any,
) -> None:
    before = make_scored(api, client, admin.token, org, fixture_file)
    settings.quality_on_save = False
    api.ok("package_patch", admin.token, id="aed", tags=[{"name": "AED"}])
    joined(catalog)
    assert rescores(catalog) == 0
    stored = client.get("/api/v1/quality/datasets/aed").json()
    assert stored["stale"] is True and stored["total"] == before["total"]
    assert api.ok("package_show", id="aed")["quality"]["stale"] is True
    # The next scan catches up, as before.
    assert scan(client, "aed", admin.token).json()["total"] == before["total"] + 30


def test_unscored_and_deleted_datasets_are_not_rescored(
    api: Any,
    client: Any,
    catalog: Catalog,
    settings: Settings,
    admin: Any,
    org: dict[str, Any],
    fixture_file: Any,
) -> None:
    api.ok("package_create", admin.token, name="unscored", owner_org=org["id"], notes="x")
    api.ok("package_patch", admin.token, id="unscored", notes="y")
    joined(catalog)
    assert client.get("/api/v1/quality/datasets/unscored").status_code == 404  # as it was

    make_scored(api, client, admin.token, org, fixture_file)
    settings.quality_on_save_delay = 3.0  # the delete surely comes before the rescore
    api.ok("package_patch", admin.token, id="aed", notes="削除前")
    api.ok("package_delete", admin.token, id="aed")
    joined(catalog)
    assert rescores(catalog) == 0  # deleted before its rescore ran
