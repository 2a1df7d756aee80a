"""Reading a data file into a decoded table for the content scorers.

This is the ONE place the quality package reads files. The encoding is told by
``renkei.ingest.encoding`` (the detector inspection uses, so both agree: BOM, strict UTF-8, then
cp932 / EUC-JP verified over the whole file). CSV/TSV records are split by ``csvgrid``
(pyarrow.csv, columnar, with the csv module's exact reading of ragged, blank and quoted
records) into a ``Grid``; a file whose quotes are broken is read by the csv module, which also
names the stray or unclosed quote. XLSX is opened twice with openpyxl (formulas, then cached
values) to keep the cell facts the machine-readability rules need: merged ranges, formulas,
numeric cells and drawn objects.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from renkei.ingest.encoding import detect_encoding
from renkei.quality import csvgrid
from renkei.quality.grid import Grid, GridRows

#: The largest file read whole; quality checks are about publication files, not data lakes.
MAX_BYTES = 512 * 1024 * 1024

DRAWING_TARGET = r'Target="(?:\.\./|/xl/)drawings/(drawing\d+\.xml)"'
ANCHOR = r"<(?:\w+:)?(?:twoCellAnchor|oneCellAnchor|absoluteAnchor)\b"


#: formats that are data but not tables: checking them as CSV would only produce noise
NOT_TABLES = {
    ".json",
    ".geojson",
    ".jsonld",
    ".xml",
    ".rdf",
    ".ttl",
    ".nt",
    ".html",
    ".htm",
    ".pdf",
    ".zip",
    ".shp",
    ".kml",
    ".kmz",
    ".gml",
    ".nc",
    ".zarr",
    ".parquet",
    ".doc",
    ".docx",
}


class ReadError(ValueError):
    """The file cannot be read as a table; the message says why and what to do."""


@dataclass
class Sheet:
    """One table-shaped grid: every cell as text, 1-based positions in findings."""

    name: str | None
    #: every row as a list of cells (a ``GridRows`` view for CSV: rows are built when read)
    rows: Sequence[list[str]]
    #: merged ranges as (min_row, min_col, max_row, max_col), 1-based (xlsx only)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    #: cells holding a formula: (row, col, formula) (xlsx only)
    formulas: list[tuple[int, int, str]] = field(default_factory=list)
    #: cells stored as numbers, (row, col); None when the format has no cell types (CSV)
    numeric: set[tuple[int, int]] | None = None
    #: images, charts and other drawn objects on the sheet (xlsx only)
    objects: int = 0
    _grid: Grid | None = field(default=None, repr=False, compare=False)

    def grid(self) -> Grid:
        """The cells column by column, for the checks that scan whole columns."""
        if self._grid is None:
            rows = self.rows
            self._grid = rows.grid if isinstance(rows, GridRows) else Grid.from_rows(rows)
        return self._grid


@dataclass
class DecodedTable:
    filename: str
    format: str  # "csv", "tsv" or "xlsx"
    encoding: str | None  # None for xlsx (the zip container defines it)
    size: int
    sheets: list[Sheet]
    bom: bool = False
    #: (1-based line, message) for bytes that did not decode
    encoding_errors: list[tuple[int, str]] = field(default_factory=list)
    #: (1-based line, message) for quoting the csv module had to repair
    quote_errors: list[tuple[int, str]] = field(default_factory=list)
    #: the text holds U+FFFD: characters were lost before (or while) this file was decoded
    replacement_chars: bool = False


def _decode(data: bytes, encoding: str) -> tuple[str, list[tuple[int, str]]]:
    try:
        return data.decode(encoding), []
    except UnicodeDecodeError as exc:
        text = data.decode(encoding, errors="replace")
        line = data[: exc.start].count(b"\n") + 1
        bad = text.count("\ufffd")
        return text, [(line, f"{bad} byte sequence(s) are not valid {encoding}: {exc.reason}")]


def _delimiter(text: str, suffix: str) -> str:
    lines = [line for line in text[:65536].splitlines()[:20] if line.strip()]
    first = "\n".join(lines) if lines else text[:4096]
    if suffix in (".tsv", ".tab") or first.count("\t") > first.count(","):
        return "\t"
    if first.count(";") > first.count(",") and first.count(";") > 1:
        return ";"
    return ","


def _quote_errors(text: str, delimiter: str) -> list[tuple[int, str]]:
    """Find stray and unclosed quotes with a strict parse (the lenient one repairs silently)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    errors: list[tuple[int, str]] = []
    while len(errors) < 100:
        try:
            next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            message = str(exc)
            kind = "unclosed quote" if "unexpected end" in message else "stray quote"
            errors.append((reader.line_num, f"{kind}: {message}"))
    return errors


def _csv_module_rows(text: str, delimiter: str) -> tuple[list[list[str]], list[tuple[int, str]]]:
    """The records as the csv module reads them, and the quoting it had to repair."""
    quote_errors: list[tuple[int, str]] = []
    try:
        # One strict parse finds stray and unclosed quotes; only a broken file is parsed twice.
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error:
        quote_errors = _quote_errors(text, delimiter)
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    return rows, quote_errors


#: codecs whose strict decoding never yields U+FFFD (checked over every byte sequence, see
#: tests/quality/test_reading_grid.py): text they decoded cannot hold one, so the search for
#: it (13 ms on 20 MB) is skipped
NO_REPLACEMENT_CODECS = ("cp932", "euc_jp")


def _table(
    utf8: bytes,
    head: str,
    *,
    filename: str,
    encoding: str,
    size: int,
    text: str | None = None,
    replacement_chars: bool | None = None,
) -> DecodedTable:
    """A CSV/TSV table from its UTF-8 bytes (no BOM); ``head`` is the start of the text;
    ``replacement_chars`` when already known (else the bytes are searched for U+FFFD)."""
    delimiter = _delimiter(head, Path(filename).suffix.lower())
    # Small files go to the csv module directly: pyarrow's fixed cost per file is larger.
    grid = csvgrid.split(utf8, delimiter) if len(utf8) >= csvgrid.MIN_BYTES else None
    quote_errors: list[tuple[int, str]] = []
    if grid is None:
        rows, quote_errors = _csv_module_rows(
            text if text is not None else utf8.decode("utf-8"), delimiter
        )
        grid = Grid.from_rows(rows, owned=True)
    return DecodedTable(
        filename=filename,
        format="tsv" if delimiter == "\t" else "csv",
        encoding=encoding,
        size=size,
        sheets=[Sheet(name=None, rows=GridRows(grid), _grid=grid)],
        quote_errors=quote_errors,
        replacement_chars=(
            "\ufffd".encode() in utf8 if replacement_chars is None else replacement_chars
        ),
    )


def read_text_table(
    text: str, *, filename: str = "data.csv", encoding: str = "utf-8", size: int | None = None
) -> DecodedTable:
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        utf8 = text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates: keep them visible as U+FFFD
        text = text.encode("utf-8", "replace").decode("utf-8")
        utf8 = text.encode("utf-8")
    return _table(
        utf8,
        text[:65536],
        filename=filename,
        encoding=encoding,
        size=size if size is not None else len(utf8),
        text=text,
    )


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        text = value.isoformat()  # type: ignore[union-attr]
        return text[:-9] if text.endswith("T00:00:00") else text
    return str(value)


def _count_objects(path: Path) -> dict[str, int]:
    """Drawn objects per sheet file: each drawing part's anchors (pictures, charts, shapes)."""
    counts: dict[str, int] = {}
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        for name in names:
            if not re.fullmatch(r"xl/worksheets/_rels/sheet\d+\.xml\.rels", name):
                continue
            rels = archive.read(name).decode("utf-8", "replace")
            total = 0
            for target in re.findall(DRAWING_TARGET, rels):
                part = f"xl/drawings/{target}"
                if part in names:
                    drawing = archive.read(part).decode("utf-8", "replace")
                    total += len(re.findall(ANCHOR, drawing))
            sheet = name.split("/")[-1].removesuffix(".rels")
            counts[sheet] = total
    return counts


def read_xlsx(path: Path, *, filename: str) -> DecodedTable:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        formulas_book = openpyxl.load_workbook(path, data_only=False)
        values_book = openpyxl.load_workbook(path, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise ReadError(f"{filename} is not a readable XLSX workbook: {exc}") from exc
    objects = _count_objects(path)
    sheets = []
    for index, ws in enumerate(formulas_book.worksheets):
        values = values_book.worksheets[index]
        rows: list[list[str]] = []
        formulas: list[tuple[int, int, str]] = []
        numeric: set[tuple[int, int]] = set()
        for r, (frow, vrow) in enumerate(
            zip(
                # From A1, so that positions are the sheet's even when the top rows or the
                # left columns are empty.
                ws.iter_rows(min_row=1, min_col=1),
                values.iter_rows(min_row=1, min_col=1, values_only=True),
                strict=False,
            ),
            start=1,
        ):
            out = []
            for c, (fcell, value) in enumerate(zip(frow, vrow, strict=False), start=1):
                if fcell.data_type == "f" or (
                    isinstance(fcell.value, str) and fcell.value.startswith("=")
                ):
                    formulas.append((r, c, str(fcell.value)))
                if isinstance(value, int | float) and not isinstance(value, bool):
                    numeric.add((r, c))
                out.append(_cell_text(value))
            rows.append(out)
        while rows and not any(rows[-1]):
            rows.pop()
        merged = [(m.min_row, m.min_col, m.max_row, m.max_col) for m in ws.merged_cells.ranges]
        sheet_file = f"sheet{index + 1}.xml"
        sheets.append(
            Sheet(
                name=ws.title,
                rows=rows,
                merged=merged,
                formulas=formulas,
                numeric=numeric,
                objects=objects.get(sheet_file, 0),
            )
        )
    return DecodedTable(
        filename=filename,
        format="xlsx",
        encoding=None,
        size=path.stat().st_size,
        sheets=sheets,
        replacement_chars=any("\ufffd" in c for s in sheets for r in s.rows for c in r),
    )


def read_table(path: Path, *, filename: str | None = None) -> DecodedTable:
    """Read ``path`` (CSV, TSV or XLSX) into a decoded table; raise ReadError when impossible."""
    filename = filename or path.name
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ReadError(f"cannot read {path}: {exc.strerror}") from exc
    if size > MAX_BYTES:
        raise ReadError(f"{filename} is {size} bytes; the content checks read at most {MAX_BYTES}")
    suffix = Path(filename).suffix.lower()
    if suffix in NOT_TABLES:
        raise ReadError(
            f"{filename} is a {suffix[1:].upper()} file; the content checks read CSV, TSV and XLSX"
        )
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith((b"%PDF", b"\x1f\x8b", b"Rar!", b"7z\xbc")):
        raise ReadError(f"{filename} is a PDF or an archive, not a CSV/TSV/XLSX table")
    if head.startswith(b"PK\x03\x04"):
        return read_xlsx(path, filename=filename)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ReadError(
            f"{filename} is a legacy Excel (.xls) or other OLE file; save it as XLSX or CSV first"
        )
    data = path.read_bytes()
    # The detector decodes the whole file to verify its encoding; it hands that text back as
    # UTF-8 (``transcode``) so that a CP932 or UTF-16 file is decoded once, not twice.
    found = detect_encoding(data, transcode=True)
    if (
        b"\x00" in data[:4096]
        and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
        and not found.encoding.startswith("utf-16")
    ):
        raise ReadError(f"{filename} looks binary (NUL bytes), not a CSV/TSV text file")
    encoding = found.encoding
    if found.error_offset is None and (found.utf8 is not None or encoding.startswith("utf-8")):
        # Every byte decoded: valid UTF-8 is split as it is, another encoding as the UTF-8
        # the detector wrote (a BOM the codec kept is dropped, as read_text_table does).
        utf8 = found.utf8 if found.utf8 is not None else data
        if utf8.startswith(codecs.BOM_UTF8):
            utf8 = utf8[3:]
        head = utf8[: 4 * 65536].decode("utf-8", "ignore")[:65536]
        table = _table(
            utf8,
            head,
            filename=filename,
            encoding=encoding,
            size=size,
            replacement_chars=False if encoding in NO_REPLACEMENT_CODECS else None,
        )
    else:
        text, errors = _decode(data, encoding)
        table = read_text_table(text, filename=filename, encoding=encoding, size=size)
        table.encoding_errors = errors
        table.replacement_chars = table.replacement_chars and not errors
    table.bom = found.bom
    return table
