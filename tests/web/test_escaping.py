"""Hostile text stays text: titles, tags, descriptions (Markdown), JSON-LD, URLs."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

from fastapi.testclient import TestClient

from renkei.catalog import packages, users
from renkei.catalog.context import Catalog
from renkei.web.jsonld import script_json
from renkei.web.markdown import plain_text, render_markdown
from tests.web.conftest import Site

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _hostile_dataset(catalog: Catalog, site: Site) -> str:
    with catalog.context() as ctx:
        admin = users.get_user(ctx, site.admin)
    with catalog.context(admin.id) as ctx:
        packages.package_create(
            ctx,
            {
                "name": "hostile",
                "title": HOSTILE,
                "title_translated": {"en": "</script><script>alert('en')</script>"},
                "notes": (
                    "Hello <script>alert(1)</script> [click](javascript:alert(1)) "
                    '<a href="x" onclick="y">raw</a>\n\n# Heading\n\n![i](x" onerror="z)'
                ),
                "owner_org": site.org,
                "author": "<b>bold</b>",
                "extras": [{"key": "<k>", "value": "</script><!--"}],
                "resources": [
                    {
                        "name": "<svg onload=alert(1)>",
                        "url": 'https://example.org/a"onmouseover="x',
                        "description": "<iframe src=x>",
                        "format": "<CSV>",
                    }
                ],
            },
        )
    return "hostile"


class _Elements(HTMLParser):
    """Every element and attribute a browser would build from the page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Elements()
    parser.feed(html)
    return parser.tags


def test_hostile_dataset_is_escaped_on_every_page(
    client: TestClient, catalog: Catalog, site: Site
) -> None:
    name = _hostile_dataset(catalog, site)
    for path in (f"/dataset/{name}", "/dataset", "/", f"/organization/{site.org}"):
        for lang in ("ja", "en"):
            elements = _elements(client.get(path, params={"lang": lang}).text)
            for tag, attrs in elements:
                assert not [a for a in attrs if a.startswith("on")], (path, tag, attrs)
                assert tag not in ("svg", "iframe", "img", "b"), (path, tag, attrs)
                if tag == "script":
                    # Data blocks (never run), or the node's own bundled scripts.
                    data_block = attrs.get("type") in ("application/ld+json", "application/json")
                    own = (attrs.get("src") or "").startswith("/static/")
                    assert data_block or own, (path, attrs)
                href = (attrs.get("href") or "").strip().lower()
                assert not href.startswith("javascript:"), (path, attrs)
    page = client.get(f"/dataset/{name}", params={"lang": "ja"}).text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    assert 'href="https://example.org/a&#34;onmouseover=&#34;x"' in page


def test_json_ld_cannot_close_its_script_element(
    client: TestClient, catalog: Catalog, site: Site
) -> None:
    name = _hostile_dataset(catalog, site)
    for lang in ("ja", "en"):
        html = client.get(f"/dataset/{name}", params={"lang": lang}).text
        blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
        assert len(blocks) == 2
        for block in blocks:
            assert "<" not in block and ">" not in block
            doc = json.loads(block)  # still valid JSON, with the text intact
            assert doc["@id"].endswith(f"/dataset/{name}")
        assert HOSTILE in json.loads(blocks[1])["dct:title"][1]["@value"]


def test_script_json_escapes_what_could_end_the_element() -> None:
    text = str(script_json({"a": "</script><!-- & \u2028"}))
    assert "</" not in text and "<!--" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == {"a": "</script><!-- & \u2028"}


def test_markdown_is_rendered_and_sanitized() -> None:
    html = str(
        render_markdown("**bold** and `code`\n\n- a\n- b\n\n| x | y |\n|---|---|\n| 1 | 2 |")
    )
    assert "<strong>bold</strong>" in html and "<code>code</code>" in html
    assert "<li>a</li>" in html and "<table>" in html

    hostile = str(
        render_markdown(
            "<script>alert(1)</script>\n\n[x](javascript:alert(1)) [y](https://ok.example/)"
            '\n\n<img src=x onerror=alert(1)>\n\n<a href="https://e.example" onclick="z">a</a>'
        )
    )
    assert "<script" not in hostile and "<img" not in hostile
    assert not re.search(r"<[^>]*onclick", hostile)  # as text it may stay, escaped
    assert 'href="javascript:' not in hostile
    assert 'href="https://ok.example/"' in hostile
    assert 'rel="noopener noreferrer nofollow"' in hostile
    # A description's headings sit below the page's h1 and h2.
    assert "<h3>Top</h3>" in str(render_markdown("# Top"))
    assert "<h6>" in str(render_markdown("###### deep"))


def test_plain_text_for_result_lists() -> None:
    assert plain_text("**a** & <b>b</b>\n\nc") == "a & <b>b</b> c"
    assert plain_text("x" * 300, limit=10) == "x" * 9 + "…"
    assert plain_text(None) == ""
