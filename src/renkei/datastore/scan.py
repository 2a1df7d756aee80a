"""Every problem of a large file, not only of the sample its inspection read.

A CSV/TSV over the sampling threshold is inspected from its head and tail (see
``renkei.datastore.load``); DuckDB then reads all of it. After the load, two scans of the whole
file list what the sample could not see:

* ragged rows: DuckDB reads the data lines once more in strict mode with ``store_rejects``,
  which records each line with too few or too many fields (and other unreadable lines) by line
  number; the load itself padded short rows with empty values and dropped extra values;
* values that don't convert: a column demoted to text because a value didn't fit its type has
  every such value listed with its row (``_id`` in the table; the file's line is not known
  without a second parse of the file in Python, which is what sampling avoids).

The list is capped at MAX_LISTED problems; beyond it each kind of problem gets a count.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import duckdb

from renkei.datastore.engine import attach, ident
from renkei.ingest import Column, Inspection

MAX_LISTED = 1000
# DuckDB keeps at most this many rejected lines; beyond it the counts say "at least".
REJECTS_LIMIT = 100_000
# The sample's own findings of these rules are replaced by the whole-file scan's.
SAMPLE_RULES_REPLACED = frozenset({"ingest.row.too_many_fields", "ingest.row.too_few_fields"})


class ProblemList:
    """Problems in the shape of the inspection's findings, the first MAX_LISTED of them listed
    and every one counted by rule."""

    def __init__(self, limit: int | None = None) -> None:
        self.limit = MAX_LISTED if limit is None else limit
        self.items: list[dict[str, Any]] = []
        self.counts: Counter[str] = Counter()
        self.at_least: set[str] = set()

    def add(self, rule: str, message: str, message_ja: str, **location: Any) -> None:
        self.counts[rule] += 1
        if len(self.items) < self.limit:
            self.items.append(
                {
                    "rule": rule,
                    "severity": "warning",
                    "location": {"row": None, "column": None, "column_name": None, **location},
                    "message": message,
                    "message_ja": message_ja,
                }
            )

    def count_more(self, rule: str, extra: int) -> None:
        """Problems known by number only (beyond what was listed or kept)."""
        self.counts[rule] += extra

    def finish(self) -> list[dict[str, Any]]:
        listed = Counter(item["rule"] for item in self.items)
        summaries = []
        for rule, count in sorted(self.counts.items()):
            if count > listed[rule]:
                more = "at least " if rule in self.at_least else ""
                summaries.append(
                    {
                        "rule": rule,
                        "severity": "info",
                        "location": {"row": None, "column": None, "column_name": None},
                        "message": f"{count - listed[rule]} more cases of this problem are not "
                        f"listed ({more}{count} in all; the list stops at {self.limit})",
                        "message_ja": f"同じ問題がほかに{count - listed[rule]}件あります"
                        f"（全{count}件{'以上' if more else ''}、一覧は{self.limit}件まで）",
                        "count": count,
                    }
                )
        return self.items + summaries


def ragged_rows(
    con: duckdb.DuckDBPyConnection,
    csv: Path,
    inspection: Inspection,
    width: int,
    parallel: bool,
    report: ProblemList,
) -> None:
    """List every data line of the UTF-8 ``csv`` with a field count other than ``width``."""
    from renkei.datastore.load import read_csv_sql

    source = read_csv_sql(
        csv, inspection, width, parallel,
        "null_padding=false", "strict_mode=true", "store_rejects=true",
        "rejects_table='rk_rejects'", "rejects_scan='rk_reject_scans'",
        f"rejects_limit={REJECTS_LIMIT}",
    )  # fmt: skip
    # fetchall, not fetchone: only a result read to its end finishes the scan (and its rejects)
    con.execute(f"SELECT count(*) FROM {source}").fetchall()
    last_data_line = _last_data_line(csv, inspection)
    rows = con.execute(
        "SELECT line, min(column_idx), any_value(error_type), any_value(error_message), "
        "any_value(csv_line) FROM rk_rejects WHERE line <= ? GROUP BY line ORDER BY line",
        [last_data_line],
    ).fetchall()
    for line, _column, kind, error, text in rows:
        fields = len(next(iter(_split(text, inspection)), []))
        if kind == "MISSING COLUMNS":
            report.add(
                "ingest.row.too_few_fields",
                f"Row {line} has {fields} fields but the table has {width}: "
                "the missing values are empty",
                f"{line}行目の項目数が{fields}で、表の列数{width}より少ないため不足分を空欄とします",
                row=line, column=fields + 1,
            )  # fmt: skip
        elif kind == "TOO MANY COLUMNS":
            report.add(
                "ingest.row.too_many_fields",
                f"Row {line} has {fields} fields but the table has {width}: "
                "the extra values are dropped",
                f"{line}行目の項目数が{fields}で、表の列数{width}より多いため余分な値を除きます",
                row=line, column=width + 1,
            )  # fmt: skip
        else:
            report.add(
                "ingest.row.unreadable",
                f"Row {line} does not follow the CSV rules ({str(error).strip()[:200]}): it "
                "was loaded as the lenient reader read it",
                f"{line}行目がCSVの規則に従っていません。寛容な読み取りの結果のまま読み込みました",
                row=line,
            )  # fmt: skip
    if len(rows) >= REJECTS_LIMIT:
        report.at_least.update(("ingest.row.too_few_fields", "ingest.row.too_many_fields"))


def _split(text: str | None, inspection: Inspection) -> list[list[str]]:
    import csv as csvlib
    import io

    quote = inspection.quotechar or '"'
    reader = csvlib.reader(
        io.StringIO(text or ""), delimiter=inspection.delimiter or ",", quotechar=quote
    )
    return list(reader)


def _last_data_line(csv: Path, inspection: Inspection) -> int:
    """The last line that holds data: the notes under the table (footer) are not rows."""
    if not inspection.footer_rows:
        return 2**62
    lines = 0
    last = b"\n"
    with csv.open("rb") as handle:
        while chunk := handle.read(16 * 1024**2):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    if last != b"\n":
        lines += 1
    return lines - inspection.footer_rows


def unconverted_values(
    con: duckdb.DuckDBPyConnection,
    table_file: Path,
    columns: list[Column],
    demoted: list[int],
    report: ProblemList,
) -> None:
    """List every value of the demoted columns that doesn't convert to the inspected type."""
    from renkei.datastore.load import conversion, null_cell

    if not demoted:
        return
    alias = attach(con, table_file)
    try:
        for index in demoted:
            column = columns[index]
            check = (
                f"NOT {null_cell(column.name)} AND "
                f"({conversion(column.name, column.type, column.format, index, 'rk_try_')}) IS NULL"
            )
            source = f"{ident(alias)}.t WHERE {check}"
            room = max(0, report.limit - len(report.items))
            found = con.execute(
                f"SELECT rowid + 1, {ident(column.name)} FROM {source} ORDER BY rowid LIMIT {room}"
            ).fetchall()
            rule = "load.value.not_converted"
            for record, value in found:
                report.add(
                    rule,
                    f"Row _id {record}: value {value!r} in column {column.name!r} is not a "
                    f"{column.type}: the column was loaded as text",
                    f"_id {record}の行: 列「{column.name}」の値{value!r}は{column.type}では"
                    "ないため、列を文字列として読み込みました",
                    _id=record, column=index + 1, column_name=column.name,
                )  # fmt: skip
            total = con.execute(f"SELECT count(*) FROM {source}").fetchone()
            report.count_more(rule, int(total[0]) - len(found) if total else 0)
    finally:
        con.execute(f"DETACH {ident(alias)}")
