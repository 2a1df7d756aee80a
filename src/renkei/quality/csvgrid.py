"""CSV bytes to a ``Grid`` with the cells Python's csv module would give, at pyarrow's speed.

Python's ``csv.reader`` yields a list per record, whatever its length, and ``[]`` for a blank
line; the checks rely on both (ragged rows, blank rows). ``pyarrow.csv`` is columnar and
multi-threaded but wants one width and skips blank lines. So:

1. a numpy pass over the bytes finds the record ends and counts the delimiters of each record,
   outside quotes (a quote's parity is its index among all quotes). It also checks that every
   quote sits where a well-formed field puts it (opening after a delimiter or a line start,
   closing before one, or doubled); otherwise the file is not split here (``None``) and the
   caller uses the csv module, which also names the stray or unclosed quote;
2. pyarrow.csv parses the records of the most common width, all columns as strings, and skips
   the others (a callback per skipped record);
3. the skipped records (titles, notes, ragged rows) are parsed one by one with the csv module,
   and every column is put back in file order with one ``take``.

The result equals ``list(csv.reader(text, delimiter=...))`` for every file this module accepts
(a lone CR as a line end is also left to the csv module).
"""

from __future__ import annotations

import csv
import io

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from renkei.quality.grid import Grid

QUOTE = ord('"')
LF = ord("\n")
CR = ord("\r")


def _quotes_well_formed(buf: np.ndarray, quotes: np.ndarray, delimiter: int) -> bool:
    """Every quote opens a field, closes one, or is doubled inside one; none is left open."""
    if len(quotes) % 2:
        return False
    n = len(buf)
    k = np.arange(len(quotes))
    opening = quotes[k % 2 == 0]
    closing = quotes[k % 2 == 1]
    # An opening quote follows a delimiter, a line end, the file start, or a closing quote
    # right before it (the second quote of a doubled "" inside a field).
    before = buf[np.maximum(opening - 1, 0)]
    after_close = np.isin(opening - 1, closing)
    ok_open = (opening == 0) | (before == delimiter) | (before == LF) | after_close
    # A closing quote is followed by a delimiter, a line end, the file end, or the next quote.
    after = buf[np.minimum(closing + 1, n - 1)]
    ok_close = (
        (closing == n - 1) | (after == delimiter) | (after == LF) | (after == CR) | (after == QUOTE)
    )
    return bool(ok_open.all() and ok_close.all())


def _lengths(
    buf: np.ndarray, quotes: np.ndarray | None, delim: int, ends: np.ndarray, content: np.ndarray
) -> np.ndarray:
    """Cells per record as the csv module counts them (0 for a blank line), for the records
    whose ends are given (a prefix of the file is enough)."""
    if not len(ends):
        return np.zeros(0, dtype=np.int64)
    stop = int(ends[-1])
    delims = np.flatnonzero(buf[:stop] == delim)
    if quotes is not None and len(quotes):
        delims = delims[np.searchsorted(quotes, delims) % 2 == 0]
    fields = np.diff(np.searchsorted(delims, np.concatenate(([0], ends)))) + 1
    return np.where(content == 0, 0, fields).astype(np.int64)


def _parse(
    data: bytes, delimiter: str, width: int, newlines_in_values: bool
) -> tuple[pa.Table, int]:
    """The records of ``width`` cells, all as strings; and how many records were skipped."""
    names = [f"c{i}" for i in range(width)]
    skipped = [0]

    def skip(row: pacsv.InvalidRow) -> str:
        skipped[0] += 1
        return "skip"

    table = pacsv.read_csv(
        pa.BufferReader(data),
        read_options=pacsv.ReadOptions(
            column_names=names,
            # Threads only pay off beyond a few blocks' worth of text.
            use_threads=len(data) > 1 << 22,
            # Two blocks or more: one per core on a 2-core machine, without the per-block cost
            # of many small ones.
            block_size=max(1 << 22, len(data) // 2 + 1),
        ),
        parse_options=pacsv.ParseOptions(
            delimiter=delimiter,
            quote_char='"',
            double_quote=True,
            escape_char=False,
            newlines_in_values=newlines_in_values,
            ignore_empty_lines=True,
            invalid_row_handler=skip,
        ),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()),
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
            null_values=[],
            true_values=[],
            false_values=[],
        ),
    )
    return table, skipped[0]


#: below this size the csv module reads a file faster than pyarrow's per-file set-up
MIN_BYTES = 128 * 1024

#: records whose cells are counted to guess the table's width before the parse
SAMPLE_RECORDS = 1000


def split(data: bytes, delimiter: str) -> Grid | None:
    """The records of UTF-8 CSV bytes (no BOM) as a Grid; None when only the csv module can
    read them exactly (misplaced quotes, a lone CR as a line end)."""
    if not data:
        return Grid([], np.zeros(0, dtype=np.int64))
    buf = np.frombuffer(data, dtype=np.uint8)
    delim = ord(delimiter)
    if b"\r" in data:
        cr = np.flatnonzero(buf == CR)
        if cr[-1] == len(buf) - 1 or not (buf[cr + 1] == LF).all():
            return None  # a lone CR: the csv module ends a record there, pyarrow too, we don't
    newlines = np.flatnonzero(buf == LF)
    quotes = None
    newlines_in_values = False
    if b'"' in data:
        quotes = np.flatnonzero(buf == QUOTE)
        if not _quotes_well_formed(buf, quotes, delim):
            return None
        # Outside quotes: an even number of quotes before the byte.
        outside = np.searchsorted(quotes, newlines) % 2 == 0
        newlines_in_values = not outside.all()
        newlines = newlines[outside]
    ends = newlines
    if buf[-1] != LF:
        ends = np.append(ends, len(buf))  # the last record has no line end
    starts = np.concatenate(([0], ends[:-1] + 1))
    # Bytes of each record without its line end (CRLF counts as one).
    content = ends - starts
    has_cr = content > 0
    has_cr[has_cr] = buf[ends[has_cr] - 1] == CR
    content -= has_cr
    blank = content == 0
    if blank.all():
        return Grid([], np.zeros(len(ends), dtype=np.int64))
    # The width most records have, guessed on the first ones: when every non-blank record
    # has it (pyarrow skips none), the delimiters need no counting at all.
    head = _lengths(buf, quotes, delim, ends[:SAMPLE_RECORDS], content[:SAMPLE_RECORDS])
    width = int(np.bincount(head[head > 0]).argmax())
    table, skipped = _parse(data, delimiter, width, newlines_in_values)
    if skipped == 0 and table.num_rows == int((~blank).sum()):
        lengths = np.where(blank, 0, width).astype(np.int64)
    else:
        lengths = _lengths(buf, quotes, delim, ends, content)
        mode = int(np.bincount(lengths[lengths > 0]).argmax())
        if mode != width:
            width = mode
            table, skipped = _parse(data, delimiter, width, newlines_in_values)
    regular = lengths == width
    if table.num_rows != int(regular.sum()):
        return None  # pyarrow read the records differently: leave the file to the csv module
    parsed = [table.column(i).combine_chunks() for i in range(width)]
    others = np.flatnonzero(~regular & ~blank)
    if not len(others) and regular.all():
        return Grid(parsed, lengths)
    # The other records, exactly as the csv module reads them, then all put back in order.
    extra = [
        next(
            csv.reader(
                io.StringIO(data[starts[j] : ends[j]].decode("utf-8"), newline=""),
                delimiter=delimiter,
                strict=True,
            ),
            [],
        )
        for j in others.tolist()
    ]
    count = int(regular.sum())
    source = np.full(len(lengths), count + len(others), dtype=np.int64)
    source[regular] = np.arange(count)
    source[others] = count + np.arange(len(others))
    take = pa.array(source)
    columns = []
    for c in range(int(lengths.max())):
        tail = pa.array([row[c] if c < len(row) else "" for row in extra] + [""], pa.string())
        head_cells = parsed[c] if c < width else pa.array([""] * count, pa.string())
        columns.append(pa.concat_arrays([head_cells, tail]).take(take))
    return Grid(columns, lengths)
