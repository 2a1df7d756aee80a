"""Blob store for uploaded files: streamed to disk, hashed on the way, moved into place atomically.

A blob goes through two steps so that a failed request never leaves a half-written file where a
resource could point at it:

1. ``stage()`` opens a temporary file in the data dir; chunks are written, counted and hashed, and
   the size limit is enforced while streaming.
2. ``keep(staged)`` renames it to its final key (same filesystem, so the rename is atomic).

The catalog deletes a blob only after the transaction that stopped referencing it has committed.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from renkei.errors import PayloadTooLarge

CHUNK = 1024 * 1024


@dataclass
class StagedBlob:
    """A file being received. Call ``write`` per chunk, then hand it to ``BlobStore.keep``."""

    path: Path
    limit: int
    field_name: str = "upload"
    size: int = 0
    _sha256: hashlib._Hash = field(default_factory=hashlib.sha256)
    _handle: BinaryIO | None = None

    def __post_init__(self) -> None:
        self._handle = open(self.path, "wb")  # noqa: SIM115 - closed in finish()/discard()

    def write(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self.limit:
            self.discard()
            raise PayloadTooLarge(
                self.field_name,
                f"Upload too large: more than {self.limit} bytes (the limit is set by "
                "RENKEI_MAX_UPLOAD_BYTES)",
            )
        assert self._handle is not None
        self._handle.write(chunk)
        self._sha256.update(chunk)

    def finish(self) -> None:
        if self._handle is not None:
            self._handle.flush()
            os.fsync(self._handle.fileno())
            self._handle.close()
            self._handle = None

    def discard(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None
        self.path.unlink(missing_ok=True)

    @property
    def sha256(self) -> str:
        return self._sha256.hexdigest()


class LocalBlobStore:
    """Blobs as files under ``root``, fanned out by key prefix."""

    def __init__(self, root: Path, tmp_dir: Path) -> None:
        self.root = root
        self.tmp_dir = tmp_dir
        root.mkdir(parents=True, exist_ok=True)
        tmp_dir.mkdir(parents=True, exist_ok=True)

    def stage(self, limit: int, field_name: str = "upload") -> StagedBlob:
        fd, name = tempfile.mkstemp(prefix="upload-", dir=self.tmp_dir)
        os.close(fd)
        return StagedBlob(path=Path(name), limit=limit, field_name=field_name)

    def remove_stale_staging(self, older_than_seconds: float = 3600) -> int:
        """Delete uploads left half-received by a killed process. Files still growing (another
        process receiving them) are younger than the cut-off and stay."""
        cutoff = time.time() - older_than_seconds
        removed = 0
        for path in self.tmp_dir.glob("upload-*"):
            with contextlib.suppress(FileNotFoundError):
                if path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed += 1
        return removed

    def keep(self, staged: StagedBlob) -> str:
        staged.finish()
        key = uuid.uuid4().hex
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged.path, target)
        return key

    def stage_file(self, source: Path, limit: int) -> StagedBlob:
        """Stage a local file as if it had been uploaded (the demo loader, the CLI)."""
        staged = self.stage(limit)
        with open(source, "rb") as handle:
            while chunk := handle.read(CHUNK):
                staged.write(chunk)
        staged.finish()
        return staged

    def path(self, key: str) -> Path:
        if len(key) != 32 or not all(c in "0123456789abcdef" for c in key):
            raise ValueError(f"not a blob key: {key!r}")
        return self.root / key[:2] / key[2:4] / key

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def open_chunks(self, key: str, chunk_size: int = CHUNK) -> Iterator[bytes]:
        with open(self.path(key), "rb") as handle:
            while chunk := handle.read(chunk_size):
                yield chunk

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)
