"""Bulk registration from a metadata spreadsheet (CSV or XLSX, the template in ``templates/``).

One row per dataset, or per resource: rows sharing a ``name`` are one dataset, each row adding
the resource given in its ``resource_*`` columns. Every row is checked first — by the same
pydantic schemas and the same ``package_create`` that the Action API runs, each dataset in a
savepoint — and every problem is reported with its row and column. Then either everything is
applied in the caller's one transaction, or nothing is; ``valid_only`` applies the datasets
without problems and lists the others.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from renkei.catalog.context import Context
from renkei.errors import NotAuthorized, NotFound, RenkeiError, ValidationError

TEMPLATE_DIR = Path(__file__).parent / "templates"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

DATASET_COLUMNS = (
    "name", "title", "notes", "owner_org", "license_id", "tags", "private", "author",
    "author_email", "maintainer", "maintainer_email", "version", "url", "temporal_start",
    "temporal_end", "spatial", "title_en", "notes_en",
)  # fmt: skip
RESOURCE_COLUMNS = ("resource_name", "resource_url", "resource_format", "resource_description")
EXTRA_PREFIX = "extras:"
# Dataset fields kept as extras (as DCAT-AP and ckanext-spatial name them).
EXTRA_FIELDS = ("temporal_start", "temporal_end", "spatial")
_TAG_SPLIT = re.compile(r"[,;、，；]")
MAX_ROWS = 10_000


@dataclass
class Problem:
    row: int | None
    column: str | None
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class Sheet:
    columns: list[str]
    rows: list[tuple[int, dict[str, str]]]  # (1-based row number in the sheet, values)
    problems: list[Problem] = field(default_factory=list)


@dataclass
class _Dataset:
    name: str
    first_row: int
    rows: list[int] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    resource_rows: list[int] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def read_sheet(path: Path, filename: str | None = None) -> Sheet:
    """The header and rows of a CSV (any encoding the inspector reads) or XLSX (first sheet)."""
    from renkei.ingest.inspector import detect_format

    name = filename or path.name
    fmt = detect_format(path, name)
    if fmt == "xlsx":
        raw = _xlsx_rows(path)
    elif fmt in ("csv", "tsv"):
        raw = _csv_rows(path, "\t" if fmt == "tsv" else ",")
    else:
        raise ValidationError({"upload": ["The sheet must be a CSV or XLSX file"]})
    raw = [r for r in raw if any((c or "").strip() for c in r[1])]
    if not raw:
        raise ValidationError({"upload": ["The sheet is empty: it needs a header row"]})
    header_row, header = raw[0]
    columns = [(c or "").strip() for c in header]
    sheet = Sheet(columns=columns, rows=[])
    known = set(DATASET_COLUMNS) | set(RESOURCE_COLUMNS)
    for position, column in enumerate(columns, start=1):
        if column and column not in known and not column.startswith(EXTRA_PREFIX):
            sheet.problems.append(
                Problem(
                    header_row,
                    column,
                    f"Unknown column {column!r} (column {position}): "
                    "see the template for the accepted columns",
                )  # fmt: skip
            )
    if "name" not in columns:
        sheet.problems.append(Problem(header_row, "name", "The sheet has no 'name' column"))
    if len(raw) - 1 > MAX_ROWS:
        raise ValidationError({"upload": [f"The sheet has more than {MAX_ROWS} rows"]})
    for number, cells in raw[1:]:
        values = {
            columns[i]: (cells[i] or "").strip()
            for i in range(min(len(columns), len(cells)))
            if columns[i]
        }
        extra = [c for c in cells[len(columns) :] if (c or "").strip()]
        if extra:
            sheet.problems.append(
                Problem(number, None, f"Row has {len(extra)} values beyond the header's columns")
            )
        sheet.rows.append((number, values))
    return sheet


def _csv_rows(path: Path, delimiter: str) -> list[tuple[int, list[str | None]]]:
    from renkei.ingest.encoding import detect_encoding

    found = detect_encoding(path)
    if found.error_offset is not None:
        raise ValidationError(
            {
                "upload": [
                    f"The sheet is not in one text encoding (line {found.error_line}): "
                    "save it as UTF-8"
                ]
            }  # fmt: skip
        )
    with path.open(encoding=found.encoding, newline="") as handle:
        return [
            (number, list(row))
            for number, row in enumerate(csv.reader(handle, delimiter=delimiter), start=1)
        ]


def _xlsx_rows(path: Path) -> list[tuple[int, list[str | None]]]:
    from renkei.ingest import xlsx

    try:
        xlsx.check_zip(path)
    except xlsx.UnsafeWorkbook as exc:
        raise ValidationError({"upload": [exc.message]}) from None
    for _, rows in xlsx.sheet_rows(path):
        return list(enumerate((list(r) for r in rows), start=1))
    return []


def _row_to_dataset(values: dict[str, str]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    extras: list[dict[str, str]] = []
    for column, value in values.items():
        if not value or column in RESOURCE_COLUMNS:
            continue
        if column.startswith(EXTRA_PREFIX):
            extras.append({"key": column[len(EXTRA_PREFIX) :].strip(), "value": value})
        elif column in EXTRA_FIELDS:
            extras.append({"key": column, "value": value})
        elif column == "tags":
            data["tags"] = [{"name": t.strip()} for t in _TAG_SPLIT.split(value) if t.strip()]
        elif column in ("title_en", "notes_en"):
            data.setdefault(column[:-3] + "_translated", {})["en"] = value
        else:
            data[column] = value
    if extras:
        data["extras"] = extras
    return data


def _row_resource(values: dict[str, str]) -> dict[str, Any] | None:
    resource = {
        column.removeprefix("resource_"): values[column]
        for column in RESOURCE_COLUMNS
        if values.get(column)
    }
    return resource or None


def _group(sheet: Sheet) -> tuple[list[_Dataset], list[Problem]]:
    datasets: dict[str, _Dataset] = {}
    problems: list[Problem] = []
    for number, values in sheet.rows:
        name = values.get("name", "")
        if not name:
            problems.append(Problem(number, "name", "Missing value: every row needs the "
                                    "dataset's name (URL name)"))  # fmt: skip
            continue
        dataset_fields = _row_to_dataset(values)
        resource = _row_resource(values)
        current = datasets.get(name)
        if current is None:
            current = datasets[name] = _Dataset(name=name, first_row=number)
            current.data = dataset_fields
            current.data["resources"] = []
        else:
            for key, value in dataset_fields.items():
                if key != "name" and current.data.get(key) not in (None, value):
                    current.problems.append(
                        Problem(number, _column_of(key), f"Differs from row {current.first_row}"
                                " for the same dataset: leave it empty or repeat the value")
                    )  # fmt: skip
        current.rows.append(number)
        if resource is not None:
            current.data["resources"].append(resource)
            current.resource_rows.append(number)
    return list(datasets.values()), problems


def _column_of(key: str) -> str:
    return {"title_translated": "title_en", "notes_translated": "notes_en"}.get(key, key)


def _problems_from(dataset: _Dataset, exc: RenkeiError) -> list[Problem]:
    row = dataset.first_row
    if isinstance(exc, ValidationError):
        problems: list[Problem] = []
        for key, messages in exc.errors.items():
            if key == "resources" and isinstance(messages, list):
                for index, item in enumerate(messages):
                    if not item:
                        continue
                    res_row = (
                        dataset.resource_rows[index] if index < len(dataset.resource_rows) else row
                    )
                    for sub, texts in item.items() if isinstance(item, dict) else []:
                        for text in _texts(texts):
                            column = f"resource_{sub}" if sub != "__all__" else None
                            problems.append(Problem(res_row, column, text))
                continue
            if key == "extras":
                for text in _texts(messages):
                    problems.append(Problem(row, "extras", text))
                continue
            for text in _texts(messages):
                column = None if key == "__all__" else _column_of(key)
                problems.append(Problem(row, column, text))
        return problems
    column = "owner_org" if isinstance(exc, NotAuthorized | NotFound) else None
    return [Problem(row, column, exc.message)]


def _texts(messages: Any) -> list[str]:
    if isinstance(messages, str):
        return [messages]
    if isinstance(messages, list):
        out: list[str] = []
        for item in messages:
            if isinstance(item, dict):
                for value in item.values():
                    out.extend(_texts(value))
            else:
                out.append(str(item))
        return out
    if isinstance(messages, dict):
        return [t for v in messages.values() for t in _texts(v)]
    return [str(messages)]


def bulk_import(
    ctx: Context, sheet: Sheet, *, valid_only: bool = False, dry_run: bool = False
) -> dict[str, Any]:
    """Check every row, then create all datasets or none (see the module docstring).

    Returns ``{"applied", "dry_run", "valid_only", "rows", "created", "rejected", "errors"}``;
    ``errors`` lists ``{row, column, message}``, sorted by row."""
    from renkei.catalog.packages import package_create

    if ctx.user is None:
        raise NotAuthorized("You must be logged in to import datasets")
    datasets, problems = _group(sheet)
    problems = [*sheet.problems, *problems]
    sheet_broken = bool(sheet.problems)
    created: list[dict[str, Any]] = []
    rejected: list[dict[str, Any]] = []
    outer = ctx.session.begin_nested()
    for dataset in datasets:
        if dataset.problems or sheet_broken:
            problems.extend(dataset.problems)
            rejected.append({"name": dataset.name, "rows": dataset.rows})
            continue
        savepoint = ctx.session.begin_nested()
        try:
            result = package_create(ctx, dict(dataset.data))
        except RenkeiError as exc:
            savepoint.rollback()
            problems.extend(_problems_from(dataset, exc))
            rejected.append({"name": dataset.name, "rows": dataset.rows})
            continue
        savepoint.commit()
        created.append({"name": result["name"], "id": result["id"], "rows": dataset.rows})
    apply = not dry_run and (valid_only or not problems) and not sheet_broken
    if apply:
        outer.commit()
    else:
        outer.rollback()
    return {
        "applied": apply,
        "dry_run": dry_run,
        "valid_only": valid_only,
        "rows": len(sheet.rows),
        "created": created if apply else [],
        "valid": [c["name"] for c in created],
        "rejected": rejected,
        "errors": [p.as_dict() for p in sorted(problems, key=lambda p: p.row or 0)],
    }
