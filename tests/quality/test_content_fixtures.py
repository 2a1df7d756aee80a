"""Every real file in shared/fixtures/csv-ja checked against the problems it really has.

Each expectation was verified by opening the file (the comment says what is there). The set of
rule ids must match exactly: a new false alarm fails this test as much as a missed problem.
"""

from __future__ import annotations

import pytest

from renkei.quality.content import score_file

TAKAMATSU_META = "jp-mr.table.preamble"  # '#LINK', '#lang', ... metadata lines above '#property'

EXPECTED = {
    # Nanao (current-generation 指定緊急避難場所): "屋内191人／屋外0人" two quantities in one cell
    # (1-2); 番地 like "４ー５" in full-width digits (1-3); a line break inside 名称_英字 (row 61,
    # 1-5). The header is detected as the current generation (evacuation-site.current): every
    # column is a standard one and 所在地_連結表記 is always filled, but 全国地方公共団体コード,
    # 地方公共団体名, the contact columns, URL, 備考... are missing and the flags hold 1.0, not 1.
    "nanao_shelter_reference_data.csv": {
        "jp-mr.1-2",
        "jp-mr.1-3",
        "jp-mr.1-5",
        "schema.column",
        "schema.enum",
        "schema.applied",
    },
    # Takamatsu AED: metadata preamble; "34.34092056,134.04522972" lat,lon in one cell (1-2);
    # names padded with full-width spaces (1-5); 髙 (IBM extension kanji, 1-10).
    "takamatsu_0002_aed.csv": {TAKAMATSU_META, "jp-mr.1-2", "jp-mr.1-5", "jp-mr.1-10"},
    "takamatsu_0002_aed.xlsx": {TAKAMATSU_META, "jp-mr.1-2", "jp-mr.1-5", "jp-mr.1-10"},
    # Evacuation spaces: preamble; location pair in one cell; 'capacity' without a unit.
    "takamatsu_0060_evacuation_space.csv": {TAKAMATSU_META, "jp-mr.1-2", "jp-mr.1-9"},
    # Medical: one '#LINK' line above '#property'; location pair; "　" placeholder cells (1-5);
    # 﨑 (1-10); prefCode column holds the municipality code 372013 (codes.column-kind).
    "takamatsu_0062_medical.csv": {
        TAKAMATSU_META,
        "jp-mr.1-2",
        "jp-mr.1-5",
        "jp-mr.1-10",
        "codes.column-kind",
    },
    # Population: preamble; man1..man16 / woman1..woman16 say nothing of the age band (1-6);
    # surveyDate "11/1/2018" (1-11); location pair (1-2); prefCode holds 37201 (a city code);
    # '-' among the household numbers (type-error).
    "takamatsu_0066_201811_population.csv": {
        TAKAMATSU_META,
        "jp-mr.1-2",
        "jp-mr.1-6",
        "jp-mr.1-11",
        "codes.column-kind",
        "structure.type-error",
    },
    # The same in XLSX, where every number is also stored as text (1-3).
    "takamatsu_0066_201811_population.xlsx": {
        TAKAMATSU_META,
        "jp-mr.1-2",
        "jp-mr.1-3",
        "jp-mr.1-6",
        "jp-mr.1-11",
        "codes.column-kind",
        "structure.type-error",
    },
    # Floors: preamble; building counts per floor band without a unit (1-9).
    "takamatsu_0085_階数.csv": {TAKAMATSU_META, "jp-mr.1-9"},
    # City tax: preamble; "令和2年度" without the Western year (1-11); no area column (1-12);
    # '－' in the incomeRate numbers (type-error).
    "takamatsu_0097_city_tax_r2.csv": {
        TAKAMATSU_META,
        "jp-mr.1-11",
        "jp-mr.1-12",
        "structure.type-error",
    },
    # Bag dealers: preamble; "34.33, 134.06" in one cell; names with full-width spaces.
    "takamatsu_0098_bag_dealers.csv": {TAKAMATSU_META, "jp-mr.1-2", "jp-mr.1-5"},
    # Elderly welfare: "…あん樹苑　※" footnote marker; line break in a cell; capacity no unit.
    "takamatsu_elderly_welfare_facility.csv": {
        "jp-mr.1-5",
        "jp-mr.1-9",
        "jp-mr.table.footnote-marker",
    },
    # Evacuation XLSX: numbers stored as text (1-3); "令和９年夏頃" in a name (1-11);
    # capacity without a unit (1-9).
    "takamatsu_evacuation_space.xlsx": {"jp-mr.1-3", "jp-mr.1-9", "jp-mr.1-11"},
    # Arakawa Wi-Fi follows the legacy 公衆無線LAN standard exactly, but writes "ー" for a
    # missing URL (schema.type: not a URI); being legacy, it is told the renames to the current
    # generation (NO -> ID, 住所 -> 所在地_連結表記, ...: schema.to-current, info).
    "tokyo_arakawa_public_wireless_lan.csv": {"schema.applied", "schema.type", "schema.to-current"},
    # Fukushihoken (truncated): blank first label (1-6, blank-label); "認可保育所＊" markers;
    # "総数" total row; a space after a closing quote (stray quote, 1-5) and a truncated last
    # line with U+FFFD and an open quote; the truncated line sits below the table (notes);
    # no area column (1-12).
    "tokyo_fukushihoken_res_b04_66_truncated.csv": {
        "jp-mr.1-5",
        "jp-mr.1-6",
        "jp-mr.1-12",
        "jp-mr.table.footnote-marker",
        "jp-mr.table.notes",
        "jp-mr.table.totals",
        "structure.blank-label",
        "structure.encoding-error",
        "structure.stray-quote",
        "structure.unclosed-quote",
    },
    # Taito toilets: no header row (the header was sorted to row 25, 1-6); phone numbers in
    # full-width digits "０３－５２４６－１３１６" (1-3); 情報 is text, X/Y座標 are coordinates.
    "tokyo_taito_public_toilets_sisetu_28.csv": {"jp-mr.1-3", "jp-mr.1-6"},
}
# The cp932 and UTF-16 copies have the same problems plus a non-UTF-8 encoding.
for _name in (
    "nanao_shelter_reference_data",
    "takamatsu_0002_aed",
    "tokyo_taito_public_toilets_sisetu_28",
):
    for _enc in ("cp932", "utf16"):
        EXPECTED[f"{_name}.{_enc}.csv"] = EXPECTED[f"{_name}.csv"] | {"structure.non-utf8-encoding"}


def test_every_fixture_has_expectations():
    from tests.conftest import FIXTURES

    if not FIXTURES.is_dir():
        pytest.skip("shared fixtures not present")
    assert {p.name for p in (FIXTURES / "csv-ja").iterdir()} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_problems(fixture_file, name):
    scores = score_file(fixture_file(f"csv-ja/{name}"))
    found = {f.rule for score in scores for f in score.findings}
    assert found == EXPECTED[name]


def test_takamatsu_preamble_rows_are_the_metadata_lines(fixture_file):
    scores = score_file(fixture_file("csv-ja/takamatsu_0002_aed.csv"))
    rows = [f.location.row for s in scores for f in s.findings if f.rule == "jp-mr.table.preamble"]
    assert rows == [1, 2, 3, 4, 5, 6, 8, 9]  # row 7 is the '#property' header


def test_fixture_codes_are_checked(fixture_file):
    """七尾市 172022 and 荒川区 131181 carry valid check digits: the codes scorer applies and
    finds nothing."""
    for name in ("nanao_shelter_reference_data.csv", "tokyo_arakawa_public_wireless_lan.csv"):
        codes = next(s for s in score_file(fixture_file(f"csv-ja/{name}")) if s.scorer == "codes")
        assert codes.max_points > 0 and codes.findings == []
