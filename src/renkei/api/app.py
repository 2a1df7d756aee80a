"""The application factory: one node = settings + database + blob store + routers."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from renkei import __version__, web
from renkei.api import action_api, datastore_dump, downloads, rest
from renkei.api import ingest_routes as _ingest_routes  # noqa: F401  (adds its router to rest)
from renkei.api import needs as _needs_routes  # noqa: F401  (adds its router to rest)
from renkei.api import quality as quality_api  # noqa: F401  (registers /api/v1/quality)
from renkei.api import roadmap as _roadmap_routes  # noqa: F401  (adds its router to rest)
from renkei.catalog.context import Catalog
from renkei.config import Settings
from renkei.datastore import sync as datastore_sync
from renkei.datastore.store import DataStore
from renkei.jobs.queue import JobQueue
from renkei.quality import onsave as quality_onsave
from renkei.search.backend import make_backend
from renkei.store.blobs import LocalBlobStore
from renkei.store.db import make_engine, make_sessionmaker, upgrade


def build_catalog(
    settings: Settings, *, migrate: bool = True, apply_pending: bool = True
) -> Catalog:
    """Open (and by default migrate) the node's storage, and bring the search index up to date
    (``apply_pending=False`` leaves it as found, for ``renkei search check``)."""
    settings.ensure_dirs()
    blobs = LocalBlobStore(settings.blob_dir, settings.data_dir / "tmp")
    blobs.remove_stale_staging()
    url = settings.resolved_database_url
    if migrate:
        upgrade(url)
    engine = make_engine(url)
    catalog = Catalog(
        settings=settings,
        sessions=make_sessionmaker(engine),
        blobs=blobs,
        search=make_backend(settings.search, settings.data_dir / "search"),
        datastore=DataStore.open(settings),
    )
    catalog.resource_listeners.append(datastore_sync.resources_changed)
    # Its own worker, so that a long DataStore load never holds a rescore back (nor the
    # other way round).
    catalog.jobs = JobQueue()
    catalog.dataset_listeners.append(quality_onsave.datasets_changed)
    if apply_pending:
        catalog.search.ensure_built(catalog)  # type: ignore[union-attr]
        datastore_sync.resume(catalog)
    return catalog


def create_app(settings: Settings | None = None, catalog: Catalog | None = None) -> FastAPI:
    settings = settings or Settings()
    app = FastAPI(
        title="Renkei",
        version=__version__,
        description="A linked open-data catalog node with a CKAN-compatible Action API.",
    )
    app.state.catalog = catalog or build_catalog(settings)
    app.include_router(action_api.router)
    app.include_router(downloads.router)
    app.include_router(datastore_dump.router)
    rest.mount(app)
    # The pages (HTML and JSON twins), their static files and the session cookie; "/" is the
    # home page, whose JSON keeps the keys this node's JSON home had.
    web.mount(app, app.state.catalog)

    @app.get("/api", include_in_schema=False)
    @app.get("/api/3", include_in_schema=False)
    async def api_version() -> dict[str, Any]:
        return {"version": 3}

    return app
