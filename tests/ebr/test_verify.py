"""``ebr verify``: intact on a good chain; names the first bad event after each direct edit.

The edits are made the way an attacker with the database file would: a raw sqlite3
connection, DROP TRIGGER, then UPDATE / DELETE / INSERT.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ebr import chain
from ebr.database import Database
from ebr.errors import NotFound
from ebr.models import APPEND_ONLY_TABLES
from ebr.verify import VerifyReport, _events_task, _records_task, verify


@pytest.fixture
def batch(batch_sqlite: tuple[Database, dict[str, str]]) -> tuple[Database, dict[str, str]]:
    return batch_sqlite


@pytest.fixture
def attacker(batch: tuple[Database, dict[str, str]]) -> Iterator[sqlite3.Connection]:
    db, _ = batch
    db.dispose()
    assert db.url.database
    connection = sqlite3.connect(db.url.database, isolation_level=None)
    for table in APPEND_ONLY_TABLES:
        connection.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
        connection.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
    yield connection
    connection.close()


def _seq_of(connection: sqlite3.Connection, where: str) -> int:
    return int(connection.execute(f"SELECT min(seq) FROM audit_events WHERE {where}").fetchone()[0])


def _bad(db: Database) -> VerifyReport:
    report = verify(db)
    assert not report.ok and report.first_bad is not None
    assert "\n" not in str(report)
    return report


def test_good_chain_is_intact(batch: tuple[Database, dict[str, str]]) -> None:
    db, uids = batch
    report = verify(db)
    assert report.ok, report
    assert report.first_bad is None
    assert report.events_checked > 60 and report.records_checked >= 15 and report.signatures_checked == 2
    assert verify(db, uids["batch_id"]).ok
    assert verify(db, workers=2).ok  # the parallel path gives the same answer
    with pytest.raises(NotFound):
        verify(db, "NO-SUCH-BATCH")


def test_audit_value_edited(batch: tuple[Database, dict[str, str]], attacker: sqlite3.Connection) -> None:
    db, _ = batch
    seq = _seq_of(attacker, "action = 'master.lot.added' AND entity_id = 'RM-0101/P24-0502'")
    attacker.execute(
        "UPDATE audit_events SET new_value = replace(new_value, 'quarantined', 'released') WHERE seq = ?",
        (seq,),
    )
    report = _bad(db)
    assert report.first_bad is not None and report.first_bad.seq == seq
    assert "altered" in report.first_bad.problem


def test_event_deleted(batch: tuple[Database, dict[str, str]], attacker: sqlite3.Connection) -> None:
    db, _ = batch
    seq = _seq_of(attacker, "action = 'login.succeeded' OR action = 'signature.signed'")
    attacker.execute("DELETE FROM audit_events WHERE seq = ?", (seq,))
    report = _bad(db)
    assert report.first_bad is not None and report.first_bad.seq == seq + 1


def test_last_event_deleted(batch: tuple[Database, dict[str, str]], attacker: sqlite3.Connection) -> None:
    db, _ = batch
    last = int(attacker.execute("SELECT max(seq) FROM audit_events").fetchone()[0])
    attacker.execute("DELETE FROM audit_events WHERE seq = ?", (last,))
    report = _bad(db)
    assert report.first_bad is not None and report.first_bad.seq == last - 1
    assert "chain_head" in report.first_bad.problem


def _forged(connection: sqlite3.Connection, seq: int, prev_hash: str, stream_seq: int) -> dict[str, Any]:
    event: dict[str, Any] = {
        "seq": seq, "uid": str(uuid.uuid4()), "stream": "site", "stream_seq": stream_seq,
        "occurred_at": "2026-01-01T00:00:00.000000Z", "user_id": "qa.dubois", "action": "master.lot.changed",
        "outcome": "accepted", "entity_type": "lot", "entity_id": "RM-0101/P24-0502",
        "old_value": {"status": "quarantined"}, "new_value": {"status": "released"}, "reason": "forged",
        "record_table": None, "record_uid": None, "record_hash": None, "prev_hash": prev_hash,
    }  # fmt: skip
    event["hash"] = chain.event_hash(event)
    event["old_value"], event["new_value"] = (
        chain.canonical(event["old_value"]),
        chain.canonical(event["new_value"]),
    )
    names = ", ".join(event)
    connection.execute(
        f"INSERT INTO audit_events ({names}) VALUES ({', '.join('?' * len(event))})", list(event.values())
    )
    return event


def test_event_inserted_in_the_middle(
    batch: tuple[Database, dict[str, str]], attacker: sqlite3.Connection
) -> None:
    """Even with a correctly hashed forged event, the next one no longer links."""
    db, _ = batch
    seq = _seq_of(attacker, "stream <> 'site'")
    prev_hash = attacker.execute("SELECT hash FROM audit_events WHERE seq = ?", (seq - 1,)).fetchone()[0]
    site_seq = attacker.execute("SELECT max(stream_seq) FROM audit_events WHERE stream = 'site'").fetchone()[
        0
    ]
    attacker.execute("UPDATE audit_events SET seq = seq + 1000000 WHERE seq >= ?", (seq,))
    attacker.execute("UPDATE audit_events SET seq = seq - 999999 WHERE seq >= 1000000")
    _forged(attacker, seq, prev_hash, site_seq + 1)
    report = _bad(db)
    assert report.first_bad is not None and report.first_bad.seq == seq + 1


def test_event_appended_without_the_head(
    batch: tuple[Database, dict[str, str]], attacker: sqlite3.Connection
) -> None:
    db, _ = batch
    last, last_hash = attacker.execute(
        "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    site_seq = attacker.execute("SELECT max(stream_seq) FROM audit_events WHERE stream = 'site'").fetchone()[
        0
    ]
    _forged(attacker, last + 1, last_hash, site_seq + 1)
    report = _bad(db)
    assert report.first_bad is not None and report.first_bad.seq == last
    assert "chain_head" in report.first_bad.problem


def test_two_events_swapped(batch: tuple[Database, dict[str, str]], attacker: sqlite3.Connection) -> None:
    db, _ = batch
    seq = _seq_of(attacker, "action = 'step.measured'")
    attacker.execute("UPDATE audit_events SET seq = -1 WHERE seq = ?", (seq,))
    attacker.execute("UPDATE audit_events SET seq = ? WHERE seq = ?", (seq, seq + 1))
    attacker.execute("UPDATE audit_events SET seq = ? WHERE seq = -1", (seq + 1,))
    report = _bad(db)
    assert report.first_bad is not None and report.first_bad.seq == seq


def test_signature_copied_to_another_step(
    batch: tuple[Database, dict[str, str]], attacker: sqlite3.Connection
) -> None:
    db, uids = batch
    copy = str(uuid.uuid4())
    attacker.execute(
        "INSERT INTO signatures (uid, batch_id, step_id, signer_id, printed_name, meaning, signed_at, record_table, "
        "record_uid, signed_hash) SELECT ?, batch_id, 'OP10.S20', signer_id, printed_name, meaning, signed_at, "
        "record_table, ?, signed_hash FROM signatures WHERE uid = ?",
        (copy, uids["step2"], uids["signature"]),
    )
    report = _bad(db)
    assert report.first_bad is not None and report.first_bad.uid == copy
    assert any(p.uid == copy and "signatures" in p.problem for p in report.problems)
    assert any("signature " + copy in p.problem for p in report.problems)


def test_signature_moved_to_another_record(
    batch: tuple[Database, dict[str, str]], attacker: sqlite3.Connection
) -> None:
    db, uids = batch
    attacker.execute("UPDATE signatures SET record_uid = ? WHERE uid = ?", (uids["step2"], uids["signature"]))
    seq = _seq_of(attacker, f"record_uid = '{uids['signature']}'")
    report = _bad(db)
    assert report.first_bad is not None and report.first_bad.seq == seq


def test_record_row_edited(batch: tuple[Database, dict[str, str]], attacker: sqlite3.Connection) -> None:
    db, _ = batch
    uid = attacker.execute("SELECT uid FROM measurements").fetchone()[0]
    attacker.execute("UPDATE measurements SET value = '150', in_limits = 1 WHERE uid = ?", (uid,))
    seq = _seq_of(attacker, f"record_uid = '{uid}'")
    report = _bad(db)
    assert report.first_bad is not None and report.first_bad.seq == seq
    assert "measurements" in report.first_bad.problem


def test_record_row_deleted(batch: tuple[Database, dict[str, str]], attacker: sqlite3.Connection) -> None:
    db, _ = batch
    attacker.execute("PRAGMA foreign_keys = OFF")
    attacker.execute("DELETE FROM deviation_closures")
    seq = _seq_of(attacker, "record_table = 'deviation_closures'")
    report = _bad(db)
    assert report.first_bad is not None and report.first_bad.seq == seq
    assert "gone" in report.first_bad.problem


def test_signed_record_changed(batch: tuple[Database, dict[str, str]], attacker: sqlite3.Connection) -> None:
    db, uids = batch
    attacker.execute(
        "UPDATE step_executions SET result = '{\"confirmed\":false}' WHERE uid = ?", (uids["step1"],)
    )
    report = _bad(db)
    step_seq = _seq_of(attacker, f"record_uid = '{uids['step1']}'")
    assert report.first_bad is not None and report.first_bad.seq == step_seq
    assert any(f"signature {uids['signature']}" in p.problem for p in report.problems)


def test_chain_rewritten_from_a_point_is_caught_by_records(
    batch: tuple[Database, dict[str, str]], attacker: sqlite3.Connection
) -> None:
    """A typed row changed and its event's record_hash 'fixed' breaks that event's hash."""
    db, _ = batch
    uid = attacker.execute("SELECT uid FROM lot_consumptions").fetchone()[0]
    attacker.execute("UPDATE lot_consumptions SET net = '59.000' WHERE uid = ?", (uid,))
    attacker.execute("UPDATE audit_events SET record_hash = ? WHERE record_uid = ?", ("0" * 64, uid))
    seq = _seq_of(attacker, f"record_uid = '{uid}'")
    report = _bad(db)
    assert report.first_bad is not None and report.first_bad.seq == seq


# ------------------------------------------------------------------ the fast path agrees with ebr.chain

_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20)
_json = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**12), 10**12) | _text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_text, inner, max_size=3),
    max_leaves=6,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(entity_id=_text, reason=st.none() | _text, new_value=_json)
def test_fast_path_matches_reference(
    sqlite_db: Database, entity_id: str, reason: str | None, new_value: Any
) -> None:
    _roundtrip(sqlite_db, entity_id, reason, new_value)


@pytest.mark.postgres
def test_fast_path_matches_reference_on_postgres(db: Database) -> None:
    for text in ('q"uote\\back', "tab\tnl\ncr\r\x01\x1f\x7f", "é中文𝄞", "", "%s %% {}", "null"):
        _roundtrip(db, text, text, {"k": text, text: [text, 1, None, True]})


def _roundtrip(db: Database, entity_id: str, reason: str | None, new_value: Any) -> None:
    from ebr import records  # noqa: F401  (the record types below)
    from ebr.models import Deviation, User

    with db.unit_of_work() as uow:
        if uow.user("u1") is None:
            uow.session.add(User(id="u1", name="U", roles=["operator"]))
            uow.session.flush()
            from ebr.clock import utc_now
            from ebr.models import Batch

            uow.add_record(
                Batch(batch_id="B1", recipe_code="R", recipe_version=1, recipe_content_hash="0" * 64,
                      size=Decimal(1), unit="kg", control_recipe={}, started_by="u1", started_at=utc_now(),
                      station="S"),
                stream="B1", user_id="u1", action="batch.started", entity_type="batch", entity_id="B1",
            )  # fmt: skip
        event = uow.append_event(stream="site", user_id="u1", action="test", outcome="accepted", entity_type="t",
                                 entity_id=entity_id, old_value=None, new_value=new_value, reason=reason)  # fmt: skip
        from ebr.clock import utc_now

        uow.add_record(
            Deviation(batch_id="B1", step_id=entity_id, category="c", text=reason or "", origin="manual",
                      opened_by="u1", opened_at=utc_now()),
            stream="B1", user_id="u1", action="deviation.opened", entity_type="deviation", entity_id=entity_id,
            new_value=new_value,
        )  # fmt: skip
        uow.commit()
    with db.reader().connect() as connection:
        raw = connection.connection.driver_connection
        events = _events_task(raw, db.dialect, event.seq, event.seq + 1, _prev(raw, db.dialect, event.seq))
        rows = _records_task(raw, db.dialect, "deviations", None)
        connection.rollback()
    assert events.problems == [] and events.event_suspects == [], (entity_id, reason, json.dumps(new_value))
    assert rows.problems == [] and rows.record_suspects == []


def _prev(raw: Any, dialect: str, seq: int) -> str:
    cursor = raw.cursor()
    cursor.execute(f"SELECT hash FROM audit_events WHERE seq = {seq - 1}")
    found = cursor.fetchone()
    cursor.close()
    return str(found[0]) if found else chain.GENESIS
