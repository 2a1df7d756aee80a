"""Machine-readability by the Japanese government's rules for statistical tables.

Source: 総務省「統計表における機械判読可能なデータ作成に関する表記方法」(2020-12), checklist
items 1-1 to 1-12 (rule ids ``jp-mr.1-1`` ... ``jp-mr.1-12``). The checklist's later part asks
that data not be split up (データが分断されていないか); together with the common problems of
publication-shaped tables this gives the table-level rules ``jp-mr.table.*`` (preamble and notes
around the table, multi-row headers, totals mixed with records, footnote markers, more than one
table per sheet). Every finding names the checklist item it comes from.
"""

from __future__ import annotations

import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from renkei.quality import cellscan as scan
from renkei.quality.findings import Location, Score, Severity
from renkei.quality.grid import nonempty as nonempty_cells
from renkei.quality.grid import raw, texts
from renkei.quality.layout import Layout, column, detect, is_number, nonempty, notes_sheet
from renkei.quality.reading import DecodedTable, Sheet
from renkei.quality.rules import Collector, rule

SCORER = "machine_readability"

RULES = {
    r.id: r
    for r in [
        rule(
            "jp-mr.1-1",
            5,
            "error",
            "File format is Excel or CSV",
            "ファイル形式は Excel か CSV となっているか",
            "Publish the table as CSV or XLSX.",
            "CSV または XLSX 形式で公開してください。",
        ),
        rule(
            "jp-mr.1-2",
            10,
            "error",
            "One value per cell",
            "1セル1データとなっているか",
            "Split the values into separate columns (e.g. 緯度 and 経度, 屋内 and 屋外).",
            "値ごとに列を分けてください（例: 緯度と経度、屋内と屋外）。",
        ),
        rule(
            "jp-mr.1-3",
            10,
            "error",
            "Numbers are numeric, without text",
            "数値データは数値属性とし、文字列を含まないこと",
            "Write numbers as plain half-width numbers: no 円, ▲, thousands commas or "
            "full-width digits; put the unit in the column name; negative numbers with '-'.",
            "数値は半角数字のみで記載してください（円・▲・桁区切りのカンマ・全角数字を含めない）。"
            "単位は項目名に、負の数は「-」で表します。",
        ),
        rule(
            "jp-mr.1-4",
            10,
            "error",
            "No merged cells",
            "セルの結合をしていないか",
            "Unmerge the cells and repeat the value in every cell of the range.",
            "セルの結合を解除し、各セルに値を入れてください。",
        ),
        rule(
            "jp-mr.1-5",
            5,
            "warning",
            "No spaces or line breaks for layout",
            "スペースや改行等で体裁を整えていないか",
            "Remove leading/trailing spaces, spaces between characters and line breaks "
            "inside cells.",
            "セルの前後や文字間のスペース、セル内の改行を削除してください。",
        ),
        rule(
            "jp-mr.1-6",
            10,
            "error",
            "Item names are not omitted or abbreviated",
            "項目名等を省略していないか",
            "Give every column a full, self-explaining name in one header row.",
            "すべての列に、内容がわかる省略のない項目名を1行の見出しで付けてください。",
        ),
        rule(
            "jp-mr.1-7",
            5,
            "warning",
            "Formulas turned into values",
            "数式を使用している場合は、数値データに修正しているか",
            "Replace formulas by their values (copy, paste values).",
            "数式を値に変換してください（コピーして値として貼り付け）。",
        ),
        rule(
            "jp-mr.1-8",
            5,
            "warning",
            "No objects",
            "オブジェクトを使用していないか",
            "Remove images, shapes, charts and text boxes from the data sheet.",
            "データのシートから図形・画像・グラフ・テキストボックスを削除してください。",
        ),
        rule(
            "jp-mr.1-9",
            3,
            "info",
            "Units are stated",
            "データの単位を記載しているか",
            "State the unit in the column name, e.g. 人口（人）, 面積（㎡→m2）.",
            "項目名に単位を記載してください（例: 人口（人）、金額（円））。",
        ),
        rule(
            "jp-mr.1-10",
            5,
            "warning",
            "No platform-dependent characters",
            "機種依存文字を使用していないか",
            "Replace platform-dependent characters: ① → 1, ㈱ → (株), ㎡ → m2, Ⅲ → III.",
            "機種依存文字を置き換えてください（① → 1、㈱ → (株)、㎡ → m2、Ⅲ → III）。",
        ),
        rule(
            "jp-mr.1-11",
            5,
            "warning",
            "Western years or e-Stat time codes",
            "e-Stat の時間軸コードの表記、西暦表記又は和暦に西暦の併記がされているか",
            "Write years in the Western calendar (2020, 2020-04-01) or add it to the "
            "Japanese era: 令和2年(2020年).",
            "西暦（2020、2020-04-01）で記載するか、和暦に西暦を併記してください（令和2年(2020年)）。",
        ),
        rule(
            "jp-mr.1-12",
            5,
            "warning",
            "Area code or area name present",
            "地域コード又は地域名称が表記されているか",
            "Add a column with the 全国地方公共団体コード or the area name.",
            "全国地方公共団体コード又は地域名称の列を設けてください。",
        ),
        rule(
            "jp-mr.table.preamble",
            10,
            "error",
            "Nothing above the table",
            "表の上に表題・注記・メタデータがないか",
            "Start the sheet with the header row; move titles, notes and metadata to the "
            "catalog record or a separate sheet.",
            "1行目を項目名の行にし、表題・注記・メタデータはカタログの説明や別シートに移してください。",
        ),
        rule(
            "jp-mr.table.notes",
            5,
            "warning",
            "Nothing below the table",
            "表の下に注記・出典がないか",
            "Move notes and sources below the table into the catalog record or a separate sheet.",
            "表の下の注記・出典はカタログの説明や別シートに移してください。",
        ),
        rule(
            "jp-mr.table.multirow-header",
            10,
            "error",
            "One header row",
            "項目名が1行になっているか",
            "Flatten the header into one row (e.g. 人口_男, 人口_女).",
            "項目名を1行にまとめてください（例: 人口_男、人口_女）。",
        ),
        rule(
            "jp-mr.table.totals",
            5,
            "warning",
            "Totals not mixed with records",
            "合計行がデータに混在していないか",
            "Remove total and subtotal rows (users compute them), or publish them separately.",
            "合計・小計の行は削除するか、別の表として公開してください。",
        ),
        rule(
            "jp-mr.table.footnote-marker",
            3,
            "warning",
            "No footnote markers in cells",
            "セルに注記記号（※・＊）を付けていないか",
            "Remove markers like ＊ and ※1 from values and names; explain them in a notes "
            "column or the metadata.",
            "値や項目名から ＊・※1 などの記号を外し、注記は備考列やメタデータに記載してください。",
        ),
        rule(
            "jp-mr.table.split",
            10,
            "error",
            "One table per sheet, data not split",
            "データが分断されていないか（1シート1表）",
            "Put each table in its own sheet or file, with one header row each.",
            "表ごとにシートまたはファイルを分け、それぞれに1行の項目名を付けてください。",
        ),
    ]
}

# 1-2: a latitude/longitude pair in one cell, or two quantities with units in one cell.
PAIR = scan.cell(r"\s*[+-]?\d{1,3}\.\d+\s*[,、，/／ ]\s*[+-]?\d{1,3}\.\d+\s*")
_QTY = r"[0-9０-９][0-9０-９,，]*\s*(?:人|円|件|台|戸|世帯|床|名|箇所)"
MULTI_QTY = re.compile(rf"{_QTY}[^\x1f]*?[／/、・,，][^\x1f]*?{_QTY}")
QTY_UNITS = ("人", "円", "件", "台", "戸", "世帯", "床", "名", "箇所")
# 1-3: number-like cells with decoration; full-width digit codes and phone numbers.
PLAIN = scan.cell(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
DECORATED = scan.cell(
    r"\s*[▲△▼＋+\-－−]?[¥￥]?[0-9０-９][0-9０-９,，]*(?:[.．][0-9０-９]+)?\s*"
    r"(?:円|千円|百万円|億円|%|％|人|件|世帯|戸|台|歳)?\s*"
)
FULLWIDTH_CODE = scan.cell(r"[0-9０-９\-－ー‐()（）]*[０-９][0-9０-９\-－ー‐()（）]*")
# 1-5: layout whitespace and line breaks.
LAYOUT_IN_CELL = re.compile(
    r"^[ \u3000\t]|[ \u3000\t]$|[^\s][ \u3000]{2,}[^\s]|[\r\n]|^\S(?:[ \u3000]\S)+$"
)
# 1-10: platform-dependent characters (NEC special and IBM extension characters of cp932).
PLATFORM = re.compile(
    "[\u2460-\u2473\u2160-\u217f\u2474-\u249b\u3231\u3232\u3239\u32a4-\u32a8\u3300-\u33ff"
    "\u2116\u2121\u2252\u2261\u222e\u221f\u22bf\uf929-\ufa2d\u9ad9]"
)
# 1-11: Japanese era years without a Western year in the same cell.
ERA = re.compile(
    r"(?:明治|大正|昭和|平成|令和)\s*(?:[0-9０-９]{1,2}|元)\s*年|(?<![A-Za-z])[MTSHR][0-9]{1,2}[./年]"
)
WESTERN = re.compile(r"(?:18|19|20)[0-9]{2}|(?:１[89]|２０)[０-９]{2}")
US_DATE = scan.cell(r"\d{1,2}/\d{1,2}/\d{4}")
# 1-12: area columns by name.
AREA_LABEL = re.compile(
    r"コード|code|都道府県|市区町村|市町村|地域|地区|住所|所在地|町字|区名|address|pref|city|region|area",
    re.IGNORECASE,
)
# 1-9: what counts as a unit or a unit-less kind of column.
UNIT = re.compile(
    r"単位|[（(][^）)]*[）)]|人|円|件|数|率|割合|%|％|m|㎡|ha|kg|歳|世帯|戸|台|床|箇所|回|時間|分|秒|年|月|日|度"
    r"|count|number|total|population|rate|ratio|yen",
    re.IGNORECASE,
)
NOT_A_QUANTITY = re.compile(
    r"id|no|番号|コード|code|緯度|経度|座標|lat|lon|lng|標高|elevation|年|月|日|date|time|郵便|電話|tel|fax",
    re.IGNORECASE,
)
NUMBERED = re.compile(r"^(.*?[^0-9０-９])([0-9０-９]+)$")
TOTAL_CELL = scan.cell(
    r"\s*(?:合\s*計|総\s*数|総\s*計|小\s*計|計|全\s*体|全\s*市|total|Total|TOTAL)\s*"
)
FOOTNOTE_CELL = scan.cell(
    r"[^\x1f]*?(?:[＊*※][0-9０-９]*|[(（]注[0-9０-９]*[)）])\s*|[＊*※][^\x1f]*"
)
FOOTNOTE = re.compile(r"[＊*※][0-9０-９]*$|^[＊*※]|[(（]注[0-9０-９]*[)）]|注[0-9０-９]+\)?$")


ERAS = ("明治", "大正", "昭和", "平成", "令和")
TOTAL_WORDS = ("計", "総", "全", "otal", "OTAL")
FOOTNOTE_MARKS = ("＊", "*", "※", "注")
SAMPLE = 2000

# Whole-column triggers (see cellscan.which): RE2 patterns, each found in every cell its rule
# can report (Python's \d is any script's digit, its \s any Unicode space).
TRIGGERS = {
    "pair": rf"\p{{Nd}}\.\p{{Nd}}+{scan.WS}*[,、，/／ ]",
    "qty": rf"[0-9０-９][0-9０-９,，]*{scan.WS}*(?:{'|'.join(QTY_UNITS)})",
    "fullwidth": "[０-９]",
    "layout": "[ \u3000\t\r\n]",
    "platform": PLATFORM.pattern,
    "era": "|".join(ERAS) + "|[MTSHR][0-9]",
    "us-date": r"\p{Nd}/\p{Nd}",
    "total": "|".join(TOTAL_WORDS),
    "footnote": "[＊*※]|注",
}
#: the triggers that concern a numeric column, and those of the first four columns only
NUMERIC_TRIGGERS = ("fullwidth", "layout", "platform")
KEY_TRIGGERS = ("total", "footnote")
#: the bytes a column of plain numbers is made of (cells back to back)
PLAIN_BYTES = b"0123456789."


def has_non_plain_bytes(buffer: memoryview) -> bool:
    """Some byte is neither an ASCII digit nor a dot: the column has text or decorated numbers.
    (``bytes.translate`` deletes at C speed: several times faster than a regex search for a
    byte outside a class, which matters on columns of millions of digits.)"""
    return bool(bytes(buffer).translate(None, PLAIN_BYTES))


#: 1-12: a column is an area name when these characters are half as many as its cells
AREA_CHARS = [ch.encode() for ch in "都道府県市区町村"]
PAIR_SEPARATORS = "[,、，/／ ]"
#: the values of a yes/no column (which needs no unit)
YES_NO = pa.array(["", "0", "1", "0.0", "1.0"])


def visible(cell: str, limit: int = 50) -> str:
    """The cell with its layout whitespace made visible: '␣' for a space, '□' for a
    full-width space (runs counted), '⏎' for a line break."""
    text = cell if len(cell) <= limit else cell[:limit] + "…"
    text = re.sub("\u3000{2,}", lambda m: f"□×{len(m.group(0))}", text)
    text = text.replace("\u3000", "□").replace("\r\n", "⏎").replace("\n", "⏎").replace("\r", "⏎")
    return re.sub(" {2,}", lambda m: f"␣×{len(m.group(0))}", text).replace(" ", "␣")


def numeric_data(sheet: Sheet, layout: Layout, c: int) -> bool:
    """``numeric_column`` of a data column (judged once per layout)."""
    if c not in layout.cached_numeric:
        sample = column(sheet, layout, c).slice(0, SAMPLE).to_pylist()
        layout.cached_numeric[c] = numeric_column(sample)
    return layout.cached_numeric[c]


def numeric_column(col: list[str] | tuple[str, ...]) -> bool:
    """A column of numbers (plain or decorated with 円, commas, ▲ ...), judged on a sample:
    at least 80 % of its filled cells are (decorated) numbers, and one is a plain number."""
    sample = [v for v in col[:SAMPLE] if v]
    if not sample:
        return False
    needed = 0.8 * len(sample)
    misses = 0
    # In blocks, stopping as soon as even all the cells left could not reach 80 %: a text
    # column is decided on its first cells (each cell is one C call to the regex).
    for start in range(0, len(sample), NUMERIC_BLOCK):
        block = sample[start : start + NUMERIC_BLOCK]
        misses += len(block) - sum(1 for m in map(DECORATED.fullmatch, block) if m)
        if len(sample) - misses < needed:
            return False
    return any(map(PLAIN.fullmatch, sample))


#: cells judged between two looks at whether the column can still be numeric
NUMERIC_BLOCK = 100


def _loc(sheet: Sheet, row: int | None = None, col: int | None = None, label: str | None = None):
    return Location(
        sheet=sheet.name,
        row=None if row is None else row + 1,
        column=None if col is None else col + 1,
        column_name=label or None,
    )


def _empty_column_between(sheet: Sheet, layout: Layout) -> int | None:
    """A column with neither a label nor data, with filled columns on both sides."""
    labels = layout.labels or [""] * layout.width
    empty = [
        not (labels[c].strip() if c < len(labels) else "") and not nonempty(sheet, layout, c)
        for c in range(layout.width)
    ]
    for c in range(1, layout.width - 1):
        if empty[c] and not all(empty[:c]) and not all(empty[c + 1 :]):
            return c
    return None


def check_sheet(
    sheet: Sheet, out: Collector, table: DecodedTable, layout: Layout | None = None
) -> Layout:
    layout = layout or detect(sheet)
    rows = sheet.rows
    labels = layout.labels or [""] * layout.width
    if layout.headerless:
        labels = [""] * layout.width if layout.misplaced_header is None else layout.labels

    # Table-level layout.
    header_at = layout.header_rows[0] if layout.header_rows else len(rows)
    for r in layout.preamble:
        first = next((c for c in rows[r] if c.strip()), "")
        above = r < header_at
        out.add(
            "jp-mr.table.preamble",
            f"{'row above the table' if above else 'metadata row under the header'}: "
            f"'{first[:40]}'",
            f"{'表の上にある行' if above else '項目名の下にあるメタデータの行'}: 「{first[:40]}」",
            _loc(sheet, r),
        )
    out.check("jp-mr.table.preamble")
    for r in layout.notes:
        first = next((c for c in rows[r] if c.strip()), "")
        out.add(
            "jp-mr.table.notes",
            f"row below the table: '{first[:40]}'",
            f"表の下にある行: 「{first[:40]}」",
            _loc(sheet, r),
        )
    out.check("jp-mr.table.notes")
    if len(layout.header_rows) > 1:
        out.add(
            "jp-mr.table.multirow-header",
            f"the header spans {len(layout.header_rows)} rows",
            f"項目名が{len(layout.header_rows)}行にわたっている",
            _loc(sheet, layout.header_rows[0]),
        )
    out.check("jp-mr.table.multirow-header")
    if layout.repeated_headers:
        r = layout.repeated_headers[0]
        out.add(
            "jp-mr.table.split",
            "the header is repeated inside the data: a second table starts here",
            "データの途中で項目名が繰り返されている（別の表が始まっている）",
            _loc(sheet, r),
        )
    elif layout.data and any(layout.data[0] < b < layout.data[-1] for b in layout.blank):
        b = next(b for b in layout.blank if layout.data[0] < b < layout.data[-1])
        out.add(
            "jp-mr.table.split",
            "a blank row splits the data into blocks",
            "空行でデータが分断されている",
            _loc(sheet, b),
        )
    if layout.data:
        gap = _empty_column_between(sheet, layout)
        if gap is not None:
            out.add(
                "jp-mr.table.split",
                "an empty column splits the sheet into tables side by side",
                "空の列で表が左右に分かれている",
                _loc(sheet, None, gap),
            )
    out.check("jp-mr.table.split")

    # 1-6: item names.
    if layout.headerless:
        where = ""
        if layout.misplaced_header is not None:
            where = (
                f" (a header row was found at row {layout.misplaced_header + 1}, among the records)"
            )
        out.add(
            "jp-mr.1-6",
            "the file has no header row: the first row already holds data" + where,
            "項目名の行がない（1行目がデータ）",
            _loc(sheet, layout.data[0] if layout.data else 0),
        )
    else:
        for c, label in enumerate(labels):
            if c == 0 and layout.property_header:
                continue
            if not label.strip():
                out.add(
                    "jp-mr.1-6",
                    "column without a name",
                    "項目名のない列",
                    _loc(sheet, layout.header_rows[0] if layout.header_rows else None, c),
                )
        stems: dict[str, list[int]] = {}
        for c, label in enumerate(labels):
            m = NUMBERED.match(label.strip())
            if m and re.search(r"[A-Za-z]$", m.group(1)):
                stems.setdefault(m.group(1), []).append(c)
        for stem, cols in stems.items():
            if len(cols) >= 3:
                out.add(
                    "jp-mr.1-6",
                    f"{len(cols)} columns named only by a number "
                    f"('{stem}1', '{stem}2', ...): the name does not say what each holds",
                    f"番号だけで区別された項目名が{len(cols)}列ある（{stem}1、{stem}2 …）",
                    _loc(sheet, layout.header_rows[0], cols[0], labels[cols[0]]),
                )
    out.check("jp-mr.1-6")

    # Labels: layout spaces, platform characters, footnote markers.
    for c, label in enumerate(labels):
        if "\n" in label or "\r" in label:
            out.add(
                "jp-mr.1-5",
                "line break inside a column name",
                "項目名の中に改行がある",
                _loc(sheet, layout.header_rows[0], c, label),
            )
        for ch in PLATFORM.findall(label):
            out.add(
                "jp-mr.1-10",
                f"platform-dependent character '{ch}' in a column name",
                f"項目名に機種依存文字「{ch}」",
                _loc(sheet, layout.header_rows[0], c, label),
            )
        if FOOTNOTE.search(label.strip()):
            out.add(
                "jp-mr.table.footnote-marker",
                f"footnote marker in column name '{label}'",
                f"項目名「{label}」に注記記号",
                _loc(sheet, layout.header_rows[0], c, label),
            )

    data_rows = layout.data
    has_area = any(AREA_LABEL.search(label) for label in labels)
    checked = [c for c in range(layout.width) if len(data_rows) and nonempty(sheet, layout, c)]
    fired = scan.which(
        [column(sheet, layout, c) for c in checked],
        [_triggers(sheet, layout, c) for c in checked],
    )
    for c, triggers in zip(checked, fired, strict=True):
        label = labels[c] if c < len(labels) else ""
        col = column(sheet, layout, c)
        has_area = _check_column(sheet, out, layout, c, col, label, has_area, triggers)
    for rule_id in (
        "jp-mr.1-2",
        "jp-mr.1-3",
        "jp-mr.1-5",
        "jp-mr.1-9",
        "jp-mr.1-10",
        "jp-mr.1-11",
        "jp-mr.table.totals",
        "jp-mr.table.footnote-marker",
    ):
        out.check(rule_id)
    if data_rows:
        out.check("jp-mr.1-12")
        if not has_area:
            out.add(
                "jp-mr.1-12",
                "no column holds an area code or an area name",
                "地域コード又は地域名称の列がない",
                _loc(sheet),
            )

    # XLSX cell facts.
    if table.format == "xlsx":
        for r1, c1, r2, c2 in sheet.merged:
            out.add(
                "jp-mr.1-4",
                f"merged cells from row {r1} column {c1} to row {r2} column {c2}",
                f"セルの結合（{r1}行{c1}列 〜 {r2}行{c2}列）",
                Location(sheet=sheet.name, row=r1, column=c1),
            )
        for r, c, formula in sheet.formulas:
            out.add(
                "jp-mr.1-7",
                f"formula '{formula[:40]}' instead of a value",
                f"値ではなく数式「{formula[:40]}」",
                Location(sheet=sheet.name, row=r, column=c),
            )
        if sheet.objects:
            out.add(
                "jp-mr.1-8",
                f"{sheet.objects} drawn object(s) (image, shape, chart) on the sheet",
                f"シート上に図形・画像等のオブジェクトが{sheet.objects}個",
                Location(sheet=sheet.name),
            )
        for rule_id in ("jp-mr.1-4", "jp-mr.1-7", "jp-mr.1-8"):
            out.check(rule_id)
    return layout


def _triggers(sheet: Sheet, layout: Layout, c: int) -> dict[str, str]:
    """The whole-column triggers of the rules that apply to column ``c``."""
    numeric = numeric_data(sheet, layout, c)
    wanted = NUMERIC_TRIGGERS if numeric else [t for t in TRIGGERS if t not in KEY_TRIGGERS]
    if c <= 3 and not numeric:
        wanted = [*wanted, *KEY_TRIGGERS]
    return {name: TRIGGERS[name] for name in wanted}


def _check_column(
    sheet: Sheet,
    out: Collector,
    layout: Layout,
    c: int,
    col,
    label: str,
    has_area: bool,
    fired: set[str],
) -> bool:
    """The cell rules on one data column, behind the triggers that ``fired`` in it; returns
    whether an area column is now known."""
    data_rows = layout.data
    filled_cells = nonempty(sheet, layout, c)

    def at(i: int) -> Location:
        return _loc(sheet, data_rows[i], c, label)

    buffer = raw(col)
    # Every rule runs behind a whole-column trigger (see cellscan), so a clean column costs
    # one C-speed pass and Python sees only the flagged cells.
    numeric = numeric_data(sheet, layout, c)
    if not numeric:
        if "pair" in fired:
            for i, text in scan.fullmatches(col, scan.candidates(col, PAIR_SEPARATORS), PAIR):
                out.add(
                    "jp-mr.1-2",
                    f"two numbers in one cell: '{text.strip()}'",
                    f"1つのセルに2つの数値: 「{text.strip()}」",
                    at(i),
                )
        if "qty" in fired:
            found = np.intersect1d(
                scan.candidates(col, "[／/、・,，]"),
                scan.candidates(col, scan.re2_any(*QTY_UNITS)),
            )
            for i, _, text in scan.hits(col, found, MULTI_QTY):
                out.add(
                    "jp-mr.1-2",
                    f"several quantities in one cell: '{text[:40]}'",
                    f"1つのセルに複数の数量: 「{text[:40]}」",
                    at(i),
                )
    elif has_non_plain_bytes(buffer):
        # Cells of digits and dots only are plain numbers or no number at all: never reported.
        index = scan.candidates(col, "[^0-9.]")
        for i, text in scan.fullmatches(col, index, DECORATED):
            if not is_number(text):
                out.add(
                    "jp-mr.1-3",
                    f"number written with text: '{text.strip()}'",
                    f"文字を含む数値: 「{text.strip()}」",
                    at(i),
                )
    if "fullwidth" in fired:
        for i, text in scan.fullmatches(col, scan.candidates(col, "[０-９]"), FULLWIDTH_CODE):
            out.add(
                "jp-mr.1-3",
                f"full-width digits: '{text}'",
                f"全角数字: 「{text}」",
                at(i),
                severity=Severity.warning,
            )
    if sheet.numeric is not None:
        index = np.flatnonzero(nonempty_cells(col))
        for i, text in scan.fullmatches(col, index, PLAIN):
            if (data_rows[i] + 1, c + 1) not in sheet.numeric:
                out.add(
                    "jp-mr.1-3",
                    f"number stored as text: '{text}'",
                    f"文字列として保存された数値: 「{text}」",
                    at(i),
                )
    if (
        numeric
        and label
        and not UNIT.search(label)
        and not NOT_A_QUANTITY.search(label)
        and not pc.all(pc.is_in(col, value_set=YES_NO)).as_py()
    ):  # a yes/no column has no unit
        out.add(
            "jp-mr.1-9",
            f"numeric column '{label}' does not state its unit",
            f"数値の列「{label}」に単位の記載がない",
            _loc(sheet, layout.header_rows[0] if layout.header_rows else None, c, label),
        )
    if "layout" in fired:
        # Find the cells with whitespace (one kernel), then look at each closely.
        index = scan.candidates(col, "[ \u3000\t\r\n]")
        for i, text in zip(index.tolist(), texts(col, index), strict=True):
            if not LAYOUT_IN_CELL.search(text):
                continue
            shown = visible(text)
            out.add(
                "jp-mr.1-5",
                f"spaces or a line break used for layout: '{shown}'",
                f"体裁のための空白・改行: 「{shown}」",
                at(i),
            )
    if "platform" in fired:
        for i, _, ch in scan.hits(col, scan.candidates(col, PLATFORM.pattern), PLATFORM):
            out.add(
                "jp-mr.1-10", f"platform-dependent character '{ch}'", f"機種依存文字「{ch}」", at(i)
            )
    if "era" in fired:
        index = scan.candidates(col, scan.re2_any(*ERAS) + "|[MTSHR][0-9]")
        for i, text, _ in scan.hits(col, index, ERA):
            if not WESTERN.search(text):
                out.add(
                    "jp-mr.1-11",
                    f"Japanese era year without the Western year: '{text[:30]}'",
                    f"西暦の併記がない和暦: 「{text[:30]}」",
                    at(i),
                )
    if "us-date" in fired:
        for i, text in scan.fullmatches(col, scan.candidates(col, TRIGGERS["us-date"]), US_DATE):
            out.add(
                "jp-mr.1-11",
                f"date in month/day/year order: '{text}'",
                f"月/日/年の順の日付: 「{text}」",
                at(i),
            )
    if not has_area and not numeric:
        data = bytes(buffer)
        if sum(data.count(ch) for ch in AREA_CHARS) >= 0.5 * filled_cells:
            has_area = True
    if numeric or c > 3:
        return has_area
    if "total" in fired:
        index = scan.candidates(col, scan.re2_any(*TOTAL_WORDS))
        for i, text in scan.fullmatches(col, index, TOTAL_CELL):
            out.add(
                "jp-mr.table.totals",
                f"total row '{text.strip()}' among the records",
                f"合計の行「{text.strip()}」がデータに混在",
                at(i),
            )
    if "footnote" in fired:
        index = scan.candidates(col, scan.re2_any(*FOOTNOTE_MARKS))
        for i, text in scan.fullmatches(col, index, FOOTNOTE_CELL):
            out.add(
                "jp-mr.table.footnote-marker",
                f"footnote marker in '{text.strip()}'",
                f"「{text.strip()}」に注記記号",
                at(i),
            )
    return has_area


def score(table: DecodedTable, layouts: list[Layout] | None = None) -> Score:
    out = Collector(SCORER, RULES)
    out.check("jp-mr.1-1")
    if table.format not in ("csv", "xlsx"):
        out.add(
            "jp-mr.1-1",
            f"{table.format.upper()} file: the checklist names Excel and CSV",
            f"{table.format.upper()} 形式（チェック項目は Excel と CSV）",
            severity=Severity.info,
        )
    layouts = layouts or [detect(sheet) for sheet in table.sheets]
    for index, sheet in enumerate(table.sheets):
        layout = layouts[index]
        if (layout.header_rows or layout.data) and not notes_sheet(layouts, index):
            check_sheet(sheet, out, table, layout)
    return out.score()
