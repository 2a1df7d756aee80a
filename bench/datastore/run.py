"""DataStore figures: load throughput (UTF-8 and CP932) next to raw DuckDB and PostgreSQL COPY,
and datastore_search latency on a 10-million-row table.

    .venv/bin/python -m bench.datastore.run --sizes 100,1000 --work-dir /tmp/renkei-ds-bench
    .venv/bin/python -m bench.datastore.run --sizes 100 --search-rows 1000000 --no-postgres

Load (per size, per encoding): Renkei's whole load as the background job runs it — inspecting
the file (``renkei.ingest.inspect_file``) and converting every column into a Parquet version
(``renkei.datastore.load``) — with the peak RSS of the process. Raw DuckDB: ``COPY (SELECT *
FROM read_csv(file)) TO parquet`` on the same UTF-8 file (DuckDB's own type detection; the
practical limit of this machine). PostgreSQL COPY: what CKAN's XLoader does — ``COPY`` of the
UTF-8 file into a table of text columns — on a cluster the bench starts itself. Each load runs
``--repeat`` times (raw, UTF-8 and CP932 alternated) and the run with the median wall time is
reported; the peak RSS is the process's over all runs.

Search: a table of N rows (default 10 million) written straight to a DataStore version, then
``datastore_search`` through the service (no HTTP) with a filter on a low-cardinality column
and a sort on another, over random filter values: p50/p95/p99 of 200 queries after 20 warm-ups.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import statistics
import time
from pathlib import Path
from typing import Any

from bench.datastore.generate import write_cp932, write_utf8


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def renkei_load(path: Path, work: Path) -> dict[str, Any]:
    """Renkei's background load of ``path``: the table is ready (rows typed, queryable) at
    ``seconds``; for a sampled large file the whole-file problem scan ends ``report_s`` later."""
    from renkei.config import Settings
    from renkei.datastore.engine import Engine
    from renkei.datastore.load import inspect_and_load

    settings = Settings(data_dir=work / "node")
    settings.ensure_dirs()
    (settings.datastore_dir / "spill").mkdir(parents=True, exist_ok=True)
    target = work / "renkei.duckdb"
    started, cpu = time.perf_counter(), time.process_time()
    ready_cpu: list[float] = []

    def ready(inspection: Any, loaded: Any) -> None:
        ready_cpu.append(time.process_time())
        return None  # the bench publishes nothing: the file stays where it is

    with Engine(settings).isolated(memory_limit=settings.datastore_load_memory_limit) as con:
        inspection, loaded, timings = inspect_and_load(
            con, path, path.name, None, target, settings.data_dir / "tmp", on_loaded=ready
        )
    total = time.perf_counter() - started
    seconds = timings["ready"]
    size = path.stat().st_size / 1e6
    target.unlink(missing_ok=True)
    return {
        "seconds": round(seconds, 2),
        "mb_per_s": round(size / seconds, 1),
        "cpu_s": round((ready_cpu[0] if ready_cpu else time.process_time()) - cpu, 2),
        "rows": loaded.row_count,
        "encoding": inspection.encoding,
        "inspect_s": round(timings["inspect"], 2),
        "convert_s": round(timings["convert"], 2),
        "report_s": round(timings["report"], 2),
        "with_report_s": round(total, 2),
        "types": {f.id: f.type for f in loaded.fields},
        "problems": len(loaded.problems) + len(inspection.problems),
        "peak_rss_mb": round(_rss_mb()),
    }


def duckdb_raw(path: Path, work: Path) -> dict[str, Any]:
    """DuckDB's own auto-typed ``read_csv`` of the file, into Parquet (the bench's reference)
    and into a DuckDB table file (what Renkei writes), 2 threads each."""
    import duckdb

    result: dict[str, Any] = {}
    for label, target in (("parquet", work / "raw.parquet"), ("table", work / "raw.duckdb")):
        target.unlink(missing_ok=True)
        con = duckdb.connect(config={"threads": 2})
        started, cpu = time.perf_counter(), time.process_time()
        if label == "parquet":
            con.execute(f"COPY (SELECT * FROM read_csv('{path}')) TO '{target}' (FORMAT parquet)")
        else:
            con.execute(f"ATTACH '{target}' AS raw")
            con.execute(f"CREATE TABLE raw.t AS SELECT * FROM read_csv('{path}')")
            con.execute("DETACH raw")
        seconds = time.perf_counter() - started
        cpu_s = time.process_time() - cpu
        con.close()
        target.unlink(missing_ok=True)
        mb_per_s = round(path.stat().st_size / 1e6 / seconds, 1)
        if label == "parquet":  # the reference figures keep their names
            result.update(seconds=round(seconds, 2), mb_per_s=mb_per_s, cpu_s=round(cpu_s, 2))
        else:
            result["table"] = {"seconds": round(seconds, 2), "mb_per_s": mb_per_s,
                               "cpu_s": round(cpu_s, 2)}  # fmt: skip
    return result


def postgres_copy(path: Path, work: Path, columns: list[str]) -> dict[str, Any]:
    from bench.search.peers.postgres import PostgresEngine

    missing = PostgresEngine.missing()
    if missing:
        return {"skipped": missing}
    engine = PostgresEngine(work / "postgres", work, {})
    engine.start()
    try:
        path.chmod(0o644)
        definition = ", ".join(f'"{c}" text' for c in columns)
        engine.sql("DROP TABLE IF EXISTS loaded")
        engine.sql(f"CREATE TABLE loaded ({definition})")
        started = time.perf_counter()
        engine.sql(f"COPY loaded FROM '{path}' WITH (FORMAT csv, HEADER true)")
        seconds = time.perf_counter() - started
        rows = int(engine.sql("SELECT count(*) FROM loaded")[0][0])
    finally:
        engine.stop()
    return {
        "seconds": round(seconds, 2),
        "mb_per_s": round(path.stat().st_size / 1e6 / seconds, 1),
        "rows": rows,
        "label": engine.label,
    }


def search_bench(rows: int, work: Path, queries: int = 200) -> dict[str, Any]:
    import duckdb

    from renkei.api.app import build_catalog
    from renkei.catalog import groups, packages, resources, users
    from renkei.config import Settings
    from renkei.datastore.service import datastore_search
    from renkei.store.tables import DatastoreTable

    node = work / "search-node"
    shutil.rmtree(node, ignore_errors=True)
    settings = Settings(data_dir=node)
    catalog = build_catalog(settings)
    with catalog.context() as ctx:
        admin = users.create_user(ctx, "bench", sysadmin=True)
        ctx.user = admin
        groups.organization_create(ctx, {"name": "bench-org"})
        pkg = packages.package_create(ctx, {"name": "big-table", "owner_org": "bench-org"})
        res = resources.resource_create(ctx, {"package_id": pkg["id"], "url": "http://x/t"})
    rid = res["id"]
    store = catalog.datastore
    assert store is not None
    target = store.files.path(rid, 1)
    target.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    con = duckdb.connect(config={"threads": 2})
    con.execute(f"ATTACH '{target}' AS bench")
    con.execute(
        f"""CREATE TABLE bench.t AS (SELECT i AS _id, 'ward-' || (hash(i) % 50) AS ward,
                   (hash(i * 7) % 100000) AS visitors,
                   DATE '2000-01-01' + (hash(i) % 9000)::INT AS day,
                   'facility ' || i AS name
            FROM range(1, {rows} + 1) t(i))"""
    )
    con.close()
    build_s = time.perf_counter() - started
    fields = [
        {"id": "ward", "type": "text"},
        {"id": "visitors", "type": "int"},
        {"id": "day", "type": "date"},
        {"id": "name", "type": "text"},
    ]
    with catalog.context() as ctx:
        ctx.session.add(
            DatastoreTable(
                resource_id=rid, source="api", status="active", version=1, row_ids="stored",
                fields=fields, row_count=rows, modified=__import__("datetime").datetime.now(),
            )
        )  # fmt: skip
    rng = random.Random(1)

    def one() -> float:
        data = {
            "resource_id": rid,
            "filters": {"ward": f"ward-{rng.randrange(50)}"},
            "sort": "visitors desc",
            "limit": 100,
        }
        begin = time.perf_counter()
        with catalog.context(admin.id, write=False) as ctx:
            result = datastore_search(ctx, data)
        elapsed = (time.perf_counter() - begin) * 1000
        assert len(result["records"]) == 100 and result["total"] > 0
        return elapsed

    for _ in range(20):
        one()
    times = sorted(one() for _ in range(queries))
    return {
        "rows": rows,
        "build_s": round(build_s, 1),
        "query": "filters={ward: ward-N} (50 values), sort='visitors desc', limit=100, total",
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[int(0.95 * len(times)) - 1], 1),
        "p99_ms": round(times[int(0.99 * len(times)) - 1], 1),
    }


def median_of(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median wall time (one run's figures, never a mix of runs)."""
    return sorted(runs, key=lambda run: run["seconds"])[len(runs) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="100,1000", help="CSV sizes in MB")
    parser.add_argument("--work-dir", type=Path, default=Path("/tmp/renkei-ds-bench"))
    parser.add_argument("--search-rows", type=int, default=10_000_000)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of each load; the median run is reported"
    )
    args = parser.parse_args()
    work: Path = args.work_dir
    work.mkdir(parents=True, exist_ok=True)
    figures: dict[str, Any] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.platform()}",
        "loads": [],
    }
    print(f"machine: {figures['machine']}")
    for megabytes in (int(s) for s in args.sizes.split(",") if s):
        utf8 = work / f"table-{megabytes}mb.utf8.csv"
        cp932 = work / f"table-{megabytes}mb.cp932.csv"
        if not utf8.exists():
            write_utf8(utf8, megabytes)
            write_cp932(utf8, cp932)
        size = utf8.stat().st_size / 1e6
        entry: dict[str, Any] = {"megabytes": round(size)}
        # Alternated, so that a slow spell of a shared machine hits both sides alike.
        raw_runs, utf8_runs, cp932_runs = [], [], []
        for _ in range(args.repeat):
            raw_runs.append(duckdb_raw(utf8, work))
            utf8_runs.append(renkei_load(utf8, work))
            cp932_runs.append(renkei_load(cp932, work))
        entry["duckdb_raw"] = dict(median_of(raw_runs))
        entry["duckdb_raw"]["table"] = median_of([run["table"] for run in raw_runs])
        entry["renkei_utf8"] = median_of(utf8_runs)
        entry["renkei_cp932"] = median_of(cp932_runs)
        entry["runs"] = args.repeat
        if not args.no_postgres:
            header = utf8.open(encoding="utf-8").readline().strip().split(",")
            entry["postgres_copy"] = postgres_copy(utf8, work, header)
        ours, raw = entry["renkei_utf8"], entry["duckdb_raw"]
        entry["utf8_vs_raw_duckdb"] = round(ours["mb_per_s"] / raw["mb_per_s"], 2)
        entry["utf8_vs_raw_duckdb_table"] = round(ours["mb_per_s"] / raw["table"]["mb_per_s"], 2)
        # CPU seconds are steadier than wall time on a shared machine.
        entry["utf8_vs_raw_duckdb_cpu"] = round(raw["cpu_s"] / ours["cpu_s"], 2)
        figures["loads"].append(entry)
        print(json.dumps(entry, ensure_ascii=False, indent=1))
    if args.search_rows:
        figures["search"] = search_bench(args.search_rows, work)
        print(json.dumps(figures["search"], indent=1))
    if args.json:
        args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
