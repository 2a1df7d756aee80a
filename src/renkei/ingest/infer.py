"""Column types by elimination over EVERY value: sample-then-verify, never guess-and-hope.

Each column starts with every candidate type; a value that a candidate's converter rejects
removes it. The first values choose which date formats are candidates; the rest must fit one
of them. A candidate that held for many values and then failed is reported with the row that
broke it (CKAN's DataPusher guessed from early rows and failed half-way through a load).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from itertools import filterfalse
from typing import Any

from renkei.ingest import values
from renkei.ingest.model import Column
from renkei.ingest.problems import ProblemLog

# Preference when several candidates survive (an all-"1"/"0" column is integer, not boolean).
ORDER = ("integer", "number", "boolean", "date", "datetime", "time", "latlon", "fiscal")
# A candidate that survived this many values and then failed is worth telling the publisher.
LATE = 50
# Values checked one by one before batches are verified by regular expressions.
SAMPLE = 1000
# Coordinates kept per column to find outliers; beyond, the extent is the plain min/max.
MAX_POINTS = 100_000
_S = r"[ \t]*"
# Whole-batch forms of the converters in ``values`` (one value per line, NFKC-normalised):
# what one of these accepts, the converter accepts too (dates are parsed one by one).
_BATCH: dict[str, re.Pattern[str]] = {
    "integer": re.compile(rf"(?:{_S}[+-]?(?:0|[1-9]\d*|[1-9]\d{{0,2}}(?:,\d{{3}})+){_S}\n)*"),
    "number": re.compile(
        rf"(?:{_S}(?![+-]?0\d)[+-]?(?:(?:\d+|\d{{1,3}}(?:,\d{{3}})+)(?:\.\d*)?|\.\d+)"
        rf"(?:[eE][+-]?\d+)?{_S}\n)*"
    ),
    "boolean": re.compile(rf"(?i:{_S}(?:true|false|yes|no|はい|いいえ){_S}\n)*"),
    "time": re.compile(
        rf"(?:{_S}\d{{1,2}}(?::|時)\d{{2}}(?:(?::|分)\d{{2}}(?:\.\d{{1,6}})?秒?|分)?{_S}\n)*"
    ),
    "fiscal": re.compile(
        rf"(?:{_S}(?:(?:明治|大正|昭和|平成|令和|[MTSHR])\s*(?:元|\d{{1,2}})|\d{{4}})\s*年度{_S}\n)*"
    ),
    "latlon": re.compile(
        rf"(?:{_S}\(?\s*[+-]?\d{{1,3}}\.\d+\s*[,，、 ]\s*[+-]?\d{{1,3}}\.\d+\s*\)?{_S}\n)*"
    ),
}
_ISO_DATES = re.compile(r"(?:[ \t]*\d{4}-\d{2}-\d{2}[ \t]*\n)*")
_NULL_OR_NONE = frozenset({*values.NULL_TOKENS, None})


@lru_cache(maxsize=65536)
def _cached_date(text: str, fmt: str) -> date | None:
    return values.parse_date(text, fmt)


_LATLON_FIND = re.compile(r"([+-]?\d{1,3}\.\d+)\s*[,，、 ]\s*([+-]?\d{1,3}\.\d+)")

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
    fiscal_range: list[int] = field(default_factory=lambda: [9999, 0])
    leading_zero: bool = False
    # candidate -> (row, value, values seen before it failed) for candidates that failed late
    late_failures: dict[str, tuple[int, str, int]] = field(default_factory=dict)
    # (row, text) of coordinate-like values, to find a point far from all the others
    points: list[tuple[int, str]] = field(default_factory=list)
    points_overflow: bool = False

    def keep_points(self, cells: Sequence[str | None], rows: list[int]) -> None:
        """Remember the values of a column that may hold coordinates (by name, or "lat,lon")."""
        if not (_LAT_NAME_RE.search(self.name) or _LON_NAME_RE.search(self.name)) and (
            "latlon" not in self.candidates
        ):
            return
        if len(self.points) >= MAX_POINTS:
            self.points_overflow = True
            return
        self.points += [
            (row, cell) for row, cell in zip(rows, cells, strict=True) if cell not in _NULL_OR_NONE
        ]

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

    def add_batch(self, cells: Sequence[str | None], rows: list[int]) -> None:
        """Many values at once: after the first SAMPLE values (checked one by one), the types
        still alive are verified on the whole batch with one regular expression each; only a
        batch that fails goes value by value, to find and report the exact row."""
        present = list(filterfalse(_NULL_OR_NONE.__contains__, cells))
        if not self.candidates:
            # Whitespace around a null token (" - ") is still null, as values.is_null says.
            real = len(list(filterfalse(_NULL_OR_NONE.__contains__, map(str.strip, present))))
            self.nulls += len(cells) - real
            self.seen += real
            return
        if self.seen < SAMPLE or not self._verify_batch(present):
            for cell, row in zip(cells, rows, strict=True):
                self.add(cell, row)
            return
        self.nulls += len(cells) - len(present)
        self.seen += len(present)

    def _verify_batch(self, present: list[str]) -> bool:
        """True when every alive candidate accepts every value (statistics updated)."""
        if not present:
            return True
        joined = "\n".join(present)
        if joined.count("\n") != len(present) - 1:
            return False  # a value with a line break: go value by value
        if not joined.isascii():
            joined = unicodedata.normalize("NFKC", joined)
            if joined.count("\n") != len(present) - 1:
                return False
        text = joined + "\n"
        for candidate in self.candidates:
            if candidate == "number" and "integer" in self.candidates:
                continue  # every integer is a number: the integer check covers it
            pattern = _BATCH.get(candidate)
            if pattern is not None and not pattern.fullmatch(text):
                return False
        for candidate in ("date", "datetime"):
            if candidate in self.candidates and not self._dates(candidate, joined):
                return False
        return self._numeric_ranges(joined)

    def _dates(self, candidate: str, joined: str) -> bool:
        """Dates and datetimes need their calendar checked: parse each (few such columns)."""
        # Dates repeat (a survey date, opening days): parse each distinct value once.
        items = list({v.strip() for v in joined.split("\n")})
        if candidate == "date":
            formats = self.date_formats or []
            if formats[:1] == ["%Y-%m-%d"] and _ISO_DATES.fullmatch(joined + "\n"):
                try:
                    parsed = [date.fromisoformat(v) for v in items]
                except ValueError:
                    return False
                fmt = "%Y-%m-%d"
                self.date_formats = [fmt]
                self.date_min[fmt] = min(self.date_min.get(fmt, parsed[0]), min(parsed))
                self.date_max[fmt] = max(self.date_max.get(fmt, parsed[0]), max(parsed))
                return True
            alive = []
            for fmt in formats:
                got = [_cached_date(v, fmt) for v in items]
                if all(d is not None for d in got):
                    alive.append(fmt)
                    self.date_min[fmt] = min([self.date_min.get(fmt, got[0]), *got])  # type: ignore[list-item]
                    self.date_max[fmt] = max([self.date_max.get(fmt, got[0]), *got])  # type: ignore[list-item]
            if not alive:
                return False
            self.date_formats = alive
            return True
        alive = []
        for fmt in self.datetime_formats or []:
            got_dt = [values.parse_datetime(v, fmt) for v in items]
            if all(d is not None for d in got_dt):
                alive.append(fmt)
                self.dt_min[fmt] = min([self.dt_min.get(fmt, got_dt[0]), *got_dt])  # type: ignore[list-item]
                self.dt_max[fmt] = max([self.dt_max.get(fmt, got_dt[0]), *got_dt])  # type: ignore[list-item]
        if not alive:
            return False
        self.datetime_formats = alive
        return True

    def _numeric_ranges(self, joined: str) -> bool:
        if "integer" in self.candidates or "number" in self.candidates:
            items = joined.replace(",", "").split("\n")
            if "integer" in self.candidates:
                ints = list(map(int, items))
                low, high = min(ints), max(ints)
                if not (low >= -(2**63) and high < 2**63):
                    return False
                low_d, high_d = Decimal(low), Decimal(high)
            else:
                floats = list(map(float, items))
                low_d = Decimal(items[floats.index(min(floats))].strip())
                high_d = Decimal(items[floats.index(max(floats))].strip())
            self.num_min = low_d if self.num_min is None else min(self.num_min, low_d)
            self.num_max = high_d if self.num_max is None else max(self.num_max, high_d)
        if "latlon" in self.candidates:
            pairs = _LATLON_FIND.findall(joined)
            lats = [float(a) for a, _ in pairs]
            lons = [float(b) for _, b in pairs]
            if not (
                min(lats) >= -90 and max(lats) <= 90 and min(lons) >= -180 and max(lons) <= 180
            ):
                return False
            self.lat_range = [min(self.lat_range[0], min(lats)), max(self.lat_range[1], max(lats))]
            self.lon_range = [min(self.lon_range[0], min(lons)), max(self.lon_range[1], max(lons))]
        if "fiscal" in self.candidates:
            years = [values.parse_fiscal_year(v) for v in set(joined.split("\n"))]
            if any(y is None for y in years):
                return False
            found = [y for y in years if y is not None]
            self.fiscal_range = [
                min(self.fiscal_range[0], *found),
                max(self.fiscal_range[1], *found),
            ]
        if "time" in self.candidates:
            return all(values.parse_time(v) is not None for v in joined.split("\n"))
        return True

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
        if candidate == "fiscal":
            return values.parse_fiscal_year(value) is not None
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
        if candidate == "fiscal":
            year = values.parse_fiscal_year(value)
            if year is None:
                return False
            self.fiscal_range = [min(self.fiscal_range[0], year), max(self.fiscal_range[1], year)]
            return True
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
        if chosen == "fiscal":
            # 令和2年度: text to load, a fiscal year (April to March) for the temporal coverage.
            column.format = "fiscal_year"
            column.min, column.max = self.fiscal_range
            return column
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
