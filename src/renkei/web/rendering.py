"""Jinja2 environments, one per interface language, with autoescaping everywhere.

One environment per language lets Jinja's i18n extension install that language's catalog with
``newstyle`` gettext (placeholders escaped, ``%`` safe), which can't be switched per render.
"""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined

from renkei.web.i18n import translations
from renkei.web.jsonld import script_json
from renkei.web.markdown import plain_text, render_markdown


@cache
def environment(lang: str) -> Environment:
    env = Environment(
        loader=PackageLoader("renkei.web", "templates"),
        # Every template, whatever its name: output is escaped unless marked safe in Python.
        autoescape=True,
        # A misspelt variable fails the render (and the tests) instead of printing nothing.
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    env.filters["markdown"] = render_markdown
    env.filters["plain"] = plain_text
    env.filters["script_json"] = script_json
    return env
