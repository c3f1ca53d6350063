"""The real engine on a seeded SQLite database, and the batch record as a comparable list."""

from __future__ import annotations

import io
import json
import threading
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pytest

DATA = Path(__file__).resolve().parents[1] / "data"
VOLATILE = ("_at", "uid", "hash", "request", "occurred", "_id_", "printed_at", "time")


def available() -> bool:
    try:
        import ebr.masterdata
        import ebr.recipe_store  # noqa: F401
        import station.composition
        import station.engine.runner  # noqa: F401
    except ImportError:
        return False
    return True


requires_engine = pytest.mark.skipif(
    not available(), reason="the engine and the record store are not there yet"
)


def seeded_url(folder: Path, name: str) -> str:
    from ebr.masterdata import import_master_data
    from ebr.recipe_store import approve_recipe, import_recipe
    from recipes.loader import parse_recipe
    from station.composition import open_store

    url = f"sqlite:///{folder / name}"
    db = open_store(url)
    with db.unit_of_work() as uow:
        import_master_data(uow, DATA / "masterdata" / "site.yaml", "adm.kim")
        uow.commit()
    text = (DATA / "recipes" / "para500-granulation.yaml").read_text(encoding="utf-8")
    recipe = parse_recipe(text, "para500-granulation.yaml")
    with db.unit_of_work() as uow:
        import_recipe(uow, recipe, text, "adm.kim")
        uow.commit()
    with db.unit_of_work() as uow:
        approve_recipe(uow, recipe.code, recipe.version, "qa.dubois", "Rev1ew-Dubois")
        uow.commit()
    dispose = getattr(getattr(db, "engine", None), "dispose", None)
    if callable(dispose):
        dispose()
    return url


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
    def make() -> OffGuiThreadEngine:
        from station.composition import build_engine

        wrapped = OffGuiThreadEngine(build_engine(url))
        holder.append(wrapped)
        return wrapped

    return make


def run_headless(url: str, script: str) -> int:
    from station.composition import build_engine
    from station.engine.runner import run_script
    from station.engine.script import load_script

    return run_script(
        build_engine(url), load_script(DATA / "scripts" / script), out=io.StringIO(), err=io.StringIO()
    )


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


def batch_record(url: str, batch_id: str, drop: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """The batch's audit trail in order: who did what with which values, timestamps and ids aside."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.text(
                    "SELECT user_id, action, outcome, entity_type, entity_id, old_value, new_value, reason, "
                    "record_table FROM audit_events WHERE stream = :b ORDER BY stream_seq"
                ),
                {"b": batch_id},
            ).mappings()
            return [_plain(dict(r), drop) for r in rows]
    finally:
        engine.dispose()
