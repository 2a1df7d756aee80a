"""CSV and TSV: delimiter and quoting from the first lines, then every row through the table
analysis. ``csv.Sniffer`` gives up on files with a preamble; counting fields per line for
each delimiter candidate does not."""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path

from renkei.ingest.read import iter_rows, open_text

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
    quotechar: str | None = '"'
    return best[1], quotechar


def csv_rows(path: Path, inspection, delimiter: str, quotechar: str | None):  # type: ignore[no-untyped-def]
    with open_text(path, inspection) as handle:
        yield from iter_rows(handle, delimiter, quotechar)
