"""The blob store: limits while streaming, atomic keep, cleanup of abandoned uploads."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import pytest

from renkei.errors import PayloadTooLarge
from renkei.store.blobs import LocalBlobStore


@pytest.fixture
def store(tmp_path: Path) -> LocalBlobStore:
    return LocalBlobStore(tmp_path / "blobs", tmp_path / "tmp")


def test_stage_hash_and_keep(store: LocalBlobStore) -> None:
    staged = store.stage(limit=100)
    staged.write(b"hello ")
    staged.write("世界".encode())
    key = store.keep(staged)
    assert staged.size == 12
    assert staged.sha256 == hashlib.sha256("hello 世界".encode()).hexdigest()
    assert b"".join(store.open_chunks(key)) == "hello 世界".encode()
    assert not list(store.tmp_dir.iterdir())
    store.delete(key)
    assert not store.exists(key)


def test_limit_is_enforced_while_streaming(store: LocalBlobStore) -> None:
    staged = store.stage(limit=10)
    staged.write(b"x" * 10)
    with pytest.raises(PayloadTooLarge):
        staged.write(b"y")
    assert not staged.path.exists()


def test_keys_cannot_escape_the_store(store: LocalBlobStore) -> None:
    with pytest.raises(ValueError):
        store.path("../../etc/passwd")


def test_abandoned_uploads_are_removed_fresh_ones_kept(store: LocalBlobStore) -> None:
    old = store.stage(limit=100)
    old.finish()
    hour_ago = time.time() - 7200
    os.utime(old.path, (hour_ago, hour_ago))
    fresh = store.stage(limit=100)
    assert store.remove_stale_staging() == 1
    assert not old.path.exists()
    assert fresh.path.exists()
    fresh.discard()
