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
