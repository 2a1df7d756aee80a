"""Decoded text of a CSV/TSV file as the inspection described it (encoding, BOM, errors).

The DataStore loader decodes CP932, EUC-JP and UTF-16 here, in Python, and hands DuckDB UTF-8:
DuckDB's own decoders can't be installed offline and mis-read CP932-only characters.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from renkei.ingest.model import Inspection

CHUNK_CHARS = 1024 * 1024


@contextmanager
def open_text(path: Path, inspection: Inspection) -> Iterator[TextIO]:
    """The file as text (newlines untranslated, as the csv module wants them)."""
    encoding = inspection.encoding or "utf-8"
    with path.open(encoding=encoding, errors=inspection.decode_errors, newline="") as handle:
        yield handle


def iter_utf8(
    path: Path, inspection: Inspection, chunk_chars: int = CHUNK_CHARS
) -> Iterator[bytes]:
    """The file re-encoded as UTF-8 (no BOM), in chunks: what to hand DuckDB's CSV reader."""
    with open_text(path, inspection) as handle:
        while chunk := handle.read(chunk_chars):
            yield chunk.encode("utf-8")


def iter_rows(handle: TextIO, delimiter: str, quotechar: str | None) -> Iterator[list[str]]:
    """Rows of cells. Non-strict: a stray quote inside a value is kept as a character."""
    reader = csv.reader(
        handle,
        delimiter=delimiter,
        quotechar=quotechar or '"',
        quoting=csv.QUOTE_MINIMAL if quotechar else csv.QUOTE_NONE,
        strict=False,
    )
    yield from reader


def field_size_limit() -> None:
    """Let a single cell be as large as the file (the default 128 KiB cuts long text)."""
    csv.field_size_limit(2**31 - 1)


field_size_limit()


def sample_text(path: Path, inspection: Inspection, chars: int = 64 * 1024) -> str:
    with open_text(path, inspection) as handle:
        return handle.read(chars)


def text_stream(data: str) -> TextIO:
    return io.StringIO(data, newline="")
