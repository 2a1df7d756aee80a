"""CKAN's rules for URL names (slugs) of datasets, organizations, groups and users."""

from __future__ import annotations

import re

NAME_RE = re.compile(r"^[a-z0-9_-]+$")
NAME_MIN, NAME_MAX = 2, 100
RESERVED_NAMES = frozenset({"new", "edit", "search", "__init__", "delete", "download", "api"})
TAG_RE = re.compile(r"^[\w \-.]+$", re.UNICODE)
TAG_MAX = 100
LANG_RE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def name_problem(name: str) -> str | None:
    """Why ``name`` is not a valid CKAN name, or None when it is."""
    if len(name) < NAME_MIN:
        return f"Must be at least {NAME_MIN} characters long"
    if len(name) > NAME_MAX:
        return f"Name must be a maximum of {NAME_MAX} characters long"
    if not NAME_RE.match(name):
        return "Must be purely lowercase alphanumeric (ascii) characters and these symbols: -_"
    if name in RESERVED_NAMES:
        return f"'{name}' is a reserved word and cannot be used as a name"
    return None


def tag_problem(tag: str) -> str | None:
    """Why ``tag`` is not a valid tag. Unlike CKAN, one-character tags (駅, 川) are allowed."""
    if not tag.strip():
        return "Tag must not be empty"
    if len(tag) > TAG_MAX:
        return f"Tag {tag!r} length is more than maximum {TAG_MAX}"
    if not TAG_RE.match(tag):
        return f"Tag {tag!r} must be alphanumeric characters or symbols: -_."
    return None
