"""Licences on offer and the CKAN name rules."""

from __future__ import annotations

from typing import Any

import pytest

from renkei.model.licenses import canonical_license_id
from renkei.model.names import name_problem, tag_problem


def test_license_list_has_the_japanese_and_international_licences(api: Any) -> None:
    licences = {lic["id"]: lic for lic in api.ok("license_list")}
    assert licences["pdl-1.0"]["title_ja"] == "公共データ利用規約（第1.0版）"
    assert licences["gjstu-2.0"]["title_ja"] == "政府標準利用規約（第2.0版）"
    for required in ("cc-by-4.0", "cc-zero", "odc-odbl", "other-closed"):
        assert required in licences
    assert licences["pdl-1.0"]["is_okd_compliant"] is True
    assert licences["other-closed"]["is_okd_compliant"] is False
    for lic in licences.values():
        assert lic["summary_ja"] and lic["summary_en"], lic["id"]


def test_licence_ids_from_other_portals_are_recognised() -> None:
    assert canonical_license_id("CC-BY-4.0") == "cc-by-4.0"  # as Tokyo's CKAN writes it
    assert canonical_license_id("no-such-licence") is None


def test_isopen_follows_the_licence(api: Any, make_user: Any) -> None:
    admin = make_user("root", sysadmin=True)
    api.ok("organization_create", admin.token, name="org")
    open_pkg = api.ok(
        "package_create", admin.token, name="open", owner_org="org", license_id="pdl-1.0"
    )
    closed = api.ok(
        "package_create", admin.token, name="closed", owner_org="org", license_id="other-closed"
    )
    assert (
        open_pkg["isopen"] is True
        and open_pkg["license_title"] == "Public Data License (Version 1.0)"
    )
    assert closed["isopen"] is False


@pytest.mark.parametrize("name", ["ab", "a-b_c", "x" * 100, "2024-data"])
def test_valid_names(name: str) -> None:
    assert name_problem(name) is None


@pytest.mark.parametrize("name", ["a", "x" * 101, "Upper", "with space", "日本語", "new", "a.b"])
def test_invalid_names(name: str) -> None:
    assert name_problem(name)


@pytest.mark.parametrize("tag", ["駅", "人口", "AED", "open data", "v1.0", "e-Gov"])
def test_valid_tags(tag: str) -> None:
    assert tag_problem(tag) is None


@pytest.mark.parametrize("tag", ["", "   ", "a/b", "x" * 101, "tag,comma"])
def test_invalid_tags(tag: str) -> None:
    assert tag_problem(tag)
