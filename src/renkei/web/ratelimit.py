"""Login rate limiting: failed attempts per account and per client address, sliding window.

In memory, per process: enough for one node (the usual deployment); several processes behind
a balancer each keep their own window, which multiplies the allowance by their number. A
successful login clears the account's failures (not the address's: one address trying many
accounts stays limited).
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque

MAX_KEYS = 10_000


class SlidingWindow:
    """At most ``limit`` events per key within any ``window`` seconds."""

    def __init__(self, limit: int, window: float, clock: object = time.monotonic) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _now(self) -> float:
        return self._clock()  # type: ignore[operator,no-any-return]

    def _trim(self, key: str, now: float) -> deque[float]:
        events = self._events.get(key)
        if events is None:
            return deque()
        while events and now - events[0] >= self.window:
            events.popleft()
        if not events:
            del self._events[key]
        return events

    def wait_seconds(self, key: str) -> int:
        """0 when another event is allowed now, else the whole seconds until one is."""
        now = self._now()
        with self._lock:
            events = self._trim(key, now)
            if len(events) < self.limit:
                return 0
            return max(1, math.ceil(events[0] + self.window - now))

    def hit(self, key: str) -> None:
        now = self._now()
        with self._lock:
            if len(self._events) >= MAX_KEYS:
                # Many names or addresses (a spray): drop every window that has run out, so
                # memory stays bounded by what happened within the window.
                for stale in list(self._events):
                    self._trim(stale, now)
            self._trim(key, now)
            self._events.setdefault(key, deque()).append(now)

    def clear(self, key: str) -> None:
        with self._lock:
            self._events.pop(key, None)


class LoginLimiter:
    """Two windows: one keyed by login name, one by client address."""

    def __init__(self, limit: int, window: float, clock: object = time.monotonic) -> None:
        self.accounts = SlidingWindow(limit, window, clock)
        self.addresses = SlidingWindow(limit * 4, window, clock)

    def wait_seconds(self, username: str, address: str) -> int:
        return max(
            self.accounts.wait_seconds(username.casefold()),
            self.addresses.wait_seconds(address),
        )

    def failed(self, username: str, address: str) -> None:
        self.accounts.hit(username.casefold())
        self.addresses.hit(address)

    def succeeded(self, username: str) -> None:
        self.accounts.clear(username.casefold())
