"""Hostile and broken files: every one is either described with its problems (row, column,
what, how handled) or refused with an error a publisher can act on — never a silent guess."""

from __future__ import annotations

import zipfile
from pathlib import Path

from openpyxl import Workbook

from renkei.ingest import inspect_file


def rules(inspection) -> list[str]:  # type: ignore[no-untyped-def]
    return [p.rule for p in inspection.problems]


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    result = inspect_file(path)
    assert not result.ok and rules(result) == ["ingest.file.empty"]
    assert result.format == "csv" and result.size == 0


def test_header_only(tmp_path: Path) -> None:
    path = tmp_path / "header.csv"
    path.write_text("名称,住所,緯度,経度\n", encoding="utf-8")
    result = inspect_file(path)
    assert result.row_count == 0 and [c.name for c in result.columns][0] == "名称"
    assert "ingest.table.no_rows" in rules(result)


def test_truncated_mid_character_and_mid_row(tmp_path: Path) -> None:
    full = "名称,値,備考\n" + "".join(f"施設{i},{i},説明{i}\n" for i in range(50))
    raw = full.encode("utf-8")
    cut = raw[: len(raw) - 5]  # inside the last row, inside a 3-byte character
    assert cut.decode("utf-8", "replace").endswith("\ufffd")
    path = tmp_path / "cut.csv"
    path.write_bytes(cut)
    result = inspect_file(path)
    assert result.encoding == "utf-8" and result.decode_errors == "replace"
    assert "ingest.encoding.truncated" in rules(result)
    assert result.columns[1].type == "integer"


def test_mixed_encodings_are_an_error_with_the_line(tmp_path: Path) -> None:
    head = "名称,値\n" + "".join(f"施設{i},{i}\n" for i in range(20))
    tail = "高松市,99\n"
    path = tmp_path / "mixed.csv"
    path.write_bytes(head.encode("utf-8") + tail.encode("cp932"))
    result = inspect_file(path)
    assert not result.ok
    mixed = [p for p in result.problems if p.rule == "ingest.encoding.mixed"]
    assert mixed and mixed[0].location.row == 22
    assert "UTF-8" in mixed[0].fix


def test_ragged_rows_are_reported_per_row(tmp_path: Path) -> None:
    rows = ["a,b,c"] + [f"{i},{i},{i}" for i in range(10)]
    rows[4] = "3,3,3,extra"
    rows[6] = "5,5"
    path = tmp_path / "ragged.csv"
    path.write_text("\n".join(rows) + "\n")
    result = inspect_file(path)
    found = {(p.rule, p.location.row) for p in result.problems}
    assert ("ingest.row.too_many_fields", 5) in found
    assert ("ingest.row.too_few_fields", 7) in found
    assert result.row_count == 10 and [c.type for c in result.columns] == ["integer"] * 3


def test_stray_quotes_are_kept_as_characters(tmp_path: Path) -> None:
    path = tmp_path / "quotes.csv"
    path.write_text('名称,値\n12"インチ,1\n"引用"の後,2\n普通,3\n', encoding="utf-8")
    result = inspect_file(path)
    assert result.row_count == 3 and result.columns[1].type == "integer"


def test_unterminated_quote_at_the_end(tmp_path: Path) -> None:
    rows = "名称,値,備考\n" + "".join(f"施設{i},{i},x\n" for i in range(30))
    path = tmp_path / "open-quote.csv"
    path.write_text(rows + '"途中で切れた,1\n残り,2\n', encoding="utf-8")
    result = inspect_file(path)
    assert result.row_count == 30 and result.footer_rows == 1
    assert "ingest.file.truncated_or_garbled" in rules(result)


def test_two_thousand_columns(tmp_path: Path) -> None:
    header = ",".join(f"列{i}" for i in range(2000))
    body = "\n".join(",".join(str(i * j) for j in range(2000)) for i in range(5))
    path = tmp_path / "wide.csv"
    path.write_text(header + "\n" + body + "\n", encoding="utf-8")
    result = inspect_file(path)
    assert len(result.columns) == 2000 and result.row_count == 5
    assert result.columns[1999].type == "integer"


def test_long_and_duplicated_names(tmp_path: Path) -> None:
    long = "と" * 70
    path = tmp_path / "names.csv"
    path.write_text(f"値,値,{long},\n1,2,3,4\n", encoding="utf-8")
    result = inspect_file(path)
    names = [c.name for c in result.columns]
    assert names == ["値", "値_2", "と" * 63, "column_4"]
    assert result.columns[1].original_name == "値"
    assert {"ingest.header.duplicate_name", "ingest.header.long_name"} <= set(rules(result))
    assert len({n for n in names}) == 4


def test_xlsx_formulas_with_and_without_cached_values(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "集計"
    sheet.append(["地区", "男", "女", "合計"])
    sheet.append(["中央", 10, 12, "=B2+C2"])
    sheet.append(["北", 5, 6, "=B3+C3"])
    path = tmp_path / "formulas.xlsx"
    workbook.save(path)  # openpyxl stores formulas without cached results
    result = inspect_file(path)
    assert result.sheet == "集計" and result.row_count == 2
    missing = [p for p in result.problems if p.rule == "ingest.xlsx.formula_without_value"]
    assert {(p.location.row, p.location.column) for p in missing} == {(2, 4), (3, 4)}
    assert all(p.location.sheet == "集計" for p in missing)


def test_xlsx_every_sheet_is_described(tmp_path: Path) -> None:
    workbook = Workbook()
    first = workbook.active
    first.title = "説明"
    first.append(["このブックについて"])
    second = workbook.create_sheet("データ")
    second.append(["日付", "件数"])
    second.append(["2024-04-01", 3])
    path = tmp_path / "two-sheets.xlsx"
    workbook.save(path)
    result = inspect_file(path)
    assert [s.sheet for s in result.sheets] == ["説明", "データ"]
    assert result.sheet == "データ"  # the first table-like sheet
    assert result.columns[0].type == "date"


def test_zip_bomb_disguised_as_xlsx_is_refused_before_opening(tmp_path: Path) -> None:
    path = tmp_path / "report.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (64 * 1024 * 1024))
    assert path.stat().st_size < 1024 * 1024
    result = inspect_file(path)
    assert not result.ok and rules(result) == ["ingest.xlsx.refused"]
    assert "zip bomb" in result.problems[0].message


def test_not_a_workbook_and_not_a_table(tmp_path: Path) -> None:
    fake = tmp_path / "fake.xlsx"
    fake.write_bytes(b"PK\x03\x04 this is not a zip")
    result = inspect_file(fake)
    assert not result.ok
    binary = tmp_path / "image.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    result = inspect_file(binary)
    assert result.format is None and result.ok and result.columns == []
    assert rules(result) == ["ingest.file.not_tabular"]
    # Binary bytes that happen to start with "{" are not JSON (and not a JSON error).
    braced = tmp_path / "blob.bin"
    braced.write_bytes(b"{\x00\xff\xfe" + bytes(range(256)) * 4)
    result = inspect_file(braced)
    assert result.format is None and rules(result) == ["ingest.file.not_tabular"]
    # A JSON file whose 8 KiB head ends inside a multi-byte character is still JSON.
    cut = tmp_path / "cut.json"
    cut.write_text('[{"名前": "' + "あ" * 4000 + '"}]', encoding="utf-8")
    assert inspect_file(cut).format == "json"


def test_invalid_json(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('[{"a": 1}, {"a": ')
    result = inspect_file(path)
    assert not result.ok and rules(result) == ["ingest.json.invalid"]


def test_batched_verification_catches_late_codes_dates_and_nulls(tmp_path: Path) -> None:
    # Past the first 1000 values, batches are verified by regular expressions: a leading zero,
    # an impossible date and a spaced null token must still be seen, with their rows.
    lines = ["code,day,amount"]
    for i in range(1, 6001):
        code = "0123" if i == 4500 else str(1000 + i)
        day = "2024-02-30" if i == 5200 else f"2024-{(i % 12) + 1:02d}-{(i % 28) + 1:02d}"
        amount = " - " if i % 1000 == 0 else str(i)
        lines.append(f"{code},{day},{amount}")
    path = tmp_path / "late.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = inspect_file(path)
    code, day, amount = result.columns
    assert code.type == "string" and day.type == "string"
    assert (amount.type, amount.null_count, amount.min, amount.max) == ("integer", 6, 1, 5999)
    late = {(p.location.row, p.location.column) for p in result.problems}
    assert {(4501, 1), (5201, 2)} <= late


def test_csv_starting_with_a_bracket_and_legacy_xls(tmp_path: Path) -> None:
    csv_path = tmp_path / "notes.csv"
    csv_path.write_text(
        "[注] 令和6年4月1日現在,,\n地区,男,女\n中央,1,2\n北,3,4\n", encoding="utf-8"
    )
    result = inspect_file(csv_path)
    assert result.format == "csv" and result.skip_rows == 1 and result.row_count == 2
    xls = tmp_path / "old.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)
    result = inspect_file(xls)
    assert result.format == "xls" and rules(result) == ["ingest.file.xls"]
    assert ".xlsx" in result.problems[0].fix and result.model_dump()["ok"] is False


def test_a_quote_swallowing_a_huge_file_is_an_error_not_a_memory_blowup(
    tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    import csv

    from renkei.ingest import read

    monkeypatch.setattr(read, "MAX_CELL_CHARS", 10_000)
    read.field_size_limit()
    try:
        path = tmp_path / "swallow.csv"
        body = "".join(f"{i},値{i}\n" for i in range(5000))
        path.write_text('名称,値\n"開いたまま,1\n' + body, encoding="utf-8")
        result = inspect_file(path)
        assert not result.ok and rules(result) == ["ingest.file.unreadable_text"]
        assert result.problems[0].location.row is not None
    finally:
        monkeypatch.undo()
        read.field_size_limit()
        assert csv.field_size_limit() == read.MAX_CELL_CHARS
