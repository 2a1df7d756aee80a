"""The query syntax tree (``renkei.search.query``) as a tantivy query.

Each free-text term must match in at least one text field: its Japanese runs as adjacent
character bigrams (a phrase over the ``*_bi`` fields) or one character, its Latin words as words
(with light stemming); fields carry weights so that a
match in a title ranks above one in a description. Filters (fq, privacy, extents, cursor) are
constant-score clauses: they narrow the results without changing their order.
"""

from __future__ import annotations

import re
from typing import Any

import tantivy

from renkei.errors import SearchQueryError
from renkei.search.backend import Cursor, SearchRequest, Visibility
from renkei.search.query import And, MatchAll, Node, Not, Or, Range, Term
from renkei.search.sql import parse_time
from renkei.search.text import cjk_runs, micros, normalize, split_scripts

Q = tantivy.Query
MUST, SHOULD, MUST_NOT = tantivy.Occur.Must, tantivy.Occur.Should, tantivy.Occur.MustNot
INT = tantivy.FieldType.Integer
FLOAT = tantivy.FieldType.Float

WEIGHTS = {"title": 4.0, "keys": 2.0, "notes": 1.0, "all": 1.0}
# A free-text term must match somewhere ("all"); a match in the title or among the tags and
# organization names adds these weights on top.
BONUS = (("title", 3.0), ("keys", 1.0))
ALL_TEXT = ("all",)
FIELD_TEXT = {
    None: ALL_TEXT, "text": ALL_TEXT, "q": ALL_TEXT, "title": ("title",), "notes": ("notes",),
    "author": ALL_TEXT, "maintainer": ALL_TEXT, "version": ALL_TEXT, "url": ALL_TEXT,
    "res_name": ALL_TEXT, "res_description": ALL_TEXT, "res_url": ALL_TEXT,
}  # fmt: skip
RAW = {
    "name": "name", "id": "id", "license_id": "license_id", "type": "type",
    "dataset_type": "type", "owner_org": "owner_org", "organization": "organization",
    "groups": "groups", "tags": "tags_raw", "quality": "quality",
}  # fmt: skip
TIME = {"metadata_modified": "modified", "metadata_created": "created"}
EN_BOOST = 1.25
# Proximity: when the words of a query stand close together in a dataset's title or text, it
# ranks above one where they are scattered. A sloppy phrase of all the words, as an optional
# clause: it never changes what matches, only the order. Slop counts the positions the words
# may move (bigrams of Japanese text count one position per character).
PROXIMITY_SLOP = 3
PROXIMITY_WEIGHTS = (("title", 3.0), ("all", 2.0))
_LATIN = re.compile(r"[a-z0-9]")
_NON_LATIN = re.compile(r"[^\x00-\x7f]")
_SCRIPT_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[^\x00-\x7f])|(?<=[^\x00-\x7f])(?=[a-z0-9])")


def _en(text: str) -> str:
    """Latin words stand alone for the word analyzer: "aed設置場所" -> "aed 設置場所"."""
    if text.isascii():
        return text
    return _SCRIPT_BOUNDARY.sub(" ", text)


def word_variants(word: str) -> list[str]:
    """Light English stemming as query expansion: singular and plural forms of ``word``.

    Done at query time so that indexed words stay exact (acronyms such as AED or NHK are
    not stemmed into other words); words of three letters or fewer are left alone.
    """
    if len(word) <= 3 or not word.isalpha() or not word.isascii():
        return [word]
    forms = {word}
    if word.endswith("ing") and len(word) > 5:
        forms.add(word[:-3])
        return sorted(forms)
    if word.endswith("ed") and len(word) > 4 and not word.endswith("eed"):
        forms.add(word[:-2])
        return sorted(forms)
    if word.endswith("ies") and len(word) > 4:
        forms.add(word[:-3] + "y")
    elif word.endswith(("ses", "xes", "zes", "ches", "shes")):
        forms.add(word[:-2])
    elif word.endswith("s") and not word.endswith("ss"):
        forms.add(word[:-1])
    else:
        if word.endswith("y") and word[-2] not in "aeiou":
            forms.add(word[:-1] + "ies")
        elif word.endswith(("s", "x", "z", "ch", "sh")):
            forms.add(word + "es")
        else:
            forms.add(word + "s")
    return sorted(forms)


def _all(queries: list[Any]) -> Any:
    if len(queries) == 1:
        return queries[0]
    return Q.boolean_query([(MUST, q) for q in queries])


def _any(queries: list[Any]) -> Any:
    if len(queries) == 1:
        return queries[0]
    return Q.boolean_query([(SHOULD, q) for q in queries])


def _plain_words(node: Node) -> list[str]:
    """The normalised words of a query made only of plain free-text words (implicitly or
    explicitly ANDed); empty for anything else."""
    parts = node.parts if isinstance(node, And) else (node,)
    words = []
    for part in parts:
        if not isinstance(part, Term) or part.phrase or part.field not in (None, "text", "q"):
            return []
        text = normalize(part.value)
        if not text or "*" in text or "?" in text:
            return []
        words.append(text)
    return words


def _filter(query: Any) -> Any:
    return Q.const_score_query(query, 0.0)


class QueryBuilder:
    def __init__(self, schema: tantivy.Schema, english: tantivy.TextAnalyzer) -> None:
        self.schema = schema
        self.english = english

    def term(self, field: str, value: Any) -> Any:
        return Q.term_query(self.schema, field, value)

    # -- text ------------------------------------------------------------------------------

    def text(self, value: str, fields: tuple[str, ...], phrase: bool) -> Any:
        text = normalize(value)
        if not text or text in ("*", "?"):
            return Q.all_query()
        if not phrase and ("*" in text or "?" in text):
            return self.wildcard(text, fields)
        parts = split_scripts(text)
        if not phrase and len(parts) > 1:
            return _all([self.text(part, fields, phrase=True) for part in parts])
        parts = []
        for run in cjk_runs(text):
            parts.append(
                _any([Q.boost_query(self._run(name, run), WEIGHTS[name]) for name in fields])
            )
        words = self.english.analyze(_en(text)) if _LATIN.search(text) else []
        if words:
            per_field = []
            for name in fields:
                field = f"{name}_en"
                if len(words) > 1 and phrase:
                    query = Q.phrase_query(self.schema, field, words)
                else:
                    query = _all([self._word(field, w) for w in words])
                per_field.append(Q.boost_query(query, WEIGHTS[name] * EN_BOOST))
            parts.append(_any(per_field))
        if not parts:
            return Q.empty_query()
        return _all(parts)

    def _run(self, name: str, run: str) -> Any:
        """A run of Japanese characters: its unigram, or its bigrams side by side."""
        if len(run) == 1:
            return self.term(f"{name}_uni", run)
        if len(run) == 2:
            return self.term(f"{name}_bi", run)
        # Every other bigram, and the last, at their offsets: they cover every character in its
        # place, so the phrase matches exactly where the whole run stands, with half the
        # posting lists to intersect (指定緊急避難場所: 指定 緊急 避難 場所, not seven bigrams).
        offsets = [*range(0, len(run) - 2, 2), len(run) - 2]
        grams = [(offset, run[offset : offset + 2]) for offset in offsets]
        return Q.phrase_query(self.schema, f"{name}_bi", grams)

    def wildcard(self, text: str, fields: tuple[str, ...]) -> Any:
        """``pop*``, ``te?t``: Latin words by pattern on the word fields; other scripts by the
        literal pieces on the character fields."""
        if not _NON_LATIN.search(text) and re.fullmatch(r"[a-z0-9*?]+", text):
            pattern = "".join(".*" if c == "*" else "." if c == "?" else c for c in text)
            return _any(
                [
                    Q.boost_query(Q.regex_query(self.schema, f"{name}_en", pattern), WEIGHTS[name])
                    for name in fields
                ]
            )
        pieces = [p for p in re.split(r"[*?]+", text) if p.strip()]
        if not pieces:
            return Q.all_query()
        return _all([self.text(p, fields, phrase=True) for p in pieces])

    def _word(self, field: str, word: str) -> Any:
        # Each form a BM25-scored term (a term set would score every match alike).
        return _any([self.term(field, form) for form in word_variants(word)])

    def proximity(self, node: Node) -> Any | None:
        """An optional clause rewarding the free-text words of ``node`` standing together, or
        None when the query is not two or more plain words (one word, phrases, operators)."""
        texts = _plain_words(node)
        if len(texts) < 2:
            return None
        latin: list[str] = []
        grams: list[str] = []
        runs = 0
        for text in texts:
            if _LATIN.search(text):
                latin += self.english.analyze(_en(text))
            for run in cjk_runs(text):
                if len(run) > 1:  # single characters are indexed without positions
                    grams += [run[i : i + 2] for i in range(len(run) - 1)]
                    runs += 1
        phrases = []
        for name, weight in PROXIMITY_WEIGHTS:
            if len(latin) > 1:
                phrase = Q.phrase_query(self.schema, f"{name}_en", latin, slop=PROXIMITY_SLOP)
                phrases.append(Q.boost_query(phrase, weight))
            if runs > 1:
                phrase = Q.phrase_query(self.schema, f"{name}_bi", grams, slop=PROXIMITY_SLOP)
                phrases.append(Q.boost_query(phrase, weight))
        return _any(phrases) if phrases else None

    # -- the syntax tree -------------------------------------------------------------------

    def node(self, node: Node) -> Any:
        if isinstance(node, MatchAll):
            return Q.all_query()
        if isinstance(node, Term):
            return self.field_term(node)
        if isinstance(node, Range):
            column = TIME.get(node.field)
            if column is None:
                raise SearchQueryError(
                    f"ranges work on metadata_modified and metadata_created, not {node.field!r}"
                )
            low, high = parse_time(node.low), parse_time(node.high)
            if low is None and high is None:
                return Q.exists_query(column)
            return Q.range_query(
                self.schema, column, INT,
                micros(low) if low else None, micros(high) if high else None,
                include_lower=node.include_low or low is None,
                include_upper=node.include_high or high is None,
            )  # fmt: skip
        if isinstance(node, Not):
            return Q.boolean_query([(MUST, Q.all_query()), (MUST_NOT, self.node(node.part))])
        if isinstance(node, And):
            return _all([self.node(p) for p in node.parts])
        if isinstance(node, Or):
            return _any([self.node(p) for p in node.parts])
        raise SearchQueryError("unsupported query")

    def field_term(self, node: Term) -> Any:
        field, value, phrase = node.field, node.value, node.phrase
        if field in FIELD_TEXT:
            fields = FIELD_TEXT[field]
            match = self.text(value, fields, phrase)
            if fields != ALL_TEXT or normalize(value) in ("", "*", "?"):
                return match
            bonus = [(SHOULD, Q.boost_query(self.text(value, (name,), phrase), weight))
                     for name, weight in BONUS]  # fmt: skip
            return Q.boolean_query([(MUST, match), *bonus])
        if field in RAW:
            return self.raw(RAW[field], value, phrase)
        if field == "res_format":
            return self.raw("res_format_lc", value.lower(), phrase)
        if field == "state":
            return Q.all_query() if value == "active" else Q.empty_query()
        if field == "capacity":
            if value not in ("public", "private"):
                raise SearchQueryError("capacity is 'public' or 'private'")
            return self.term("private", value == "private")
        if field in TIME:
            moment = parse_time(value)
            if moment is None:
                return Q.exists_query(TIME[field])
            return self.term(TIME[field], micros(moment))
        if field is not None and field.startswith("extras_") and len(field) > 7:
            key = field[7:]
            if value == "*" and not phrase:
                return Q.regex_query(self.schema, "extras", re.escape(key) + "=.*")
            return self.raw("extras", f"{key}={value}", phrase, prefix=len(key) + 1)
        raise SearchQueryError(f"unknown field {field!r}")

    def raw(self, field: str, value: str, phrase: bool, prefix: int = 0) -> Any:
        wild = value[prefix:]
        if not phrase and wild == "*":
            return (
                Q.exists_query(field)
                if not prefix
                else Q.regex_query(self.schema, field, re.escape(value[:prefix]) + ".*")
            )
        if not phrase and ("*" in wild or "?" in wild):
            pattern = re.escape(value[:prefix]) + "".join(
                ".*" if c == "*" else "." if c == "?" else re.escape(c) for c in wild
            )
            return Q.regex_query(self.schema, field, pattern)
        return self.term(field, value)

    # -- the whole request -----------------------------------------------------------------

    def visibility(self, visibility: Visibility) -> Any | None:
        if visibility.everything:
            return None
        public = self.term("private", False)
        if not visibility.member_orgs:
            return public
        return _any(
            [public, Q.term_set_query(self.schema, "owner_org", list(visibility.member_orgs))]
        )

    def request_query(self, request: SearchRequest) -> Any:
        clauses = [(MUST, self.node(request.query))]
        nearby = self.proximity(request.query)
        if nearby is not None:
            clauses.append((SHOULD, nearby))
        filters = [self.node(f) for f in request.filters]
        seen = self.visibility(request.visibility)
        if seen is not None:
            filters.append(seen)
        if request.bbox is not None:
            west, south, east, north = request.bbox
            filters += [
                Q.range_query(self.schema, "west", FLOAT, None, east),
                Q.range_query(self.schema, "east", FLOAT, west, None),
                Q.range_query(self.schema, "south", FLOAT, None, north),
                Q.range_query(self.schema, "north", FLOAT, south, None),
            ]
        if request.temporal is not None:
            start, end = request.temporal
            if end is not None:
                filters.append(Q.range_query(self.schema, "tstart", INT, None, micros(end)))
            if start is not None:
                # No end means the coverage is ongoing.
                ends_after = Q.range_query(self.schema, "tend", INT, micros(start), None)
                ongoing = Q.boolean_query(
                    [(MUST, Q.exists_query("tstart")), (MUST_NOT, Q.exists_query("tend"))]
                )
                filters.append(_any([ends_after, ongoing]))
            filters.append(Q.exists_query("tstart"))
        clauses += [(MUST, _filter(f)) for f in filters]
        return Q.boolean_query(clauses) if len(clauses) > 1 else clauses[0][1]

    def after_cursor(self, query: Any, cursor: Cursor, sort_fields: dict[str, str]) -> Any:
        field = sort_fields[cursor.field]
        value = int(cursor.value)
        if cursor.descending:
            beyond = Q.range_query(self.schema, field, INT, None, value, include_upper=False)
        else:
            beyond = Q.range_query(self.schema, field, INT, value, None, include_lower=False)
        tie = Q.boolean_query(
            [
                (MUST, self.term(field, value)),
                (MUST_NOT, Q.term_set_query(self.schema, "id", list(cursor.seen) or [""])),
            ]
        )
        return Q.boolean_query([(MUST, query), (MUST, _filter(_any([beyond, tie])))])
