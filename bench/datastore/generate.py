"""Seeded CSV files of mixed types and Japanese text, at a given size, written by DuckDB.

Columns: an integer id; 全国地方公共団体コード (text with a leading zero for Hokkaido-Tohoku);
facility name and address in Japanese; latitude and longitude; a count with thousands
separators on some rows (``1,234``); an opening date as 2024/4/1; an ISO timestamp; a
boolean; and a free-text note. The CP932 copy is the same text, transcoded in Python.
"""

from __future__ import annotations

import argparse
import codecs
from pathlib import Path

import duckdb

WARDS = ["中央", "北", "南", "東", "西", "港", "緑", "青葉", "泉", "若林"]
KINDS = [
    "公民館",
    "小学校",
    "中学校",
    "体育館",
    "図書館",
    "病院",
    "保育所",
    "避難所",
    "公園",
    "市役所",
]
CITIES = [
    "高松市",
    "丸亀市",
    "坂出市",
    "七尾市",
    "千代田区",
    "台東区",
    "荒川区",
    "札幌市",
    "仙台市",
]
NOTES = [
    "車椅子対応トイレあり",
    "AED設置（１階受付）",
    "耐震補強済み",
    "駐車場20台",
    "Wi-Fi available",
    "土日休館",
    "",
]


def _array(values: list[str]) -> str:
    return "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def write_utf8(target: Path, megabytes: int, seed: int = 1) -> int:
    """Write about ``megabytes`` MB of CSV; return the number of rows."""
    rows = max(1000, megabytes * 1024 * 1024 // 147)  # ~147 bytes per row
    con = duckdb.connect()
    con.execute(f"SELECT setseed({(seed % 1000) / 1000})")
    con.execute(
        f"""
        COPY (
          SELECT
            i AS id,
            lpad(CAST(1000 + (hash(i) % 46000) AS VARCHAR), 5, '0') || '0' AS 団体コード,
            list_extract({_array(CITIES)}, 1 + (hash(i * 3) % {len(CITIES)})::INT)
              || list_extract({_array(WARDS)}, 1 + (hash(i * 5) % {len(WARDS)})::INT)
              || list_extract({_array(KINDS)}, 1 + (hash(i * 7) % {len(KINDS)})::INT) AS 名称,
            list_extract({_array(CITIES)}, 1 + (hash(i * 11) % {len(CITIES)})::INT)
              || list_extract({_array(WARDS)}, 1 + (hash(i * 13) % {len(WARDS)})::INT)
              || '町' || (1 + hash(i) % 9) || '丁目' || (1 + hash(i * 17) % 40) || '番地' AS 住所,
            round(33.5 + (hash(i * 19) % 1000000) / 400000.0, 6) AS 緯度,
            round(130.0 + (hash(i * 23) % 1000000) / 200000.0, 6) AS 経度,
            CASE WHEN i % 5 = 0 THEN format('{{:,}}', 1000 + hash(i) % 90000)
                 ELSE CAST(hash(i) % 900 AS VARCHAR) END AS 利用者数,
            strftime(DATE '1990-01-01' + CAST(hash(i * 29) % 12000 AS INT), '%Y/%-m/%-d') AS 開設日,
            strftime(TIMESTAMP '2024-01-01' + to_seconds(CAST(hash(i * 31) % 31536000 AS BIGINT)),
                     '%Y-%m-%dT%H:%M:%S') AS 更新日時,
            CASE WHEN hash(i * 37) % 2 = 0 THEN 'true' ELSE 'false' END AS 車椅子対応,
            list_extract({_array(NOTES)}, 1 + (hash(i * 41) % {len(NOTES)})::INT) AS 備考
          FROM range(1, {rows} + 1) t(i)
        ) TO '{target}' (FORMAT csv, HEADER true)
        """
    )
    con.close()
    return rows


def write_cp932(source: Path, target: Path) -> None:
    decoder = codecs.getincrementaldecoder("utf-8")()
    with source.open("rb") as src, target.open("wb") as out:
        while chunk := src.read(4 * 1024 * 1024):
            out.write(decoder.decode(chunk).encode("cp932"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--megabytes", type=int, default=100)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    utf8 = args.out / f"table-{args.megabytes}mb.utf8.csv"
    rows = write_utf8(utf8, args.megabytes)
    write_cp932(utf8, args.out / f"table-{args.megabytes}mb.cp932.csv")
    print(f"{rows} rows, {utf8.stat().st_size / 1e6:.0f} MB -> {args.out}")


if __name__ == "__main__":
    main()
