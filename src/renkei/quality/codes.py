"""全国地方公共団体コード (local government codes): check digit, lost zeros, names.

A code is 5 digits (2 for the prefecture, 3 for the municipality) plus a check digit: weights
6, 5, 4, 3, 2 on the five digits, check = last digit of 11 - (sum mod 11). Codes exported
through a spreadsheet lose their leading zero (01100 -> 1100) or become floats (13101.0).
The first two digits name the prefecture (JIS X 0401, shipped in data/prefectures.json); the
whole code names a municipality (総務省's code list, shipped in data/municipalities.json with its
source and date), and name columns in the same row must agree with both.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from renkei.quality.findings import Location, Score
from renkei.quality.grid import texts
from renkei.quality.layout import Layout, column, detect
from renkei.quality.reading import DecodedTable, Sheet
from renkei.quality.rules import Collector, rule

SCORER = "codes"

RULES = {
    r.id: r
    for r in [
        rule(
            "codes.check-digit",
            20,
            "error",
            "Check digit",
            "検査数字",
            "Correct the code; the 6th digit must equal the check digit of the first five.",
            "コードを修正してください（6桁目は前5桁から計算した検査数字です）。",
        ),
        rule(
            "codes.leading-zero",
            20,
            "error",
            "Leading zero lost",
            "先頭の0の欠落",
            "Store codes as text with all their digits (01100, not 1100 or 1100.0).",
            "コードは先頭の0を含めて文字列として記載してください（1100 ではなく 01100）。",
        ),
        rule(
            "codes.prefecture",
            20,
            "error",
            "Prefecture code exists",
            "都道府県コードの範囲",
            "The first two digits must be a prefecture code from 01 to 47.",
            "先頭2桁は 01〜47 の都道府県コードです。",
        ),
        rule(
            "codes.prefecture-name",
            20,
            "error",
            "Prefecture name matches the code",
            "都道府県名とコードの一致",
            "Make the prefecture name and the code agree.",
            "都道府県名とコードを一致させてください。",
        ),
        rule(
            "codes.municipality-name",
            10,
            "warning",
            "Municipality name matches the code",
            "市区町村名とコードの一致",
            "Make the municipality name and the code agree (a merged or renamed municipality "
            "has a new code).",
            "市区町村名とコードを一致させてください（合併・名称変更した団体は新しいコードです）。",
        ),
        rule(
            "codes.column-kind",
            10,
            "warning",
            "Column holds the kind of code its name says",
            "列名と内容のコードの種類の一致",
            "Put prefecture codes in the prefecture-code column and municipality codes in a "
            "column named for them.",
            "都道府県コードの列には都道府県コードを、市区町村コードは別の列に記載してください。",
        ),
    ]
}

CODE_LABEL = re.compile(
    r"全国地方公共団体コード|地方公共団体コード|団体コード|市区町村コード|都道府県コード|"
    r"prefcode|citycode|lgcode|localgovernmentcode",
    re.IGNORECASE,
)
PREF_CODE_LABEL = re.compile(r"^(?:都道府県コード|prefcode)$", re.IGNORECASE)
PREF_NAME_LABEL = re.compile(r"都道府県(?:名)?$|prefname|prefecture", re.IGNORECASE)
CITY_NAME_LABEL = re.compile(r"市区町村(?:名)?$|市町村名$|cityname|^city$", re.IGNORECASE)
FLOAT_CODE = re.compile(r"^(\d+)\.0+$")


@cache
def municipalities() -> dict[str, str]:
    """6-digit code -> name of every city, town, village and Tokyo special ward (総務省 list,
    see data/municipalities.json for the source and its date; wards of designated cities are
    not in it, so their codes are simply not name-checked)."""
    data = resources.files("renkei.quality").joinpath("data/municipalities.json")
    return json.loads(data.read_text("utf-8"))["municipalities"]


@cache
def prefectures() -> dict[str, str]:
    data = resources.files("renkei.quality").joinpath("data/prefectures.json").read_text("utf-8")
    return json.loads(data)["prefectures"]


def check_digit(five: str) -> int:
    """The check digit of a 5-digit code (weights 6,5,4,3,2; last digit of 11 - sum mod 11)."""
    total = sum(int(d) * w for d, w in zip(five, (6, 5, 4, 3, 2), strict=True))
    return (11 - total % 11) % 10


def valid(code: str) -> bool:
    return len(code) == 6 and code.isdigit() and check_digit(code[:5]) == int(code[5])


def problems(value: str, *, prefecture_column: bool = False) -> list[tuple[str, str, str]]:
    """(rule id, message, message_ja) for one code value; empty when it is fine."""
    text = value.strip()
    if not text:
        return []
    out: list[tuple[str, str, str]] = []
    m = FLOAT_CODE.match(text)
    if m:
        out.append(
            (
                "codes.leading-zero",
                f"code written as a number: '{text}'",
                f"数値として記載されたコード: 「{text}」",
            )
        )
        text = m.group(1)
    if not text.isdigit():
        return out
    if prefecture_column and len(text) in (1, 2):
        if len(text) == 1:
            out.append(
                (
                    "codes.leading-zero",
                    f"prefecture code '{text}' lost its leading zero",
                    f"都道府県コード「{text}」の先頭の0が欠落",
                )
            )
            text = text.zfill(2)
        if text not in prefectures():
            out.append(
                (
                    "codes.prefecture",
                    f"'{text}' is not a prefecture code",
                    f"「{text}」は都道府県コードではない",
                )
            )
        return out
    if len(text) in (4, 5) and (len(text) == 4 or text[:2] not in prefectures()):
        padded = text.zfill(len(text) + 1)
        if padded[:2] in prefectures() and (len(padded) == 5 or valid(padded)):
            out.append(
                (
                    "codes.leading-zero",
                    f"code '{text}' lost its leading zero (probably {padded})",
                    f"コード「{text}」の先頭の0が欠落（{padded}）",
                )
            )
            return out
    if len(text) not in (5, 6):
        out.append(
            (
                "codes.check-digit",
                f"'{text}' has {len(text)} digits; a local government "
                "code has 5, or 6 with the check digit",
                f"「{text}」は{len(text)}桁（団体コードは5桁、検査数字付きで6桁）",
            )
        )
        return out
    if text[:2] not in prefectures():
        out.append(
            (
                "codes.prefecture",
                f"'{text}' starts with {text[:2]}, not a prefecture code",
                f"「{text}」の先頭2桁 {text[:2]} は都道府県コードではない",
            )
        )
    if len(text) == 6 and not valid(text):
        out.append(
            (
                "codes.check-digit",
                f"'{text}': the check digit should be {check_digit(text[:5])}",
                f"「{text}」の検査数字は {check_digit(text[:5])}",
            )
        )
    if prefecture_column and text[2:5] != "000":
        out.append(
            (
                "codes.column-kind",
                f"'{text}' is a municipality code in a prefecture-code column",
                f"都道府県コードの列に市区町村コード「{text}」",
            )
        )
    return out


def check_sheet(sheet: Sheet, out: Collector, layout: Layout | None = None) -> None:
    layout = layout or detect(sheet)
    labels = layout.labels
    code_cols = [c for c, label in enumerate(labels) if CODE_LABEL.search(label.replace("_", ""))]
    pref_cols = [c for c, label in enumerate(labels) if PREF_NAME_LABEL.search(label)]
    city_cols = [c for c, label in enumerate(labels) if CITY_NAME_LABEL.search(label)]
    if not code_cols:
        return
    for rule_id in RULES:
        out.check(rule_id)
    for c in code_cols:
        label = labels[c]
        codes = column(sheet, layout, c)
        pref_col = bool(PREF_CODE_LABEL.match(label.strip()))
        # Judge each distinct code once; report the rows holding the codes that have problems.
        bad = {
            v: found
            for v in pc.unique(codes).to_pylist()
            if (found := problems(v, prefecture_column=pref_col))
        }
        if bad:
            index = _rows_in(codes, list(bad))
            for i, value in zip(index.tolist(), texts(codes, index), strict=True):
                for rule_id, message, message_ja in bad[value]:
                    out.add(
                        rule_id,
                        message,
                        message_ja,
                        Location(
                            sheet=sheet.name,
                            row=layout.data[i] + 1,
                            column=c + 1,
                            column_name=label,
                        ),
                    )
        for n in pref_cols:
            _check_names(out, sheet, layout, (c, n), bad, _prefecture_of, "prefecture")
        for n in city_cols:
            _check_names(out, sheet, layout, (c, n), bad, _municipality_of, "municipality")


def _rows_in(values: pa.Array, wanted: list[str]) -> np.ndarray:
    """Indices of the cells equal to one of ``wanted``."""
    hit = pc.is_in(values, value_set=pa.array(wanted, pa.string()))
    return np.flatnonzero(hit.to_numpy(zero_copy_only=False))


#: joins a code and a name into one key (a character no cell holds)
PAIR_SEP = "\x00"


def _prefecture_of(code: str) -> str | None:
    return prefectures().get(code[:2]) if len(code) >= 2 else None


def _municipality_of(code: str) -> str | None:
    if len(code) == 5:
        code += str(check_digit(code))
    return municipalities().get(code) if len(code) == 6 else None


def _check_names(
    out: Collector,
    sheet: Sheet,
    layout: Layout,
    pair: tuple[int, int],
    bad: dict,
    expected_of,
    kind: str,
) -> None:
    """Rows whose name column disagrees with the name the code stands for. A name may carry a
    prefix (香川県高松市, 綾歌郡綾川町) as long as it ends with the listed name."""
    c, n = pair
    labels = layout.labels
    keys = pc.binary_join_element_wise(column(sheet, layout, c), column(sheet, layout, n), PAIR_SEP)
    wrong: dict[str, str] = {}
    for key in pc.unique(keys).to_pylist():
        code_value, given_value = key.split(PAIR_SEP, 1)
        code, given = code_value.strip(), given_value.strip()
        if code_value in bad or not code.isdigit() or not given:
            continue
        expected = expected_of(code)
        if expected and not given.endswith(expected):
            wrong[key] = expected
    if not wrong:
        return
    rule_id = f"codes.{kind}-name"
    kind_ja = "都道府県名" if kind == "prefecture" else "市区町村名"
    index = _rows_in(keys, list(wrong))
    for i, key in zip(index.tolist(), texts(keys, index), strict=True):
        expected = wrong[key]
        code_value, given_value = key.split(PAIR_SEP, 1)
        code, given = code_value.strip(), given_value.strip()
        out.add(
            rule_id,
            f"code {code} is {expected}, the row says '{given}'",
            f"コード {code} は{expected}、行の{kind_ja}は「{given}」",
            Location(sheet=sheet.name, row=layout.data[i] + 1, column=n + 1, column_name=labels[n]),
        )


def score(table: DecodedTable, layouts: list[Layout] | None = None) -> Score:
    out = Collector(SCORER, RULES)
    for index, sheet in enumerate(table.sheets):
        check_sheet(sheet, out, layouts[index] if layouts else None)
    return out.score()
