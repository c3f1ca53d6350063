"""Schema: models and migrations agree, upgrade is idempotent, the database refuses edits."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from ebr import events as ev
from ebr.database import Database, default_url, open_database, parse_url
from ebr.errors import (
    BadDatabaseUrl,
    DatabaseLocked,
    DatabaseMissing,
    DatabaseReadOnly,
    DatabaseUnreachable,
    SchemaMissing,
)
from ebr.migrate import current_revision, head_revision, upgrade
from ebr.models import APPEND_ONLY_TABLES, RECORD_TABLES, Base
from ebr.verify import verify


def test_models_and_migrations_agree(db_url: str) -> None:
    db = open_database(db_url)
    upgrade(db)
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []
    db.dispose()


def test_upgrade_twice_is_a_no_op(db_url: str) -> None:
    db = open_database(db_url)
    upgrade(db)
    before = db.table_names()
    upgrade(db)
    assert db.table_names() == before
    assert current_revision(db) == head_revision()
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM chain_head")).scalar_one() == 1
        assert connection.execute(text("SELECT count(*) FROM sync_state")).scalar_one() == 1
    db.dispose()


def test_every_record_table_is_append_only() -> None:
    assert set(RECORD_TABLES) | {"audit_events"} == set(APPEND_ONLY_TABLES)
    assert {"batches", "batch_status_changes", "step_executions", "equipment_bindings", "lot_consumptions",
            "measurements", "deviations", "deviation_closures", "overrides", "signatures",
            "reviews"} <= set(RECORD_TABLES)  # fmt: skip


@pytest.mark.parametrize("statement", ["UPDATE {t} SET uid = uid", "DELETE FROM {t}"])
def test_database_refuses_update_and_delete(batch_db: tuple[Database, Any], statement: str) -> None:
    # The triggers fire per row: the batch has a record of every kind.
    site_db, _ = batch_db
    for table in APPEND_ONLY_TABLES:
        key = "seq" if table == "audit_events" else "uid"
        sql = statement.format(t=table).replace("uid = uid", f"{key} = {key}")
        with site_db.engine.connect() as connection:
            count = connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
            assert count > 0, table
            with pytest.raises(DBAPIError, match="append-only"):
                connection.execute(text(sql))
            connection.rollback()


@pytest.mark.postgres
def test_postgres_refuses_truncate(pg_database_url: str) -> None:
    db = open_database(pg_database_url)
    upgrade(db)
    with db.engine.connect() as connection, pytest.raises(DBAPIError, match="append-only"):
        connection.execute(text("TRUNCATE audit_events"))
    db.dispose()


def test_sqlite_connection_settings(sqlite_db: Database) -> None:
    with sqlite_db.engine.connect() as connection:
        pragma = {name: connection.exec_driver_sql(f"PRAGMA {name}").scalar() for name in
                  ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")}  # fmt: skip
    assert pragma == {"journal_mode": "wal", "synchronous": 2, "foreign_keys": 1, "busy_timeout": 5000}


def test_a_new_sqlite_file_has_small_pages_and_an_old_one_keeps_its_own(tmp_path: Path) -> None:
    from ebr.database import PAGE_SIZE

    new = open_database(f"sqlite:///{tmp_path / 'new.db'}")
    try:
        upgrade(new)
        with new.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA page_size").scalar() == PAGE_SIZE == 2048
    finally:
        new.dispose()
    # A station file made with SQLite's default pages opens, upgrades and writes as before.
    old_path = tmp_path / "old.db"
    with sqlite3.connect(old_path) as made:
        made.execute("PRAGMA page_size = 4096")
        made.execute("PRAGMA journal_mode = WAL")
    old = open_database(f"sqlite:///{old_path}")
    try:
        upgrade(old)
        with old.unit_of_work() as uow:
            uow.write(ev.LoginSucceeded(user="test.kept"), stream="site", user_id=None)
            uow.commit()
        with old.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA page_size").scalar() == 4096
    finally:
        old.dispose()


def test_unit_of_work_rolls_back_unless_committed(site_db: Database) -> None:
    with site_db.unit_of_work() as uow:
        uow.write(ev.LoginSucceeded(user="test.rolled_back"), stream="site", user_id=None)
    with site_db.unit_of_work() as uow:
        event, _ = uow.write(ev.LoginSucceeded(user="test.kept"), stream="site", user_id=None)
        uow.commit()
    with site_db.engine.connect() as connection:
        actions = (
            connection.execute(text("SELECT entity_id FROM audit_events WHERE entity_id LIKE 'test.%'"))
            .scalars()
            .all()
        )
        assert actions == ["test.kept"]
        assert connection.execute(text("SELECT last_seq FROM chain_head")).scalar_one() == event.seq


def test_bad_urls() -> None:
    for url in ("not a url", "mysql://u@h/db", "postgresql+asyncpg://u@h/db", "sqlite+foo:///x.db"):
        with pytest.raises(BadDatabaseUrl) as info:
            open_database(url)
        assert "\n" not in str(info.value)
    assert parse_url("postgresql://u@h/db").drivername == "postgresql+psycopg"


def test_unreachable_server() -> None:
    with pytest.raises(DatabaseUnreachable) as info:
        open_database("postgresql://nobody:secret@127.0.0.1:1/none")
    message = str(info.value)
    assert "\n" not in message and "secret" not in message


def test_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(DatabaseUnreachable):
        open_database(f"sqlite:///{tmp_path / 'no' / 'such' / 'dir.db'}")


def test_missing_schema(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'empty.db'}")
    with pytest.raises(SchemaMissing, match="mes-station db upgrade"), db.unit_of_work():
        pass


def test_locked_database(site_sqlite: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    path = site_sqlite.url.database
    assert path
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    monkeypatch.setattr("ebr.database.BUSY_TIMEOUT_MS", 100)
    other = open_database(str(site_sqlite.url))
    try:
        with pytest.raises(DatabaseLocked) as info, other.unit_of_work():
            pass
        assert "\n" not in str(info.value)
        with other.unit_of_work(read_only=True) as uow:  # readers are not blocked (WAL)
            assert uow.user("op.alvarez") is not None
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        other.dispose()


def test_write_units_of_work_are_serialised(site_sqlite: Database) -> None:
    """Two threads appending at once: the chain stays one unbroken line."""
    from ebr.verify import verify

    errors: list[BaseException] = []

    def writer(name: str) -> None:
        try:
            for i in range(10):
                with site_sqlite.unit_of_work() as uow:
                    uow.write(ev.LoginSucceeded(user=f"{name}{i}"), stream=f"S-{name}", user_id=None)
                    uow.commit()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in "AB"]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    report = verify(site_sqlite)
    assert report.ok, report


def test_default_url(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MES_STATION_DB", f"sqlite:///{tmp_path / 'env.db'}")
    assert default_url() == f"sqlite:///{tmp_path / 'env.db'}"
    monkeypatch.delenv("MES_STATION_DB")
    monkeypatch.setattr("platformdirs.user_data_dir", lambda app: str(tmp_path / "data" / app))
    assert default_url().endswith("mes-station/mes-station.db")
    db = open_database(None)
    assert (tmp_path / "data" / "mes-station").is_dir()
    db.dispose()


# ---------------------------------------------------------------- a store that must not be made or written


def test_a_missing_file_is_no_new_store_unless_asked(tmp_path: Path) -> None:
    typo = tmp_path / "statoin.db"
    with pytest.raises(DatabaseMissing, match=f"no such database: {typo}"):
        open_database(f"sqlite:///{typo}", create=False)
    with pytest.raises(DatabaseMissing):
        open_database(f"sqlite:///{typo}", read_only=True)
    assert list(tmp_path.iterdir()) == []


def test_a_store_opened_read_only_verifies_and_leaves_nothing_behind(site_sqlite: Database) -> None:
    path = Path(site_sqlite.url.database or "")
    site_sqlite.dispose()  # the station is not running: its log is folded back into the file
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]
    reader = open_database(f"sqlite:///{path}", read_only=True)
    try:
        assert verify(reader).ok
        with pytest.raises(DatabaseReadOnly, match="is open read-only"), reader.unit_of_work() as uow:
            uow.write(ev.LoginSucceeded(user="auditor"), stream="site", user_id=None)
            uow.commit()
    finally:
        reader.dispose()
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]


def test_a_server_store_opened_read_only_refuses_writes(pg_database_url: str) -> None:
    db = open_database(pg_database_url)
    upgrade(db)
    db.dispose()
    reader = open_database(pg_database_url, read_only=True)
    try:
        assert verify(reader).ok
        with pytest.raises(DatabaseReadOnly), reader.unit_of_work() as uow:
            uow.write(ev.LoginSucceeded(user="auditor"), stream="site", user_id=None)
            uow.commit()
    finally:
        reader.dispose()
