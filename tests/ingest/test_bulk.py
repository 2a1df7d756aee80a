"""Bulk registration from a spreadsheet: every problem with its row and column, then all or
nothing (or, asked for, the valid datasets only) — through the service, the API and the CLI."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from renkei.cli import app
from renkei.ingest.bulk import TEMPLATE_DIR

runner = CliRunner()
TEMPLATE_CSV = TEMPLATE_DIR / "bulk_template.csv"
TEMPLATE_XLSX = TEMPLATE_DIR / "bulk_template.xlsx"


@pytest.fixture
def admin(make_user: Any) -> Any:
    return make_user("sysop", sysadmin=True)


@pytest.fixture
def org(api: Any, admin: Any) -> dict[str, Any]:
    return api.ok("organization_create", admin.token, name="example-city", title="例示市")


def sheet_bytes(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode("utf-8")


def post_sheet(client: Any, token: str, content: bytes, name: str = "sheet.csv", **fields: str):  # type: ignore[no-untyped-def]
    return client.post(
        "/api/v1/bulk/import",
        files={"upload": (name, content, "text/csv")},
        data=fields,
        headers={"Authorization": token},
    )


def test_xlsx_template_matches_the_csv_template() -> None:
    with TEMPLATE_CSV.open(encoding="utf-8") as handle:
        csv_rows = [[c or None for c in row] for row in csv.reader(handle)]
    workbook = load_workbook(TEMPLATE_XLSX, read_only=True)
    xlsx_rows = [list(r) for r in workbook.active.iter_rows(values_only=True)]
    assert xlsx_rows == csv_rows


@pytest.mark.parametrize("template", [TEMPLATE_CSV, TEMPLATE_XLSX], ids=["csv", "xlsx"])
def test_template_imports_as_shipped(api, client, admin, org, template: Path) -> None:  # type: ignore[no-untyped-def]
    response = post_sheet(client, admin.token, template.read_bytes(), template.name)
    assert response.status_code == 200, response.json()
    report = response.json()
    assert report["applied"] and report["errors"] == []
    assert [c["name"] for c in report["created"]] == ["example-aed-list", "example-population"]
    aed = api.ok("package_show", admin.token, id="example-aed-list")
    assert [r["format"] for r in aed["resources"]] == ["CSV", "XLSX"]
    assert {t["name"] for t in aed["tags"]} == {"AED", "医療", "防災"}
    assert aed["title_translated"]["en"] == "AED locations"
    extras = {e["key"]: e["value"] for e in aed["extras"]}
    assert extras["temporal_start"] == "2024-04-01" and extras["update_frequency"] == "年1回"
    assert json.loads(extras["spatial"])["type"] == "Point"


def bad_sheet() -> bytes:
    return sheet_bytes(
        [
            ["name", "title", "owner_org", "license_id", "author_email", "resource_url"],
            ["good-one", "良い", "example-city", "CC-BY-4.0", "", "https://example.jp/a.csv"],
            ["Bad Name", "悪い名前", "example-city", "", "", ""],
            ["licence-typo", "誤記", "example-city", "CC-BY-9", "not-an-email", ""],
            ["no-such-org", "組織なし", "nowhere", "", "", ""],
            ["good-two", "良い2", "example-city", "", "", ""],
        ]
    )


def test_all_problems_are_reported_and_nothing_is_applied(api, client, admin, org) -> None:  # type: ignore[no-untyped-def]
    response = post_sheet(client, admin.token, bad_sheet())
    assert response.status_code == 422
    report = response.json()
    assert report["applied"] is False and report["created"] == []
    where = {(e["row"], e["column"]) for e in report["errors"]}
    assert {(3, "name"), (4, "license_id"), (4, "author_email"), (5, "owner_org")} <= where
    assert {r["name"] for r in report["rejected"]} == {"Bad Name", "licence-typo", "no-such-org"}
    # All or nothing: the valid rows were not created either.
    assert api.ok("package_list", admin.token) == []


def test_valid_only_applies_the_valid_datasets(api, client, admin, org) -> None:  # type: ignore[no-untyped-def]
    response = post_sheet(client, admin.token, bad_sheet(), valid_only="true")
    assert response.status_code == 200
    report = response.json()
    assert report["applied"] and [c["name"] for c in report["created"]] == ["good-one", "good-two"]
    assert len(report["errors"]) >= 4
    assert sorted(api.ok("package_list", admin.token)) == ["good-one", "good-two"]


def test_dry_run_applies_nothing(api, client, admin, org) -> None:  # type: ignore[no-untyped-def]
    response = post_sheet(client, admin.token, TEMPLATE_CSV.read_bytes(), dry_run="1")
    assert response.status_code == 200
    report = response.json()
    assert report["dry_run"] and not report["applied"] and report["errors"] == []
    assert report["valid"] == ["example-aed-list", "example-population"]
    assert api.ok("package_list", admin.token) == []


def test_sheet_level_problems(client, admin, org) -> None:  # type: ignore[no-untyped-def]
    content = sheet_bytes([["name", "titel"], ["a-dataset", "typo column"]])
    report = post_sheet(client, admin.token, content).json()
    assert report["errors"] == [
        {
            "row": 1,
            "column": "titel",
            "message": "Unknown column 'titel' (column 2): see the template for the "
            "accepted columns",
        }
    ]
    conflicting = sheet_bytes(
        [["name", "title", "resource_url"], ["a", "一", "https://x.jp/1"], ["a", "二", ""]]
    )
    report = post_sheet(client, admin.token, conflicting).json()
    assert [(e["row"], e["column"]) for e in report["errors"]] == [(3, "title")]


def test_rights_apply_and_anonymous_is_refused(client, api, make_user, admin, org) -> None:  # type: ignore[no-untyped-def]
    outsider = make_user("outsider")
    report = post_sheet(client, outsider.token, TEMPLATE_CSV.read_bytes()).json()
    assert report["applied"] is False
    assert {e["column"] for e in report["errors"]} == {"owner_org"}
    anonymous = client.post(
        "/api/v1/bulk/import", files={"upload": ("s.csv", TEMPLATE_CSV.read_bytes(), "text/csv")}
    )
    assert anonymous.status_code == 403
    assert anonymous.headers["content-type"].startswith("application/problem+json")


def test_cli_bulk_import(tmp_path: Path, settings, catalog, admin, org) -> None:  # type: ignore[no-untyped-def]
    data_dir = str(settings.data_dir)
    sheet = tmp_path / "bad.csv"
    sheet.write_bytes(bad_sheet())
    failed = runner.invoke(
        app, ["bulk", "import", str(sheet), "--user", "sysop", "--data-dir", data_dir,
              "--format", "json"],
    )  # fmt: skip
    assert failed.exit_code == 1, failed.output
    report = json.loads(failed.stdout)
    assert report["applied"] is False and len(report["errors"]) >= 4
    done = runner.invoke(
        app, ["bulk", "import", str(TEMPLATE_XLSX), "--user", "sysop", "--data-dir", data_dir]
    )
    assert done.exit_code == 0, done.output
    assert "Created 2 datasets" in done.output
