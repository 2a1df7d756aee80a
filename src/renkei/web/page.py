"""One page request: its language, the format it wants (HTML or JSON), the caller, the session.

Handlers build a JSON-ready ``data`` dict from service calls and hand it to ``Web.render``, which
answers with the template or with that same dict as JSON (datasette's "every page is JSON").
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.requests import Request

from renkei import __version__
from renkei.api.deps import catalog_of, request_context, token_from
from renkei.catalog.context import Catalog, Context
from renkei.errors import NotAuthorized, RenkeiError
from renkei.web.i18n import (
    LANG_COOKIE,
    LANG_PARAM,
    LANGUAGE_NAMES,
    LOCALES,
    Localized,
    format_number,
    format_size,
    format_timestamp,
    localized,
    normalize_locale,
    translations,
)
from renkei.web.rendering import environment

JSON_SUFFIX = ".json"
HOME_JSON = "/index.json"
SESSION_USER = "user_id"
SESSION_CSRF = "csrf"
SESSION_FLASH = "flash"
CSRF_FIELD = "csrf_token"
LANG_COOKIE_AGE = 365 * 24 * 3600
# Pages change with the language cookie, the session and the Accept header.
VARY = "Accept, Cookie"
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


def content_security_policy(map_tiles: str | None) -> str:
    """No inline script, no framing, forms post only here; images may come from publishers.
    Maps fetch their data from here, their base map tiles from the configured tile server, and
    run MapLibre's worker from our own static files (its CSP build needs no blob: URL)."""
    connect = "'self'"
    if map_tiles:
        parts = urlsplit(map_tiles)
        if parts.scheme in ("http", "https") and parts.netloc:
            connect += f" {parts.scheme}://{parts.netloc}"
    return (
        "default-src 'self'; img-src 'self' data: https:; style-src 'self'; script-src 'self'; "
        f"connect-src {connect}; worker-src 'self'; object-src 'none'; base-uri 'self'; "
        "form-action 'self'; frame-ancestors 'none'"
    )


class FormExpired(NotAuthorized):
    """A POST without the session's CSRF token: forged, or its session has ended."""


@dataclass(frozen=True)
class WebUser:
    id: str
    name: str
    display_name: str
    sysadmin: bool


@dataclass(frozen=True)
class WebOptions:
    """What the web layer needs beyond ``Settings`` (see ``renkei.web.mount``)."""

    timezone: str = "Asia/Tokyo"


def wants_json(request: Request) -> bool:
    """``.json`` paths, or an ``Accept`` header that prefers JSON to HTML."""
    if request.url.path.endswith(JSON_SUFFIX):
        return True
    accept = request.headers.get("accept", "")
    best_html = best_json = 0.0
    for part in accept.split(","):
        media, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        media = media.strip().lower()
        if media == "application/json" or media.endswith("+json"):
            best_json = max(best_json, quality)
        elif media in ("text/html", "application/xhtml+xml"):
            best_html = max(best_html, quality)
    return best_json > best_html


def html_path(path: str) -> str:
    """The HTML page of a ``.json`` path."""
    if path == HOME_JSON:
        return "/"
    return path[: -len(JSON_SUFFIX)] if path.endswith(JSON_SUFFIX) else path


def json_path(path: str) -> str:
    path = html_path(path)
    return HOME_JSON if path in ("", "/") else path.rstrip("/") + JSON_SUFFIX


class Web:
    """Per-request helper for page handlers. Cheap to make: it touches no database."""

    def __init__(self, request: Request) -> None:
        self.request = request
        self.catalog: Catalog = catalog_of(request)
        self.settings = self.catalog.settings
        self.options: WebOptions = getattr(request.app.state, "web_options", WebOptions())
        self.default_lang = normalize_locale(self.settings.default_locale) or LOCALES[0]
        self.lang_from_param = normalize_locale(request.query_params.get(LANG_PARAM))
        self.lang = (
            self.lang_from_param
            or normalize_locale(request.cookies.get(LANG_COOKIE))
            or self.default_lang
        )
        self.as_json = wants_json(request)
        self.token = token_from(request)
        self._user: WebUser | None = None
        self._user_known = False

    # -- the caller ---------------------------------------------------------------------------

    @contextmanager
    def context(self, *, write: bool = False) -> Iterator[Context]:
        """A transaction on behalf of the caller: an API token if one is sent, else the
        session's user. Pages therefore show exactly what the API shows that user."""
        if self.token is not None:
            with request_context(self.catalog, self.token, write=write) as ctx:
                self._remember(ctx)
                yield ctx
            return
        user_id = self.request.session.get(SESSION_USER)
        with self.catalog.context(
            user_id if isinstance(user_id, str) else None, write=write
        ) as ctx:
            if ctx.user is not None and ctx.user.state != "active":
                ctx.user = None
            if user_id and ctx.user is None:
                # The account was deleted or disabled since login: the session ends here.
                self.request.session.pop(SESSION_USER, None)
            self._remember(ctx)
            yield ctx

    def _remember(self, ctx: Context) -> None:
        user = ctx.user
        self._user = (
            WebUser(user.id, user.name, user.fullname or user.name, bool(user.sysadmin))
            if user is not None
            else None
        )
        self._user_known = True

    @property
    def user(self) -> WebUser | None:
        if not self._user_known:
            try:
                with self.context():
                    pass
            except NotAuthorized:
                # A bad API token: the error page that says so is shown to nobody in particular.
                self._user, self._user_known = None, True
        return self._user

    def log_in(self, user_id: str) -> None:
        # A new session: nothing from before the login (CSRF token, flashes) carries over.
        self.request.session.clear()
        self.request.session[SESSION_USER] = user_id

    def log_out(self) -> None:
        self.request.session.clear()

    # -- forms --------------------------------------------------------------------------------

    def csrf_token(self) -> str:
        if "session" not in self.request.scope:
            return ""  # the 500 page, outside the session middleware: no form will work
        token = self.request.session.get(SESSION_CSRF)
        if not isinstance(token, str) or not token:
            token = secrets.token_urlsafe(32)
            self.request.session[SESSION_CSRF] = token
        return token

    def check_csrf(self, form: Mapping[str, Any]) -> None:
        expected = self.request.session.get(SESSION_CSRF)
        given = form.get(CSRF_FIELD)
        if not (
            isinstance(expected, str)
            and isinstance(given, str)
            and expected
            and hmac.compare_digest(expected.encode(), given.encode())
        ):
            raise FormExpired("The form's security token is missing or does not match")

    def flash(self, message: str) -> None:
        # Assigned, not appended in place: the session saves only keys that were set.
        flashes = list(self.request.session.get(SESSION_FLASH) or [])
        self.request.session[SESSION_FLASH] = [*flashes, message]

    def _take_flashes(self) -> list[str]:
        if "session" not in self.request.scope or SESSION_FLASH not in self.request.session:
            return []
        return [str(m) for m in self.request.session.pop(SESSION_FLASH)]

    # -- language and links -------------------------------------------------------------------

    def gettext(self, message: str, **params: Any) -> str:
        text = translations(self.lang).gettext(message)
        return text % params if params else text

    def tr(self, translated: Mapping[str, Any] | None, fallback: str | None) -> Localized:
        return localized(dict(translated or {}), fallback, self.lang, self.default_lang)

    def url(self, path: str, params: Sequence[tuple[str, Any]] | Mapping[str, Any] = ()) -> str:
        """A link within the site (``root_path`` kept), with the non-empty parameters."""
        items = params.items() if isinstance(params, Mapping) else params
        query = urlencode([(k, v) for k, v in items if v not in (None, "")])
        base = self.request.scope.get("root_path", "") + path
        return f"{base}?{query}" if query else base

    def absolute(self, path: str) -> str:
        return self.settings.site_url.rstrip("/") + path

    def _current_params(self) -> list[tuple[str, str]]:
        return [(k, v) for k, v in self.request.query_params.multi_items() if k != LANG_PARAM]

    def _lang_links(self) -> list[dict[str, str]]:
        path = html_path(self.request.url.path)
        return [
            {
                "code": code,
                "name": LANGUAGE_NAMES[code],
                "url": self.url(path, [*self._current_params(), (LANG_PARAM, code)]),
            }
            for code in LOCALES
        ]

    # -- responses ----------------------------------------------------------------------------

    def render(
        self,
        template: str,
        data: dict[str, Any],
        *,
        title: str,
        status: int = 200,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        """The page as HTML, or ``data`` as JSON. ``extra`` is for the template only (helpers,
        never content: what the page says must be in ``data``)."""
        if self.as_json:
            response: Response = JSONResponse(data, status_code=status)
            response.headers["X-Content-Type-Options"] = "nosniff"
        else:
            html = (
                environment(self.lang)
                .get_template(template)
                .render(self._template_context(data, title, extra or {}))
            )
            response = HTMLResponse(html, status_code=status)
            response.headers.update(SECURITY_HEADERS)
            response.headers["Content-Security-Policy"] = content_security_policy(
                self.settings.map_tiles
            )
            json_url = self.url(json_path(self.request.url.path), self._current_params())
            response.headers["Link"] = f'<{json_url}>; rel="alternate"; type="application/json"'
        if headers:
            response.headers.update(headers)
        return self.finish(response)

    def _template_context(
        self, data: dict[str, Any], title: str, extra: dict[str, Any]
    ) -> dict[str, Any]:
        lang = self.lang
        tz = self.options.timezone
        path = html_path(self.request.url.path)
        return {
            "data": data,
            "title": title,
            "lang": lang,
            "default_lang": self.default_lang,
            "languages": self._lang_links(),
            "user": self.user,
            "flashes": self._take_flashes(),
            "site_title": self.settings.site_title,
            "site_description": self.settings.site_description,
            "renkei_version": __version__,
            "current_path": path,
            "json_url": self.url(json_path(path), self._current_params()),
            "canonical_url": self.absolute(path),
            "csrf_field": CSRF_FIELD,
            "csrf_token": self.csrf_token,
            "url": self.url,
            "absolute": self.absolute,
            "static": lambda name: self.url(f"/static/{name}", {"v": __version__}),
            "tr": self.tr,
            "fmt_date": lambda value: format_timestamp(value, lang, tz),
            "fmt_number": lambda value: format_number(value, lang),
            "fmt_size": lambda value: format_size(value, lang),
            "map_config": self.map_config,
            **extra,
        }

    def map_config(self) -> dict[str, Any]:
        """What the map script needs: the base map (none: a plain background) and labels."""
        return {
            "tiles": self.settings.map_tiles or None,
            "attribution": self.settings.map_attribution,
            "worker": self.url("/static/vendor/maplibre-gl-csp-worker.js", {"v": __version__}),
            "labels": {
                "draw": self.gettext("Draw a box"),
                "drawing": self.gettext("Drag on the map to draw the area, or press Escape"),
            },
        }

    def login_first(self, message: str) -> Response:
        """A page that needs a login: JSON gets the error; a browser is sent to the login form
        with ``message``, and back here after it."""
        if self.as_json:
            return self.error(NotAuthorized(message))
        self.flash(message)
        return self.redirect("/user/login", {"next": self.request.url.path})

    def redirect(self, path: str, params: Mapping[str, Any] | None = None) -> Response:
        return self.finish(RedirectResponse(self.url(path, params or {}), status_code=303))

    def error(self, exc: RenkeiError) -> Response:
        """An error page (or JSON) in the caller's language; the message is safe to show."""
        status = exc.status_code
        titles = {
            400: self.gettext("The request could not be read"),
            403: self.gettext("You are not allowed to do this"),
            404: self.gettext("Not found"),
            409: self.gettext("The request could not be completed"),
            413: self.gettext("Too large"),
        }
        if isinstance(exc, FormExpired):
            message = self.gettext(
                "This form has expired or did not come from this site. "
                "Go back, reload the page and try again."
            )
        elif status == 404:
            message = self.gettext(
                "There is no page here, or it is not visible to you. "
                "Private datasets are shown only to members of their organization."
            )
        else:
            message = exc.message
        title = titles.get(status, self.gettext("Something went wrong"))
        data = {"ok": False, "status": status, "title": title, "error": message}
        return self.render("error.html", data, title=title, status=status)

    def server_error(self) -> Response:
        """The 500 page. It may run outside the session middleware and after a failed
        transaction, so it reads neither the session nor the database."""
        self._user, self._user_known = None, True
        title = self.gettext("Something went wrong")
        message = self.gettext(
            "The server could not answer this request. It was recorded; "
            "try again in a moment, or go back to the home page."
        )
        data = {"ok": False, "status": 500, "title": title, "error": message}
        return self.render("error.html", data, title=title, status=500)

    def finish(self, response: Response) -> Response:
        vary = response.headers.get("vary")
        response.headers["Vary"] = f"{vary}, {VARY}" if vary else VARY
        if self.lang_from_param:
            response.set_cookie(
                LANG_COOKIE,
                self.lang_from_param,
                max_age=LANG_COOKIE_AGE,
                samesite="lax",
                httponly=True,
                secure=self.settings.site_url.startswith("https://"),
            )
        return response


def safe_next(value: str | None) -> str:
    """Where to go after login: a path on this site only (no ``//host`` or ``/\\host``)."""
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")):
        return "/"
    if any(ch in value for ch in "\r\n\t") or "\\" in value:
        return "/"
    return value
