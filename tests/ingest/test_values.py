"""Value converters: what the inspector accepts is exactly what the loader converts."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

import pytest

from renkei.ingest import values


@pytest.mark.parametrize(
    ("text", "fmt", "expected"),
    [
        ("2024年4月1日", "%Y年%m月%d日", date(2024, 4, 1)),
        ("２０２４年４月１日", "%Y年%m月%d日", date(2024, 4, 1)),
        ("令和6年4月1日", "wareki", date(2024, 4, 1)),
        ("令和元年5月1日", "wareki", date(2019, 5, 1)),
        ("R6.4.1", "wareki", date(2024, 4, 1)),
        ("H31.4.30", "wareki", date(2019, 4, 30)),
        ("S64.1.7", "wareki", date(1989, 1, 7)),
        ("平成元年1月8日", "wareki", date(1989, 1, 8)),
        ("明治45年7月29日", "wareki", date(1912, 7, 29)),
        ("大正15年12月24日", "wareki", date(1926, 12, 24)),
        ("2024/4/1", "%Y/%m/%d", date(2024, 4, 1)),
        ("11/1/2018", "%m/%d/%Y", date(2018, 11, 1)),
        ("2024-04-01", None, date(2024, 4, 1)),
    ],
)
def test_parse_date_japanese_formats(text: str, fmt: str | None, expected: date) -> None:
    assert values.parse_date(text, fmt) == expected


@pytest.mark.parametrize(
    ("text", "fmt"),
    [
        ("平成元年1月7日", "wareki"),  # the Heisei era began on 8 January 1989
        ("令和6年2月30日", "wareki"),
        ("2024/13/1", "%Y/%m/%d"),
        ("令和2年度", "wareki"),  # a fiscal year, not a day
        ("2024-04-01", "%Y/%m/%d"),
    ],
)
def test_parse_date_refuses_what_is_not_that_date(text: str, fmt: str) -> None:
    assert values.parse_date(text, fmt) is None


def test_numbers_codes_and_booleans() -> None:
    assert values.to_integer("1,234") == 1234
    assert values.to_integer("１２３") == 123
    assert values.to_integer("0123") is None  # a code
    assert values.to_integer("1,23") is None
    assert values.to_integer(str(2**63)) is None
    assert values.to_number("34.34092056") == Decimal("34.34092056")
    assert values.to_number("0.5") == Decimal("0.5")
    assert values.to_number("01.5") is None
    assert values.to_boolean("TRUE") is True and values.to_boolean("いいえ") is False
    assert values.to_boolean("1") is None


def test_times_datetimes_and_latlon() -> None:
    assert values.parse_time("8:30") == time(8, 30)
    assert values.parse_time("17：00") == time(17, 0)
    assert values.parse_time("9時30分") == time(9, 30)
    assert values.parse_time("25:00") is None
    assert values.parse_datetime("2024-04-01T10:00:00", "iso") == datetime(2024, 4, 1, 10)
    assert values.parse_datetime("2024/04/01 10:00", "%Y/%m/%d %H:%M:%S") == datetime(
        2024, 4, 1, 10
    )
    assert values.parse_latlon("34.34092056,134.04522972") == (34.34092056, 134.04522972)
    assert values.parse_latlon("34.3, 134.1") == (34.3, 134.1)
    assert values.parse_latlon("134.1,234.3") is None


def test_convert_raises_instead_of_guessing() -> None:
    assert values.convert("", "integer") is None
    assert values.convert("－", "number") is None
    assert values.convert("1,234", "integer") == 1234
    assert values.convert("R6.4.1", "date", "wareki") == date(2024, 4, 1)
    with pytest.raises(ValueError, match="not a valid integer"):
        values.convert("abc", "integer")


def test_fiscal_years() -> None:
    assert values.parse_fiscal_year("令和2年度") == 2020
    assert values.parse_fiscal_year("令和元年度") == 2019
    assert values.parse_fiscal_year("H30年度") == 2018
    assert values.parse_fiscal_year("２０２０年度") == 2020
    assert values.parse_fiscal_year("令和2年") is None
