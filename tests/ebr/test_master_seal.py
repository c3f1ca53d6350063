"""Master data under the chain: a row changed in the file itself, outside the station, is
caught by ``ebr verify``; every change the station makes carries the row's new seal."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select, text

from ebr import events as ev
from ebr.database import Database, open_database
from ebr.migrate import SEALED_AT_UPGRADE, upgrade
from ebr.models import AuditEvent
from ebr.users import authenticate, hash_password, reset_password, unlock_user
from ebr.verify import verify

LEGACY = Path(__file__).resolve().parents[1] / "data" / "legacy" / "before-vocabulary.db"


def _edit(db: Database, statement: str) -> None:
    """What an insider with a database client does: an UPDATE or INSERT outside the station."""
    with db.engine.begin() as connection:
        connection.execute(text(statement))


def _problems(db: Database) -> list[str]:
    report = verify(db)
    return [p.problem for p in report.problems]


def test_imported_master_data_verifies(site_db: Database) -> None:
    assert verify(site_db).ok


@pytest.mark.parametrize(
    ("statement", "entity"),
    [
        ("UPDATE lots SET status = 'released' WHERE lot = 'P24-0502'", "lot RM-0101/P24-0502"),
        ("UPDATE equipment SET calibrated_until = '2030-10-31' WHERE id = 'SCL-150-02'", "equipment SCL-150-02"),
        ("UPDATE users SET roles = '[\"operator\", \"qa\"]' WHERE id = 'op.chen'", "user op.chen"),
        ("UPDATE users SET locked = true WHERE id = 'op.chen'", "user op.chen"),
        ("UPDATE training_records SET expires = '2099-01-01' WHERE user_id = 'op.okafor' "
         "AND document_code = 'SOP-GRAN-012'", "training op.okafor/SOP-GRAN-012/4"),
    ],
)  # fmt: skip
def test_a_row_changed_outside_the_station_is_caught(site_db: Database, statement: str, entity: str) -> None:
    _edit(site_db, statement)
    problems = _problems(site_db)
    assert problems == [f"master data {entity}: the row is not what event {_last_seal_seq(site_db, entity)} "
                        "recorded (changed outside the station)"]  # fmt: skip


def test_a_forged_password_hash_is_caught(site_db: Database) -> None:
    forged = hash_password("Chosen-by-the-forger-1")
    _edit(site_db, f"UPDATE users SET password_hash = '{forged}' WHERE id = 'qa.dubois'")
    assert not verify(site_db).ok
    assert any("user qa.dubois" in p for p in _problems(site_db))


def test_a_user_inserted_outside_the_station_is_caught(site_db: Database) -> None:
    _edit(
        site_db,
        "INSERT INTO users (uid, id, name, roles, badge, password_hash, must_change_password, "
        "failed_attempts, locked, active) VALUES ('00000000-0000-4000-8000-000000000001', 'qa.fake', "
        "'Claire Dubois', '[\"qa\"]', NULL, NULL, false, 0, false, true)",
    )
    assert _problems(site_db) == ["master data user qa.fake: no event vouches for this row"]


def test_every_change_the_station_makes_is_sealed(site_db: Database) -> None:
    with site_db.unit_of_work() as uow:
        for _ in range(5):  # wrong passwords, then locked
            assert not authenticate(uow, "op.chen", "wrong").ok
        uow.commit()
    assert verify(site_db).ok
    with site_db.unit_of_work() as uow:
        unlock_user(uow, "op.chen", by="sv.haddad", reason="help desk call")
        reset_password(uow, "op.chen", "Temp-Passw0rd-9", by="adm.kim", reason="forgotten")
        uow.commit()
    with site_db.unit_of_work() as uow:
        assert authenticate(uow, "op.chen", "Temp-Passw0rd-9").ok
        uow.commit()
    assert verify(site_db).ok


def test_a_store_written_before_seals_is_sealed_as_found_once(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    shutil.copyfile(LEGACY, path)
    with sqlite3.connect(path) as con:
        assert con.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
        rows = sum(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                   for t in ("documents", "users", "training_records", "materials", "lots", "equipment"))  # fmt: skip
    db = open_database(f"sqlite:///{path}")
    try:
        upgrade(db)
        upgrade(db)  # again: nothing more to seal
        with db.unit_of_work(read_only=True) as uow:
            sealed = [r.event for r in uow.stream("site") if isinstance(r.event, ev.MasterDataSealed)]
        assert len(sealed) == rows
        assert {e.note for e in sealed} == {SEALED_AT_UPGRADE}
        assert verify(db).ok
        _edit(db, "UPDATE lots SET status = 'released' WHERE lot = 'C25-0311'")  # rejected in the file
        assert _problems(db) == [
            f"master data lot RM-0505/C25-0311: the row is not what event {_last_seal_seq(db, 'lot RM-0505/C25-0311')} "
            "recorded (changed outside the station)"
        ]
    finally:
        db.dispose()


def _last_seal_seq(db: Database, entity: str) -> int:
    kind, key = entity.split(" ", 1)
    with db.unit_of_work(read_only=True) as uow:
        seqs = uow.session.scalars(
            select(AuditEvent.seq).where(AuditEvent.entity_type == kind, AuditEvent.entity_id == key)
        ).all()
    return max(seqs)
