"""Four eyes against the people who did the thing, gates at every use with the facts of that
moment, readings no scale can make, and sessions of accounts that may no longer act.

Each case drives the real engine on a real SQLite file, then reads the record back."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from ebr import events as ev
from ebr import users
from station.composition import build_engine, open_store
from station.engine import api
from station.engine.engine import Engine
from tests.station.conftest import LOT, SITE, as_user, cli, do, to_dispensing, to_the_scale

NOWAK = ("sv.nowak", "Superv1se-Nowak.26")
HADDAD = ("sv.haddad", "Superv1se-Haddad.26")


@pytest.fixture
def engine(approved_db: str) -> Iterator[Engine]:
    engine = build_engine(db=open_store(approved_db))
    yield engine
    engine.close()


def _stream(engine: Engine, batch: str) -> list[ev.AuditedEvent]:
    with engine.db.unit_of_work(read_only=True) as uow:
        return [r.event for r in uow.stream(batch)]


def test_a_supervisor_may_not_override_his_own_refused_weighing(engine: Engine) -> None:
    """sv.nowak weighs out of tolerance, op.chen logs in at the station: nowak's override is
    still his own; haddad's goes through, and the record keeps that nowak weighed."""
    do(
        engine,
        api.Login(user="sv.nowak", password=NOWAK[1]),
        api.StartBatch("B-4E-1", "PARA500-GRAN", 3, Decimal(120), "kg"),
        api.Confirm("OP10.S10"),
        api.Answer("OP10.S20", True),
        api.Sign("OP10.S30", *HADDAD),
        api.Scan("OP20.S10", "SCL-150-01"),
        api.Scan("OP20.S20", LOT),
    )
    refused = engine.dispatch(api.Weigh("OP20.S20", gross=Decimal("61.85"), tare=Decimal("1.25")))
    assert refused.reasons == ("weight_out_of_tolerance",)
    do(engine, api.Logout(), api.Login(user="op.chen", password="Granul8-Chen.26"), api.OpenBatch("B-4E-1"))
    own = engine.dispatch(api.Override("OP20.S20", *NOWAK, "within assay correction"))
    assert own.status == "refused" and own.reasons == ("independent_signer_required",)
    other = engine.dispatch(api.Override("OP20.S20", *HADDAD, "within assay correction"))
    assert other.status == "deviation", other.message
    accepted = [e for e in _stream(engine, "B-4E-1") if isinstance(e, ev.WeighingAccepted)]
    assert [a.performed_by for a in accepted] == ["sv.nowak"]


def test_whoever_answered_a_blocking_check_may_not_decide_on_it(engine: Engine) -> None:
    do(
        engine,
        api.Login(user="sv.nowak", password=NOWAK[1]),
        api.StartBatch("B-4E-2", "PARA500-GRAN", 3, Decimal(120), "kg"),
        api.Confirm("OP10.S10"),
    )
    answered = engine.dispatch(api.Answer("OP10.S20", False))
    assert answered.status == "deviation"
    own = engine.dispatch(api.Decide("OP10.S20", *NOWAK, "continue", "label re-checked"))
    assert own.status == "refused" and own.reasons == ("independent_signer_required",)
    assert engine.dispatch(api.Decide("OP10.S20", *HADDAD, "continue", "label re-checked")).status == "done"


def test_a_no_at_a_blocking_check_stops_the_line_until_a_supervisor_decides(engine: Engine) -> None:
    """The reference recipe's clean-label check carries ``on_failure: block``."""
    do(
        engine,
        api.Login(user="op.alvarez", password="Granul8-Alvarez.26"),
        api.StartBatch("B-BLOCK", "PARA500-GRAN", 3, Decimal(120), "kg"),
        api.Confirm("OP10.S10"),
    )
    answered = engine.dispatch(api.Answer("OP10.S20", False))
    assert answered.status == "deviation" and "step_blocked_by_deviation" in answered.reasons
    signed = engine.dispatch(api.Sign("OP10.S30", *NOWAK))
    assert signed.status == "refused" and signed.reasons == ("step_blocked_by_deviation",)
    overridden = engine.dispatch(api.Override("OP10.S20", *HADDAD, "just go on"))
    assert overridden.status == "refused" and overridden.reasons == ("step_blocked_by_deviation",)
    by_operator = engine.dispatch(api.Decide("OP10.S20", "op.chen", "Granul8-Chen.26", "continue", "x"))
    assert by_operator.reasons == ("role_required",)
    # Hold: the batch waits; resumed, it is still stopped at the check.
    assert (
        engine.dispatch(api.Decide("OP10.S20", *HADDAD, "hold", "granulator to be re-cleaned")).status
        == "done"
    )
    assert engine.state().batch is not None and engine.state().batch.status == "on_hold"
    do(engine, api.Resume("re-cleaned"))
    assert engine.dispatch(api.Sign("OP10.S30", *NOWAK)).reasons == ("step_blocked_by_deviation",)
    # Repeat: the check is asked again; answered YES, the batch goes on.
    assert (
        engine.dispatch(api.Decide("OP10.S20", *HADDAD, "repeat", "re-cleaned, check again")).status == "done"
    )
    do(engine, api.Answer("OP10.S20", True), api.Sign("OP10.S30", *NOWAK))
    events = _stream(engine, "B-BLOCK")
    decided = [e for e in events if isinstance(e, ev.OverrideSigned)]
    assert [e.reason_code for e in decided] == ["step_blocked_by_deviation"] * 2
    closed = [e for e in events if isinstance(e, ev.DeviationClosed)]
    assert [c.decision for c in closed] == ["repeat"]
    refused = [e for e in events if isinstance(e, ev.ActionRefused)]
    assert {e.attempted for e in refused} >= {ev.Attempt.STEP_SIGN, ev.Attempt.OVERRIDE, ev.Attempt.DECISION}


def test_a_lot_recalled_after_its_scan_is_not_weighed(
    engine: Engine, approved_db: str, tmp_path: Path
) -> None:
    to_dispensing(engine, "B-RECALL")
    recalled = tmp_path / "recall.yaml"
    text = SITE.read_text(encoding="utf-8")
    released = "{material: RM-0101, lot: P24-0817, status: released"
    assert released in text
    recalled.write_text(
        text.replace(released, "{material: RM-0101, lot: P24-0817, status: quarantined"), "utf-8"
    )
    assert cli("master", "import", recalled, "--db", approved_db, *as_user("qa.dubois", tmp_path)) == 0
    weighed = engine.dispatch(api.Weigh("OP20.S20", gross=Decimal("61.27"), tare=Decimal("1.25")))
    assert weighed.status == "refused" and weighed.reasons == ("lot_quarantined",)
    assert not [e for e in _stream(engine, "B-RECALL") if isinstance(e, ev.WeighingAccepted)]


@pytest.mark.parametrize(
    ("gross", "tare", "reasons"),
    [
        ("152.5", "1.25", ("weight_above_capacity",)),
        ("40", "-20", ("weight_invalid",)),
        ("61.273456789", "1.25", ("weight_invalid",)),
        ("1.255", "1.25", ("weight_below_minimum", "weight_out_of_tolerance")),
    ],
)
def test_readings_no_scale_can_make_are_refused(
    engine: Engine, gross: str, tare: str, reasons: tuple[str, ...]
) -> None:
    to_dispensing(engine, "B-READ")
    weighed = engine.dispatch(api.Weigh("OP20.S20", gross=Decimal(gross), tare=Decimal(tare)))
    assert weighed.status == "refused"
    assert set(reasons) <= set(weighed.reasons), weighed.reasons
    refused = [e for e in _stream(engine, "B-READ") if isinstance(e, ev.ActionRefused)][-1]
    assert refused.attempted == ev.Attempt.WEIGHING and set(reasons) <= set(refused.codes)


def test_a_deactivated_users_session_ends_at_the_next_action(engine: Engine) -> None:
    to_the_scale(engine, "B-GONE")
    with engine.db.unit_of_work() as uow:
        users.deactivate_user(uow, "op.alvarez", by="adm.kim", reason="left the company")
        uow.commit()
    outcome = engine.dispatch(api.Scan("OP20.S20", LOT))
    assert outcome.status == "error" and "has ended" in outcome.message
    assert engine.user_id is None
    with engine.db.unit_of_work(read_only=True) as uow:
        last = [r for r in uow.stream("site")][-1]
    assert isinstance(last.event, ev.LoggedOut) and last.event.why == "session_ended"
    assert not [e for e in _stream(engine, "B-GONE") if isinstance(e, ev.LotIdentified)]


def test_a_password_reset_by_an_admin_signs_nothing(engine: Engine) -> None:
    do(
        engine,
        api.Login(user="op.alvarez", password="Granul8-Alvarez.26"),
        api.StartBatch("B-RESET", "PARA500-GRAN", 3, Decimal(120), "kg"),
        api.Confirm("OP10.S10"),
        api.Answer("OP10.S20", True),
    )
    with engine.db.unit_of_work() as uow:
        users.reset_password(uow, "sv.haddad", "Temp-Passw0rd-1", by="adm.kim", reason="forgot it")
        uow.commit()
    signed = engine.dispatch(api.Sign("OP10.S30", "sv.haddad", "Temp-Passw0rd-1"))
    assert signed.status == "refused" and signed.reasons == ("password_change_required",)
    assert engine.dispatch(api.Sign("OP10.S30", *NOWAK)).status == "done"


def test_a_clock_set_back_records_nothing(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """Under a clock eleven months behind the newest record, expired training, lots and
    calibrations would pass and the record's times would run backwards: nothing is written."""
    import datetime as dt

    import ebr.clock

    to_the_scale(engine, "B-CLOCK")
    with engine.db.unit_of_work(read_only=True) as uow:
        before = len(list(uow.stream("B-CLOCK")))
    real = ebr.clock.utc_now
    monkeypatch.setattr(ebr.clock, "utc_now", lambda: real() - dt.timedelta(days=335))
    outcome = engine.dispatch(api.Scan("OP20.S20", LOT))
    assert outcome.status == "error" and "is behind the newest record" in outcome.message
    monkeypatch.setattr(ebr.clock, "utc_now", lambda: real() - dt.timedelta(minutes=2))  # within tolerance
    assert engine.dispatch(api.Scan("OP20.S20", LOT)).status == "done"
    with engine.db.unit_of_work(read_only=True) as uow:
        assert len(list(uow.stream("B-CLOCK"))) == before + 1


def test_the_training_a_step_relied_on_is_the_records_not_todays(
    engine: Engine, approved_db: str, tmp_path: Path
) -> None:
    """Exports before and after the LMS changes a training record tell the same story: each
    step keeps the training its gate saw."""
    import json

    from station.exports import export_batch

    to_dispensing(engine, "B-TRAIN")
    first = json.loads(export_batch(engine.db, "B-TRAIN", "json", printed_by="qa.dubois"))
    changed = tmp_path / "lms.yaml"
    old = (
        "{user: op.alvarez, document: SOP-DISP-003, revision: 7, trained_on: 2026-05-11, expires: 2030-05-11}"
    )
    text = SITE.read_text(encoding="utf-8")
    assert old in text
    changed.write_text(text.replace(old, old.replace("2030-05-11}", "2031-05-11}")), encoding="utf-8")
    assert cli("master", "import", changed, "--db", approved_db, *as_user("qa.dubois", tmp_path)) == 0
    second = json.loads(export_batch(engine.db, "B-TRAIN", "json", printed_by="qa.dubois"))
    assert first["batch_record"]["operations"] == second["batch_record"]["operations"]
    trained = {t for op in second["batch_record"]["operations"] for s in op["steps"] for e in s["executions"]
               for t in e["training"]}  # fmt: skip
    assert "SOP-DISP-003 rev 7, trained 2026-05-11, valid through 2030-05-11" in trained


def test_a_rejected_record_goes_back_for_correction_and_a_new_review(engine: Engine) -> None:
    from station import exports
    from tests.engine_batches import happy_path

    for action in happy_path(batch_id="B-FIX")[:-1]:
        assert engine.dispatch(action).status == "done", action
    review = dict(user="qa.dubois", password="Rev1ew-Dubois.26")
    exports.review_batch(engine.db, "B-FIX", approve=False, comment="OP20.S30 label missing", **review)
    with pytest.raises(exports.ReviewRefused, match="reviewed already"):  # nothing corrected yet
        exports.review_batch(engine.db, "B-FIX", approve=True, comment="ok", **review)
    # The correction: the missing label explained as a deviation, acknowledged by a supervisor.
    do(
        engine,
        api.RaiseDeviation("documentation", "Label of OP20.S30 printed late; attached", "OP20.S30"),
        api.Override("OP20.S30", *HADDAD, "Label attached to the batch folder"),
    )
    approved = exports.review_batch(engine.db, "B-FIX", approve=True, comment="corrected", **review)
    assert approved.approved
    with pytest.raises(exports.ReviewRefused, match="reviewed already"):
        exports.review_batch(engine.db, "B-FIX", approve=True, comment="again", **review)
    verdicts = [e.verdict for e in _stream(engine, "B-FIX") if isinstance(e, ev.ReviewDecided)]
    assert verdicts == ["rejected", "approved"]


@pytest.mark.parametrize("batch_id", ["../../tmp/x", "B-1\nB-2", "B-\u202e1", "\u0412-2611", "B" * 65])
def test_a_batch_id_follows_the_documented_pattern(engine: Engine, batch_id: str) -> None:
    do(engine, api.Login(user="op.alvarez", password="Granul8-Alvarez.26"))
    outcome = engine.dispatch(api.StartBatch(batch_id, "PARA500-GRAN", 3, Decimal(120), "kg"))
    assert outcome.status == "error" and "the batch id" in outcome.message
    assert "\n" not in outcome.message and len(outcome.message) < 200
    assert engine.batches() == []


def test_free_text_has_a_limit_at_entry(engine: Engine) -> None:
    to_the_scale(engine, "B-TEXT")
    huge = "x" * 5_000_000
    outcome = engine.dispatch(api.RaiseDeviation("other", huge, "OP20.S20"))
    assert outcome.status == "error" and "at most 4,000" in outcome.message
    assert engine.dispatch(api.Hold(huge)).status == "error"
    assert not [e for e in _stream(engine, "B-TEXT") if isinstance(e, ev.DeviationOpened)]


def test_an_unreadable_scan_is_echoed_short_and_kept_short(engine: Engine) -> None:
    to_the_scale(engine, "B-GARBAGE")
    outcome = engine.dispatch(api.Scan("OP20.S20", "\x00garbage" * 20_000))
    assert outcome.status == "refused" and len(outcome.message) < 200 and "\x00" not in outcome.message
    refused = [e for e in _stream(engine, "B-GARBAGE") if isinstance(e, ev.ActionRefused)][-1]
    assert len(refused.attempt["code"]) == 512 and refused.attempt["length"] == 160_000
