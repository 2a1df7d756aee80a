"""The session signing key: from the settings (RENKEI_SECRET_KEY), or generated once into the
data dir."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from renkei.web.secret import FILE_NAME, load_secret_key


def test_generated_once_and_private(tmp_path: Path) -> None:
    key = load_secret_key(tmp_path, None)
    path = tmp_path / FILE_NAME
    assert len(key) >= 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_secret_key(tmp_path, None) == key  # kept across restarts


def test_a_readable_key_file_is_made_private(tmp_path: Path) -> None:
    load_secret_key(tmp_path, None)
    path = tmp_path / FILE_NAME
    path.chmod(0o644)
    load_secret_key(tmp_path, None)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_configured_key_wins_and_must_be_long(tmp_path: Path) -> None:
    configured = "k" * 40
    assert load_secret_key(tmp_path, configured) == configured
    assert not (tmp_path / FILE_NAME).exists()
    with pytest.raises(ValueError, match="at least 32"):
        load_secret_key(tmp_path, "short")


def test_an_empty_key_file_is_an_error_not_a_weak_key(tmp_path: Path) -> None:
    (tmp_path / FILE_NAME).write_text("")
    with pytest.raises(ValueError, match="no usable key"):
        load_secret_key(tmp_path, None)


def test_sessions_survive_a_restart(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from renkei.api.app import build_catalog, create_app
    from renkei.catalog import users
    from renkei.config import Settings
    from tests.web.conftest import PASSWORD, login

    settings = Settings(data_dir=tmp_path / "data", site_url="http://testserver")
    catalog = build_catalog(settings)
    with catalog.context() as ctx:
        users.create_user(ctx, "sam", password=PASSWORD)
    with TestClient(create_app(settings, catalog)) as first:
        login(first, "sam")
        cookies = dict(first.cookies)
    with TestClient(create_app(settings, catalog), cookies=cookies) as second:
        assert 'action="/user/logout"' in second.get("/").text
