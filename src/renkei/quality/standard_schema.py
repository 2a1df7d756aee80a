"""Conformance to the 自治体標準オープンデータセット column sets, as Frictionless Table Schemas.

The schemas ship in ``schemas/*.json`` in two column generations (see the README there for their
sources): ``<dataset>.legacy`` (都道府県コード又は市区町村コード, NO, 住所, ...) and
``<dataset>.current`` (全国地方公共団体コード, ID, 所在地_連結表記, ...). A file's header is matched
against every schema of both generations to detect which dataset and generation it follows (or
the caller names one); then every column of the schema is scored: present (2 points, 1 when only
a near name is used), type (1), allowed values (1), required values filled (1). Each lost point
is a finding whose fix says what to change. A legacy file also gets, as information, the renames
that bring it to the current generation.
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from renkei.quality import grid as cells
from renkei.quality import schema_migration
from renkei.quality.findings import Finding, Location, Score, Severity
from renkei.quality.layout import Layout, column, detect
from renkei.quality.reading import DecodedTable
from renkei.quality.rules import Collector, band, rule

SCORER = "standard_schema"

RULES = {
    r.id: r
    for r in [
        rule(
            "schema.required-column",
            2,
            "error",
            "Required column present",
            "必須項目の有無",
            "Add the column (with this exact name).",
            "この名前の列を追加してください。",
        ),
        rule(
            "schema.column",
            2,
            "warning",
            "Column present",
            "項目の有無",
            "Add the column (with this exact name), left empty when there is no data.",
            "この名前の列を追加してください（データがなければ空欄で構いません）。",
        ),
        rule(
            "schema.column-name",
            1,
            "warning",
            "Column named as the standard",
            "項目名の表記",
            "Rename the column to the standard's name.",
            "列名を標準の項目名に変更してください。",
        ),
        rule(
            "schema.type",
            1,
            "error",
            "Values of the column's type",
            "値の型",
            "Write values in the standard's type (number: half-width digits; date: "
            "YYYY-MM-DD; time: hh:mm; URL: http(s)://...).",
            "標準の型で記載してください（数値は半角数字、日付は YYYY-MM-DD、時刻は hh:mm、URL は http(s)://）。",
        ),
        rule(
            "schema.enum",
            1,
            "error",
            "Allowed values",
            "許容される値",
            "Use one of the allowed values.",
            "許容される値のいずれかを記載してください。",
        ),
        rule(
            "schema.required-value",
            1,
            "error",
            "Required values filled",
            "必須項目の記入",
            "Fill the required column in every row.",
            "必須項目はすべての行に記入してください。",
        ),
        rule(
            "schema.extra-column",
            0,
            "info",
            "Column outside the standard",
            "標準にない項目",
            "Extra columns are allowed after the standard ones; check the name is not a "
            "variant of a standard column.",
            "標準の項目の後に独自の列を追加できます。標準の項目名の表記ゆれでないか確認してください。",
        ),
        rule(
            "schema.to-current",
            0,
            "info",
            "Column of the legacy generation",
            "旧世代の項目",
            "Rename the column as the current generation of the standard names it "
            "(自治体標準オープンデータセット 正式版).",
            "現行世代（自治体標準オープンデータセット 正式版）の項目名に変更してください。",
        ),
    ]
}

NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
TIME = re.compile(r"\d{1,2}:\d{2}(?::\d{2})?")
URI = re.compile(r"https?://\S+")


@cache
def catalog() -> dict[str, dict]:
    """Every shipped schema by its name ('aed.legacy', ...)."""
    folder = resources.files("renkei.quality").joinpath("schemas")
    out = {}
    for entry in folder.iterdir():
        if entry.name.endswith(".json"):
            schema = json.loads(entry.read_text("utf-8"))
            out[schema["name"]] = schema
    return out


def dataset_of(schema: dict) -> str:
    """'aed' for 'aed.legacy' and 'aed.current'."""
    return schema["name"].split(".")[0]


def generation_of(schema: dict) -> str | None:
    return schema.get("x-generation")


def candidates(name: str) -> list[dict]:
    """The schemas a name stands for, current generation first.

    'aed.current' or 'aed.legacy' name one generation; 'aed' or its Japanese title name both
    (the header then decides, see ``score``); a path names a Table Schema JSON file.
    """
    schemas = catalog()
    if name in schemas:
        return [schemas[name]]
    found = [s for s in schemas.values() if name in (dataset_of(s), s["title"])]
    if found:
        return sorted(found, key=lambda s: (generation_of(s) != "current", s["name"]))
    path = Path(name)
    if path.suffix == ".json" and path.is_file():
        schema = json.loads(path.read_text("utf-8"))
        if not isinstance(schema.get("fields"), list):
            raise ValueError(f"{name} is not a Table Schema (no 'fields' list)")
        schema.setdefault("name", path.stem)
        return [schema]
    known = ", ".join(sorted({dataset_of(s) for s in schemas.values()}))
    raise ValueError(
        f"unknown schema '{name}'; known: {known} (add .current or .legacy to choose a "
        "generation), or a Table Schema .json file"
    )


def resolve(name: str) -> dict:
    """One shipped schema by name ('aed.legacy', 'aed' = its current generation, its Japanese
    title) or a JSON file path."""
    return candidates(name)[0]


#: what a column name may differ by and still be the same name
LABEL_NOISE = re.compile(r"[\s_・\-()（）]")


@lru_cache(maxsize=8192)
def _norm(label: str) -> str:
    text = unicodedata.normalize("NFKC", label).lower()
    return LABEL_NOISE.sub("", text)


def _names(schema: dict) -> frozenset[str]:
    """The schema's column names, normalised. A shipped schema's are computed once per process:
    detecting the schema of a file compares its header with all of them (600 names)."""
    if catalog().get(schema.get("name", "")) is schema:
        return _shipped_names(schema["name"])
    return frozenset(_norm(f["name"]) for f in schema["fields"])


@cache
def _shipped_names(name: str) -> frozenset[str]:
    return frozenset(_norm(f["name"]) for f in catalog()[name]["fields"])


@cache
def _own_columns(name: str) -> frozenset[str]:
    """Columns of a shipped schema that no other dataset's schema (of either generation) has:
    the columns that say which dataset a file is."""
    schemas = catalog()
    mine = schemas[name]
    others = set()
    for schema in schemas.values():
        if dataset_of(schema) != dataset_of(mine):
            others |= _names(schema)
    return frozenset(_names(mine) - others)


def _fit(schema: dict, given: set[str]) -> tuple[float, float]:
    """(share of the schema's columns in the header, Jaccard of schema and header columns).

    The share decides whether a schema applies at all; the Jaccard index ranks them, so a
    header is not claimed by the generation it merely overlaps (the Nanao file has 62% of the
    legacy 指定緊急避難場所 columns but all of its own columns are current ones)."""
    names = _names(schema)
    matched = len(names & given)
    union = len(names | given)
    return matched / len(names), (matched / union if union else 0.0)


def _detectable(schema: dict, given: set[str]) -> bool:
    """A schema may claim a header only when the header has one of the dataset's own columns.
    A current schema that ships only the shared columns (``x-partial`` with no own column) is
    never detected, only named: it would claim any current-generation file."""
    own = _own_columns(schema["name"])
    if own:
        return bool(own & given)
    return not schema.get("x-partial")


def detect_schema(labels: list[str]) -> tuple[dict, float] | None:
    """The shipped schema (dataset and generation) the header follows best, with the share of
    its columns found; None when no schema has at least half of its columns in the header."""
    given = {_norm(x) for x in labels if x.strip()}
    best: tuple[float, float, dict] | None = None
    for schema in catalog().values():
        share, jaccard = _fit(schema, given)
        if share < 0.5 or not _detectable(schema, given):
            continue
        if best is None or (jaccard, share) > best[:2]:
            best = (jaccard, share, schema)
    return (best[2], best[1]) if best else None


def _pick(named: list[dict], labels: list[str]) -> dict:
    """Of the generations a name stands for, the one the header follows best (current on a
    tie, e.g. an empty header)."""
    given = {_norm(x) for x in labels if x.strip()}
    return max(named, key=lambda s: _fit(s, given)[1]) if len(named) > 1 else named[0]


#: per type, an RE2 pattern whose matches certainly pass ``_type_ok`` (ASCII digits, no
#: spaces); Python judges the other cells, so its Unicode ``\d`` keeps the last word
SURE = {
    "number": r"^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$",
    "date": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
    "time": r"^[0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?$",
    "uri": r"^https?://[!-~]+$",
}


def _kind(field: dict) -> str | None:
    """The type ``_type_ok`` checks for the field (None: any text goes)."""
    kind = field.get("type", "string")
    if kind in ("number", "integer"):
        return "number"
    if kind in ("date", "time"):
        return kind
    if field.get("format") == "uri":
        return "uri"
    return None


def _type_errors(field: dict, values: pa.Array, filled: np.ndarray) -> np.ndarray:
    """Mask of the filled cells (already stripped) that are not of the field's type."""
    kind = _kind(field)
    if kind is None:
        return np.zeros(len(values), dtype=bool)
    sure = pc.match_substring_regex(values, SURE[kind]).to_numpy(zero_copy_only=False)
    unsure = np.flatnonzero(filled & ~sure)
    bad = np.zeros(len(values), dtype=bool)
    for i, value in zip(unsure.tolist(), cells.texts(values, unsure), strict=True):
        bad[i] = not _type_ok(field, value)
    return bad


def _type_ok(field: dict, value: str) -> bool:
    kind = field.get("type", "string")
    if kind in ("number", "integer"):
        return bool(NUMBER.fullmatch(value))
    if kind == "date":
        return bool(DATE.fullmatch(value))
    if kind == "time":
        return bool(TIME.fullmatch(value))
    if field.get("format") == "uri":
        return bool(URI.fullmatch(value))
    return True


def _cell(sheet, layout: Layout, i: int, c: int, name: str) -> Location:
    return Location(sheet=sheet.name, row=layout.data[i] + 1, column=c + 1, column_name=name)


def score_layout(table: DecodedTable, layout: Layout, sheet_index: int, schema: dict) -> Score:
    sheet = table.sheets[sheet_index]
    out = Collector(SCORER, RULES)
    labels = layout.labels
    by_exact = {label.strip(): c for c, label in enumerate(labels) if label.strip()}
    by_norm = {_norm(label): c for c, label in enumerate(labels) if label.strip()}
    header_row = layout.header_rows[0] + 1 if layout.header_rows else None
    points = 0.0
    max_points = 0.0
    used: set[int] = set()
    for field in schema["fields"]:
        name = field["name"]
        constraints = field.get("constraints", {})
        required = bool(constraints.get("required"))
        max_points += 5
        c = by_exact.get(name)
        if c is None:
            c = by_norm.get(_norm(name))
            if c is None:
                rule_id = "schema.required-column" if required else "schema.column"
                out.add(
                    rule_id,
                    f"column '{name}' is missing",
                    f"項目「{name}」がない",
                    Location(sheet=sheet.name, column_name=name),
                )
                continue
            out.add(
                "schema.column-name",
                f"column '{labels[c]}' should be named '{name}'",
                f"列名「{labels[c]}」は「{name}」にしてください",
                Location(sheet=sheet.name, row=header_row, column=c + 1, column_name=labels[c]),
            )
            points += 1
        else:
            points += 2
        used.add(c)
        raw_values = column(sheet, layout, c)
        bad_type = bad_enum = empty = 0
        allowed = set(constraints.get("enum", []))
        # Whole-column tests first; the cells are looked at only when one says something is
        # wrong (a cell whose stripped text breaks the type, the enum, or required).
        values = cells.strip(raw_values)
        filled = cells.nonempty(values)
        type_bad = _type_errors(field, values, filled)
        enum_bad = np.zeros(len(values), dtype=bool)
        if allowed:
            listed = pc.is_in(values, value_set=pa.array(sorted(allowed), pa.string()))
            enum_bad = filled & ~listed.to_numpy(zero_copy_only=False)
        missing = ~filled if required else np.zeros(len(values), dtype=bool)
        flagged = np.flatnonzero(type_bad | enum_bad | missing)
        for i, value in zip(flagged.tolist(), cells.texts(values, flagged), strict=True):
            if missing[i]:
                empty += 1
                out.add(
                    "schema.required-value",
                    f"required '{name}' is empty",
                    f"必須項目「{name}」が空",
                    _cell(sheet, layout, i, c, name),
                )
                continue
            if type_bad[i]:
                bad_type += 1
                kind = field.get("format") or field["type"]
                out.add(
                    "schema.type",
                    f"'{value[:30]}' is not a {kind}",
                    f"「{value[:30]}」は {kind} ではない",
                    _cell(sheet, layout, i, c, name),
                )
            if enum_bad[i]:
                bad_enum += 1
                out.add(
                    "schema.enum",
                    f"'{value[:30]}' is not one of {sorted(allowed)}",
                    f"「{value[:30]}」は許容値 {sorted(allowed)} にない",
                    _cell(sheet, layout, i, c, name),
                )
        points += (0 if bad_type else 1) + (0 if bad_enum else 1) + (0 if empty else 1)
    for c, label in enumerate(labels):
        if c not in used and label.strip() and not (c == 0 and layout.property_header):
            out.add(
                "schema.extra-column",
                f"column '{label}' is not in {schema['title']}",
                f"列「{label}」は{schema['title']}の項目にない",
                Location(sheet=sheet.name, row=header_row, column=c + 1, column_name=label),
            )
    _to_current(out, schema, labels, sheet.name, header_row)
    result = out.score()
    result.points = points
    result.max_points = max_points
    result.band = band(points, max_points)
    return result


def _to_current(
    out: Collector, schema: dict, labels: list[str], sheet: str | None, header_row: int | None
) -> None:
    """For a legacy file: the renames to the current generation of the same dataset."""
    if generation_of(schema) != "legacy":
        return
    current = catalog().get(f"{dataset_of(schema)}.current")
    if current is None:
        return
    columns_at = {label.strip(): c for c, label in enumerate(labels)}
    for olds, new in schema_migration.advice(labels, current):
        old = " + ".join(f"'{x}'" for x in olds)
        old_ja = "＋".join(f"「{x}」" for x in olds)
        verb, verb_ja = ("merge", "まとめて") if len(olds) > 1 else ("rename", "")
        c = columns_at[olds[0]]
        out.add(
            "schema.to-current",
            f"current generation ({current['name']}): {verb} {old} to '{new}'",
            f"現行世代（{current['name']}）では{old_ja}を{verb_ja}「{new}」にする",
            Location(sheet=sheet, row=header_row, column=c + 1, column_name=olds[0]),
        )


def score(
    table: DecodedTable, layouts: list[Layout] | None = None, schema: str | None = None
) -> Score | None:
    """Score against ``schema`` (a name or file), or the detected one; None when none applies."""
    layouts = layouts or [detect(s) for s in table.sheets]
    named = candidates(schema) if schema else None
    best: tuple[int, dict, float] | None = None
    for index, layout in enumerate(layouts):
        if named is not None:
            best = (index, _pick(named, layout.labels), 1.0)
            break
        found = detect_schema(layout.labels)
        if found and (best is None or found[1] > best[2]):
            best = (index, found[0], found[1])
    if best is None:
        return None
    index, picked, share = best
    result = score_layout(table, layouts[index], index, picked)
    how = "named" if named is not None else f"detected, {share:.0%} of its columns found"
    how_ja = "指定" if named is not None else f"自動判定、項目の{share:.0%}が一致"
    generation = generation_of(picked)
    gen = f"{generation} generation; " if generation else ""
    gen_ja = {"current": "現行世代、", "legacy": "旧世代、"}.get(generation or "", "")
    # The first finding says which standard was applied (the scorer name stays fixed).
    result.findings.insert(
        0,
        Finding(
            rule="schema.applied",
            severity=Severity.info,
            location=Location(sheet=table.sheets[index].name),
            message=f"checked against {picked['title']} ({picked['name']}; {gen}{how})",
            message_ja=f"{picked['title']}（{picked['name']}、{gen_ja}{how_ja}）として確認",
        ),
    )
    return result


def applied_schema(score: Score) -> str | None:
    """The name of the schema a standard_schema Score was computed against."""
    first = score.findings[0] if score.findings else None
    if first is None or first.rule != "schema.applied":
        return None
    return first.message.split("(", 1)[1].split(";", 1)[0]
