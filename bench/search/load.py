"""Bulk-load generated datasets into a Renkei node, then (when it has one) build its index.

Rows go straight into the tables of ``renkei.store.tables`` with SQLAlchemy Core, a batch of
datasets (about 10-20k rows) per transaction, with each dataset's search columns computed by
``renkei.search.index.search_columns`` as the service would. Organisations and groups are
``catalog_group`` rows. Columns the node's schema does not have are left out, and columns it
derives from the extras (bounding box, temporal coverage) are filled when it has them.

    python -m bench.search.load --data /tmp/renkei-bench/data --node /tmp/renkei-bench/renkei
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.search.generate import read_datasets, read_groups, read_orgs
from renkei.api.app import build_catalog
from renkei.catalog.context import Catalog
from renkei.config import Settings
from renkei.search.index import search_columns
from renkei.store.tables import Group, Package, PackageExtra, PackageGroup, PackageTag, Resource

CREATED = datetime(2015, 4, 1)
BATCH_DATASETS = 1500  # about 15k rows per transaction


def open_node(node_dir: Path, search: str | None = None) -> Catalog:
    """``build_catalog`` on ``node_dir``; ``search`` picks a backend where Settings has one."""
    extra: dict[str, Any] = {}
    if search and "search" in Settings.model_fields:
        extra["search"] = search
    return build_catalog(Settings(data_dir=node_dir, **extra))


def _bbox(spatial: str) -> tuple[float, float, float, float]:
    ring = json.loads(spatial)["coordinates"][0]
    xs = [p[0] for p in ring]
    ys = [p[1] for p in ring]
    return min(xs), min(ys), max(xs), max(ys)


def load(
    catalog: Catalog,
    data_dir: Path,
    *,
    batch: int = BATCH_DATASETS,
    progress: Callable[[int, float], None] | None = None,
) -> dict[str, Any]:
    """Insert organisations, groups and every dataset of ``data_dir``; return counts and times."""
    engine = catalog.sessions.kw["bind"]
    orgs = read_orgs(data_dir)
    groups = read_groups(data_dir)
    pkg_columns = set(Package.__table__.c.keys())
    derived = {"bbox_west", "bbox_south", "bbox_east", "bbox_north"} <= pkg_columns
    temporal = {"temporal_start", "temporal_end"} <= pkg_columns

    started = time.perf_counter()
    group_rows = [
        {
            "id": o["id"],
            "name": o["name"],
            "title": o["title"],
            "title_translated": o["title_translated"],
            "description": "",
            "type": "organization",
            "is_organization": True,
            "state": "active",
            "created": CREATED,
        }
        for o in orgs
    ] + [
        {
            "id": g["id"],
            "name": g["name"],
            "title": g["title"],
            "title_translated": {"ja": g["title"], "en": g["title_en"]},
            "description": "",
            "type": "group",
            "is_organization": False,
            "state": "active",
            "created": CREATED,
        }
        for g in groups
    ]
    with engine.begin() as conn:
        conn.execute(Group.__table__.insert(), group_rows)
    org_by_id = {o["id"]: o for o in orgs}
    group_id = {g["name"]: g["id"] for g in groups}

    counts = {"package": 0, "package_tag": 0, "package_extra": 0, "resource": 0, "package_group": 0}
    buf: dict[str, list[dict[str, Any]]] = {k: [] for k in counts}

    def flush() -> None:
        with engine.begin() as conn:
            for table, key in (
                (Package.__table__, "package"),
                (PackageTag.__table__, "package_tag"),
                (PackageExtra.__table__, "package_extra"),
                (Resource.__table__, "resource"),
                (PackageGroup.__table__, "package_group"),
            ):
                if buf[key]:
                    conn.execute(table.insert(), buf[key])
                    counts[key] += len(buf[key])
                    buf[key].clear()

    n = 0
    for ds in read_datasets(data_dir):
        pid = ds["id"]
        title, text = search_columns(ds, org_by_id.get(ds["owner_org"]))
        created = datetime.fromisoformat(ds["metadata_created"])
        modified = datetime.fromisoformat(ds["metadata_modified"])
        row = {
            "id": pid,
            "name": ds["name"],
            "title": ds["title"],
            "title_translated": ds["title_translated"],
            "notes": ds["notes"],
            "notes_translated": ds["notes_translated"],
            "url": ds["url"],
            "version": None,
            "author": ds["author"],
            "author_email": None,
            "maintainer": ds["maintainer"],
            "maintainer_email": None,
            "license_id": ds["license_id"],
            "private": ds["private"],
            "state": ds["state"],
            "type": ds["type"],
            "owner_org": ds["owner_org"],
            "creator_user_id": None,
            "metadata_created": created,
            "metadata_modified": modified,
            "search_title": title,
            "search_text": text,
        }
        extras = {e["key"]: e["value"] for e in ds["extras"]}
        if derived:
            w, s, e, n_ = _bbox(extras["spatial"])
            row.update(bbox_west=w, bbox_south=s, bbox_east=e, bbox_north=n_)
        if temporal:
            row["temporal_start"] = datetime.fromisoformat(extras["temporal_start"])
            row["temporal_end"] = datetime.fromisoformat(extras["temporal_end"])
        buf["package"].append({k: v for k, v in row.items() if k in pkg_columns})
        buf["package_tag"].extend({"package_id": pid, "tag": t["name"]} for t in ds["tags"])
        buf["package_extra"].extend(
            {"package_id": pid, "key": k, "value": v} for k, v in extras.items()
        )
        buf["package_group"].extend(
            {"package_id": pid, "group_id": group_id[g["name"]]} for g in ds["groups"]
        )
        for pos, res in enumerate(ds["resources"]):
            buf["resource"].append(
                {
                    "id": res["id"],
                    "package_id": pid,
                    "position": pos,
                    "url": res["url"],
                    "url_type": None,
                    "name": res["name"],
                    "description": res["description"],
                    "format": res["format"],
                    "mimetype": None,
                    "size": None,
                    "hash": None,
                    "last_modified": None,
                    "created": created,
                    "metadata_modified": modified,
                    "blob_key": None,
                    "extras": None,
                }
            )
        n += 1
        if n % batch == 0:
            flush()
            if progress:
                progress(n, time.perf_counter() - started)
    flush()
    seconds = time.perf_counter() - started
    rows = sum(counts.values()) + len(group_rows)
    return {
        "datasets": n,
        "rows": rows,
        "row_counts": counts,
        "seconds": round(seconds, 2),
        "rows_per_second": round(rows / seconds) if seconds else None,
        "datasets_per_second": round(n / seconds) if seconds else None,
    }


def reindex(catalog: Catalog, progress: Callable[[int, int], None] | None = None) -> int | None:
    """Build the node's search index, or return None when the node has nothing to build.

    Uses ``renkei.search.maintenance.reindex`` where it exists, else the backend's own
    ``reindex``; the SQL backend (substring search over the tables) needs no index.
    """
    try:
        from renkei.search.maintenance import reindex as maintenance_reindex  # type: ignore
    except ImportError:
        backend = getattr(catalog, "search", None)
        if backend is None or not hasattr(backend, "reindex"):
            return None
        return int(backend.reindex(catalog, progress))
    return int(maintenance_reindex(catalog, progress=progress))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="output of bench.search.generate")
    parser.add_argument("--node", type=Path, required=True, help="an empty data dir for the node")
    parser.add_argument("--search", default=None, help="search backend (RENKEI_SEARCH)")
    args = parser.parse_args(argv)
    catalog = open_node(args.node, args.search)

    def show(n: int, seconds: float) -> None:
        print(f"  loaded {n:,} datasets ({n / seconds:,.0f}/s)", file=sys.stderr)

    print(json.dumps(load(catalog, args.data, progress=show), indent=1))
    started = time.perf_counter()
    total = reindex(catalog)
    print(json.dumps({"reindexed": total, "seconds": round(time.perf_counter() - started, 2)}))


if __name__ == "__main__":
    main()
