"""Structure, in the vocabulary of frictionless (and CSVLint where frictionless has no word).

Rule ids are ``structure.<frictionless error type>``: blank-label, duplicate-label,
missing-label, extra-cell, missing-cell, blank-row, type-error, encoding-error; plus CSVLint's
stray-quote / unclosed-quote and a warning for a non-UTF-8 encoding. The checks run on the
table the layout found (below any preamble), so a title row is reported once, by the
machine-readability scorer, not again as a dozen blank labels. Types are inferred per column:
a column whose cells are numbers at least 95 % of the time reports the other cells.
"""

from __future__ import annotations

import numpy as np
import pyarrow.compute as pc

from renkei.quality import cellscan as scan
from renkei.quality.findings import Location, Score, Severity
from renkei.quality.grid import nonempty as nonempty_cells
from renkei.quality.grid import raw, texts
from renkei.quality.layout import (
    ASCII_NUMBER,
    Layout,
    column,
    data_index,
    detect,
    nonempty,
    notes_sheet,
)
from renkei.quality.machine_readability import PLAIN, has_non_plain_bytes, numeric_data
from renkei.quality.reading import DecodedTable, Sheet
from renkei.quality.rules import Collector, rule

SCORER = "structure"

RULES = {
    r.id: r
    for r in [
        rule(
            "structure.empty",
            20,
            "error",
            "The file holds a table",
            "表が含まれているか",
            "Publish the data itself: a header row and at least one record.",
            "項目名の行と1件以上のデータを含めて公開してください。",
        ),
        rule(
            "structure.blank-label",
            10,
            "error",
            "Blank label",
            "空の項目名",
            "Give the column a name.",
            "列に項目名を付けてください。",
        ),
        rule(
            "structure.duplicate-label",
            10,
            "error",
            "Duplicate label",
            "重複した項目名",
            "Make every column name unique.",
            "項目名を重複しないようにしてください。",
        ),
        rule(
            "structure.missing-label",
            10,
            "error",
            "Missing label",
            "項目名の不足",
            "Add names for the columns beyond the header's end.",
            "見出しより右にある列にも項目名を付けてください。",
        ),
        rule(
            "structure.extra-cell",
            10,
            "error",
            "Extra cell",
            "余分なセル",
            "Remove the extra cells or add the missing columns to the header.",
            "余分なセルを削除するか、見出しに列を追加してください。",
        ),
        rule(
            "structure.missing-cell",
            10,
            "error",
            "Missing cell",
            "セルの不足",
            "Give every row as many cells as the header (empty cells are fine).",
            "すべての行のセル数を見出しと同じにしてください（空のセルで構いません）。",
        ),
        rule(
            "structure.blank-row",
            5,
            "warning",
            "Blank row",
            "空行",
            "Delete blank rows.",
            "空行を削除してください。",
        ),
        rule(
            "structure.type-error",
            10,
            "error",
            "Type error",
            "型の不一致",
            "Correct the value or the column's type (a number column holds only numbers).",
            "値を修正してください（数値の列には数値のみを記載）。",
        ),
        rule(
            "structure.encoding-error",
            15,
            "error",
            "Encoding error",
            "文字コードの誤り",
            "Save the file again as UTF-8 from the original; replacement characters (�) "
            "mean text was already lost in a conversion.",
            "元のデータから UTF-8 で保存し直してください（� は変換で失われた文字です）。",
        ),
        rule(
            "structure.non-utf8-encoding",
            5,
            "warning",
            "Not UTF-8",
            "UTF-8 以外の文字コード",
            "Save the file as UTF-8 (with or without BOM).",
            "UTF-8 で保存してください。",
        ),
        rule(
            "structure.stray-quote",
            10,
            "error",
            "Stray quote",
            "不正な引用符",
            "Quote the whole field, double any quote inside it, and leave no characters "
            "after the closing quote.",
            'フィールド全体を " で囲み、中の " は "" と二重にし、'
            "閉じる引用符の後に文字を置かないでください。",
        ),
        rule(
            "structure.unclosed-quote",
            10,
            "error",
            "Unclosed quote",
            "閉じていない引用符",
            "Close the quoted field (the file may be truncated).",
            "引用符を閉じてください（ファイルが途中で切れている可能性があります）。",
        ),
    ]
}


def _loc(sheet: Sheet, row: int | None = None, col: int | None = None, label: str = ""):
    return Location(
        sheet=sheet.name,
        row=None if row is None else row + 1,
        column=None if col is None else col + 1,
        column_name=label or None,
    )


def check_sheet(sheet: Sheet, out: Collector, layout: Layout | None = None) -> Layout:
    layout = layout or detect(sheet)
    rows = sheet.rows
    header_row = layout.header_rows[0] if layout.header_rows else None
    labels = layout.labels
    raw_header = rows[header_row] if header_row is not None else []
    header_width = len(raw_header)
    for name in (
        "blank-label",
        "duplicate-label",
        "missing-label",
        "extra-cell",
        "missing-cell",
        "blank-row",
        "type-error",
    ):
        out.check(f"structure.{name}")
    expected = (
        header_width
        if header_row is not None
        else (len(rows[layout.data[0]]) if layout.data else 0)
    )
    data = data_index(layout)
    lengths = sheet.grid().lengths[data] if len(data) else np.zeros(0, dtype=np.int64)
    longer = [
        j for j in data[lengths > expected].tolist() if any(c.strip() for c in rows[j][expected:])
    ]
    # Most rows longer than the header: the header lacks labels (not every row is ragged).
    header_short = header_row is not None and len(longer) > len(layout.data) // 2
    if header_row is not None:
        seen: dict[str, int] = {}
        for c, label in enumerate(labels):
            if c == 0 and layout.property_header:
                continue
            text = label.strip()
            if not text:
                if c < header_width:
                    out.add(
                        "structure.blank-label",
                        "the header cell is empty",
                        "項目名が空",
                        _loc(sheet, header_row, c),
                    )
                elif header_short:
                    out.add(
                        "structure.missing-label",
                        "most rows reach past the header's end",
                        "大半の行が見出しの範囲外まで続いている",
                        _loc(sheet, header_row, c),
                    )
            elif text in seen:
                out.add(
                    "structure.duplicate-label",
                    f"'{text}' is also the name of column {seen[text] + 1}",
                    f"「{text}」は{seen[text] + 1}列目と重複",
                    _loc(sheet, header_row, c, text),
                )
            else:
                seen[text] = c
    extra = set() if header_short else set(longer)
    ragged = data[(lengths < expected) | np.isin(data, list(extra))]
    for j, n in zip(ragged.tolist(), sheet.grid().lengths[ragged].tolist(), strict=True):
        if j in extra:
            out.add(
                "structure.extra-cell",
                f"{n} cells where the header has {expected}",
                f"見出しの{expected}列に対して{n}セル",
                _loc(sheet, j, expected),
            )
        elif n < expected:
            out.add(
                "structure.missing-cell",
                f"{n} cells where the header has {expected}",
                f"見出しの{expected}列に対して{n}セル",
                _loc(sheet, j, n),
            )
    first_data = layout.data[0] if layout.data else None
    for j in layout.blank:
        if first_data is not None and j > first_data:
            out.add(
                "structure.blank-row", "blank row inside the table", "表の中の空行", _loc(sheet, j)
            )
    # Inferred types: a column that is (nearly) all numbers reports its other cells.
    for c in range(layout.width):
        col = column(sheet, layout, c)
        filled = nonempty(sheet, layout, c)
        if filled < 5 or not numeric_data(sheet, layout, c):
            continue
        if not has_non_plain_bytes(raw(col)):
            continue  # every cell is a plain number
        # Cells of ASCII digits are plain numbers; Python judges the others (digits of any
        # script count for PLAIN).
        ascii_plain = pc.match_substring_regex(col, ASCII_NUMBER).to_numpy(zero_copy_only=False)
        others = np.flatnonzero(~ascii_plain & nonempty_cells(col))
        plain = {i for i, _ in scan.fullmatches(col, others, PLAIN)}
        numbers = int(ascii_plain.sum()) + len(plain)
        if numbers == filled or numbers < 0.95 * filled:
            continue
        label = labels[c] if c < len(labels) else ""
        for i, value in zip(others.tolist(), texts(col, others), strict=True):
            if i not in plain:
                out.add(
                    "structure.type-error",
                    f"'{value[:30]}' in a number column ({numbers} of {filled} cells are numbers)",
                    f"数値の列に「{value[:30]}」",
                    _loc(sheet, layout.data[i], c, label),
                )
    return layout


def _replacement_cells(sheet: Sheet) -> list[tuple[int, int]]:
    """(row, column) of every cell holding U+FFFD, row by row."""
    found: list[tuple[int, int]] = []
    for c, col in enumerate(sheet.grid().columns):
        if "\ufffd".encode() in bytes(raw(col)):
            hit = pc.match_substring(col, "\ufffd").to_numpy(zero_copy_only=False)
            found.extend((r, c) for r in np.flatnonzero(hit).tolist())
    return sorted(found)


def score(table: DecodedTable, layouts: list[Layout] | None = None) -> Score:
    out = Collector(SCORER, RULES)
    out.check("structure.encoding-error")
    for line, message in table.encoding_errors:
        out.add(
            "structure.encoding-error", message, f"文字コードの誤り: {message}", Location(row=line)
        )
    if table.format != "xlsx":
        out.check("structure.non-utf8-encoding")
        out.check("structure.stray-quote")
        out.check("structure.unclosed-quote")
        if table.encoding and not table.encoding.startswith(("utf-8", "utf_8")):
            out.add(
                "structure.non-utf8-encoding",
                f"the file is encoded as {table.encoding}",
                f"文字コードが {table.encoding}",
            )
        for line, message in table.quote_errors:
            kind = "unclosed-quote" if message.startswith("unclosed") else "stray-quote"
            out.add(f"structure.{kind}", message, f"引用符の誤り: {message}", Location(row=line))
    out.check("structure.empty")
    sheet_layouts = layouts or [detect(sheet) for sheet in table.sheets]
    if not any(layout.data for layout in sheet_layouts):
        headers = any(layout.header_rows for layout in sheet_layouts)
        out.add(
            "structure.empty",
            "the file has a header but no records" if headers else "the file holds no table",
            "項目名のみでデータがない" if headers else "表が含まれていない",
            severity=Severity.warning if headers else None,
        )
    for index, sheet in enumerate(table.sheets):
        lost = _replacement_cells(sheet) if table.replacement_chars else []
        for r, c in lost:
            out.add(
                "structure.encoding-error",
                "replacement character (U+FFFD): text was lost in an earlier conversion",
                "置換文字（U+FFFD）: 変換で文字が失われている",
                _loc(sheet, r, c),
            )
        if not notes_sheet(sheet_layouts, index):
            check_sheet(sheet, out, sheet_layouts[index])
    return out.score()
