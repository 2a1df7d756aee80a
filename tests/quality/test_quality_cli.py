"""``renkei quality check`` and ``renkei quality fix`` end to end, on real files."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from renkei.cli import app
from tests.conftest import SHARED

runner = CliRunner()


def test_check_json_and_exit_codes(fixture_file):
    bad = fixture_file("csv-ja/tokyo_fukushihoken_res_b04_66_truncated.csv")
    result = runner.invoke(app, ["quality", "check", str(bad), "--format", "json"])
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["valid"] is False
    assert {s["scorer"] for s in document["scores"]} >= {
        "machine_readability",
        "structure",
        "codes",
    }
    first = document["findings"][0]
    assert set(first) >= {"rule", "severity", "location", "message", "message_ja", "fix"}


def test_check_passes_a_clean_file(tmp_path):
    path = tmp_path / "clean.csv"
    path.write_text("市区町村コード,地域名,人口（人）\n131016,千代田区,66680\n", encoding="utf-8")
    result = runner.invoke(app, ["quality", "check", str(path)])
    assert result.exit_code == 0, result.stdout
    assert "machine_readability" in result.stdout


def test_check_with_schema_and_unknown_schema(fixture_file):
    wifi = fixture_file("csv-ja/tokyo_arakawa_public_wireless_lan.csv")
    result = runner.invoke(
        app, ["quality", "check", str(wifi), "--schema", "public-wifi", "--format", "json"]
    )
    document = json.loads(result.stdout)
    assert "standard_schema" in [s["scorer"] for s in document["scores"]]
    applied = [f for f in document["findings"] if f["rule"] == "schema.applied"]
    assert "public-wifi.legacy" in applied[0]["message"]
    result = runner.invoke(app, ["quality", "check", str(wifi), "--schema", "nope"])
    assert result.exit_code == 2


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("old.xls", b"\xd0\xcf\x11\xe0" + b"\x00" * 100),
        ("data.json", b'{"a": 1}'),
        ("report.csv", b"%PDF-1.7\n..."),
        ("blob.csv", bytes(range(256)) * 4),
    ],
)
def test_check_unreadable_file(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    result = runner.invoke(app, ["quality", "check", str(path)])
    assert result.exit_code == 2


@pytest.fixture
def seed(tmp_path) -> Path:
    source = SHARED / "seeds" / "000_9175eeb83dfd3c44.txt"
    if not source.is_file():
        pytest.skip(f"seed not found at {source}")
    target = tmp_path / "seed" / source.name
    target.parent.mkdir()
    shutil.copyfile(source, target)
    return target


def test_fix_seed_roadmap_table(seed, tmp_path):
    before = seed.read_bytes()
    out = tmp_path / "out"
    result = runner.invoke(app, ["quality", "fix", str(seed), "-o", str(out), "--format", "json"])
    assert result.exit_code == 0, result.stdout
    assert seed.read_bytes() == before  # never touches the input
    measures = list(csv.DictReader((out / "000_9175eeb83dfd3c44.csv").open(encoding="utf-8")))
    assert [m["施策番号"] for m in measures] == [
        "04-01",
        "04-02",
        "04-03",
        "04-04",
        "04-05",
        "04-06",
        "04-07",
        "04-08",
        "09-34",
        "09-35",
        "09-36",
        "09-37",
        "09-38",
        "10-01",
        "10-02",
    ]
    assert list(measures[0]) == [
        "施策番号",
        "施策名",
        "KPI (進捗)",
        "KPI (効果)",
        "課題・取組概要(スケジュール・効果)",
        "府省庁名",
    ]
    # Ministries separated from the marks.
    assert measures[0]["府省庁名"].startswith("内閣府、個人情報保護委員会")
    assert measures[10]["府省庁名"] == "文部科学省、経済産業省"
    assert not any("◎" in m["府省庁名"] for m in measures)
    long = list(csv.DictReader((out / "000_9175eeb83dfd3c44.long.csv").open(encoding="utf-8")))
    assert {row["mark"] for row in long} == {"◎", "○"}
    assert {row["施策番号"] for row in long} == {m["施策番号"] for m in measures}
    assert any(
        row["施策番号"] == "09-36" and row["mark"] == "○" and row["item"] == "23条" for row in long
    )
    report = json.loads((out / "fix-report.json").read_text(encoding="utf-8"))
    kinds = {c["change"] for c in report["changes"]}
    assert {"header-flattened", "repeated-header-removed", "matrix-unpivoted"} <= kinds
    assert any("uncertain" in w or "shifted" in w for w in report["warnings"])
    assert (out / "fix-report.md").is_file()


def test_fix_normalises_numbers_dates_digits_and_totals(tmp_path):
    source = tmp_path / "in.csv"
    source.write_bytes(
        '人口の表,,\n地域,年度,金額（円）\n高松市,令和2年度,"1,200円"\n丸亀市,平成30年度,▲５０\n'
        "合計,,1150\n注：推計,,\n".encode("cp932")
    )
    out = tmp_path / "out"
    result = runner.invoke(app, ["quality", "fix", str(source), "-o", str(out)])
    assert result.exit_code == 0, result.stdout
    text = (out / "in.csv").read_text(encoding="utf-8")
    assert text == "地域,年度,金額（円）\n高松市,2020年度,1200\n丸亀市,2018年度,-50\n"
    assert (out / "in.totals.csv").read_text(encoding="utf-8").endswith("合計,,1150\n")
    report = json.loads((out / "fix-report.json").read_text(encoding="utf-8"))
    kinds = {c["change"] for c in report["changes"]}
    assert {
        "encoding",
        "preamble-removed",
        "notes-removed",
        "totals-separated",
        "numbers",
        "dates",
        "full-width",
    } <= kinds


def test_fix_refuses_to_overwrite_input(tmp_path):
    source = tmp_path / "t.csv"
    source.write_text("a,b\n1,2\n", encoding="utf-8")
    result = runner.invoke(app, ["quality", "fix", str(source), "-o", str(tmp_path)])
    assert result.exit_code == 2
    assert source.read_text(encoding="utf-8") == "a,b\n1,2\n"


def test_fix_xlsx_unmerges_and_keeps_formula_values(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "人口"
    sheet.append(["地域", "区分", "人口（人）"])
    sheet.append(["高松市", "男", 1])
    sheet.append([None, "女", 2])
    sheet.append(["丸亀市", "男", 3])
    sheet["C5"] = "=C2+C3"
    sheet.merge_cells("A2:A3")
    source = tmp_path / "pop.xlsx"
    book.save(source)
    out = tmp_path / "out"
    result = runner.invoke(app, ["quality", "fix", str(source), "-o", str(out), "--format", "json"])
    assert result.exit_code == 0, result.stdout
    text = (out / "pop.人口.csv").read_text(encoding="utf-8")
    assert text.startswith("地域,区分,人口（人）\n高松市,男,1\n高松市,女,2\n丸亀市,男,3\n")
    report = json.loads(result.stdout)
    kinds = {c["change"] for c in report["changes"]}
    assert {"cells-unmerged", "formulas-as-values"} <= kinds
    # openpyxl saves no computed value for the formula: the report says so.
    assert any("no saved value" in w for w in report["warnings"])


def test_check_downloads_a_url(tmp_path):
    """``check`` takes a URL (served here from loopback)."""
    import http.server
    import threading
    from functools import partial

    (tmp_path / "t.csv").write_text("地域,人口（人）\n高松市,1\n", encoding="utf-8")
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/t.csv"
        result = runner.invoke(app, ["quality", "check", url, "--format", "json"])
        assert result.exit_code == 0, result.stdout
        assert json.loads(result.stdout)["source"] == url
        missing = runner.invoke(app, ["quality", "check", url.replace("t.csv", "nope.csv")])
        assert missing.exit_code == 2
    finally:
        server.shutdown()
        server.server_close()


def test_fix_removes_spacing_columns(tmp_path):
    source = tmp_path / "sp.csv"
    source.write_text("地域,人口（人）,,世帯数（世帯）\n高松市,1,,2\n", encoding="utf-8")
    result = runner.invoke(app, ["quality", "fix", str(source), "-o", str(tmp_path / "o")])
    assert result.exit_code == 0, result.stdout
    text = (tmp_path / "o" / "sp.csv").read_text(encoding="utf-8")
    assert text == "地域,人口（人）,世帯数（世帯）\n高松市,1,2\n"


def test_readable_report_groups_repeated_findings(fixture_file):
    aed = fixture_file("csv-ja/takamatsu_0002_aed.csv")
    result = runner.invoke(app, ["quality", "check", str(aed)])
    assert result.exit_code == 1
    assert "more jp-mr.table.preamble" in result.stdout
    assert "How to fix:" in result.stdout


def test_fix_skips_a_notes_sheet(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    data = book.active
    data.title = "data"
    data.append(["地域", "人口（人）"])
    data.append(["高松市", 100])
    notes = book.create_sheet("注記")
    notes.append(["注1：推計値"])
    notes.append(["出典：高松市"])
    source = tmp_path / "n.xlsx"
    book.save(source)
    result = runner.invoke(
        app, ["quality", "fix", str(source), "-o", str(tmp_path / "o"), "--format", "json"]
    )
    report = json.loads(result.stdout)
    assert [o for o in report["outputs"] if o.endswith(".csv")] == ["n.data.csv"]
    assert "notes-sheet-skipped" in {c["change"] for c in report["changes"]}


def test_fix_moves_a_unit_into_the_name_and_keeps_mixed_units(tmp_path):
    source = tmp_path / "u.csv"
    source.write_text(
        '地域,予算,面積\n高松市,"1,200千円",10%\n丸亀市,300千円,20人\n', encoding="utf-8"
    )
    result = runner.invoke(
        app, ["quality", "fix", str(source), "-o", str(tmp_path / "o"), "--format", "json"]
    )
    text = (tmp_path / "o" / "u.csv").read_text(encoding="utf-8")
    assert text == "地域,予算（千円）,面積\n高松市,1200,10%\n丸亀市,300,20人\n"
    report = json.loads(result.stdout)
    assert "unit-moved" in {c["change"] for c in report["changes"]}
    assert any("mixes units" in w for w in report["warnings"])
