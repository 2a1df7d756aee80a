"""inspect_file on real Japanese open-data files (shared fixtures), one property per test."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from renkei.ingest import inspect_file
from renkei.ingest.read import iter_rows, iter_utf8, open_text


def by_name(inspection, name):  # type: ignore[no-untyped-def]
    return next(c for c in inspection.columns if c.name == name)


@pytest.mark.parametrize(
    ("fixture", "encoding"),
    [
        ("csv-ja/nanao_shelter_reference_data.cp932.csv", "cp932"),
        ("csv-ja/nanao_shelter_reference_data.csv", "utf-8"),
        ("csv-ja/nanao_shelter_reference_data.utf16.csv", "utf-16"),
        ("csv-ja/takamatsu_0002_aed.csv", "utf-8-sig"),
        ("csv-ja/takamatsu_0002_aed.cp932.csv", "cp932"),
        ("csv-ja/tokyo_taito_public_toilets_sisetu_28.utf16.csv", "utf-16"),
    ],
)
def test_encodings_are_detected_and_give_the_same_table(fixture_file, fixture, encoding) -> None:
    inspection = inspect_file(fixture_file(fixture))
    assert inspection.encoding == encoding
    assert inspection.format == "csv" and inspection.delimiter == ","
    assert inspection.ok
    if "nanao" in fixture:
        assert inspection.row_count == 112
        assert by_name(inspection, "名称").type == "string"
        # 全国地方公共団体コード stays text (codes), even though every value is digits.
        assert by_name(inspection, "所在地_全国地方公共団体コード").type == "string"
        assert by_name(inspection, "緯度").role == "latitude"
        assert inspection.bbox == pytest.approx([136.81182, 36.97564, 137.0519, 37.15046])


def test_open_text_decodes_cp932_for_the_loader(fixture_file) -> None:
    path = fixture_file("csv-ja/nanao_shelter_reference_data.cp932.csv")
    inspection = inspect_file(path)
    with open_text(path, inspection) as handle:
        rows = list(iter_rows(handle, inspection.delimiter, inspection.quotechar))
    assert rows[0][1] == "名称" and rows[1][1] == "御祓地区コミュニティセンター"
    utf8 = b"".join(iter_utf8(path, inspection))
    reference = fixture_file("csv-ja/nanao_shelter_reference_data.csv").read_bytes()
    assert utf8.replace(b"\r\n", b"\n") == reference.replace(b"\r\n", b"\n")


def test_preamble_and_metadata_rows_of_the_standard_layout(fixture_file) -> None:
    # 9 '#' rows: 6 of metadata above the '#property' header, 2 type/context rows under it.
    inspection = inspect_file(fixture_file("csv-ja/takamatsu_0066_201811_population.csv"))
    assert (inspection.skip_rows, inspection.header_rows) == (6, 3)
    assert inspection.row_count == 235
    names = [c.name for c in inspection.columns]
    assert names[:3] == ["#property", "prefCode", "regionCode"] and len(names) == 49
    survey = by_name(inspection, "surveyDate")
    assert (survey.type, survey.format, survey.min) == ("date", "%m/%d/%Y", "2018-11-01")
    assert inspection.temporal == {"start": "2018-11-01", "end": "2018-11-01"}
    assert by_name(inspection, "totalPopulation").type == "integer"
    assert by_name(inspection, "prefCode").type == "string"  # a code column
    assert by_name(inspection, "regionCode").null_count == 235
    location = by_name(inspection, "location")
    assert location.role == "latlon"
    west, south, east, north = inspection.bbox
    assert 133.9 < west < east < 134.2 and 34.0 < south < north < 34.5
    assert "人口" in inspection.suggested_tags


def test_xlsx_twin_reads_like_the_csv(fixture_file) -> None:
    csv_inspection = inspect_file(fixture_file("csv-ja/takamatsu_0066_201811_population.csv"))
    xlsx_inspection = inspect_file(fixture_file("csv-ja/takamatsu_0066_201811_population.xlsx"))
    assert xlsx_inspection.format == "xlsx" and xlsx_inspection.encoding is None
    assert xlsx_inspection.sheet == "Sheet0" and len(xlsx_inspection.sheets) == 1
    assert xlsx_inspection.row_count == csv_inspection.row_count
    assert [(c.name, c.type) for c in xlsx_inspection.columns] == [
        (c.name, c.type) for c in csv_inspection.columns
    ]
    assert xlsx_inspection.bbox == csv_inspection.bbox


def test_codes_with_mixed_lengths_stay_text(fixture_file) -> None:
    inspection = inspect_file(fixture_file("csv-ja/takamatsu_0085_階数.csv"))
    assert by_name(inspection, "areaCode").type == "string"
    assert by_name(inspection, "cityCode").type == "string"
    assert by_name(inspection, "areaNumber").type == "integer"


def test_zero_padded_numbers_stay_text(fixture_file) -> None:
    inspection = inspect_file(fixture_file("csv-ja/tokyo_arakawa_public_wireless_lan.csv"))
    assert by_name(inspection, "NO").type == "string"  # 0000000001
    assert by_name(inspection, "都道府県コード又は市区町村コード").type == "string"
    assert by_name(inspection, "経度").role == "longitude"


def test_header_in_the_middle_of_the_file(fixture_file) -> None:
    inspection = inspect_file(fixture_file("csv-ja/tokyo_taito_public_toilets_sisetu_28.csv"))
    assert inspection.header_rows == 0
    assert inspection.ignored_rows == [25]
    assert [c.name for c in inspection.columns][-2:] == ["X座標", "Y座標"]
    assert by_name(inspection, "X座標").role == "longitude"
    assert by_name(inspection, "Y座標").role == "latitude"
    assert inspection.row_count == 75
    rules = [p.rule for p in inspection.problems]
    assert "ingest.header.not_at_top" in rules
    west, south, east, north = inspection.bbox
    assert 139.7 < west < east < 139.9 and 35.6 < south < north < 35.8


def test_truncated_file_with_garbage_tail(fixture_file) -> None:
    inspection = inspect_file(fixture_file("csv-ja/tokyo_fukushihoken_res_b04_66_truncated.csv"))
    assert inspection.row_count == 10
    assert inspection.footer_rows == 1
    assert inspection.columns[0].name == "column_1"  # the empty first header cell
    assert by_name(inspection, "施設数").type == "integer"
    assert by_name(inspection, "その他／割合").type == "number"
    garbled = [p for p in inspection.problems if p.rule == "ingest.file.truncated_or_garbled"]
    assert garbled and garbled[0].location.row == 12


def test_geojson_in_plane_rectangular_crs_is_reprojected(fixture_file) -> None:
    inspection = inspect_file(fixture_file("geo/nanao_open_shelter_epsg6675.geojson"))
    assert inspection.format == "geojson" and inspection.crs == "EPSG:6675"
    # The feature's own 緯度/経度 properties say where it is.
    west, south, east, north = inspection.bbox
    assert west == pytest.approx(136.96987, abs=1e-5)
    assert south == pytest.approx(37.03364, abs=1e-5)


def test_geojson_wgs84(fixture_file) -> None:
    inspection = inspect_file(fixture_file("geo/gsi_emergency_372013_takamatsu.geojson"))
    assert inspection.crs == "EPSG:4326" and inspection.row_count == 196
    assert by_name(inspection, "共通ID").type == "string"
    west, south, east, north = inspection.bbox
    assert 133.9 < west < east < 134.2


def test_tsv_json_and_parquet(tmp_path: Path) -> None:
    tsv = tmp_path / "a.tsv"
    tsv.write_text("名前\t値\t日付\nあ\t1\t令和6年4月1日\nい\t2\tR6.4.2\n", encoding="utf-8")
    result = inspect_file(tsv)
    assert (result.format, result.delimiter) == ("tsv", "\t")
    assert [(c.type, c.format) for c in result.columns][1:] == [
        ("integer", None),
        ("date", "wareki"),
    ]
    assert result.temporal == {"start": "2024-04-01", "end": "2024-04-02"}

    data = tmp_path / "records.json"
    data.write_text('[{"id": 1, "lat": 35.1, "lon": 139.2}, {"id": 2, "lat": 35.2, "lon": 139.3}]')
    result = inspect_file(data)
    assert result.format == "json" and result.row_count == 2
    assert result.bbox == [139.2, 35.1, 139.3, 35.2]

    import duckdb

    parquet = tmp_path / "t.parquet"
    with duckdb.connect() as con:
        con.execute(
            "COPY (SELECT range AS n, range * 0.5 AS x, DATE '2024-01-01' + range::INT AS d "
            f"FROM range(10)) TO '{parquet}' (FORMAT parquet)"
        )
    result = inspect_file(parquet)
    assert result.format == "parquet" and result.row_count == 10
    assert [c.type for c in result.columns] == ["integer", "number", "date"]
    assert result.temporal == {"start": "2024-01-01", "end": "2024-01-10"}


def test_late_type_failure_is_reported_with_its_row(tmp_path: Path) -> None:
    rows = ["id,amount"] + [f"{i},{i * 10}" for i in range(1, 5001)] + ["5001,不明"]
    path = tmp_path / "late.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = inspect_file(path)
    amount = result.columns[1]
    assert amount.type == "string"  # verified over every row, not guessed from the first ones
    late = [p for p in result.problems if p.rule == "ingest.type.late_failure"]
    assert late and late[0].location.row == 5002 and late[0].location.column == 2
    assert result.columns[0].type == "integer"


def test_two_row_header_is_flattened(tmp_path: Path) -> None:
    text = "地区,人口,,世帯\n,男,女,\n中央,10,12,8\n北,5,6,4\n"
    path = tmp_path / "two.csv"
    path.write_text(text, encoding="utf-8")
    result = inspect_file(path)
    assert result.header_rows == 2
    assert [c.name for c in result.columns] == ["地区", "人口_男", "人口_女", "世帯"]
    assert [c.type for c in result.columns] == ["string", "integer", "integer", "integer"]
    assert result.row_count == 2


def test_title_preamble_and_footnotes(tmp_path: Path) -> None:
    text = (
        "令和6年 人口統計表,,,\n"
        "単位：人,,,\n"
        ",,,\n"
        "地区,男,女,合計\n"
        "中央,10,12,22\n"
        "北,5,6,11\n"
        "※ 住民基本台帳による,,,\n"
        "出典：市民課,,,\n"
    )
    path = tmp_path / "pre.csv"
    path.write_text(text, encoding="cp932")
    result = inspect_file(path)
    assert result.encoding == "cp932"
    assert (result.skip_rows, result.header_rows, result.footer_rows) == (3, 1, 2)
    assert result.row_count == 2 and result.columns[3].type == "integer"
    assert io  # keep import for readers of this file


def test_a_coordinate_far_from_the_others_is_reported_and_left_out(fixture_file) -> None:
    # 35.4353,139.4823 is ~40 km from Arakawa-ku, where the other 20 spots are.
    inspection = inspect_file(fixture_file("csv-ja/tokyo_arakawa_public_wireless_lan.csv"))
    far = [p for p in inspection.problems if p.rule == "ingest.geo.outlier"]
    assert [p.location.row for p in far] == [22]
    west, south, east, north = inspection.bbox
    assert 139.75 < west < east < 139.80 and 35.72 < south < north < 35.76


def test_spread_data_has_no_outliers(fixture_file) -> None:
    inspection = inspect_file(fixture_file("csv-ja/takamatsu_0002_aed.csv"))
    assert not [p for p in inspection.problems if p.rule == "ingest.geo.outlier"]


def test_fiscal_year_column_gives_the_temporal_coverage(fixture_file) -> None:
    inspection = inspect_file(fixture_file("csv-ja/takamatsu_0097_city_tax_r2.csv"))
    year = by_name(inspection, "year")  # 令和2年度 on every row
    assert (year.type, year.format, year.min, year.max) == ("string", "fiscal_year", 2020, 2020)
    assert inspection.temporal == {"start": "2020-04-01", "end": "2021-03-31"}
    assert by_name(inspection, "adjustedAmount").type == "integer"  # 11-digit yen amounts
    assert by_name(inspection, "incomeRate").type == "number"
