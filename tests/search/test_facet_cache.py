"""Facet counts are remembered per index version and recounted in the background after a
change, so the first visitor after an edit gets fresh counts without paying for them."""

from __future__ import annotations

from typing import Any

from renkei.catalog.context import Catalog
from renkei.search.facet_cache import FacetCache, Question

FRONT_PAGE = {"facet.field": ["organization", "tags"], "rows": 0}


def test_answers_belong_to_one_index_version() -> None:
    cache = FacetCache(capacity=4)
    question = Question("q", None, {}, 10)
    assert cache.get(1, question) is None
    cache.put(1, question, {"tags": [("a", 1)]})
    assert cache.get(1, question) == {"tags": [("a", 1)]}
    assert cache.get(2, question) is None  # a new version never sees the old counts


def test_a_change_recounts_the_most_asked_questions(
    api: Any, catalog: Catalog, make_user: Any
) -> None:
    admin = make_user("root", sysadmin=True).token
    api.ok("organization_create", admin, name="city")
    api.ok("package_create", admin, name="one", owner_org="city", tags=[{"name": "川"}])
    backend = catalog.search
    assert backend is not None and backend.name == "tantivy"
    before = api.ok("package_search", **FRONT_PAGE)["search_facets"]["tags"]["items"]
    assert [(i["name"], i["count"]) for i in before] == [("川", 1)]

    api.ok("package_create", admin, name="two", owner_org="city", tags=[{"name": "川"}])
    backend.facet_cache.wait(timeout=30)
    version = backend._version()
    recounted = [k for (v, k) in backend.facet_cache._answers if v == version]
    assert recounted, "the front page was not recounted after the change"

    after = api.ok("package_search", **FRONT_PAGE)["search_facets"]["tags"]["items"]
    assert [(i["name"], i["count"]) for i in after] == [("川", 2)]


def test_private_counts_stay_with_their_visibility(
    api: Any, catalog: Catalog, make_user: Any
) -> None:
    admin = make_user("root", sysadmin=True).token
    api.ok("organization_create", admin, name="city")
    api.ok("package_create", admin, name="open", owner_org="city", tags=[{"name": "川"}])
    api.ok("package_search", admin, include_private=True, **FRONT_PAGE)  # asked most
    api.ok("package_search", admin, include_private=True, **FRONT_PAGE)
    api.ok("package_search", **FRONT_PAGE)
    api.ok("package_create", admin, name="hidden", owner_org="city", private=True,
           tags=[{"name": "川"}])  # fmt: skip
    assert catalog.search is not None
    catalog.search.facet_cache.wait(timeout=30)
    anonymous = api.ok("package_search", **FRONT_PAGE)["search_facets"]["tags"]["items"]
    sysadmin = api.ok("package_search", admin, include_private=True, **FRONT_PAGE)
    sysadmin = sysadmin["search_facets"]["tags"]["items"]
    assert [(i["name"], i["count"]) for i in anonymous] == [("川", 1)]
    assert [(i["name"], i["count"]) for i in sysadmin] == [("川", 2)]
