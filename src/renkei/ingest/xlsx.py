"""Excel workbooks (.xlsx): every sheet as a table, after refusing zip bombs.

An .xlsx is a zip of XML files; a hostile one declares gigabytes that compress to kilobytes.
The zip's central directory is read first (declared sizes and ratios, member count) and the
workbook is opened only when those are sane. Formulas: the values Excel cached are used; a
formula with no cached value (files written by scripts) is reported, as its cells read empty.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

MAX_UNCOMPRESSED = 2 * 1024**3
MAX_RATIO = 100
RATIO_MIN_SIZE = 10 * 1024**2
MAX_MEMBERS = 10_000


class UnsafeWorkbook(Exception):
    """A workbook that must not be opened; the message says why, for the publisher."""

    def __init__(self, message: str, message_ja: str) -> None:
        super().__init__(message)
        self.message = message
        self.message_ja = message_ja


def check_zip(path: Path, max_uncompressed: int = MAX_UNCOMPRESSED) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise UnsafeWorkbook(
            f"The file is not a valid .xlsx workbook (not a readable zip: {exc})",
            "有効な .xlsx ファイルではありません（zip として読めません）",
        ) from None
    if len(members) > MAX_MEMBERS:
        raise UnsafeWorkbook(
            f"The workbook has {len(members)} parts (more than {MAX_MEMBERS}): refused",
            f"ブックの構成ファイルが{len(members)}個と多すぎるため読み込みません",
        )
    total = sum(m.file_size for m in members)
    if total > max_uncompressed:
        raise UnsafeWorkbook(
            f"The workbook would expand to {total} bytes (limit {max_uncompressed}): refused",
            f"ブックの展開後サイズが{total}バイトで上限（{max_uncompressed}）を超えるため読み込みません",
        )
    for member in members:
        if member.file_size > RATIO_MIN_SIZE:
            ratio = member.file_size / max(member.compress_size, 1)
            if ratio > MAX_RATIO:
                raise UnsafeWorkbook(
                    f"Part {member.filename} expands {ratio:.0f} times ({member.file_size} "
                    "bytes): this looks like a zip bomb and is refused",
                    f"構成ファイル {member.filename} の圧縮率が{ratio:.0f}倍と異常なため"
                    "（zip 爆弾の疑い）読み込みません",
                )
    names = {m.filename for m in members}
    if "xl/workbook.xml" not in names:
        raise UnsafeWorkbook(
            "The zip has no xl/workbook.xml: it is not an .xlsx workbook",
            "xl/workbook.xml がないため .xlsx ブックではありません",
        )


def has_formulas(path: Path) -> bool:
    """Whether any sheet's XML holds a formula element (cheap scan, no XML parsing)."""
    with zipfile.ZipFile(path) as archive:
        for member in archive.infolist():
            if not member.filename.startswith("xl/worksheets/"):
                continue
            with archive.open(member) as handle:
                previous = b""
                while chunk := handle.read(1024 * 1024):
                    window = previous + chunk
                    if b"<f>" in window or b"<f " in window or b":f>" in window:
                        return True
                    previous = chunk[-8:]
    return False


def cell_text(value: Any) -> str | None:
    """A cell as the text the type inference reads (dates in ISO, integral floats as ints)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 2**53 else repr(value)
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def sheet_rows(path: Path) -> Iterator[tuple[str, Iterator[list[str | None]]]]:
    """(sheet title, rows as text) for each worksheet, in workbook order."""
    from openpyxl import load_workbook

    # A file object, not the path: openpyxl refuses names without an .xlsx suffix (uploads
    # are staged under random names).
    with path.open("rb") as handle:
        workbook = load_workbook(handle, read_only=True, data_only=True)
        try:
            for sheet in workbook.worksheets:
                rows = ([cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True))
                yield sheet.title, rows
        finally:
            workbook.close()


def formula_cells(path: Path) -> dict[str, list[tuple[int, int, str, bool]]]:
    """Per sheet: (row, column, formula, has a cached value) of each formula cell."""
    from openpyxl import load_workbook

    with path.open("rb") as one, path.open("rb") as two:
        return _formula_cells(load_workbook(one, read_only=True, data_only=False),
                              load_workbook(two, read_only=True, data_only=True))  # fmt: skip


def _formula_cells(formulas: Any, cached: Any) -> dict[str, list[tuple[int, int, str, bool]]]:
    found: dict[str, list[tuple[int, int, str, bool]]] = {}
    try:
        for sheet in formulas.worksheets:
            rows = zip(
                sheet.iter_rows(values_only=True),
                cached[sheet.title].iter_rows(values_only=True),
                strict=False,
            )
            for number, (row_f, row_v) in enumerate(rows, start=1):
                for col, (f, v) in enumerate(zip(row_f, row_v, strict=False), start=1):
                    if isinstance(f, str) and f.startswith("="):
                        found.setdefault(sheet.title, []).append((number, col, f, v is not None))
    finally:
        formulas.close()
        cached.close()
    return found
