"""Search features on both backends: cursor paging, extents, and an index that never drifts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from renkei.api.app import build_catalog
from renkei.catalog import packages
from renkei.cli import app
from renkei.config import Settings
from renkei.search.service import package_search
from renkei.search.tantivy_query import word_variants
from renkei.store.tables import SearchOutbox, User


@pytest.fixture(params=["tantivy", "sql"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", site_url="http://testserver", search=request.param)


def box(west: float, south: float, east: float, north: float) -> str:
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


@pytest.fixture
def admin(api: Any, make_user: Any) -> str:
    token = make_user("root", sysadmin=True).token
    api.ok("organization_create", token, name="org")
    return token


def test_cursor_walks_every_result_once(api: Any, admin: str) -> None:
    for i in range(23):
        api.ok("package_create", admin, name=f"d{i:02d}", owner_org="org", title=f"道路 {i}")
    seen: list[str] = []
    page = api.ok("package_search", q="道路", rows=5, cursor="*")
    assert page["count"] == 23
    while True:
        seen += [r["name"] for r in page["results"]]
        if not page["next_cursor"]:
            break
        page = api.ok("package_search", q="道路", rows=5, cursor=page["next_cursor"])
        assert page["count"] == 23
    assert len(seen) == 23 and len(set(seen)) == 23
    newest_first = api.ok("package_search", q="道路", rows=23, sort="metadata_modified desc")
    assert seen == [r["name"] for r in newest_first["results"]]


def test_cursor_errors(api: Any, admin: str) -> None:
    api.error("package_search", status=400, cursor="garbage!")
    api.error("package_search", status=400, cursor="*", sort="name asc")
    api.error("package_search", status=400, cursor="*", start=10)


def test_bbox_and_temporal_filters(api: Any, admin: str) -> None:
    rows = [
        ("takamatsu", box(133.9, 34.2, 134.2, 34.45), "2018-11-01", "2018-11-30"),
        ("chiyoda", box(139.73, 35.67, 139.78, 35.70), "2020-04-01", "2021-03-31"),
        ("japan", box(122.9, 24.0, 153.9, 45.6), "2000", None),
        ("nowhere", None, None, None),
    ]
    for name, spatial, start, end in rows:
        extras = []
        if spatial:
            extras.append({"key": "spatial", "value": spatial})
        if start:
            extras.append({"key": "temporal_start", "value": start})
        if end:
            extras.append({"key": "temporal_end", "value": end})
        api.ok("package_create", admin, name=name, owner_org="org", extras=extras)

    def names(**params: Any) -> set[str]:
        return {r["name"] for r in api.ok("package_search", rows=100, **params)["results"]}

    assert names(ext_bbox="139.5,35.5,140.0,36.0") == {"chiyoda", "japan"}
    assert names(ext_bbox="133.0,34.0,134.0,35.0") == {"takamatsu", "japan"}
    assert names(ext_bbox="0,0,1,1") == set()
    assert names(ext_temporal="2021-01-01/2021-12-31") == {"chiyoda", "japan"}
    assert names(ext_temporal="../2019-01-01") == {"takamatsu", "japan"}  # japan: ongoing
    assert names(ext_temporal="2019-01-01/..") == {"chiyoda", "japan"}
    assert names(ext_bbox="139.5,35.5,140.0,36.0", ext_temporal="2018-01-01/2018-12-31") == {
        "japan"
    }
    for bad in ("1,2,3", "a,b,c,d", "10,50,5,60", "0,91,1,92"):
        assert "ext_bbox" in api.error("package_search", status=400, ext_bbox=bad)
    assert "ext_temporal" in api.error("package_search", status=400, ext_temporal="yesterday")


def test_a_crash_after_commit_is_repaired_from_the_outbox(
    api: Any, admin: str, settings: Settings, catalog: Any
) -> None:
    api.ok("package_create", admin, name="before", owner_org="org", title="河川")
    # Simulate a crash between the database commit and the index update: the change is
    # committed and queued, but the index was never told.
    search, catalog.search = catalog.search, None
    with catalog.context(_user_id(catalog, "root")) as ctx:
        packages.package_create(ctx, {"name": "lost", "owner_org": "org", "title": "河川 水位"})
    catalog.search = search
    with catalog.sessions() as session:
        assert session.query(SearchOutbox).count() >= 1
    restarted = build_catalog(settings)  # a new process starting on the same data dir
    with restarted.context(write=False) as ctx:
        found = package_search(ctx, {"q": "河川"})
    assert {r["name"] for r in found["results"]} == {"before", "lost"}
    assert restarted.search is not None and restarted.search.check(restarted).clean


def _user_id(catalog: Any, name: str) -> str:
    with catalog.sessions() as session:
        return session.scalar(select(User.id).where(User.name == name))


def test_check_reports_drift_and_reindex_repairs_it(
    api: Any, admin: str, settings: Settings, catalog: Any
) -> None:
    for i in range(5):
        api.ok("package_create", admin, name=f"p{i}", owner_org="org", title="公園")
    runner = CliRunner()
    env = {"RENKEI_SEARCH": settings.search}
    ok = runner.invoke(app, ["search", "check", "--data-dir", str(settings.data_dir)], env=env)
    assert ok.exit_code == 0, ok.output
    if settings.search == "tantivy":
        # Tamper with the index behind the catalog's back.
        writer = catalog.search.index.writer(15_000_000, 1)
        writer.delete_all_documents()
        writer.commit()
        writer.wait_merging_threads()
        drift = runner.invoke(
            app, ["search", "check", "--data-dir", str(settings.data_dir)], env=env
        )
        assert drift.exit_code == 1
        assert "5 missing" in drift.output
    rebuilt = runner.invoke(
        app, ["search", "reindex", "--data-dir", str(settings.data_dir)], env=env
    )
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "Indexed 5 datasets" in rebuilt.output
    assert api.ok("package_search", q="公園")["count"] == 5


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("population", ["population", "populations"]),
        ("shelters", ["shelter", "shelters"]),
        ("cities", ["cities", "city"]),
        ("city", ["cities", "city"]),
        ("buses", ["bus", "buses"]),
        ("aed", ["aed"]),
        ("gis", ["gis"]),
        ("glass", ["glass", "glasses"]),
    ],
)
def test_light_english_stemming(word: str, expected: list[str]) -> None:
    assert word_variants(word) == expected


def test_facets_follow_every_change(api: Any, admin: str) -> None:
    params = {"facet.field": ["tags", "organization"]}
    api.ok("package_create", admin, name="one", owner_org="org", tags=[{"name": "橋"}])
    assert api.ok("package_search", **params)["facets"]["tags"] == {"橋": 1}
    assert api.ok("package_search", **params)["facets"]["tags"] == {"橋": 1}  # asked again
    api.ok("package_create", admin, name="two", owner_org="org", tags=[{"name": "橋"}])
    assert api.ok("package_search", **params)["facets"]["tags"] == {"橋": 2}
    api.ok("package_patch", admin, id="one", tags=[{"name": "道路"}])
    assert api.ok("package_search", **params)["facets"]["tags"] == {"橋": 1, "道路": 1}
