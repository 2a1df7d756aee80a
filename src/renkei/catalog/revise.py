"""``package_revise``: a conditional, partial update (match, filter, update, include), as CKAN.

``match`` makes the update conditional: every given value must equal the current one, or the
whole call is refused with the mismatching paths, so that two writers can't overwrite each
other's changes unknowingly (optimistic concurrency). Flattened keys (``match__notes``,
``update__resources__0__name``, ``update__resources__1f9ab__description``,
``update__resources__extend``) address nested values by index, by id prefix (5+ characters), or
append to a list.
"""

from __future__ import annotations

import contextlib
import copy
import fnmatch
import json
from typing import Any

from renkei.catalog.context import Context
from renkei.catalog.dictize import package_dict
from renkei.catalog.packages import editable_package, package_update
from renkei.errors import ValidationError


def _json_param(data: dict[str, Any], key: str, kind: type) -> Any:
    value = data.get(key)
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            if kind is list:
                return [part.strip() for part in value.split(",") if part.strip()]
            raise ValidationError({key: ["Not valid JSON"]}) from None
    if value is not None and not isinstance(value, kind):
        raise ValidationError({key: [f"Must be a {'dict' if kind is dict else 'list'}"]})
    return value


def _flat(data: dict[str, Any], prefix: str) -> dict[str, Any]:
    out = {}
    for key, value in data.items():
        if key.startswith(prefix + "__"):
            if isinstance(value, str) and value[:1] in "[{":
                with contextlib.suppress(json.JSONDecodeError):
                    value = json.loads(value)
            out[key[len(prefix) + 2 :]] = value
    return out


def check_match(current: Any, wanted: Any, path: tuple[str, ...] = ()) -> list[str]:
    """Paths where ``wanted`` differs from ``current`` (dicts by key, lists by position)."""
    if isinstance(wanted, dict):
        if not isinstance(current, dict):
            return ["__".join(path) or "match"]
        return [p for k, v in wanted.items() for p in check_match(current.get(k), v, (*path, k))]
    if isinstance(wanted, list):
        if not isinstance(current, list) or len(current) < len(wanted):
            return ["__".join(path)]
        return [
            p for i, v in enumerate(wanted) for p in check_match(current[i], v, (*path, str(i)))
        ]
    return [] if current == wanted else ["__".join(path)]


def _resolve(container: Any, key: str) -> Any:
    """The list index or dict key that ``key`` names inside ``container``."""
    if isinstance(container, list):
        try:
            index = int(key)
        except ValueError:
            if len(key) < 5:
                raise ValidationError(
                    {"update": [f"{key!r} is not an index or a 5+ character id prefix"]}
                ) from None
            hits = [
                i for i, item in enumerate(container) if str(item.get("id", "")).startswith(key)
            ]
            if len(hits) != 1:
                raise ValidationError(
                    {"update": [f"no single item has an id starting with {key!r}"]}
                ) from None
            return hits[0]
        if not -len(container) <= index < len(container):
            raise ValidationError({"update": [f"index {index} is out of range"]})
        return index
    return key


def _get_path(data: Any, parts: list[str]) -> Any:
    for part in parts:
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list):
            data = data[_resolve(data, part)]
        else:
            return None
    return data


def merge(target: dict[str, Any], update: dict[str, Any]) -> None:
    """Merge ``update`` into ``target``: dicts recursively, list items by position."""
    for key, value in update.items():
        current = target.get(key)
        if isinstance(value, dict) and isinstance(current, dict):
            merge(current, value)
        elif isinstance(value, list) and isinstance(current, list):
            for index, item in enumerate(value):
                if (
                    index < len(current)
                    and isinstance(item, dict)
                    and isinstance(current[index], dict)
                ):
                    merge(current[index], item)
                elif index < len(current):
                    current[index] = item
                else:
                    current.append(item)
        else:
            target[key] = value


def _apply_flat_update(revised: dict[str, Any], key: str, value: Any) -> None:
    parts = key.split("__")
    if parts[-1] == "extend":
        container = _get_path(revised, parts[:-1])
        if not isinstance(container, list) or not isinstance(value, list):
            raise ValidationError({f"update__{key}": ["extend needs a list to add to a list"]})
        container.extend(value)
        return
    parent = _get_path(revised, parts[:-1]) if len(parts) > 1 else revised
    if parent is None:
        raise ValidationError({f"update__{key}": ["nothing to update at this path"]})
    slot = _resolve(parent, parts[-1])
    if isinstance(value, dict) and isinstance(
        parent[slot] if isinstance(parent, list) else parent.get(slot), dict
    ):
        merge(parent[slot], value)
    else:
        parent[slot] = value


def filter_glob(data: dict[str, Any], patterns: list[str]) -> None:
    """Remove fields matching ``-pattern`` unless protected by an earlier ``+pattern``."""
    for key in list(data):
        for pattern in patterns:
            sign, glob = pattern[:1], pattern[1:]
            if sign not in "+-":
                raise ValidationError({"filter": [f"{pattern!r} must start with + or -"]})
            head, _, rest = glob.partition("__")
            if not fnmatch.fnmatchcase(key, head):
                continue
            if rest and isinstance(data[key], list | dict):
                if sign == "-":
                    _filter_nested(data[key], rest)
                break
            if sign == "-":
                del data[key]
            break


def _filter_nested(value: Any, pattern: str) -> None:
    head, _, rest = pattern.partition("__")
    if isinstance(value, list):
        index = _resolve(value, head)
        if rest:
            _filter_nested(value[index], rest)
        else:
            del value[index]
    elif isinstance(value, dict):
        for key in [k for k in value if fnmatch.fnmatchcase(k, head)]:
            if rest:
                _filter_nested(value[key], rest)
            else:
                del value[key]


def package_revise(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    match = _json_param(data, "match", dict) or {}
    match_flat = _flat(data, "match")
    ref = match.get("id") or match_flat.get("id") or match.get("name") or match_flat.get("name")
    if not ref:
        raise ValidationError({"match__id": ["Missing value"]})
    pkg = editable_package(ctx, ref)
    current = package_dict(ctx, pkg)

    unmatched = check_match(current, match)
    for key, value in sorted(match_flat.items()):
        try:
            actual = _get_path(current, key.split("__"))
        except ValidationError:
            actual = None
        if actual != value:
            unmatched.append(key)
    if unmatched:
        raise ValidationError({"match": [f"{path} does not match" for path in unmatched]})

    revised = copy.deepcopy(current)
    filters = _json_param(data, "filter", list)
    if filters:
        filter_glob(revised, [str(f) for f in filters])
        revised["id"] = current["id"]
    update = _json_param(data, "update", dict)
    if update:
        merge(revised, update)
    flat_updates = _flat(data, "update")
    for key in sorted(flat_updates, key=lambda k: (not k.endswith("extend"), k)):
        _apply_flat_update(revised, key, flat_updates[key])
    revised.setdefault("name", current["name"])
    revised["id"] = current["id"]
    result: dict[str, Any] = {"package": package_update(ctx, revised)}
    include = _json_param(data, "include", list)
    if include:
        filter_glob(result["package"], [str(i) for i in include])
    return result
