"""Column types: CKAN DataStore names, their DuckDB storage types, Table Schema equivalents.

CKAN clients send PostgreSQL-flavoured names (``int4``, ``float8``, ``timestamp``); we accept
them all and answer with one canonical name per type. ``numeric`` is stored as DOUBLE: exact
decimals of arbitrary precision would make every aggregate slower for a precision open data
tables rarely have (documented in docs/datastore.md).
"""

from __future__ import annotations

from renkei.errors import ValidationError

# canonical name -> DuckDB type
STORAGE: dict[str, str] = {
    "text": "VARCHAR",
    "int": "BIGINT",
    "numeric": "DOUBLE",
    "float": "DOUBLE",
    "bool": "BOOLEAN",
    "date": "DATE",
    "time": "TIME",
    "timestamp": "TIMESTAMP",
    "json": "JSON",
}

ALIASES: dict[str, str] = {
    "varchar": "text",
    "string": "text",
    "character varying": "text",
    "integer": "int",
    "int2": "int",
    "int4": "int",
    "int8": "int",
    "bigint": "int",
    "smallint": "int",
    "serial": "int",
    "number": "numeric",
    "decimal": "numeric",
    "float4": "float",
    "float8": "float",
    "double": "float",
    "double precision": "float",
    "real": "float",
    "boolean": "bool",
    "datetime": "timestamp",
    "timestamptz": "timestamp",
    "timestamp without time zone": "timestamp",
    "object": "json",
    "array": "json",
    "jsonb": "json",
}

# Table Schema (frictionless) type -> canonical name, for schemas inferred from files.
FROM_TABLE_SCHEMA: dict[str, str] = {
    "string": "text",
    "integer": "int",
    "number": "numeric",
    "boolean": "bool",
    "date": "date",
    "datetime": "timestamp",
    "time": "time",
    "object": "json",
    "array": "json",
    "year": "int",
}

TO_TABLE_SCHEMA: dict[str, str] = {
    "text": "string",
    "int": "integer",
    "numeric": "number",
    "float": "number",
    "bool": "boolean",
    "date": "date",
    "time": "time",
    "timestamp": "datetime",
    "json": "object",
}


def canonical(type_name: str | None) -> str | None:
    """The canonical name of a type, or None if we don't know it."""
    if not type_name:
        return "text"
    name = str(type_name).strip().lower()
    if name in STORAGE:
        return name
    return ALIASES.get(name)


def require_type(type_name: str | None, where: str) -> str:
    name = canonical(type_name)
    if name is None:
        known = ", ".join(sorted(STORAGE))
        raise ValidationError({"fields": [f"{where}: unknown type {type_name!r} (use {known})"]})
    return name
