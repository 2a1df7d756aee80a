"""Throughput of the content checks (``renkei.quality.content.score_file``) on a CSV.

    .venv/bin/python bench/quality/content_throughput.py --mb 20 --runs 3
    .venv/bin/python bench/quality/content_throughput.py --mb 20 --runs 3 --encoding cp932

generates a CSV shaped like a municipal facility list (code, names, address, lat/lon, counts,
dates; a few real problems sprinkled in) of about --mb megabytes, in UTF-8 or --encoding
(cp932: the Shift_JIS files Windows writes, which are detected, decoded and re-encoded before
the checks), then times score_file over it and prints MB/s of the file's size (best of --runs).
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from renkei.quality.content import score_file


def generate(path: Path, megabytes: float, encoding: str = "utf-8") -> int:
    rng = random.Random(7)
    header = "団体コード,都道府県名,市区町村名,名称,住所,緯度,経度,収容人数（人）,開設日,備考\n"
    lines = [header]
    size = len(header.encode())
    i = 0
    while size < megabytes * 1_000_000:
        i += 1
        name = f"施設{i}" if i % 997 else f"施設{i}\u3000"  # a layout space now and then
        line = (
            f"372013,香川県,高松市,{name},高松市番町{i % 50}-{i % 13},"
            f"{34 + rng.random():.6f},{134 + rng.random():.6f},{rng.randint(0, 900)},"
            f"2020-04-{1 + i % 28:02d},{'' if i % 3 else '駐車場あり'}\n"
        )
        lines.append(line)
        size += len(line.encode())
    path.write_text("".join(lines), encoding=encoding)
    return path.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=float, default=20)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--encoding", default="utf-8", help="utf-8 (default) or cp932")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.csv"
        size = generate(path, args.mb, args.encoding)
        best = cpu = float("inf")
        for _ in range(args.runs):
            start, start_cpu = time.perf_counter(), time.process_time()
            scores = score_file(path)
            best = min(best, time.perf_counter() - start)
            cpu = min(cpu, time.process_time() - start_cpu)
        findings = sum(len(s.findings) for s in scores)
        # CPU time as well as wall time: on a shared machine the wall clock also counts the
        # time the process waited for a core.
        print(
            f"{size / 1e6:.1f} MB in {best:.2f} s wall / {cpu:.2f} s CPU: "
            f"{size / 1e6 / best:.1f} MB/s wall, {size / 1e6 / cpu:.1f} MB/s CPU "
            f"({findings} findings, {args.encoding})"
        )


if __name__ == "__main__":
    main()
