"""Read a roadmap table (工程表) of the seed's shape into measures, without false confidence.

The shape: tab-separated text extracted from a PDF. Each page starts with a two-row header —
the first names the columns (施策番号, 施策名, KPI (進捗), KPI (効果), 課題・取組概要, one label
per law over its block of article columns, 府省庁名), the second names the article columns
(10条, 11条 1項 2項, ...). Each measure is one row; its article cells hold ◎ (main) or ○
(related), and the ministry cell lists the ministries with the main ones marked ◎, the mark
fused with the name (``◎内閣府、総務省``).

Extraction can shift cells: a mark may sit under the wrong article, the ministry text under an
article label. A mark is only turned into an article when the row lines up with its header
(the ministry text stands in the ministry column, every mark stands under an article label, the
header's ministry column follows all article columns). Otherwise the row's alignment is
``uncertain``: its marks are kept with the column where they were found and the label above
that column, and no article is assigned.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

MARK_ROLES = {"◎": "main", "○": "related"}
MEASURE_NUMBER = re.compile(r"^\d{2}-\d{2}$")
ARTICLE_LABEL = re.compile(r"^第?\d+条")
# Bullet points of the summary: "- " at the start or after whitespace ("ユーザ-最適型" stays).
BULLET = re.compile(r"(?:^|\s+)-\s+")
MINISTRY_SEPARATOR = re.compile(r"[、,，]")

# Columns before the marker matrix, found by their labels in the first header row.
FIXED_COLUMNS = {
    "number": lambda s: s.startswith("施策番号"),
    "name": lambda s: s.startswith("施策名"),
    "kpi_progress": lambda s: "KPI" in s and "進捗" in s,
    "kpi_effect": lambda s: "KPI" in s and "効果" in s,
    "summary": lambda s: "概要" in s or s.startswith("課題"),
}
MINISTRY_LABEL = "府省庁"


@dataclass
class Problem:
    """``unplaced``: a row that became no measure; ``alignment``: a page whose marker matrix
    does not line up with its header, so its marks were kept but no article assigned;
    ``empty``: nothing in the file was a measure (line 0: the file as a whole)."""

    line: int
    message: str
    kind: str = "unplaced"

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "kind": self.kind, "message": self.message}


@dataclass
class Header:
    line: int
    width: int
    fixed: dict[str, int]
    ministry_column: int | None
    laws: list[tuple[int, str]]  # (column, law label), in column order
    articles: dict[int, str]  # column -> article label
    issues: list[str] = field(default_factory=list)

    def law_of(self, column: int) -> str:
        """The law whose label stands at or before ``column`` (only used on aligned rows)."""
        label = ""
        for start, name in self.laws:
            if start <= column:
                label = name
        return label


@dataclass
class Measure:
    number: str
    name: str
    kpi_progress: str
    kpi_effect: str
    summary: list[str]
    articles: list[dict[str, str]]
    ministries: list[dict[str, Any]]
    marks: list[dict[str, Any]]
    alignment: str  # "exact" or "uncertain"
    alignment_note: str | None
    line: int


@dataclass
class ParsedTable:
    measures: list[Measure]
    problems: list[Problem]


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.rstrip("\r\n").split("\t")]


def _is_header(cells: list[str]) -> bool:
    return bool(cells) and cells[0].startswith("施策番号")


def _law_label(text: str) -> str:
    # "…の条(◎:主に該当するもの、○:連携するもの)": the legend is not part of the name.
    return re.split(r"[(（]", text, maxsplit=1)[0].strip()


def _read_header(line_no: int, first: list[str], second: list[str] | None) -> Header:
    fixed: dict[str, int] = {}
    ministry: int | None = None
    laws: list[tuple[int, str]] = []
    for column, text in enumerate(first):
        if not text:
            continue
        key = next((k for k, test in FIXED_COLUMNS.items() if k not in fixed and test(text)), None)
        if key is not None:
            fixed[key] = column
        elif MINISTRY_LABEL in text:
            ministry = column
        else:
            laws.append((column, _law_label(text)))
    articles = {
        column: re.sub(r"\s+", " ", text)
        for column, text in enumerate(second or [])
        if text and ARTICLE_LABEL.match(text)
    }
    header = Header(line_no, len(first), fixed, ministry, laws, articles)
    if ministry is None:
        header.issues.append("the header has no ministry column (府省庁名)")
    elif articles and ministry <= max(articles):
        header.issues.append(
            f"the header's ministry column ({ministry + 1}) sits among the article columns "
            f"({min(articles) + 1}-{max(articles) + 1})"
        )
    for column, law in laws:
        if articles and column not in articles:
            header.issues.append(f"the label of {law!r} (column {column + 1}) is over no article")
    return header


def _split_ministries(text: str) -> list[dict[str, Any]]:
    ministries = []
    for part in MINISTRY_SEPARATOR.split(text):
        part = part.strip()
        marks = ""
        while part and part[0] in MARK_ROLES:
            marks += part[0]
            part = part[1:].strip()
        if part:
            ministries.append({"name": part, "main": "◎" in marks})
    return ministries


def _only_marks(text: str) -> bool:
    return bool(text) and all(ch in MARK_ROLES or ch.isspace() for ch in text)


def _read_measure(line_no: int, cells: list[str], header: Header) -> Measure:
    def fixed(key: str) -> str:
        column = header.fixed.get(key)
        return cells[column] if column is not None and column < len(cells) else ""

    summary = [part.strip() for part in BULLET.split(fixed("summary")) if part.strip()]
    first_matrix = max(header.fixed.values()) + 1
    marks: list[dict[str, Any]] = []
    ministry_cells: list[tuple[int, str]] = []
    for column in range(first_matrix, len(cells)):
        text = cells[column]
        if not text:
            continue
        if _only_marks(text):
            for ch in text.replace(" ", ""):
                marks.append(
                    {
                        "mark": ch,
                        "role": MARK_ROLES[ch],
                        "column": column + 1,
                        "column_label": header.articles.get(column),
                        "header_line": header.line,
                    }
                )
        else:
            ministry_cells.append((column, text))

    reasons = list(header.issues)
    if len(cells) != header.width:
        reasons.append(f"the row has {len(cells)} cells, its header {header.width}")
    if len(ministry_cells) > 1:
        reasons.append(f"ministry text in {len(ministry_cells)} cells")
    for column, _ in ministry_cells:
        if column != header.ministry_column:
            expected = header.ministry_column + 1 if header.ministry_column is not None else "-"
            reasons.append(f"ministry text in column {column + 1}, not in column {expected}")
    for mark in marks:
        if mark["column_label"] is None:
            reasons.append(f"mark {mark['mark']} in column {mark['column']}, under no article")

    ministries = [m for _, text in ministry_cells for m in _split_ministries(text)]
    articles: list[dict[str, str]] = []
    if not reasons:
        for mark in marks:
            column = mark["column"] - 1
            articles.append(
                {
                    "law": header.law_of(column),
                    "article": header.articles[column],
                    "role": mark["role"],
                }
            )
    return Measure(
        number=fixed("number"),
        name=fixed("name"),
        kpi_progress=fixed("kpi_progress"),
        kpi_effect=fixed("kpi_effect"),
        summary=summary,
        articles=articles,
        ministries=ministries,
        marks=marks,
        alignment="uncertain" if reasons else "exact",
        alignment_note="; ".join(dict.fromkeys(reasons)) or None,
        line=line_no,
    )


def parse_roadmap(text: str) -> ParsedTable:
    """Every measure row of ``text`` under its page's header; rows that fit nowhere are
    reported as problems (with their 1-based line numbers), never guessed at."""
    lines = text.splitlines()
    measures: list[Measure] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    header: Header | None = None
    page: list[Measure] = []
    index = 0
    while index < len(lines):
        line_no = index + 1
        cells = _cells(lines[index])
        index += 1
        if not any(cells):
            continue
        if _is_header(cells):
            _settle_page(page, problems)
            page = []
            second = _cells(lines[index]) if index < len(lines) else None
            if second is not None and not any(second[:5]) and any(second):
                index += 1
            else:
                problems.append(Problem(line_no, "a header row without its row of article labels"))
                second = None
            header = _read_header(line_no, cells, second)
            missing = [key for key in FIXED_COLUMNS if key not in header.fixed]
            if missing:
                problems.append(
                    Problem(line_no, f"header without the columns {', '.join(missing)}")
                )
                header = None
            continue
        number = cells[0]
        if header is None:
            problems.append(Problem(line_no, "a row before any usable header: not placed"))
            continue
        if not MEASURE_NUMBER.match(number):
            problems.append(
                Problem(line_no, f"no measure number (NN-NN) in the first cell: {number[:40]!r}")
            )
            continue
        if number in seen:
            problems.append(
                Problem(line_no, f"measure {number} again (first on line {seen[number]}): skipped")
            )
            continue
        measure = _read_measure(line_no, cells, header)
        if not measure.name:
            problems.append(Problem(line_no, f"measure {number} has no name: skipped"))
            continue
        seen[number] = line_no
        measures.append(measure)
        page.append(measure)
    _settle_page(page, problems)
    if not measures:
        problems.append(
            Problem(0, "no measure found: is this a roadmap table with a 施策番号 header?", "empty")
        )
    return ParsedTable(measures, problems)


def _settle_page(page: list[Measure], problems: list[Problem]) -> None:
    """One shifted row shows the extraction lost this page's columns: a row that happens to
    line up (or has no marks) is no evidence for the page, so all of its rows are uncertain."""
    shifted = [m for m in page if m.alignment == "uncertain"]
    if not shifted:
        return
    for measure in page:
        if measure.alignment == "exact":
            measure.alignment = "uncertain"
            measure.alignment_note = (
                "other rows of this page are out of alignment ("
                + ", ".join(m.number for m in shifted)
                + "), so this row's columns are not trusted either"
            )
            measure.articles = []
    problems.append(
        Problem(
            page[0].line,
            f"marker matrix out of alignment on lines {page[0].line}-{page[-1].line} "
            f"(measures {page[0].number} to {page[-1].number}): marks kept where found, "
            "no article assigned",
            kind="alignment",
        )
    )
