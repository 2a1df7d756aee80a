"""Throughput of the content checks (``renkei.quality.content.score_file``) on a CSV.

    .venv/bin/python bench/quality/content_throughput.py --mb 20 --runs 3
    .venv/bin/python bench/quality/content_throughput.py --mb 20 --runs 3 --encoding cp932
    .venv/bin/python bench/quality/content_throughput.py --fixtures --runs 5

generates a CSV shaped like a municipal facility list (code, names, address, lat/lon, counts,
dates; a few real problems sprinkled in) of about --mb megabytes, in UTF-8 or --encoding
(cp932: the Shift_JIS files Windows writes, which are detected, decoded and re-encoded before
the checks), then times score_file over it and prints MB/s of the file's size (best of --runs).

``--fixtures`` times the real CSV files of shared/fixtures/csv-ja instead (copied to a temporary
folder; RENKEI_SHARED_DIR or ../shared): small files, where the fixed costs per file (regex
compilation, pyarrow calls) weigh more than the bytes.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
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


def fixture_dir() -> Path:
    shared = os.environ.get("RENKEI_SHARED_DIR")
    root = Path(shared) if shared else Path(__file__).resolve().parents[3] / "shared"
    return root / "fixtures" / "csv-ja"


def timed(paths: list[Path], runs: int) -> tuple[float, float, int]:
    """Best wall and CPU seconds over ``runs`` passes of score_file on every path (after one
    pass that warms the process: imports, shipped code lists and schemas), and the findings."""
    for path in paths:
        score_file(path)
    best = cpu = float("inf")
    findings = 0
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        findings = 0
        for path in paths:
            findings += sum(len(s.findings) for s in score_file(path))
        best = min(best, time.perf_counter() - start)
        cpu = min(cpu, time.process_time() - start_cpu)
    return best, cpu, findings


def report(size: int, wall: float, cpu: float, what: str) -> None:
    # CPU time as well as wall time: on a shared machine the wall clock also counts the
    # time the process waited for a core.
    print(
        f"{size / 1e6:.2f} MB in {wall:.3f} s wall / {cpu:.3f} s CPU: "
        f"{size / 1e6 / wall:.1f} MB/s wall, {size / 1e6 / cpu:.1f} MB/s CPU ({what})"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=float, default=20)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--encoding", default="utf-8", help="utf-8 (default) or cp932")
    parser.add_argument(
        "--fixtures", action="store_true", help="time the real files of shared/fixtures/csv-ja"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.fixtures:
            source = fixture_dir()
            originals = sorted(source.glob("*.csv"))
            if not originals:
                raise SystemExit(f"no CSV fixtures in {source} (set RENKEI_SHARED_DIR)")
            paths = [Path(shutil.copy(path, tmp)) for path in originals]
            size = sum(path.stat().st_size for path in paths)
            wall, cpu, findings = timed(paths, args.runs)
            report(size, wall, cpu, f"{len(paths)} fixture files, {findings} findings")
            return
        path = Path(tmp) / "bench.csv"
        size = generate(path, args.mb, args.encoding)
        wall, cpu, findings = timed([path], args.runs)
        report(size, wall, cpu, f"{findings} findings, {args.encoding}")


if __name__ == "__main__":
    main()
