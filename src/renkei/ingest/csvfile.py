"""CSV and TSV: delimiter and quoting from the first lines, then every row through the table
analysis. ``csv.Sniffer`` gives up on files with a preamble; counting fields per line for
each delimiter candidate does not."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from renkei.ingest.read import iter_rows, open_text

if TYPE_CHECKING:
    from renkei.ingest.model import Inspection

DELIMITERS = (",", "\t", ";", "|")


def sniff_delimiter(sample: str, hint: str | None = None) -> tuple[str, str | None]:
    """(delimiter, quotechar): the delimiter giving the most lines with the same field count."""
    lines = sample.splitlines()[:-1] or sample.splitlines()
    text = "\n".join(lines[:200])
    best: tuple[float, str] = (-1.0, hint or ",")
    for delimiter in DELIMITERS:
        counts = Counter(len(r) for r in csv.reader(io.StringIO(text), delimiter=delimiter))
        if not counts:
            continue
        width, lines_with_width = counts.most_common(1)[0]
        if width < 2:
            continue
        score = lines_with_width * (1 + 0.01 * min(width, 100))
        if delimiter == hint:
            score *= 1.5
        if score > best[0]:
            best = (score, delimiter)
    # Double quotes are what every exporter writes; single quotes would break Japanese text
    # with apostrophes, so they are never guessed.
    return best[1], '"'


def csv_rows(
    path: Path, inspection: Inspection, delimiter: str, quotechar: str | None
) -> Iterator[list[str]]:
    """Every record of the file, decoded as ``inspection`` says."""
    with open_text(path, inspection) as handle:
        yield from iter_rows(handle, delimiter, quotechar)
