"""package_revise: conditional updates, flattened keys, filters, includes."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def setup(api: Any, make_user: Any) -> tuple[Any, str]:
    admin = make_user("root", sysadmin=True)
    api.ok("organization_create", admin.token, name="org", title="Org")
    api.ok(
        "package_create",
        admin.token,
        name="data",
        title="Old title",
        notes="old notes",
        owner_org="org",
        tags=[{"name": "a"}, {"name": "b"}],
        resources=[
            {"url": "https://example.org/1.csv", "name": "first"},
            {"url": "https://example.org/2.csv", "name": "second"},
        ],
    )
    return api, admin.token


def test_match_guards_the_update(setup: tuple[Any, str]) -> None:
    api, token = setup
    error = api.error(
        "package_revise",
        token,
        status=409,
        match={"name": "data", "notes": "stale notes"},
        update={"notes": "mine"},
    )
    assert error["match"] == ["notes does not match"]
    assert api.ok("package_show", id="data")["notes"] == "old notes"
    result = api.ok(
        "package_revise",
        token,
        match={"name": "data", "notes": "old notes"},
        update={"notes": "new notes"},
    )
    assert result["package"]["notes"] == "new notes"
    assert result["package"]["title"] == "Old title"


def test_match_on_nested_lists(setup: tuple[Any, str]) -> None:
    api, token = setup
    error = api.error(
        "package_revise",
        token,
        status=409,
        match={"name": "data", "resources": [{"name": "wrong"}]},
        update={"title": "x"},
    )
    assert error["match"] == ["resources__0__name does not match"]


def test_flattened_keys_by_index_and_id_prefix(setup: tuple[Any, str]) -> None:
    api, token = setup
    pkg = api.ok("package_show", id="data")
    second_id = pkg["resources"][1]["id"]
    result = api.ok(
        "package_revise",
        token,
        match__name="data",
        match__title="Old title",
        update__resources__0__description="first one",
        **{f"update__resources__{second_id[:8]}__name": "renamed"},
    )["package"]
    assert result["resources"][0]["description"] == "first one"
    assert result["resources"][1]["name"] == "renamed"
    assert result["resources"][1]["id"] == second_id


def test_extend_filter_and_include(setup: tuple[Any, str]) -> None:
    api, token = setup
    result = api.ok(
        "package_revise",
        token,
        match={"name": "data"},
        filter=["-tags"],
        update__resources__extend=[{"url": "https://example.org/3.json", "name": "third"}],
        include=["+name", "+resources", "-*"],
    )["package"]
    assert set(result) == {"name", "resources"}
    assert [r["name"] for r in result["resources"]] == ["first", "second", "third"]
    assert api.ok("package_show", id="data")["tags"] == []


def test_filter_removes_one_resource(setup: tuple[Any, str]) -> None:
    api, token = setup
    result = api.ok("package_revise", token, match={"name": "data"}, filter=["-resources__0"])
    assert [r["name"] for r in result["package"]["resources"]] == ["second"]


def test_revise_validates_like_update(setup: tuple[Any, str]) -> None:
    api, token = setup
    error = api.error(
        "package_revise", token, status=409, match={"name": "data"}, update={"name": "Bad Name"}
    )
    assert "name" in error
    api.error("package_revise", token, status=409, update={"title": "no match given"})
