"""From rows of cells to a described table: preamble, header (one or two rows), footer, columns.

The layout is read from the first rows; then every row streams through the column statistics
(``infer.ColumnStats``), holding back only the last few rows, which may turn out to be notes
under the table (a footer). Works on any source of rows: CSV/TSV text, xlsx sheets, JSON.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import chain, islice

from renkei.ingest import values
from renkei.ingest.infer import ColumnStats
from renkei.ingest.model import Column
from renkei.ingest.problems import ProblemLog

HEAD_ROWS = 200
BATCH_ROWS = 2000
TAIL_ROWS = 30
MAX_NAME = 63  # PostgreSQL's identifier limit; longer names are cut so every engine takes them
MAX_COLUMNS = 16_384  # Excel's own limit; wider "tables" are refused
NOTE_PREFIXES = ("※", "注", "(注", "（注", "出典", "備考", "資料", "*", "＊")

Row = list[str | None]


@dataclass
class Layout:
    skip_rows: int = 0
    header_rows: int = 1
    names: list[str] = field(default_factory=list)
    original: list[str | None] = field(default_factory=list)


@dataclass
class TableResult:
    layout: Layout
    columns: list[Column]
    row_count: int
    footer_rows: int
    ignored_rows: list[int]
    stats: list[ColumnStats]


def _cells(row: Row) -> list[str]:
    return [(c or "").strip() for c in row]


def _width(row: Row) -> int:
    cells = _cells(row)
    for index in range(len(cells) - 1, -1, -1):
        if cells[index]:
            return index + 1
    return 0


def table_width(rows: list[Row]) -> int:
    """The widest row width shared by at least two rows: one ragged row doesn't widen it."""
    widths = sorted((_width(r) for r in rows), reverse=True)
    for first, second in zip(widths, widths[1:], strict=False):
        if first == second:
            return first
    return widths[0] if len(widths) == 1 else (widths[-1] if widths else 0)


def _filled(row: Row) -> int:
    return sum(1 for c in _cells(row) if c)


def _is_value_like(text: str) -> bool:
    value = values.normalize(text)
    return (
        values.to_number(value) is not None
        or values.has_leading_zero(value)
        and value.isdigit()
        or bool(values.date_formats(value))
        or values.parse_latlon(value) is not None
    )


def _header_like(row: Row) -> bool:
    """A row of names: some text, and no cell that reads as a number, date or coordinate."""
    cells = [c for c in _cells(row) if c]
    return bool(cells) and not any(_is_value_like(c) for c in cells)


def _data_like(row: Row) -> bool:
    return any(_is_value_like(c) for c in _cells(row) if c)


def detect_layout(head: list[Row], log: ProblemLog) -> Layout:
    if not head:
        return Layout(header_rows=0)
    width = table_width(head[:50])
    index = 0
    # Preamble: titles, notes, '#key,value' metadata, blank rows — rows far narrower than the
    # table, above its first full-width row.
    limit = min(len(head) - 1, 50)
    while index < limit:
        row = head[index]
        filled = _filled(row)
        first = (_cells(row) or [""])[0]
        sparse = width >= 3 and filled <= max(1, width // 3)
        if filled == 0 or sparse or (first.startswith("#") and filled < width / 2):
            index += 1
            continue
        break
    layout = Layout(skip_rows=index)
    candidate = head[index]
    if not _header_like(candidate):
        layout.header_rows = 0
        layout.original = [None] * width
        layout.names = [f"column_{n + 1}" for n in range(width)]
        return layout
    names: list[str | None] = list(_cells(candidate))
    rows_used = 1
    nxt = index + 1
    # '#'-prefixed rows right under a '#property' header (type and context rows of the
    # 自治体標準オープンデータセット layout) are part of the header, not data.
    while nxt < len(head) and (_cells(head[nxt]) or [""])[0].startswith("#"):
        nxt += 1
        rows_used += 1
    if (
        rows_used == 1
        and nxt + 1 < len(head)
        and _header_like(head[nxt])
        and _data_like(head[nxt + 1])
        and _looks_grouped(candidate, width)
    ):
        names = _flatten(candidate, head[nxt], width)
        rows_used = 2
    layout.header_rows = rows_used
    layout.original = names
    return layout


def _looks_grouped(row: Row, width: int) -> bool:
    """A first header row of groups: blanks where merged cells were, or a repeated group name."""
    cells = _cells(row)[:width] + [""] * max(0, width - len(row))
    filled = [c for c in cells if c]
    return len(filled) < width or len(set(filled)) < len(filled)


def _flatten(top: Row, bottom: Row, width: int) -> list[str | None]:
    upper = _cells(top) + [""] * max(0, width - len(top))
    lower = _cells(bottom) + [""] * max(0, width - len(bottom))
    names: list[str | None] = []
    group = ""
    for index in range(width):
        if upper[index]:
            group = upper[index]
        elif not lower[index]:
            group = ""
        sub = lower[index]
        if group and sub and group != sub:
            names.append(f"{group}_{sub}")
        else:
            names.append(sub or group or None)
    return names


def clean_names(raw: list[str | None], width: int, log: ProblemLog, row: int | None) -> list[str]:
    """Usable, unique column names; every change is reported with the column it happened in."""
    names: list[str] = []
    seen: set[str] = set()
    padded = list(raw) + [None] * max(0, width - len(raw))
    for position, original in enumerate(padded[:width]):
        name = (original or "").strip().replace("\n", " ")
        where = {"row": row, "column": position + 1}
        if not name:
            name = f"column_{position + 1}"
            if original is not None:
                log.add(
                    "header.empty_name", "info",
                    f"Column {position + 1} has no name: it is called '{name}'",
                    f"{position + 1}列目に名前がないため「{name}」とします",
                    **where,
                )  # fmt: skip
        if len(name) > MAX_NAME:
            short = name[:MAX_NAME]
            log.add(
                "header.long_name", "warning",
                f"Column name is longer than {MAX_NAME} characters: cut to '{short}'",
                f"列名が{MAX_NAME}文字を超えるため「{short}」に短縮します",
                column_name=name, **where,
            )  # fmt: skip
            name = short
        if name in seen:
            base, suffix = name, 2
            while f"{base}_{suffix}" in seen:
                suffix += 1
            renamed = f"{base}_{suffix}"[: MAX_NAME + 8]
            log.add(
                "header.duplicate_name", "warning",
                f"Column name '{base}' is used twice: this one is called '{renamed}'",
                f"列名「{base}」が重複しているため「{renamed}」とします",
                column_name=base, **where,
            )  # fmt: skip
            name = renamed
        seen.add(name)
        names.append(name)
    return names


def analyse(rows: Iterable[Row], log: ProblemLog, header: list[str] | None = None) -> TableResult:
    """Read every row once: layout from the head, statistics from all, footer from the tail.

    ``header``: names known from the format itself (JSON keys); then every row is data."""
    iterator = iter(rows)
    head: list[Row] = []
    for row in iterator:
        head.append(row)
        if len(head) >= HEAD_ROWS:
            break
    if header is not None:
        layout = Layout(skip_rows=0, header_rows=0, original=list(header))
    else:
        layout = detect_layout(head, log)
    data_start = layout.skip_rows + layout.header_rows
    width = max(table_width(head[:50]), len(layout.original))
    if width > MAX_COLUMNS:
        raise TooWide(width)
    if header is not None:
        width = len(header)
    header_row = layout.skip_rows + 1 if layout.header_rows else None
    layout.names = clean_names(layout.original, width, log, header_row)
    stats = [ColumnStats(name, i) for i, name in enumerate(layout.names)]
    state = _Stream(layout, stats, log, width)
    state.find_footer = header is None
    numbered = enumerate(chain(head, iterator), start=1)
    for _ in islice(numbered, data_start):
        pass
    while chunk := list(islice(numbered, BATCH_ROWS)):
        state.push_many(chunk)
    state.finish()
    columns = [s.result(log) for s in stats]
    for stat, column in zip(stats, columns, strict=True):
        if column.role is None:
            column.role = stat.geo_role(column)  # type: ignore[assignment]
    return TableResult(
        layout=layout,
        columns=columns,
        row_count=state.count,
        footer_rows=state.footer,
        ignored_rows=state.ignored,
        stats=stats,
    )


class TooWide(Exception):
    def __init__(self, width: int) -> None:
        super().__init__(width)
        self.width = width


class _Stream:
    """Feeds data rows to the column statistics, holding back a tail that may be a footer."""

    def __init__(self, layout: Layout, stats: list[ColumnStats], log: ProblemLog, width: int):
        self.layout = layout
        self.stats = stats
        self.log = log
        self.width = len(stats)
        self.tail: deque[tuple[int, Row]] = deque()
        self.count = 0
        self.footer = 0
        self.ignored: list[int] = []
        self.header_set = {n for n in layout.names if not n.startswith("column_")}
        self.find_footer = True
        self.batch: list[Row] = []
        self.batch_rows: list[int] = []

    def push_many(self, chunk: list[tuple[int, Row]]) -> None:
        """Rows in order; the last TAIL_ROWS are held back until the next chunk or finish()."""
        self.tail.extend(chunk)
        overflow = len(self.tail) - TAIL_ROWS
        if overflow > 0:
            self._feed_many([self.tail.popleft() for _ in range(overflow)])

    def _feed_many(self, items: list[tuple[int, Row]]) -> None:
        if self.count < 200:
            for number, row in items:
                self._feed(number, row)
            return
        # The common case without a per-row look: full width, not blank, not a header again.
        width, names = self.width, self.header_set
        special = [
            i for i, (_, r) in enumerate(items)
            if len(r) != width or not any(r) or r[0] in names
        ]  # fmt: skip
        start = 0
        for index in special:
            self._extend(items[start:index])
            self._feed(*items[index])
            start = index + 1
        self._extend(items[start:])

    def _extend(self, items: list[tuple[int, Row]]) -> None:
        for number, row in items:
            self.batch.append(row)
            self.batch_rows.append(number)
        self.count += len(items)
        if len(self.batch) >= BATCH_ROWS:
            self._flush()

    def _feed(self, number: int, row: Row) -> None:
        cells = row
        if not any(c and not c.isspace() for c in cells):
            self.ignored.append(number)
            return
        if self._repeated_header(cells):
            self._header_inside(number, cells)
            return
        if len(cells) > self.width:
            extra = [c for c in cells[self.width :] if c and c.strip()]
            if extra:
                self.log.add(
                    "row.too_many_fields", "warning",
                    f"Row {number} has {len(cells)} fields but the table has {self.width}: "
                    f"the extra values ({', '.join(repr(e) for e in extra[:3])}) are dropped",
                    f"{number}行目の項目数が{len(cells)}で、表の列数{self.width}より多いため"
                    "余分な値を除きます",
                    row=number, column=self.width + 1,
                    fix="Quote values that contain the delimiter, or add the missing column",
                    fix_ja="区切り文字を含む値を引用符で囲むか、列を追加してください",
                )  # fmt: skip
        elif len(cells) < self.width and _width(cells) > 0 and len(cells) < _last_named(self):
            self.log.add(
                "row.too_few_fields", "warning",
                f"Row {number} has {len(cells)} fields but the table has {self.width}: "
                "the missing values are empty",
                f"{number}行目の項目数が{len(cells)}で、表の列数{self.width}より少ないため"
                "不足分を空欄とします",
                row=number, column=len(cells) + 1,
            )  # fmt: skip
        self.count += 1
        if len(cells) != self.width:
            cells = (list(cells) + [None] * self.width)[: self.width]
        self.batch.append(cells)
        self.batch_rows.append(number)
        # Row by row at first: the statistics of the first rows tell a header found inside
        # the data (a row of names where typed columns expect values) from data.
        if len(self.batch) >= (BATCH_ROWS if self.count > 200 else 1):
            self._flush()

    def _flush(self) -> None:
        """Hand the batch to the column statistics, column by column (see ColumnStats)."""
        if not self.batch:
            return
        columns = list(zip(*self.batch, strict=True))
        for stat, cells in zip(self.stats, columns, strict=False):
            stat.keep_points(cells, self.batch_rows)
            stat.add_batch(cells, self.batch_rows)
        self.batch = []
        self.batch_rows = []

    def _repeated_header(self, cells: Row) -> bool:
        if self.header_set:
            # Cheap test first: most rows share no value with the header names.
            hits = sum(1 for c in cells if c in self.header_set)
            if hits < max(2, len(self.header_set) // 2):
                return False
            return _header_like(cells)
        if not _header_like(cells):
            return False
        # Without a header at the top: a row of text where typed columns expect values.
        typed = [
            s for s in self.stats
            if s.seen >= 5 and s.candidates - {"latlon", "boolean"}
        ]  # fmt: skip
        if len(typed) < 2:
            return False
        return all(
            not (s.index < len(cells) and cells[s.index] and s.fits_typed(cells[s.index] or ""))
            for s in typed
        ) and _filled(cells) >= max(2, self.width - 1)

    def _header_inside(self, number: int, cells: Row) -> None:
        self.ignored.append(number)
        if self.layout.header_rows == 0 and all(s.name.startswith("column_") for s in self.stats):
            names = clean_names(list(cells), self.width, ProblemLog(), number)
            for stat, name in zip(self.stats, names, strict=True):
                stat.name = name
            self.header_set = set(names)
            self.log.add(
                "header.not_at_top",
                "warning",
                f"The header is not at the top of the file but on row {number}: its names "
                "are used and the row is skipped (ignored_rows)",
                f"見出し行が先頭ではなく{number}行目にあります。その列名を使い、その行は除外します",
                row=number,
                fix="Move the header row to the top of the file",
                fix_ja="見出し行をファイルの先頭に移してください",
            )
        else:
            self.log.add(
                "row.repeated_header", "info",
                f"Row {number} repeats the header: it is skipped (ignored_rows)",
                f"{number}行目は見出しの繰り返しのため除外します",
                row=number,
            )  # fmt: skip

    def finish(self) -> None:
        rows = list(self.tail)
        cut = len(rows)
        if not self.find_footer:
            for number, row in rows:
                self._feed(number, row)
            self._flush()
            return
        # Footer: from the end, blank rows and notes (one or two cells, or a note marker).
        while cut > 0:
            number, row = rows[cut - 1]
            cells = [c for c in _cells(row) if c]
            if not cells:
                cut -= 1
                continue
            note = cells[0].startswith(NOTE_PREFIXES) and len(cells) <= max(1, self.width // 3)
            if (self.width >= 4 and (len(cells) <= max(1, self.width // 4) or note)) or (
                len(row) < self.width and _garbled(" ".join(cells))
            ):
                self._report_footer(number, row)
                cut -= 1
                continue
            break
        for number, row in rows[:cut]:
            self._feed(number, row)
        self._flush()
        self.footer = len(rows) - cut

    def _report_footer(self, number: int, row: Row) -> None:
        text = " ".join(c for c in _cells(row) if c)
        if _garbled(text):
            self.log.add(
                "file.truncated_or_garbled",
                "warning",
                f"Row {number} at the end of the file is not table data (unreadable or cut-off "
                "text): it is excluded",
                f"ファイル末尾の{number}行目は表のデータではない（文字化け・途中で切れた）ため除外します",
                row=number,
                fix="Check that the file was exported completely",
                fix_ja="ファイルが最後まで正しく出力されているか確認してください",
            )
        else:
            shown = text if len(text) <= 60 else text[:60] + "…"
            self.log.add(
                "table.footer", "info",
                f"Row {number} is a note under the table ({shown!r}): it is excluded",
                f"{number}行目は表の下の注記（{shown}）のため除外します",
                row=number,
            )  # fmt: skip


def _garbled(text: str) -> bool:
    """Replacement characters, a line break inside a cell, or a huge cell: a cut-off file or an
    unterminated quote that swallowed the rest of it."""
    return "\ufffd" in text or len(text) > 500 or "\n" in text


def _last_named(stream: _Stream) -> int:
    """Rows may omit trailing columns that have no name and no data; count to the last name."""
    last = 0
    for index, stat in enumerate(stream.stats):
        if not stat.name.startswith("column_"):
            last = index + 1
    return last or stream.width
