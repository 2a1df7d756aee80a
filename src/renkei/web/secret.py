"""The key that signs session cookies: ``RENKEI_SECRET_KEY``, or one generated once per data dir.

A generated key is kept in ``data_dir/secret_key`` (mode 0600) so sessions survive restarts and
every worker of one node signs with the same key.
"""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

ENV_VAR = "RENKEI_SECRET_KEY"
FILE_NAME = "secret_key"
# Shorter keys make the HMAC guessable; 32 bytes of randomness is what we generate ourselves.
MIN_LENGTH = 32


def load_secret_key(data_dir: Path, configured: str | None) -> str:
    """The configured key (RENKEI_SECRET_KEY), else the data dir's key file, created on first
    use."""
    configured = (configured or "").strip()
    if configured:
        if len(configured) < MIN_LENGTH:
            raise ValueError(f"{ENV_VAR} must be at least {MIN_LENGTH} characters long")
        return configured
    path = data_dir / FILE_NAME
    try:
        # O_EXCL: of two workers starting together, one writes and the other reads its key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read(path)
    key = secrets.token_urlsafe(48)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    return key


def _read(path: Path) -> str:
    key = path.read_text(encoding="ascii").strip()
    for _ in range(50):
        if key:
            break
        # Another worker has created the file and not yet written it: wait for it.
        time.sleep(0.02)
        key = path.read_text(encoding="ascii").strip()
    if len(key) < MIN_LENGTH:
        raise ValueError(f"{path} holds no usable key; delete it to have a new one generated")
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)  # a key readable by others lets them forge sessions
    return key
