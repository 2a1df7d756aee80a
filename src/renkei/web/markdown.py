"""Dataset descriptions: Markdown rendered by markdown-it, then sanitized by nh3 (an allow-list).

markdown-it already escapes raw HTML (``html=False``); nh3 is the second wall, so a bug or a
future option in the renderer cannot put a script or an ``onerror`` attribute into a page.
"""

from __future__ import annotations

from functools import cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr", "h3", "h4", "h5", "h6", "strong", "em", "del", "s", "code", "pre",
        "blockquote", "ul", "ol", "li", "a", "img", "table", "thead", "tbody", "tr", "th", "td",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "th": {"align"},
    "td": {"align"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
# The page has its h1 (the title) and h2 sections: a description's own headings start at h3.
HEADING_SHIFT = 2


@cache
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])


def render_markdown(text: str | None) -> Markup:
    """Sanitized HTML for a description; safe to put into a page as it is."""
    if not text:
        return Markup("")
    parser = _parser()
    tokens = parser.parse(text)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            level = min(6, int(token.tag[1]) + HEADING_SHIFT)
            token.tag = f"h{level}"
    html = parser.renderer.render(tokens, parser.options, {})
    clean = nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(clean)  # noqa: S704 - sanitized just above by an allow-list


def plain_text(text: str | None, limit: int = 180) -> str:
    """A description as one line of text (for result lists), cut at ``limit`` characters."""
    if not text:
        return ""
    html = _parser().render(text)
    flat = " ".join(nh3.clean(html, tags=set()).split())
    # nh3 leaves entities (&amp;) in text; the template escapes again, so decode them first.
    flat = Markup(flat).unescape()
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"
