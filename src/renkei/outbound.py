"""Outbound fetches (link checks, URL inspection) and the one rule they share: a node fetches
only from public addresses, unless ``RENKEI_FETCH_ALLOW_PRIVATE`` is set (tests on loopback).

Every address a host name resolves to is checked, not only the first; redirects are re-checked
by the callers hop by hop. What remains possible is a DNS answer that changes between the check
and the connection (rebinding); see docs/deployment.md.
"""

from __future__ import annotations

import ipaddress
import socket


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
