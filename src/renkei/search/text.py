"""Text normalisation shared by indexing and querying, so both sides agree.

NFKC folds full-width forms (ＡＥＤ -> AED, ２０２４ -> 2024, ｶﾅ -> カナ); casefold lowers Latin.
Whitespace runs become one space. Matching is by substring, which finds one- and two-character
Japanese words (駅, 人口) that word-based analysers miss.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import datetime, timedelta

_SPACES = re.compile(r"\s+")


def normalize(text: str | None) -> str:
    if not text:
        return ""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def join_fields(parts: Iterable[str | None]) -> str:
    """One normalised string of all fields, separated so that terms don't run across fields."""
    return " \u241e ".join(p for p in (normalize(x) for x in parts) if p)


EPOCH = datetime(1970, 1, 1)


def micros(moment: datetime) -> int:
    """Naive UTC datetime -> integer microseconds since 1970 (exact, sortable)."""
    delta = moment - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_micros(value: int) -> datetime:
    return EPOCH + timedelta(microseconds=value)
