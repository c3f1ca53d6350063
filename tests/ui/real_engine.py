"""The real engine for the UI tests: a SQLite file with the reference master data and the
para500 recipe imported and approved, actions dispatched headless, the record read back."""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
import threading
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from recipes.loader import decimal_yaml
from station.engine import api

DATA = Path(__file__).resolve().parents[1] / "data"
SITE = DATA / "masterdata" / "site.yaml"
RECIPE = DATA / "recipes" / "para500-granulation.yaml"
HAPPY = DATA / "scripts" / "para500-happy-path.yaml"
REFUSALS = DATA / "scripts" / "para500-refusals.yaml"
VOLATILE = ("_at", "uid", "hash", "request", "occurred", "_id_", "printed_at", "time")

#: The imported initial passwords (site.yaml), by user id; the users set their own at first login.
_USERS = decimal_yaml().load(SITE.read_text(encoding="utf-8"))["users"]
INITIAL_PASSWORDS: dict[str, str] = {str(u["id"]): str(u["initial_password"]) for u in _USERS}
BADGES: dict[str, str] = {str(u["id"]): str(u["badge"]) for u in _USERS}


def build_template(path: Path, *, light_hashing: bool = True) -> Path:
    """site.yaml imported by the admin, PARA500-GRAN v3 imported by the admin and approved by
    qa.dubois: what a station holds before its first batch. Built once per test session.
    ``light_hashing``: False for the production argon2 cost (the benchmark)."""
    from argon2 import PasswordHasher

    import ebr.users
    from ebr.masterdata import import_master_data
    from ebr.recipe_store import approve_recipe, import_recipe
    from recipes.loader import parse_recipe
    from station.composition import open_store

    db = open_store(f"sqlite:///{path}")
    production = ebr.users._hasher
    # Still argon2id, with light parameters: every stored hash names its own parameters, so
    # the checks at login and signature are light too. Production cost: tests/ebr/test_users.py.
    if light_hashing:
        ebr.users._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    try:
        with db.unit_of_work() as uow:
            import_master_data(uow, SITE, "adm.kim")
            uow.commit()
    finally:
        ebr.users._hasher = production
    text = RECIPE.read_text(encoding="utf-8")
    recipe = parse_recipe(text, RECIPE.name)
    with db.unit_of_work() as uow:
        import_recipe(uow, recipe, text, "adm.kim")
        uow.commit()
    with db.unit_of_work() as uow:
        approve_recipe(uow, recipe.code, recipe.version, "qa.dubois", INITIAL_PASSWORDS["qa.dubois"])
        uow.commit()
    db.dispose()
    with sqlite3.connect(path) as con:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # everything in the main file before copying
    return path


def copy_of(template: Path, folder: Path, name: str = "station.db") -> str:
    """A fresh copy of the template: a real SQLite file of the test's own."""
    path = folder / name
    shutil.copyfile(template, path)
    return f"sqlite:///{path}"


def happy_path(until: str | None = None, *, batch_id: str = "B-2611-001") -> list[api.Action]:
    """The happy-path script's actions up to (not including) the first one at step ``until``,
    then a logout: the batch as an earlier shift left it."""
    from station.engine.script import load_script

    actions: list[api.Action] = []
    for step in load_script(HAPPY).steps:
        action = step.action
        if until is not None and getattr(action, "step", None) == until:
            break
        if isinstance(action, api.Logout):
            continue
        if isinstance(action, api.StartBatch):
            action = api.StartBatch(
                batch_id, action.recipe_code, action.recipe_version, action.size, action.unit
            )
        actions.append(action)
    return [*actions, api.Logout()]


def dispatch(url: str, actions: Iterable[api.Action]) -> list[api.Outcome]:
    """Send actions to the real engine headless (as `mes-station run` does); none may fail."""
    from station.composition import build_engine

    engine = build_engine(url)
    outcomes = []
    try:
        for action in actions:
            outcome = engine.dispatch(action)
            assert outcome.status != "error", f"{action}: {outcome.message}"
            outcomes.append(outcome)
    finally:
        engine.db.dispose()
    return outcomes


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


def engine_factory(url: str, holder: list[OffGuiThreadEngine], *, interactive: bool = True):
    """The engine as `mes-station gui` builds it (``interactive``: a user on an imported initial
    password sets a new one first), built on the engine thread."""

    def make() -> OffGuiThreadEngine:
        from station.composition import build_engine

        wrapped = OffGuiThreadEngine(build_engine(url, interactive=interactive))
        holder.append(wrapped)
        return wrapped

    return make


def run_headless(url: str, script: Path) -> int:
    from station.composition import build_engine
    from station.engine.runner import run_script
    from station.engine.script import load_script

    engine = build_engine(url)
    try:
        return run_script(engine, load_script(script), out=io.StringIO(), err=io.StringIO())
    finally:
        engine.db.dispose()


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


def refusals_then_complete(batch_id: str = "B-2611-002") -> list[api.Action]:
    """The refusals script to the weighing out of tolerance, which sv.haddad overrides; then the
    rest of the batch as in the happy path, with the impeller speed entered outside its limits
    (a deviation that sv.nowak acknowledges), completed: a record with real exceptions."""
    from station.engine.script import load_script

    actions: list[api.Action] = []
    for step in load_script(REFUSALS).steps:
        action = step.action
        if isinstance(action, api.Logout):
            continue
        if isinstance(action, api.StartBatch):
            action = api.StartBatch(
                batch_id, action.recipe_code, action.recipe_version, action.size, action.unit
            )
        if isinstance(action, api.Weigh) and action.gross == Decimal("61.21"):
            action = api.Override(
                "OP20.S20",
                "sv.haddad",
                INITIAL_PASSWORDS["sv.haddad"],
                "Within the site's process capability",
            )
        actions.append(action)
    rest = happy_path()
    start = next(i for i, a in enumerate(rest) if getattr(a, "step", None) == "OP20.S30")
    for action in rest[start:-1]:
        if isinstance(action, api.Enter) and action.step == "OP30.S30":
            actions.append(api.Enter("OP30.S30", Decimal(170)))
            actions.append(
                api.Override(
                    "OP30.S30",
                    "sv.nowak",
                    INITIAL_PASSWORDS["sv.nowak"],
                    "Speed corrected to 150 rpm at once",
                )
            )
            continue
        actions.append(action)
    return [*actions, api.Logout()]
