"""Controlled vocabularies the scorers check against: file types, media types, access rights.

The file types are shipped as data (``data/formats.json``, sources named inside): the EU
Publications Office file-type codes, their IANA media types and file extensions, whether the
MQA counts them as machine-readable and non-proprietary, and their 5-star openness.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

EU_FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
EU_ACCESS_RIGHT = "http://publications.europa.eu/resource/authority/access-right/"

# The EU access-right authority table, plus the Japanese words portals use for the same codes.
ACCESS_RIGHTS = {
    "public": "PUBLIC",
    "restricted": "RESTRICTED",
    "non_public": "NON_PUBLIC",
    "non-public": "NON_PUBLIC",
    "公開": "PUBLIC",
    "限定公開": "RESTRICTED",
    "非公開": "NON_PUBLIC",
}


@dataclass(frozen=True)
class FileType:
    id: str
    uri: str
    media_types: tuple[str, ...]
    extensions: tuple[str, ...]
    aliases: tuple[str, ...]
    machine_readable: bool
    non_proprietary: bool
    stars: int


@cache
def file_types() -> tuple[FileType, ...]:
    text = resources.files("renkei.quality").joinpath("data/formats.json").read_text("utf-8")
    return tuple(
        FileType(
            id=row["id"],
            uri=row["uri"],
            media_types=tuple(row["media_types"]),
            extensions=tuple(row["extensions"]),
            aliases=tuple(row["aliases"]),
            machine_readable=row["machine_readable"],
            non_proprietary=row["non_proprietary"],
            stars=row["stars"],
        )
        for row in json.loads(text)["formats"]
    )


@cache
def _by_label() -> dict[str, FileType]:
    table: dict[str, FileType] = {}
    for ft in file_types():
        for label in (ft.id, ft.uri, *ft.aliases, *ft.media_types, *ft.extensions):
            table.setdefault(label.casefold(), ft)
    return table


def _norm_media_type(value: str) -> str:
    return value.split(";", 1)[0].strip().casefold()


def by_format(label: str | None) -> FileType | None:
    """The file type a declared ``format`` names: a code (CSV), an EU URI, an alias, a media
    type or an extension, matched without regard to case."""
    if not label or not label.strip():
        return None
    key = label.strip().casefold()
    return _by_label().get(key) or _by_label().get(key.lstrip("."))


def by_media_type(value: str | None) -> FileType | None:
    if not value or not value.strip():
        return None
    key = _norm_media_type(value)
    for ft in file_types():
        if key in ft.media_types:
            return ft
    return None


def is_known_media_type(value: str | None) -> bool:
    return by_media_type(value) is not None


def by_url(url: str | None) -> FileType | None:
    """The file type the last path segment's extension names (``.../data.csv`` -> CSV)."""
    if not url:
        return None
    name = PurePosixPath(unquote(urlsplit(url).path)).name.casefold()
    for ft in file_types():
        if any(name.endswith(ext) for ext in ft.extensions):
            return ft
    return None


def access_right(value: str | None) -> str | None:
    """The EU access-right code a value names (code, URI or Japanese word), or None."""
    if not value or not value.strip():
        return None
    key = value.strip()
    if key.startswith(EU_ACCESS_RIGHT):
        key = key[len(EU_ACCESS_RIGHT) :]
    return ACCESS_RIGHTS.get(key.casefold()) or ACCESS_RIGHTS.get(key)
