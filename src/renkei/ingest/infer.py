"""Column types by elimination over EVERY value: sample-then-verify, never guess-and-hope.

Each column starts with every candidate type; a value that a candidate's converter rejects
removes it. The first values choose which date formats are candidates; the rest must fit one
of them. A candidate that held for many values and then failed is reported with the row that
broke it (CKAN's DataPusher guessed from early rows and failed half-way through a load).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from renkei.ingest import values
from renkei.ingest.model import Column
from renkei.ingest.problems import ProblemLog

# Preference when several candidates survive (an all-"1"/"0" column is integer, not boolean).
ORDER = ("integer", "number", "boolean", "date", "datetime", "time", "latlon")
# A candidate that survived this many values and then failed is worth telling the publisher.
LATE = 50

# Names of columns holding codes (municipality, postal, phone, ids): text whatever the values.
_CODE_NAME_RE = re.compile(
    r"(コード|番号|郵便|電話|code|zip|postal|phone|tel\b|fax)",
    re.IGNORECASE,
)
_LAT_NAME_RE = re.compile(r"(緯度|latitude|^lat$|^y$|y座標|^y_)", re.IGNORECASE)
_LON_NAME_RE = re.compile(r"(経度|longitude|^lon$|^lng$|^long$|^x$|x座標|^x_)", re.IGNORECASE)


def is_code_name(name: str) -> bool:
    return bool(_CODE_NAME_RE.search(values.normalize(name)))


@dataclass
class ColumnStats:
    name: str
    index: int
    candidates: set[str] = field(default_factory=lambda: set(ORDER))
    date_formats: list[str] | None = None
    datetime_formats: list[str] | None = None
    nulls: int = 0
    seen: int = 0
    num_min: Decimal | None = None
    num_max: Decimal | None = None
    date_min: dict[str, date] = field(default_factory=dict)
    date_max: dict[str, date] = field(default_factory=dict)
    dt_min: dict[str, datetime] = field(default_factory=dict)
    dt_max: dict[str, datetime] = field(default_factory=dict)
    lat_range: list[float] = field(default_factory=lambda: [90.0, -90.0])
    lon_range: list[float] = field(default_factory=lambda: [180.0, -180.0])
    leading_zero: bool = False
    # candidate -> (row, value, values seen before it failed) for candidates that failed late
    late_failures: dict[str, tuple[int, str, int]] = field(default_factory=dict)

    def add(self, text: str | None, row: int) -> None:
        if text is None or values.is_null(text):
            self.nulls += 1
            return
        self.seen += 1
        if not self.candidates:
            return
        value = values.normalize(text)
        for candidate in list(self.candidates):
            if not self._fits(candidate, value):
                self.candidates.discard(candidate)
                if self.seen > LATE:
                    self.late_failures[candidate] = (row, text, self.seen - 1)

    def fits_typed(self, text: str) -> bool:
        """Whether ``text`` fits at least one typed candidate still alive (no state change)."""
        value = values.normalize(text)
        typed = self.candidates - {"latlon"}
        return any(self._check(c, value) for c in typed)

    def _check(self, candidate: str, value: str) -> bool:
        if candidate == "integer":
            return values.to_integer(value) is not None
        if candidate == "number":
            return values.to_number(value) is not None
        if candidate == "boolean":
            return values.to_boolean(value) is not None
        if candidate == "time":
            return values.parse_time(value) is not None
        if candidate == "latlon":
            return values.parse_latlon(value) is not None
        if candidate == "date":
            formats = self.date_formats if self.date_formats is not None else None
            if formats is None:
                return bool(values.date_formats(value))
            return any(values.parse_date(value, f) is not None for f in formats)
        if candidate == "datetime":
            if self.datetime_formats is None:
                return bool(values.datetime_formats(value))
            return any(values.parse_datetime(value, f) is not None for f in self.datetime_formats)
        return False

    def _fits(self, candidate: str, value: str) -> bool:
        if candidate in ("integer", "number"):
            if values.has_leading_zero(value):
                self.leading_zero = True
                return False
            number = values.to_number(value)
            if number is None or (candidate == "integer" and values.to_integer(value) is None):
                return False
            if candidate == "number":
                self.num_min = number if self.num_min is None else min(self.num_min, number)
                self.num_max = number if self.num_max is None else max(self.num_max, number)
            return True
        if candidate == "date":
            if self.date_formats is None:
                self.date_formats = values.date_formats(value)
            alive = []
            for fmt in self.date_formats:
                parsed = values.parse_date(value, fmt)
                if parsed is not None:
                    alive.append(fmt)
                    self.date_min[fmt] = min(self.date_min.get(fmt, parsed), parsed)
                    self.date_max[fmt] = max(self.date_max.get(fmt, parsed), parsed)
            self.date_formats = alive
            return bool(alive)
        if candidate == "datetime":
            if self.datetime_formats is None:
                self.datetime_formats = values.datetime_formats(value)
            alive = []
            for fmt in self.datetime_formats:
                parsed_dt = values.parse_datetime(value, fmt)
                if parsed_dt is not None:
                    alive.append(fmt)
                    self.dt_min[fmt] = min(self.dt_min.get(fmt, parsed_dt), parsed_dt)
                    self.dt_max[fmt] = max(self.dt_max.get(fmt, parsed_dt), parsed_dt)
            self.datetime_formats = alive
            return bool(alive)
        if candidate == "latlon":
            pair = values.parse_latlon(value)
            if pair is None:
                return False
            lat, lon = pair
            self.lat_range = [min(self.lat_range[0], lat), max(self.lat_range[1], lat)]
            self.lon_range = [min(self.lon_range[0], lon), max(self.lon_range[1], lon)]
            return True
        return self._check(candidate, value)

    def result(self, log: ProblemLog) -> Column:
        column = Column(name=self.name, null_count=self.nulls)
        alive = [c for c in ORDER if c in self.candidates] if self.seen else []
        chosen = alive[0] if alive else "string"
        if chosen in ("integer", "number") and is_code_name(self.name):
            chosen = "string"  # 全国地方公共団体コード, 郵便番号: codes, even when all digits
        if chosen == "latlon":
            column.type = "string"
            column.role = "latlon"
            column.min = f"{self.lat_range[0]},{self.lon_range[0]}"
            column.max = f"{self.lat_range[1]},{self.lon_range[1]}"
            return column
        column.type = chosen  # type: ignore[assignment]
        if chosen in ("integer", "number"):
            low, high = self.num_min, self.num_max
            if chosen == "integer":
                column.min = int(low) if low is not None else None
                column.max = int(high) if high is not None else None
            else:
                column.min = float(low) if low is not None else None
                column.max = float(high) if high is not None else None
        elif chosen == "date":
            fmt = (self.date_formats or ["%Y-%m-%d"])[0]
            column.format = fmt
            column.min = self.date_min[fmt].isoformat()
            column.max = self.date_max[fmt].isoformat()
        elif chosen == "datetime":
            fmt = (self.datetime_formats or ["iso"])[0]
            column.format = fmt
            column.min = self.dt_min[fmt].isoformat()
            column.max = self.dt_max[fmt].isoformat()
        elif chosen == "string":
            self._report_late(log)
        return column

    def _report_late(self, log: ProblemLog) -> None:
        """A column that looked typed for many rows and then wasn't: say where it broke."""
        for candidate in ORDER:
            if candidate in self.late_failures and candidate != "latlon":
                row, text, before = self.late_failures[candidate]
                shown = text if len(text) <= 40 else text[:40] + "…"
                log.add(
                    "type.late_failure",
                    "warning",
                    f"Column '{self.name}' looked like {candidate} for {before} values, but "
                    f"row {row} has {shown!r}: the column is kept as text",
                    f"列「{self.name}」は{before}件の値が{candidate}でしたが、{row}行目の値"
                    f"「{shown}」が合わないため文字列として扱います",
                    row=row,
                    column=self.index + 1,
                    column_name=self.name,
                    fix="Correct the value, or leave the column as text",
                    fix_ja="値を修正するか、文字列の列のままにしてください",
                )
                return

    def geo_role(self, column: Column) -> str | None:
        """latitude / longitude for numeric columns named so whose values are in range."""
        if column.type not in ("number", "integer") or column.min is None:
            return None
        name = values.normalize(self.name)
        low, high = float(column.min), float(column.max)
        if _LAT_NAME_RE.search(name) and low >= -90 and high <= 90:
            return "latitude"
        if _LON_NAME_RE.search(name) and low >= -180 and high <= 180:
            return "longitude"
        return None


def column_summary(columns: list[Column]) -> list[dict[str, Any]]:
    return [{"name": c.name, "type": c.type} for c in columns]
