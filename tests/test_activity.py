"""The activity stream: who changed what, in order, without leaking private datasets."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event


def test_dataset_and_organization_streams(api: Any, make_user: Any, catalog: Any) -> None:
    admin = make_user("root", sysadmin=True)
    outsider = make_user("outsider")
    api.ok("organization_create", admin.token, name="org", title="Org")
    api.ok("package_create", admin.token, name="open-data", owner_org="org", title="v1")
    api.ok("package_patch", admin.token, id="open-data", title="v2")
    api.ok("package_create", admin.token, name="closed", owner_org="org", private=True)
    api.ok("package_patch", admin.token, id="closed", notes="secret change")

    stream = api.ok("package_activity_list", id="open-data")
    assert [a["activity_type"] for a in stream] == ["changed package", "new package"]
    assert stream[0]["user_name"] == "root"
    assert stream[0]["data"]["package"]["title"] == "v2"
    assert stream[1]["data"]["package"]["title"] == "v1"

    member_view = api.ok("organization_activity_list", admin.token, id="org")
    assert {a["data"].get("package", {}).get("name") for a in member_view} >= {
        "open-data",
        "closed",
    }
    for caller in (None, outsider.token):
        outsider_view = api.ok("organization_activity_list", caller, id="org")
        names = {a["data"].get("package", {}).get("name") for a in outsider_view}
        assert "closed" not in names
        assert "open-data" in names
    api.error("package_activity_list", outsider.token, status=404, id="closed")

    limited = api.ok("package_activity_list", id="open-data", limit=1, offset=1)
    assert [a["activity_type"] for a in limited] == ["new package"]


def test_activity_list_is_one_query_whatever_its_length(
    api: Any, make_user: Any, catalog: Any
) -> None:
    admin = make_user("root", sysadmin=True)
    api.ok("organization_create", admin.token, name="org")
    api.ok("package_create", admin.token, name="busy", owner_org="org")
    for i in range(20):
        api.ok("package_patch", admin.token, id="busy", title=f"t{i}")
    statements: list[str] = []
    engine = catalog.sessions.kw["bind"]

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "activity" in statement.lower():
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert len(api.ok("package_activity_list", id="busy", limit=100)) == 21
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(statements) == 1
