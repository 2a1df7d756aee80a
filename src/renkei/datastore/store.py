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
        (settings.data_dir / "tmp" / "duckdb").mkdir(parents=True, exist_ok=True)
        return cls(settings=settings, engine=Engine(settings), files=TableFiles(root))

    def close(self) -> None:
        self.jobs.shutdown()
        self.engine.close()
