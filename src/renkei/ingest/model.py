"""What an inspection tells about a file: its encoding and layout, its columns, its extents."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, computed_field

from renkei.quality.findings import Finding

ColumnType = Literal["integer", "number", "boolean", "date", "datetime", "time", "string"]
Role = Literal["latitude", "longitude", "latlon"]


class Column(BaseModel):
    name: str
    type: ColumnType = "string"
    format: str | None = Field(
        default=None,
        description="parse hint for dates and datetimes: '%Y/%m/%d', '%Y年%m月%d日', 'wareki'",
    )
    null_count: int = 0
    min: Any = None
    max: Any = None
    role: Role | None = None
    # The name as written in the file, when it had to be changed (duplicate, too long, empty).
    original_name: str | None = None


class Inspection(BaseModel):
    """One table-like file (or, for xlsx, one sheet; the top level describes the first)."""

    format: str | None = Field(description="csv, tsv, xlsx, json, geojson, parquet; None unknown")
    mimetype: str | None = None
    size: int = 0
    sha256: str = ""
    encoding: str | None = Field(
        default=None, description="codec that decodes the whole file; None for binary formats"
    )
    decode_errors: Literal["strict", "replace"] = Field(
        default="strict",
        description="'replace' when no encoding decodes the whole file (an error is reported)",
    )
    delimiter: str | None = None
    quotechar: str | None = None
    skip_rows: int = Field(default=0, description="physical rows before the header (preamble)")
    header_rows: int = Field(
        default=1,
        description="physical rows of the header (0: none, 2: names flattened as 'a_b'; "
        "'#'-prefixed metadata rows right under the header are counted here too)",
    )
    footer_rows: int = Field(default=0, description="notes after the data, excluded")
    ignored_rows: list[int] = Field(
        default_factory=list,
        description="1-based physical rows inside the data that are not data (a repeated header)",
    )
    columns: list[Column] = Field(default_factory=list)
    row_count: int = 0
    bbox: list[float] | None = Field(default=None, description="[west, south, east, north] WGS84")
    crs: str | None = None
    temporal: dict[str, str] | None = None
    sheet: str | None = None
    sheets: list[Inspection] = Field(default_factory=list)
    problems: list[Finding] = Field(default_factory=list)
    suggested_tags: list[str] = Field(default_factory=list)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def ok(self) -> bool:
        """False when a problem makes the file unusable as a table (an ``error`` finding)."""
        return not any(p.severity == "error" for p in self.problems)

    @property
    def data_start_row(self) -> int:
        """0-based physical row index of the first data row."""
        return self.skip_rows + self.header_rows
