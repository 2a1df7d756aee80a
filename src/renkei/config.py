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
    inspect_max_bytes: int = Field(
        default=1024**3, description="Largest file inspected by /api/v1/inspect (URL or upload)"
    )
    inspect_upload_max_bytes: int = Field(
        default=200 * 1024**2,
        description="Uploads up to this size are inspected when received (format, mimetype, "
        "Table Schema); larger ones are left to the background load",
    )
    inspect_fetch_timeout: float = Field(default=30.0, description="Seconds per URL fetch")
    inspect_allow_private_urls: bool = Field(
        default=False,
        description="Let URL inspection reach loopback/private addresses (tests only)",
    )
    create_unowned_dataset: bool = Field(
        default=False, description="Let users without an organisation create datasets"
    )

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'renkei.db').resolve()}"

    @property
    def blob_dir(self) -> Path:
        return self.data_dir / "blobs"

    def ensure_dirs(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.blob_dir.mkdir(parents=True, exist_ok=True)
        (self.data_dir / "tmp").mkdir(parents=True, exist_ok=True)
