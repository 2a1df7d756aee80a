"""Search benchmark: generate (or reuse) a catalog, load it into Renkei and the peers, run the
query mix (a warm-up pass, then a timed pass) and print latencies side by side.

    python -m bench.search.run --datasets 1500000 --work-dir /tmp/renkei-bench \\
        [--seed 1] [--peers groonga,postgres] [--reuse] [--json FILE]

Each engine runs in its own child process (so its peak RSS is its own); the peers start their
own servers on 127.0.0.1 and stop them when done. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.search import generate
from bench.search import queries as Q
from bench.search import vocab as V
from bench.search.engines import Engine, engine_class, log
from bench.search.measure import (
    outcomes_json,
    peak_rss_bytes,
    proc_peak_rss,
    reset_peak_rss,
    run_pass,
    summarise,
)

CLASSES = list(Q.CLASS_SIZES)


def _queries(work: Path, gen: generate.Generator, n: int, reuse: bool, text: str) -> list[Q.Query]:
    """The timed mix (``queries.json``) and the warm-up mix (``queries-warmup.json``)."""
    path = work / "queries.json"
    warm_path = work / "queries-warmup.json"
    meta_path = work / "queries.meta.json"
    want = generate.data_meta(n, gen.seed, gen.vocab) | {"text": text, "mix": Q.MIX_VERSION}
    if (
        reuse
        and path.exists()
        and warm_path.exists()
        and meta_path.exists()
        and json.loads(meta_path.read_text("utf-8")) == want
    ):
        return Q.load(path)
    started = time.perf_counter()
    sample = Q.take_sample(gen, n)
    mix = Q.build_queries(gen, n, sample)
    Q.save(mix, path)
    Q.save(Q.build_queries(gen, n, sample, salt=":warmup"), warm_path)
    meta_path.write_text(json.dumps(want), "utf-8")
    log(f"query mix: {len(mix)} queries in {time.perf_counter() - started:.1f} s -> {path}")
    return mix


# -- one engine, in a child process ----------------------------------------------------------


def text_fingerprint(data_dir: Path) -> str:
    """Digest of the search text of the first datasets: changes when Renkei's text analysis
    (``search_columns``/``normalize``) changes, so data loaded before is not reused."""
    import hashlib
    import itertools

    from renkei.search.index import search_columns

    orgs = {o["id"]: o for o in generate.read_orgs(data_dir)}
    digest = hashlib.sha256()
    for ds in itertools.islice(generate.read_datasets(data_dir), 200):
        for part in search_columns(ds, orgs.get(ds["owner_org"])):
            digest.update(part.encode())
    return digest.hexdigest()[:16]


def worker(args: argparse.Namespace) -> None:
    work: Path = args.work_dir
    data_dir = work / "data"
    data_meta = json.loads((data_dir / "meta.json").read_text("utf-8"))
    want = {k: data_meta[k] for k in ("datasets", "seed", "generator_version", "vocabulary")}
    want["text"] = text_fingerprint(data_dir)
    name, _, variant = args.worker.partition(":")
    options = {"renkei_search": variant or None}
    engine = engine_class(name)(work / name, data_dir, options)
    mix = Q.load(work / "queries.json")
    warm_mix = Q.load(work / "queries-warmup.json")
    result: dict[str, Any] = {"engine": args.worker, "label": engine.label}
    result["loadavg_start"] = _load()

    # A stopped run still stops the peer's server (SIGTERM runs the ``finally`` below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        _prepare(engine, args, want, result)
        _measure(engine, args, mix, warm_mix, result)
    finally:
        engine.stop()
    result["peak_rss"] = proc_peak_rss(os.getpid()) or peak_rss_bytes()
    result["loadavg_end"] = _load()
    args.result.write_text(json.dumps(result, ensure_ascii=False), "utf-8")


def _prepare(engine: Engine, args: argparse.Namespace, want: dict, result: dict) -> None:
    """Load and index, or find both done by an earlier run (``--reuse``)."""
    tag = result["engine"]
    state = engine.read_state()
    fresh = not (args.reuse and state and state.get("data") == want and state.get("complete"))
    if fresh:
        log(f"{tag}: loading {want['datasets']:,} datasets into {engine.root}")
        engine.wipe()
        engine.start()
        load_figures = engine.load()
        log(f"{tag}: loaded in {load_figures['seconds']:.1f} s")
        state = {"data": want, "complete": True, "load": load_figures, "indexes": {}}
        engine.write_state(state)
        result["reused"] = False
    else:
        log(f"{tag}: reusing the data loaded in {engine.root}")
        engine.start()
        result["reused"] = True
    assert state is not None
    result["load"] = state["load"]
    key = engine.index_key()
    if key in state.get("indexes", {}):
        result["index"] = state["indexes"][key]
    else:
        log(f"{tag}: building the index ({key})")
        result["index"] = engine.build_index()
        log(f"{tag}: index built in {result['index']['seconds']:.1f} s")
        state.setdefault("indexes", {})[key] = result["index"]
        engine.write_state(state)
    result["label"] = engine.label
    # Peaks of the query phase alone (loading and indexing can take more memory).
    result["peak_rss_before_queries"] = proc_peak_rss(os.getpid())
    result["server_peak_rss_before_queries"] = engine.server_peak_rss()
    reset_peak_rss()
    engine.reset_server_peak_rss()


def _measure(
    engine: Engine,
    args: argparse.Namespace,
    mix: list[Q.Query],
    warm_mix: list[Q.Query],
    result: dict,
) -> None:
    """The warm-up pass, then the timed pass; sizes and the server's peak memory."""
    tag = result["engine"]
    result["describe"] = engine.describe()
    warm = warm_mix
    if args.warmup == "short":
        warm = [q for q in warm_mix if int(q.qid[1:]) <= 3]
    if args.warmup != "none":
        log(f"{tag}: warm-up pass ({len(warm)} queries)")
        started = time.perf_counter()
        run_pass(engine, warm, budget=args.budget, log=log, keep_results=False)
        result["warmup_seconds"] = round(time.perf_counter() - started, 1)
    log(f"{tag}: timed pass ({len(mix)} queries)")
    started = time.perf_counter()
    outcomes = run_pass(engine, mix, budget=args.budget, log=log)
    result["timed_seconds"] = round(time.perf_counter() - started, 1)
    result["classes"] = summarise(outcomes, CLASSES)
    result["outcomes"] = outcomes_json(outcomes)
    result["size_bytes"] = engine.size_bytes()
    result["server_peak_rss"] = engine.server_peak_rss()


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


# -- the whole run ---------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="Renkei search benchmark", formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--datasets", type=int, default=1_500_000, help="catalog size N")
    parser.add_argument("--work-dir", type=Path, default=Path("/tmp/renkei-bench"))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--peers", default="groonga,postgres", help="comma-separated: groonga,postgres or none"
    )
    parser.add_argument("--reuse", action="store_true", help="keep data already loaded")
    parser.add_argument("--json", type=Path, default=None, help="write all figures here")
    parser.add_argument(
        "--warmup",
        choices=("full", "short", "none"),
        default="full",
        help="warm-up pass: a whole warm-up mix (default), 3 of its queries per class, or none",
    )
    parser.add_argument(
        "--budget",
        type=float,
        default=None,
        help="seconds per class and pass; a class over it skips its remaining queries",
    )
    parser.add_argument(
        "--renkei-search",
        default=None,
        help="Renkei search backends to run, comma-separated (e.g. tantivy,sql); "
        "default: the node's default. The first one is the base of the ratios.",
    )
    parser.add_argument("--fixtures", type=Path, default=None, help="shared/fixtures folder")
    parser.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument(
        "--render", type=Path, default=None, help="print the table of a --json file and exit"
    )
    args = parser.parse_args(argv)
    if args.render:
        saved = json.loads(args.render.read_text("utf-8"))
        print(render(saved))
        return
    args.work_dir = args.work_dir.resolve()
    if args.worker:
        worker(args)
        return

    work: Path = args.work_dir
    work.mkdir(parents=True, exist_ok=True)
    os.chmod(work, 0o755)  # the PostgreSQL server runs as another user and needs to get in
    peers = [p for p in args.peers.split(",") if p and p != "none"]
    vocab = V.load_vocabulary(args.fixtures or V.default_fixtures())
    data_dir = work / "data"
    report: dict[str, Any] = {
        "datasets": args.datasets,
        "seed": args.seed,
        "vocabulary": vocab.digest,
        "machine": _machine(),
        "started": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        "options": {"warmup": args.warmup, "budget": args.budget, "reuse": args.reuse},
        "engines": {},
        "skipped": {},
    }
    if args.reuse and generate.is_current(data_dir, args.datasets, args.seed, vocab):
        log(f"data: reusing {data_dir}")
        report["generate"] = json.loads((data_dir / "meta.json").read_text("utf-8"))
    else:
        log(f"data: generating {args.datasets:,} datasets (seed {args.seed}) into {data_dir}")
        report["generate"] = generate.write(data_dir, args.datasets, args.seed, vocab)
    report["generate"].pop("sources", None)
    gen = generate.Generator(args.seed, vocab)
    mix = _queries(work, gen, args.datasets, args.reuse, text_fingerprint(data_dir))
    report["queries"] = len(mix)

    variants = [v for v in (args.renkei_search or "").split(",") if v]
    renkeis = [f"renkei:{v}" for v in variants] or ["renkei"]
    loaded_renkei = False
    for name in [*renkeis, *peers]:
        why = engine_class(name.partition(":")[0]).missing()
        if why:
            log(f"{name}: skipped: {why}")
            report["skipped"][name] = why
            continue
        result_path = work / f"result-{name.replace(':', '-')}.json"
        result_path.unlink(missing_ok=True)
        cmd = [sys.executable, "-m", "bench.search.run", "--worker", name, "--result"]
        cmd += [str(result_path), "--work-dir", str(work), "--warmup", args.warmup]
        if args.reuse or (name.startswith("renkei") and loaded_renkei):
            cmd.append("--reuse")  # Renkei's backends share one loaded node
        if args.budget is not None:
            cmd += ["--budget", str(args.budget)]
        started = time.perf_counter()
        code = subprocess.call(cmd, cwd=Path(__file__).resolve().parents[2])
        if code != 0 or not result_path.exists():
            log(f"{name}: failed (exit {code})")
            report["skipped"][name] = f"failed (exit {code}); see the log above"
            continue
        result = json.loads(result_path.read_text("utf-8"))
        result["wall_seconds"] = round(time.perf_counter() - started, 1)
        report["engines"][name] = result
        loaded_renkei = loaded_renkei or name.startswith("renkei")

    report["finished"] = time.strftime("%Y-%m-%d %H:%M:%S %z")
    text = render(report)
    print(text)
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1), "utf-8")
        log(f"figures written to {args.json}")


def _machine() -> dict[str, Any]:
    mem = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = int(line.split()[1]) * 1024
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "memory_bytes": mem,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "loadavg": _load(),
    }


# -- the table -------------------------------------------------------------------------------


def _ms(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.1f}" if value < 10 else f"{value:,.0f}"


def _size(n: int | None) -> str:
    if n is None:
        return "-"
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:,.0f} {unit}" if unit == "B" else f"{n:,.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return str(n)


def _ratio(peer: float | None, base: float | None) -> str:
    if peer is None or base is None or base == 0:
        return "-"
    return f"{peer / base:.2f}x"


def _agreement(base: dict[str, Any], other: dict[str, Any], cls: str) -> str:
    """How many queries of a class found the same number of datasets as Renkei."""
    mine = {o["qid"]: o["count"] for o in base["outcomes"] if o["cls"] == cls}
    theirs = {o["qid"]: o["count"] for o in other["outcomes"] if o["cls"] == cls}
    both = [q for q in mine if mine[q] is not None and theirs.get(q) is not None]
    if not both:
        return "-"
    same = sum(mine[q] == theirs[q] for q in both)
    return f"{same}/{len(both)}"


def render(report: dict[str, Any]) -> str:
    engines = report["engines"]
    names = list(engines)
    lines = []
    m = report["machine"]
    lines.append(
        f"Renkei search benchmark: {report['datasets']:,} datasets, seed {report['seed']}, "
        f"{report['queries']} queries; warm-up {report['options']['warmup']}, then one timed pass"
    )
    lines.append(
        f"machine: {m['cpus']} CPUs, {_size(m['memory_bytes'])}, Python {m['python']}, "
        f"load average at start {m['loadavg']}"
    )
    for name, why in report["skipped"].items():
        lines.append(f"{name}: not run: {why}")
    if not names:
        return "\n".join(lines)
    width = 27
    head = f"{'':34}" + "".join(f"{engines[n]['label'][: width - 2]:>{width}}" for n in names)
    lines += ["", head]

    def row(title: str, values: list[str]) -> None:
        lines.append(f"{title:34}" + "".join(f"{v:>{width}}" for v in values))

    gen = report.get("generate", {})
    row("generate (once, shared)", [f"{gen.get('seconds', 0):.0f} s"] + [""] * (len(names) - 1))
    loads = []
    for n in names:
        ld = engines[n]["load"]
        rate = ld.get("datasets_per_second")
        reused = " (reused)" if engines[n].get("reused") else ""
        loads.append(f"{ld['seconds']:,.0f} s{reused}" + (f", {rate:,.0f}/s" if rate else ""))
    row("load (datasets/s)", loads)
    row(
        "index",
        [
            "none built" if engines[n]["index"].get("skipped") else
            f"{engines[n]['index']['seconds']:,.0f} s"
            for n in names
        ],
    )  # fmt: skip
    row(
        "load + index",
        [f"{engines[n]['load']['seconds'] + engines[n]['index']['seconds']:,.0f} s" for n in names],
    )
    row("database + index on disk", [_size(engines[n].get("size_bytes")) for n in names])
    for title, key in (
        ("peak RSS load+index: process", "peak_rss_before_queries"),
        ("peak RSS load+index: server", "server_peak_rss_before_queries"),
        ("peak RSS queries: process", "peak_rss"),
        ("peak RSS queries: server", "server_peak_rss"),
    ):
        row(title, [_size(engines[n].get(key)) for n in names])
    row("timed pass, whole mix", [f"{engines[n].get('timed_seconds', 0):,.1f} s" for n in names])
    lines.append("")
    lines.append(
        "latency in ms, p50 / p95 / p99 (client side; Renkei in-process, peers over loopback)"
    )
    lines.append(
        f"{'class':34}"
        + "".join(f"{engines[n]['label'][:width - 2]:>{width}}" for n in names)
    )  # fmt: skip
    for cls in CLASSES:
        title = f"{cls} {Q.CLASS_NAMES[cls]} ({Q.CLASS_SIZES[cls]})"
        cells = []
        for n in names:
            c = engines[n]["classes"][cls]
            cell = f"{_ms(c['p50_ms'])} / {_ms(c['p95_ms'])} / {_ms(c['p99_ms'])}"
            if c["ran"] < c["queries"]:
                cell += f" [{c['ran']}]"
            cells.append(cell)
        row(title, cells)
    base_name = next((n for n in names if n.startswith("renkei")), None)
    base = engines.get(base_name) if base_name else None
    peers = [n for n in names if n != base_name]
    if base and peers:
        lines.append("")
        lines.append(
            f"ratio other / {base['label']} (above 1: {base['label']} is faster), p50 and p95; "
            "queries with the same hit count"
        )
        lines.append(
            f"{'class':34}" + "".join(f"{engines[n]['label'][: width - 2]:>{width}}" for n in peers)
        )
        for cls in CLASSES:
            b = base["classes"][cls]
            cells = []
            for n in peers:
                c = engines[n]["classes"][cls]
                cells.append(
                    f"{_ratio(c['p50_ms'], b['p50_ms'])} {_ratio(c['p95_ms'], b['p95_ms'])}"
                    f" {_agreement(base, engines[n], cls)}"
                )
            row(f"{cls} {Q.CLASS_NAMES[cls]}", cells)
    lines.append("")
    lines.append("median hits per class: " + "; ".join(
        f"{engines[n]['label']}: " + " ".join(
            f"{cls}={engines[n]['classes'][cls]['median_hits']}" for cls in CLASSES
        )
        for n in names
    ))  # fmt: skip
    notes = []
    for n in names:
        for cls in CLASSES:
            c = engines[n]["classes"][cls]
            for flag in c["flags"]:
                notes.append(f"{engines[n]['label']} class {cls}: {flag}")
            if c["error_count"]:
                notes.append(
                    f"{engines[n]['label']} class {cls}: {c['error_count']} not run or failed, "
                    f"e.g. {c['errors'][0]}"
                )
    if notes:
        lines.append("")
        lines.extend(f"note: {x}" for x in notes)
    loads_seen = [engines[n].get("loadavg_end") for n in names]
    lines.append(f"load average after each engine: {loads_seen}")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
