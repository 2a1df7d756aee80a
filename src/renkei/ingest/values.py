"""Cell values: what counts as empty, and the converters behind every inferred type.

The inspector decides a column's type by running these same functions over every value, so a
loader that converts with them converts exactly what the inspection promised. Text is
normalised with NFKC first (full-width digits, ``：`` and ``／`` become ASCII), as Japanese
publishers mix both widths in one column.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

# Tokens publishers use for "no value". Kept small on purpose: each one is a value the loader
# will turn into NULL, so a word that could be data (なし, 0) is not here.
NULL_TOKENS = frozenset({"", "-", "－", "ー", "―", "‐", "NA", "N/A", "n/a", "NULL", "null"})
TRUE_TOKENS = frozenset({"true", "yes", "はい"})
FALSE_TOKENS = frozenset({"false", "no", "いいえ"})

# Japanese eras: first day of each era, used for both the full names and the M/T/S/H/R letters.
ERAS: dict[str, date] = {
    "明治": date(1868, 1, 25),
    "大正": date(1912, 7, 30),
    "昭和": date(1926, 12, 25),
    "平成": date(1989, 1, 8),
    "令和": date(2019, 5, 1),
}
ERA_LETTERS = {"M": "明治", "T": "大正", "S": "昭和", "H": "平成", "R": "令和"}

_INT_RE = re.compile(r"[+-]?(?:0|[1-9]\d*|[1-9]\d{0,2}(?:,\d{3})+)")
_NUM_RE = re.compile(r"[+-]?(?:(?:\d+|\d{1,3}(?:,\d{3})+)(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_LEADING_ZERO_RE = re.compile(r"[+-]?0\d")

# Date formats, tried in this order: the first that fits every value of a column wins.
_D = r"(\d{1,2})"
DATE_FORMATS: dict[str, tuple[re.Pattern[str], tuple[int, int, int]]] = {
    # format -> (pattern, positions of year, month, day among the groups)
    "%Y-%m-%d": (re.compile(r"(\d{4})-" + _D + "-" + _D), (0, 1, 2)),
    "%Y/%m/%d": (re.compile(r"(\d{4})/" + _D + "/" + _D), (0, 1, 2)),
    "%Y.%m.%d": (re.compile(r"(\d{4})\." + _D + r"\." + _D), (0, 1, 2)),
    "%Y年%m月%d日": (re.compile(r"(\d{4})\s*年\s*" + _D + r"\s*月\s*" + _D + r"\s*日"), (0, 1, 2)),
    "%m/%d/%Y": (re.compile(_D + "/" + _D + r"/(\d{4})"), (2, 0, 1)),
    "%d/%m/%Y": (re.compile(_D + "/" + _D + r"/(\d{4})"), (2, 1, 0)),
}
WAREKI = "wareki"
_WAREKI_RE = re.compile(
    r"(明治|大正|昭和|平成|令和|[MTSHR])\s*(元|\d{1,2})\s*(?:年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"
    r"|[./-](\d{1,2})[./-](\d{1,2}))"
)
_TIME_RE = re.compile(r"(\d{1,2})(?::|時)(\d{2})(?:(?::|分)(\d{2})(?:\.(\d{1,6}))?秒?|分)?")
DATETIME_FORMATS = ("iso", "%Y/%m/%d %H:%M:%S", "%Y年%m月%d日 %H:%M")
_DT_SPLIT_RE = re.compile(r"(.+?)(?:\s+|T)(\d{1,2}(?::|時)\d{2}.*)")


def normalize(text: str) -> str:
    """Trimmed, and NFKC-normalised when not plain ASCII (full-width digits and signs)."""
    text = text.strip()
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text).strip()
    return text


def is_null(text: str | None) -> bool:
    return text is None or text.strip() in NULL_TOKENS


def has_leading_zero(text: str) -> bool:
    """``0123`` is a code (postal, municipality, phone), not the number 123."""
    return bool(_LEADING_ZERO_RE.match(normalize(text)))


def to_integer(text: str) -> int | None:
    """An integer (``1,234`` and full-width digits accepted); None when the text isn't one.

    A leading zero makes it a code, not an integer; so does a value beyond 64 bits."""
    value = normalize(text)
    if not _INT_RE.fullmatch(value):
        return None
    number = int(value.replace(",", ""))
    if not -(2**63) <= number < 2**63:
        return None
    return number


def to_number(text: str) -> Decimal | None:
    """A decimal number (``1,234.5``, ``1e-3``); None when the text isn't one."""
    value = normalize(text)
    if not _NUM_RE.fullmatch(value) or has_leading_zero(value):
        return None
    try:
        return Decimal(value.replace(",", ""))
    except InvalidOperation:
        return None


def to_boolean(text: str) -> bool | None:
    value = normalize(text).lower()
    if value in TRUE_TOKENS:
        return True
    if value in FALSE_TOKENS:
        return False
    return None


def _make_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _wareki(match: re.Match[str]) -> date | None:
    era = ERA_LETTERS.get(match.group(1), match.group(1))
    start = ERAS[era]
    year_in_era = 1 if match.group(2) == "元" else int(match.group(2))
    if year_in_era < 1:
        return None
    month = int(match.group(3) or match.group(5))
    day = int(match.group(4) or match.group(6))
    result = _make_date(start.year + year_in_era - 1, month, day)
    if result is None or result < start:
        return None
    # A date past the next era's start (平成32年) is written by some publishers; accept it, as
    # the date itself is unambiguous.
    return result


def parse_date(text: str, format: str | None) -> date | None:  # noqa: A002 - Table Schema name
    """The date in ``text`` written in ``format`` (see DATE_FORMATS, or "wareki"); else None.

    ``format`` None tries every known format in order."""
    value = normalize(text)
    if format is None:
        for candidate in date_formats(value):
            return parse_date(value, candidate)
        return None
    if format == WAREKI:
        match = _WAREKI_RE.fullmatch(value)
        return _wareki(match) if match else None
    spec = DATE_FORMATS.get(format)
    if spec is None:
        try:
            return datetime.strptime(value, format).date()
        except ValueError:
            return None
    pattern, (y, m, d) = spec
    match = pattern.fullmatch(value)
    if not match:
        return None
    groups = match.groups()
    return _make_date(int(groups[y]), int(groups[m]), int(groups[d]))


def date_formats(text: str) -> list[str]:
    """Every known date format ``text`` fits (normalised text expected)."""
    found = [name for name in DATE_FORMATS if parse_date(text, name) is not None]
    if _WAREKI_RE.fullmatch(text) and parse_date(text, WAREKI) is not None:
        found.append(WAREKI)
    return found


_FISCAL_RE = re.compile(r"(?:(明治|大正|昭和|平成|令和|[MTSHR])\s*(元|\d{1,2})|(\d{4}))\s*年度")


def parse_fiscal_year(text: str) -> int | None:
    """The calendar year a Japanese fiscal year starts in: 令和2年度 and 2020年度 are 2020
    (April 2020 to March 2021); None when not a fiscal year."""
    match = _FISCAL_RE.fullmatch(normalize(text))
    if not match:
        return None
    if match.group(3):
        return int(match.group(3))
    era = ERA_LETTERS.get(match.group(1), match.group(1))
    year = 1 if match.group(2) == "元" else int(match.group(2))
    return ERAS[era].year + year - 1 if year >= 1 else None


def parse_time(text: str, format: str | None = None) -> time | None:  # noqa: A002
    """``8:30``, ``17:15:00``, ``9時30分``; None when not a time of day."""
    match = _TIME_RE.fullmatch(normalize(text))
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    second = int(match.group(3) or 0)
    micro = int((match.group(4) or "0").ljust(6, "0"))
    if hour == 24 and minute == 0 and second == 0:
        hour = 0  # "24:00" closes a day in opening hours; keep it as midnight
    try:
        return time(hour, minute, second, micro)
    except ValueError:
        return None


def parse_datetime(text: str, format: str | None) -> datetime | None:  # noqa: A002
    """A date and a time of day in one cell: ISO 8601 (``iso``) or a date format, a space and a
    time (``%Y/%m/%d %H:%M:%S``); None when not one."""
    value = normalize(text)
    if format in (None, "iso"):
        if len(value) >= 16 and value[4] == "-" and value[10] in "T ":
            try:
                return datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                pass
        if format == "iso":
            return None
    match = _DT_SPLIT_RE.fullmatch(value)
    if not match:
        return None
    day_part = match.group(1)
    day = None
    if format is None:
        day = parse_date(day_part, None)
    else:
        day_format = format.split(" ")[0]
        day = parse_date(day_part, day_format)
    clock = parse_time(match.group(2))
    if day is None or clock is None:
        return None
    return datetime.combine(day, clock)


def datetime_formats(text: str) -> list[str]:
    """The datetime formats ``text`` fits: "iso", or "<date format> %H:%M:%S"."""
    if parse_datetime(text, "iso") is not None:
        return ["iso"]
    match = _DT_SPLIT_RE.fullmatch(text)
    if not match or parse_time(match.group(2)) is None:
        return []
    return [f"{name} %H:%M:%S" for name in date_formats(match.group(1))]


_LATLON_RE = re.compile(r"\(?\s*([+-]?\d{1,3}\.\d+)\s*[,，、 ]\s*([+-]?\d{1,3}\.\d+)\s*\)?")


def parse_latlon(text: str) -> tuple[float, float] | None:
    """A "lat,lon" pair in one cell (``34.34,134.04`` or ``"34.3, 134.0"``); None otherwise."""
    match = _LATLON_RE.fullmatch(normalize(text))
    if not match:
        return None
    lat, lon = float(match.group(1)), float(match.group(2))
    if -90 <= lat <= 90 and -180 <= lon <= 180:
        return lat, lon
    return None


def convert(text: str | None, type_: str, format: str | None = None) -> object:  # noqa: A002
    """The typed value of a cell for a Table Schema type; None for empty cells.

    Raises ValueError when the text doesn't fit, so that a loader never stores a guess."""
    if text is None or is_null(text):
        return None
    if type_ == "string":
        return text
    converters = {
        "integer": lambda: to_integer(text),
        "number": lambda: to_number(text),
        "boolean": lambda: to_boolean(text),
        "date": lambda: parse_date(text, format),
        "datetime": lambda: parse_datetime(text, format),
        "time": lambda: parse_time(text, format),
    }
    if type_ not in converters:
        raise ValueError(f"unknown type {type_!r}")
    result = converters[type_]()
    if result is None:
        raise ValueError(f"{text!r} is not a valid {type_}")
    return result
