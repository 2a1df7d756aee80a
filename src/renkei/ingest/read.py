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
    try:
        yield from reader
    except csv.Error as exc:
        raise UnreadableText(reader.line_num, str(exc)) from None


class UnreadableText(Exception):
    """The csv module gave up (a cell over MAX_CELL_CHARS, a NUL byte): where, and why."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}")
        self.line = line
        self.reason = reason


# The csv module's default cell limit (128 KiB) cuts long text; a cell beyond this one is an
# unterminated quote swallowing the file, and reading on would hold the file in memory.
MAX_CELL_CHARS = 64 * 1024 * 1024


def field_size_limit() -> None:
    csv.field_size_limit(MAX_CELL_CHARS)


field_size_limit()


def sample_text(path: Path, inspection: Inspection, chars: int = 64 * 1024) -> str:
    with open_text(path, inspection) as handle:
        return handle.read(chars)


def text_stream(data: str) -> TextIO:
    return io.StringIO(data, newline="")
