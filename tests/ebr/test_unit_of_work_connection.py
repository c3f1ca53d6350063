"""A unit of work is a transaction on one connection; the ORM session is made only when used,
and on SQLite one connection is kept open between units of work."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from ebr import events as ev
from ebr.audit import SITE_STREAM, EventInfo
from ebr.database import Database
from ebr.master_seal import seal_of
from ebr.models import AuditEvent, User
from ebr.uow import UnitOfWork
from ebr.verify import verify


def _login(uow: UnitOfWork, who: str, stream: str = SITE_STREAM) -> EventInfo:
    """A login of ``who``: an event the station writes every shift (no typed record)."""
    info, _ = uow.write(ev.LoginSucceeded(user=who), stream=stream, user_id=None)
    return info


def _logins(db: Database) -> list[str | None]:
    """Who logged in, in the order written (the entity of each login event)."""
    with db.unit_of_work(read_only=True) as uow:
        query = select(AuditEvent.entity_id).where(AuditEvent.action == "login.succeeded")
        return list(uow.session.scalars(query.order_by(AuditEvent.seq)))


def _user_added(uow: UnitOfWork, user_id: str) -> None:
    """A user row and its master-data event (with the row's seal), as an import writes them."""
    row = User(id=user_id, name=user_id.title(), roles=["operator"], failed_attempts=0, locked=False, active=True,
               must_change_password=True)  # fmt: skip
    uow.session.add(row)
    uow.session.flush()
    after = {"id": user_id, "roles": ["operator"]}
    seal = seal_of(row, uow.connection.dialect)
    added = ev.MasterDataChanged(kind="user", entity=user_id, after=after, seal=seal)
    uow.write(added, stream=SITE_STREAM, user_id=None)


def test_appending_makes_no_session_and_commits(db: Database) -> None:
    with db.unit_of_work() as uow:
        _login(uow, "test.first")
        assert uow._session is None  # the chain is written on the connection alone
        uow.commit()
    assert _logins(db)[-1:] == ["test.first"]


def test_a_unit_of_work_goes_on_after_a_commit(db: Database) -> None:
    with db.unit_of_work() as uow:
        first = _login(uow, "test.one")
        uow.commit()
        second = _login(uow, "test.two")
        uow.commit()
        third = _login(uow, "test.never")  # not committed: rolled back on leaving
    assert (first.seq + 1, first.seq + 2) == (second.seq, third.seq)
    assert _logins(db)[-2:] == ["test.one", "test.two"]
    assert verify(db).ok


def test_rows_added_through_the_session_are_written_before_the_event_and_kept_with_it(db: Database) -> None:
    with db.unit_of_work() as uow:
        # The event speaks of the user: the row is in the database before the event (a record
        # written on the connection may name it in a foreign key).
        _user_added(uow, "u.new")
        seen = uow.connection.exec_driver_sql("SELECT count(*) FROM users WHERE id = 'u.new'").scalar()
        assert seen == 1
        uow.commit()
        _user_added(uow, "u.later")
        uow.commit()
    with db.unit_of_work(read_only=True) as uow:
        assert {"u.new", "u.later"} <= set(uow.session.scalars(select(User.id)))
    assert verify(db).ok


def test_nothing_stays_of_a_unit_of_work_that_failed(db: Database) -> None:
    before = _logins(db)
    with pytest.raises(RuntimeError), db.unit_of_work() as uow:
        _login(uow, "test.lost")
        raise RuntimeError("the station lost power here")
    assert _logins(db) == before
    with db.unit_of_work() as uow:  # the next one works, on a connection in no transaction
        _login(uow, "test.after")
        uow.commit()
    assert _logins(db)[-1] == "test.after"
    assert verify(db).ok


def test_sqlite_keeps_one_connection_between_units_of_work(sqlite_db: Database) -> None:
    kept = []
    for read_only in (False, True, False):
        with sqlite_db.unit_of_work(read_only=read_only) as uow:
            kept.append(uow.connection)
    assert kept[0] is kept[1] is kept[2]
    sqlite_db.release_connections()  # given back to the pool
    assert kept[0].closed
    with sqlite_db.unit_of_work() as uow:
        assert uow.connection is not kept[0]


def test_a_unit_of_work_inside_another_takes_its_own_connection(sqlite_db: Database) -> None:
    with sqlite_db.unit_of_work() as outer:
        _login(outer, "test.outer")
        with sqlite_db.unit_of_work(read_only=True) as inner:
            assert inner.connection is not outer.connection
            # The outer transaction has not committed: the inner one does not see its event.
            assert "test.outer" not in list(inner.session.scalars(select(AuditEvent.entity_id)))
        outer.commit()
    assert _logins(sqlite_db)[-1] == "test.outer"


def test_threads_write_one_after_another_without_losing_an_event(sqlite_db: Database) -> None:
    errors: list[BaseException] = []

    def writer(name: str) -> None:
        try:
            for i in range(20):
                with sqlite_db.unit_of_work() as uow:
                    _login(uow, f"test.{name}.{i}", stream=f"S-{name}")
                    uow.commit()
        except BaseException as exc:  # pragma: no cover - shown by the assert below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in ("a", "b", "c")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    with sqlite_db.unit_of_work(read_only=True) as uow:
        count = uow.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.entity_id.like("test.%"))
        )
    assert count == 60
    assert verify(sqlite_db).ok


def test_a_reading_unit_of_work_on_the_kept_connection_takes_no_write_lock(sqlite_db: Database) -> None:
    import sqlite3

    path = sqlite_db.url.database
    assert path
    with sqlite_db.unit_of_work() as uow:  # the kept connection, used for writing first
        uow.commit()
    with sqlite_db.unit_of_work(read_only=True) as reader:
        reader.chain_seq()
        other = sqlite3.connect(path, timeout=0.2, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")  # would time out if the reader held the lock
            other.execute("ROLLBACK")
        finally:
            other.close()


def test_releasing_the_kept_connection_during_a_unit_of_work_waits_for_its_end(sqlite_db: Database) -> None:
    with sqlite_db.unit_of_work() as uow:
        kept = uow.connection
        sqlite_db.release_connections()  # e.g. the station shutting down meanwhile
        assert not kept.closed
        _login(uow, "test.during.release")
        uow.commit()
    assert kept.closed
    assert _logins(sqlite_db)[-1] == "test.during.release"
    with sqlite_db.unit_of_work() as uow:
        assert uow.connection is not kept
