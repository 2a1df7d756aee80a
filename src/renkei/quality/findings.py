"""The vocabulary every scorer speaks: a finding, its severity, and a score made of findings.

A finding names the published rule it comes from (``rule``), how bad it is (``severity``),
where it is (``location``), what is wrong in Japanese and English, and how to fix it. A score is
the points a scorer gave out of the points it could give, with the findings that explain every
point lost. Scorers return these; reports, the API and the CLI render them, so one shape serves
them all.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field


class Severity(StrEnum):
    """``error`` fails a check (``renkei quality check`` exits 1); the others only inform."""

    error = "error"
    warning = "warning"
    info = "info"


class Location(BaseModel):
    """Where a finding is; every part is optional so one shape fits files, cells and fields."""

    resource_id: str | None = None
    sheet: str | None = None
    row: int | None = Field(default=None, description="1-based row number in the file")
    column: int | None = Field(default=None, description="1-based column number")
    column_name: str | None = None
    field: str | None = Field(default=None, description="metadata field, e.g. 'license_id'")

    def describe(self) -> str:
        parts = []
        if self.sheet:
            parts.append(f"sheet {self.sheet}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column {self.column}")
        if self.column_name:
            parts.append(f"'{self.column_name}'")
        if self.field:
            parts.append(f"field {self.field}")
        return ", ".join(parts)


class Finding(BaseModel):
    rule: str = Field(description="rule id, e.g. 'mqa.findability.keyword' or 'jp-mr.1-2'")
    severity: Severity
    location: Location = Field(default_factory=Location)
    message: str = Field(description="what is wrong, in English")
    message_ja: str = Field(description="what is wrong, in Japanese")
    fix: str = Field(default="", description="how to fix it, in English")
    fix_ja: str = Field(default="", description="how to fix it, in Japanese")
    points_lost: float = Field(default=0, description="points this finding cost, when scored")


class Score(BaseModel):
    """One scorer's result: points out of a maximum, a band when the method defines one."""

    scorer: str
    points: float
    max_points: float
    band: str | None = None
    findings: list[Finding] = Field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return any(f.severity is Severity.error for f in self.findings)
