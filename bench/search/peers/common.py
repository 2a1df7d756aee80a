"""What both peers need: a free loopback port, waiting for a server, rows from the data."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.search.generate import read_datasets, read_orgs
from renkei.search.index import search_columns

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection((HOST, port), timeout=1):
                return
        except OSError as exc:
            if time.monotonic() > deadline:
                message = f"nothing listens on {HOST}:{port} after {timeout:.0f} s"
                raise TimeoutError(message) from exc
            time.sleep(0.05)


def flat_rows(data_dir: Path) -> Iterator[dict[str, Any]]:
    """Each dataset as one flat row: the same search text as Renkei (``search_columns``), the
    facet values, the newest-first key and the bounding box."""
    orgs = {o["id"]: o for o in read_orgs(data_dir)}
    for ds in read_datasets(data_dir):
        org = orgs.get(ds["owner_org"])
        title, text = search_columns(ds, org)
        spatial = next(e["value"] for e in ds["extras"] if e["key"] == "spatial")
        ring = json.loads(spatial)["coordinates"][0]
        xs, ys = [p[0] for p in ring], [p[1] for p in ring]
        yield {
            "name": ds["name"],
            "title": title,
            "text": text,
            "org": org["name"] if org else "",
            "license": ds["license_id"] or "",
            "tags": list(dict.fromkeys(t["name"] for t in ds["tags"])),
            "formats": list(dict.fromkeys(r["format"] for r in ds["resources"] if r["format"])),
            "groups": [g["name"] for g in ds["groups"]],
            "modified": datetime.fromisoformat(ds["metadata_modified"]),
            "private": bool(ds["private"]),
            "west": min(xs),
            "south": min(ys),
            "east": max(xs),
            "north": max(ys),
        }
