"""Fast cell scanning: whole-column kernels first, Python only on the cells they flag.

A rule is written once, as a Python regex applied to one cell (``fullmatch`` for a pattern
made with ``cell()``, ``finditer`` otherwise), so its verdict is the one the rule's author
meant. Running it on every cell would cost a Python call per cell, so each rule is guarded by
cheaper tests that may say "maybe" but never miss:

1. one RE2 pass over the column's cells back to back for the union of the rules' triggers
   (``which``, with patterns compiled once per process): a clean column costs one C pass;
2. a pyarrow (RE2) kernel over the cells, whose matches are the candidate cells;
3. the Python regex on the candidates only (``hits``, ``fullmatches``).

For small lists of cells (a 2,000-cell sample) ``join``/``count`` keep the older trick: cells
joined with the ASCII unit separator (0x1F) and counted with one regex pass.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import re2

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

    Each column is seen as one string (its cells back to back, without a copy); the union of
    a column's patterns runs first, so a clean column costs a single pass. The patterns are
    compiled once per process (``google-re2``, the engine pyarrow's regex kernels use): a
    pyarrow kernel compiles its pattern at every call, which for a small file cost more than
    the scan itself."""
    fired: list[set[str]] = []
    for col, wanted in zip(columns, patterns, strict=True):
        text = raw(col)
        named = {name: pattern for name, pattern in wanted.items() if pattern}
        if not named or _re2(_union(tuple(named.values()))).search(text) is None:
            fired.append(set())
            continue
        fired.append({name for name, p in named.items() if _re2(p).search(text) is not None})
    return fired


def _union(patterns: tuple[str, ...]) -> str:
    return "|".join(f"(?:{p})" for p in patterns)


@cache
def _re2(pattern: str) -> re2._Regexp:
    """An RE2 pattern, compiled once per process (RE2 falls back from its DFA to an NFA on
    any input, so a search never gives up on a large column)."""
    return re2.compile(pattern)


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
