"""Request parameters as CKAN clients send them: booleans as JSON or as text ("true", "0")."""

from __future__ import annotations

from typing import Any

from renkei.errors import ValidationError

TRUE = ("true", "1", "yes", "on")
FALSE = ("false", "0", "no", "off", "")


def as_bool(value: Any, name: str) -> bool:
    """``value`` as a boolean; ValidationError naming ``name`` when it is not one."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in TRUE:
        return True
    if isinstance(value, str) and value.lower() in FALSE:
        return False
    if isinstance(value, int):
        return bool(value)
    raise ValidationError({name: ["Must be true or false"]})
