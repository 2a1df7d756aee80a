"""The q/fq language: what each piece of syntax parses to, and what it refuses."""

from __future__ import annotations

import pytest

from renkei.errors import SearchQueryError
from renkei.search.query import And, MatchAll, Not, Or, Range, Term, parse_query
from renkei.search.text import normalize


@pytest.mark.parametrize("text", [None, "", "   ", "*:*"])
def test_empty_and_match_all(text: str | None) -> None:
    assert parse_query(text) == MatchAll()


def test_words_side_by_side_must_all_match() -> None:
    assert parse_query("人口 避難") == And((Term(None, "人口"), Term(None, "避難")))


def test_fields_phrases_negation_and_or() -> None:
    node = parse_query('tags:economy AND -res_format:PDF OR title:"AED 設置"')
    assert node == Or(
        (
            And((Term("tags", "economy"), Not(Term("res_format", "PDF")))),
            Term("title", "AED 設置", phrase=True),
        )
    )


def test_field_applies_to_a_parenthesised_group() -> None:
    assert parse_query("tags:(駅 OR 川)") == Or((Term("tags", "駅"), Term("tags", "川")))


def test_range() -> None:
    assert parse_query("metadata_modified:{2020-01-01 TO NOW]") == Range(
        "metadata_modified", "2020-01-01", "NOW", include_low=False, include_high=True
    )


def test_urls_are_words_not_fields() -> None:
    assert parse_query("https://example.org/x") == Term(None, "https://example.org/x")


@pytest.mark.parametrize("bad", ["(人口", "人口)", "tags:", "[a TO b]", "x:[a b]"])
def test_malformed_queries_are_refused_with_a_reason(bad: str) -> None:
    with pytest.raises(SearchQueryError) as info:
        parse_query(bad)
    assert info.value.message


def test_normalize_folds_width_and_case() -> None:
    assert normalize("ＡＥＤ　設置場所　２０２４") == "aed 設置場所 2024"
    assert normalize("ｶﾀｶﾅ") == "カタカナ"
