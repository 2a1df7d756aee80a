"""The inventory of data held: entries, CSV/XLSX import and export, the template, progress per
organization, matching to requests (publishing closes both), private datasets kept private."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from renkei.requests.spreadsheet import COLUMNS


def auth(account: Any) -> dict[str, str]:
    return {"Authorization": account.token}


@pytest.fixture
def org(api, make_user):  # type: ignore[no-untyped-def]
    admin = make_user("inv-admin", sysadmin=True)
    editor = make_user("inv-editor")
    api.ok("organization_create", admin.token, name="town", title="Town")
    api.ok("organization_member_create", admin.token, id="town", username="inv-editor",
           role="editor")  # fmt: skip
    api.ok("package_create", admin.token, name="parks", title="Parks", owner_org="town")
    api.ok("package_create", admin.token, name="staff-list", title="Staff list (internal)",
           owner_org="town", private=True)  # fmt: skip
    return {"admin": admin, "editor": editor, "outsider": make_user("inv-outsider")}


CSV = (
    "title,description,status,planned_date,reason_category,reason_text,dataset\r\n"
    "Parks,Park locations,open,,,,parks\r\n"
    "Bus timetable,,planned,2027-03-31,,,\r\n"
    "Resident register,,not_open,,personal_data,Contains personal data,\r\n"
    "Staff,,open,,,,staff-list\r\n"
)


def upload(client, who, content: bytes, name: str = "inventory.csv"):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/inventory/town/import", files={"file": (name, content)},
                       headers=auth(who))  # fmt: skip


def test_csv_import_progress_and_idempotence(client, org) -> None:  # type: ignore[no-untyped-def]
    assert upload(client, org["outsider"], CSV.encode()).status_code == 403
    first = upload(client, org["editor"], CSV.encode())
    assert first.status_code == 200, first.text
    assert (first.json()["created"], first.json()["unchanged"]) == (4, 0)
    again = upload(client, org["editor"], CSV.encode("cp932"))  # the same file from Excel
    assert (again.json()["created"], again.json()["updated"], again.json()["unchanged"]) == (
        0,
        0,
        4,
    )
    listing = client.get("/api/v1/inventory/town").json()
    assert listing["progress"] == {
        "total": 4, "open": 2, "planned": 1, "not_open": 1,
        "share_open": 0.5, "share_planned": 0.25, "reasons": {"personal_data": 1},
    }  # fmt: skip
    overview = client.get("/api/v1/inventory").json()["organizations"]
    assert [o["organization"]["name"] for o in overview] == ["town"]


def test_a_bad_row_changes_nothing(client, org) -> None:  # type: ignore[no-untyped-def]
    upload(client, org["editor"], CSV.encode())
    bad = CSV.replace("Bus timetable,,planned,2027-03-31", "Bus timetable,,planned,soon") + (
        "Taxes,,not_open,,,,\r\n"
    )
    response = upload(client, org["editor"], bad.replace("Park locations", "Changed"))
    assert response.status_code == 409
    errors = response.json()["errors"]
    assert set(errors) == {"row 3", "row 6"}
    assert "planned_date" in errors["row 3"][0] and "reason_category" in errors["row 6"][0]
    entries = {e["title"]: e for e in client.get("/api/v1/inventory/town").json()["entries"]}
    assert entries["Parks"]["description"] == "Park locations"
    assert "Taxes" not in entries
    no_header = upload(client, org["editor"], b"a,b\r\n1,2\r\n")
    assert no_header.status_code == 409 and "title" in no_header.json()["errors"]["file"][0]
    not_xlsx = upload(client, org["editor"], b"PK\x03\x04garbage", name="x.xlsx")
    assert not_xlsx.status_code == 409


def test_private_dataset_name_does_not_leak(client, org) -> None:  # type: ignore[no-untyped-def]
    upload(client, org["editor"], CSV.encode())
    public = client.get("/api/v1/inventory/town")
    staff = next(e for e in public.json()["entries"] if e["title"] == "Staff")
    assert staff["dataset"] is None
    assert "staff-list" not in public.text and "Staff list (internal)" not in public.text
    exported = client.get("/api/v1/inventory/town/export.csv")
    assert "staff-list" not in exported.text and "parks" in exported.text
    as_editor = client.get("/api/v1/inventory/town/export.csv", headers=auth(org["editor"]))
    assert "staff-list" in as_editor.text


def test_xlsx_round_trip_and_templates(client, org) -> None:  # type: ignore[no-untyped-def]
    book = Workbook()
    sheet = book.active
    sheet.append(
        ["データ名", "説明", "状態", "公開予定日", "非公開理由区分", "非公開理由", "データセット"]
    )
    sheet.append(["Road works", "", "planned", None, None, None, None])
    sheet.append(["Parks", "", "open", None, None, None, "parks"])
    import datetime

    sheet["D2"] = datetime.datetime(2027, 1, 15)
    buffer = io.BytesIO()
    book.save(buffer)
    response = upload(client, org["editor"], buffer.getvalue(), name="inventory.xlsx")
    assert response.status_code == 200, response.text
    entries = {e["title"]: e for e in client.get("/api/v1/inventory/town").json()["entries"]}
    assert entries["Road works"]["planned_date"] == "2027-01-15"
    exported = client.get("/api/v1/inventory/town/export.xlsx")
    rows = list(load_workbook(io.BytesIO(exported.content)).active.iter_rows(values_only=True))
    assert rows[0] == COLUMNS and len(rows) == 3
    template = client.get("/api/v1/inventory/template.csv")
    assert template.text.strip() == ",".join(COLUMNS)
    xlsx = load_workbook(io.BytesIO(client.get("/api/v1/inventory/template.xlsx").content))
    assert xlsx.sheetnames == ["inventory", "guide"]


def test_entry_edit_and_publishing_closes_both(client, org) -> None:  # type: ignore[no-untyped-def]
    editor = auth(org["editor"])
    created = client.post("/api/v1/inventory/town/entries",
                          json={"title": "Bus stops", "status": "planned",
                                "planned_date": "2027-06-01"}, headers=editor)  # fmt: skip
    assert created.status_code == 201
    entry_id = created.json()["id"]
    duplicate = client.post("/api/v1/inventory/town/entries",
                            json={"title": "Bus stops", "status": "planned",
                                  "planned_date": "2027-06-01"}, headers=editor)  # fmt: skip
    assert duplicate.status_code == 409
    rid = client.post("/api/v1/requests", headers=auth(org["outsider"]),
                      json={"title": "Bus stops", "purpose": "app", "organization": "town"}
                      ).json()["id"]  # fmt: skip
    matched = client.post(f"/api/v1/requests/{rid}/answers", headers=editor,
                          json={"state": "planned", "planned_date": "2027-06-01",
                                "inventory_entry": entry_id})  # fmt: skip
    assert matched.json()["inventory_entry"]["id"] == entry_id
    # Opening the entry with its dataset publishes the matched request too.
    opened = client.put(
        f"/api/v1/inventory/town/entries/{entry_id}",
        headers=editor,
        json={"title": "Bus stops", "status": "open", "dataset": "parks"},
    )
    assert opened.status_code == 200 and opened.json()["status"] == "open"
    request = client.get(f"/api/v1/requests/{rid}").json()
    assert request["state"] == "published" and request["dataset"]["name"] == "parks"
    assert request["events"][-1]["by"] == "inv-editor"
    # And the other way round: publishing the answer opens the matched entry.
    second = client.post("/api/v1/inventory/town/entries", headers=editor,
                         json={"title": "Trees", "status": "not_open",
                               "reason_category": "cost"}).json()  # fmt: skip
    rid2 = client.post("/api/v1/requests", headers=auth(org["outsider"]),
                       json={"title": "Trees", "purpose": "shade map", "organization": "town"}
                       ).json()["id"]  # fmt: skip
    client.post(
        f"/api/v1/requests/{rid2}/answers",
        headers=editor,
        json={"state": "published", "dataset": "parks", "inventory_entry": second["id"]},
    )
    trees = next(e for e in client.get("/api/v1/inventory/town").json()["entries"]
                 if e["title"] == "Trees")  # fmt: skip
    assert trees["status"] == "open" and trees["dataset"]["name"] == "parks"
    foreign = client.post("/api/v1/inventory/town/entries", headers=auth(org["outsider"]),
                          json={"title": "X", "status": "open"})  # fmt: skip
    assert foreign.status_code == 403


def test_exports_do_not_carry_formulas(client, org) -> None:  # type: ignore[no-untyped-def]
    editor = auth(org["editor"])
    hostile = '=HYPERLINK("https://evil.example","click")'
    response = client.post("/api/v1/inventory/town/entries", headers=editor,
                           json={"title": hostile, "status": "planned",
                                 "planned_date": "2027-01-01", "description": "-1+2"})  # fmt: skip
    assert response.status_code == 201
    exported_csv = client.get("/api/v1/inventory/town/export.csv").content
    assert b"'=HYPERLINK" in exported_csv and b"'-1+2" in exported_csv
    book = load_workbook(io.BytesIO(client.get("/api/v1/inventory/town/export.xlsx").content))
    cell = book.active["A2"]
    assert cell.value == hostile and cell.data_type == "s"
    # Re-importing the CSV export gives back the original text, unchanged.
    again = client.post("/api/v1/inventory/town/import", headers=editor,
                        files={"file": ("x.csv", exported_csv)})  # fmt: skip
    assert again.json()["unchanged"] == 1 and again.json()["created"] == 0


def test_deleting_an_entry_unmatches_its_requests(client, org) -> None:  # type: ignore[no-untyped-def]
    editor = auth(org["editor"])
    entry = client.post("/api/v1/inventory/town/entries", headers=editor,
                        json={"title": "Noise map", "status": "planned",
                              "planned_date": "2027-05-01"}).json()  # fmt: skip
    rid = client.post("/api/v1/requests", headers=auth(org["outsider"]),
                      json={"title": "Noise", "purpose": "study", "organization": "town"}
                      ).json()["id"]  # fmt: skip
    client.post(f"/api/v1/requests/{rid}/answers", headers=editor,
                json={"state": "received", "inventory_entry": entry["id"]})  # fmt: skip
    path = f"/api/v1/inventory/town/entries/{entry['id']}"
    assert client.delete(path, headers=auth(org["outsider"])).status_code == 403
    assert client.delete(path, headers=editor).status_code == 200
    assert client.delete(path, headers=editor).status_code == 404
    request = client.get(f"/api/v1/requests/{rid}").json()
    assert request["state"] == "received" and request["inventory_entry"] is None
