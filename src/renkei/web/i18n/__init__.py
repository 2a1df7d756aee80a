"""Languages of the pages: gettext catalogs (Babel), locale choice, and locale-aware formats.

The catalogs live beside this file (``ja/LC_MESSAGES/messages.po`` and its compiled ``.mo``);
``README.md`` here has the commands that re-extract and compile them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_datetime
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations
from babel.units import format_unit

CATALOG_DIR = Path(__file__).resolve().parent
DOMAIN = "messages"
# The languages the interface is written in; a dataset may carry others in its *_translated.
LOCALES: tuple[str, ...] = ("ja", "en")
LANGUAGE_NAMES = {"ja": "日本語", "en": "English"}
LANG_PARAM = "lang"
LANG_COOKIE = "renkei_lang"


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated where it is shown."""
    return message


def normalize_locale(value: str | None) -> str | None:
    """``en``, ``EN``, ``en-GB`` and ``en_US`` all mean ``en``; None for languages we lack."""
    if not value:
        return None
    code = value.strip().replace("_", "-").split("-", 1)[0].lower()
    return code if code in LOCALES else None


@cache
def translations(locale: str) -> NullTranslations:
    """The compiled catalog of ``locale`` (English, the source language, needs none)."""
    loaded = Translations.load(str(CATALOG_DIR), [locale], DOMAIN)
    return loaded


@dataclass(frozen=True)
class Localized:
    """A value shown in a page, and the language it is in (for the ``lang`` attribute)."""

    text: str
    lang: str

    def __str__(self) -> str:
        return self.text


def localized(
    translated: dict[str, Any] | None, fallback: str | None, lang: str, default_lang: str
) -> Localized:
    """The value in ``lang`` if the object has it, else its default-language value.

    ``title``/``notes`` hold the default-language value (see docs/api.md), so the fallback is
    labelled with the node's default language.
    """
    translated = translated or {}
    value = translated.get(lang)
    if isinstance(value, str) and value.strip():
        return Localized(value, lang)
    if fallback:
        return Localized(fallback, default_lang)
    for code, text in translated.items():
        if isinstance(text, str) and text.strip():
            return Localized(text, code)
    return Localized("", lang)


@cache
def zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None  # no tz database on this machine: show UTC rather than fail


def parse_timestamp(value: str | datetime | None) -> datetime | None:
    """Stored timestamps are naive UTC (CKAN's wire format)."""
    if value is None or value == "":
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def format_timestamp(value: str | datetime | None, locale: str, tz_name: str) -> str:
    moment = parse_timestamp(value)
    if moment is None:
        return ""
    return format_datetime(moment, "medium", tzinfo=zone(tz_name) or UTC, locale=locale)


def format_number(value: int | float | None, locale: str) -> str:
    return "" if value is None else format_decimal(value, locale=locale)


_SIZE_UNITS = (
    (1000**4, "digital-terabyte"),
    (1000**3, "digital-gigabyte"),
    (1000**2, "digital-megabyte"),
    (1000, "digital-kilobyte"),
)


def format_size(value: int | None, locale: str) -> str:
    """A file size in decimal units (kB, MB...), as file managers and portals show them."""
    if value is None:
        return ""
    for factor, unit in _SIZE_UNITS:
        if value >= factor:
            return format_unit(
                value / factor, unit, length="short", format="#,##0.#", locale=locale
            )
    return f"{format_decimal(value, locale=locale)} B"
