"""Link checks against a real HTTP server on loopback: HEAD then ranged GET, redirects,
timeouts, content type and size against the metadata, per-host spacing, and the refusal of
private targets."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from renkei.outbound import forbidden_address
from renkei.quality.links import LinkChecker, LinkResult, link_findings

CSV = "名称,住所\n高松市役所,番町1-8-15\n".encode() * 100


class Handler(BaseHTTPRequestHandler):
    seen: list[tuple[str, str, str | None]] = []

    def log_message(self, *args: object) -> None:  # quiet
        pass

    def _answer(self, body: bool) -> None:
        Handler.seen.append((self.command, self.path, self.headers.get("Range")))
        path = self.path
        if path == "/data.csv":
            self._file(CSV, "text/csv; charset=utf-8", body)
        elif path == "/page.csv":
            self._file(b"<html><body>see the portal</body></html>", "text/html", body)
        elif path == "/nohead.csv":
            if self.command == "HEAD":
                self.send_response(405)
                self.end_headers()
            else:
                self._file(CSV, "text/csv", body)
        elif path == "/moved":
            self.send_response(301)
            self.send_header("Location", "/data.csv")
            self.end_headers()
        elif path == "/loop":
            self.send_response(302)
            self.send_header("Location", "/loop")
            self.end_headers()
        elif path == "/slow":
            time.sleep(0.6)
            self._file(CSV, "text/csv", body)
        else:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()

    def _file(self, content: bytes, content_type: str, body: bool) -> None:
        wanted = self.headers.get("Range")
        if wanted and self.command == "GET":
            start, end = (int(x) for x in wanted.removeprefix("bytes=").split("-"))
            part = content[start : end + 1]
            self.send_response(206)
            self.send_header(
                "Content-Range", f"bytes {start}-{start + len(part) - 1}/{len(content)}"
            )
            content_out = part
        else:
            self.send_response(200)
            content_out = content
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(content_out)))
        self.end_headers()
        if body:
            self.wfile.write(content_out)

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer(body=False)

    def do_GET(self) -> None:  # noqa: N802
        self._answer(body=True)


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    Handler.seen = []
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def checker() -> Iterator[LinkChecker]:
    with LinkChecker(allow_private=True, timeout=1.0, host_interval=0) as c:
        yield c


def test_head_then_ranged_get_reads_type_size_and_first_bytes(
    server: str, checker: LinkChecker
) -> None:
    result = checker.check(f"{server}/data.csv")
    assert result.ok and result.status == 206
    assert result.content_type == "text/csv; charset=utf-8"
    assert result.size == len(CSV)  # from Content-Range, not the part
    assert result.head == CSV[: 64 * 1024]
    assert [(m, p) for m, p, _ in Handler.seen] == [("HEAD", "/data.csv"), ("GET", "/data.csv")]
    assert Handler.seen[1][2] == "bytes=0-65535"
    assert link_findings({"id": "r", "format": "CSV", "size": len(CSV)}, result) == []


def test_head_only_when_the_content_is_not_wanted(server: str, checker: LinkChecker) -> None:
    result = checker.check(f"{server}/data.csv", read_head=False)
    assert result.ok and result.method == "HEAD" and result.size == len(CSV)
    assert [m for m, _, _ in Handler.seen] == ["HEAD"]


def test_a_server_refusing_head_is_checked_with_get(server: str, checker: LinkChecker) -> None:
    result = checker.check(f"{server}/nohead.csv", read_head=False)
    assert result.ok and result.method == "GET"


def test_missing_file_is_broken(server: str, checker: LinkChecker) -> None:
    result = checker.check(f"{server}/gone.csv")
    assert not result.ok and result.status == 404 and result.error == "HTTP 404"
    findings = link_findings({"id": "r", "name": "AED"}, result)
    assert [f.rule for f in findings] == ["links.broken"]
    assert findings[0].severity == "error"
    assert "HTTP 404" in findings[0].message and "HTTP 404" in findings[0].message_ja


def test_redirects_are_followed_and_reported(server: str, checker: LinkChecker) -> None:
    result = checker.check(f"{server}/moved")
    assert result.ok
    assert result.final_url == f"{server}/data.csv"
    assert result.redirects == [f"{server}/data.csv"]
    assert [f.rule for f in link_findings({"id": "r", "format": "CSV"}, result)] == [
        "links.redirected"
    ]


def test_a_redirect_loop_ends(server: str, checker: LinkChecker) -> None:
    result = checker.check(f"{server}/loop")
    assert not result.ok and result.error == "more than 5 redirects"


def test_a_slow_server_times_out(server: str) -> None:
    with LinkChecker(allow_private=True, timeout=0.2, host_interval=0) as impatient:
        result = impatient.check(f"{server}/slow", read_head=False)
    assert not result.ok and result.error == "timed out"


def test_served_type_against_declared_format(server: str, checker: LinkChecker) -> None:
    result = checker.check(f"{server}/page.csv")
    findings = link_findings({"id": "r", "format": "CSV"}, result)
    assert [f.rule for f in findings] == ["links.content-type"]
    assert "text/html" in findings[0].message
    # A GeoJSON file served as application/json is fine (same family).
    geo = LinkResult(url="u", ok=True, status=200, content_type="application/json")
    assert link_findings({"id": "r", "format": "GeoJSON"}, geo) == []


def test_served_size_against_declared_size(server: str, checker: LinkChecker) -> None:
    result = checker.check(f"{server}/data.csv")
    findings = link_findings({"id": "r", "format": "CSV", "size": 10}, result)
    assert [f.rule for f in findings] == ["links.size"]


def test_requests_to_one_host_are_spaced(server: str) -> None:
    with LinkChecker(allow_private=True, host_interval=0.3) as slow:
        started = time.monotonic()
        slow.check(f"{server}/data.csv", read_head=False)
        slow.check(f"{server}/data.csv", read_head=False)
        slow.check(f"{server}/data.csv", read_head=False)
        assert time.monotonic() - started >= 0.6


def test_loopback_is_refused_by_default(server: str) -> None:
    with LinkChecker(host_interval=0) as strict:
        result = strict.check(f"{server}/data.csv")
    assert not result.ok and result.status is None
    assert result.error is not None and "loopback" in result.error
    assert Handler.seen == []  # nothing was sent
    assert [f.rule for f in link_findings({"id": "r"}, result)] == ["links.refused"]


def test_a_redirect_to_a_private_address_is_refused() -> None:
    # The public host redirects to a private one: every hop is checked again.
    answers = {"public.example": ["93.184.215.14"], "intranet.example": ["10.0.0.5"]}
    with LinkChecker(host_interval=0, resolver=lambda host, port: answers[host]) as strict:
        strict.guard("http://public.example/data.csv")  # allowed
        with pytest.raises(Exception, match="private address"):
            strict.guard("http://intranet.example/data.csv")


def test_every_resolved_address_must_be_public() -> None:
    mixed = ["93.184.215.14", "127.0.0.1"]
    with LinkChecker(host_interval=0, resolver=lambda host, port: mixed) as strict:
        result = strict.check("http://rebinding.example/data.csv")
    assert result.error is not None and "loopback" in result.error


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("192.168.0.10", "private"),
        ("172.16.5.4", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("::ffff:127.0.0.1", "loopback"),
        ("100.64.0.1", "non-global"),  # shared address space (CGNAT)
        ("0.0.0.0", "private"),
        ("224.0.0.1", "multicast"),
        ("93.184.215.14", None),
        ("2001:4860:4860::8888", None),
    ],
)
def test_forbidden_addresses(address: str, reason: str | None) -> None:
    assert forbidden_address(address) == reason


def test_only_http_and_https() -> None:
    with LinkChecker(allow_private=True) as c:
        assert c.check("file:///etc/passwd").error == "refused: unsupported URL scheme 'file'"
        assert c.check("ftp://example.org/a.csv").error.startswith("refused")  # type: ignore[union-attr]


def test_results_round_trip_without_the_content(tmp_path: Path) -> None:
    result = LinkResult(url="u", ok=True, status=200, head=b"abc", redirects=["v"])
    data = result.as_dict()
    assert "head" not in data
    assert LinkResult.from_dict(data).redirects == ["v"]
