"""Master data that changes while a batch runs is what the next gate sees."""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from pathlib import Path

from ebr import users
from station.composition import build_engine, open_store
from station.engine import api
from station.engine.master_facts import MasterFacts
from tests.station.conftest import LOT, SITE, as_user, cli, do, to_dispensing, to_the_scale


def test_training_expired_by_an_import_mid_batch_refuses_the_next_step(
    approved_db: str, tmp_path: Path
) -> None:
    engine = build_engine(db=open_store(approved_db))
    try:
        to_the_scale(engine, "B-MD-1")
        # The LMS withdraws Maria Alvarez's dispensing training; the site file is imported again.
        changed = tmp_path / "site.yaml"
        changed.write_text(
            SITE.read_text(encoding="utf-8").replace(
                "{user: op.alvarez, document: SOP-DISP-003, revision: 7, trained_on: 2026-05-11, expires: 2030-05-11}",
                "{user: op.alvarez, document: SOP-DISP-003, revision: 7, trained_on: 2024-05-11, expires: 2025-05-11}",
            ),
            encoding="utf-8",
        )
        assert cli("master", "import", changed, "--db", approved_db, *as_user("qa.dubois", tmp_path)) == 0
        outcome = engine.dispatch(api.Scan("OP20.S20", LOT))
        assert outcome.status == "refused"
        assert outcome.reasons == ("training_expired",)
        assert "SOP-DISP-003" in outcome.message
    finally:
        engine.db.dispose()


def test_lot_and_scale_seen_before_are_looked_at_again_after_an_import(
    approved_db: str, tmp_path: Path
) -> None:
    """The engine keeps lots, materials and equipment it has read while the site stream shows no
    master-data change; logins and logouts in between keep them, an import drops them."""
    engine = build_engine(db=open_store(approved_db))
    try:
        to_dispensing(engine, "B-MD-2")
        # Shift change: both are site events, neither changes master data.
        assert engine.dispatch(api.Logout()).status == "done"
        assert engine.dispatch(api.Login(user="op.alvarez", password="Granul8-Alvarez.26")).status == "done"
        assert engine.dispatch(api.OpenBatch("B-MD-2")).status == "done"
        # QA quarantines the lot and the scale's calibration lapses; the site file is imported.
        changed = tmp_path / "site.yaml"
        text = SITE.read_text(encoding="utf-8")
        text = text.replace(
            "{material: RM-0101, lot: P24-0817, status: released, expiry: 2030-08-31}",
            "{material: RM-0101, lot: P24-0817, status: quarantined, expiry: 2030-08-31}",
        )
        text = text.replace(
            '{id: SCL-150-01, class: FLOOR-SCALE-150KG, serial_number: "B150-4471920", name: Floor scale 150 kg bay 1, status: in_service,\n'
            "     calibrated_until: 2030-03-31,",
            '{id: SCL-150-01, class: FLOOR-SCALE-150KG, serial_number: "B150-4471920", name: Floor scale 150 kg bay 1, status: in_service,\n'
            "     calibrated_until: 2025-03-31,",
        )
        assert "quarantined, expiry: 2030-08-31}" in text and "calibrated_until: 2025-03-31" in text
        changed.write_text(text, encoding="utf-8")
        assert cli("master", "import", changed, "--db", approved_db, *as_user("qa.dubois", tmp_path)) == 0
        # The scale bound before the import is checked again at the moment of weighing.
        weighed = engine.dispatch(api.Weigh("OP20.S20", gross=Decimal("61.27"), tare=Decimal("1.25")))
        assert weighed.status == "refused"
        assert "equipment_calibration_due" in weighed.reasons
        # A new batch scanning the same lot label, already decoded and looked up once.
        assert (
            engine.dispatch(api.StartBatch("B-MD-3", "PARA500-GRAN", 3, Decimal(120), "kg")).status == "done"
        )
        do(
            engine,
            api.Confirm("OP10.S10"),
            api.Answer("OP10.S20", True),
            api.Sign("OP10.S30", "sv.nowak", "Superv1se-Nowak.26"),
        )
        assert engine.dispatch(api.Scan("OP20.S10", "SCL-150-01")).reasons == ("equipment_calibration_due",)
        assert engine.dispatch(api.Scan("OP20.S10", "SCL-150-02")).status == "refused"  # lapsed in 2026
    finally:
        engine.db.dispose()


def test_a_batch_written_by_another_station_is_followed(approved_db: str) -> None:
    """Two engines on one database: each sees what the other recorded before its next action
    (the chain head tells it that someone else has written)."""
    first = build_engine(db=open_store(approved_db))
    second = build_engine(db=open_store(approved_db))
    try:
        do(
            first,
            api.Login(user="op.alvarez", password="Granul8-Alvarez.26"),
            api.StartBatch("B-MD-4", "PARA500-GRAN", 3, Decimal(120), "kg"),
            api.Confirm("OP10.S10"),
        )
        assert second.dispatch(api.Login(user="op.alvarez", password="Granul8-Alvarez.26")).status == "done"
        assert second.dispatch(api.OpenBatch("B-MD-4")).status == "done"
        assert second.dispatch(api.Answer("OP10.S20", True)).status == "done"
        # The first engine's last commit is no longer the chain head: it reads the batch again.
        again = first.dispatch(api.Answer("OP10.S20", True))
        assert again.status == "refused" and again.reasons == ("sequence",)
        assert first.dispatch(api.Sign("OP10.S30", "sv.nowak", "Superv1se-Nowak.26")).status == "done"
        assert second.state().batch is not None
        assert second.state().batch.current_step == "OP20.S10"  # type: ignore[union-attr]
    finally:
        first.db.dispose()
        second.db.dispose()


def test_master_facts_are_read_again_only_after_a_master_data_event(approved_db: str, tmp_path: Path) -> None:
    """``MasterFacts`` trusts the site stream: a lot read once is not read again while the
    stream shows no ``master.*`` event (a login in between changes nothing), and is read
    again after an import."""
    db = open_store(approved_db)
    facts = MasterFacts()

    def lot_status() -> str | None:
        with db.unit_of_work(read_only=True) as uow:
            facts.new_action()
            lot = facts.lot(uow, "RM-0101", "P24-0817")
            return None if lot is None else lot.status

    try:
        assert lot_status() == "released"
        # Changed behind the record's back (no event says so): what is kept is not read again.
        with sqlite3.connect(approved_db.removeprefix("sqlite:///")) as con:
            con.execute("update lots set status = 'rejected' where lot = 'P24-0817'")
        with db.unit_of_work() as uow:
            assert users.authenticate(uow, "op.alvarez", "Granul8-Alvarez.26").ok
            uow.commit()
        assert lot_status() == "released"
        # An import is master.* events in the site stream: everything kept is read again.
        changed = tmp_path / "site.yaml"
        changed.write_text(
            SITE.read_text(encoding="utf-8").replace(
                "{material: RM-0101, lot: P24-0817, status: released, expiry: 2030-08-31}",
                "{material: RM-0101, lot: P24-0817, status: quarantined, expiry: 2030-08-31}",
            ),
            encoding="utf-8",
        )
        assert cli("master", "import", changed, "--db", approved_db, *as_user("qa.dubois", tmp_path)) == 0
        assert lot_status() == "quarantined"
    finally:
        db.dispose()
