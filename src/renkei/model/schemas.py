"""Input schemas for the catalog's write actions, and their errors in CKAN's shape.

Fields that ``*_show`` returns but clients cannot set (``metadata_created``, ``num_tags``, ...)
are accepted and ignored, so that "show, edit, update" round trips work as they do on CKAN.
Any other unknown field is an error: a typo must not be silently dropped.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, TypeVar

import pydantic
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from renkei.errors import ValidationError
from renkei.model.licenses import canonical_license_id
from renkei.model.names import LANG_RE, name_problem, tag_problem

M = TypeVar("M", bound=BaseModel)
Text = Annotated[str, Field(max_length=100_000)]
ShortText = Annotated[str, Field(max_length=2_000)]


def _valid_name(value: str) -> str:
    problem = name_problem(value)
    if problem:
        raise ValueError(problem)
    return value


Name = Annotated[str, AfterValidator(_valid_name)]
# Largest value of the BIGINT columns (resource size): beyond it the database refuses the row.
MAX_BIGINT = 2**63 - 1

PACKAGE_READ_ONLY = frozenset(
    {
        "metadata_created",
        "metadata_modified",
        "creator_user_id",
        "num_resources",
        "num_tags",
        "organization",
        "isopen",
        "quality",
        "license_title",
        "license_url",
        "relationships_as_subject",
        "relationships_as_object",
        "tracking_summary",
        "revision_id",
        "title_display",
        "notes_display",
        "license_summary",
    }
)
RESOURCE_READ_ONLY = frozenset(
    {
        "created",
        "metadata_modified",
        "package_id",
        "position",
        "state",
        "revision_id",
        "datastore_active",
        "cache_url",
        "cache_last_updated",
        "tracking_summary",
        "has_views",
        "download_url",
    }
)
GROUP_READ_ONLY = frozenset(
    {
        "created",
        "is_organization",
        "approval_status",
        "package_count",
        "num_followers",
        "display_name",
        "image_display_url",
        "users",
        "packages",
        "extras",
        "groups",
        "tags",
        "revision_id",
        "member_count",
    }
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


def _check_translations(value: dict[str, str] | None) -> dict[str, str] | None:
    if value is None:
        return None
    for lang in value:
        if not LANG_RE.match(lang):
            raise ValueError(f"Language code {lang!r} is not a language tag such as 'ja' or 'en'")
    return {k: v for k, v in value.items() if v is not None}


class TagIn(_Strict):
    name: Annotated[str, Field(min_length=1)]
    id: str | None = None
    display_name: str | None = None
    state: str | None = None
    vocabulary_id: str | None = None

    @field_validator("name")
    @classmethod
    def _valid_tag(cls, value: str) -> str:
        value = value.strip()
        problem = tag_problem(value)
        if problem:
            raise ValueError(problem)
        return value


class GroupRef(BaseModel):
    """A group a dataset belongs to: by ``id`` or ``name``; other shown fields are ignored."""

    model_config = ConfigDict(extra="ignore")
    id: str | None = None
    name: str | None = None

    @property
    def ref(self) -> str | None:
        return self.id or self.name


class ExtraIn(_Strict):
    key: Annotated[str, Field(min_length=1, max_length=200)]
    value: Any = ""
    state: str | None = None
    deleted: bool | None = None

    @field_validator("value")
    @classmethod
    def _as_text(cls, value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, str):
            return value
        if isinstance(value, bool | int | float):
            return str(value).lower() if isinstance(value, bool) else str(value)
        raise ValueError("Extra values must be strings or numbers")


class ResourceIn(BaseModel):
    """A resource. As in CKAN, keys beyond the core fields are kept as resource extras."""

    model_config = ConfigDict(extra="allow")

    id: str | None = None
    url: Text | None = ""
    url_type: Literal["upload", ""] | None = None
    name: Text | None = None
    description: Text | None = None
    format: Annotated[str, Field(max_length=100)] | None = None
    mimetype: Annotated[str, Field(max_length=200)] | None = None
    size: Annotated[int, Field(ge=0, le=MAX_BIGINT)] | None = None
    hash: Annotated[str, Field(max_length=200)] | None = None
    last_modified: datetime | None = None

    @field_validator("size", mode="before")
    @classmethod
    def _blank_size(cls, value: Any) -> Any:
        return None if value == "" else value

    @field_validator("last_modified", mode="before")
    @classmethod
    def _blank_date(cls, value: Any) -> Any:
        return None if value == "" else value

    def extras(self) -> dict[str, Any]:
        return dict(self.__pydantic_extra__ or {})


class PackageIn(_Strict):
    id: str | None = None
    name: Name
    title: Text | None = None
    title_translated: dict[str, Text] | None = None
    notes: Text | None = None
    notes_translated: dict[str, Text] | None = None
    url: Text | None = None
    version: Annotated[str, Field(max_length=100)] | None = None
    author: ShortText | None = None
    author_email: ShortText | None = None
    maintainer: ShortText | None = None
    maintainer_email: ShortText | None = None
    license_id: str | None = None
    private: bool = False
    state: Literal["active", "draft", "deleted"] | None = None
    type: Annotated[str, Field(min_length=1, max_length=100)] = "dataset"
    owner_org: str | None = None
    tags: list[TagIn] | None = None
    tag_string: str | None = None
    groups: list[GroupRef] | None = None
    extras: list[ExtraIn] | None = None
    resources: list[ResourceIn] | None = None

    @field_validator("license_id")
    @classmethod
    def _known_license(cls, value: str | None) -> str | None:
        if not value:
            return None
        canonical = canonical_license_id(value)
        if canonical is None:
            raise ValueError(f"Unknown licence {value!r}: see license_list for the accepted ids")
        return canonical

    @field_validator("author_email", "maintainer_email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value and ("@" not in value or " " in value.strip()):
            raise ValueError(f"Email {value!r} is not a valid format")
        return value or None

    @field_validator("title_translated", "notes_translated")
    @classmethod
    def _langs(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        return _check_translations(value)

    @field_validator("extras")
    @classmethod
    def _unique_extras(cls, value: list[ExtraIn] | None) -> list[ExtraIn] | None:
        if value:
            keys = [e.key for e in value if not e.deleted]
            dupes = sorted({k for k in keys if keys.count(k) > 1})
            if dupes:
                raise ValueError(f"Duplicate extra keys: {', '.join(dupes)}")
        return value

    def all_tags(self) -> list[str]:
        names = [t.name for t in self.tags or []]
        if self.tag_string:
            for raw in self.tag_string.split(","):
                tag = raw.strip()
                if tag:
                    problem = tag_problem(tag)
                    if problem:
                        raise ValidationError({"tag_string": [problem]})
                    names.append(tag)
        return list(dict.fromkeys(names))


class GroupIn(_Strict):
    id: str | None = None
    name: Name
    title: Text | None = None
    title_translated: dict[str, Text] | None = None
    description: Text | None = None
    description_translated: dict[str, Text] | None = None
    image_url: Text | None = None
    state: Literal["active", "deleted"] | None = None
    type: str | None = None

    @field_validator("title_translated", "description_translated")
    @classmethod
    def _langs(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        return _check_translations(value)


def parse(model: type[M], data: dict[str, Any], read_only: frozenset[str]) -> M:
    """Validate ``data`` against ``model``; raise a CKAN-shaped ValidationError on failure."""
    cleaned = {k: v for k, v in data.items() if k not in read_only}
    try:
        return model.model_validate(cleaned)
    except pydantic.ValidationError as exc:
        raise ValidationError(ckan_errors(exc)) from None


def ckan_errors(exc: pydantic.ValidationError) -> dict[str, Any]:
    """Turn pydantic's errors into CKAN's nested field -> [messages] dict.

    List items keep their position, as CKAN does: ``{"tags": [{}, {"name": ["..."]}]}``.
    """
    errors: dict[str, Any] = {}
    for err in exc.errors():
        loc = [part for part in err["loc"] if not _is_union_tag(part)]
        message = _message(err)
        _insert(errors, loc, message)
    return errors


def _is_union_tag(part: Any) -> bool:
    return isinstance(part, str) and (
        part.startswith(("function-", "constrained-")) or part in {"str", "int", "bool", "literal"}
    )


def _message(err: Any) -> str:
    kind = err["type"]
    if kind == "missing":
        return "Missing value"
    if kind == "extra_forbidden":
        return "The field is not known: remove it or check its spelling"
    msg = str(err["msg"])
    return msg.removeprefix("Value error, ")


def _insert(tree: dict[str, Any], loc: list[Any], message: str) -> None:
    if not loc:
        tree.setdefault("__all__", []).append(message)
        return
    head, rest = str(loc[0]), loc[1:]
    if not rest:
        tree.setdefault(head, [])
        if isinstance(tree[head], list):
            tree[head].append(message)
        return
    if isinstance(rest[0], int):
        index, tail = rest[0], rest[1:]
        items = tree.setdefault(head, [])
        while len(items) <= index:
            items.append({})
        if tail:
            _insert(items[index], tail, message)
        else:
            items[index].setdefault("__all__", []).append(message)
        return
    _insert(tree.setdefault(head, {}), rest, message)
