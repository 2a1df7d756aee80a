"""Outbound fetches connect to the very address they checked: the host is resolved once per
connection (``renkei.outbound``), so a DNS answer that changes after the check (rebinding)
can't lead a fetch into the node's network."""

from __future__ import annotations

import contextlib
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from renkei.errors import RenkeiError
from renkei.ingest.fetch import fetch
from renkei.quality.links import LinkChecker

PUBLIC = "93.184.215.14"


@pytest.fixture
def server() -> Iterator[tuple[int, list[str]]]:
    """A loopback server that records the Host header of every request."""
    hosts: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hosts.append(self.headers.get("Host", ""))
            body = b"a,b\n1,2\n"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_HEAD = do_GET

        def log_message(self, *args: Any) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd.server_address[1], hosts
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_the_connection_goes_to_the_resolved_address_with_the_host_name_kept(
    server, tmp_path: Path
) -> None:
    port, hosts = server
    # "data.example" exists only in this resolver: the request can only reach the server
    # through the address the guard resolved (and would have checked).
    fetched = fetch(
        f"http://data.example:{port}/x.csv",
        tmp_path,
        max_bytes=1000,
        allow_private=True,
        resolver=lambda host, p: ["127.0.0.1"] if host == "data.example" else [],
    )
    assert fetched.path.read_bytes() == b"a,b\n1,2\n"
    assert hosts == [f"data.example:{port}"]


def test_a_second_dns_answer_is_never_used(server, tmp_path: Path) -> None:
    port, hosts = server
    answers = [[PUBLIC], ["127.0.0.1"]]
    calls: list[str] = []

    def rebinding(host: str, p: int) -> list[str]:
        calls.append(host)
        return answers[min(len(calls), 2) - 1]

    # The connection goes to the public address that was checked (it may or may not answer
    # from here); what matters is that loopback, the second answer, is never reached.
    with contextlib.suppress(RenkeiError):
        fetch(f"http://rebind.example:{port}/x.csv", tmp_path, max_bytes=1000, timeout=2,
              resolver=rebinding)  # fmt: skip
    assert calls == ["rebind.example"]
    assert hosts == []


def test_the_link_checker_refuses_an_answer_that_changed_after_its_check(server) -> None:
    port, hosts = server
    answers = [[PUBLIC], ["127.0.0.1"]]
    calls: list[str] = []

    def rebinding(host: str, p: int) -> list[str]:
        calls.append(host)
        return answers[min(len(calls), 2) - 1]

    with LinkChecker(host_interval=0, resolver=rebinding) as checker:
        result = checker.check(f"http://rebind.example:{port}/data.csv", read_head=False)
    # guard() saw the public address; the connection resolved again, got loopback, refused.
    assert result.error is not None and "loopback" in result.error, result.error
    assert hosts == []
