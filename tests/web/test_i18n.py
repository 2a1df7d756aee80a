"""Japanese and English: the switch, the cookie, dataset fields, dates, and the catalogs."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

from renkei.api.app import create_app
from renkei.catalog.context import Catalog
from renkei.config import Settings
from renkei.web.i18n import (
    CATALOG_DIR,
    LOCALES,
    format_size,
    format_timestamp,
    localized,
    normalize_locale,
)
from tests.web.conftest import Site, login

WEB_DIR = CATALOG_DIR.parent


def test_default_language_is_the_settings_one(client: TestClient, site: Site) -> None:
    html = client.get(f"/dataset/{site.public}").text
    assert '<html lang="ja">' in html
    assert "<h1>避難所一覧</h1>" in html and "データとリソース" in html


def test_english_node_by_default(settings: Settings, catalog: Catalog, site: Site) -> None:
    english = settings.model_copy(update={"default_locale": "en"})
    with TestClient(create_app(english, replace(catalog, settings=english))) as client:
        assert '<html lang="en">' in client.get("/").text


def test_language_switch_sets_a_cookie_that_later_pages_keep(
    client: TestClient, site: Site
) -> None:
    switched = client.get(f"/dataset/{site.public}", params={"lang": "en"})
    assert '<html lang="en">' in switched.text
    assert "<h1>List of shelters</h1>" in switched.text
    assert "Data and resources" in switched.text
    assert ">Disaster prevention</a>" in switched.text  # the dataset's group, in English
    assert "renkei_lang=en" in switched.headers["set-cookie"]
    # A plain link afterwards: still English, the organization's English title too.
    org_page = client.get(f"/organization/{site.org}").text
    assert '<html lang="en">' in org_page and "Test City" in org_page
    # The switch offers the other language for the same page and parameters.
    search = client.get("/dataset", params={"q": "避難所"}).text
    assert 'href="/dataset?q=%E9%81%BF%E9%9B%A3%E6%89%80&amp;lang=ja"' in search
    back = client.get("/", params={"lang": "ja"})
    assert '<html lang="ja">' in back.text and "renkei_lang=ja" in back.headers["set-cookie"]
    assert '<html lang="ja">' in client.get("/dataset").text


def test_unknown_languages_fall_back(client: TestClient, site: Site) -> None:
    response = client.get("/", params={"lang": "xx"})
    assert '<html lang="ja">' in response.text
    assert "set-cookie" not in response.headers
    client.cookies.set("renkei_lang", "<script>")
    assert '<html lang="ja">' in client.get("/").text
    assert normalize_locale("en-GB") == "en" and normalize_locale("EN_us") == "en"
    assert normalize_locale("fr") is None and normalize_locale(None) is None


def test_untranslated_fields_fall_back_and_say_their_language(
    client: TestClient, site: Site
) -> None:
    login(client, site.member)
    html = client.get(f"/dataset/{site.private}", params={"lang": "en"}).text
    # Only a Japanese title: shown in an English page, marked as Japanese for screen readers.
    assert '<h1 lang="ja">非公開の下書き</h1>' in html
    loc = localized({"ja": "名前"}, "名前", "en", "ja")
    assert (loc.text, loc.lang) == ("名前", "ja")
    assert localized({}, None, "en", "ja").text == ""
    assert localized({"fr": "nom"}, None, "en", "ja").lang == "fr"
    page = client.get(f"/organization/{site.org}", params={"lang": "en"}).text
    assert "List of shelters" in page and "Disaster prevention" in page


def test_dates_and_sizes_in_the_locale_format() -> None:
    moment = datetime(2024, 1, 2, 3, 4, 5)  # naive UTC, as stored
    assert format_timestamp(moment, "ja", "Asia/Tokyo") == "2024/01/02 12:04:05"
    english = format_timestamp(moment.isoformat(), "en", "Asia/Tokyo")
    assert english == "Jan 2, 2024, 12:04:05\u202fPM"
    assert format_timestamp(None, "en", "UTC") == ""
    assert format_timestamp(moment, "en", "Not/AZone").startswith("Jan 2, 2024, 3:04:05")
    assert format_size(512, "en") == "512 B"
    assert format_size(78_700, "en") == "78.7 kB"
    assert format_size(1_234_567_890, "ja") == "1.2 GB"
    assert format_size(None, "ja") == ""


def test_pages_show_dates_in_the_locale_format(client: TestClient, site: Site) -> None:
    ja = client.get(f"/dataset/{site.public}", params={"lang": "ja"}).text
    en = client.get(f"/dataset/{site.public}", params={"lang": "en"}).text
    year = str(datetime.now().year)
    assert f"{year}/" in ja
    assert f", {year}," in en


# -- the message catalogs ---------------------------------------------------------------------


def _extracted() -> set[str]:
    with open(CATALOG_DIR / "babel.cfg", encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    return {
        message[2] if isinstance(message[2], str) else message[2][0]
        for message in extract_from_dir(str(WEB_DIR), method_map, options_map)
    }


def _ids(path: Path) -> set[str]:
    with open(path, "rb") as handle:
        catalog = read_po(handle)
    return {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}


def test_the_template_catalog_matches_the_sources() -> None:
    """Fails when a message was added or changed without re-extracting (see i18n/README.md)."""
    assert _extracted() == _ids(CATALOG_DIR / "messages.pot")


@pytest.mark.parametrize("locale", LOCALES)
def test_every_message_is_translated_and_compiled(locale: str) -> None:
    po_path = CATALOG_DIR / locale / "LC_MESSAGES" / "messages.po"
    with open(po_path, "rb") as handle:
        catalog = read_po(handle, locale=locale)
    assert _ids(po_path) == _ids(CATALOG_DIR / "messages.pot")
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings), f"{locale}: no translation for {message.id!r}"
        assert not message.fuzzy, f"{locale}: fuzzy {message.id!r}"
    with open(po_path.with_suffix(".mo"), "rb") as handle:
        compiled = read_mo(io.BytesIO(handle.read()))
    assert _pairs(compiled) == _pairs(catalog), f"{locale}: messages.mo is stale; pybabel compile"


def _pairs(catalog: Any) -> set[tuple[Any, Any]]:
    def frozen(value: Any) -> Any:
        return tuple(value) if isinstance(value, list | tuple) else value

    return {(frozen(m.id), frozen(m.string)) for m in catalog if m.id}
