"""Backups of a PostgreSQL store: one snapshot dumped while a writer appends, the chain checked
out of the dump itself; a damaged dump or a tampered store is refused; a restore replaces the
tables and verifies."""

from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path

import pytest
from ebr_testing import PASSWORDS, import_site, write_full_batch
from sqlalchemy import text

from ebr.backup import BackupError, check_backup, manifest_path, restore_backup, take_backup
from ebr.database import open_database
from ebr.migrate import upgrade
from ebr.verify import verify

pytestmark = pytest.mark.postgres


def test_dumps_while_writing_restore_and_verify(pg_database_url: str, tmp_path: Path) -> None:
    db = open_database(pg_database_url)
    try:
        upgrade(db)
        import_site(db)
        failure: list[BaseException] = []

        def writer() -> None:
            try:
                write_full_batch(db, "B26-0001")
            except BaseException as exc:  # reported below
                failure.append(exc)

        thread = threading.Thread(target=writer)
        thread.start()
        during = [take_backup(pg_database_url, tmp_path / f"during-{n}.dump") for n in range(3)]
        thread.join()
        assert not failure, failure
        after = take_backup(pg_database_url, tmp_path / "after.dump")
        with db.engine.connect() as connection:
            head = connection.execute(text("SELECT last_seq FROM chain_head")).scalar_one()
        assert all(m.verified and m.store == "postgresql" for m in [*during, after])
        assert during[0].chain_last_seq < after.chain_last_seq == head

        # the first dump, taken mid-batch, restored over the store: exactly its events, intact
        first = tmp_path / "during-0.dump"
        kept = restore_backup(first, pg_database_url, check_backup(first))
        assert "one transaction" in kept
        report = verify(db)
        assert report.ok and report.events_checked == during[0].chain_last_seq

        # a truncated dump is refused even with a manifest made to match its bytes
        damaged = tmp_path / "damaged.dump"
        raw = bytearray((tmp_path / "after.dump").read_bytes())
        del raw[len(raw) // 2 :]  # cut short, as a full disk or an interrupted copy leaves it
        damaged.write_bytes(bytes(raw))
        data = json.loads(manifest_path(tmp_path / "after.dump").read_text())
        data.update(sha256=hashlib.sha256(raw).hexdigest(), file=damaged.name)
        manifest_path(damaged).write_text(json.dumps(data))
        with pytest.raises(BackupError, match="does not verify"):
            check_backup(damaged)

        # a store altered behind the station's back is not backed up as if it were intact
        with db.engine.begin() as connection:
            connection.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
            connection.execute(text("UPDATE audit_events SET reason = 'edited' WHERE seq = 3"))
        with pytest.raises(BackupError, match="does not verify, nothing kept: TAMPERED: event 3"):
            take_backup(pg_database_url, tmp_path / "tampered.dump")
        assert not list(tmp_path.glob("*tampered*"))
    finally:
        db.dispose()


def test_the_commands_on_a_server_store(
    pg_database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from station.cli import main

    monkeypatch.setenv("MES_STATION_CONFIG", "")
    assert main(["db", "upgrade", "--db", pg_database_url]) == 0
    capsys.readouterr()
    assert main(["db", "backup", str(tmp_path), "--db", pg_database_url]) == 0
    out = capsys.readouterr().out
    (dump,) = tmp_path.glob("*.dump")
    assert out.startswith(f"{dump}: ") and "verified" in out
    password = tmp_path / "pw"
    password.write_text(PASSWORDS["adm.kim"])
    who = ["--user", "adm.kim", "--password-file", str(password)]
    assert main(["db", "restore", str(dump), "--db", pg_database_url, *who]) == 1  # no users: no admin
    assert "refused: " in capsys.readouterr().err
    db = open_database(pg_database_url)
    try:
        import_site(db)
    finally:
        db.dispose()
    assert main(["db", "backup", str(tmp_path / "with-users.dump"), "--db", pg_database_url]) == 0
    dump = tmp_path / "with-users.dump"
    capsys.readouterr()
    assert main(["db", "restore", str(dump), "--db", pg_database_url, *who]) == 0
    assert "the tables were replaced in one transaction" in capsys.readouterr().out
    assert main(["db", "restore", str(dump), "--db", f"sqlite:///{tmp_path / 'x.db'}", *who]) == 1
    assert "is a backup of a postgresql store, not of a sqlite one" in capsys.readouterr().err
