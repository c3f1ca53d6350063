"""Engine behaviour beyond the reference scripts: overrides, deviations, hold, sequence."""

from __future__ import annotations

import sqlite3
import typing
from collections.abc import Iterator
from decimal import Decimal

import pytest

from ebr import events as ev
from ebr.lifecycle import (
    BatchStatus,
    IllegalTransition,
    StepStatus,
    batch_transition,
    step_transition,
)
from station.composition import build_engine, open_store
from station.engine import api
from station.engine.engine import HANDLERS, Engine
from tests.station.conftest import do, to_dispensing


@pytest.fixture
def engine(approved_db: str) -> Iterator[Engine]:
    engine = build_engine(db=open_store(approved_db))
    yield engine
    engine.db.dispose()


def test_out_of_sequence_is_refused_and_recorded(engine: Engine, approved_db: str) -> None:
    do(
        engine,
        api.Login(user="op.alvarez", password="Granul8-Alvarez.26"),
        api.StartBatch("B-SEQ", "PARA500-GRAN", 3, Decimal(120), "kg"),
    )
    outcome = engine.dispatch(api.Answer("OP10.S20", True))
    assert outcome.status == "refused" and outcome.reasons == ("sequence",)
    assert "the current step is OP10.S10" in outcome.message
    with sqlite3.connect(approved_db.removeprefix("sqlite:///")) as con:
        refused = con.execute(
            "select reason from audit_events where outcome='refused' and stream='B-SEQ'"
        ).fetchall()
    assert refused == [("sequence",)]


def test_weight_out_of_tolerance_overridden_by_a_supervisor_opens_a_deviation(engine: Engine) -> None:
    to_dispensing(engine)
    refused = engine.dispatch(api.Weigh("OP20.S20", gross=Decimal("61.85"), tare=Decimal("1.25")))
    assert refused.reasons == ("weight_out_of_tolerance",) and refused.refusals[0].overridable
    # An operator cannot override; a supervisor without a reason cannot either.
    assert engine.dispatch(api.Override("OP20.S20", "op.chen", "Granul8-Chen.26", "fine")).reasons == (
        "role_required",
    )
    assert (
        engine.dispatch(api.Override("OP20.S20", "sv.haddad", "Superv1se-Haddad.26", "  ")).status == "error"
    )
    outcome = engine.dispatch(
        api.Override("OP20.S20", "sv.haddad", "Superv1se-Haddad.26", "Within assay correction")
    )
    assert outcome.status == "deviation"
    assert outcome.state is not None and outcome.state.batch is not None
    assert outcome.state.batch.current_step == "OP20.S30"


def test_hard_refusals_cannot_be_overridden(engine: Engine) -> None:
    do(
        engine,
        api.Login(user="op.alvarez", password="Granul8-Alvarez.26"),
        api.StartBatch("B-HARD", "PARA500-GRAN", 3, Decimal(120), "kg"),
        api.Confirm("OP10.S10"),
        api.Answer("OP10.S20", True),
        api.Sign("OP10.S30", "sv.nowak", "Superv1se-Nowak.26"),
        api.Scan("OP20.S10", "SCL-150-01"),
    )
    assert engine.dispatch(api.Scan("OP20.S20", "]C101040123450001081730053110P24-0502")).reasons == (
        "lot_quarantined",
    )
    outcome = engine.dispatch(api.Override("OP20.S20", "sv.haddad", "Superv1se-Haddad.26", "urgent"))
    assert outcome.status == "refused" and "cannot be overridden" in outcome.message
    assert outcome.reasons == ("lot_quarantined",)
    # The supervisor's attempt is on record, with who tried and what they met.
    with engine.db.unit_of_work(read_only=True) as uow:
        last = [r for r in uow.stream("B-HARD")][-1]
    assert isinstance(last.event, ev.ActionRefused) and last.event.attempted == ev.Attempt.OVERRIDE
    assert last.user_id == "op.alvarez" and last.event.attempt["supervisor"] == "sv.haddad"


def test_value_out_of_limits_is_recorded_and_blocks_completion_until_acknowledged(engine: Engine) -> None:
    to_dispensing(engine)
    do(
        engine,
        api.Weigh("OP20.S20", gross=Decimal("61.27"), tare=Decimal("1.25")),
        api.Scan("OP20.S30", "]C1010401234500020710M24-1130\x1d17301130"),
        api.Weigh("OP20.S30", gross=Decimal("49.10"), tare=Decimal("1.25")),
        api.Scan("OP20.S40", "SCL-006-01"),
        api.Scan("OP20.S50", "]C101040123450003061730022810K24-0220"),
        api.Weigh("OP20.S50", gross=Decimal("3.9310"), tare=Decimal("0.3120")),
        api.Scan("OP20.S60", "]C101040123450005041730013110C25-0103"),
        api.Weigh("OP20.S60", gross=Decimal("2.7295"), tare=Decimal("0.3120")),
        api.Sign("OP20.S70", "sv.haddad", "Superv1se-Haddad.26"),
        api.Scan("OP30.S10", "GRN-01"),
        api.Confirm("OP30.S20"),
    )
    high = engine.dispatch(api.Enter("OP30.S30", Decimal(171)))
    assert high.status == "deviation" and high.reasons == ("value_out_of_limits",)
    assert "171" in high.message
    do(
        engine,
        api.Enter("OP30.S40", Decimal("5.0")),
        api.Enter("OP30.S50", Decimal("1.84")),
        api.Sign("OP30.S60", "op.alvarez", "Granul8-Alvarez.26"),
    )
    blocked = engine.dispatch(api.Complete())
    assert blocked.status == "refused" and blocked.reasons == ("deviation_open",)
    do(engine, api.Override("OP30.S30", "sv.haddad", "Superv1se-Haddad.26", "Tachometer re-read; no impact"))
    final = do(engine, api.Complete())
    assert final.state is not None and final.state.batch is not None
    assert final.state.batch.status == "completed" and final.state.batch.open_deviations == ()


def test_hold_and_resume(engine: Engine) -> None:
    do(
        engine,
        api.Login(user="op.alvarez", password="Granul8-Alvarez.26"),
        api.StartBatch("B-HOLD", "PARA500-GRAN", 3, Decimal(120), "kg"),
        api.Hold("granulator alarm"),
    )
    held = engine.dispatch(api.Confirm("OP10.S10"))
    assert held.status == "error" and "on hold" in held.message
    do(engine, api.Resume("alarm cleared"), api.Confirm("OP10.S10"))


def test_nobody_logged_in_and_unknown_step(engine: Engine) -> None:
    assert engine.dispatch(api.Confirm("OP10.S10")).status == "error"
    do(
        engine,
        api.Login(user="op.alvarez", password="Granul8-Alvarez.26"),
        api.StartBatch("B-UNK", "PARA500-GRAN", 3, Decimal(120), "kg"),
    )
    assert "not a step" in engine.dispatch(api.Confirm("OP99.S10")).message


def test_lockout_after_five_failures(engine: Engine) -> None:
    for _ in range(4):
        assert engine.dispatch(api.Login(user="op.chen", password="nope")).reasons == ("login_invalid",)
    assert engine.dispatch(api.Login(user="op.chen", password="nope")).status == "refused"
    locked = engine.dispatch(api.Login(user="op.chen", password="Granul8-Chen.26"))
    assert locked.reasons == ("account_locked",)


def test_lifecycles_are_strict() -> None:
    assert step_transition(StepStatus.ACTIVE, "identify_lot") is StepStatus.LOT_IDENTIFIED
    with pytest.raises(IllegalTransition):
        step_transition(StepStatus.PENDING, "complete")
    with pytest.raises(IllegalTransition):
        step_transition(StepStatus.DONE, "complete")
    with pytest.raises(IllegalTransition):
        batch_transition(BatchStatus.COMPLETED, "resume")
    with pytest.raises(IllegalTransition):
        batch_transition(BatchStatus.ON_HOLD, "complete")


def test_every_action_has_its_handler() -> None:
    assert set(HANDLERS) == set(typing.get_args(api.Action))
