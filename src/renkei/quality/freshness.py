"""Freshness: was the data updated as often as its metadata promises?

The promise is the ``frequency`` extra: a code or URI of the EU frequency authority table
(DAILY, WEEKLY, MONTHLY, QUARTERLY, ANNUAL, ...; what DCAT-AP's ``dct:accrualPeriodicity``
takes), a Dublin Core collection frequency (``http://purl.org/cld/freq/monthly``), an English
word, or the Japanese 更新頻度 words (毎日, 毎週, 毎月, 四半期, 半年, 毎年, 随時, 不定期).

The last update is the latest ``last_modified`` of the resources (set when a file is uploaded,
or given by the publisher); without one, the dataset's ``metadata_modified``. A dataset is
*fresh* until one period plus a grace of a quarter period has passed since the last update
(a monthly dataset has about a week's grace), *late* during the following period, and
*stale* after that. Irregular or as-needed updates cannot be late: they are not scored.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from renkei.quality.findings import Finding, Location, Score, Severity
from renkei.search.extent import parse_moment

MAX_POINTS = 100
GRACE = 0.25

# Period in days; None: a frequency with no deadline (irregular, as needed, never, continuous
# streams that Renkei doesn't measure).
_PERIODS: dict[str, float | None] = {
    "HOURLY": 1 / 24,
    "DAILY": 1,
    "WEEKLY": 7,
    "BIWEEKLY": 14,
    "MONTHLY": 31,
    "BIMONTHLY": 62,
    "QUARTERLY": 92,
    "ANNUAL_2": 183,
    "ANNUAL": 366,
    "BIENNIAL": 731,
    "TRIENNIAL": 1096,
    "IRREG": None,
    "AS_NEEDED": None,
    "NEVER": None,
    "UNKNOWN": None,
    "CONT": None,
    "UPDATE_CONT": None,
    "OTHER": None,
}

_WORDS: dict[str, str] = {
    # English and the Dublin Core collection frequencies
    "hourly": "HOURLY",
    "daily": "DAILY",
    "weekly": "WEEKLY",
    "biweekly": "BIWEEKLY",
    "fortnightly": "BIWEEKLY",
    "monthly": "MONTHLY",
    "bimonthly": "BIMONTHLY",
    "quarterly": "QUARTERLY",
    "semiannual": "ANNUAL_2",
    "semi-annual": "ANNUAL_2",
    "annual": "ANNUAL",
    "annually": "ANNUAL",
    "yearly": "ANNUAL",
    "biennial": "BIENNIAL",
    "triennial": "TRIENNIAL",
    "irregular": "IRREG",
    "as needed": "AS_NEEDED",
    "continuous": "CONT",
    "never": "NEVER",
    # 更新頻度 as Japanese portals write it
    "毎時": "HOURLY",
    "毎日": "DAILY",
    "日次": "DAILY",
    "毎週": "WEEKLY",
    "週次": "WEEKLY",
    "隔週": "BIWEEKLY",
    "毎月": "MONTHLY",
    "月次": "MONTHLY",
    "月1回": "MONTHLY",
    "隔月": "BIMONTHLY",
    "四半期": "QUARTERLY",
    "四半期ごと": "QUARTERLY",
    "四半期毎": "QUARTERLY",
    "半年": "ANNUAL_2",
    "半期": "ANNUAL_2",
    "半年ごと": "ANNUAL_2",
    "毎年": "ANNUAL",
    "年次": "ANNUAL",
    "年1回": "ANNUAL",
    "年度": "ANNUAL",
    "毎年度": "ANNUAL",
    "随時": "AS_NEEDED",
    "不定期": "IRREG",
    "更新なし": "NEVER",
    "なし": "NEVER",
}


def frequency_code(value: str | None) -> str | None:
    """The EU frequency code ``value`` names, or None when it names none."""
    if not value or not value.strip():
        return None
    text = value.strip()
    tail = text.rstrip("/").rsplit("/", 1)[-1] if "://" in text else text
    if tail.upper() in _PERIODS:
        return tail.upper()
    compact = tail.replace("　", "").replace(" ", "") if not tail.isascii() else tail
    compact = compact.translate(str.maketrans("１２３４５６７８９０", "1234567890"))
    return _WORDS.get(compact.casefold()) or _WORDS.get(compact)


def last_update(dataset: Mapping[str, Any]) -> datetime | None:
    stamps = [parse_moment(r.get("last_modified")) for r in dataset.get("resources") or []]
    known = [s for s in stamps if s]
    if known:
        return max(known)
    return parse_moment(dataset.get("metadata_modified"))


def score_freshness(dataset: Mapping[str, Any], now: datetime) -> Score:
    """100 when fresh, 50 when late, 0 when stale; max 0 (not scored) without a deadline."""
    extras = {e["key"]: e["value"] for e in dataset.get("extras") or []}
    raw = extras.get("frequency") or extras.get("accrual_periodicity")
    code = frequency_code(raw)
    loc = Location(field="frequency")
    if code is None:
        unknown = bool(raw and raw.strip())
        return Score(
            scorer="freshness",
            points=0,
            max_points=0,
            band="unknown",
            findings=[
                Finding(
                    rule="freshness.frequency",
                    severity=Severity.warning if unknown else Severity.info,
                    location=loc,
                    message=(
                        f"The update frequency '{raw}' is not one Renkei knows."
                        if unknown
                        else "No update frequency: freshness cannot be judged."
                    ),
                    message_ja=(
                        f"更新頻度「{raw}」を解釈できません。"
                        if unknown
                        else "更新頻度がないため、鮮度を判定できません。"
                    ),
                    fix="Set the 'frequency' extra, e.g. 毎月 or MONTHLY.",
                    fix_ja="frequency 項目に「毎月」や MONTHLY などを設定してください。",
                )
            ],
        )
    period = _PERIODS[code]
    if period is None:
        return Score(scorer="freshness", points=0, max_points=0, band="not-scheduled")
    updated = last_update(dataset)
    if updated is None:
        return Score(scorer="freshness", points=0, max_points=0, band="unknown")
    interval = timedelta(days=period)
    due = updated + interval + interval * GRACE
    if now <= due:
        return Score(scorer="freshness", points=MAX_POINTS, max_points=MAX_POINTS, band="fresh")
    late = now <= due + interval
    days = (now - updated).days
    return Score(
        scorer="freshness",
        points=MAX_POINTS / 2 if late else 0,
        max_points=MAX_POINTS,
        band="late" if late else "stale",
        findings=[
            Finding(
                rule="freshness.late" if late else "freshness.stale",
                severity=Severity.warning,
                location=Location(field="frequency"),
                message=(
                    f"Promised {code.lower()} updates, but the last update was {days} days ago "
                    f"({updated.date().isoformat()})."
                ),
                message_ja=(
                    f"更新頻度は {raw} ですが、最終更新は {days} 日前"
                    f"（{updated.date().isoformat()}）です。"
                ),
                fix="Upload the current data, or correct the update frequency.",
                fix_ja="最新のデータを登録するか、更新頻度を修正してください。",
                points_lost=MAX_POINTS / 2 if late else MAX_POINTS,
            )
        ],
    )
