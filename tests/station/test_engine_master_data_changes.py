"""Master data that changes while a batch runs is what the next gate sees."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from station.composition import build_engine, open_store
from station.engine import api
from tests.station.conftest import SITE, cli


def test_training_expired_by_an_import_mid_batch_refuses_the_next_step(
    approved_db: str, tmp_path: Path
) -> None:
    engine = build_engine(db=open_store(approved_db))
    try:
        for action in (
            api.Login(user="op.alvarez", password="Granul8-Alvarez"),
            api.StartBatch("B-MD-1", "PARA500-GRAN", 3, Decimal(120), "kg"),
            api.Confirm("OP10.S10"),
            api.Answer("OP10.S20", True),
            api.Sign("OP10.S30", "sv.nowak", "Superv1se-Nowak"),
            api.Scan("OP20.S10", "SCL-150-01"),
        ):
            assert engine.dispatch(action).status == "done"
        # The LMS withdraws Maria Alvarez's dispensing training; the site file is imported again.
        changed = tmp_path / "site.yaml"
        changed.write_text(
            SITE.read_text(encoding="utf-8").replace(
                "{user: op.alvarez, document: SOP-DISP-003, revision: 7, trained_on: 2026-05-11, expires: 2030-05-11}",
                "{user: op.alvarez, document: SOP-DISP-003, revision: 7, trained_on: 2024-05-11, expires: 2025-05-11}",
            ),
            encoding="utf-8",
        )
        assert cli("master", "import", changed, "--db", approved_db) == 0
        outcome = engine.dispatch(api.Scan("OP20.S20", "]C101040123450001081730083110P24-0817"))
        assert outcome.status == "refused"
        assert outcome.reasons == ("training_expired",)
        assert "SOP-DISP-003" in outcome.message
    finally:
        engine.db.dispose()
