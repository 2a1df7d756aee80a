"""The engines a benchmark run compares: Renkei (in-process) and the peers (own servers).

Each engine keeps its files in ``<work-dir>/<engine>/`` with a ``state.json`` that says which
data it holds, so ``--reuse`` can skip loading.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from bench.search.measure import Answer, Unsupported, disk_usage
from bench.search.queries import Query


class Engine:
    """Base class: a directory, a name, and the steps run.py drives."""

    name = "engine"
    #: Shown in the table; peers put their version here.
    label = "engine"

    def __init__(self, root: Path, data_dir: Path, options: dict[str, Any]) -> None:
        self.root = root
        self.data_dir = data_dir
        self.options = options

    @classmethod
    def missing(cls) -> str | None:
        """Why this engine cannot run here (with how to install it), or None."""
        return None

    def describe(self) -> dict[str, Any]:
        return {}

    def load(self) -> dict[str, Any]:
        raise NotImplementedError

    def build_index(self) -> dict[str, Any]:
        return {"seconds": 0.0}

    def index_key(self) -> str:
        """Which index ``build_index`` builds (Renkei: the search backend)."""
        return "default"

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass

    def run(self, query: Query) -> Answer:
        raise NotImplementedError

    def size_bytes(self) -> int:
        return disk_usage(self.root)

    def server_peak_rss(self) -> int | None:
        return None

    def reset_server_peak_rss(self) -> None:
        pass

    # -- state ---------------------------------------------------------------------------------

    def read_state(self) -> dict[str, Any] | None:
        try:
            return json.loads((self.root / "state.json").read_text("utf-8"))
        except (OSError, ValueError):
            return None

    def write_state(self, state: dict[str, Any]) -> None:
        (self.root / "state.json").write_text(json.dumps(state, indent=1), "utf-8")

    def wipe(self) -> None:
        if self.root.exists():
            shutil.rmtree(self.root)
        self.root.mkdir(parents=True)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class RenkeiEngine(Engine):
    """Renkei's own ``package_search``, called in-process like the Action API calls it."""

    name = "renkei"
    label = "Renkei"

    def __init__(self, root: Path, data_dir: Path, options: dict[str, Any]) -> None:
        super().__init__(root, data_dir, options)
        self.catalog: Any = None
        self.search = options.get("renkei_search")

    def index_key(self) -> str:
        backend = getattr(self.catalog, "search", None)
        return str(getattr(backend, "name", None) or "sql")

    def describe(self) -> dict[str, Any]:
        return {
            "search_backend": self.index_key(),
            "database": self.catalog.settings.resolved_database_url if self.catalog else None,
        }

    def start(self) -> None:
        from bench.search.load import open_node
        from renkei.search.service import package_search

        self.catalog = open_node(self.root / "node", self.search)
        self._search = package_search
        self.label = f"Renkei ({self.index_key()})"

    def stop(self) -> None:
        if self.catalog is not None:
            self.catalog.sessions.kw["bind"].dispose()
            self.catalog = None

    def load(self) -> dict[str, Any]:
        from bench.search.load import load

        def progress(n: int, seconds: float) -> None:
            if n % 100_000 < 1500:
                log(f"  renkei: loaded {n:,} datasets ({n / seconds:,.0f}/s)")

        return load(self.catalog, self.data_dir, progress=progress)

    def build_index(self) -> dict[str, Any]:
        from bench.search.load import reindex

        started = time.perf_counter()
        last = [0.0]

        def progress(done: int, total: int) -> None:
            if time.perf_counter() - last[0] > 30:
                last[0] = time.perf_counter()
                log(f"  renkei: indexed {done:,}/{total:,}")

        total = reindex(self.catalog, progress)
        seconds = time.perf_counter() - started
        return {"seconds": round(seconds, 2), "indexed": total, "skipped": total is None}

    def run(self, query: Query) -> Answer:
        from renkei.errors import ValidationError

        params = query.ckan_params()
        try:
            with self.catalog.context(write=False) as ctx:
                result = self._search(ctx, params)
        except ValidationError as exc:
            if query.bbox is not None and "ext_bbox" in str(exc):
                raise Unsupported(f"ext_bbox: {exc}") from None
            raise
        names = [r["name"] for r in result["results"]]
        facets = {
            f: sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
            for f, counts in (result.get("facets") or {}).items()
        }
        flags = []
        if query.bbox is not None and not _inside(result["results"], query.bbox):
            flags.append("ext_bbox ignored: results outside the box")
        return Answer(result["count"], names, facets, flags)


def _inside(results: list[dict[str, Any]], box: tuple[float, float, float, float]) -> bool:
    """True when every result's spatial extent intersects ``box``."""
    west, south, east, north = box
    for r in results:
        spatial = next((e["value"] for e in r.get("extras", []) if e["key"] == "spatial"), None)
        if spatial is None:
            return False
        ring = json.loads(spatial)["coordinates"][0]
        xs, ys = [p[0] for p in ring], [p[1] for p in ring]
        if min(xs) > east or max(xs) < west or min(ys) > north or max(ys) < south:
            return False
    return True


def engine_class(name: str) -> type[Engine]:
    if name == "renkei":
        return RenkeiEngine
    if name == "groonga":
        from bench.search.peers.groonga import GroongaEngine

        return GroongaEngine
    if name == "postgres":
        from bench.search.peers.postgres import PostgresEngine

        return PostgresEngine
    raise ValueError(f"unknown engine {name!r}: renkei, groonga or postgres")
