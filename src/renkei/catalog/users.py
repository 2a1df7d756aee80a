"""User accounts, passwords and API tokens. Token secrets are shown once and stored as SHA-256."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select

from renkei.catalog import authz
from renkei.catalog.context import Context, utcnow
from renkei.errors import NotFound, ValidationError
from renkei.model.names import name_problem
from renkei.store.tables import ApiToken, User

TOKEN_PREFIX = "rk_"
# Writing last_access on every request would turn reads into writes; a coarse stamp is enough.
LAST_ACCESS_GRANULARITY = timedelta(minutes=10)


def hash_token(secret: str) -> str:
    # Tokens are 256-bit random strings, so a plain digest is safe (no dictionary to guess from).
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=2**14, r=8, p=1)
    return f"scrypt${salt.hex()}${digest.hex()}"


def check_password(password: str, stored: str | None) -> bool:
    if not stored or not stored.startswith("scrypt$"):
        return False
    _, salt_hex, digest_hex = stored.split("$", 2)
    digest = hashlib.scrypt(
        password.encode("utf-8"), salt=bytes.fromhex(salt_hex), n=2**14, r=8, p=1
    )
    return hmac.compare_digest(digest.hex(), digest_hex)


def get_user(ctx: Context, name_or_id: str) -> User:
    user = ctx.session.scalar(
        select(User).where(or_(User.id == name_or_id, User.name == name_or_id))
    )
    if user is None or user.state == "deleted":
        raise NotFound(f"User not found: {name_or_id}")
    return user


def create_user(
    ctx: Context,
    name: str,
    *,
    email: str | None = None,
    fullname: str | None = None,
    password: str | None = None,
    sysadmin: bool = False,
) -> User:
    problem = name_problem(name)
    if problem:
        raise ValidationError({"name": [problem]})
    if ctx.session.scalar(select(User.id).where(User.name == name)):
        raise ValidationError({"name": ["That login name is not available."]})
    if email and "@" not in email:
        raise ValidationError({"email": [f"Email {email!r} is not a valid format"]})
    if password is not None and len(password) < 8:
        raise ValidationError({"password": ["Your password must be 8 characters or longer"]})
    user = User(
        id=str(uuid.uuid4()),
        name=name,
        email=email,
        fullname=fullname,
        password_hash=hash_password(password) if password else None,
        sysadmin=sysadmin,
        state="active",
        created=utcnow(),
    )
    ctx.session.add(user)
    ctx.session.flush()
    return user


def user_dict(ctx: Context, user: User) -> dict[str, Any]:
    """CKAN's user_show. E-mail only to the user and sysadmins; never a password or token."""
    data: dict[str, Any] = {
        "id": user.id,
        "name": user.name,
        "fullname": user.fullname,
        "display_name": user.fullname or user.name,
        "about": user.about,
        "sysadmin": user.sysadmin,
        "state": user.state,
        "created": user.created.isoformat(),
    }
    if ctx.is_sysadmin or ctx.user_id == user.id:
        data["email"] = user.email
    return data


def user_show(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    ref = data.get("id") or data.get("name")
    if not ref:
        if ctx.user is None:
            raise ValidationError({"id": ["Missing value"]})
        return user_dict(ctx, ctx.user)
    return user_dict(ctx, get_user(ctx, str(ref)))


def user_list(ctx: Context, data: dict[str, Any]) -> list[dict[str, Any]]:
    query = select(User).where(User.state == "active").order_by(User.name)
    if q := data.get("q"):
        query = query.where(User.name.contains(str(q)) | User.fullname.contains(str(q)))
    return [user_dict(ctx, u) for u in ctx.session.scalars(query)]


def create_token(
    ctx: Context, user: User, name: str, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """A new token for ``user``. Returns the row and the secret, which is never stored."""
    if not name.strip():
        raise ValidationError({"name": ["Missing value"]})
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        id=str(uuid.uuid4()),
        user_id=user.id,
        name=name,
        token_hash=hash_token(secret),
        created_at=utcnow(),
        expires_at=expires_at,
    )
    ctx.session.add(token)
    ctx.session.flush()
    return token, secret


def token_dict(token: ApiToken) -> dict[str, Any]:
    return {
        "id": token.id,
        "name": token.name,
        "user_id": token.user_id,
        "created_at": token.created_at.isoformat(),
        "last_access": token.last_access.isoformat() if token.last_access else None,
        "expires_at": token.expires_at.isoformat() if token.expires_at else None,
    }


def user_id_for_token(ctx: Context, secret: str) -> str | None:
    """The active user a token belongs to, or None if it is unknown, expired or revoked."""
    token = ctx.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(secret)))
    if token is None:
        return None
    now = utcnow()
    if token.expires_at is not None and token.expires_at <= now:
        return None
    user = ctx.session.get(User, token.user_id)
    if user is None or user.state != "active":
        return None
    return user.id


def touch_token(ctx: Context, secret: str) -> None:
    """Stamp the token's last use (coarsely: this is a write, kept out of read-only calls)."""
    token = ctx.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(secret)))
    now = utcnow()
    if token is not None and (
        token.last_access is None or now - token.last_access > LAST_ACCESS_GRANULARITY
    ):
        token.last_access = now


def api_token_create(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    authz.require_user(ctx, "create API tokens")
    assert ctx.user is not None
    user = get_user(ctx, str(data.get("user") or ctx.user.id))
    authz.require(
        ctx.is_sysadmin or user.id == ctx.user.id, "You may only create tokens for yourself"
    )
    expires_at = None
    if data.get("expires_in") not in (None, ""):
        try:
            seconds = int(data["expires_in"]) * _unit_seconds(str(data.get("unit", "1")))
        except ValueError:
            raise ValidationError({"expires_in": ["Must be a whole number"]}) from None
        if seconds <= 0:
            raise ValidationError({"expires_in": ["Must be positive"]})
        expires_at = utcnow() + timedelta(seconds=seconds)
    _, secret = create_token(ctx, user, str(data.get("name", "")), expires_at)
    return {"token": secret}


def _unit_seconds(unit: str) -> int:
    # CKAN's api_token_create takes ``unit`` as a number of seconds (1, 60, 3600, 86400, ...).
    value = int(unit)
    if value <= 0:
        raise ValueError(unit)
    return value


def api_token_list(ctx: Context, data: dict[str, Any]) -> list[dict[str, Any]]:
    authz.require_user(ctx, "list API tokens")
    assert ctx.user is not None
    user = get_user(ctx, str(data.get("user_id") or data.get("user") or ctx.user.id))
    authz.require(ctx.is_sysadmin or user.id == ctx.user.id, "You may only list your own tokens")
    tokens = ctx.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at)
    )
    return [token_dict(t) for t in tokens]


def api_token_revoke(ctx: Context, data: dict[str, Any]) -> None:
    authz.require_user(ctx, "revoke API tokens")
    assert ctx.user is not None
    token = None
    if data.get("jti") or data.get("id"):
        token = ctx.session.get(ApiToken, str(data.get("jti") or data.get("id")))
    elif data.get("token"):
        token = ctx.session.scalar(
            select(ApiToken).where(ApiToken.token_hash == hash_token(str(data["token"])))
        )
    else:
        raise ValidationError({"jti": ["Missing value"]})
    if token is None:
        raise NotFound("API token not found")
    authz.require(
        ctx.is_sysadmin or token.user_id == ctx.user.id, "You may only revoke your own tokens"
    )
    ctx.session.delete(token)
