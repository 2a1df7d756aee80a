"""DuckDB connections for the DataStore: in-memory, no extensions, bounded memory and threads.

Every call opens its own connection (about a millisecond): connections are not shared between
threads, and nothing a query does can outlive its call.
"""

from __future__ import annotations

import hashlib
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from renkei.config import Settings
from renkei.datastore.files import TABLE

NORMALIZE_UDF = "rk_normalize"


def sql_string(value: str) -> str:
    """A SQL string literal (for file paths we made ourselves; user values use parameters)."""
    return "'" + value.replace("'", "''") + "'"


def ident(name: str) -> str:
    """A quoted SQL identifier: any column name a publisher chose is safe inside it."""
    return '"' + name.replace('"', '""') + '"'


def rows_of(alias: str, row_ids: str) -> str:
    """SQL for the rows of the table in the attached file ``alias``, with their ``_id``
    (stored, or the row's place in the file: DuckDB's rowid, kept in insertion order)."""
    table = f"{ident(alias)}.{TABLE}"
    if row_ids == "stored":
        return table
    return f'(SELECT rowid + 1 AS "_id", * FROM {table})'


def alias_for(path: Path) -> str:
    return "tbl_" + hashlib.sha1(str(path).encode()).hexdigest()[:20]


def attach(con: duckdb.DuckDBPyConnection, path: Path, *, read_only: bool = True) -> str:
    alias = alias_for(path)
    mode = " (READ_ONLY)" if read_only else ""
    con.execute(f"ATTACH {sql_string(str(path))} AS {ident(alias)}{mode}")
    return alias


@contextmanager
def new_table_file(con: duckdb.DuckDBPyConnection, path: Path) -> Iterator[str]:
    """Attach a new database file for writing; yields the table name to create in it, and
    detaches (which checkpoints it) when the block ends."""
    alias = "new_" + uuid.uuid4().hex
    con.execute(f"ATTACH {sql_string(str(path))} AS {ident(alias)}")
    try:
        yield f"{ident(alias)}.{TABLE}"
    finally:
        con.execute(f"DETACH {ident(alias)}")


def _normalize(texts: pa.Array) -> pa.Array:
    # NFKC folds full-width letters and digits (ＡＥＤ, ２０２４) and half-width katakana, as the
    # catalog's search does; lower-casing makes English case-insensitive. Vectorised (Arrow).
    return pc.utf8_lower(pc.utf8_normalize(texts, "NFKC"))


def _configured(
    settings: Settings, threads: int | None = None, memory_limit: str | None = None
) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(
        config={
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
            "memory_limit": memory_limit or settings.datastore_memory_limit,
            "threads": threads or settings.datastore_threads,
            "temp_directory": str(settings.datastore_dir / "spill"),
        }
    )
    con.create_function(
        NORMALIZE_UDF,
        _normalize,  # type: ignore[arg-type]
        [duckdb.sqltype("VARCHAR")],
        duckdb.sqltype("VARCHAR"),
        type="arrow",  # type: ignore[arg-type]
        null_handling="special",  # type: ignore[arg-type]
        side_effects=False,
    )
    return con


class Engine:
    """One in-memory DuckDB database per node; each call gets its own cheap cursor of it.

    Opening a DuckDB database costs ~13 ms here, a cursor under 1 ms: the difference matters
    when a table API answers in tens of milliseconds. Table files are attached to it read-only
    (``source``); cursors share those, the settings and the UDFs.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._db: duckdb.DuckDBPyConnection | None = None
        self._lock = threading.Lock()
        self._attached: dict[Path, str] = {}
        self._retired: dict[Path, float] = {}

    def source(self, path: Path, row_ids: str) -> str:
        """SQL for the rows of a table version, attaching its file to the shared database
        once (attaching takes about a millisecond; a query on an attached file starts warm)."""
        with self._lock:
            db = self._database()
            self._detach_retired(db)
            alias = self._attached.get(path)
            if alias is None:
                alias = attach(db, path)
                self._attached[path] = alias
        return rows_of(alias, row_ids)

    def retire(self, path: Path) -> None:
        """The version at ``path`` was replaced. Queries may still be reading it, so it is
        detached a minute later rather than now (its file may already be deleted: an open
        file stays readable)."""
        with self._lock:
            if path in self._attached:
                self._retired[path] = time.monotonic()

    def _detach_retired(self, db: duckdb.DuckDBPyConnection, grace: float = 60.0) -> None:
        now = time.monotonic()
        for path, since in list(self._retired.items()):
            if now - since > grace:
                alias = self._attached.pop(path, None)
                self._retired.pop(path)
                if alias is not None:
                    db.execute(f"DETACH DATABASE IF EXISTS {ident(alias)}")

    def _database(self) -> duckdb.DuckDBPyConnection:
        if self._db is None:
            self._db = _configured(self.settings)
        return self._db

    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with self._lock:
            con = self._database().cursor()
        try:
            yield con
        finally:
            con.close()

    @contextmanager
    def isolated(
        self, threads: int | None = None, memory_limit: str | None = None
    ) -> Iterator[duckdb.DuckDBPyConnection]:
        """A database of its own, for work that changes settings (the SQL sandbox, loads)."""
        con = _configured(self.settings, threads, memory_limit)
        try:
            yield con
        finally:
            con.close()

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None
            self._attached.clear()
            self._retired.clear()


@contextmanager
def deadline(con: duckdb.DuckDBPyConnection, milliseconds: int) -> Iterator[None]:
    """Interrupt whatever ``con`` runs once ``milliseconds`` have passed."""
    timer = threading.Timer(milliseconds / 1000, con.interrupt)
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
