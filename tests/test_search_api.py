"""package_search through the Action API: Japanese text, filters, facets, sort, paging, privacy."""

from __future__ import annotations

import json
from typing import Any

import pytest

from renkei.config import Settings


@pytest.fixture(params=["tantivy", "sql"])
def settings(request: pytest.FixtureRequest, tmp_path: Any) -> Settings:
    """Every test here runs against both search backends."""
    return Settings(data_dir=tmp_path / "data", site_url="http://testserver", search=request.param)


@pytest.fixture
def world(api: Any, make_user: Any) -> dict[str, Any]:
    admin = make_user("root", sysadmin=True)
    member = make_user("member1")
    api.ok("organization_create", admin.token, name="city", title="高松市")
    api.ok("organization_create", admin.token, name="agency", title="Digital Agency")
    api.ok("group_create", admin.token, name="bousai", title="防災")
    api.ok("organization_member_create", admin.token, id="city", username="member1", role="member")
    rows = [
        ("population", "人口統計", "city", ["人口", "統計"], "CSV", False, "cc-by-4.0"),
        ("shelters", "指定緊急避難場所一覧", "city", ["避難所", "防災"], "CSV", False, "pdl-1.0"),
        ("stations", "駅の乗降客数", "agency", ["駅", "交通"], "XLSX", False, "pdl-1.0"),
        ("aed", "ＡＥＤ設置場所", "city", ["AED"], "CSV", False, "cc-by-4.0"),
        ("rivers", "River levels", "agency", ["川", "water"], "JSON", False, "cc-zero"),
        ("secret-population", "人口 内部資料", "city", ["人口"], "CSV", True, "other-closed"),
    ]
    for name, title, org, tags, fmt, private, lic in rows:
        api.ok(
            "package_create",
            admin.token,
            name=name,
            title=title,
            owner_org=org,
            private=private,
            license_id=lic,
            tags=[{"name": t} for t in tags],
            groups=[{"name": "bousai"}] if name in ("shelters", "rivers") else [],
            resources=[{"url": f"https://example.org/{name}.{fmt.lower()}", "format": fmt}],
        )
    return {"admin": admin, "member": member}


FACETS = ["organization", "tags", "res_format", "license_id", "groups"]


def names(result: dict[str, Any]) -> set[str]:
    return {r["name"] for r in result["results"]}


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("駅", {"stations"}),
        ("人口", {"population"}),
        ("避難", {"shelters"}),
        ("指定緊急避難場所", {"shelters"}),
        ("AED", {"aed"}),  # stored full-width ＡＥＤ, found by half-width
        ("ａｅｄ", {"aed"}),
        ("river", {"rivers"}),
        ("人口 統計", {"population"}),
        ("人口 OR 駅", {"population", "stations"}),
        ("人口 -統計", set()),
        ("tags:防災", {"shelters"}),
        ("name:stat*", {"stations"}),
        ("高松市", {"population", "shelters", "aed"}),  # organization title is searchable
    ],
)
def test_text_queries(api: Any, world: dict[str, Any], q: str, expected: set[str]) -> None:
    assert names(api.ok("package_search", q=q, rows=100)) == expected


def test_filters_combine_with_the_query(api: Any, world: dict[str, Any]) -> None:
    result = api.ok(
        "package_search", fq='organization:city +res_format:"CSV"', fq_list=["license_id:pdl-1.0"]
    )
    assert names(result) == {"shelters"}
    assert names(api.ok("package_search", fq="groups:bousai")) == {"shelters", "rivers"}
    assert names(api.ok("package_search", fq="res_format:csv", q="-tags:AED")) == {
        "population",
        "shelters",
    }


def test_facets_count_what_matches(api: Any, world: dict[str, Any]) -> None:
    result = api.ok(
        "package_search",
        http_method="GET",
        **{
            "facet.field": json.dumps(
                ["organization", "tags", "res_format", "license_id", "groups"]
            )
        },
    )
    assert result["count"] == 5
    assert result["facets"]["organization"] == {"city": 3, "agency": 2}
    assert result["facets"]["res_format"] == {"CSV": 3, "XLSX": 1, "JSON": 1}
    assert result["facets"]["groups"] == {"bousai": 2}
    items = result["search_facets"]["organization"]["items"]
    assert {"name": "city", "display_name": "高松市", "count": 3} in items
    limited = api.ok("package_search", **{"facet.field": ["tags"], "facet.limit": 1})
    assert len(limited["facets"]["tags"]) == 1


def test_private_datasets_count_only_for_members(api: Any, world: dict[str, Any]) -> None:
    params = {"q": "人口", "include_private": True, "facet.field": ["organization"]}
    anonymous = api.ok("package_search", **params)
    assert names(anonymous) == {"population"}
    assert anonymous["facets"]["organization"] == {"city": 1}
    member = api.ok("package_search", world["member"].token, **params)
    assert names(member) == {"population", "secret-population"}
    assert member["facets"]["organization"] == {"city": 2}
    # Without include_private even members get public datasets only, as in CKAN.
    assert names(api.ok("package_search", world["member"].token, q="人口")) == {"population"}


def test_sort_paging_and_field_list(api: Any, world: dict[str, Any]) -> None:
    by_name = api.ok("package_search", sort="name asc", rows=2, start=1, fl="name,title")
    assert [r["name"] for r in by_name["results"]] == ["population", "rivers"]
    assert set(by_name["results"][0]) == {"name", "title"}
    assert by_name["count"] == 5
    newest = api.ok("package_search", sort="metadata_modified desc", rows=1)
    assert newest["results"][0]["name"] == "rivers"
    # title matches rank above matches elsewhere
    ranked = api.ok("package_search", q="避難")
    assert ranked["results"][0]["name"] == "shelters"


def test_rows_beyond_the_maximum_are_refused(api: Any, world: dict[str, Any]) -> None:
    assert len(api.ok("package_search", rows=1000)["results"]) == 5
    error = api.error("package_search", status=400, rows=100000)
    assert "cursor" in error["rows"][0]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"q": "nosuchfield:x"}, None),
        ({"sort": "bogus desc"}, None),
        ({"fq": "metadata_modified:[yesterday TO *]"}, None),
        ({"rows": "ten"}, "rows"),
        ({"start": -1}, "start"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_parameters_are_explained(
    api: Any, world: dict[str, Any], params: dict[str, Any], field: str | None
) -> None:
    error = api.error("package_search", status=400, **params)
    if field is None:
        assert error["__type"] == "Search Query Error"
        assert error["message"]
    else:
        assert error["__type"] == "Validation Error"
        assert field in error


def test_date_ranges(api: Any, world: dict[str, Any]) -> None:
    assert api.ok("package_search", fq="metadata_modified:[NOW-1DAY TO *]")["count"] == 5
    assert api.ok("package_search", fq="metadata_created:[* TO 2000-01-01]")["count"] == 0


def test_a_committed_change_is_searchable_at_once(api: Any, world: dict[str, Any]) -> None:
    admin = world["admin"].token
    api.ok("package_patch", admin, id="rivers", title="河川水位")
    assert names(api.ok("package_search", q="河川")) == {"rivers"}
    api.ok("package_delete", admin, id="rivers")
    assert names(api.ok("package_search", q="河川")) == set()


def test_autocomplete_and_tag_list(api: Any, world: dict[str, Any]) -> None:
    hits = api.ok("package_autocomplete", q="人口")
    assert [h["name"] for h in hits] == ["population"]  # the private one is not offered
    tags = api.ok("tag_list")
    assert "駅" in tags and "water" in tags
    assert api.ok("tag_list", query="避難") == ["避難所"]


def test_compounds_match_only_where_their_characters_stand_together(
    api: Any, world: dict[str, Any]
) -> None:
    admin = world["admin"].token
    # Every bigram of 指定緊急避難場所 occurs here, but never all side by side.
    api.ok("package_create", admin, name="near-miss", owner_org="city",
           title="指定緊急避難所と一時避難場所の一覧")  # fmt: skip
    assert names(api.ok("package_search", q="指定緊急避難場所")) == {"shelters"}
    assert names(api.ok("package_search", q="豊川市")) == set()  # no 中津川市 or 豊川 alone
    assert "near-miss" in names(api.ok("package_search", q="避難場所"))
    # Across a break in the text (a space, Latin letters) the characters do not stand together,
    # even when the bigrams on either side sit at the right distance (電話 新番号, 電話 A番号).
    api.ok("package_create", admin, name="gap", owner_org="city",
           title="電話 新番号と電話 A番号の案内")  # fmt: skip
    assert names(api.ok("package_search", q="電話番号")) == set()
    assert "gap" in names(api.ok("package_search", q="新番号"))


def test_geometry_is_not_text(api: Any, world: dict[str, Any]) -> None:
    admin = world["admin"].token
    ring = [[133.9, 34.2], [134.2, 34.2], [134.2, 34.45], [133.9, 34.2]]
    spatial = json.dumps({"type": "Polygon", "coordinates": [ring]})
    api.ok("package_create", admin, name="mapped", owner_org="city",
           extras=[{"key": "spatial", "value": spatial}])  # fmt: skip
    assert names(api.ok("package_search", q="polygon")) == set()
    assert names(api.ok("package_search", q="coordinates")) == set()
