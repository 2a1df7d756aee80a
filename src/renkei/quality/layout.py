"""Where the table is inside a sheet: preamble, header rows, data, repeated headers, notes.

Publication-shaped files put a title, metadata or notes around the table, spread the header
over two rows, repeat the header when a second block starts, or leave the header out. The
scorers and ``quality fix`` share this one reading of the layout so that a problem is found
and repaired at the same rows. All indices here are 0-based; findings add 1.
"""

from __future__ import annotations

import heapq
import re
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from renkei.quality import grid as cells
from renkei.quality.reading import Sheet

#: A cell that is a plain number (half-width), possibly signed or with a decimal part.
NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
#: Lines that start a note: 注, ※, *, 出典, 資料, (注), 備考 ...
NOTE_START = re.compile(
    r"^\s*(?:[※＊*]|\(?注|（注|注[0-9０-９]|出典|資料[:：]|備考[:：]|Note|Source)"
)
#: Rows that are totals: 合計, 総数, 計, 小計, 総計, 全体, total
TOTAL = re.compile(
    r"^\s*(?:合\s*計|総\s*数|総\s*計|小\s*計|計|全\s*体|全\s*市|total|Total|TOTAL)\s*$"
)


def notes_sheet(layouts: list[Layout], index: int) -> bool:
    """A one-column sheet of text beside real tables: the checklist's place for notes."""
    layout = layouts[index]
    return (
        len(layouts) > 1
        and layout.width <= 1
        and any(other.width > 1 for k, other in enumerate(layouts) if k != index)
    )


def filled(row: list[str]) -> int:
    """Non-empty cells (fast path: a whitespace-only cell counts only when rows are short)."""
    n = len(row) - row.count("")
    if n and len(row) <= 4:
        return sum(1 for cell in row if cell.strip())
    return n


def is_number(cell: str) -> bool:
    return bool(NUMBER.fullmatch(cell.strip()))


@dataclass
class Layout:
    """Row indices (0-based) of each part of a sheet, and the flattened column labels."""

    width: int
    preamble: list[int] = field(default_factory=list)
    header_rows: list[int] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    data: list[int] = field(default_factory=list)
    notes: list[int] = field(default_factory=list)
    blank: list[int] = field(default_factory=list)
    #: rows inside the data that repeat the header (a second table block starts there)
    repeated_headers: list[int] = field(default_factory=list)
    #: the first row already holds data: the file has no header row
    headerless: bool = False
    #: the data column by column, filled by ``column()`` and ``nonempty()``
    cached_columns: dict[int, pa.Array] = field(default_factory=dict, repr=False, compare=False)
    cached_nonempty: dict[int, int] = field(default_factory=dict, repr=False, compare=False)
    cached_numeric: dict[int, bool] = field(default_factory=dict, repr=False, compare=False)
    cached_index: np.ndarray | None = field(default=None, repr=False, compare=False)
    #: a headerless file's header row found further down, among the records
    misplaced_header: int | None = None
    #: the header came from a '#property' row (the Takamatsu / IMI metadata convention)
    property_header: bool = False


def _header_like(row: list[str]) -> bool:
    cells = [c for c in row if c.strip()]
    return bool(cells) and not any(is_number(c) and "." in c for c in cells)


def _continues_header(header: list[str], row: list[str]) -> bool:
    """A second header row: the first holds blanks (a merged group label) and this row fills
    them with labels, without any number in the row and with an empty key column."""
    # The key column is the header's first labelled one (left columns may be empty).
    lead = next((c for c, v in enumerate(header) if v.strip()), 0)
    if len(row) <= lead or row[lead].strip() or filled(row) < 2:
        return False
    if not any(not c.strip() for c in header[lead + 1 :]):
        return False
    return not any(is_number(c) for c in row if c.strip())


def _starts_note(row: list[str]) -> bool:
    first = next((c for c in row if c.strip()), "")
    return bool(NOTE_START.match(first))


def _repeats(header_key: list[str], row: list[str]) -> bool:
    """The header again, possibly with small differences (a re-typed title, shifted spans)."""
    same = sum(1 for a, b in zip(header_key, row, strict=False) if a and a == b.strip())
    return same >= max(2, (sum(1 for a in header_key if a) + 1) // 2)


def _row_counts(sheet: Sheet) -> np.ndarray:
    """Non-empty cells per row; rows of at most 4 cells also discount whitespace-only cells
    (see ``filled()``), counted over whole columns."""
    grid = sheet.grid()
    counts = grid.nonempty_per_row()
    short = (grid.lengths <= 4) & (counts > 0)
    if short.any():
        index = np.flatnonzero(short)
        for c in range(min(4, grid.width)):
            col = grid.column(c, index)
            counts[index] -= cells.nonempty(col) & cells.blank(col)
    return counts


def _has_text(column: pa.Array) -> bool:
    """Some cell holds more than whitespace (a letter, a digit or a CJK character is enough)."""
    if TEXT_BYTE.search(cells.raw(column)):
        return True
    return not cells.blank(column).all()


#: bytes that only appear in characters that are not whitespace (ASCII letters and digits,
#: the lead bytes of CJK ideographs): a cheap proof that a column holds text
TEXT_BYTE = re.compile(rb"[0-9A-Za-z\xe4-\xef]")


def detect(sheet: Sheet) -> Layout:
    rows = sheet.rows
    grid = sheet.grid()
    counts = _row_counts(sheet)
    width = grid.width
    # Trailing columns that are empty in every row are padding, not columns.
    while width and not _has_text(grid.columns[width - 1]):
        width -= 1
    layout = Layout(width=width)
    nonblank = counts[counts > 0]
    if not len(nonblank):
        layout.blank = list(range(len(rows)))
        return layout
    typical = int(np.partition(nonblank, len(nonblank) // 2)[len(nonblank) // 2])
    # A row this sparse above or below the table is a title or a note, not a record.
    sparse = 2 if typical >= 5 else 1

    i = 0
    # Preamble: '#' metadata lines, titles and blank lines above the table.
    while i < len(rows):
        first = rows[i][0].strip() if counts[i] else ""
        if first.lower() == "#property":
            break
        if counts[i] == 0:
            layout.blank.append(i)
            i += 1
            continue
        if first.startswith("#") or (counts[i] <= sparse and typical >= 3):
            layout.preamble.append(i)
            i += 1
            continue
        break
    if i >= len(rows):
        return layout
    header = rows[i]
    layout.header_rows = [i]
    if header and header[0].strip().lower() == "#property":
        layout.property_header = True
    elif not _header_like(header):
        layout.headerless = True
        layout.header_rows = []
    i += 1 if layout.header_rows else 0
    # '#' lines right under a '#property' header (types, contexts) belong to the metadata.
    while layout.property_header and i < len(rows) and rows[i] and rows[i][0].startswith("#"):
        layout.preamble.append(i)
        i += 1
    while layout.header_rows and not layout.property_header and i < len(rows):
        if _continues_header(rows[layout.header_rows[0]], rows[i]):
            layout.header_rows.append(i)
            i += 1
        else:
            break
    layout.labels = flatten_header([rows[h] for h in layout.header_rows], width)
    if layout.property_header and layout.labels:
        layout.labels[0] = ""  # the '#property' marker is not a label

    # Notes: sparse rows at the bottom (after the last full row).
    end = len(rows)
    while end > i and (
        counts[end - 1] == 0
        or (counts[end - 1] <= sparse and typical >= 3)
        or (counts[end - 1] < typical and _starts_note(rows[end - 1]))
    ):
        end -= 1
    for j in range(end, len(rows)):
        (layout.notes if counts[j] else layout.blank).append(j)
    body = np.arange(i, end)
    filled_rows = counts[i:end] > 0
    layout.blank.extend(body[~filled_rows].tolist())
    repeated = _repeated_headers(sheet, layout, counts, i, end)
    layout.repeated_headers = repeated
    data = body[filled_rows]
    if repeated:
        data = data[~np.isin(data, repeated)]
    layout.data = data.tolist()
    layout.blank.sort()
    if layout.headerless:
        _find_misplaced_header(sheet, layout)
    return layout


def _repeated_headers(
    sheet: Sheet, layout: Layout, counts: np.ndarray, i: int, end: int
) -> list[int]:
    """Rows in [i, end) that repeat the header (a new block) or continue a repeated one."""
    rows = sheet.rows
    header_key = [c.strip() for c in rows[layout.header_rows[0]]] if layout.header_rows else None
    if header_key is None or end <= i:
        return []
    # A repeated header starts like the header: only rows whose first cells hold one of its
    # first labels are compared (found by a substring scan of the first two columns).
    starts = {c for c in header_key[:3] if c}
    if not starts:
        return []
    grid = sheet.grid()
    candidates: set[int] = set()
    for c in range(min(2, grid.width)):
        col = grid.columns[c].slice(i, end - i)
        raw = bytes(cells.raw(col))
        for start in starts:
            if start.encode() in raw:
                hit = pc.match_substring(col, start).to_numpy(zero_copy_only=False)
                candidates.update((np.flatnonzero(hit) + i).tolist())
    block_first = layout.header_rows[0]
    found: list[int] = []
    todo = sorted(candidates)
    heapq.heapify(todo)
    seen: set[int] = set()
    while todo:
        j = heapq.heappop(todo)
        if j in seen or j >= end or counts[j] == 0:
            continue
        seen.add(j)
        row = rows[j]
        starts_like_header = row[0].strip() in starts or (len(row) > 1 and row[1].strip() in starts)
        repeated = starts_like_header and _repeats(header_key, row)
        # A continuation row extends the block's first header row (not the previous one).
        continued = (
            not repeated
            and bool(found)
            and found[-1] == j - 1
            and _continues_header(rows[block_first], row)
        )
        if repeated:
            block_first = j
        if repeated or continued:
            found.append(j)
            heapq.heappush(todo, j + 1)  # the next row may continue this header
    return found


def _find_misplaced_header(sheet: Sheet, layout: Layout) -> None:
    """A header sorted into the records: the one row with text where the others have numbers."""
    rows = sheet.rows
    numeric_cols = [
        c
        for c in range(layout.width)
        if sum(1 for j in layout.data[:200] if c < len(rows[j]) and is_number(rows[j][c]))
        >= 0.9 * min(len(layout.data), 200)
    ]
    if not numeric_cols:
        return
    # Only rows whose first numeric column is not a plain ASCII number can qualify.
    first = column(sheet, layout, numeric_cols[0])
    plain = pc.match_substring_regex(first, ASCII_NUMBER).to_numpy(zero_copy_only=False)
    for i in np.flatnonzero(~plain).tolist():
        j = layout.data[i]
        row = rows[j]
        if all(
            c < len(row) and row[c].strip() and not is_number(row[c]) for c in numeric_cols
        ) and (_header_like(row) and filled(row) == layout.width):
            layout.misplaced_header = j
            layout.labels = [" ".join(c.split()) for c in row] + [""] * (layout.width - len(row))
            layout.data.remove(j)
            layout.cached_columns.clear()
            layout.cached_nonempty.clear()
            layout.cached_index = None
            return


#: a plain half-width number with ASCII digits only: a subset of what ``NUMBER`` accepts
ASCII_NUMBER = r"^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$"


def flatten_header(header_rows: list[list[str]], width: int) -> list[str]:
    """One label per column from one or more header rows: group labels are carried right over
    the blank cells of a merged span and joined to the sub-label with '_'."""
    if not header_rows:
        return []
    grid = [list(r) + [""] * (width - len(r)) for r in header_rows]
    for r, row in enumerate(grid[:-1]):
        carry = ""
        for c in range(width):
            if row[c].strip():
                carry = row[c].strip()
            elif carry and any(grid[k][c].strip() for k in range(r + 1, len(grid))):
                row[c] = carry
    labels = []
    for c in range(width):
        parts: list[str] = []
        for row in grid:
            text = " ".join(row[c].split())
            if text and text not in parts:
                parts.append(text)
        labels.append("_".join(parts))
    return labels


def data_index(layout: Layout) -> np.ndarray:
    """``layout.data`` as a numpy array (computed once per layout)."""
    if layout.cached_index is None or len(layout.cached_index) != len(layout.data):
        layout.cached_index = np.asarray(layout.data, dtype=np.int64)
    return layout.cached_index


def column(sheet: Sheet, layout: Layout, c: int) -> pa.Array:
    """The data cells of column ``c`` (short rows padded with ''), computed once per layout
    and shared by the scorers."""
    if c not in layout.cached_columns:
        layout.cached_columns[c] = sheet.grid().column(c, data_index(layout))
    return layout.cached_columns[c]


def nonempty(sheet: Sheet, layout: Layout, c: int) -> int:
    """How many cells of column ``c`` hold something (computed once per layout)."""
    if c not in layout.cached_nonempty:
        layout.cached_nonempty[c] = int(cells.nonempty(column(sheet, layout, c)).sum())
    return layout.cached_nonempty[c]
