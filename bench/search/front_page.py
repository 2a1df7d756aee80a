"""The portal's front page right after an edit: what the first visitor waits for.

    .venv/bin/python -m bench.search.front_page --node /tmp/renkei-bench-1.5m/renkei/node

On a node loaded by ``bench.search.run`` (tantivy backend), asks the front-page question (empty
q, newest first, all five facets, anonymous) and prints, over --rounds rounds:
- cold: the facet cache emptied, so the visitor counts all datasets himself (what every
  first visitor after a change paid before the background recount);
- after an edit: one dataset's title changed through ``package_patch`` (committed, indexed),
  then the visitor comes --delay seconds later, while or after the recount runs;
- warm: the same question asked again.
The edit is undone at the end of each round (the title put back; the dataset's modification time
stays at the time of the bench, as with any edit).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path
from typing import Any

from bench.search.load import open_node
from renkei.catalog.context import Catalog
from renkei.search.service import package_search

FRONT_PAGE = {
    "q": "",
    "rows": 10,
    "sort": "metadata_modified desc",
    "facet.field": ["organization", "groups", "tags", "res_format", "license_id"],
    "facet.limit": 10,
}


def _ask(catalog: Catalog) -> float:
    started = time.perf_counter()
    with catalog.context(write=False) as ctx:
        package_search(ctx, FRONT_PAGE)
    return (time.perf_counter() - started) * 1000


def _bench_admin(catalog: Catalog) -> str:
    from sqlalchemy import select

    from renkei.catalog.users import create_user
    from renkei.store.tables import User

    with catalog.context() as ctx:
        found = ctx.session.scalar(select(User.id).where(User.name == "bench-admin"))
        return found or create_user(ctx, "bench-admin", sysadmin=True).id


def _edit(catalog: Catalog, admin: str, name: str, title: str) -> None:
    from renkei.catalog.packages import package_patch

    with catalog.context(admin) as ctx:
        package_patch(ctx, {"id": name, "title": title})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--node", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--delay", type=float, default=1.0)
    args = parser.parse_args()
    catalog = open_node(args.node)
    backend: Any = catalog.search
    assert backend is not None and backend.name == "tantivy", "needs the tantivy backend"
    with catalog.context(write=False) as ctx:
        first = package_search(ctx, {"q": "", "rows": 1})["results"][0]
    name, title = first["name"], first["title"]
    admin = _bench_admin(catalog)
    cold, after, warm = [], [], []
    for round_ in range(args.rounds):
        backend.facet_cache._answers.clear()
        cold.append(_ask(catalog))
        _edit(catalog, admin, name, f"{title} (edited by bench {round_})")
        time.sleep(args.delay)
        after.append(_ask(catalog))
        warm.append(_ask(catalog))
        _edit(catalog, admin, name, title)
        backend.facet_cache.wait(60)
    for label, values in (("cold", cold), (f"{args.delay:g} s after an edit", after),
                          ("warm", warm)):  # fmt: skip
        print(f"{label:>22}: median {statistics.median(values):6.1f} ms, max {max(values):6.1f} ms")


if __name__ == "__main__":
    main()
