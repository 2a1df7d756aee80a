"""The two column generations of the standard datasets: detection, scoring, rename advice."""

from __future__ import annotations

import pytest

from renkei.quality import standard_schema
from renkei.quality.content import score_file
from renkei.quality.reading import read_text_table

# The current 公衆トイレ一覧 (sheet 13): one complete, valid row.
TOILET_CURRENT = {
    "全国地方公共団体コード": "131016",
    "ID": "T001",
    "地方公共団体名": "東京都千代田区",
    "名称": "日比谷公園トイレ",
    "名称_カナ": "ヒビヤコウエントイレ",
    "名称_英語": "Hibiya Park Toilet",
    "所在地_全国地方公共団体コード": "131016",
    "町字ID": "0001-001",
    "所在地_連結表記": "東京都千代田区日比谷公園1-6",
    "所在地_都道府県": "東京都",
    "所在地_市区町村": "千代田区",
    "所在地_町字": "日比谷公園",
    "所在地_番地以下": "1-6",
    "建物名等(方書)": "",
    "設置位置": "公園東口",
    "緯度": "35.6735",
    "経度": "139.7560",
    "高度の種別": "階数",
    "高度の値": "1",
    "男性トイレ総数": "4",
    "男性トイレ数（小便器）": "2",
    "男性トイレ数（和式）": "0",
    "男性トイレ数（洋式）": "2",
    "女性トイレ総数": "3",
    "女性トイレ数（和式）": "0",
    "女性トイレ数（洋式）": "3",
    "男女共用トイレ総数": "1",
    "男女共用トイレ数（和式）": "0",
    "男女共用トイレ数（洋式）": "1",
    "バリアフリートイレ数": "1",
    "車椅子使用者用トイレ有無": "有",
    "乳幼児用設備設置トイレ有無": "有",
    "オストメイト設置トイレ有無": "無",
    "利用開始時間": "06:00",
    "利用終了時間": "22:00",
    "利用可能時間特記事項": "",
    "画像": "https://example.jp/toilet.jpg",
    "画像_ライセンス": "CC BY 4.0",
    "備考": "",
}

WIFI_LEGACY = (
    "都道府県コード又は市区町村コード,NO,都道府県名,市区町村名,名称,名称_カナ,名称_英語,住所,方書,"
    "緯度,経度,設置者,電話番号,内線番号,SSID,提供エリア,URL,備考\n"
    "131181,1,東京都,荒川区,日暮里観光案内所,ニッポリ,Nippori,東京都荒川区西日暮里2-19-1,,"
    "35.7,139.7,荒川区,03-3802-3111,,FreeWi-Fi,周辺,https://example.jp/,\n"
)


def csv_of(row: dict[str, str]) -> str:
    return ",".join(row) + "\n" + ",".join(row.values()) + "\n"


def checked(text: str, schema: str | None = None):
    score = standard_schema.score(read_text_table(text), schema=schema)
    assert score is not None
    return score


def rules(score) -> set[str]:
    return {f.rule for f in score.findings}


def test_every_current_schema_ships_beside_its_legacy_one():
    catalog = standard_schema.catalog()
    slugs = {
        "aed",
        "evacuation-site",
        "public-facility",
        "medical-institution",
        "childcare-facility",
        "care-service",
        "tourist-facility",
        "event",
        "cultural-property",
        "public-wifi",
        "public-toilet",
        "fire-water",
    }
    for slug in slugs:
        current, legacy = catalog[f"{slug}.current"], catalog[f"{slug}.legacy"]
        assert current["x-generation"] == "current" and legacy["x-generation"] == "legacy"
        assert current["title"] == legacy["title"]
        # Every current column names the public material that backs it.
        assert all(f["x-sources"] for f in current["fields"]), slug
        assert set(current["x-sources"]) == {s for f in current["fields"] for s in f["x-sources"]}
        assert any(f["name"] == "所在地_連結表記" for f in current["fields"])


def test_current_toilet_row_passes_and_is_detected_as_current():
    score = checked(csv_of(TOILET_CURRENT))
    assert standard_schema.applied_schema(score) == "public-toilet.current"
    assert "current generation" in score.findings[0].message
    assert rules(score) == {"schema.applied"}
    assert score.points == score.max_points == 5 * 39


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        ({"車椅子使用者用トイレ有無": "あり"}, "schema.enum"),
        ({"利用開始時間": "朝6時"}, "schema.type"),
        ({"男性トイレ総数": "四"}, "schema.type"),
        ({"設置位置": ""}, "schema.required-value"),
        ({"所在地_連結表記": ""}, "schema.required-value"),
    ],
)
def test_current_toilet_failing_values(change, rule):
    score = checked(csv_of(TOILET_CURRENT | change))
    assert standard_schema.applied_schema(score) == "public-toilet.current"
    assert rule in rules(score)


def test_current_toilet_without_a_required_column():
    row = {k: v for k, v in TOILET_CURRENT.items() if k != "設置位置"}
    score = checked(csv_of(row))
    (missing,) = [f for f in score.findings if f.rule == "schema.required-column"]
    assert missing.location.column_name == "設置位置"


def test_legacy_row_passes_and_failing_legacy_values():
    score = checked(WIFI_LEGACY)
    assert standard_schema.applied_schema(score) == "public-wifi.legacy"
    assert "legacy generation" in score.findings[0].message
    assert score.points == score.max_points
    bad = checked(WIFI_LEGACY.replace("ニッポリ", ""))
    assert "schema.required-value" in rules(bad)  # 名称_カナ is required in the legacy model


def test_legacy_file_is_told_the_renames_to_the_current_generation():
    advice = [f for f in checked(WIFI_LEGACY).findings if f.rule == "schema.to-current"]
    assert all(f.severity == "info" and f.points_lost == 0 for f in advice)
    pairs = {(f.location.column_name, f.message.split(" to ")[-1]) for f in advice}
    assert pairs == {
        ("都道府県コード又は市区町村コード", "'全国地方公共団体コード'"),
        ("NO", "'ID'"),
        ("住所", "'所在地_連結表記'"),
        ("方書", "'建物名等(方書)'"),
        ("都道府県名", "'地方公共団体名'"),
    }
    merge = next(f for f in advice if f.location.column_name == "都道府県名")
    assert "'都道府県名' + '市区町村名'" in merge.message
    # A current file gets no such advice.
    assert "schema.to-current" not in rules(checked(csv_of(TOILET_CURRENT)))


def test_a_rename_is_advised_only_towards_a_column_the_current_schema_has():
    # A file that already has the current name is not told to rename the legacy one.
    text = WIFI_LEGACY.replace(",方書,", ",建物名等(方書),", 1)
    advice = [f for f in checked(text).findings if f.rule == "schema.to-current"]
    assert "方書" not in {f.location.column_name for f in advice}


def test_nanao_fixture_is_the_current_evacuation_site_generation(fixture_file):
    (score,) = [
        s
        for s in score_file(fixture_file("csv-ja/nanao_shelter_reference_data.csv"))
        if s.scorer == "standard_schema"
    ]
    assert standard_schema.applied_schema(score) == "evacuation-site.current"
    applied = score.findings[0].message
    assert "指定緊急避難場所一覧" in applied and "current generation" in applied
    # Every column of the file is a standard one; the 1.0 flags are not the allowed 1.
    assert "schema.extra-column" not in rules(score)
    assert "schema.to-current" not in rules(score)
    enum = next(f for f in score.findings if f.rule == "schema.enum")
    assert enum.message.startswith("'1.0'")


def test_arakawa_fixture_is_the_legacy_wifi_generation(fixture_file):
    (score,) = [
        s
        for s in score_file(fixture_file("csv-ja/tokyo_arakawa_public_wireless_lan.csv"))
        if s.scorer == "standard_schema"
    ]
    assert standard_schema.applied_schema(score) == "public-wifi.legacy"
    assert "legacy generation" in score.findings[0].message
    assert "schema.to-current" in rules(score)


def test_a_bare_name_lets_the_header_choose_the_generation():
    assert standard_schema.applied_schema(checked(WIFI_LEGACY, "public-wifi")) == (
        "public-wifi.legacy"
    )
    toilet = csv_of(TOILET_CURRENT)
    assert standard_schema.applied_schema(checked(toilet, "public-toilet")) == (
        "public-toilet.current"
    )
    assert standard_schema.applied_schema(checked(toilet, "公衆トイレ一覧")) == (
        "public-toilet.current"
    )
    # A qualified name forces the generation, whatever the header.
    forced = checked(toilet, "public-toilet.legacy")
    assert standard_schema.applied_schema(forced) == "public-toilet.legacy"
    assert "schema.required-column" in rules(forced)  # legacy 住所 is required
    assert standard_schema.resolve("aed")["name"] == "aed.current"
    with pytest.raises(ValueError, match=r"\.current or \.legacy"):
        standard_schema.resolve("aed.future")


def test_a_partial_schema_without_its_own_columns_is_never_detected():
    # Only the shared address columns: a current-generation header of no particular dataset.
    header = "所在地_連結表記,所在地_都道府県,所在地_市区町村,所在地_町字,所在地_番地以下,緯度,経度"
    text = f"{header}\n東京都千代田区1-1,東京都,千代田区,丸の内,1-1,35.68,139.76\n"
    assert standard_schema.score(read_text_table(text)) is None
    named = checked(text, "event")
    assert standard_schema.applied_schema(named) == "event.current"
