"""The station's background WAL checkpoints: the log is copied into the database file off the
writer's path, the log starts again from its beginning once copied, nothing is lost, and the
thread ends with the store."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

from ebr import events as ev
from ebr.database import WRITER_CHECKPOINT_PAGES, Database, open_database
from ebr.migrate import upgrade
from ebr.verify import verify


def _append(db: Database, n: int) -> None:
    for i in range(n):
        with db.unit_of_work() as uow:
            # A logout with a long station name: about 2 KB an event, so the log grows quickly.
            logout = ev.LoggedOut(user=f"op.{i}", station="S" * 2000)
            uow.write(logout, stream="site", user_id=None)
            uow.commit()


def _checkpoint_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "ebr-wal-checkpoint"]


def test_log_is_checkpointed_in_the_background_and_nothing_is_lost(tmp_path: Path) -> None:
    path = tmp_path / "station.db"
    db = open_database(f"sqlite:///{path}")
    upgrade(db)
    before = len(_checkpoint_threads())
    db.checkpoint_in_background()
    db.checkpoint_in_background()  # once per store
    assert len(_checkpoint_threads()) == before + 1
    checkpointer = db.checkpointer
    assert checkpointer is not None
    with db.engine.connect() as connection:
        pages = connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar()
    assert pages == WRITER_CHECKPOINT_PAGES  # the writers' own checkpoint comes later
    _append(db, 300)  # about 2000 pages of log, under the writers' own threshold
    deadline = time.monotonic() + 10
    while checkpointer.rounds == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert checkpointer.rounds > 0
    time.sleep(3 * checkpointer.interval_s)  # the last round has copied everything
    assert path.stat().st_size > 300 * 2000  # the events are in the database file itself
    _append(db, 1)
    # The log was copied whole, so that write started it again from its beginning.
    with sqlite3.connect(path) as probe:
        probe.execute("PRAGMA wal_autocheckpoint = 0")
        _busy, frames, _copied = probe.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    assert 0 < frames < 100
    db.dispose()
    assert len(_checkpoint_threads()) == before
    again = open_database(f"sqlite:///{path}")
    try:
        report = verify(again)
        assert report.ok and report.events_checked >= 301, report
    finally:
        again.dispose()


def test_only_for_a_sqlite_file() -> None:
    memory = open_database("sqlite:///:memory:")
    memory.checkpoint_in_background()
    assert memory.checkpointer is None
    memory.dispose()
