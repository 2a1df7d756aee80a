"""Engine and sessions. The only place that knows which database dialect is in use."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def make_engine(url: str, **kwargs: Any) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    # WAL lets readers work while one writer commits; foreign keys are off by default in SQLite.
    # isolation_level=None stops the sqlite3 module from issuing its own BEGIN, so that
    # _sqlite_begin decides how each transaction starts.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


WRITE_OPTION = "renkei_write"


def _sqlite_begin(conn: Connection) -> None:
    # A write transaction takes SQLite's write lock up front (BEGIN IMMEDIATE): a deferred one
    # that reads first and writes later fails at once with SQLITE_BUSY if another writer
    # committed in between, instead of waiting its turn.
    immediate = conn.get_execution_options().get(WRITE_OPTION, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def conflict_field(exc: IntegrityError) -> str | None:
    """Which unique field a write collided on (another writer took the same name first)."""
    text = str(exc.orig).lower()
    for table in ("package", "catalog_group", "user_account"):
        if f"{table}.name" in text or f"{table}_name_key" in text:
            return "name"
    if ".id" in text or "_pkey" in text:
        return "id"
    return None


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


def alembic_config(url: str) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (idempotent)."""
    command.upgrade(alembic_config(url), revision)
