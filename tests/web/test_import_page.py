"""The bulk import page: login required, CSRF checked, every problem shown by row and column,
all or nothing; the templates download; the page answers JSON too."""

from __future__ import annotations

from typing import Any

from renkei.ingest.bulk import TEMPLATE_DIR
from tests.web.conftest import csrf_token, login

SHEET = (
    "name,title,owner_org,license_id\n"
    "good-sheet-row,良い行,city-of-tests,CC-BY-4.0\n"
    "Bad Name,悪い行,city-of-tests,\n"
).encode()


def post(client: Any, content: bytes, **fields: str) -> Any:
    token = csrf_token(client, "/import")
    return client.post(
        "/import",
        data={"csrf_token": token, **fields},
        files={"upload": ("sheet.csv", content, "text/csv")},
    )


def test_login_is_required(client, site) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/import", follow_redirects=False)
    assert response.status_code == 303 and "/user/login" in response.headers["location"]
    assert client.get("/import.json").status_code == 403


def test_problems_are_listed_and_nothing_is_created(client, site, api) -> None:  # type: ignore[no-untyped-def]
    login(client, site.admin)
    response = post(client, SHEET)
    assert response.status_code == 422
    assert "何も登録していません" in response.text
    assert "<td>3</td><td>name</td>" in response.text
    names = api.ok("package_list")
    assert "good-sheet-row" not in names


def test_valid_only_creates_the_valid_rows_in_japanese(client, site, api) -> None:  # type: ignore[no-untyped-def]
    login(client, site.admin)
    response = post(client, SHEET, valid_only="true")
    assert response.status_code == 200
    assert "1件のデータセットを登録しました。" in response.text
    assert 'href="/dataset/good-sheet-row"' in response.text
    assert "good-sheet-row" in api.ok("package_list")


def test_csrf_is_checked_and_json_answers(client, site) -> None:  # type: ignore[no-untyped-def]
    login(client, site.admin)
    forged = client.post(
        "/import", data={"dry_run": "true"}, files={"upload": ("s.csv", SHEET, "text/csv")}
    )
    assert forged.status_code == 403
    token = csrf_token(client, "/import")
    response = client.post(
        "/import.json",
        data={"csrf_token": token, "dry_run": "true"},
        files={"upload": ("s.csv", SHEET, "text/csv")},
    )
    assert response.status_code == 422
    report = response.json()["report"]
    assert report["dry_run"] and [(e["row"], e["column"]) for e in report["errors"]] == [
        (3, "name")
    ]


def test_escaping_of_sheet_content(client, site) -> None:  # type: ignore[no-untyped-def]
    login(client, site.admin)
    sheet = b"name,<script>alert(1)</script>\nx,y\n"
    response = post(client, sheet)
    assert "<script>alert(1)</script>" not in response.text
    assert "&lt;script&gt;" in response.text


def test_templates_download(client) -> None:  # type: ignore[no-untyped-def]
    csv_response = client.get("/import/template.csv")
    assert csv_response.status_code == 200
    assert csv_response.content == (TEMPLATE_DIR / "bulk_template.csv").read_bytes()
    xlsx_response = client.get("/import/template.xlsx")
    assert xlsx_response.content == (TEMPLATE_DIR / "bulk_template.xlsx").read_bytes()
    assert client.get("/import/template.exe").status_code == 404
