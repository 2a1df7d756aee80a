"""Phrase proximity (tantivy): among datasets matching every word of a query, those where the
words stand together rank first; the clause never changes what matches."""

from __future__ import annotations

from typing import Any

import pytest

from renkei.search import tantivy_query


@pytest.mark.parametrize(
    ("q", "near_notes", "far_notes"),
    [
        (
            "tokyo population",
            "Tokyo population by ward, counted every year by the statistics office of the city",
            "Tokyo: wards, towns, villages and their population",
        ),
        (
            "避難 場所",
            "市内の避難場所を掲載しています。更新は毎年行います。",
            "避難の案内と集合場所",
        ),
    ],
)
def test_words_standing_together_rank_first(
    api: Any, make_user: Any, monkeypatch: pytest.MonkeyPatch, q: str, near_notes: str,
    far_notes: str,
) -> None:  # fmt: skip
    admin = make_user("root", sysadmin=True).token
    api.ok("organization_create", admin, name="city")
    # "far" first: it wins ties (the earlier document), so only the clause can put "near" first.
    for name, notes in (("far", far_notes), ("near", near_notes)):
        api.ok("package_create", admin, name=name, owner_org="city", title="Statistics",
               notes=notes, license_id="cc-by-4.0")  # fmt: skip

    def ranking() -> list[str]:
        return [r["name"] for r in api.ok("package_search", q=q)["results"]]

    assert ranking() == ["near", "far"]
    # Without the proximity clause "far" comes first (shorter text, or the tie): the order above
    # is the clause's doing, and it never drops the scattered match.
    monkeypatch.setattr(tantivy_query, "PROXIMITY_WEIGHTS", ())
    assert ranking() == ["far", "near"]


def test_proximity_applies_only_to_plain_words() -> None:
    from renkei.search.query import parse_query
    from renkei.search.tantivy_backend import build_schema, english_analyzer

    builder = tantivy_query.QueryBuilder(build_schema(), english_analyzer())
    assert builder.proximity(parse_query("tokyo population")) is not None
    assert builder.proximity(parse_query("避難 場所")) is not None
    for q in ("tokyo", '"tokyo population"', "tokyo OR population", "title:tokyo population",
              "pop* tokyo", "駅 川"):  # fmt: skip
        assert builder.proximity(parse_query(q)) is None, q
