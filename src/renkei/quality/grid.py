"""A sheet's cells column by column: pyarrow string arrays that the checks scan as a whole.

The content checks used to hold every cell as a Python string in a list of rows; building those
lists cost more than the checks themselves. A ``Grid`` keeps one ``pyarrow.StringArray`` per
column (short rows padded with '') and the number of cells of every row, so a check runs a C
kernel over a whole column and Python touches only the cells a kernel flagged. ``GridRows``
gives the old list-of-rows view on top of it (a row is built when it is asked for), for the
code that looks at a few rows (titles, notes, a header) and for ``quality fix``.

Whitespace follows Python's ``str.isspace()`` (U+3000 included) so that a kernel's verdict
equals the ``cell.strip()`` the rules are written with.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import overload

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

#: every character ``str.isspace()`` accepts (what ``str.strip()`` removes)
PY_WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_BLANK = "^[" + "".join(f"\\x{{{ord(c):x}}}" for c in PY_WHITESPACE) + "]*$"


def strip(column: pa.Array) -> pa.Array:
    """``cell.strip()`` for every cell."""
    return pc.utf8_trim(column, characters=PY_WHITESPACE)


def blank(column: pa.Array) -> np.ndarray:
    """True where ``not cell.strip()`` (empty or whitespace only)."""
    return pc.match_substring_regex(column, _BLANK).to_numpy(zero_copy_only=False)


def nonempty(column: pa.Array) -> np.ndarray:
    """True where the cell is not ''."""
    return pc.not_equal(column, "").to_numpy(zero_copy_only=False)


def raw(column: pa.Array) -> memoryview:
    """The UTF-8 bytes of all cells back to back, without a copy: a cheap whole-column
    pre-filter (``b'x' in raw(col)``, a bytes regex) before any cell is looked at. A match
    may span two cells, so a hit is only a reason to look closer."""
    if len(column) == 0:
        return memoryview(b"")
    offsets = np.frombuffer(column.buffers()[1], dtype=np.int32)
    start = offsets[column.offset]
    end = offsets[column.offset + len(column)]
    data = column.buffers()[2]
    return memoryview(data)[start:end] if data is not None else memoryview(b"")


def texts(column: pa.Array, index: np.ndarray) -> list[str]:
    """The cells at ``index`` as Python strings."""
    return column.take(pa.array(index, type=pa.int64())).to_pylist()


#: rows read one at a time before the grid builds all its rows as lists (cheaper per row)
ROW_READS = 2000


class Grid:
    """Columns of equal length (one entry per row) and the cell count of each row."""

    def __init__(self, columns: list[pa.Array], lengths: np.ndarray) -> None:
        self.columns = columns
        self.lengths = lengths
        self._rows: list[list[str]] | None = None
        self._row_reads = 0

    @classmethod
    def from_rows(cls, rows: Sequence[list[str]], *, owned: bool = False) -> Grid:
        """A grid of these rows; ``owned``: the rows are the grid's from now on (a reader's
        fresh lists), so they are kept as they are instead of copied."""
        width = max((len(r) for r in rows), default=0)
        padded = [r if len(r) == width else list(r) + [""] * (width - len(r)) for r in rows]
        columns = [pa.array(col, type=pa.string()) for col in zip(*padded, strict=True)]
        if not rows:
            columns = []
        grid = cls(columns, np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows)))
        grid._rows = list(rows) if owned else [list(r) for r in rows]
        return grid

    def __len__(self) -> int:
        return len(self.lengths)

    @property
    def width(self) -> int:
        return len(self.columns)

    def row(self, j: int) -> list[str]:
        if self._rows is None:
            self._row_reads += 1
            if self._row_reads > ROW_READS:
                self.all_rows()  # a caller walks the rows one by one: build them all once
        if self._rows is not None:
            return self._rows[j]
        return [self.columns[c][j].as_py() for c in range(int(self.lengths[j]))]

    def all_rows(self) -> list[list[str]]:
        """Every row as a list of strings (built once; the slow path, for whole-file rewrites)."""
        if self._rows is None:
            cols = [c.to_pylist() for c in self.columns]
            width = len(cols)
            lengths = self.lengths.tolist()
            self._rows = (
                [
                    list(cells) if n == width else list(cells[:n])
                    for cells, n in zip(zip(*cols, strict=True), lengths, strict=True)
                ]
                if cols
                else [[] for _ in lengths]
            )
        return self._rows

    def column(self, c: int, index: np.ndarray | None = None) -> pa.Array:
        """Column ``c`` (all rows, or the rows at ``index``); '' beyond the grid's width."""
        n = len(self) if index is None else len(index)
        if c >= self.width:
            return pa.array([""] * n, type=pa.string())
        col = self.columns[c]
        if index is None:
            return col
        if len(index) and index[-1] - index[0] + 1 == len(index):
            return col.slice(int(index[0]), len(index))  # one contiguous block: no copy
        return col.take(pa.array(index, type=pa.int64()))

    def nonempty_per_row(self) -> np.ndarray:
        """Cells that are not '' in each row."""
        if self._rows is not None and len(self._rows) <= ROW_READS:
            # A small grid that holds its rows: counting in them beats a kernel per column.
            rows = self._rows
            return np.fromiter(
                (len(r) - r.count("") for r in rows), dtype=np.int64, count=len(rows)
            )
        counts = np.zeros(len(self), dtype=np.int64)
        for col in self.columns:
            counts += nonempty(col)
        return counts


class GridRows(Sequence[list[str]]):
    """A grid seen as a list of rows (each a list of strings), built row by row on demand."""

    def __init__(self, grid: Grid) -> None:
        self.grid = grid

    def __len__(self) -> int:
        return len(self.grid)

    @overload
    def __getitem__(self, index: int) -> list[str]: ...
    @overload
    def __getitem__(self, index: slice) -> list[list[str]]: ...
    def __getitem__(self, index: int | slice) -> list[str] | list[list[str]]:
        if isinstance(index, slice):
            return self.grid.all_rows()[index]
        if index < 0:
            index += len(self.grid)
        if not 0 <= index < len(self.grid):
            raise IndexError(index)
        return self.grid.row(index)

    def __iter__(self) -> Iterator[list[str]]:
        return iter(self.grid.all_rows())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, GridRows | list):
            return list(self) == list(other)
        return NotImplemented

    def __repr__(self) -> str:
        return f"GridRows({len(self)} rows)"
