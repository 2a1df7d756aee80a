"""The roadmap as data: the seed table imports into its 15 measures without false confidence
about articles; a well-aligned table gets exact articles; API, CLI and live KPIs."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from renkei.cli import app
from renkei.roadmap.service import import_roadmap
from renkei.roadmap.table import parse_roadmap
from tests.conftest import SHARED

SEED = SHARED / "seeds" / "000_9175eeb83dfd3c44.txt"

EXPECTED = {
    "04-01": ("分野ごとデータ連携基盤間でのデータ流通を促進する分散型分野間データ連携の推進",
              ["内閣府"],
              ["個人情報保護委員会", "デジタル庁", "総務省", "経済産業省", "国土交通省"]),
    "04-02": ("国土交通データプラットフォーム整備", ["国土交通省"], ["個人情報保護委員会"]),
    "04-03": ("いわゆる情報銀行やデータ取引市場等の実装に向けた制度整備", ["デジタル庁"],
              ["個人情報保護委員会", "総務省", "経済産業省", "関係府省庁"]),
    "04-04": ("AI・データの利用に関する適切な契約の促進", ["経済産業省"], ["総務省"]),
    "04-05": ("オープンデータ官民ラウンドテーブル等を通じたデータ利活用の促進", ["デジタル庁"],
              ["関係府省庁"]),
    "04-06": ("オープンデータ・バイ・デザインの推進", ["デジタル庁"], ["全府省庁"]),
    "04-07": ("地方におけるオープンデータの促進", ["デジタル庁"], []),
    "04-08": ("オープンデータカタログの一元的提供の推進", ["デジタル庁"], []),
    "09-34": ("リモートセンシング技術のユーザ-最適型データ提供に関する要素技術の研究開発",
              ["総務省"], []),
    "09-35": ("量子暗号通信網構築のための研究開発", ["総務省"], []),
    "09-36": ("データ駆動型研究開発を推進するためのマテリアル研究開発プラットフォームの基盤整備",
              ["文部科学省", "経済産業省"], []),
    "09-37": ("マテリアル分野をユースケースとした「研究DXプラットフォーム」の構築",
              ["文部科学省"], []),
    "09-38": ("地球環境データ統合・解析プラットフォーム事業", ["文部科学省"], []),
    "10-01": ("テレワークの普及", ["デジタル庁"],
              ["内閣官房", "内閣府", "総務省", "経済産業省", "厚生労働省", "国土交通省"]),
    "10-02": ("シェアリングエコノミーサービスの普及", ["デジタル庁"],
              ["総務省", "経済産業省", "内閣府"]),
}  # fmt: skip


@pytest.fixture
def seed(tmp_path: Path) -> Path:
    if not SEED.parent.is_dir() and not os.environ.get("CI"):
        # A checkout without the team's shared/ folder beside it, as fixture_file skips.
        pytest.skip(f"the seeds are not at {SEED.parent} (set RENKEI_SHARED_DIR)")
    if not SEED.is_file():
        pytest.fail(f"missing seed {SEED}")
    target = tmp_path / "seed.txt"
    shutil.copyfile(SEED, target)
    return target


# A small table of the same shape whose marks line up with their header.
ALIGNED_HEADER = [
    ["施策番号", "施策名", "KPI (進捗)", "KPI (効果)", "課題・取組概要",
     "官民データ活用推進基本法(◎:主)", "", "", "デジタル社会形成基本法(◎:主)", "", "府省庁名"],
    ["", "", "", "", "", "10条", "11条 1項 2項", "12条", "29条", "30条", ""],
]  # fmt: skip
ALIGNED_ROWS = [
    ["01-01", "測定A", "進捗A", "効果A", "- 一つ目。 - 二つ目。", "◎", "", "○", "", "○",
     "◎総務省、 経済産業省"],
    ["01-02", "測定B", "進捗B", "効果B", "- だけ。", "", "○", "", "◎", "", "◎デジタル庁、◎総務省"],
]  # fmt: skip


def _table(rows: list[list[str]]) -> str:
    return "\n".join("\t".join(cells) for cells in rows) + "\n"


def test_seed_parses_into_the_15_measures(seed: Path) -> None:
    table = parse_roadmap(seed.read_text(encoding="utf-8"))
    assert [m.number for m in table.measures] == list(EXPECTED)
    for measure in table.measures:
        name, main, others = EXPECTED[measure.number]
        assert measure.name == name
        assert [m["name"] for m in measure.ministries if m["main"]] == main
        assert [m["name"] for m in measure.ministries if not m["main"]] == others
        # Markers are separated from the ministry names.
        assert not any("◎" in m["name"] or "○" in m["name"] for m in measure.ministries)
    first = table.measures[0]
    assert first.kpi_progress.startswith("データ連携基盤技術のSIPデータ基盤への実装数")
    assert first.kpi_effect == "データ連携基盤技術の本格稼働"
    assert len(first.summary) == 3 and first.summary[0].startswith("Society 5.0を実現する")
    assert not any(part.startswith("-") for m in table.measures for part in m.summary)
    assert len(table.measures[5].summary) == 4  # 04-06 has four bullet points
    by_number = {m.number: m for m in table.measures}
    assert all(m.kpi_progress and m.kpi_effect for m in table.measures)
    assert by_number["04-07"].kpi_effect == "未設定(評価指標の設定後に検討)"
    assert by_number["10-02"].kpi_progress == (
        "シェアリングシティ推進協議会に加盟する地方公共団体数100(令和4年度(2022年度)末までに)"
    )
    assert by_number["09-35"].kpi_effect.startswith("・研究開発成果の製品化")
    assert by_number["04-02"].kpi_progress.endswith("令和7年度(2025年度)約150万件)")


def test_seed_alignment_is_reported_uncertain_with_marks_where_found(seed: Path) -> None:
    table = parse_roadmap(seed.read_text(encoding="utf-8"))
    for measure in table.measures:
        assert measure.alignment == "uncertain", measure.number
        assert measure.articles == [], measure.number
        assert measure.alignment_note
    by_number = {m.number: m for m in table.measures}
    # 04-01: one ◎ in column 31 (1-based), under the label "33条" of the shifted header.
    assert by_number["04-01"].marks == [
        {"mark": "◎", "role": "main", "column": 31, "column_label": "33条", "header_line": 3}
    ]
    assert "ministry text in column 32, not in column 26" in by_number["04-01"].alignment_note
    assert [(m["mark"], m["column"]) for m in by_number["09-36"].marks] == [("○", 20), ("◎", 31)]
    # 10-01 has no marks and its ministry where the header says; its page is still shifted.
    assert by_number["10-01"].marks == []
    assert "other rows of this page" in by_number["10-01"].alignment_note
    kinds = [(p.kind, p.line) for p in table.problems]
    assert kinds == [("alignment", 5), ("alignment", 16)]


def test_aligned_table_assigns_exact_articles() -> None:
    table = parse_roadmap(_table(ALIGNED_HEADER + ALIGNED_ROWS))
    assert table.problems == []
    first, second = table.measures
    assert first.alignment == second.alignment == "exact"
    assert first.articles == [
        {"law": "官民データ活用推進基本法", "article": "10条", "role": "main"},
        {"law": "官民データ活用推進基本法", "article": "12条", "role": "related"},
        {"law": "デジタル社会形成基本法", "article": "30条", "role": "related"},
    ]
    assert second.articles == [
        {"law": "官民データ活用推進基本法", "article": "11条 1項 2項", "role": "related"},
        {"law": "デジタル社会形成基本法", "article": "29条", "role": "main"},
    ]
    assert first.summary == ["一つ目。", "二つ目。"]
    assert first.ministries == [
        {"name": "総務省", "main": True},
        {"name": "経済産業省", "main": False},
    ]
    assert [m["name"] for m in second.ministries if m["main"]] == ["デジタル庁", "総務省"]


def test_a_shifted_mark_is_not_turned_into_an_article() -> None:
    shifted = [r[:] for r in ALIGNED_ROWS]
    # The ministry slides one column left, onto the last article column.
    shifted[0] = shifted[0][:9] + ["◎総務省、 経済産業省", ""]
    table = parse_roadmap(_table(ALIGNED_HEADER + shifted))
    first = next(m for m in table.measures if m.number == "01-01")
    assert first.alignment == "uncertain" and first.articles == []
    assert [m["column_label"] for m in first.marks] == ["10条", "12条"]
    assert all(m.articles == [] for m in table.measures)  # the page is not trusted


def test_rows_that_cannot_be_placed_are_reported() -> None:
    rows = [
        ["01-00", "見出しの前"] + [""] * 9,
        *ALIGNED_HEADER,
        ALIGNED_ROWS[0],
        ["注記", "これは施策ではない"] + [""] * 9,
        ALIGNED_ROWS[0],
        ["01-03", ""] + [""] * 9,
    ]
    table = parse_roadmap(_table(rows))
    assert [m.number for m in table.measures] == ["01-01"]
    messages = [(p.line, p.kind) for p in table.problems]
    assert messages == [(1, "unplaced"), (5, "unplaced"), (6, "unplaced"), (7, "unplaced")]
    assert "again" in table.problems[2].message


def test_import_is_idempotent_and_served_by_the_api(seed: Path, catalog, client) -> None:  # type: ignore[no-untyped-def]
    text = seed.read_text(encoding="utf-8")
    with catalog.context() as ctx:
        first = import_roadmap(ctx, text, source="seed.txt")
    with catalog.context() as ctx:
        again = import_roadmap(ctx, text, source="seed.txt")
    assert (first["measures"], first["created"], first["unchanged"]) == (15, 15, 0)
    assert (again["measures"], again["created"], again["updated"], again["unchanged"]) == (
        15, 0, 0, 15,
    )  # fmt: skip
    listing = client.get("/api/v1/roadmap/measures").json()
    assert listing["count"] == 15
    one = client.get("/api/v1/roadmap/measures/04-02").json()
    assert one["number"] == "04-02" and one["name"] == "国土交通データプラットフォーム整備"
    assert one["kpi_progress"].startswith("国土交通データプラットフォームと連携するデータ数")
    assert one["ministries"][0] == {"name": "国土交通省", "main": True}
    assert one["articles"] == [] and one["alignment"]["status"] == "uncertain"
    assert [k["id"] for k in one["links"]["kpis"]] == ["datasets_linked"]
    assert client.get("/api/v1/roadmap/measures/99-99").status_code == 404
    mext = client.get("/api/v1/roadmap/measures", params={"ministry": "文部科学省"}).json()
    assert [m["number"] for m in mext["results"]] == ["09-36", "09-37", "09-38"]
    meti_main = client.get(
        "/api/v1/roadmap/measures", params={"ministry": "経済産業省", "main": "true"}
    ).json()
    assert [m["number"] for m in meti_main["results"]] == ["04-04", "09-36"]
    # No article was assigned with certainty, so an article filter finds nothing.
    assert client.get("/api/v1/roadmap/measures", params={"article": "33条"}).json()["count"] == 0


def test_article_filter_on_an_aligned_import(catalog, client) -> None:  # type: ignore[no-untyped-def]
    with catalog.context() as ctx:
        import_roadmap(ctx, _table(ALIGNED_HEADER + ALIGNED_ROWS))
    found = client.get("/api/v1/roadmap/measures", params={"article": "29条"}).json()
    assert [m["number"] for m in found["results"]] == ["01-02"]


def test_live_kpis_respect_privacy(catalog, client, api, make_user) -> None:  # type: ignore[no-untyped-def]
    admin = make_user("kpi-admin", sysadmin=True)
    api.ok("organization_create", admin.token, name="kpi-org")
    api.ok("package_create", admin.token, name="open-one", owner_org="kpi-org")
    api.ok("package_create", admin.token, name="hidden-one", owner_org="kpi-org", private=True)
    public = {k["id"]: k for k in client.get("/api/v1/roadmap/kpis").json()["kpis"]}
    assert public["datasets_linked"]["value"] == 1
    assert (
        public["connected_peers"]["value"] == 0
        and "federation" in public["connected_peers"]["note"]
    )
    assert public["quality_scores"]["value"] is None and public["quality_scores"]["reason"]
    assert public["requests_answered"]["value"] is None  # no request yet
    headers = {"Authorization": admin.token}
    mine = {k["id"]: k for k in client.get("/api/v1/roadmap/kpis", headers=headers).json()["kpis"]}
    assert mine["datasets_linked"]["value"] == 2


def test_private_linked_dataset_stays_hidden(catalog, client, api, make_user) -> None:  # type: ignore[no-untyped-def]
    admin = make_user("link-admin", sysadmin=True)
    api.ok("organization_create", admin.token, name="link-org")
    api.ok("package_create", admin.token, name="secret-plan", title="Secret", owner_org="link-org",
           private=True)  # fmt: skip
    with catalog.context() as ctx:
        import_roadmap(ctx, _table(ALIGNED_HEADER + ALIGNED_ROWS))
    headers = {"Authorization": admin.token}
    linked = client.post(
        "/api/v1/roadmap/measures/01-01/links",
        json={"kind": "dataset", "target": "secret-plan"},
        headers=headers,
    )
    assert linked.status_code == 201
    assert linked.json()["links"]["datasets"] == [{"name": "secret-plan", "title": "Secret"}]
    anonymous = client.get("/api/v1/roadmap/measures/01-01")
    assert anonymous.json()["links"]["datasets"] == []
    assert "secret-plan" not in anonymous.text
    nobody = make_user("link-nobody")
    refused = client.post(
        "/api/v1/roadmap/measures/01-01/links",
        json={"kind": "kpi", "target": "datasets_linked"},
        headers={"Authorization": nobody.token},
    )
    assert refused.status_code == 403


def test_cli_import_json_summary(seed: Path, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("RENKEI_DATA_DIR", str(tmp_path / "d"))  # the CLI sets it; restored after
    runner = CliRunner()
    args = ["roadmap", "import", str(seed), "--format", "json", "--data-dir", str(tmp_path / "d")]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["measures"] == 15
    assert [p["kind"] for p in summary["problems"]] == ["alignment", "alignment"]
    again = json.loads(runner.invoke(app, args).stdout)
    assert again["unchanged"] == 15 and again["created"] == 0
    # The same table saved by Excel in Japan (CP932) reads the same.
    sjis = tmp_path / "seed.cp932.txt"
    sjis.write_bytes(seed.read_text(encoding="utf-8").encode("cp932"))
    from_sjis = json.loads(runner.invoke(app, [*args[:2], str(sjis), *args[3:]]).stdout)
    assert from_sjis["unchanged"] == 15
    missing = runner.invoke(app, ["roadmap", "import", str(tmp_path / "nope.txt")])
    assert missing.exit_code == 2
    not_a_table = tmp_path / "notes.txt"
    not_a_table.write_text("メモ\tです\n", encoding="utf-8")
    empty = runner.invoke(app, ["roadmap", "import", str(not_a_table), "--format", "json"])
    assert empty.exit_code == 1
    assert [p["kind"] for p in json.loads(empty.stdout)["problems"]] == ["unplaced", "empty"]


def test_quality_kpi_counts_scored_organizations(client, api, make_user) -> None:  # type: ignore[no-untyped-def]
    admin = make_user("kpi-scorer", sysadmin=True)
    api.ok("organization_create", admin.token, name="scored-org")
    api.ok("package_create", admin.token, name="scored-set", owner_org="scored-org")
    headers = {"Authorization": admin.token}
    assert (
        client.post("/api/v1/quality/datasets/scored-set/scan", headers=headers).status_code == 200
    )
    kpi = next(
        k for k in client.get("/api/v1/roadmap/kpis").json()["kpis"] if k["id"] == "quality_scores"
    )
    ranking = client.get("/api/v1/quality/organizations").json()["ranking"]
    assert kpi["value"] == 1
    assert kpi["mean"] == round(ranking[0]["average_total"] / 405 * 100, 2)


def test_quality_kpi_reports_a_registered_source(client) -> None:  # type: ignore[no-untyped-def]
    from renkei.roadmap import kpis

    def scores(ctx) -> dict[str, float]:  # type: ignore[no-untyped-def]
        return {"city-a": 35.0, "city-b": 90.0, "city-c": 100.0}

    kpis.set_quality_source(scores)
    try:
        quality = next(
            k
            for k in client.get("/api/v1/roadmap/kpis").json()["kpis"]
            if k["id"] == "quality_scores"
        )
    finally:
        kpis.set_quality_source(None)
    assert quality["value"] == 3 and quality["median"] == 90.0
    assert [band["organizations"] for band in quality["distribution"]] == [0, 1, 0, 0, 2]
