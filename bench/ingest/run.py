"""Inspect throughput: generate a CSV of mixed types with Japanese text, inspect it, print MB/s.

    .venv/bin/python -m bench.ingest.run --mb 100          # the figures for the closing note
    .venv/bin/python -m bench.ingest.run --mb 5            # a quick look

The same rows are written in UTF-8 and in CP932 (Shift_JIS as Windows writes it), so both
paths are measured: encoding detection reads the whole file once, the table analysis decodes
and type-checks every value of every row once more.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from renkei.ingest import inspect_file

WARDS = ["中央区", "北区", "南区", "東区", "西区", "港区", "高松市番町", "七尾市藤橋町"]
KINDS = ["避難所", "公園", "図書館", "公民館", "小学校", "病院", "ＡＥＤ設置施設"]


def _row(rng: random.Random, number: int) -> str:
    day = date(2019, 5, 1) + timedelta(days=rng.randrange(2000))
    era_year = day.year - 2018
    return ",".join(
        [
            str(number),
            f"{rng.choice(WARDS)}{rng.choice(KINDS)}{number % 997}",
            f"{rng.randrange(1, 48):02d}{rng.randrange(0, 1000):03d}1",  # a code: leading zero
            f"{rng.uniform(33.0, 36.0):.6f}",
            f"{rng.uniform(133.0, 140.0):.6f}",
            str(rng.randrange(0, 5000)),
            f"{rng.uniform(0, 100):.1f}",
            day.isoformat(),
            f"令和{era_year}年{day.month}月{day.day}日",
            rng.choice(["true", "false"]),
            f'"{rng.choice(KINDS)}、{rng.choice(WARDS)}"',
        ]
    )


HEADER = "番号,名称,全国地方公共団体コード,緯度,経度,収容人数,面積,開設日,開設日_和暦,開設中,備考"


def generate(path: Path, megabytes: float, seed: int = 1) -> int:
    rng = random.Random(seed)
    target = int(megabytes * 1024 * 1024)
    written = 0
    rows = 0
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        handle.write(HEADER + "\n")
        while written < target:
            lines = "\n".join(_row(rng, rows + i + 1) for i in range(1000)) + "\n"
            handle.write(lines)
            written += len(lines.encode("utf-8"))
            rows += 1000
    return rows


def measure(path: Path) -> dict[str, float | int | str | None]:
    started = time.perf_counter()
    inspection = inspect_file(path)
    elapsed = time.perf_counter() - started
    size_mb = path.stat().st_size / 1024 / 1024
    return {
        "file": path.name,
        "encoding": inspection.encoding,
        "mb": round(size_mb, 1),
        "rows": inspection.row_count,
        "seconds": round(elapsed, 2),
        "mb_per_s": round(size_mb / elapsed, 1),
        "types": ",".join(c.type for c in inspection.columns),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=100.0, help="size of the generated CSV")
    parser.add_argument("--work-dir", type=Path, default=None)
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args()
    work = args.work_dir or Path(tempfile.mkdtemp(prefix="renkei-bench-ingest-"))
    work.mkdir(parents=True, exist_ok=True)
    utf8 = work / f"mixed-{args.mb:g}mb.utf8.csv"
    cp932 = work / f"mixed-{args.mb:g}mb.cp932.csv"
    generate(utf8, args.mb)
    cp932.write_bytes(utf8.read_text(encoding="utf-8").encode("cp932"))
    results = [measure(utf8), measure(cp932)]
    for result in results:
        print(
            f"{result['file']:<28} {result['encoding']:<6} {result['mb']:>7} MB "
            f"{result['rows']:>10} rows {result['seconds']:>7} s  {result['mb_per_s']:>6} MB/s"
        )
    print(f"column types: {results[0]['types']}")
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
