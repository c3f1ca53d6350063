"""The step views the engine hands the front ends: made again only for steps that changed,
always what a view made from scratch of the batch as the database holds it would show, and
typed by step kind with what the record holds of each step."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from gating.facts import Equipment, Lot
from station.composition import build_engine, open_store
from station.engine import api
from station.engine.open_batch import RecipeBook, load_state
from station.engine.script import load_script
from station.engine.views import batch_view
from tests.station.conftest import DATA, LOT, do

SCRIPTS = DATA / "scripts"
DETAIL_OF_KIND = {
    "instruction": api.InstructionDetail,
    "check": api.CheckDetail,
    "measure": api.MeasureDetail,
    "equipment": api.EquipmentDetail,
    "weigh": api.WeighDetail,
    "signature": api.SignatureDetail,
}


@pytest.mark.parametrize("script", ["para500-happy-path.yaml", "para500-refusals.yaml"])
def test_every_outcome_shows_what_a_view_made_from_scratch_shows(approved_db: str, script: str) -> None:
    engine = build_engine(db=open_store(approved_db))
    try:
        previous = None
        reused = remade = 0
        for step in load_script(SCRIPTS / script).steps:
            outcome = engine.dispatch(step.action)
            assert outcome.state is not None
            batch = outcome.state.batch
            if batch is None:
                continue
            # The batch replayed from its first event in the database (not the events this
            # engine applied in memory after its commits), every step's view made anew.
            with engine.db.unit_of_work(read_only=True) as uow:
                replayed = load_state(uow, batch.batch_id, RecipeBook())
            control = engine._batch.control
            assert control is not None
            fresh = batch_view(replayed, control, engine._batch.material_names)
            assert batch == fresh, step.describe()
            assert all(isinstance(s.detail, DETAIL_OF_KIND[s.kind]) for s in batch.steps)
            if previous is not None and previous.batch_id == batch.batch_id:
                same = sum(a is b for a, b in zip(previous.steps, batch.steps, strict=True))
                reused += same
                remade += len(batch.steps) - same
            previous = batch
        # Most steps are untouched by any one action: their views are the ones made before.
        assert reused > 5 * remade > 0
    finally:
        engine.close()


def test_a_step_view_changes_with_the_step(approved_db: str) -> None:
    engine = build_engine(db=open_store(approved_db))
    try:
        engine.dispatch(api.Login(user="op.alvarez", password="Granul8-Alvarez.26"))
        before = engine.dispatch(api.StartBatch("B-VIEW-1", "PARA500-GRAN", 3, Decimal(120), "kg")).state
        after = engine.dispatch(api.Confirm("OP10.S10")).state
        assert before is not None and after is not None and before.batch and after.batch
        old = {s.id: s for s in before.batch.steps}
        new = {s.id: s for s in after.batch.steps}
        assert (old["OP10.S10"].status, new["OP10.S10"].status) == ("active", "done")
        assert (old["OP10.S20"].status, new["OP10.S20"].status) == ("pending", "active")
        assert new["OP20.S10"] is old["OP20.S10"]  # untouched: the same view
        # A refused scan shows on its step at once, with its reasons and time.
        engine.dispatch(api.Answer("OP10.S20", True))
        engine.dispatch(api.Sign("OP10.S30", "sv.nowak", "Superv1se-Nowak.26"))
        refused = engine.dispatch(api.Scan("OP20.S10", "SCL-999-99"))
        assert refused.status == "refused" and refused.state and refused.state.batch
        scale_step = {s.id: s for s in refused.state.batch.steps}["OP20.S10"]
        assert isinstance(scale_step.detail, api.EquipmentDetail)
        last = scale_step.detail.last_refusal
        assert last is not None and last.attempted == "equipment.scan"
        assert last.codes == ("equipment_unknown",) and last.sentences == (refused.message,)
        assert last.at is not None and abs(dt.datetime.now(dt.UTC) - last.at) < dt.timedelta(minutes=1)
        assert scale_step.detail.bound is None
    finally:
        engine.close()


def test_each_step_shows_what_the_record_holds_of_it(approved_db: str) -> None:
    engine = build_engine(db=open_store(approved_db))
    try:
        outcome = do(
            engine,
            api.Login(user="op.alvarez", password="Granul8-Alvarez.26"),
            api.StartBatch("B-VIEW-2", "PARA500-GRAN", 3, Decimal(120), "kg"),
            api.Confirm("OP10.S10"),
            api.Answer("OP10.S20", True),
            api.Sign("OP10.S30", "sv.nowak", "Superv1se-Nowak.26"),
            api.Scan("OP20.S10", "SCL-150-01"),
            api.Scan("OP20.S20", LOT),
            api.Weigh("OP20.S20", gross=Decimal("61.27"), tare=Decimal("1.25")),
        )
        assert outcome.state is not None and outcome.state.batch is not None
        steps = {s.id: s.detail for s in outcome.state.batch.steps}
        check, signed, scale, weighed = (
            steps["OP10.S20"],
            steps["OP10.S30"],
            steps["OP20.S10"],
            steps["OP20.S20"],
        )
        assert isinstance(check, api.CheckDetail) and check.answer is True and check.expect is True
        assert isinstance(signed, api.SignatureDetail)
        assert (signed.signed_by, signed.signed_by_id) == ("Piotr Nowak", "sv.nowak")
        assert signed.signed_at is not None and signed.signed_at.tzinfo is not None
        # The scale as its gate saw it when it was bound: the gates' own fact type.
        assert isinstance(scale, api.EquipmentDetail) and isinstance(scale.bound, Equipment)
        assert scale.bound.id == "SCL-150-01" and scale.bound.calibrated_until == dt.date(2030, 3, 31)
        assert isinstance(weighed, api.WeighDetail)
        assert weighed.lot == Lot("RM-0101", "P24-0817", "released", dt.date(2030, 8, 31))
        assert (weighed.scale_id, weighed.scale_unit, weighed.material_name) == (
            "SCL-150-01",
            "kg",
            "Paracetamol",
        )
        accepted = weighed.weighing
        assert accepted is not None and accepted.net == Decimal("60.02") and accepted.lot == "P24-0817"
        assert accepted.weighed_by == "op.alvarez" and not accepted.overridden and accepted.source == "script"
        following = steps["OP20.S30"]
        assert isinstance(following, api.WeighDetail) and following.lot is None and following.weighing is None
    finally:
        engine.close()
