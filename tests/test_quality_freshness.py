"""Freshness against the declared update frequency (EU codes, Dublin Core, Japanese words)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from renkei.quality.findings import Severity
from renkei.quality.freshness import frequency_code, last_update, score_freshness

NOW = datetime(2026, 11, 28, 12, 0)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("毎月", "MONTHLY"),
        ("毎日", "DAILY"),
        ("毎週", "WEEKLY"),
        ("四半期", "QUARTERLY"),
        ("毎年", "ANNUAL"),
        ("年１回", "ANNUAL"),
        ("随時", "AS_NEEDED"),
        ("不定期", "IRREG"),
        ("MONTHLY", "MONTHLY"),
        ("monthly", "MONTHLY"),
        ("http://publications.europa.eu/resource/authority/frequency/ANNUAL", "ANNUAL"),
        ("http://purl.org/cld/freq/quarterly", "QUARTERLY"),
        ("Yearly", "ANNUAL"),
        ("そのうち", None),
        ("", None),
        (None, None),
    ],
)
def test_frequency_words(value: str | None, code: str | None) -> None:
    assert frequency_code(value) == code


def dataset(frequency: str | None, modified: str, *resource_dates: str | None) -> dict[str, Any]:
    return {
        "metadata_modified": modified,
        "extras": [{"key": "frequency", "value": frequency}] if frequency else [],
        "resources": [{"id": f"r{i}", "last_modified": d} for i, d in enumerate(resource_dates)],
    }


def test_fresh_within_the_period_and_its_grace() -> None:
    # Monthly: 31 days plus a quarter period of grace (7.75 days) since the last update.
    score = score_freshness(dataset("毎月", "2026-10-25T00:00:00"), NOW)
    assert (score.points, score.max_points, score.band, score.findings) == (100, 100, "fresh", [])


def test_late_during_the_next_period() -> None:
    score = score_freshness(dataset("毎月", "2026-10-01T00:00:00"), NOW)
    assert (score.points, score.band) == (50, "late")
    finding = score.findings[0]
    assert finding.rule == "freshness.late" and finding.severity is Severity.warning
    assert "58 days" in finding.message and "58 日前" in finding.message_ja
    assert finding.points_lost == 50


def test_stale_after_that() -> None:
    score = score_freshness(dataset("MONTHLY", "2026-06-01T00:00:00"), NOW)
    assert (score.points, score.band) == (0, "stale")
    assert score.findings[0].rule == "freshness.stale"


def test_the_resources_last_modified_is_the_last_update() -> None:
    # Metadata edited yesterday, but the data itself is a year old: stale.
    data = dataset("毎月", "2026-11-27T00:00:00", "2025-11-01T00:00:00", None)
    assert last_update(data) == datetime(2025, 11, 1)
    assert score_freshness(data, NOW).band == "stale"


def test_irregular_updates_are_not_scored() -> None:
    for word in ("随時", "不定期"):
        score = score_freshness(dataset(word, "2020-01-01T00:00:00"), NOW)
        assert (score.max_points, score.band, score.findings) == (0, "not-scheduled", [])


def test_no_frequency_is_not_scored_and_says_so() -> None:
    score = score_freshness(dataset(None, "2020-01-01T00:00:00"), NOW)
    assert score.max_points == 0 and score.band == "unknown"
    assert score.findings[0].rule == "freshness.frequency"
    assert score.findings[0].severity is Severity.info


def test_an_unknown_frequency_word_is_a_warning() -> None:
    score = score_freshness(dataset("そのうち", "2020-01-01T00:00:00"), NOW)
    assert score.findings[0].severity is Severity.warning
    assert "そのうち" in score.findings[0].message
