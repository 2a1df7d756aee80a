"""Shared request plumbing: the node's catalog, the caller's token, contexts per request."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from starlette.requests import Request

from renkei.catalog.context import Catalog, Context
from renkei.catalog.users import touch_token, user_id_for_token
from renkei.errors import NotAuthorized
from renkei.store.tables import User


def catalog_of(request: Request) -> Catalog:
    return request.app.state.catalog  # type: ignore[no-any-return]


def token_from(request: Request) -> str | None:
    """The API token, from ``Authorization`` (raw, as CKAN, or ``Bearer``) or ``X-CKAN-API-Key``."""
    header = request.headers.get("authorization") or request.headers.get("x-ckan-api-key")
    if not header:
        return None
    value = header.strip()
    if value.lower().startswith("bearer "):
        value = value[7:].strip()
    return value or None


@contextmanager
def request_context(
    catalog: Catalog, token: str | None, *, write: bool = True
) -> Iterator[Context]:
    """A transaction on behalf of the token's user (anonymous without a token)."""
    with catalog.context(write=write) as ctx:
        if token is not None:
            user_id = user_id_for_token(ctx, token)
            if user_id is None:
                raise NotAuthorized("The API token is not valid: it is unknown, expired or revoked")
            ctx.user = ctx.session.get(User, user_id)
            if write:
                touch_token(ctx, token)
        yield ctx
