"""``renkei quality fix``: write a tidy, machine-readable copy of a table and say what changed.

For every sheet: the preamble and notes around the table are dropped (kept in the report),
a multi-row header is flattened into one row, repeated headers and blank rows are removed,
total rows go to a separate ``.totals.csv``, cells lose layout spaces, full-width digits become
half-width, numbers lose thousands commas, 円 and ▲, Japanese era dates and month/day/year
dates become ISO years and dates. A "marker matrix" (a multi-row header over columns holding
only marks such as ◎ ○) is unpivoted into a long table (key, group, item, mark); text fused to
a mark is split off into the column named by the header's right-most group label. Output is
UTF-8 CSV; the input is never written to.
"""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from renkei.quality import cellscan as scan
from renkei.quality.layout import TOTAL, Layout, detect, notes_sheet
from renkei.quality.machine_readability import DECORATED, FULLWIDTH_CODE
from renkei.quality.reading import DecodedTable, Sheet, read_table

MARKS = "◎○◯●△▲×✕□■◇◆"
MARK_CELL = re.compile(rf"^\s*([{MARKS}])\s*(.*)$", re.S)
FW_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
ERA_BASE = {"明治": 1867, "大正": 1911, "昭和": 1925, "平成": 1988, "令和": 2018}
ERA_DATE = re.compile(
    r"^(明治|大正|昭和|平成|令和)\s*([0-9]{1,2}|元)\s*年(?:\s*([0-9]{1,2})\s*月(?:\s*([0-9]{1,2})\s*日)?)?(度)?$"
)
US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
#: a parenthesised legend of the marks at the end of a group label: (◎:主に…、○:連携…)
LEGEND = re.compile(rf"\s*[(（][^)）]*[{MARKS}]\s*[:：][^)）]*[)）]\s*$")
UNIT_SUFFIX = re.compile(r"(円|千円|百万円|億円|%|％|人|件|世帯|戸|台|歳)\s*$")


class FixError(ValueError):
    """The fix cannot run (e.g. the output would overwrite the input)."""


@dataclass
class Report:
    source: str
    outputs: list[str] = field(default_factory=list)
    changes: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def add(self, kind: str, message: str, count: int = 1, **where: object) -> None:
        self.changes.append({"change": kind, "message": message, "count": count, **where})

    def as_dict(self) -> dict:
        return {
            "source": self.source,
            "outputs": self.outputs,
            "changes": self.changes,
            "warnings": self.warnings,
        }

    def markdown(self) -> str:
        lines = [f"# Fix report for {self.source}", "", "## Outputs", ""]
        lines += [f"- {name}" for name in self.outputs]
        lines += ["", "## Changes", ""]
        for c in self.changes:
            where = ", ".join(
                f"{k} {v}" for k, v in c.items() if k not in ("change", "message", "count")
            )
            lines.append(
                f"- **{c['change']}** ({c['count']}×){' [' + where + ']' if where else ''}:"
                f" {c['message']}"
            )
        if self.warnings:
            lines += ["", "## Warnings (check by hand)", ""]
            lines += [f"- {w}" for w in self.warnings]
        return "\n".join(lines) + "\n"


def normalise_cell(
    value: str, numeric: bool, counts: dict[str, int], strip_unit: bool = True
) -> str:
    text = value
    stripped = text.strip(" \u3000\t\r\n")
    if stripped != text:
        counts["spaces"] += 1
        text = stripped
    if "\n" in text or "\r" in text:
        text = " ".join(text.split())
        counts["line-breaks"] += 1
    if FULLWIDTH_CODE.fullmatch(text):
        text = unicodedata.normalize("NFKC", text).replace("ー", "-")
        counts["full-width"] += 1
    elif any("０" <= ch <= "９" for ch in text):
        text = text.translate(FW_DIGITS)
        counts["full-width"] += 1
    if numeric and text and DECORATED.fullmatch(text):
        number = UNIT_SUFFIX.sub("", text) if strip_unit else text
        number = number.replace(",", "").replace("，", "")
        number = number.replace("¥", "").replace("￥", "").strip()
        if number[:1] in "▲△▼－−":
            number = "-" + number[1:]
        if number != text:
            counts["numbers"] += 1
            text = number
    m = ERA_DATE.match(text)
    if m:
        era, year, month, day, fiscal = m.groups()
        western = ERA_BASE[era] + (1 if year == "元" else int(year))
        if day:
            text = f"{western:04d}-{int(month):02d}-{int(day):02d}"
        elif month:
            text = f"{western:04d}-{int(month):02d}"
        else:
            text = f"{western}年度" if fiscal else str(western)
        counts["dates"] += 1
    else:
        m = US_DATE.match(text)
        if m:
            text = f"{m.group(3)}-{int(m.group(1)):02d}-{int(m.group(2)):02d}"
            counts["dates"] += 1
    return text


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def _marker_columns(sheet: Sheet, layout: Layout) -> list[int]:
    if len(layout.header_rows) < 2:
        return []
    cols = []
    for c in range(layout.width):
        values = [sheet.rows[j][c].strip() for j in layout.data if c < len(sheet.rows[j])]
        filled = [v for v in values if v]
        if filled and all(MARK_CELL.match(v) for v in filled):
            cols.append(c)
    if len(cols) < 3:
        return []
    # The matrix spans from where the sub-labels (or the marks) start to the right edge,
    # empty columns included.
    sub = sheet.rows[layout.header_rows[-1]]
    first_sub = next((c for c, v in enumerate(sub) if v.strip()), cols[0])
    return list(range(min(cols[0], first_sub), layout.width))


def _block_headers(sheet: Sheet, layout: Layout) -> dict[int, list[list[str]]]:
    """For every data row, the header rows in force above it (a repeated header starts a block)."""
    starts = [layout.header_rows] + _group(layout.repeated_headers)
    out: dict[int, list[list[str]]] = {}
    for j in layout.data:
        current = [h for h in starts if h and h[0] < j][-1]
        out[j] = [sheet.rows[h] for h in current]
    return out


def _group(indices: list[int]) -> list[list[int]]:
    groups: list[list[int]] = []
    for i in indices:
        if groups and groups[-1][-1] == i - 1:
            groups[-1].append(i)
        else:
            groups.append([i])
    return groups


def unmerge(sheet: Sheet, report: Report, where: dict) -> Sheet:
    """A copy of the sheet with each merged range's value repeated in all its cells (1-4)."""
    if not sheet.merged:
        return sheet
    rows = [list(r) for r in sheet.rows]
    for r1, c1, r2, c2 in sheet.merged:
        if r1 > len(rows):
            continue
        value = rows[r1 - 1][c1 - 1] if c1 - 1 < len(rows[r1 - 1]) else ""
        for r in range(r1, min(r2, len(rows)) + 1):
            row = rows[r - 1]
            if len(row) < c2:
                row.extend([""] * (c2 - len(row)))
            for c in range(c1, c2 + 1):
                row[c - 1] = value
    report.add(
        "cells-unmerged",
        "merged cells unmerged, the value repeated in every cell",
        len(sheet.merged),
        **where,
    )
    return Sheet(name=sheet.name, rows=rows, numeric=sheet.numeric, objects=sheet.objects)


def fix_sheet(sheet: Sheet, stem: str, outdir: Path, report: Report) -> None:
    where = {"sheet": sheet.name} if sheet.name else {}
    if sheet.formulas:
        report.add(
            "formulas-as-values",
            "formulas replaced by their last computed values",
            len(sheet.formulas),
            **where,
        )
        missing = [
            (r, c)
            for r, c, _ in sheet.formulas
            if r > len(sheet.rows) or c > len(sheet.rows[r - 1]) or not sheet.rows[r - 1][c - 1]
        ]
        if missing:
            report.warnings.append(
                f"{len(missing)} formula cell(s) have no saved value (the workbook was never "
                "recalculated and saved by a spreadsheet program); they are empty in the output"
            )
    if sheet.objects:
        report.add(
            "objects-dropped",
            "drawn objects (images, shapes, charts) are not copied",
            sheet.objects,
            **where,
        )
    sheet = unmerge(sheet, report, where)
    layout = detect(sheet)
    rows = sheet.rows
    if layout.preamble:
        report.add(
            "preamble-removed",
            "rows above the table removed: "
            + " | ".join(next((c for c in rows[r] if c.strip()), "")[:60] for r in layout.preamble),
            len(layout.preamble),
            **where,
        )
    if layout.notes:
        report.add(
            "notes-removed",
            "rows below the table removed: "
            + " | ".join(next((c for c in rows[r] if c.strip()), "")[:60] for r in layout.notes),
            len(layout.notes),
            **where,
        )
    blank_inside = [b for b in layout.blank if layout.data and layout.data[0] < b < layout.data[-1]]
    if blank_inside:
        report.add(
            "blank-rows-removed", "blank rows inside the table removed", len(blank_inside), **where
        )
    if layout.repeated_headers:
        report.add(
            "repeated-header-removed",
            "header rows repeated inside the data removed "
            f"(rows {', '.join(str(r + 1) for r in layout.repeated_headers)})",
            len(layout.repeated_headers),
            **where,
        )
    labels = list(layout.labels)
    if layout.headerless:
        if layout.misplaced_header is not None:
            report.add(
                "header-moved",
                f"the header found at row {layout.misplaced_header + 1} was moved to the top",
                **where,
            )
        else:
            labels = [f"column_{c + 1}" for c in range(layout.width)]
            report.warnings.append(
                "the file has no header row; columns were named column_1, "
                "column_2, ... — give them real names"
            )
    elif len(layout.header_rows) > 1:
        report.add(
            "header-flattened",
            f"{len(layout.header_rows)} header rows flattened into one ('group_item')",
            **where,
        )
    if layout.property_header and labels:
        labels[0] = rows[layout.header_rows[0]][0].lstrip("#") or "property"
    labels = [" ".join(label.split()) for label in labels] + [""] * (layout.width - len(labels))
    # Columns with neither a name nor a value are spacing, not data.
    spacing = {
        c
        for c in range(layout.width)
        if not labels[c] and not any(c < len(rows[j]) and rows[j][c].strip() for j in layout.data)
    }
    if spacing:
        report.add(
            "empty-columns-removed",
            "columns without a name or any value removed",
            len(spacing),
            **where,
        )
    for c, label in enumerate(labels):
        if not label:
            labels[c] = f"column_{c + 1}"

    matrix = _marker_columns(sheet, layout)
    keep = [c for c in range(layout.width) if c not in matrix and c not in spacing]
    # Numeric columns, as the machine-readability rule 1-3 sees them.
    numeric: set[int] = set()
    keep_units: set[int] = set()
    for c in keep:
        values = [rows[j][c] for j in layout.data if c < len(rows[j]) and rows[j][c].strip()]
        if values:
            blob = scan.join(values)
            if scan.count(blob, DECORATED) >= 0.8 * len(values):
                numeric.add(c)
                units = {m.group(1) for v in values if (m := UNIT_SUFFIX.search(v.strip()))}
                if len(units) > 1:
                    # Mixed units: dropping them would change the numbers' meaning.
                    keep_units.add(c)
                    report.warnings.append(
                        f"column '{labels[c]}' mixes units ({', '.join(sorted(units))}); "
                        "they were left in the values — convert them to one unit by hand"
                    )
                elif units:
                    (unit,) = units
                    if unit not in labels[c]:
                        report.add(
                            "unit-moved",
                            f"unit {unit} moved from the values of '{labels[c]}' to its name",
                            **where,
                        )
                        labels[c] = f"{labels[c]}（{unit}）"
    counts = {"spaces": 0, "line-breaks": 0, "full-width": 0, "numbers": 0, "dates": 0}
    fused_label = ""
    if matrix:
        top = rows[layout.header_rows[0]]
        fused_label = next((c.strip() for c in reversed(top) if c.strip()), "text")
    out_header = [labels[c] for c in keep] + ([fused_label] if matrix else [])
    body: list[list[str]] = []
    totals: list[list[str]] = []
    long_rows: list[list[str]] = []
    headers_for = _block_headers(sheet, layout) if matrix else {}
    fused = 0
    for j in layout.data:
        row = rows[j] + [""] * (layout.width - len(rows[j]))
        cells = [normalise_cell(row[c], c in numeric, counts, c not in keep_units) for c in keep]
        if matrix:
            key = cells[0]
            block = headers_for[j]
            groups = _group_labels(block, layout.width)
            texts = []
            for c in matrix:
                m = MARK_CELL.match(row[c])
                if not m:
                    continue
                mark, rest = m.group(1), m.group(2).strip()
                law = groups[c]
                article = " ".join(block[-1][c].split()) if c < len(block[-1]) else ""
                note = ""
                if rest:
                    fused += 1
                    texts.append(rest)
                    note = "mark fused with text in the source; its column is uncertain"
                long_rows.append([key, law, article, mark, str(c + 1), note])
                for inner in re.finditer(rf"[{MARKS}]\s*([^、,\s]+)", rest):
                    long_rows.append(
                        [
                            key,
                            law,
                            article,
                            inner.group(0)[0],
                            str(c + 1),
                            f"a further mark inside the fused text, before '{inner.group(1)}'",
                        ]
                    )
            cleaned = "、".join(t for t in texts)
            cleaned = re.sub(rf"\s*[{MARKS}]\s*", "", cleaned)
            cleaned = re.sub(r"、\s+", "、", cleaned)
            cells.append(cleaned)
        if any(TOTAL.match(cells[k]) for k in range(min(3, len(cells)))):
            totals.append(cells)
        else:
            body.append(cells)
    suffix = f".{sheet.name}" if sheet.name else ""
    main = outdir / f"{stem}{suffix}.csv"
    _write(main, out_header, body)
    report.outputs.append(main.name)
    if totals:
        path = outdir / f"{stem}{suffix}.totals.csv"
        _write(path, out_header, totals)
        report.outputs.append(path.name)
        report.add(
            "totals-separated",
            f"{len(totals)} total row(s) moved to {path.name}",
            len(totals),
            **where,
        )
    for kind, n in counts.items():
        if n:
            message = {
                "spaces": "leading/trailing spaces removed",
                "line-breaks": "line breaks inside cells replaced by spaces",
                "full-width": "full-width digits (and symbols in codes) made half-width",
                "numbers": "numbers normalised (thousands commas, 円, ▲ removed)",
                "dates": "dates normalised (Japanese era → Western year, M/D/Y → ISO 8601)",
            }[kind]
            report.add(kind, message, n, **where)
    if matrix:
        path = outdir / f"{stem}{suffix}.long.csv"
        _write(path, [out_header[0], "group", "item", "mark", "source_column", "note"], long_rows)
        report.outputs.append(path.name)
        report.add(
            "matrix-unpivoted",
            f"{len(matrix)} mark columns unpivoted into {path.name} "
            f"({len(long_rows)} marks); the text fused to marks went to the column "
            f"'{fused_label}'",
            len(long_rows),
            **where,
        )
        legends = sorted(
            {
                m.group(0).strip()
                for h in rows[layout.header_rows[0] : layout.header_rows[-1] + 1]
                for cell in h
                if (m := LEGEND.search(" ".join(cell.split())))
            }
        )
        if legends:
            report.add(
                "mark-legend",
                "legend of the marks, taken out of the group labels: " + " / ".join(legends),
                len(legends),
                **where,
            )
        if fused:
            report.warnings.append(
                f"{fused} mark(s) were fused with text in the source (e.g. '◎' + a ministry "
                "name): the mark was kept in the long table, but the column it belongs to is "
                "uncertain"
            )
        if layout.repeated_headers:
            report.warnings.append(
                "the table's header is repeated with different column positions "
                "(the extraction dropped empty cells unevenly), so the group/item of a mark "
                "follows its cell's position under the header of its own block and may be "
                "shifted; verify the long table against the source"
            )


def _group_labels(block: list[list[str]], width: int) -> list[str]:
    """The group (top header row) of every column of a two-row header block.

    A group label carries right over the columns that have a sub-label. A label standing over
    an empty sub-label is a one-column group (e.g. 府省庁名): sub-labelled columns right of it
    still belong to the last group that had sub-labels, not to it.
    """
    top, sub = block[0], block[-1]
    out: list[str] = []
    multi = single = ""
    for c in range(width):
        t = LEGEND.sub("", " ".join(top[c].split())) if c < len(top) else ""
        s = sub[c].strip() if c < len(sub) else ""
        if t and s:
            multi = t
            out.append(t)
        elif t:
            single = t
            out.append(t)
        elif s:
            out.append(multi or single)
        else:
            out.append("")
    return out


def fix_table(table: DecodedTable, source: Path, outdir: Path) -> Report:
    report = Report(source=table.filename)
    if table.encoding and not table.encoding.startswith("utf-8"):
        report.add("encoding", f"re-encoded from {table.encoding} to UTF-8")
    elif table.bom:
        report.add("encoding", "UTF-8 BOM removed")
    stem = Path(table.filename).stem
    layouts = [detect(sheet) for sheet in table.sheets]
    for index, sheet in enumerate(table.sheets):
        if not any(any(c.strip() for c in r) for r in sheet.rows):
            continue
        if notes_sheet(layouts, index):
            report.add(
                "notes-sheet-skipped",
                f"sheet '{sheet.name}' holds only notes; it has no table to tidy",
                sheet=sheet.name,
            )
            continue
        fix_sheet(sheet, stem, outdir, report)
    return report


def fix_file(path: Path, outdir: Path) -> Report:
    """Write the tidy CSV(s) and fix-report.json / fix-report.md into ``outdir``."""
    path = path.resolve()
    outdir = outdir.resolve()
    if outdir == path or outdir.is_file():
        raise FixError(f"{outdir} is a file; give a directory for the output")
    table = read_table(path)
    stem = Path(table.filename).stem
    outdir.mkdir(parents=True, exist_ok=True)
    planned = {outdir / f"{stem}.csv", outdir / f"{stem}.long.csv", outdir / f"{stem}.totals.csv"}
    if path in planned or path.parent == outdir and path.name.startswith(stem + "."):
        raise FixError(
            f"the output in {outdir} would overwrite the input {path.name}; "
            "choose another directory"
        )
    report = fix_table(table, path, outdir)
    (outdir / "fix-report.json").write_text(
        json.dumps(report.as_dict(), ensure_ascii=False, indent=2) + "\n", "utf-8"
    )
    (outdir / "fix-report.md").write_text(report.markdown(), "utf-8")
    report.outputs += ["fix-report.json", "fix-report.md"]
    return report
