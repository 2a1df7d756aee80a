"""Server time of the web pages on the demo catalog: p50/p95 per page.

Starts a node (uvicorn on 127.0.0.1, the demo catalog loaded into a fresh data dir), asks each
page N times over HTTP, and reads the server's own time for each answer: an ASGI wrapper
around the app measures from the request's arrival to the last byte of the response, so
the client's overhead is not counted. Target: <= 150 ms per page.

    .venv/bin/python -m bench.web.run                 # 50 requests per page
    .venv/bin/python -m bench.web.run --requests 200 --json /tmp/web-bench.json
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from renkei.api.app import build_catalog, create_app
from renkei.config import Settings
from renkei.demo import loader

TARGET_MS = 150.0
EDITOR = ("demo-editor", "demo-editor-password")
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
Scope = dict[str, Any]
Channel = Callable[..., Awaitable[Any]]
ASGI = Callable[[Scope, Channel, Channel], Awaitable[Any]]


class ServerTimer:
    """ASGI wrapper: seconds from a request's arrival to the end of its response body."""

    def __init__(self, app: ASGI) -> None:
        self.app = app
        self.times: dict[str, list[float]] = defaultdict(list)

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        label = scope.get("headers") and dict(scope["headers"]).get(b"x-bench-page")

        async def timed_send(message: dict[str, Any]) -> None:
            await send(message)
            finished = message["type"] == "http.response.body" and not message.get("more_body")
            if finished and label:
                self.times[label.decode()].append(time.perf_counter() - start)

        await self.app(scope, receive, timed_send)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _pages(client: httpx.Client) -> dict[str, str]:
    """Page name -> path, with ids looked up from the demo catalog."""
    aed = client.get("/dataset/takamatsu-evacuation-space.json").json()["dataset"]
    csv_id = next(r["id"] for r in aed["resources"] if r["format"] == "CSV")
    return {
        "home": "/",
        "search": "/dataset",
        "search q + facets": "/dataset?q=避難&organization=takamatsu-city&res_format=CSV",
        "dataset": "/dataset/takamatsu-evacuation-space",
        "resource (CSV preview)": f"/dataset/takamatsu-evacuation-space/resource/{csv_id}",
        "organization": "/organization/takamatsu-city",
        "dashboard": "/dashboard",
    }


def _log_in(client: httpx.Client) -> None:
    token = CSRF_RE.search(client.get("/user/login").text)
    assert token, "no CSRF token on the login page"
    answer = client.post(
        "/user/login",
        data={"username": EDITOR[0], "password": EDITOR[1], "csrf_token": token.group(1)},
    )
    assert answer.status_code in (200, 303), answer.status_code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=50, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests per page first")
    parser.add_argument("--data-dir", type=Path, help="node data dir (default: a temp dir)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="renkei-web-bench-") as tmp:
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        settings = Settings(data_dir=args.data_dir or Path(tmp) / "data", site_url=url)
        catalog = build_catalog(settings)
        started = time.perf_counter()
        loader.load(catalog)
        print(f"demo catalog loaded in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        timer = ServerTimer(create_app(settings, catalog))
        server = uvicorn.Server(
            uvicorn.Config(timer, host="127.0.0.1", port=port, log_level="warning")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.02)
        try:
            with httpx.Client(base_url=url, follow_redirects=True, timeout=30) as client:
                _log_in(client)  # every page as the editor: the dashboard needs it, and a
                # logged-in member sees the most (private datasets included)
                pages = _pages(client)
                for name, path in pages.items():
                    for i in range(args.warmup + args.requests):
                        label = name if i >= args.warmup else "warmup"
                        answer = client.get(path, headers={"x-bench-page": label})
                        if answer.status_code != 200:
                            raise SystemExit(f"{name}: {path} answered {answer.status_code}")
        finally:
            server.should_exit = True
            thread.join(timeout=10)

    rows = []
    for name in pages:
        ms = sorted(t * 1000 for t in timer.times[name])
        p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
        rows.append({"page": name, "n": len(ms), "p50_ms": statistics.median(ms), "p95_ms": p95})
    width = max(len(r["page"]) for r in rows)
    print(f"{'page':<{width}}  {'n':>4}  {'p50 ms':>8}  {'p95 ms':>8}")
    for r in rows:
        flag = "" if r["p95_ms"] <= TARGET_MS else f"  over {TARGET_MS:.0f} ms"
        print(f"{r['page']:<{width}}  {r['n']:>4}  {r['p50_ms']:>8.1f}  {r['p95_ms']:>8.1f}{flag}")
    if args.json:
        args.json.write_text(json.dumps({"target_ms": TARGET_MS, "pages": rows}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
