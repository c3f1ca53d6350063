"""The real engine for the UI tests: a SQLite file with the reference master data and the
para500 recipe imported and approved, actions dispatched headless (``tests.engine_batches``,
shared with the export and record-store tests), the record read back."""

from __future__ import annotations

import json
import threading
from decimal import Decimal, InvalidOperation
from typing import Any

from tests.engine_batches import (
    BADGES,
    DATA,
    HAPPY,
    PASSWORDS,
    RECIPE,
    REFUSALS,
    SITE,
    build_template,
    copy_of,
    dispatch,
    happy_path,
    refusals_then_complete,
    run_headless,
)

__all__ = [
    "BADGES",
    "DATA",
    "HAPPY",
    "PASSWORDS",
    "RECIPE",
    "REFUSALS",
    "SITE",
    "OffGuiThreadEngine",
    "audit_events",
    "batch_record",
    "build_template",
    "copy_of",
    "dispatch",
    "engine_factory",
    "happy_path",
    "refusals_then_complete",
    "run_headless",
]

VOLATILE = ("_at", "uid", "hash", "request", "occurred", "_id_", "printed_at", "time")


class OffGuiThreadEngine:
    """Wraps the engine and remembers the threads it was called on (never the GUI thread)."""

    def __init__(self, engine: Any) -> None:
        self._engine = engine
        self.threads: set[int] = set()

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._engine, name)
        if callable(attr):

            def call(*args: Any, **kwargs: Any) -> Any:
                self.threads.add(threading.get_ident())
                return attr(*args, **kwargs)

            return call
        return attr


def engine_factory(url: str, holder: list[OffGuiThreadEngine]):
    """The engine as `mes-station gui` builds it, built on the engine thread."""

    def make() -> OffGuiThreadEngine:
        from station.composition import build_engine

        wrapped = OffGuiThreadEngine(build_engine(url))
        holder.append(wrapped)
        return wrapped

    return make


def _plain(value: Any, drop: tuple[str, ...]) -> Any:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            try:
                return (
                    str(Decimal(value).normalize()) if value.strip() and value[0] in "-0123456789" else value
                )
            except InvalidOperation:
                return value
    if isinstance(value, dict):
        return {
            k: _plain(v, drop)
            for k, v in sorted(value.items())
            if not any(m in k for m in VOLATILE) and k not in drop and k not in ("id", "uid", "seq")
        }
    if isinstance(value, list):
        return [_plain(v, drop) for v in value]
    if isinstance(value, float | int) and not isinstance(value, bool):
        return str(Decimal(str(value)).normalize())
    return value


def audit_events(url: str, stream: str) -> list[dict[str, Any]]:
    """A stream's audit events in order, as stored (values decoded from JSON)."""
    import sqlalchemy as sa

    from .conftest import paused

    with paused():  # the test's own reading, on the GUI thread: not the station's time
        return _events(sa.create_engine(url), stream)


def _events(engine: Any, stream: str) -> list[dict[str, Any]]:
    import sqlalchemy as sa

    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.text(
                    "SELECT user_id, action, outcome, entity_type, entity_id, old_value, new_value, reason, "
                    "record_table FROM audit_events WHERE stream = :s ORDER BY stream_seq"
                ),
                {"s": stream},
            ).mappings()
            out = []
            for r in rows:
                row = dict(r)
                for key in ("old_value", "new_value"):
                    if isinstance(row[key], str):
                        row[key] = json.loads(row[key])
                out.append(row)
            return out
    finally:
        engine.dispose()


def batch_record(url: str, batch_id: str, drop: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """The batch's audit trail in order: who did what with which values, timestamps and ids aside."""
    return [_plain(row, drop) for row in audit_events(url, batch_id)]
