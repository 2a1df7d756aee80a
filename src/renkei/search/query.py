"""The Solr/CKAN query language used by ``q`` and ``fq``, parsed into a small syntax tree.

Supported: words, "phrases", ``field:value``, ``field:"a phrase"``, ``field:(a OR b)``,
ranges ``field:[A TO B]`` / ``{A TO B}``, AND / OR / NOT, ``+`` / ``-`` prefixes, parentheses,
wildcards ``*`` and ``?``, and ``*:*``. Terms side by side must all match (AND).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from renkei.errors import SearchQueryError


@dataclass(frozen=True)
class Term:
    field: str | None
    value: str
    phrase: bool = False


@dataclass(frozen=True)
class Range:
    field: str
    low: str
    high: str
    include_low: bool
    include_high: bool


@dataclass(frozen=True)
class And:
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    part: Node


@dataclass(frozen=True)
class MatchAll:
    pass


Node = Term | Range | And | Or | Not | MatchAll

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<lparen>\()|(?P<rparen>\))
      | (?P<phrase>"(?:[^"\\]|\\.)*")
      | (?P<range>[\[{][^\]}]*[\]}])
      | (?P<word>[^\s()"\[{]+)
    )""",
    re.VERBOSE,
)


def tokenize(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise SearchQueryError(f"cannot read the query near {text[pos : pos + 20]!r}")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        pos = match.end()
        while pos < len(text) and text[pos].isspace():
            pos += 1
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def parse(self) -> Node:
        node = self.or_expr()
        if self.peek() is not None:
            raise SearchQueryError(f"unexpected {self.peek()[1]!r}")  # type: ignore[index]
        return node

    def or_expr(self, field: str | None = None) -> Node:
        parts = [self.and_expr(field)]
        while self.peek() == ("word", "OR") or self.peek() == ("word", "||"):
            self.take()
            parts.append(self.and_expr(field))
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def and_expr(self, field: str | None) -> Node:
        parts = [self.unary(field)]
        while (
            (tok := self.peek()) is not None and tok[0] != "rparen" and tok[1] not in ("OR", "||")
        ):
            if tok[1] in ("AND", "&&"):
                self.take()
                continue
            parts.append(self.unary(field))
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def unary(self, field: str | None) -> Node:
        tok = self.peek()
        if tok is None:
            raise SearchQueryError("the query ends where a term was expected")
        if tok == ("word", "NOT") or tok == ("word", "!"):
            self.take()
            return Not(self.unary(field))
        if tok[0] == "word" and tok[1].startswith("-") and len(tok[1]) > 1:
            self.tokens[self.pos] = ("word", tok[1][1:])
            return Not(self.unary(field))
        if tok[0] == "word" and tok[1].startswith("+") and len(tok[1]) > 1:
            self.tokens[self.pos] = ("word", tok[1][1:])
        return self.primary(field)

    def primary(self, field: str | None) -> Node:
        kind, text = self.take()
        if kind == "lparen":
            node = self.or_expr(field)
            if self.peek() is None or self.take()[0] != "rparen":
                raise SearchQueryError("a '(' has no matching ')'")
            return node
        if kind == "rparen":
            raise SearchQueryError("a ')' has no matching '('")
        if kind == "phrase":
            return Term(field, _unescape(text[1:-1]), phrase=True)
        if kind == "range":
            if field is None:
                raise SearchQueryError(f"a range needs a field, as in metadata_modified:{text}")
            return _range(field, text)
        if text == "*:*":
            return MatchAll()
        name, sep, value = text.partition(":")
        if sep and name and not name.startswith(("http", "urn")) and _FIELD.match(name):
            if field is not None:
                raise SearchQueryError(f"field {name!r} inside field {field!r}")
            if value:
                return Term(name, _unescape(value))
            nxt = self.peek()
            if nxt is None:
                raise SearchQueryError(f"field {name!r} has no value")
            return self.primary(name)
        return Term(field, _unescape(text))


_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def _range(field: str, text: str) -> Range:
    inner = text[1:-1].strip()
    parts = re.split(r"\s+TO\s+", inner)
    if len(parts) != 2:
        raise SearchQueryError(f"range {text!r} must look like [A TO B]")
    return Range(field, parts[0], parts[1], text[0] == "[", text[-1] == "]")


def parse_query(text: str | None) -> Node:
    """Parse ``q`` or one ``fq``. An empty query matches everything."""
    if text is None or not text.strip() or text.strip() == "*:*":
        return MatchAll()
    return _Parser(tokenize(text)).parse()
