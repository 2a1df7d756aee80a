"""The editor's forms: HTML form fields <-> the CKAN dicts the catalog services take, and the
services' ValidationError (CKAN's field -> messages) back to messages next to form fields.

Forms are flat (``title_ja``, ``extras__0__key``); services are CKAN-shaped. Keeping the
translation here leaves the services the single place where input is judged.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from renkei.errors import ValidationError
from renkei.model.schemas import PACKAGE_READ_ONLY, PackageIn, parse
from renkei.web.i18n import N_

FORM_LANGS = ("ja", "en")
EXTRA_ROWS = 3  # empty key/value rows offered under the dataset's extras
OWN_FIELD_EXTRAS = ("spatial", "temporal_start", "temporal_end")
BBOX_RE = re.compile(r"^\s*-?\d+(\.\d+)?\s*(,\s*-?\d+(\.\d+)?\s*){3}$")
TEXT_FIELDS = (
    "name",
    "url",
    "version",
    "author",
    "author_email",
    "maintainer",
    "maintainer_email",
    "license_id",
    "owner_org",
)
# Service error keys that belong to another form field.
ERROR_FIELDS = {
    "title_translated": "title_ja",
    "title": "title_ja",
    "notes_translated": "notes_ja",
    "notes": "notes_ja",
    "tags": "tag_string",
    "upload": "upload",
}


def text(fields: Mapping[str, Any], key: str) -> str:
    value = fields.get(key)
    if isinstance(value, list):
        value = value[-1] if value else ""
    return str(value or "").strip()


# -- datasets ---------------------------------------------------------------------------------


def dataset_values(dataset: Mapping[str, Any] | None) -> dict[str, Any]:
    """The form's fields for an existing dataset (or blank ones for a new dataset)."""
    dataset = dataset or {}
    values: dict[str, Any] = {key: dataset.get(key) or "" for key in TEXT_FIELDS}
    titles = dataset.get("title_translated") or {}
    notes = dataset.get("notes_translated") or {}
    for lang in FORM_LANGS:
        values[f"title_{lang}"] = titles.get(lang, "")
        values[f"notes_{lang}"] = notes.get(lang, "")
    if dataset and not any(titles.values()):
        values["title_ja"] = dataset.get("title") or ""
    if dataset and not any(notes.values()):
        values["notes_ja"] = dataset.get("notes") or ""
    values["private"] = bool(dataset.get("private"))
    values["state"] = dataset.get("state") or "active"
    values["tag_string"] = ", ".join(t["name"] for t in dataset.get("tags") or [])
    extras = {e["key"]: e["value"] for e in dataset.get("extras") or []}
    for key in OWN_FIELD_EXTRAS:
        values[key] = extras.pop(key, "")
    values["extras"] = [{"key": k, "value": v} for k, v in extras.items()]
    values["extras"] += [{"key": "", "value": ""}] * EXTRA_ROWS
    return values


def dataset_form_values(fields: Mapping[str, Any]) -> dict[str, Any]:
    """What the user typed, to show the form again after an error."""
    values: dict[str, Any] = {key: text(fields, key) for key in TEXT_FIELDS}
    for lang in FORM_LANGS:
        values[f"title_{lang}"] = text(fields, f"title_{lang}")
        values[f"notes_{lang}"] = text(fields, f"notes_{lang}")
    values["private"] = text(fields, "private") in ("on", "true", "1")
    values["state"] = "draft" if text(fields, "save") == "draft" else "active"
    values["tag_string"] = text(fields, "tag_string")
    for key in OWN_FIELD_EXTRAS:
        values[key] = text(fields, key)
    values["extras"] = [{"key": r["key"], "value": r["value"]} for r in _extra_rows(fields)]
    values["extras"] += [{"key": "", "value": ""}] * EXTRA_ROWS
    return values


def _extra_rows(fields: Mapping[str, Any]) -> list[dict[str, str]]:
    """The filled-in key/value rows, each with the position of its form row (for errors)."""
    rows = []
    index = 0
    while f"extras__{index}__key" in fields or f"extras__{index}__value" in fields:
        key = text(fields, f"extras__{index}__key")
        value = text(fields, f"extras__{index}__value")
        if key or value:
            rows.append({"key": key, "value": value, "row": str(index)})
        index += 1
    return rows


def dataset_payload(fields: Mapping[str, Any], default_lang: str) -> dict[str, Any]:
    """The ``package_create`` / ``package_update`` dict of a submitted dataset form.

    Raises ValidationError (form field names) for what only the form can get wrong: an extent
    that is neither a bounding box nor GeoJSON, an extra without a key.
    """
    values = dataset_form_values(fields)
    errors: dict[str, list[str]] = {}
    titles = {lang: values[f"title_{lang}"] for lang in FORM_LANGS if values[f"title_{lang}"]}
    notes = {lang: values[f"notes_{lang}"] for lang in FORM_LANGS if values[f"notes_{lang}"]}
    payload: dict[str, Any] = {key: values[key] or None for key in TEXT_FIELDS}
    payload["name"] = values["name"]
    payload.update(
        title=titles.get(default_lang) or next(iter(titles.values()), None),
        title_translated=titles,
        notes=notes.get(default_lang) or next(iter(notes.values()), None),
        notes_translated=notes,
        private=values["private"],
        state=values["state"],
        tag_string=values["tag_string"],
    )
    if not titles:
        errors["title_ja"] = [N_("Give the dataset a title, in Japanese or English")]
    extras = []
    for row in _extra_rows(fields):
        if not row["key"]:
            errors[f"extras__{row['row']}__key"] = [N_("An extra needs a key")]
        elif row["key"] in OWN_FIELD_EXTRAS:
            errors[f"extras__{row['row']}__key"] = [N_("This key has its own field in the form")]
        extras.append({"key": row["key"], "value": row["value"]})
    spatial = values["spatial"]
    if spatial:
        geometry = spatial_geometry(spatial)
        if geometry is None:
            errors["spatial"] = [
                N_("Give a bounding box (west,south,east,north in degrees) or a GeoJSON geometry")
            ]
        else:
            extras.append({"key": "spatial", "value": geometry})
    for key in ("temporal_start", "temporal_end"):
        if values[key]:
            extras.append({"key": key, "value": values[key]})
    payload["extras"] = extras
    if errors:
        # Say everything at once: the schema's own findings (name, licence, emails) too.
        try:
            parse(PackageIn, payload, PACKAGE_READ_ONLY)
        except ValidationError as exc:
            for field_name, messages in field_errors(exc).items():
                errors.setdefault(field_name, messages)
        raise ValidationError(errors)
    return payload


def spatial_geometry(value: str) -> str | None:
    """GeoJSON text for a bounding box or a GeoJSON geometry; None when it is neither."""
    if BBOX_RE.match(value):
        west, south, east, north = (float(v) for v in value.split(","))
        if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
            return None
        ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
        return json.dumps({"type": "Polygon", "coordinates": [ring]})
    try:
        data = json.loads(value)
    except ValueError:
        return None
    if not isinstance(data, dict) or "type" not in data:
        return None
    return json.dumps(data, ensure_ascii=False)


# -- resources --------------------------------------------------------------------------------


def resource_values(resource: Mapping[str, Any] | None) -> dict[str, Any]:
    resource = resource or {}
    return {
        "name": resource.get("name") or "",
        "description": resource.get("description") or "",
        "format": resource.get("format") or "",
        "url": resource.get("url") if resource.get("url_type") != "upload" else "",
        "is_upload": resource.get("url_type") == "upload",
    }


def resource_payload(fields: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "name": text(fields, "name") or None,
        "description": text(fields, "description") or None,
        "format": text(fields, "format") or None,
        "url": text(fields, "url"),
    }


# -- errors -----------------------------------------------------------------------------------


def field_errors(exc: ValidationError) -> dict[str, list[str]]:
    """CKAN's ``{field: [messages]}`` (with list positions for extras) as form field names."""
    found: dict[str, list[str]] = {}

    def add(field: str, message: Any) -> None:
        found.setdefault(ERROR_FIELDS.get(field, field), []).append(str(message))

    for key, value in exc.errors.items():
        if isinstance(value, list):
            for position, item in enumerate(value):
                if isinstance(item, dict):
                    for sub, messages in item.items():
                        for message in messages if isinstance(messages, list) else [messages]:
                            add(f"{key}__{position}__{sub}", message)
                else:
                    add(key, item)
        elif isinstance(value, dict):
            for sub, messages in value.items():
                for message in messages if isinstance(messages, list) else [messages]:
                    add(f"{key}__{sub}", message)
        else:
            add(key, value)
    return found
