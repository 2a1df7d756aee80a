"""Concurrent writers over real HTTP: every write lands or is refused cleanly, none is lost."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from renkei.catalog import users


def _token(live_node: Any) -> str:
    with live_node.catalog.context() as ctx:
        user = users.create_user(ctx, "root", sysadmin=True)
        _, secret = users.create_token(ctx, user, "tests")
    return secret


def test_parallel_creates_updates_and_name_races(live_node: Any) -> None:
    token = _token(live_node)
    headers = {"Authorization": token}
    url = f"{live_node.url}/api/3/action/"
    with httpx.Client(headers=headers, timeout=60) as http:
        http.post(url + "organization_create", json={"name": "org"}).raise_for_status()
        http.post(url + "package_create", json={"name": "shared", "owner_org": "org"})

    def work(worker: int) -> list[tuple[str, int, dict[str, Any]]]:
        results = []
        with httpx.Client(headers=headers, timeout=60) as http:
            for i in range(8):
                own = http.post(
                    url + "package_create",
                    json={"name": f"w{worker}-{i}", "owner_org": "org", "tags": [{"name": "並行"}]},
                )
                results.append(("own", own.status_code, own.json()))
                race = http.post(
                    url + "package_create", json={"name": f"race-{i}", "owner_org": "org"}
                )
                results.append((f"race-{i}", race.status_code, race.json()))
                patch = http.post(
                    url + "package_patch", json={"id": "shared", "notes": f"{worker}-{i}"}
                )
                results.append(("patch", patch.status_code, patch.json()))
        return results

    with ThreadPoolExecutor(max_workers=6) as pool:
        outcomes = [r for batch in pool.map(work, range(6)) for r in batch]

    assert all(status != 500 for _, status, _ in outcomes), outcomes
    assert all(status == 200 for kind, status, _ in outcomes if kind in ("own", "patch"))
    for i in range(8):
        race = [(status, body) for kind, status, body in outcomes if kind == f"race-{i}"]
        assert sum(status == 200 for status, _ in race) == 1
        for status, body in race:
            if status != 200:
                assert status == 409
                assert body["error"]["name"] == ["That URL is already in use."]

    with httpx.Client(headers=headers, timeout=60) as http:
        search = http.get(url + "package_search", params={"q": "tags:並行", "rows": 0}).json()
        assert search["result"]["count"] == 48
        activity = http.get(
            url + "package_activity_list", params={"id": "shared", "limit": 100}
        ).json()["result"]
        assert len(activity) == 49  # creation + every patch recorded
