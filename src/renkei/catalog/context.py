"""The per-call context: database session, the caller, settings, blob store, and commit hooks."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from renkei.config import Settings
from renkei.errors import ValidationError
from renkei.store.blobs import LocalBlobStore
from renkei.store.db import WRITE_OPTION, conflict_field
from renkei.store.tables import User

if TYPE_CHECKING:
    from renkei.datastore.store import DataStore
    from renkei.jobs.queue import JobQueue
    from renkei.search.backend import SearchBackend


log = logging.getLogger(__name__)


def utcnow() -> datetime:
    """Naive UTC, as stored (CKAN's wire format also has no offset)."""
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass
class Context:
    session: Session
    settings: Settings
    blobs: LocalBlobStore
    user: User | None = None
    # Set when datasets were queued for the search index (see renkei.search.index).
    search_changed: bool = False
    catalog: Catalog | None = None
    # Resources whose file or existence changed in this transaction (see Catalog.listeners).
    resources_changed: set[str] = field(default_factory=set)
    # Datasets whose metadata or resources a catalog write changed (see dataset_listeners).
    datasets_changed: set[str] = field(default_factory=set)
    _after_commit: list[Callable[[], None]] = field(default_factory=list)
    _on_rollback: list[Callable[[], None]] = field(default_factory=list)

    @property
    def is_sysadmin(self) -> bool:
        return bool(self.user and self.user.sysadmin and self.user.state == "active")

    @property
    def user_id(self) -> str | None:
        return self.user.id if self.user else None

    def note_resource(self, resource_id: str) -> None:
        """Tell the node's resource listeners (e.g. the DataStore) after the commit."""
        self.resources_changed.add(resource_id)

    def note_dataset(self, package_id: str) -> None:
        """Tell the node's dataset listeners (e.g. quality rescoring) after the commit."""
        self.datasets_changed.add(package_id)

    def after_commit(self, action: Callable[[], None]) -> None:
        """Run ``action`` once the transaction has committed (e.g. delete a replaced file)."""
        self._after_commit.append(action)

    def on_rollback(self, action: Callable[[], None]) -> None:
        """Run ``action`` if the transaction fails (e.g. remove a file kept for it)."""
        self._on_rollback.append(action)


@dataclass
class Catalog:
    """What a node needs to open contexts: settings, a session factory and the blob store."""

    settings: Settings
    sessions: sessionmaker[Session]
    blobs: LocalBlobStore
    # The search backend; it applies queued changes after each commit that made some.
    search: SearchBackend | None = None
    # Tables of tabular resources (DuckDB over Parquet) and their background loads.
    datastore: DataStore | None = None
    # Called after a commit with the ids of resources whose file or existence changed; they
    # run after the writer's transaction, so a slow listener never holds the write lock.
    resource_listeners: list[Callable[[Catalog, set[str]], None]] = field(default_factory=list)
    # Called after a commit with the ids of datasets a catalog write changed (their metadata,
    # resources or organisation), likewise after the writer's transaction.
    dataset_listeners: list[Callable[[Catalog, set[str]], None]] = field(default_factory=list)
    # Background work of the node's services that is not a DataStore load (quality rescoring).
    jobs: JobQueue | None = None

    @contextmanager
    def context(self, user_id: str | None = None, *, write: bool = True) -> Iterator[Context]:
        """One transaction: commit if the block succeeds, roll back (and clean up) if not.

        ``write=False`` marks a read-only call, which doesn't queue behind writers.
        """
        with self.sessions() as session:
            if write:
                session.connection(execution_options={WRITE_OPTION: True})
            user = session.get(User, user_id) if user_id else None
            ctx = Context(
                session=session, settings=self.settings, blobs=self.blobs, user=user, catalog=self
            )
            try:
                try:
                    yield ctx
                    session.commit()
                except IntegrityError as exc:
                    # Two writers raced for the same unique value; the loser gets a 409.
                    field = conflict_field(exc) or "__all__"
                    message = (
                        "That URL is already in use."
                        if field == "name"
                        else "Another change took this value first; choose another"
                    )
                    raise ValidationError({field: [message]}) from None
            except BaseException:
                session.rollback()
                for action in ctx._on_rollback:
                    action()
                raise
            if ctx.search_changed and self.search is not None:
                try:
                    self.search.apply_pending(self)
                except Exception:
                    # The change is committed and still queued in the outbox: it reaches the
                    # index on the next write, search or start. The caller's write succeeded.
                    log.exception("applying queued changes to the search index failed")
            for action in ctx._after_commit:
                action()
            if ctx.resources_changed:
                for listener in self.resource_listeners:
                    try:
                        listener(self, set(ctx.resources_changed))
                    except Exception:
                        log.exception("a resource listener failed")
            if ctx.datasets_changed:
                for dataset_listener in self.dataset_listeners:
                    try:
                        dataset_listener(self, set(ctx.datasets_changed))
                    except Exception:
                        log.exception("a dataset listener failed")
