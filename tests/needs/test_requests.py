"""Data requests through the REST API: life cycle, who may answer or withdraw, one vote per
person, notifications in the outbox, statistics on a fixture, private datasets kept private."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from renkei.cli import app
from renkei.requests.outbox import JsonLinesSender, deliver_pending
from renkei.store.tables import DataRequest, NotificationOutbox


@dataclass
class People:
    admin: Any
    editor: Any
    member: Any
    requester: Any
    supporter: Any
    outsider: Any


def auth(account: Any) -> dict[str, str]:
    return {"Authorization": account.token}


@pytest.fixture
def people(api, make_user) -> People:  # type: ignore[no-untyped-def]
    admin = make_user("req-admin", sysadmin=True)
    editor = make_user("city-editor")
    member = make_user("city-member")
    api.ok("organization_create", admin.token, name="city", title="City")
    api.ok("organization_create", admin.token, name="prefecture")
    api.ok("organization_member_create", admin.token, id="city", username="city-editor",
           role="editor")  # fmt: skip
    api.ok("organization_member_create", admin.token, id="city", username="city-member",
           role="member")  # fmt: skip
    return People(admin, editor, member, make_user("asker"), make_user("fan"), make_user("other"))


def file_request(client, who, **fields: Any) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    body = {"title": "Bus stop locations", "purpose": "A route planner app",
            "organization": "city", "format": "CSV", "frequency": "monthly", **fields}  # fmt: skip
    response = client.post("/api/v1/requests", json=body, headers=auth(who))
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def outbox(catalog) -> list[NotificationOutbox]:  # type: ignore[no-untyped-def]
    with catalog.context(write=False) as ctx:
        rows = list(ctx.session.scalars(select(NotificationOutbox).order_by(NotificationOutbox.id)))
        ctx.session.expunge_all()
    return rows


def test_life_cycle_with_permissions(client, catalog, people: People) -> None:  # type: ignore[no-untyped-def]
    anonymous = client.post("/api/v1/requests", json={"title": "x", "purpose": "y"})
    assert anonymous.status_code == 403
    assert anonymous.headers["content-type"] == "application/problem+json"
    missing = client.post("/api/v1/requests", json={"organization": "nowhere"},
                          headers=auth(people.requester))  # fmt: skip
    assert missing.status_code == 409
    assert set(missing.json()["errors"]) == {"title", "purpose", "organization"}

    created = file_request(client, people.requester)
    rid = created["id"]
    assert created["state"] == "submitted" and created["organization"]["name"] == "city"
    assert created["requester"] == "asker" and created["format"] == "CSV"
    # The organization's editors and admins (its creator) were told; its plain member not.
    assert {(m.kind, m.recipient_id) for m in outbox(catalog)} == {
        ("request_new", people.editor.id),
        ("request_new", people.admin.id),
    }

    # Support: one vote per person; the duplicate is refused.
    assert (
        client.post(f"/api/v1/requests/{rid}/support", headers=auth(people.supporter)).json()[
            "support_count"
        ]
        == 1
    )
    again = client.post(f"/api/v1/requests/{rid}/support", headers=auth(people.supporter))
    assert again.status_code == 409 and "support" in again.json()["errors"]
    assert client.post(f"/api/v1/requests/{rid}/support").status_code == 403

    comment = client.post(f"/api/v1/requests/{rid}/comments", json={"text": "Me too, please"},
                          headers=auth(people.supporter))  # fmt: skip
    assert comment.status_code == 201

    # Only the addressed organization's editors answer: not the requester, a member, or others.
    answer = {"state": "received", "note": "Thanks"}
    for who in (people.requester, people.member, people.outsider):
        refused = client.post(f"/api/v1/requests/{rid}/answers", json=answer, headers=auth(who))
        assert refused.status_code == 403, who.name
    assert client.post(f"/api/v1/requests/{rid}/answers", json=answer).status_code == 403
    ok = client.post(f"/api/v1/requests/{rid}/answers", json=answer, headers=auth(people.editor))
    assert ok.status_code == 201 and ok.json()["state"] == "received"

    # A planned answer needs its date; a declined one its reason.
    bad = client.post(f"/api/v1/requests/{rid}/answers", json={"state": "planned"},
                      headers=auth(people.editor))  # fmt: skip
    assert bad.status_code == 409 and "planned_date" in bad.json()["errors"]
    bad = client.post(f"/api/v1/requests/{rid}/answers",
                      json={"state": "declined", "reason_category": "laziness"},
                      headers=auth(people.editor))  # fmt: skip
    assert set(bad.json()["errors"]) == {"reason_category", "reason_text"}
    planned = client.post(f"/api/v1/requests/{rid}/answers",
                          json={"state": "planned", "planned_date": "2027-04-01"},
                          headers=auth(people.editor))  # fmt: skip
    assert planned.json()["planned_date"] == "2027-04-01"

    shown = client.get(f"/api/v1/requests/{rid}").json()
    assert [(e["state"], e["by"]) for e in shown["events"]] == [
        ("submitted", "asker"),
        ("received", "city-editor"),
        ("planned", "city-editor"),
    ]
    assert shown["support_count"] == 1 and shown["comments"][0]["text"] == "Me too, please"
    # Requester and supporter heard of each answer; the requester of the comment.
    kinds = [(m.kind, m.recipient_id) for m in outbox(catalog)]
    assert ("request_comment", people.requester.id) in kinds
    assert kinds.count(("request_answer", people.requester.id)) == 2
    assert kinds.count(("request_answer", people.supporter.id)) == 2

    # Only the requester withdraws.
    refused = client.post(f"/api/v1/requests/{rid}/withdraw", json={}, headers=auth(people.editor))
    assert refused.status_code == 403
    withdrawn = client.post(f"/api/v1/requests/{rid}/withdraw", json={"note": "found it"},
                            headers=auth(people.requester))  # fmt: skip
    assert withdrawn.status_code == 200 and withdrawn.json()["state"] == "withdrawn"
    late = client.post(f"/api/v1/requests/{rid}/answers", json=answer, headers=auth(people.editor))
    assert late.status_code == 409
    twice = client.post(f"/api/v1/requests/{rid}/withdraw", json={},
                        headers=auth(people.requester))  # fmt: skip
    assert twice.status_code == 409


def test_unknown_organization_is_answered_by_sysadmins(client, people: People) -> None:  # type: ignore[no-untyped-def]
    created = file_request(client, people.requester, organization="")
    assert created["organization"] is None
    rid = created["id"]
    answer = {"state": "under_consideration"}
    assert client.post(f"/api/v1/requests/{rid}/answers", json=answer,
                       headers=auth(people.editor)).status_code == 403  # fmt: skip
    assert client.post(f"/api/v1/requests/{rid}/answers", json=answer,
                       headers=auth(people.admin)).status_code == 201  # fmt: skip
    unknown = client.get("/api/v1/requests", params={"organization": "unknown"}).json()
    assert [r["id"] for r in unknown["results"]] == [rid]


def test_published_answer_keeps_a_private_dataset_private(client, api, people: People) -> None:  # type: ignore[no-untyped-def]
    api.ok("package_create", people.editor.token, name="bus-stops", title="Bus stops (draft)",
           owner_org="city", private=True)  # fmt: skip
    rid = file_request(client, people.requester)["id"]
    missing = client.post(f"/api/v1/requests/{rid}/answers", json={"state": "published"},
                          headers=auth(people.editor))  # fmt: skip
    assert "dataset" in missing.json()["errors"]
    published = client.post(f"/api/v1/requests/{rid}/answers",
                            json={"state": "published", "dataset": "bus-stops"},
                            headers=auth(people.editor))  # fmt: skip
    assert published.json()["dataset"]["name"] == "bus-stops"
    for who in (None, people.requester):
        seen = client.get(f"/api/v1/requests/{rid}", headers=auth(who) if who else {})
        assert seen.json()["dataset"] is None
        assert "bus-stops" not in seen.text and "Bus stops (draft)" not in seen.text
    listing = client.get("/api/v1/requests")
    assert "bus-stops" not in listing.text
    member_view = client.get(f"/api/v1/requests/{rid}", headers=auth(people.member)).json()
    assert member_view["dataset"]["name"] == "bus-stops"
    # An outsider cannot publish someone's private dataset as the answer either.
    other = file_request(client, people.requester, organization="prefecture")
    admin_answer = client.post(f"/api/v1/requests/{other['id']}/answers",
                               json={"state": "published", "dataset": "no-such"},
                               headers=auth(people.admin))  # fmt: skip
    assert admin_answer.status_code == 409


def test_list_filters_and_sorting(client, people: People) -> None:  # type: ignore[no-untyped-def]
    a = file_request(client, people.requester, title="A", topic="transport")
    b = file_request(client, people.requester, title="B", topic="health", organization="prefecture")
    client.post(f"/api/v1/requests/{a['id']}/support", headers=auth(people.supporter))
    client.post(f"/api/v1/requests/{a['id']}/support", headers=auth(people.outsider))
    client.post(f"/api/v1/requests/{b['id']}/support", headers=auth(people.supporter))
    by_support = client.get("/api/v1/requests", params={"sort": "support"}).json()
    assert [r["title"] for r in by_support["results"]] == ["A", "B"]
    assert [r["support_count"] for r in by_support["results"]] == [2, 1]
    city = client.get("/api/v1/requests", params={"organization": "city"}).json()
    assert [r["title"] for r in city["results"]] == ["A"]
    health = client.get("/api/v1/requests", params={"topic": "health"}).json()
    assert [r["title"] for r in health["results"]] == ["B"]
    assert client.get("/api/v1/requests", params={"state": "bogus"}).status_code == 409
    assert client.get("/api/v1/requests", params={"limit": "x"}).status_code == 409
    assert client.get("/api/v1/requests/nope").status_code == 404


def test_statistics_on_a_fixture(client, catalog, people: People) -> None:  # type: ignore[no-untyped-def]
    """Five requests with known filing and answer times (set in the database)."""
    now = datetime.now().replace(microsecond=0)  # noqa: DTZ005 - compared in whole days below
    ids = [
        file_request(client, people.requester, title=f"R{i}", topic=topic, organization=org)["id"]
        for i, (topic, org) in enumerate(
            [("transport", "city"), ("transport", "city"), ("health", "city"),
             ("health", "prefecture"), ("transport", "prefecture")]
        )
    ]  # fmt: skip
    # R0: answered after 10 days; R1: after 40 days and declined; R2: unanswered, 60 days old;
    # R3: unanswered, 5 days old (its 30 days have not passed); R4: withdrawn unanswered.
    client.post(f"/api/v1/requests/{ids[0]}/answers", json={"state": "received"},
                headers=auth(people.editor))  # fmt: skip
    client.post(f"/api/v1/requests/{ids[1]}/answers",
                json={"state": "declined", "reason_category": "cost", "reason_text": "budget"},
                headers=auth(people.editor))  # fmt: skip
    client.post(f"/api/v1/requests/{ids[4]}/withdraw", json={}, headers=auth(people.requester))
    for rid in ids[:3]:
        client.post(f"/api/v1/requests/{rid}/support", headers=auth(people.supporter))
    client.post(f"/api/v1/requests/{ids[2]}/support", headers=auth(people.outsider))
    timing = {0: (50, 10), 1: (70, 40), 2: (60, None), 3: (5, None), 4: (3, None)}
    with catalog.context() as ctx:
        for index, (age, answered_after) in timing.items():
            row = ctx.session.get(DataRequest, ids[index])
            row.created = now - timedelta(days=age)
            row.first_answered = (
                row.created + timedelta(days=answered_after) if answered_after else None
            )
    stats = client.get("/api/v1/requests/stats").json()
    assert stats["total"] == 5 and stats["open"] == 3
    assert stats["by_state"] == {"declined": 1, "received": 1, "submitted": 2, "withdrawn": 1}
    assert stats["open_by_topic"] == {"health": 2, "transport": 1}
    assert stats["open_by_state"] == {"received": 1, "submitted": 2}
    assert stats["time_to_first_answer"] == {"answered": 2, "mean_days": 25.0, "median_days": 25.0}
    # Eligible: R0 (in time), R1 (late), R2 (30 days passed); R3 is too young, R4 withdrawn.
    assert stats["answered_within_30_days"] == {"answered": 1, "eligible": 3, "share": 0.3333}
    assert stats["share_answered"] == {"answered": 2, "requests": 4, "share": 0.5}
    assert [(r["title"], r["support_count"]) for r in stats["most_supported"]] == [
        ("R2", 2),
        ("R1", 1),
        ("R0", 1),
    ]  # fmt: skip  (ties: the older request first)
    by_org = {o["organization"]["name"]: o for o in stats["organizations"]}
    assert (by_org["city"]["total"], by_org["city"]["open"]) == (3, 2)
    assert by_org["city"]["answered_within_30_days"]["share"] == 0.3333
    assert (by_org["prefecture"]["total"], by_org["prefecture"]["open"]) == (2, 1)
    assert by_org["prefecture"]["answered_within_30_days"]["eligible"] == 0
    city_only = client.get("/api/v1/requests/stats", params={"organization": "city"}).json()
    assert city_only["total"] == 3
    kpis = {k["id"]: k for k in client.get("/api/v1/roadmap/kpis").json()["kpis"]}
    assert kpis["requests_answered"]["value"] == 0.5


def test_outbox_delivery_through_a_sender(client, catalog, people: People, tmp_path) -> None:  # type: ignore[no-untyped-def]
    file_request(client, people.requester)
    listed = client.get("/api/v1/notifications/outbox", headers=auth(people.admin)).json()
    assert [m["kind"] for m in listed["results"]] == ["request_new", "request_new"]
    assert (
        client.get("/api/v1/notifications/outbox", headers=auth(people.editor)).status_code == 403
    )
    mine = client.get("/api/v1/notifications", headers=auth(people.editor)).json()["results"]
    assert [m["subject"] for m in mine] == ["New data request: Bus stop locations"]

    class Failing:
        def send(self, message: Any) -> None:
            raise ConnectionError("mail server down")

    assert deliver_pending(catalog, Failing()) == {"sent": 0, "failed": 2}
    for row in outbox(catalog):
        assert row.sent_at is None and row.attempts == 1 and "mail server down" in row.last_error
    path = tmp_path / "out" / "mail.jsonl"
    assert deliver_pending(catalog, JsonLinesSender(path)) == {"sent": 2, "failed": 0}
    assert "New data request" in path.read_text(encoding="utf-8")
    assert deliver_pending(catalog, JsonLinesSender(path)) == {"sent": 0, "failed": 0}
    pending = client.get("/api/v1/notifications/outbox", params={"pending": "true"},
                         headers=auth(people.admin)).json()  # fmt: skip
    assert pending["results"] == []


def test_outbox_from_the_command_line(
    client, settings, people: People, tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("RENKEI_DATA_DIR", str(settings.data_dir))  # the CLI sets it; restored
    file_request(client, people.requester)
    runner = CliRunner()
    data_dir = ["--data-dir", str(settings.data_dir)]
    listed = runner.invoke(
        app, ["notifications", "list", "--pending", "--format", "json", *data_dir]
    )
    assert listed.exit_code == 0, listed.output
    assert len(json.loads(listed.stdout)) == 2
    target = tmp_path / "mail.jsonl"
    sent = runner.invoke(app, ["notifications", "deliver", "--to", str(target), *data_dir])
    assert sent.exit_code == 0 and "2 sent" in sent.stdout
    lines = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert {m["recipient_email"] for m in lines} == {
        "city-editor@example.org",
        "req-admin@example.org",
    }
    again = runner.invoke(
        app, ["notifications", "list", "--pending", "--format", "json", *data_dir]
    )
    assert json.loads(again.stdout) == []


def test_listing_costs_the_same_queries_for_more_requests(
    client, catalog, api, people: People, make_user
) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import event

    engine = catalog.sessions.kw["bind"]
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    def listing_queries() -> int:
        statements.clear()
        event.listen(engine, "before_cursor_execute", count)
        try:
            assert client.get("/api/v1/requests").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(statements)

    for who in (people.requester, people.supporter):
        file_request(client, who, organization="city")
    few = listing_queries()
    for index in range(6):
        asker = make_user(f"asker-{index}")
        file_request(client, asker, organization="prefecture" if index % 2 else "")
    assert listing_queries() == few


def test_forwarding_to_the_right_organization(client, catalog, people: People) -> None:  # type: ignore[no-untyped-def]
    rid = file_request(client, people.requester, organization="")["id"]
    body = {"organization": "city", "note": "they hold it"}
    for who in (people.requester, people.editor):  # nobody but sysadmins answers for "unknown"
        refused = client.post(f"/api/v1/requests/{rid}/forward", json=body, headers=auth(who))
        assert refused.status_code == 403
    moved = client.post(f"/api/v1/requests/{rid}/forward", json=body, headers=auth(people.admin))
    assert moved.status_code == 200, moved.text
    assert moved.json()["organization"]["name"] == "city" and moved.json()["state"] == "submitted"
    assert moved.json()["events"][-1]["note"] == "forwarded to city: they hold it"
    told = [m for m in outbox(catalog) if m.subject.startswith("Data request forwarded")]
    assert {m.recipient_id for m in told} == {people.editor.id}  # the admin forwarded it himself
    # Now the city's editor may answer, and pass it on again.
    same = client.post(f"/api/v1/requests/{rid}/forward", json={"organization": "city"},
                       headers=auth(people.editor))  # fmt: skip
    assert same.status_code == 409 and "organization" in same.json()["errors"]
    again = client.post(f"/api/v1/requests/{rid}/forward", json={"organization": "prefecture"},
                        headers=auth(people.editor))  # fmt: skip
    assert again.json()["organization"]["name"] == "prefecture"
    gone = client.post(f"/api/v1/requests/{rid}/answers", json={"state": "received"},
                       headers=auth(people.editor))  # fmt: skip
    assert gone.status_code == 403
