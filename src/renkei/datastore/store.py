"""The DataStore a node holds: its DuckDB engine, its table files, and its background loads."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from renkei.config import Settings
from renkei.datastore.engine import Engine
from renkei.datastore.files import TableFiles
from renkei.jobs.queue import JobQueue


@dataclass
class DataStore:
    settings: Settings
    engine: Engine
    files: TableFiles
    jobs: JobQueue = field(default_factory=JobQueue)

    @classmethod
    def open(cls, settings: Settings) -> DataStore:
        root: Path = settings.datastore_dir
        root.mkdir(parents=True, exist_ok=True)
        (settings.datastore_dir / "spill").mkdir(parents=True, exist_ok=True)
        return cls(settings=settings, engine=Engine(settings), files=TableFiles(root))

    def switched(self, resource_id: str, keep: int) -> None:
        """After a commit made ``keep`` the table's version: let the older ones go."""
        folder = self.files.folder(resource_id)
        if folder.is_dir():
            for path in folder.glob("v*.duckdb"):
                if path != self.files.path(resource_id, keep):
                    self.engine.retire(path)
        self.files.remove_other_versions(resource_id, keep)

    def dropped(self, resource_id: str) -> None:
        """After a commit removed the table (or its resource)."""
        folder = self.files.folder(resource_id)
        if folder.is_dir():
            for path in folder.glob("v*.duckdb"):
                self.engine.retire(path)
        self.files.remove_all(resource_id)

    def close(self) -> None:
        self.jobs.shutdown()
        self.engine.close()
