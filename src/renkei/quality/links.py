"""Link checks: does each resource URL answer, with what, and is it what the metadata says?

HEAD first, then a ranged GET (servers that refuse HEAD, and to read the first bytes for the
openness sniffing). Every hop of a redirect is checked again. Before any connection the host is
resolved and **every** address it resolves to must be a global one: private, loopback,
link-local, shared, reserved and multicast targets are refused unless the node allows them
(``RENKEI_FETCH_ALLOW_PRIVATE=true``, for tests and closed networks). Requests to one host are
spaced by ``link_check_host_interval`` seconds, so a scan never hammers a municipality's server.

The connection itself goes through ``renkei.outbound.guarded_transport``: the host is resolved
once more, checked again, and the socket connects to that checked address, so a DNS answer that
changes after the check (rebinding) can't lead the checker to another address.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from renkei import __version__
from renkei.config import Settings
from renkei.outbound import FetchRefused, forbidden_address, guarded_transport, system_resolver
from renkei.quality import vocab
from renkei.quality.findings import Finding, Location, Score, Severity

SNIFF_BYTES = 64 * 1024
MAX_REDIRECTS = 5
# Statuses after which a HEAD is retried as a ranged GET: many servers refuse or mishandle HEAD.
RETRY_AS_GET = {400, 403, 404, 405, 406, 500, 501, 503}
USER_AGENT = f"Renkei/{__version__} (open data catalog link checker)"

Resolver = Callable[[str, int], list[str]]

# Formats that legitimately travel under one another's media type (a GeoJSON file served as
# application/json, an XLSX as application/zip).
_FAMILIES = (
    {"JSON", "GEOJSON", "JSON_LD"},
    {"XML", "RDF_XML", "GML", "KML"},
    {"ZIP", "XLSX", "DOCX", "PPTX", "ODS", "ODT", "KMZ", "SHP"},
    {"CSV", "TSV", "TXT"},
)


@dataclass(frozen=True)
class _Answer:
    status: int
    headers: httpx.Headers
    body: bytes


@dataclass
class LinkResult:
    url: str
    ok: bool
    status: int | None = None
    final_url: str | None = None
    content_type: str | None = None
    size: int | None = None
    error: str | None = None
    redirects: list[str] = field(default_factory=list)
    method: str | None = None
    checked_at: float = field(default_factory=time.time)
    # The first bytes of the body, when a GET read them (not stored).
    head: bytes = field(default=b"", repr=False)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("head")
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LinkResult:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__ and k != "head"}
        return cls(**known)

    def describe(self) -> str:
        if self.error:
            return self.error
        return f"HTTP {self.status}"


class LinkChecker:
    """Checks URLs politely. One instance per scan; ``close()`` (or ``with``) when done."""

    def __init__(
        self,
        *,
        allow_private: bool = False,
        timeout: float = 10.0,
        host_interval: float = 1.0,
        resolver: Resolver = system_resolver,
        sniff_bytes: int = SNIFF_BYTES,
    ) -> None:
        self.allow_private = allow_private
        self.host_interval = host_interval
        self.resolver = resolver
        self.sniff_bytes = sniff_bytes
        self._client = httpx.Client(
            # Connections go to the addresses checked when connecting (no DNS rebinding).
            transport=guarded_transport(allow_private=allow_private, resolver=resolver),
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,
            headers={"User-Agent": USER_AGENT},
        )
        self._last_request: dict[str, float] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> LinkChecker:
        return cls(
            allow_private=settings.fetch_allow_private,
            timeout=settings.link_check_timeout,
            host_interval=settings.link_check_host_interval,
        )

    def __enter__(self) -> LinkChecker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def guard(self, url: str) -> None:
        """Raise FetchRefused unless ``url`` is http(s) to a host whose addresses are allowed."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise FetchRefused(f"unsupported URL scheme '{parts.scheme or '(none)'}'")
        host = parts.hostname
        if not host:
            raise FetchRefused("the URL has no host")
        if self.allow_private:
            return
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            raise FetchRefused("the URL has an invalid port") from None
        try:
            addresses = self.resolver(host, port)
        except (OSError, UnicodeError) as exc:
            raise FetchRefused(f"the host {host} cannot be resolved ({exc})") from None
        if not addresses:
            raise FetchRefused(f"the host {host} cannot be resolved")
        for address in addresses:
            reason = forbidden_address(address)
            if reason:
                raise FetchRefused(f"the host {host} resolves to a {reason} address ({address})")

    def _wait_turn(self, url: str) -> None:
        host = (urlsplit(url).hostname or "").casefold()
        with self._lock:
            now = time.monotonic()
            due = self._last_request.get(host, 0.0) + self.host_interval
            self._last_request[host] = max(now, due)
        if due > now:
            time.sleep(due - now)

    def _fetch(self, method: str, url: str, result: LinkResult) -> _Answer | None:
        """One request chain following redirects (each target guarded); the final response
        with up to ``sniff_bytes`` of its body read, or None with ``result.error`` set."""
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            try:
                self.guard(current)
            except FetchRefused as exc:
                result.error = f"refused: {exc}"
                return None
            self._wait_turn(current)
            headers = {"Range": f"bytes=0-{self.sniff_bytes - 1}"} if method == "GET" else {}
            try:
                with self._client.stream(method, current, headers=headers) as response:
                    if response.is_redirect and response.headers.get("location"):
                        current = urljoin(current, response.headers["location"])
                        result.redirects.append(current)
                        continue
                    body = b""
                    if method == "GET":
                        for chunk in response.iter_bytes():
                            body += chunk
                            if len(body) >= self.sniff_bytes:
                                break
                    result.final_url = current
                    return _Answer(response.status_code, response.headers, body[: self.sniff_bytes])
            except FetchRefused as exc:  # the answer changed between guard() and connecting
                result.error = f"refused: {exc}"
                return None
            except httpx.TimeoutException:
                result.error = "timed out"
                return None
            except httpx.HTTPError as exc:
                result.error = f"connection failed ({type(exc).__name__})"
                return None
        result.error = f"more than {MAX_REDIRECTS} redirects"
        return None

    def check(self, url: str, *, read_head: bool = True) -> LinkResult:
        """HEAD, then a ranged GET when HEAD fails or when the first bytes are wanted."""
        result = LinkResult(url=url, ok=False)
        response = self._fetch("HEAD", url, result)
        if result.error and result.error.startswith("refused"):
            return result
        needs_get = response is None or response.status in RETRY_AS_GET or read_head
        if needs_get:
            result.redirects.clear()
            result.error = None
            got = self._fetch("GET", url, result)
            if got is not None:
                response = got
                result.method = "GET"
                result.head = got.body
            elif response is None:
                return result
            else:
                result.error = None  # HEAD answered; only the extra GET failed
                result.method = "HEAD"
        else:
            result.method = "HEAD"
        assert response is not None
        result.status = response.status
        result.ok = 200 <= response.status < 300
        result.content_type = response.headers.get("content-type")
        result.size = _size_of(response)
        if not result.ok and not result.error:
            result.error = f"HTTP {response.status}"
        return result


def _size_of(response: _Answer) -> int | None:
    content_range = response.headers.get("content-range", "")
    if response.status == 206 and "/" in content_range:
        total = content_range.rsplit("/", 1)[1].strip()
        return int(total) if total.isdigit() else None
    length = response.headers.get("content-length")
    if response.status == 200 and length and length.isdigit():
        return int(length)
    return None


def _compatible(declared: vocab.FileType, served: vocab.FileType) -> bool:
    if declared.id == served.id:
        return True
    return any(declared.id in family and served.id in family for family in _FAMILIES)


def link_findings(resource: Mapping[str, Any], result: LinkResult) -> list[Finding]:
    """What a link check found wrong with one resource: broken, refused, wrong type, wrong size."""
    rid = str(resource.get("id"))
    name = resource.get("name") or rid
    loc = Location(resource_id=rid, field="url")
    findings: list[Finding] = []
    if result.error and result.error.startswith("refused"):
        findings.append(
            Finding(
                rule="links.refused",
                severity=Severity.error,
                location=loc,
                message=f"Resource {name}: the URL was not fetched: {result.error}.",
                message_ja=f"リソース {name}: URL を取得しませんでした（{result.error}）。",
                fix="Use a public http(s) URL reachable from the internet.",
                fix_ja="インターネットから到達できる公開の http(s) URL を使ってください。",
            )
        )
        return findings
    if not result.ok:
        findings.append(
            Finding(
                rule="links.broken",
                severity=Severity.error,
                location=loc,
                message=f"Resource {name}: the URL does not answer ({result.describe()}).",
                message_ja=f"リソース {name}: URL にアクセスできません（{result.describe()}）。",
                fix="Fix the URL (the file may have moved), or upload the file to the catalog.",
                fix_ja="URL を修正するか（移動した可能性）、ファイルをアップロードしてください。",
            )
        )
        return findings
    if result.redirects:
        findings.append(
            Finding(
                rule="links.redirected",
                severity=Severity.info,
                location=loc,
                message=f"Resource {name}: the URL redirects to {result.final_url}.",
                message_ja=f"リソース {name}: URL は {result.final_url} へ転送されます。",
                fix="Record the final URL so the link survives the redirect being removed.",
                fix_ja="転送先の URL を登録してください。",
            )
        )
    declared = vocab.by_format(resource.get("format"))
    served = vocab.by_media_type(result.content_type)
    if declared and served and not _compatible(declared, served):
        findings.append(
            Finding(
                rule="links.content-type",
                severity=Severity.warning,
                location=loc.model_copy(update={"field": "format"}),
                message=(
                    f"Resource {name}: declared as {declared.id} but served as "
                    f"{result.content_type} ({served.id})."
                ),
                message_ja=(
                    f"リソース {name}: 形式は {declared.id} ですが、"
                    f"{result.content_type}（{served.id}）として配信されています。"
                ),
                fix="Correct the declared format, or the server's Content-Type.",
                fix_ja="登録した形式か、サーバーの Content-Type を修正してください。",
            )
        )
    declared_size = resource.get("size")
    if isinstance(declared_size, int) and result.size is not None and declared_size != result.size:
        findings.append(
            Finding(
                rule="links.size",
                severity=Severity.warning,
                location=loc.model_copy(update={"field": "size"}),
                message=(
                    f"Resource {name}: declared size {declared_size} bytes, "
                    f"served {result.size} bytes."
                ),
                message_ja=(
                    f"リソース {name}: 登録サイズ {declared_size} バイトに対し、"
                    f"実際は {result.size} バイトです。"
                ),
                fix="Update the size (the file may have changed).",
                fix_ja="サイズを更新してください（ファイルが変わった可能性があります）。",
            )
        )
    return findings


def links_score(checked: list[tuple[Mapping[str, Any], LinkResult]]) -> Score:
    """One point per resource whose URL answers; findings explain the rest."""
    findings: list[Finding] = []
    points = 0
    for resource, result in checked:
        points += 1 if result.ok else 0
        findings.extend(link_findings(resource, result))
    return Score(scorer="links", points=points, max_points=len(checked), findings=findings)
