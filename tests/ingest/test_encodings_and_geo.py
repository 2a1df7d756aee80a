"""Encodings beyond the fixtures (EUC-JP, UTF-16 without BOM, CP932-only characters), the
Tokyo datum flag, datetimes and times."""

from __future__ import annotations

from pathlib import Path

import pytest

from renkei.ingest import inspect_file

TABLE = "名称,所在地,緯度,経度,開設日時,開館\n" + "".join(
    f"髙島屋{i}①,東京都中央区{i}丁目,35.{6800 + i},139.{7700 + i},"
    f"2024/04/{i + 1:02d} 09:{i:02d}:00,9:{i:02d}\n"
    for i in range(20)
)


@pytest.mark.parametrize(
    ("codec", "expected"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("cp932", "cp932"),
     ("utf-16", "utf-16"), ("utf-16-le", "utf-16-le")],
)  # fmt: skip
def test_encodings(tmp_path: Path, codec: str, expected: str) -> None:
    path = tmp_path / f"t.{codec}.csv"
    path.write_bytes(TABLE.encode(codec))
    result = inspect_file(path)
    assert result.encoding == expected and result.ok
    assert result.row_count == 20 and result.columns[0].name == "名称"
    assert [c.type for c in result.columns] == [
        "string", "string", "number", "number", "datetime", "time"
    ]  # fmt: skip
    assert result.columns[4].format == "%Y/%m/%d %H:%M:%S"
    assert result.temporal == {"start": "2024-04-01", "end": "2024-04-20"}


def test_euc_jp(tmp_path: Path) -> None:
    text = TABLE.replace("髙", "高").replace("①", "1")  # EUC-JP has neither
    path = tmp_path / "euc.csv"
    path.write_bytes(text.encode("euc_jp"))
    result = inspect_file(path)
    assert result.encoding == "euc_jp" and result.row_count == 20


def test_tokyo_datum_is_flagged(tmp_path: Path) -> None:
    path = tmp_path / "tokyo.csv"
    path.write_text(
        "名称,緯度（日本測地系）,経度（日本測地系）\nA,35.68,139.76\nB,35.69,139.77\n",
        encoding="utf-8",
    )
    result = inspect_file(path)
    assert result.crs == "EPSG:4301" and result.bbox == [139.76, 35.68, 139.77, 35.69]
    tokyo = [p for p in result.problems if p.rule == "ingest.geo.tokyo_datum"]
    assert tokyo and tokyo[0].severity == "warning" and "JGD2011" in tokyo[0].fix


def test_jgd2011_named_in_the_header(tmp_path: Path) -> None:
    path = tmp_path / "jgd.csv"
    path.write_text("名称,緯度(JGD2011),経度(JGD2011)\nA,35.68,139.76\n", encoding="utf-8")
    assert inspect_file(path).crs == "EPSG:6668"
