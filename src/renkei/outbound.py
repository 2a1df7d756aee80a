"""Outbound fetches (link checks, URL inspection, DataStore loads of link resources) and the one
rule they share: a node fetches only from public addresses, unless
``RENKEI_FETCH_ALLOW_PRIVATE`` is set (tests on loopback).

Every address a host name resolves to is checked, not only the first; redirects are re-checked
by the callers hop by hop. The check happens where the connection is made
(:func:`guarded_transport`): the host is resolved once, its addresses are checked, and the
socket connects to one of those very addresses, while the URL, the Host header and the TLS
server name (SNI, certificate check) keep the host name. A DNS answer that changes between a
check and the connection (rebinding) therefore can't lead a fetch to another address.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from typing import Any

import httpcore
import httpx

Resolver = Callable[[str, int], list[str]]


class FetchRefused(Exception):
    """The URL may not be fetched (non-public target, unsupported scheme, unknown host)."""


def system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


def forbidden_address(address: str) -> str | None:
    """Why ``address`` may not be fetched from, or None when it is a global address."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for label, flag in (
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("private", ip.is_private),
        ("multicast", ip.is_multicast),
        ("unspecified", ip.is_unspecified),
        ("reserved", ip.is_reserved),
    ):
        if flag:
            return label
    if not ip.is_global:
        return "non-global"
    return None


def allowed_addresses(
    host: str, port: int, *, allow_private: bool, resolver: Resolver | None = None
) -> list[str]:
    """The addresses ``host`` resolves to, all of them allowed; FetchRefused otherwise."""
    # Looked up at call time, so that tests can replace the module's resolver.
    resolve = resolver or system_resolver
    try:
        addresses = resolve(host, port)
    except (OSError, UnicodeError) as exc:
        raise FetchRefused(f"the host {host} cannot be resolved ({exc})") from None
    if not addresses:
        raise FetchRefused(f"the host {host} cannot be resolved")
    if not allow_private:
        for address in addresses:
            reason = forbidden_address(address)
            if reason:
                raise FetchRefused(
                    f"the host {host} resolves to a non-public ({reason}) address {address}"
                )
    return addresses


class _CheckedBackend(httpcore.SyncBackend):
    """httpcore's socket backend, connecting only to addresses :func:`allowed_addresses`
    returned from the one resolution it makes per connection."""

    def __init__(self, *, allow_private: bool, resolver: Resolver | None) -> None:
        self.allow_private = allow_private
        self.resolver = resolver

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = allowed_addresses(
            host, port, allow_private=self.allow_private, resolver=self.resolver
        )
        failure: Exception | None = None
        for address in addresses:
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None
        raise failure


def guarded_transport(
    *, allow_private: bool, resolver: Resolver | None = None
) -> httpx.HTTPTransport:
    """An httpx transport (no proxies from the environment) whose connections go only to
    checked addresses; a refused host raises FetchRefused out of the request."""
    transport = httpx.HTTPTransport(trust_env=False)
    # httpx has no parameter for httpcore's network backend: give its pool one that checks.
    # The pool is rebuilt with httpx's own TLS context, so certificates are verified as usual.
    # Should a new httpx rename the attribute, refuse to run rather than fetch unguarded.
    if not isinstance(getattr(transport, "_pool", None), httpcore.ConnectionPool):
        raise RuntimeError(
            "this httpx keeps its connection pool elsewhere: outbound fetches can't be "
            "guarded; use the httpx version pinned in pyproject.toml"
        )
    transport._pool = httpcore.ConnectionPool(
        ssl_context=httpx.create_ssl_context(trust_env=False),
        max_connections=100,  # httpx's default limits
        max_keepalive_connections=20,
        keepalive_expiry=5.0,
        network_backend=_CheckedBackend(allow_private=allow_private, resolver=resolver),
    )
    return transport
