"""Inventory spreadsheets: read CSV or XLSX into rows, write them back, and the template.

The columns are those of the shipped template (``templates/inventory_template.csv``); Japanese
headers are accepted too, since the people filling in an inventory often work in Japanese.
CSV is read as UTF-8 (with or without BOM) and otherwise as CP932, the Excel default in Japan.
"""

from __future__ import annotations

import csv
import io
import itertools
from importlib import resources
from typing import Any

from renkei.errors import ValidationError
from renkei.requests.rules import INVENTORY_STATUSES, REASON_CATEGORIES

COLUMNS = (
    "title",
    "description",
    "status",
    "planned_date",
    "reason_category",
    "reason_text",
    "dataset",
)
JAPANESE_HEADERS = {
    "データ名": "title",
    "名称": "title",
    "説明": "description",
    "概要": "description",
    "状態": "status",
    "公開状況": "status",
    "公開予定日": "planned_date",
    "非公開理由区分": "reason_category",
    "非公開理由": "reason_text",
    "データセット": "dataset",
}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ROWS = 20000


def template_csv() -> bytes:
    return (
        resources.files("renkei.requests") / "templates" / "inventory_template.csv"
    ).read_bytes()


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError({"file": ["The CSV file is neither UTF-8 nor Shift_JIS (CP932) text"]})


def _key(header: Any) -> str | None:
    text = str(header or "").strip().lstrip("\ufeff")
    if text.lower() in COLUMNS:
        return text.lower()
    return JAPANESE_HEADERS.get(text)


def _rows(table: list[list[Any]]) -> list[tuple[int, dict[str, Any]]]:
    """Rows keyed by column name, with their 1-based line numbers; blank rows skipped."""
    if not table:
        raise ValidationError({"file": ["The file is empty"]})
    keys = [_key(h) for h in table[0]]
    if "title" not in keys or "status" not in keys:
        raise ValidationError(
            {
                "file": [
                    f"The first row must name the columns, at least title and status "
                    f"(template columns: {', '.join(COLUMNS)})"
                ]
            }
        )
    if len(table) - 1 > MAX_ROWS:
        raise ValidationError({"file": [f"At most {MAX_ROWS} rows per file"]})
    rows = []
    for number, values in enumerate(table[1:], start=2):
        if not any(str(v or "").strip() for v in values):
            continue
        row: dict[str, Any] = {}
        for key, value in zip(keys, values, strict=False):
            if key is None or value is None:
                continue
            # Dates typed into Excel come back as datetimes: keep only the date.
            if hasattr(value, "date"):
                row[key] = value.date().isoformat()
            else:
                row[key] = _restore(str(value).strip())
        rows.append((number, row))
    return rows


def read_rows(raw: bytes, filename: str) -> list[tuple[int, dict[str, Any]]]:
    """The rows of an uploaded CSV or XLSX file (chosen by its name, or its magic bytes)."""
    if filename.lower().endswith(".xlsx") or raw[:2] == b"PK":
        return _rows(_xlsx_table(raw))
    reader = csv.reader(io.StringIO(_decode(raw)))
    return _rows([list(r) for r in reader])


def _xlsx_table(raw: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        message = f"Not a readable XLSX workbook ({type(exc).__name__})"
        raise ValidationError({"file": [message]}) from None
    try:
        sheet = book.worksheets[0]
        # Stop one row past the limit: a small file can unpack into a huge sheet.
        rows = sheet.iter_rows(values_only=True, max_col=100)
        return [list(row) for row in itertools.islice(rows, MAX_ROWS + 2)]
    finally:
        book.close()


# A cell starting with one of these is a formula to spreadsheet programs (CSV injection): the
# CSV export prefixes it with an apostrophe, which the import takes off again.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _defuse(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_START) else value


def _restore(value: str) -> str:
    return value[1:] if value.startswith("'") and value[1:].startswith(FORMULA_START) else value


def _export_values(entry: dict[str, Any]) -> list[str]:
    dataset = entry.get("dataset")
    return [
        entry["title"],
        entry.get("description") or "",
        entry["status"],
        entry.get("planned_date") or "",
        entry.get("reason_category") or "",
        entry.get("reason_text") or "",
        dataset["name"] if dataset else "",
    ]


def write_csv(entries: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for entry in entries:
        writer.writerow([_defuse(v) for v in _export_values(entry)])
    # A BOM so Excel in Japan opens the UTF-8 file without garbling it.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def write_xlsx(entries: list[dict[str, Any]]) -> bytes:
    """The entries (none for the template) and a guide sheet listing the allowed values."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "inventory"
    sheet.append(list(COLUMNS))
    for entry in entries:
        sheet.append(_export_values(entry))
        for cell in sheet[sheet.max_row]:
            # openpyxl stores a string starting with "=" as a formula: keep it text.
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"
    guide = book.create_sheet("guide")
    guide.append(["column", "values"])
    guide.append(["status", ", ".join(INVENTORY_STATUSES)])
    guide.append(["planned_date", "YYYY-MM-DD (needed when status is planned)"])
    guide.append(["reason_category", ", ".join(REASON_CATEGORIES) + " (when not_open)"])
    guide.append(["dataset", "name of this organization's dataset (when open)"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
