"""Fast cell scanning: whole-column kernels first, Python only on the cells they flag.

A rule is written once, as a Python regex applied to one cell (``fullmatch`` for a pattern
made with ``cell()``, ``finditer`` otherwise), so its verdict is the one the rule's author
meant. Running it on every cell would cost a Python call per cell, so each rule is guarded by
cheaper tests that may say "maybe" but never miss:

1. one RE2 pass over the column's cells back to back (``whole``, no copy) for the union of the
   rules' triggers (``which``): a clean column costs one C pass for all rules;
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


def whole(column: pa.Array) -> pa.Array:
    """The column's cells back to back as ONE string (no copy), for a single RE2 pass."""
    data = raw(column)
    offsets = pa.py_buffer(np.array([0, len(data)], dtype=np.int32))
    return pa.StringArray.from_buffers(1, offsets, pa.py_buffer(data))


def maybe(column: pa.Array | str, re2: str) -> bool:
    """Might some cell hold a match of ``re2``? One RE2 pass over the whole column (pass
    ``whole(column)`` to scan it several times); a match may span two cells, so a yes is
    only a reason to look at the cells."""
    one = column if isinstance(column, pa.Array) and len(column) == 1 else whole(column)
    return bool(pc.match_substring_regex(one, re2)[0].as_py())


def which(column: pa.Array, patterns: dict[str, str]) -> set[str]:
    """The names of the RE2 ``patterns`` that may match in the column: one pass for all of
    them, and one more per pattern only when something matched."""
    one = whole(column)
    union = "|".join(f"(?:{p})" for p in patterns.values())
    if not patterns or not maybe(one, union):
        return set()
    return {name for name, p in patterns.items() if maybe(one, p)}


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
