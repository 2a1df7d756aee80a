"""Fetching a URL (to inspect it, or to load it into the DataStore) without becoming a way into
the node's private network.

Only http(s); every address the host name resolves to must be public (no loopback, private,
link-local, multicast or reserved ranges) unless a setting allows it (tests), and the
connection goes to an address that was checked (``renkei.outbound.guarded_transport``), so a
DNS answer that changes after the check (rebinding) leads nowhere else; redirects are followed
by hand so that each hop is checked; the body is streamed to a temporary file with a size limit
and a timeout, and hashed on the way.
"""

from __future__ import annotations

import hashlib
import posixpath
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import httpx

from renkei.errors import BadRequest, PayloadTooLarge, RenkeiError, ValidationError
from renkei.outbound import FetchRefused, Resolver, guarded_transport

MAX_REDIRECTS = 5


@dataclass
class Fetched:
    path: Path
    filename: str
    content_type: str | None
    url: str  # after redirects
    sha256: str
    size: int


def check_url(url: str) -> None:
    """Only http(s) URLs with a host; the addresses are checked when connecting."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError({"url": ["Only http:// and https:// URLs can be fetched"]})


def fetch(
    url: str,
    directory: Path,
    *,
    max_bytes: int,
    timeout: float = 30.0,
    allow_private: bool = False,
    resolver: Resolver | None = None,
) -> Fetched:
    """Download ``url`` into ``directory``; the caller deletes the returned file.

    Raises ValidationError (refused URL), BadRequest (HTTP error status, network failure,
    timeout, too many redirects) or PayloadTooLarge; :func:`failure_message` words them."""
    current = url
    transport = guarded_transport(allow_private=allow_private, resolver=resolver)
    with httpx.Client(
        transport=transport, timeout=timeout, follow_redirects=False, trust_env=False
    ) as client:
        for _ in range(MAX_REDIRECTS + 1):
            check_url(current)
            try:
                with client.stream("GET", current) as response:
                    if response.is_redirect:
                        current = urljoin(current, response.headers.get("location", ""))
                        continue
                    if response.status_code >= 400:
                        phrase = f" {response.reason_phrase}" if response.reason_phrase else ""
                        raise BadRequest(
                            f"The URL answered HTTP {response.status_code}{phrase}: "
                            "check that it still points to the file"
                        )
                    return _save(response, current, directory, max_bytes)
            except FetchRefused as exc:
                raise ValidationError({"url": [f"The URL is refused: {exc}"]}) from None
            except httpx.TimeoutException:
                raise BadRequest(
                    f"The URL did not answer within {timeout:g} seconds (timeout)"
                ) from None
            except httpx.HTTPError as exc:
                raise BadRequest(f"The URL could not be fetched: {exc}") from None
    raise BadRequest(f"Too many redirects (more than {MAX_REDIRECTS})")


def failure_message(exc: RenkeiError) -> str:
    """The words of a fetch failure, for a status line rather than an API error body."""
    if isinstance(exc, ValidationError):
        return "; ".join(str(m) for messages in exc.errors.values() for m in messages)
    return exc.message


def _too_large(max_bytes: int) -> PayloadTooLarge:
    return PayloadTooLarge("url", f"The file is larger than the limit ({max_bytes:,} bytes)")


def _save(response: httpx.Response, url: str, directory: Path, max_bytes: int) -> Fetched:
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise _too_large(max_bytes)
    directory.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(dir=directory, prefix="fetch-", delete=False)  # noqa: SIM115
    path = Path(handle.name)
    size = 0
    digest = hashlib.sha256()
    try:
        with handle:
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise _too_large(max_bytes)
                digest.update(chunk)
                handle.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    name = posixpath.basename(unquote(urlsplit(url).path)) or "download"
    content_type = response.headers.get("content-type")
    return Fetched(path, name, content_type, url, digest.hexdigest(), size)
