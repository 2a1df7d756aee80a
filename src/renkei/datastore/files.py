"""Where tables live on disk: one immutable DuckDB database file per version of a table.

A writer builds ``.staging-*.duckdb`` beside the current file, then the metadata row switches
``version``; old versions are removed after the switch has committed. A reader that opened an
old version keeps reading it (POSIX unlink semantics), so no reader ever sees half a table.
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

SUFFIX = ".duckdb"
TABLE = "t"  # the one table inside each file


class TableFiles:
    def __init__(self, root: Path) -> None:
        self.root = root

    def folder(self, resource_id: str) -> Path:
        # Resource ids are UUIDs we issued (or validated); never a path from outside.
        return self.root / resource_id[:2] / resource_id

    def path(self, resource_id: str, version: int) -> Path:
        return self.folder(resource_id) / f"v{version}{SUFFIX}"

    def staging(self, resource_id: str) -> Path:
        folder = self.folder(resource_id)
        folder.mkdir(parents=True, exist_ok=True)
        return folder / f".staging-{uuid.uuid4().hex}{SUFFIX}"

    def publish(self, staged: Path, resource_id: str, version: int) -> Path:
        target = self.path(resource_id, version)
        staged.replace(target)
        return target

    def remove_other_versions(self, resource_id: str, keep: int) -> None:
        folder = self.folder(resource_id)
        if not folder.is_dir():
            return
        for path in folder.glob(f"v*{SUFFIX}*"):  # with any .wal DuckDB left
            if not path.name.startswith(f"v{keep}{SUFFIX}"):
                path.unlink(missing_ok=True)

    def remove_staging(self, resource_id: str) -> None:
        for path in self.folder(resource_id).glob(".staging-*"):
            path.unlink(missing_ok=True)

    def remove_all(self, resource_id: str) -> None:
        shutil.rmtree(self.folder(resource_id), ignore_errors=True)

    def table_ids(self) -> set[str]:
        """Every resource id that has a folder (to find tables whose resource is gone)."""
        if not self.root.is_dir():
            return set()
        shards = (d for d in self.root.iterdir() if d.is_dir() and len(d.name) == 2)
        return {p.name for shard in shards for p in shard.iterdir() if p.is_dir()}
