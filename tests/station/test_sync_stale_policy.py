"""The site's sync_stale policy: kept in the record (``policy set``, QA or admin, audited), off by
default; once set, a new batch is refused with ``sync_stale`` while the oldest record the hub has
not acknowledged is older than the limit, through the engine and through a batch script."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest

import ebr.clock
import station.engine.context
from ebr import outbox
from ebr.sync.state import oldest_unsent_at
from station.composition import build_engine, open_store
from station.engine import api
from tests.station.conftest import as_user, cli, run_cli

LOGIN = api.Login(user="op.alvarez", password="Granul8-Alvarez.26")
START = api.StartBatch("B-STALE-1", "PARA500-GRAN", 3, Decimal(120), "kg")


def _later(monkeypatch: pytest.MonkeyPatch, hours: float) -> None:
    """The station's clock, ``hours`` on: the records written so far are that much older."""
    moved = dt.datetime.now(dt.UTC) + dt.timedelta(hours=hours)
    real = ebr.clock.utc_now
    offset = moved - real()
    monkeypatch.setattr(ebr.clock, "utc_now", lambda: real() + offset)
    monkeypatch.setattr(station.engine.context, "utc_now", lambda: real() + offset)


def _policy_events(url: str) -> list[tuple[str, str, str | None, str | None, str]]:
    with sqlite3.connect(url.removeprefix("sqlite:///")) as con:
        return list(
            con.execute(
                "SELECT user_id, entity_id, old_value, new_value, reason FROM audit_events "
                "WHERE action = 'site.policy.changed' ORDER BY seq"
            )
        )


def _start(url: str) -> api.Outcome:
    engine = build_engine(db=open_store(url))
    try:
        assert engine.dispatch(LOGIN).status == "done"
        return engine.dispatch(START)
    finally:
        engine.close()


def test_the_policy_is_set_by_qa_with_a_reason_and_audited(approved_db: str, tmp_path: Path) -> None:
    shown = run_cli("policy", "show", "--db", approved_db)
    assert shown.returncode == 0 and shown.stdout == "sync_stale_limit = off\n"
    setting = [
        "policy",
        "set",
        "sync_stale_limit",
        "4h",
        "--reason",
        "QMS link SOP-IT-7",
        "--db",
        approved_db,
    ]
    by_operator = run_cli(*setting, *as_user("op.alvarez", tmp_path))
    assert by_operator.returncode == 1 and "needs the role" in by_operator.stderr
    assert _policy_events(approved_db) == []
    done = run_cli(*setting, *as_user("qa.dubois", tmp_path))
    assert done.returncode == 0, done.stderr
    assert done.stdout == "sync_stale_limit = 4h (set by qa.dubois)\n"
    again = run_cli(*setting, *as_user("qa.dubois", tmp_path))
    assert again.returncode == 0 and "already: nothing recorded" in again.stdout
    off = ["policy", "set", "sync_stale_limit", "off", "--reason", "link replaced", "--db", approved_db]
    assert run_cli(*off, *as_user("adm.kim", tmp_path)).returncode == 0
    events = _policy_events(approved_db)
    assert [(e[0], e[1], e[4]) for e in events] == [
        ("qa.dubois", "sync_stale_limit", "QMS link SOP-IT-7"),
        ("adm.kim", "sync_stale_limit", "link replaced"),
    ]
    assert json.loads(events[0][3]) == {"value": "4h"} and json.loads(events[0][2]) == {"value": None}
    assert json.loads(events[1][2]) == {"value": "4h"} and json.loads(events[1][3]) == {"value": None}
    assert run_cli("policy", "show", "--db", approved_db).stdout == "sync_stale_limit = off\n"
    assert run_cli("ebr", "verify", "--db", approved_db).returncode == 0


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("sync_stale_limit", "4 hours", "'4 hours' is not a duration (e.g. 30min, 8h, 2d)"),
        ("sync_stale_limit", "1min", "'1min' is out of range (5min to 365d)"),
        ("sync_stale_limit", "400d", "'400d' is out of range (5min to 365d)"),
        ("no_such_policy", "4h", "'no_such_policy' is not a site policy (known: sync_stale_limit)"),
    ],
)
def test_a_bad_name_or_value_is_bad_usage_and_asks_no_password(
    approved_db: str, name: str, value: str, message: str
) -> None:
    done = run_cli("policy", "set", name, value, "--user", "qa.dubois", "--reason", "x", "--db", approved_db)
    assert done.returncode == 2
    assert done.stderr.strip() == f"mes-station: policy set: {message}"
    assert _policy_events(approved_db) == []


def test_off_by_default_a_week_unsent_starts_a_batch(
    approved_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _later(monkeypatch, 24 * 7)
    assert _start(approved_db).status == "done"


def test_the_engine_refuses_a_new_batch_past_the_limit_and_starts_it_once_synced(
    approved_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    setting = ["policy", "set", "sync_stale_limit", "4h", "--reason", "SOP-IT-7", "--db", approved_db]
    assert run_cli(*setting, *as_user("qa.dubois", tmp_path)).returncode == 0
    _later(monkeypatch, 3)  # within the limit
    engine = build_engine(db=open_store(approved_db))
    try:
        assert engine.dispatch(LOGIN).status == "done"
        assert (
            engine.dispatch(api.StartBatch("B-STALE-0", "PARA500-GRAN", 3, Decimal(120), "kg")).status
            == "done"
        )
    finally:
        engine.close()
    _later(monkeypatch, 5)
    refused = _start(approved_db)
    assert refused.status == "refused"
    (why,) = refused.refusals
    assert why.code == "sync_stale" and not why.overridable
    assert why.sentence.startswith(
        "The oldest record not yet at the central QMS is 5 h old (the site allows 4 h)"
    )
    assert why.what_next.startswith("Restore the connection to the central QMS")
    with sqlite3.connect(approved_db.removeprefix("sqlite:///")) as con:
        (attempt,) = con.execute(
            "SELECT new_value FROM audit_events WHERE action = 'batch.start.refused' AND entity_id = 'B-STALE-1'"
        ).fetchall()
        assert "sync_stale" in attempt[0]
        assert con.execute("SELECT count(*) FROM batches WHERE batch_id = 'B-STALE-1'").fetchone()[0] == 0
    # the batch already started opens again: its work must be finished either way
    engine = build_engine(db=open_store(approved_db))
    try:
        assert engine.dispatch(LOGIN).status == "done"
        assert engine.dispatch(api.OpenBatch("B-STALE-0")).status == "done"
    finally:
        engine.close()
    # the hub acknowledged everything: the oldest unsent is gone, the batch starts
    db = open_store(approved_db)
    with db.unit_of_work() as uow:
        head = int(uow.connection.exec_driver_sql("SELECT last_seq FROM chain_head").scalar_one())
        outbox.acknowledge(uow, head)
        uow.commit()
    with db.unit_of_work(read_only=True) as uow:
        assert oldest_unsent_at(uow) is None
    db.dispose()
    assert _start(approved_db).status == "done"


def test_a_batch_script_expects_the_refusal(
    approved_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    setting = ["policy", "set", "sync_stale_limit", "30min", "--reason", "SOP-IT-7", "--db", approved_db]
    assert run_cli(*setting, *as_user("qa.dubois", tmp_path)).returncode == 0
    _later(monkeypatch, 1)
    script = tmp_path / "stale.yaml"
    script.write_text(
        "batch: {id: B-STALE-2, recipe: PARA500-GRAN, version: 3, size: {quantity: 120, unit: kg}}\n"
        "actions:\n"
        "  - login: {user: op.alvarez, password: Granul8-Alvarez.26}\n"
        "  - start: {}\n"
        "  - expect: {outcome: refused, reason: sync_stale}\n"
        "  - logout: {}\n"
    )
    assert cli("run", script, "--db", approved_db) == 0
    unexpected = tmp_path / "unexpected.yaml"
    unexpected.write_text(
        script.read_text().replace("  - expect: {outcome: refused, reason: sync_stale}\n", "")
    )
    assert cli("run", unexpected, "--db", approved_db) == 1


def test_the_policy_read_follows_new_events_and_a_store_replaced_under_its_name(
    approved_db: str, tmp_path: Path
) -> None:
    """The value is read once in full, then only from the events written since; a store put in
    place of another under the same name (a restore) is read again from its start."""
    import shutil

    from ebr import site_policy

    path = Path(approved_db.removeprefix("sqlite:///"))
    untouched = tmp_path / "untouched.db"
    shutil.copyfile(path, untouched)

    def limit() -> dt.timedelta | None:
        db = open_store(approved_db)
        try:
            with db.unit_of_work(read_only=True) as uow:
                return site_policy.sync_stale_limit(uow)
        finally:
            db.dispose()

    assert limit() is None
    db = open_store(approved_db)
    for value in ("4h", "2d"):
        with db.unit_of_work() as uow:
            site_policy.set_policy(uow, site_policy.SYNC_STALE_LIMIT, value, user_id="qa.dubois", note="x")
            uow.commit()
        assert limit() == site_policy.parse_duration(value)
    db.dispose()
    shutil.copyfile(untouched, path)  # the store as it was before the policy, under the same name
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    assert limit() is None
