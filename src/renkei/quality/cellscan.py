"""Fast cell scanning: whole-column kernels first, Python only on the cells they flag.

A rule is written once, as a Python regex applied to one cell (``fullmatch`` for a pattern
made with ``cell()``, ``finditer`` otherwise), so its verdict is the one the rule's author
meant. Running it on every cell would cost a Python call per cell, so each rule is guarded by
cheaper tests that may say "maybe" but never miss:

1. one RE2 pass over the column's cells back to back for the union of the rules' triggers
   (``which``, for all columns of a sheet at once): a clean column costs one C pass;
2. a pyarrow (RE2) kernel over the cells, whose matches are the candidate cells;
3. the Python regex on the candidates only (``hits``, ``fullmatches``).

For small lists of cells (a 2,000-cell sample) ``join``/``count`` keep the older trick: cells
joined with the ASCII unit separator (0x1F) and counted with one regex pass.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from renkei.quality.grid import PY_WHITESPACE, raw, texts

SEP = "\x1f"
#: Python's whitespace (``\\s`` on str) as an RE2 class
WS = "[" + "".join(f"\\x{{{ord(c):x}}}" for c in PY_WHITESPACE) + "]"


def cell(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """A pattern that must match a whole cell (use ``fullmatch``, or ``joined`` on a blob)."""
    return re.compile(pattern, flags)


def joined(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """The whole-cell ``pattern`` for a blob of cells joined with ``SEP``."""
    return re.compile(rf"(?<![^\x1f])(?:{pattern.pattern})(?![^\x1f])", pattern.flags)


def join(column: list[str] | tuple[str, ...]) -> str:
    return SEP.join(column)


def count(blob: str, pattern: re.Pattern[str]) -> int:
    """Matches of a ``joined`` pattern in a blob."""
    return len(pattern.findall(blob))


def which(columns: list[pa.Array], patterns: list[dict[str, str]]) -> list[set[str]]:
    """For each column, the names of its RE2 ``patterns`` that may match in it.

    Each column is seen as one string (its cells back to back); every pattern runs once over
    all the columns that ask for it (one regex compilation per sheet, not per column), the
    union of a column's patterns first, so a clean column costs a single pass."""
    wholes = _wholes(columns)
    union = ["|".join(f"(?:{p})" for p in wanted.values()) for wanted in patterns]
    fired: list[set[str]] = [set() for _ in columns]
    maybe_any = _grouped(wholes, union, range(len(columns)))
    for name in {name for wanted in patterns for name in wanted}:
        asking = [c for c in range(len(columns)) if maybe_any[c] and name in patterns[c]]
        by_pattern: dict[str, list[int]] = {}
        for c in asking:
            by_pattern.setdefault(patterns[c][name], []).append(c)
        for pattern, cols in by_pattern.items():
            hit = _grouped(wholes, [pattern] * len(cols), cols)
            fired_cols = [c for c, h in zip(cols, (hit[c] for c in cols), strict=True) if h]
            for c in fired_cols:
                fired[c].add(name)
    return fired


def _wholes(columns: list[pa.Array]) -> pa.Array:
    """One string per column: its cells back to back (one copy of the text)."""
    parts = [bytes(raw(col)) for col in columns]
    offsets = np.zeros(len(parts) + 1, dtype=np.int64)
    np.cumsum([len(p) for p in parts], out=offsets[1:])
    return pa.LargeStringArray.from_buffers(
        len(parts), pa.py_buffer(offsets), pa.py_buffer(b"".join(parts))
    )


def _grouped(wholes: pa.Array, patterns: list[str], cols) -> dict[int, bool]:
    """Does pattern k match column cols[k]? Columns sharing a pattern go in one kernel call."""
    cols = list(cols)
    out: dict[int, bool] = {}
    groups: dict[str, list[int]] = {}
    for c, pattern in zip(cols, patterns, strict=True):
        if pattern:
            groups.setdefault(pattern, []).append(c)
        else:
            out[c] = False
    for pattern, members in groups.items():
        subset = wholes.take(pa.array(members, pa.int64()))
        hits = pc.match_substring_regex(subset, pattern).to_pylist()
        out.update(zip(members, hits, strict=True))
    return out


def candidates(column: pa.Array, re2: str) -> np.ndarray:
    """Indices of the cells where the RE2 pattern ``re2`` matches somewhere."""
    mask = pc.match_substring_regex(column, re2).to_numpy(zero_copy_only=False)
    return np.flatnonzero(mask)


def fullmatches(
    column: pa.Array, index: np.ndarray, pattern: re.Pattern[str]
) -> Iterator[tuple[int, str]]:
    """(index, cell) of the cells at ``index`` that ``pattern`` matches whole, in order."""
    for i, text in zip(index.tolist(), texts(column, index), strict=True):
        if pattern.fullmatch(text):
            yield i, text


def hits(
    column: pa.Array, index: np.ndarray, pattern: re.Pattern[str]
) -> Iterator[tuple[int, str, str]]:
    """(index, cell, matched text) of every match in the cells at ``index``, in order."""
    for i, text in zip(index.tolist(), texts(column, index), strict=True):
        for m in pattern.finditer(text):
            yield i, text, m.group(0)


def re2_any(*words: str) -> str:
    """An RE2 pattern for 'one of these words occurs'."""
    return "|".join(re.escape(w) for w in words)
