"""Fetching a URL to inspect it, without becoming a way into the node's private network.

Only http(s); every address the host name resolves to must be public (no loopback, private,
link-local, multicast or reserved ranges) unless a setting allows it (tests); redirects are
followed by hand so that each hop is checked; the body is streamed to a temporary file with a
size limit and a timeout. A name that resolves differently between the check and the request
(DNS rebinding) remains possible; deployments that need more should egress through a proxy.
"""

from __future__ import annotations

import posixpath
import socket
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import httpx

from renkei.errors import BadRequest, PayloadTooLarge, ValidationError
from renkei.outbound import forbidden_address, system_resolver

MAX_REDIRECTS = 5


@dataclass
class Fetched:
    path: Path
    filename: str
    content_type: str | None


def check_url(url: str, *, allow_private: bool = False) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError({"url": ["Only http:// and https:// URLs can be inspected"]})
    if allow_private:
        return
    try:
        addresses = system_resolver(parts.hostname, parts.port or 443)
    except socket.gaierror:
        raise ValidationError(
            {"url": [f"The host {parts.hostname!r} cannot be resolved"]}
        ) from None
    for address in addresses:
        reason = forbidden_address(address)
        if reason is not None:
            raise ValidationError(
                {"url": [f"The URL points to a non-public ({reason}) address {address}: refused"]}
            )


def fetch(
    url: str,
    directory: Path,
    *,
    max_bytes: int,
    timeout: float = 30.0,
    allow_private: bool = False,
) -> Fetched:
    """Download ``url`` into ``directory``; the caller deletes the returned file."""
    current = url
    with httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client:
        for _ in range(MAX_REDIRECTS + 1):
            check_url(current, allow_private=allow_private)
            try:
                with client.stream("GET", current) as response:
                    if response.is_redirect:
                        current = urljoin(current, response.headers.get("location", ""))
                        continue
                    if response.status_code >= 400:
                        raise BadRequest(
                            f"The URL answered HTTP {response.status_code}: nothing to inspect"
                        )
                    return _save(response, current, directory, max_bytes)
            except httpx.HTTPError as exc:
                raise BadRequest(f"The URL could not be fetched: {exc}") from None
    raise BadRequest(f"Too many redirects (more than {MAX_REDIRECTS})")


def _save(response: httpx.Response, url: str, directory: Path, max_bytes: int) -> Fetched:
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise PayloadTooLarge("url", f"The file is larger than the limit ({max_bytes} bytes)")
    directory.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(dir=directory, prefix="fetch-", delete=False)  # noqa: SIM115
    path = Path(handle.name)
    size = 0
    try:
        with handle:
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise PayloadTooLarge(
                        "url", f"The file is larger than the limit ({max_bytes} bytes)"
                    )
                handle.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    name = posixpath.basename(unquote(urlsplit(url).path)) or "download"
    content_type = response.headers.get("content-type")
    return Fetched(path=path, filename=name, content_type=content_type)
