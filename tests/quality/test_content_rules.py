"""Every content rule with a minimal failing and a minimal passing example."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from renkei.quality import codes, machine_readability, standard_schema, structure
from renkei.quality.reading import read_table, read_text_table

GOOD = "市区町村コード,地域名,人口（人）\n131016,千代田区,66680\n131024,中央区,169179\n"


def rules(score) -> set[str]:
    return {f.rule for f in score.findings}


def mr(text: str) -> set[str]:
    return rules(machine_readability.score(read_text_table(text, filename="t.csv")))


def st(text: str) -> set[str]:
    return rules(structure.score(read_text_table(text, filename="t.csv")))


def test_clean_table_passes_every_content_rule():
    table = read_text_table(GOOD, filename="t.csv")
    for scorer in (machine_readability, structure, codes):
        score = scorer.score(table)
        assert score.findings == [], score.findings
        assert score.points == score.max_points > 0


@pytest.mark.parametrize(
    ("rule", "bad", "good"),
    [
        (
            "jp-mr.1-2",
            '名称,位置,地域\nA,"34.3,134.0",高松市\n',
            "名称,緯度,経度,地域\nA,34.3,134.0,高松市\n",
        ),
        (
            "jp-mr.1-2",
            "名称,収容人数,地域\nA,屋内10人／屋外20人,高松市\n",
            "名称,屋内収容人数（人）,屋外収容人数（人）,地域\nA,10,20,高松市\n",
        ),
        (
            "jp-mr.1-3",
            '地域,金額（円）\n高松市,"1,200円"\n丸亀市,300\n坂出市,▲50\n',
            "地域,金額（円）\n高松市,1200\n丸亀市,300\n坂出市,-50\n",
        ),
        (
            "jp-mr.1-3",
            "地域,電話番号\n高松市,０８７－８３９－２１１１\n",
            "地域,電話番号\n高松市,087-839-2111\n",
        ),
        ("jp-mr.1-5", "地域,名称\n高松市,\u3000中央公園\n", "地域,名称\n高松市,中央公園\n"),
        ("jp-mr.1-5", "地域,名称\n高松市,合\u3000計\n", "地域,名称\n高松市,合計\n"),
        ("jp-mr.1-5", '地域,名称\n高松市,"中央\n公園"\n', "地域,名称\n高松市,中央公園\n"),
        ("jp-mr.1-6", "地域,,名称\n高松市,1,A\n", "地域,番号,名称\n高松市,1,A\n"),
        (
            "jp-mr.1-6",
            "地域,man1,man2,man3\n高松市,1,2,3\n",
            "地域,男0-4歳（人）,男5-9歳（人）,男10-14歳（人）\n高松市,1,2,3\n",
        ),
        (
            "jp-mr.1-6",
            "高松市,34.1,134.1\n丸亀市,34.2,133.8\n",
            "地域,緯度,経度\n高松市,34.1,134.1\n丸亀市,34.2,133.8\n",
        ),
        ("jp-mr.1-9", "地域,金額\n高松市,100\n", "地域,金額（円）\n高松市,100\n"),
        ("jp-mr.1-10", "地域,名称\n高松市,①番館\n", "地域,名称\n高松市,1番館\n"),
        ("jp-mr.1-10", "地域,名称\n高松市,㈱高松\n", "地域,名称\n高松市,(株)高松\n"),
        ("jp-mr.1-11", "地域,年度\n高松市,令和2年度\n", "地域,年度\n高松市,令和2年度(2020年度)\n"),
        ("jp-mr.1-11", "地域,調査日\n高松市,11/1/2018\n", "地域,調査日\n高松市,2018-11-01\n"),
        ("jp-mr.1-12", "名称,人数（人）\nA,1\n", "地域,名称,人数（人）\n高松市,A,1\n"),
        (
            "jp-mr.table.preamble",
            "人口の表,,\n地域,男（人）,女（人）\n高松市,1,2\n",
            "地域,男（人）,女（人）\n高松市,1,2\n",
        ),
        (
            "jp-mr.table.notes",
            "地域,男（人）,女（人）\n高松市,1,2\n丸亀市,3,4\n注：推計,,\n",
            "地域,男（人）,女（人）\n高松市,1,2\n丸亀市,3,4\n",
        ),
        (
            "jp-mr.table.notes",
            "地域,人口（人）\n高松市,1\n丸亀市,2\n（注）住民基本台帳による,\n",
            "地域,人口（人）\n高松市,1\n丸亀市,2\n",
        ),
        (
            "jp-mr.table.multirow-header",
            "地域,人口,\n,男,女\n高松市,1,2\n",
            "地域,人口_男（人）,人口_女（人）\n高松市,1,2\n",
        ),
        (
            "jp-mr.table.totals",
            "地域,人口（人）\n高松市,1\n丸亀市,2\n合計,3\n",
            "地域,人口（人）\n高松市,1\n丸亀市,2\n",
        ),
        (
            "jp-mr.table.footnote-marker",
            "地域,人口（人）\n高松市＊,1\n",
            "地域,人口（人）,備考\n高松市,1,推計\n",
        ),
        (
            "jp-mr.table.split",
            "地域,人口（人）\n高松市,1\n地域,人口（人）\n丸亀市,2\n",
            "地域,人口（人）\n高松市,1\n丸亀市,2\n",
        ),
        (
            "jp-mr.table.split",
            "地域,人口（人）,,地域,世帯数（世帯）\n高松市,1,,丸亀市,2\n",
            "地域,人口（人）,世帯数（世帯）\n高松市,1,2\n",
        ),
        (
            "jp-mr.table.split",
            "地域,人口（人）\n高松市,1\n\n丸亀市,2\n",
            "地域,人口（人）\n高松市,1\n丸亀市,2\n",
        ),
    ],
)
def test_machine_readability_rule(rule, bad, good):
    assert rule in mr(bad)
    assert rule not in mr(good)


def test_tsv_is_reported_as_info_under_1_1():
    score = machine_readability.score(
        read_text_table("地域\t人口（人）\n高松市\t1\n", filename="t.tsv")
    )
    assert [f.severity.value for f in score.findings if f.rule == "jp-mr.1-1"] == ["info"]


def _xlsx(tmp_path: Path, build) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["地域", "人口（人）"])
    sheet.append(["高松市", 100])
    sheet.append(["丸亀市", 200])
    build(sheet)
    path = tmp_path / "t.xlsx"
    book.save(path)
    return path


@pytest.mark.parametrize(
    ("rule", "build"),
    [
        ("jp-mr.1-4", lambda s: s.merge_cells("A2:A3")),
        ("jp-mr.1-7", lambda s: s.__setitem__("B3", "=B2*2")),
        ("jp-mr.1-3", lambda s: s.__setitem__("B3", "200")),  # a number stored as text
        ("jp-mr.1-8", lambda s: s.add_chart(_chart(), "D2")),
    ],
)
def test_xlsx_rules(tmp_path, rule, build):
    clean = read_table(_xlsx(tmp_path, lambda s: None))
    assert rule not in rules(machine_readability.score(clean))
    broken = read_table(_xlsx(tmp_path, build))
    assert rule in rules(machine_readability.score(broken))


def test_xlsx_positions_count_from_a1(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["C3"] = "地域"
    sheet["D3"] = "名称"
    sheet["C4"] = "高松市"
    sheet["D4"] = "①番館"
    path = tmp_path / "offset.xlsx"
    book.save(path)
    score = machine_readability.score(read_table(path))
    found = [f.location for f in score.findings if f.rule == "jp-mr.1-10"]
    assert [(loc.row, loc.column) for loc in found] == [(4, 4)]


def test_a_notes_sheet_beside_the_table_is_not_scored(tmp_path):
    book = openpyxl.Workbook()
    data = book.active
    data.append(["地域", "人口（人）"])
    data.append(["高松市", 100])
    notes = book.create_sheet("注記")
    notes.append(["人口の表"])
    notes.append(["注1：推計値"])
    notes.append(["出典：高松市"])
    path = tmp_path / "notes.xlsx"
    book.save(path)
    table = read_table(path)
    assert machine_readability.score(table).findings == []
    assert structure.score(table).findings == []


def _chart():
    from openpyxl.chart import BarChart

    return BarChart()


@pytest.mark.parametrize(
    ("rule", "bad", "good"),
    [
        ("structure.empty", "", "a,b,c\n1,2,3\n"),
        ("structure.empty", "\n\n", "a,b,c\n1,2,3\n"),
        ("structure.empty", "a,b,c\n", "a,b,c\n1,2,3\n"),
        ("structure.blank-label", "a,,c\n1,2,3\n", "a,b,c\n1,2,3\n"),
        ("structure.duplicate-label", "a,a,c\n1,2,3\n", "a,b,c\n1,2,3\n"),
        ("structure.missing-label", "a,b\n1,2,3\n3,4,5\n", "a,b,c\n1,2,3\n3,4,5\n"),
        ("structure.extra-cell", "a,b,c\n1,2,3\n1,2,3,4\n5,6,7\n", "a,b,c\n1,2,3\n5,6,7\n"),
        ("structure.missing-cell", "a,b,c\n1,2\n", "a,b,c\n1,2,\n"),
        ("structure.blank-row", "a,b,c\n1,2,3\n,,\n4,5,6\n", "a,b,c\n1,2,3\n4,5,6\n"),
        ("structure.type-error", "a,n\n" + "x,1\n" * 20 + "y,abc\n", "a,n\n" + "x,1\n" * 21),
        ("structure.stray-quote", 'a,b\n"1" ,2\n', 'a,b\n"1",2\n'),
        ("structure.unclosed-quote", 'a,b\n1,"2\n', 'a,b\n1,"2"\n'),
        ("structure.encoding-error", "a,b\n1,\ufffd\n", "a,b\n1,2\n"),
    ],
)
def test_structure_rule(rule, bad, good):
    assert rule in st(bad)
    assert rule not in st(good)


def test_empty_file_fails_check_but_header_only_warns():
    empty = structure.score(read_text_table(""))
    assert [(f.rule, f.severity.value) for f in empty.findings] == [("structure.empty", "error")]
    header = structure.score(read_text_table("a,b\n"))
    assert [(f.rule, f.severity.value) for f in header.findings] == [("structure.empty", "warning")]


def test_structure_agrees_with_frictionless_on_ragged_rows(tmp_path):
    """Our error names are frictionless's: check them against frictionless itself."""
    frictionless = pytest.importorskip("frictionless")
    text = "a,b,c\n1,2\n3,4,5,6\n,,\n7,8,9\n"
    path = tmp_path / "r.csv"
    path.write_text(text, encoding="utf-8")
    report = frictionless.validate(path.name, basepath=str(tmp_path))
    theirs = {e.type for e in report.tasks[0].errors}
    ours = {r.removeprefix("structure.") for r in st(text)}
    assert theirs == ours == {"missing-cell", "extra-cell", "blank-row"}


def test_non_utf8_is_a_warning_and_encoding_errors_are_errors(tmp_path):
    path = tmp_path / "sjis.csv"
    path.write_bytes("地域,名称\n高松市,髙松①\n".encode("cp932"))
    table = read_table(path)
    assert table.encoding == "cp932"
    assert table.sheets[0].rows[1] == ["高松市", "髙松①"]
    score = structure.score(table)
    assert [(f.rule, f.severity.value) for f in score.findings] == [
        ("structure.non-utf8-encoding", "warning")
    ]
    broken = tmp_path / "broken.csv"
    broken.write_bytes("地域,名称\n".encode() + b"\xe9\xab\x98\xff\xfe,x\n" * 3)
    assert "structure.encoding-error" in rules(structure.score(read_table(broken)))


@pytest.mark.parametrize("encoding", ["cp932", "euc_jp", "utf-16"])
def test_japanese_encodings_are_detected_on_short_files(tmp_path, encoding):
    text = "地域,名称\n高松市,中央公園\n丸亀市,城の公園です\n"
    path = tmp_path / f"{encoding}.csv"
    path.write_bytes(text.encode(encoding))
    table = read_table(path)
    assert table.sheets[0].rows[1] == ["高松市", "中央公園"]
    assert "structure.non-utf8-encoding" in rules(structure.score(table))


def test_check_digit():
    # 千代田区 13101-6, 七尾市 17202-2, 荒川区 13118-1: published codes.
    assert codes.check_digit("13101") == 6
    assert codes.check_digit("17202") == 2
    assert codes.check_digit("13118") == 1
    assert codes.valid("131016") and not codes.valid("131017")


@pytest.mark.parametrize(
    ("rule", "bad", "good"),
    [
        (
            "codes.check-digit",
            "団体コード,名称\n131017,千代田区\n",
            "団体コード,名称\n131016,千代田区\n",
        ),
        ("codes.leading-zero", "団体コード,名称\n1100,札幌市\n", "団体コード,名称\n01100,札幌市\n"),
        (
            "codes.leading-zero",
            "団体コード,名称\n13101.0,千代田区\n",
            "団体コード,名称\n13101,千代田区\n",
        ),
        ("codes.prefecture", "団体コード,名称\n991001,X\n", "団体コード,名称\n131016,千代田区\n"),
        (
            "codes.prefecture-name",
            "団体コード,都道府県名\n131016,大阪府\n",
            "団体コード,都道府県名\n131016,東京都\n",
        ),
        (
            "codes.municipality-name",
            "団体コード,市区町村名\n131016,中央区\n",
            "団体コード,市区町村名\n131016,千代田区\n",
        ),
        (
            "codes.municipality-name",
            "市区町村コード,市区町村名\n37201,丸亀市\n",
            "市区町村コード,市区町村名\n37201,香川県高松市\n",
        ),
        (
            "codes.column-kind",
            "都道府県コード,都道府県名\n372013,香川県\n",
            "都道府県コード,都道府県名\n370002,香川県\n",
        ),
    ],
)
def test_code_rule(rule, bad, good):
    assert rule in rules(codes.score(read_text_table(bad)))
    assert rule not in rules(codes.score(read_text_table(good)))


def test_shipped_municipality_codes_all_carry_valid_check_digits():
    names = codes.municipalities()
    assert len(names) == 1741  # 1718 cities, towns and villages + Tokyo's 23 special wards
    assert all(codes.valid(code) for code in names)
    assert names["172022"] == "七尾市" and names["131181"] == "荒川区"
    assert all(codes.prefectures()[code[:2]] for code in names)


def test_every_prefecture_is_shipped():
    names = codes.prefectures()
    assert len(names) == 47 and names["13"] == "東京都" and names["47"] == "沖縄県"


WIFI_HEADER = (
    "都道府県コード又は市区町村コード,NO,都道府県名,市区町村名,名称,名称_カナ,名称_英語,住所,方書,"
    "緯度,経度,設置者,電話番号,内線番号,SSID,提供エリア,URL,備考"
)
WIFI_ROW = (
    "131181,1,東京都,荒川区,日暮里観光案内所,ニッポリ,Nippori,東京都荒川区西日暮里2-19-1,,"
    "35.7,139.7,荒川区,03-3802-3111,,FreeWi-Fi,周辺,https://example.jp/,"
)


def schema_rules(text: str, schema: str | None = None) -> set[str]:
    score = standard_schema.score(read_text_table(text), schema=schema)
    assert score is not None
    return rules(score)


@pytest.mark.parametrize(
    ("rule", "bad"),
    [
        (
            "schema.required-column",
            (WIFI_HEADER.replace("名称,", "", 1), WIFI_ROW.replace("日暮里観光案内所,", "", 1)),
        ),
        ("schema.column", (WIFI_HEADER.replace(",備考", ""), WIFI_ROW[:-1])),
        ("schema.column-name", (WIFI_HEADER.replace("名称_カナ", "名称 カナ"), WIFI_ROW)),
        ("schema.type", (WIFI_HEADER, WIFI_ROW.replace("35.7", "北緯35.7"))),
        ("schema.type", (WIFI_HEADER, WIFI_ROW.replace("https://example.jp/", "ー"))),
        ("schema.required-value", (WIFI_HEADER, WIFI_ROW.replace("ニッポリ", ""))),
        ("schema.extra-column", (WIFI_HEADER + ",独自", WIFI_ROW + ",x")),
    ],
)
def test_schema_rule(rule, bad):
    assert rule not in schema_rules(f"{WIFI_HEADER}\n{WIFI_ROW}\n")
    assert rule in schema_rules(f"{bad[0]}\n{bad[1]}\n")


def test_schema_enum_rule():
    header = "名称,名称_カナ,住所,設置位置,小児対応設備の有無"
    good = f"{header}\nA,エー,高松市,1階,有\n"
    bad = f"{header}\nA,エー,高松市,1階,あり\n"
    assert "schema.enum" not in schema_rules(good, "aed")
    assert "schema.enum" in schema_rules(bad, "aed")


def test_schema_detection_and_scores():
    score = standard_schema.score(read_text_table(f"{WIFI_HEADER}\n{WIFI_ROW}\n"))
    assert score.scorer == "standard_schema"
    assert standard_schema.applied_schema(score) == "public-wifi.legacy"
    assert score.findings[0].rule == "schema.applied" and score.findings[0].points_lost == 0
    assert score.points == score.max_points == 5 * 18
    assert standard_schema.score(read_text_table(GOOD)) is None
    with pytest.raises(ValueError, match="unknown schema"):
        standard_schema.resolve("no-such-standard")


def test_all_twelve_required_standards_ship():
    titles = {s["title"] for s in standard_schema.catalog().values()}
    for required in [
        "AED設置箇所一覧",
        "指定緊急避難場所一覧",
        "公共施設一覧",
        "医療機関一覧",
        "子育て施設一覧",
        "介護サービス事業所一覧",
        "観光施設一覧",
        "イベント一覧",
        "文化財一覧",
        "公衆無線LANアクセスポイント一覧",
        "公衆トイレ一覧",
        "消防水利施設一覧",
    ]:
        assert required in titles


def test_every_rule_is_documented():
    docs = (Path(__file__).resolve().parents[2] / "docs" / "quality.md").read_text("utf-8")
    for module in (machine_readability, structure, codes, standard_schema):
        for rule_id in module.RULES:
            assert f"`{rule_id}`" in docs, rule_id


def test_layout_space_findings_show_the_cell_with_visible_spaces():
    score = machine_readability.score(read_text_table("地域,名称\n高松市,中央公園\u3000\u3000\n"))
    (finding,) = [f for f in score.findings if f.rule == "jp-mr.1-5"]
    assert "中央公園□×2" in finding.message
    assert machine_readability.visible("a  b\nc") == "a␣×2b⏎c"
