"""Logging in and out (a signed session cookie) and the API token page.

Every form POST carries the session's CSRF token; a POST without it changes nothing (403).
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from renkei.catalog import users
from renkei.errors import NotAuthorized, NotFound, ValidationError
from renkei.web.i18n import N_
from renkei.web.page import Web, safe_next
from renkei.web.ratelimit import LoginLimiter
from renkei.web.routing import page, web_router

router = web_router()
# A hash to check when the user doesn't exist, so that the answer takes as long either way
# and doesn't tell which login names exist.
_DUMMY_HASH = users.hash_password("not-a-real-password")
EXPIRY_DAYS: tuple[int | None, ...] = (None, 30, 90, 365)
DAY = 86400
NO_STORE = {"Cache-Control": "no-store"}


# -- login and logout -------------------------------------------------------------------------


@page(router, "/user/login")
def login_form(request: Request) -> Response:
    web = Web(request)
    return _login_page(web, next_path=safe_next(request.query_params.get("next")))


def _login_page(
    web: Web, *, next_path: str, error: str | None = None, username: str = "", status: int = 200
) -> Response:
    data: dict[str, Any] = {
        "user": web.user.name if web.user else None,
        "next": next_path,
        "error": error,
        "form": {"action": web.url("/user/login"), "method": "POST"},
    }
    return web.render(
        "login.html",
        data,
        title=web.gettext("Log in"),
        status=status,
        extra={"username": username},
        headers=NO_STORE,
    )


@page(router, "/user/login", methods=("POST",))
async def login(request: Request) -> Response:
    web = Web(request)
    form = await request.form()
    web.check_csrf(form)
    username = str(form.get("username") or "").strip()
    password = str(form.get("password") or "")
    next_path = safe_next(str(form.get("next") or ""))
    limiter: LoginLimiter = request.app.state.login_limiter
    address = request.client.host if request.client else ""
    wait = limiter.wait_seconds(username, address)
    if wait:
        # Checked before the password: over the limit, even the right password waits.
        response = _login_page(
            web,
            next_path=next_path,
            error=web.gettext(
                "Too many failed logins. Wait %(seconds)s seconds, then try again.",
                seconds=wait,
            ),
            username=username,
            status=429,
        )
        response.headers["Retry-After"] = str(wait)
        return response
    user_id = await run_in_threadpool(_authenticate, web, username, password)
    if user_id is None:
        limiter.failed(username, address)
        # One message for an unknown name and a wrong password: names aren't confirmed.
        return _login_page(
            web,
            next_path=next_path,
            error=web.gettext("The login name or the password is wrong."),
            username=username,
            status=400,
        )
    limiter.succeeded(username)
    web.log_in(user_id)
    web.flash(web.gettext("You are logged in as %(name)s.", name=username))
    if web.as_json:
        return web.render("login.html", {"user": username, "next": next_path}, title="")
    return web.redirect(next_path)


def _authenticate(web: Web, username: str, password: str) -> str | None:
    with web.catalog.context(write=False) as ctx:
        try:
            user = users.get_user(ctx, username) if username else None
        except NotFound:
            user = None
        if user is None or user.state != "active" or not user.password_hash:
            users.check_password(password, _DUMMY_HASH)
            return None
        if not users.check_password(password, user.password_hash):
            return None
        # The login name, not the id: get_user matches either, and an id is no login name.
        return user.id if user.name == username else None


@page(router, "/user/logout", methods=("POST",))
async def logout(request: Request) -> Response:
    web = Web(request)
    web.check_csrf(await request.form())
    web.log_out()
    web.flash(web.gettext("You are logged out."))
    if web.as_json:
        return web.render("login.html", {"user": None}, title="")
    return web.redirect("/")


# -- API tokens -------------------------------------------------------------------------------


@page(router, "/user/tokens")
def tokens_page(request: Request) -> Response:
    web = Web(request)
    if web.user is None:
        return _login_required(web)
    with web.context() as ctx:
        data = _tokens_data(ctx)
    return _tokens_response(web, data)


@page(router, "/user/tokens", methods=("POST",))
async def create_token(request: Request) -> Response:
    web = Web(request)
    form = await request.form()
    web.check_csrf(form)
    if web.user is None:
        return _login_required(web)
    name = str(form.get("name") or "").strip()
    days = str(form.get("expires_days") or "")
    request_data: dict[str, Any] = {"name": name}
    if days.isdigit() and int(days) in EXPIRY_DAYS:
        request_data.update(expires_in=int(days), unit=str(DAY))

    def create() -> dict[str, Any]:
        with web.context(write=True) as ctx:
            secret = users.api_token_create(ctx, request_data)["token"]
            return {**_tokens_data(ctx), "new_token": secret}

    try:
        data = await run_in_threadpool(create)
    except ValidationError:
        # The only field a user types is the name; say so next to it.
        with web.context() as ctx:
            data = _tokens_data(ctx)
        data["error"] = web.gettext("Give the token a name, such as the script that will use it.")
        return _tokens_response(web, data, status=400)
    return _tokens_response(web, data, status=201)


@page(router, "/user/tokens/{token_id}/revoke", methods=("POST",))
async def revoke_token(request: Request, token_id: str) -> Response:
    web = Web(request)
    web.check_csrf(await request.form())
    if web.user is None:
        return _login_required(web)

    def revoke() -> dict[str, Any]:
        with web.context(write=True) as ctx:
            users.api_token_revoke(ctx, {"jti": token_id})
            return _tokens_data(ctx)

    data = await run_in_threadpool(revoke)
    if web.as_json:
        return _tokens_response(web, data)
    web.flash(web.gettext("The token was revoked: it no longer works."))
    return web.redirect("/user/tokens")


def _tokens_data(ctx: Any) -> dict[str, Any]:
    return {
        "user": users.user_show(ctx, {}),
        "tokens": users.api_token_list(ctx, {}),
        "new_token": None,
        "error": None,
    }


def _tokens_response(web: Web, data: dict[str, Any], status: int = 200) -> Response:
    labels: dict[int | None, str] = {
        None: web.gettext("Never"),
        **{d: web.gettext("In %(days)s days", days=d) for d in EXPIRY_DAYS if d},
    }
    return web.render(
        "tokens.html",
        data,
        title=web.gettext("API tokens"),
        status=status,
        extra={"expiry_options": [(d or "", labels[d]) for d in EXPIRY_DAYS]},
        # The new token is in this page only once: nothing on the way may keep a copy.
        headers=NO_STORE,
    )


LOGIN_REQUIRED = N_("Log in to manage your API tokens.")


def _login_required(web: Web) -> Response:
    if web.as_json:
        return web.error(NotAuthorized(web.gettext(LOGIN_REQUIRED)))
    web.flash(web.gettext(LOGIN_REQUIRED))
    return web.redirect("/user/login", {"next": "/user/tokens"})
