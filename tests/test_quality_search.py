"""Quality weighs on search relevance (tantivy): among equal matches the better-scored
dataset comes first, after a scan and after a full reindex; unscored datasets keep their order."""

from __future__ import annotations

from typing import Any

from renkei.catalog.context import Catalog
from renkei.quality import mqa
from renkei.search import tantivy_backend


def names(api: Any, **params: Any) -> list[str]:
    return [r["name"] for r in api.ok("package_search", q="AED", **params)["results"]]


def test_a_scored_dataset_ranks_above_an_equal_unscored_one(
    api: Any, client: Any, catalog: Catalog, make_user: Any
) -> None:
    admin = make_user("root", sysadmin=True).token
    api.ok("organization_create", admin, name="city")
    for name in ("aed-one", "aed-two"):  # the same words, the same lengths
        api.ok("package_create", admin, name=name, owner_org="city", title="AED設置場所",
               notes="AED の一覧", license_id="cc-by-4.0")  # fmt: skip
    unscored = names(api)
    assert sorted(unscored) == ["aed-one", "aed-two"]
    last = unscored[-1]

    response = client.post(
        f"/api/v1/quality/datasets/{last}/scan", headers={"Authorization": admin}
    )
    assert response.status_code == 200 and response.json()["total"] > 0
    assert names(api)[0] == last  # boosted among equals
    assert names(api, sort="name asc") == ["aed-one", "aed-two"]  # other sorts untouched

    assert catalog.search is not None
    catalog.search.reindex(catalog)
    assert names(api)[0] == last  # the full rebuild reads the quality totals too


def test_the_boost_scale_matches_the_mqa_maximum() -> None:
    assert tantivy_backend.MQA_MAX == mqa.MAX_POINTS


def test_quality_rating_is_a_facet_and_a_filter_in_both_backends(
    api: Any, client: Any, catalog: Catalog, make_user: Any
) -> None:
    from dataclasses import replace

    from fastapi.testclient import TestClient

    from renkei.api.app import create_app
    from renkei.search.backend import make_backend
    from tests.conftest import Api

    admin = make_user("rater", sysadmin=True).token
    api.ok("organization_create", admin, name="city")
    api.ok("package_create", admin, name="rich", owner_org="city", title="AED設置場所",
           notes="AED の一覧", license_id="cc-by-4.0", tags=[{"name": "AED"}],
           maintainer_email="aed@example.jp")  # fmt: skip
    api.ok("package_create", admin, name="bare", owner_org="city", title="AED")
    api.ok("package_create", admin, name="never", owner_org="city", title="AED 未評価")
    bands = {}
    for name in ("rich", "bare"):
        scanned = client.post(
            f"/api/v1/quality/datasets/{name}/scan", headers={"Authorization": admin}
        )
        bands[name] = scanned.json()["band"]
    expected: dict[str, int] = {}
    for band in bands.values():
        expected[band] = expected.get(band, 0) + 1
    sql_catalog = replace(catalog, search=make_backend("sql", catalog.settings.data_dir / "sql"))
    sql_api = Api(TestClient(create_app(catalog.settings, sql_catalog)))
    for caller in (api, sql_api):
        found = caller.ok("package_search", q="AED", **{"facet.field": '["quality"]'})
        items = {i["name"]: i["count"] for i in found["search_facets"]["quality"]["items"]}
        assert items == expected  # the unscored dataset has no rating
        rated = caller.ok("package_search", fq=f"quality:{bands['rich']}")
        assert "rich" in [r["name"] for r in rated["results"]]
        assert "never" not in [r["name"] for r in rated["results"]]
    page = client.get("/dataset", params={"q": "AED", "lang": "en"}).text
    assert "Quality rating" in page
