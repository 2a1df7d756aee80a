"""Text normalisation shared by indexing and querying, so both sides agree.

- NFKC folds full-width forms (ＡＥＤ -> AED, ２０２４ -> 2024, ｶﾅ -> カナ); casefold lowers Latin.
- The prolonged sound mark ending a katakana word is dropped (コンピューター = コンピュータ,
  サーバー = サーバ: both spellings are in official use), and a hyphen written after katakana
  is read as that mark (ユーザ-最適型 = ユーザー最適型).
- Whitespace runs become one space.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import datetime, timedelta

_SPACES = re.compile(r"\s+")
_KATAKANA = "\u30a1-\u30fa\u30fd-\u30ff"
_HYPHEN_AFTER_KANA = re.compile(f"(?<=[{_KATAKANA}ー])[-‐‑–—−]")
_FINAL_LONG_MARK = re.compile(f"(?<=[{_KATAKANA}])ー+(?![{_KATAKANA}ー])")
_HAS_HYPHEN = re.compile("[-‐‑–—−]")
_SCRIPT_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[^\x00-\x7f\s])|(?<=[^\x00-\x7f\s])(?=[a-z0-9])")


def normalize(text: str | None) -> str:
    if not text:
        return ""
    folded = unicodedata.normalize("NFKC", text).casefold()
    # The regular expressions only run when their marks occur: indexing 1.5 million datasets
    # calls this tens of millions of times.
    if "ー" in folded or (not folded.isascii() and _HAS_HYPHEN.search(folded)):
        folded = _FINAL_LONG_MARK.sub("", _HYPHEN_AFTER_KANA.sub("ー", folded))
    return " ".join(folded.split())


def split_scripts(term: str) -> list[str]:
    """Split a normalised term where Latin letters meet another script: "jr駅" -> ["jr", "駅"].

    Users run words together across scripts (JR駅, AED設置, CSV人口) that the text keeps apart
    (JR高松駅, AED の設置); each part must match, not the run-together string.
    """
    return [part for part in _SCRIPT_BOUNDARY.sub(" ", term).split(" ") if part]


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


_NON_LATIN_RUN = re.compile(r"[^\x00-\x7f\s]+")


def cjk_runs(text: str) -> list[str]:
    """The runs of non-Latin characters (kanji, kana, ...) in normalised text."""
    return _NON_LATIN_RUN.findall(text)


def unigram_text(runs: list[str]) -> str:
    """Each character of the runs, space-separated (for one-character queries such as 駅)."""
    return " ".join(" ".join(run) for run in runs)


#: Between the bigrams of two runs: two tokens that are never a bigram (runs hold no ASCII).
#: They keep the runs' positions apart by a character, so that a query phrase pinned on every
#: other bigram (tantivy_query) can't match across a gap: 電話 新番号 does not hold 電話番号.
RUN_GAP = " | | "


def bigram_text(runs: list[str]) -> str:
    """Overlapping character bigrams of each run, space-separated, in order: 避難場所 ->
    "避難 難場 場所". Indexed with positions, a phrase of a query's bigrams then matches exactly
    where the query's characters stand together."""
    return RUN_GAP.join(
        " ".join(run[i : i + 2] for i in range(len(run) - 1)) for run in runs if len(run) > 1
    )
