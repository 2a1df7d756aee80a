"""Settings, in one place: read from ``RENKEI_*`` environment variables or given explicitly."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything a node can be configured with. Build it explicitly and pass it down."""

    model_config = SettingsConfigDict(env_prefix="RENKEI_", extra="ignore")

    data_dir: Path = Field(
        default=Path("./renkei-data"), description="Where the node keeps its files"
    )
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default is SQLite inside the data dir"
    )
    site_url: str = Field(
        default="http://127.0.0.1:5000", description="Public base URL of the node"
    )
    site_title: str = "Renkei"
    site_description: str = "連携 — a linked open data catalog"
    default_locale: str = "ja"
    max_upload_bytes: int = Field(default=10 * 1024**3, description="Largest accepted upload")
    max_json_bytes: int = Field(
        default=32 * 1024**2, description="Largest accepted JSON request body"
    )
    search_rows_max: int = 1000
    search: str = Field(default="tantivy", description="Search backend: tantivy or sql")
    secret_key: str | None = Field(
        default=None, description="Signs session cookies; default: generated into the data dir"
    )
    timezone: str = Field(default="Asia/Tokyo", description="Time zone of dates shown in pages")
    map_tiles: str | None = Field(
        default=None,
        description=(
            "Base map: an XYZ raster tile URL template such as GSI's "
            "https://cyberjapandata.gsi.go.jp/xyz/std/{z}/{x}/{y}.png; none: data on a plain "
            "background"
        ),
    )
    map_attribution: str = Field(
        default="",
        description="Credit shown on maps for the base map tiles (e.g. 地理院タイル)",
    )
    login_attempts: int = Field(
        default=5, description="Failed logins allowed per account and per address in the window"
    )
    login_window_seconds: int = Field(
        default=300, description="The sliding window of login_attempts, in seconds"
    )
    inspect_max_bytes: int = Field(
        default=1024**3, description="Largest file inspected by /api/v1/inspect (URL or upload)"
    )
    inspect_upload_max_bytes: int = Field(
        default=200 * 1024**2,
        description="Uploads up to this size are inspected when received (format, mimetype, "
        "Table Schema); larger ones are left to the background load",
    )
    inspect_fetch_timeout: float = Field(default=30.0, description="Seconds per URL fetch")
    create_unowned_dataset: bool = Field(
        default=False, description="Let users without an organisation create datasets"
    )
    fetch_allow_private: bool = Field(
        default=False,
        description="Let link checks, URL inspection and DataStore fetches reach private, "
        "loopback and link-local addresses "
        "(tests, closed networks); off by default so a resource URL can't probe the node's LAN",
    )
    link_check_timeout: float = Field(default=10.0, description="Seconds per link-check request")
    link_check_host_interval: float = Field(
        default=1.0, description="Least seconds between two link-check requests to one host"
    )

    datastore_sql: bool = Field(
        default=True,
        description="Allow datastore_search_sql (read-only, sandboxed); false turns it off",
    )
    datastore_sql_timeout_ms: int = Field(
        default=5000, description="Longest a datastore_search_sql query may run"
    )
    datastore_rows_max: int = Field(
        default=32000, description="Most rows datastore_search and datastore_search_sql return"
    )
    datastore_memory_limit: str = Field(
        default="512MB", description="Memory a DataStore query or load may use (DuckDB syntax)"
    )
    datastore_threads: int = Field(default=2, description="Threads a DataStore query may use")
    datastore_load_memory_limit: str = Field(
        default="2GB",
        description="Memory a DataStore load may use; beyond it DuckDB spills to the data dir",
    )
    datastore_fetch_max_bytes: int = Field(
        default=2 * 1024**3,
        description="Largest file fetched from a link resource's URL to load into the DataStore",
    )
    datastore_fetch_timeout: float = Field(
        default=60.0,
        description="Seconds a DataStore fetch waits to connect, or for the next bytes",
    )
    datastore_sample_above_bytes: int = Field(
        default=64 * 1024**2,
        description="CSV/TSV files larger than this are inspected from their head and tail; "
        "their problems are then listed from a scan of the whole file",
    )
    quality_on_save: bool = Field(
        default=True,
        description="Rescore a scored dataset in the background after each committed change "
        "of it or of its resources (no link checks: `renkei quality scan --links`); false: "
        "its report is only marked stale until the next scan",
    )
    quality_on_save_delay: float = Field(
        default=1.0,
        ge=0,
        description="Seconds a rescore waits after the first change, so that a burst of "
        "edits of one dataset gives one rescore",
    )

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'renkei.db').resolve()}"

    @property
    def blob_dir(self) -> Path:
        return self.data_dir / "blobs"

    @property
    def datastore_dir(self) -> Path:
        return self.data_dir / "datastore"

    def ensure_dirs(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.blob_dir.mkdir(parents=True, exist_ok=True)
        (self.data_dir / "tmp").mkdir(parents=True, exist_ok=True)
