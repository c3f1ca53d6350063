"""The canonical text of an event or a record, built by the database (``ebr.verify``'s fast
path): SQLite assembles it with ``json_object``, PostgreSQL with one ``format`` call, and
Python only hashes it. See ``ebr/verify.py`` for why the fast path is sound."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import Boolean, Column, Integer, Table

from ebr import chain
from ebr.models import AuditEvent, JsonText

_AUDIT = cast(Table, AuditEvent.__table__)
_JSON_EVENT_FIELDS = frozenset({"old_value", "new_value"})


def _kind(column: Column[Any], json_names: frozenset[str]) -> str:
    if column.name in json_names or isinstance(column.type, JsonText):
        return "json"
    if isinstance(column.type, Boolean):
        return "bool"
    if isinstance(column.type, Integer):
        return "int"
    return "text"  # String, Text, Date and the text-stored timestamps and decimals


def _sqlite_canonical(
    columns: Iterable[Column[Any]], alias: str, json_names: frozenset[str], careful: bool
) -> str:
    """SQLite: ``ebr.chain.canonical`` of the row's columns as a JSON object, or NULL
    where a stored value cannot be what was hashed (the row then goes to the reference).

    ``json_object`` writes text as an escaped JSON string, an integer as an integer, a
    JSON value (``json()``, which parses the column and so proves it one valid JSON value)
    as it is. A boolean that is not 0/1 becomes a string, which no boolean's canonical form
    can equal. ``careful`` (used only after a plain run failed on such a row): also NULL
    for rows whose JSON column does not parse (on which ``json()`` stops the query) or that
    hold a BLOB outside the JSON columns (which ``json_object`` refuses)."""
    values: list[str] = []
    guards: list[str] = []
    for column in sorted(columns, key=lambda c: c.name):
        ref = f'{alias}."{column.name}"'
        kind = _kind(column, json_names)
        if kind == "json":
            if careful:
                guards.append(f"json_valid(coalesce({ref}, 'null'))")
            value = f"json({ref})"
        elif kind == "bool":
            value = (
                f"CASE WHEN {ref} IS NULL THEN NULL WHEN {ref} = 1 THEN json('true') "
                f"WHEN {ref} = 0 THEN json('false') ELSE 'not a boolean' END"
            )
        else:
            value = ref
        if careful and kind != "json":
            guards.append(f"typeof({ref}) <> 'blob'")
        values.append(f"'{column.name}', {value}")
    body = f"json_object({', '.join(values)})"
    return f"CASE WHEN {' AND '.join(guards)} THEN {body} END" if guards else body


def _pg_value(column: Column[Any], kind: str, alias: str) -> str:
    ref = f'{alias}."{column.name}"'
    if kind == "bool":
        return f"CASE WHEN {ref} IS NULL THEN 'null' WHEN {ref} THEN 'true' ELSE 'false' END"
    if kind == "int":
        return f"COALESCE(CAST({ref} AS TEXT), 'null')"
    if kind == "json":
        return f"COALESCE({ref}, 'null')"  # validity is checked in Python, see _json_ok
    return f"COALESCE(to_json({ref})::text, 'null')"


def canonical_sql(
    columns: Iterable[Column[Any]],
    dialect: str,
    alias: str,
    json_names: frozenset[str] = frozenset(),
    *,
    careful: bool = False,
) -> str:
    """A SQL expression for ``ebr.chain.canonical`` of the row's columns as a JSON object
    (NULL on SQLite where the row cannot match, see :func:`_sqlite_canonical`).
    For PostgreSQL: one ``format`` call, meant for a DB-API ``execute`` with parameters
    (``%%``); its JSON columns must be checked with :func:`_json_ok`."""
    if dialect == "sqlite":
        return _sqlite_canonical(columns, alias, json_names, careful)
    template: list[str] = []
    values: list[str] = []
    for column in sorted(columns, key=lambda c: c.name):
        template.append(chain.canonical(column.name) + ":%s")
        values.append(_pg_value(column, _kind(column, json_names), alias))
    text = "{" + ",".join(template) + "}"
    # psycopg reads % as a placeholder: the query is always run with parameters, so %% is %.
    return f"format('{text.replace('%', '%%')}', {', '.join(values)})"


def _as_bytes(expression: str, dialect: str) -> str:
    return f"CAST({expression} AS BLOB)" if dialect == "sqlite" else f"convert_to({expression}, 'UTF8')"


def _newline(dialect: str) -> str:
    return "char(10)" if dialect == "sqlite" else "chr(10)"


def _event_payload_sql(dialect: str, careful: bool = False) -> str:
    """The bytes an event's hash is computed over: prev_hash, a newline, the canonical payload."""
    columns = [_AUDIT.c[name] for name in chain.EVENT_FIELDS]
    canonical = canonical_sql(columns, dialect, "e", _JSON_EVENT_FIELDS, careful=careful)
    return _as_bytes(f"e.prev_hash || {_newline(dialect)} || {canonical}", dialect)


def _record_payload_sql(table: Table, dialect: str, alias: str, careful: bool = False) -> str:
    return _as_bytes(canonical_sql(table.columns, dialect, alias, careful=careful), dialect)


def _json_ok(*texts: str | None) -> bool:
    for text in texts:
        if text is not None:
            try:
                json.loads(text)
            except ValueError:
                return False
    return True
