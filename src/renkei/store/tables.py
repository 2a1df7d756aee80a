"""SQLAlchemy tables of the catalog. Portable SQL only: SQLite today, PostgreSQL tomorrow."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    exists,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, column_property, mapped_column


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "user_account"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    fullname: Mapped[str | None] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(String(320))
    about: Mapped[str | None] = mapped_column(Text)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    sysadmin: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(20), default="active")
    created: Mapped[datetime] = mapped_column(DateTime)


class ApiToken(Base):
    """An API token. Only a SHA-256 digest of the secret is stored."""

    __tablename__ = "api_token"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[str] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    last_access: Mapped[datetime | None] = mapped_column(DateTime)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime)


class Group(Base):
    """An organization (``is_organization``) or a thematic group, as in CKAN."""

    __tablename__ = "catalog_group"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str | None] = mapped_column(Text)
    title_translated: Mapped[dict[str, str] | None] = mapped_column(JSON)
    description: Mapped[str | None] = mapped_column(Text)
    description_translated: Mapped[dict[str, str] | None] = mapped_column(JSON)
    image_url: Mapped[str | None] = mapped_column(Text)
    type: Mapped[str] = mapped_column(String(100))
    is_organization: Mapped[bool] = mapped_column(Boolean, index=True)
    state: Mapped[str] = mapped_column(String(20), default="active")
    created: Mapped[datetime] = mapped_column(DateTime)


class Membership(Base):
    """A user's role in an organization or group: admin, editor or member."""

    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("group_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    group_id: Mapped[str] = mapped_column(ForeignKey("catalog_group.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    capacity: Mapped[str] = mapped_column(String(20))


class Package(Base):
    __tablename__ = "package"
    __table_args__ = (
        Index("ix_package_state_private_modified", "state", "private", "metadata_modified"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str | None] = mapped_column(Text)
    title_translated: Mapped[dict[str, str] | None] = mapped_column(JSON)
    notes: Mapped[str | None] = mapped_column(Text)
    notes_translated: Mapped[dict[str, str] | None] = mapped_column(JSON)
    url: Mapped[str | None] = mapped_column(Text)
    version: Mapped[str | None] = mapped_column(String(100))
    author: Mapped[str | None] = mapped_column(Text)
    author_email: Mapped[str | None] = mapped_column(Text)
    maintainer: Mapped[str | None] = mapped_column(Text)
    maintainer_email: Mapped[str | None] = mapped_column(Text)
    license_id: Mapped[str | None] = mapped_column(String(100), index=True)
    private: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(20), default="active")
    type: Mapped[str] = mapped_column(String(100), default="dataset")
    owner_org: Mapped[str | None] = mapped_column(
        ForeignKey("catalog_group.id"), index=True, nullable=True
    )
    creator_user_id: Mapped[str | None] = mapped_column(String(36))
    metadata_created: Mapped[datetime] = mapped_column(DateTime)
    metadata_modified: Mapped[datetime] = mapped_column(DateTime, index=True)
    # Normalised (NFKC, case-folded) text kept in step with every write, for search.
    search_title: Mapped[str] = mapped_column(Text, default="")
    search_text: Mapped[str] = mapped_column(Text, default="")
    # Spatial extent (WGS84 bounding box) and temporal coverage, from the "spatial" and
    # "temporal_start"/"temporal_end" extras, kept as columns so they can be filtered.
    bbox_west: Mapped[float | None] = mapped_column(Float)
    bbox_south: Mapped[float | None] = mapped_column(Float)
    bbox_east: Mapped[float | None] = mapped_column(Float)
    bbox_north: Mapped[float | None] = mapped_column(Float)
    temporal_start: Mapped[datetime | None] = mapped_column(DateTime)
    temporal_end: Mapped[datetime | None] = mapped_column(DateTime)


class SearchOutbox(Base):
    """Datasets changed by committed transactions and not yet applied to the search index.

    Written in the same transaction as the change, so a crash between the commit and the
    index update loses nothing: whatever is here is applied at the next write or search.
    """

    __tablename__ = "search_outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    package_id: Mapped[str] = mapped_column(String(36))
    queued_at: Mapped[datetime] = mapped_column(DateTime)


class PackageExtra(Base):
    __tablename__ = "package_extra"

    package_id: Mapped[str] = mapped_column(
        ForeignKey("package.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class PackageTag(Base):
    __tablename__ = "package_tag"

    package_id: Mapped[str] = mapped_column(
        ForeignKey("package.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(100), primary_key=True, index=True)


class PackageGroup(Base):
    __tablename__ = "package_group"

    package_id: Mapped[str] = mapped_column(
        ForeignKey("package.id", ondelete="CASCADE"), primary_key=True
    )
    group_id: Mapped[str] = mapped_column(
        ForeignKey("catalog_group.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Resource(Base):
    __tablename__ = "resource"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    package_id: Mapped[str] = mapped_column(
        ForeignKey("package.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    url: Mapped[str] = mapped_column(Text, default="")
    url_type: Mapped[str | None] = mapped_column(String(20))
    name: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    format: Mapped[str | None] = mapped_column(String(100), index=True)
    mimetype: Mapped[str | None] = mapped_column(String(200))
    size: Mapped[int | None] = mapped_column(BigInteger)
    hash: Mapped[str | None] = mapped_column(String(200))
    last_modified: Mapped[datetime | None] = mapped_column(DateTime)
    created: Mapped[datetime] = mapped_column(DateTime)
    metadata_modified: Mapped[datetime] = mapped_column(DateTime)
    # Key of the uploaded file in the blob store; None for link-only resources.
    blob_key: Mapped[str | None] = mapped_column(String(100))
    extras: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class DatastoreTable(Base):
    """A resource's table in the DataStore: its schema, where its data is, how loading went.

    The rows live in an immutable Parquet file per ``version`` under the data dir; a write makes
    a new version and switches to it by updating this row (compare-and-set on ``version``), so
    readers always see a whole table and a failed load never replaces a good one.
    """

    __tablename__ = "datastore_table"

    resource_id: Mapped[str] = mapped_column(
        ForeignKey("resource.id", ondelete="CASCADE"), primary_key=True
    )
    # "api": rows written through datastore_create/upsert; "file": loaded from the upload;
    # "url": loaded from the file a link resource points to, fetched by the node.
    source: Mapped[str] = mapped_column(String(10), default="api")
    # pending | loading | active | failed
    status: Mapped[str] = mapped_column(String(20), default="active")
    version: Mapped[int] = mapped_column(Integer, default=0)
    # "stored": the file has an _id column; "file_order": _id is the row's place in the file
    # (loads skip numbering rows, which would serialise DuckDB's parallel writer).
    row_ids: Mapped[str] = mapped_column(String(12), default="stored")
    fields: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    primary_key: Mapped[list[str] | None] = mapped_column(JSON)
    row_count: Mapped[int] = mapped_column(BigInteger, default=0)
    # SHA-256 of the file the table was (or is being) loaded from; for "url" tables, of the
    # body fetched last.
    source_hash: Mapped[str | None] = mapped_column(String(200))
    # "url" tables: the URL being loaded (a changed resource URL loads again), and when and
    # how many bytes were fetched last, so the status can tell what the rows come from.
    source_url: Mapped[str | None] = mapped_column(Text)
    fetched_at: Mapped[datetime | None] = mapped_column(DateTime)
    fetched_bytes: Mapped[int | None] = mapped_column(BigInteger)
    message: Mapped[str | None] = mapped_column(Text)
    # Problems met while loading, each with row, column, what and how it was handled.
    report: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    load_started: Mapped[datetime | None] = mapped_column(DateTime)
    load_finished: Mapped[datetime | None] = mapped_column(DateTime)
    modified: Mapped[datetime] = mapped_column(DateTime)


# True when the resource's DataStore table holds a version that can be queried: derived from
# datastore_table in the same SELECT that loads the resource, never stored twice.
Resource.datastore_active = column_property(  # type: ignore[attr-defined]
    exists().where(DatastoreTable.resource_id == Resource.id, DatastoreTable.version > 0)
)


class Activity(Base):
    """Who changed what, when. ``data`` holds the object as it was after the change."""

    __tablename__ = "activity"
    __table_args__ = (
        Index("ix_activity_object", "object_id", "timestamp"),
        Index("ix_activity_org", "org_id", "timestamp"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    timestamp: Mapped[datetime] = mapped_column(DateTime)
    user_id: Mapped[str | None] = mapped_column(String(36))
    object_id: Mapped[str] = mapped_column(String(36))
    object_type: Mapped[str] = mapped_column(String(20))
    activity_type: Mapped[str] = mapped_column(String(50))
    org_id: Mapped[str | None] = mapped_column(String(36))
    # Fixed when recorded: what happened while a dataset was private stays private after it
    # is published.
    private: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class QualityReport(Base):
    """The latest quality report of a dataset or a resource (scores, findings, totals).

    One row per subject, replaced on every scoring; the trend lives in ``quality_history``.
    """

    __tablename__ = "quality_report"

    subject_type: Mapped[str] = mapped_column(String(20), primary_key=True)  # dataset|resource
    subject_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    package_id: Mapped[str] = mapped_column(
        ForeignKey("package.id", ondelete="CASCADE"), index=True
    )
    total: Mapped[float] = mapped_column(Float)
    max_total: Mapped[float] = mapped_column(Float)
    band: Mapped[str | None] = mapped_column(String(20))
    stars: Mapped[int | None] = mapped_column(Integer)
    scored_at: Mapped[datetime] = mapped_column(DateTime)
    report: Mapped[dict[str, Any]] = mapped_column(JSON)


class QualityHistory(Base):
    """A dataset's total and band each time it was scored: the organizations' trends."""

    __tablename__ = "quality_history"
    __table_args__ = (Index("ix_quality_history_package_scored", "package_id", "scored_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    package_id: Mapped[str] = mapped_column(ForeignKey("package.id", ondelete="CASCADE"))
    scored_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    total: Mapped[float] = mapped_column(Float)
    band: Mapped[str | None] = mapped_column(String(20))
    stars: Mapped[int | None] = mapped_column(Integer)


class DatasetViews(Base):
    """How often a dataset's page was viewed (for "most viewed"). One row per dataset, updated
    in batches by the web layer's buffered counter, never inside a page request."""

    __tablename__ = "dataset_views"

    package_id: Mapped[str] = mapped_column(
        ForeignKey("package.id", ondelete="CASCADE"), primary_key=True
    )
    views: Mapped[int] = mapped_column(Integer, default=0, index=True)
    last_viewed: Mapped[datetime | None] = mapped_column(DateTime)


# --- Needs: data requests, their answers and supporters, notifications, inventory ---------


class DataRequest(Base):
    """A request for data, addressed to an organization (or to none: "don't know").

    ``state`` is the latest answer (``submitted`` until the organization answers); every change
    is a ``DataRequestEvent``, so the history of who answered what and when stays.
    """

    __tablename__ = "data_request"
    __table_args__ = (Index("ix_data_request_org_state", "organization_id", "state"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="")
    purpose: Mapped[str] = mapped_column(Text, default="")
    topic: Mapped[str | None] = mapped_column(String(100), index=True)
    desired_format: Mapped[str | None] = mapped_column(String(100))
    desired_frequency: Mapped[str | None] = mapped_column(String(100))
    organization_id: Mapped[str | None] = mapped_column(
        ForeignKey("catalog_group.id", ondelete="SET NULL"), nullable=True
    )
    requester_id: Mapped[str | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True, nullable=True
    )
    state: Mapped[str] = mapped_column(String(30), default="submitted")
    planned_date: Mapped[date | None] = mapped_column(Date)
    reason_category: Mapped[str | None] = mapped_column(String(50))
    reason_text: Mapped[str | None] = mapped_column(Text)
    dataset_id: Mapped[str | None] = mapped_column(
        ForeignKey("package.id", ondelete="SET NULL"), nullable=True
    )
    inventory_entry_id: Mapped[str | None] = mapped_column(
        ForeignKey("inventory_entry.id", ondelete="SET NULL"), index=True, nullable=True
    )
    created: Mapped[datetime] = mapped_column(DateTime)
    modified: Mapped[datetime] = mapped_column(DateTime)
    # When the addressed organization first answered (None until then): the needs statistics'
    # "time to first answer" without scanning events.
    first_answered: Mapped[datetime | None] = mapped_column(DateTime)


class DataRequestEvent(Base):
    """One change of a request's state: who, when, and what the answer said."""

    __tablename__ = "data_request_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[str] = mapped_column(
        ForeignKey("data_request.id", ondelete="CASCADE"), index=True
    )
    state: Mapped[str] = mapped_column(String(30))
    actor_id: Mapped[str | None] = mapped_column(String(36))
    at: Mapped[datetime] = mapped_column(DateTime)
    note: Mapped[str | None] = mapped_column(Text)
    planned_date: Mapped[date | None] = mapped_column(Date)
    reason_category: Mapped[str | None] = mapped_column(String(50))
    dataset_id: Mapped[str | None] = mapped_column(String(36))


class DataRequestVote(Base):
    """One person's support for a request; the primary key makes it one vote per person."""

    __tablename__ = "data_request_vote"

    request_id: Mapped[str] = mapped_column(
        ForeignKey("data_request.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    created: Mapped[datetime] = mapped_column(DateTime)


class DataRequestComment(Base):
    __tablename__ = "data_request_comment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[str] = mapped_column(
        ForeignKey("data_request.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[str | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True
    )
    text: Mapped[str] = mapped_column(Text)
    created: Mapped[datetime] = mapped_column(DateTime)


class NotificationOutbox(Base):
    """A message waiting for (or done with) delivery. Written in the transaction that caused
    it; a sender delivers it later, so no write depends on a mail server being up."""

    __tablename__ = "notification_outbox"
    __table_args__ = (Index("ix_notification_outbox_pending", "sent_at", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created: Mapped[datetime] = mapped_column(DateTime)
    kind: Mapped[str] = mapped_column(String(50))
    recipient_id: Mapped[str | None] = mapped_column(String(36), index=True)
    recipient_email: Mapped[str | None] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    object_id: Mapped[str | None] = mapped_column(String(36))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)


class InventoryEntry(Base):
    """Data an organization holds (棚卸), published or not, and why not."""

    __tablename__ = "inventory_entry"
    __table_args__ = (UniqueConstraint("organization_id", "title"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    organization_id: Mapped[str] = mapped_column(
        ForeignKey("catalog_group.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20))
    planned_date: Mapped[date | None] = mapped_column(Date)
    reason_category: Mapped[str | None] = mapped_column(String(50))
    reason_text: Mapped[str | None] = mapped_column(Text)
    dataset_id: Mapped[str | None] = mapped_column(
        ForeignKey("package.id", ondelete="SET NULL"), nullable=True
    )
    created: Mapped[datetime] = mapped_column(DateTime)
    modified: Mapped[datetime] = mapped_column(DateTime)


# --- The roadmap (工程表) as data ---------------------------------------------------------


class RoadmapMeasure(Base):
    """One measure (施策) of the roadmap, as imported from its table."""

    __tablename__ = "roadmap_measure"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(Text)
    kpi_progress: Mapped[str] = mapped_column(Text, default="")
    kpi_effect: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[list[str]] = mapped_column(JSON)
    # "exact" when the marker matrix lines up with its header; "uncertain" when it does not,
    # and then ``marks`` keeps where each mark was found instead of article rows.
    alignment: Mapped[str] = mapped_column(String(20))
    alignment_note: Mapped[str | None] = mapped_column(Text)
    marks: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    source: Mapped[str | None] = mapped_column(Text)
    source_line: Mapped[int | None] = mapped_column(Integer)
    imported_at: Mapped[datetime] = mapped_column(DateTime)


class RoadmapArticle(Base):
    """A law article a measure falls under: ``main`` (◎) or ``related`` (○)."""

    __tablename__ = "roadmap_article"

    measure_id: Mapped[int] = mapped_column(
        ForeignKey("roadmap_measure.id", ondelete="CASCADE"), primary_key=True
    )
    law: Mapped[str] = mapped_column(String(200), primary_key=True)
    article: Mapped[str] = mapped_column(String(50), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(10))


class RoadmapMinistry(Base):
    """A ministry in charge of a measure, in the table's order; ``main`` when marked ◎."""

    __tablename__ = "roadmap_ministry"

    measure_id: Mapped[int] = mapped_column(
        ForeignKey("roadmap_measure.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    main: Mapped[bool] = mapped_column(Boolean)


class RoadmapLink(Base):
    """A measure linked to a dataset, a data request or a live KPI."""

    __tablename__ = "roadmap_link"
    __table_args__ = (UniqueConstraint("measure_id", "kind", "target"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    measure_id: Mapped[int] = mapped_column(
        ForeignKey("roadmap_measure.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    target: Mapped[str] = mapped_column(String(100))
    created: Mapped[datetime] = mapped_column(DateTime)
