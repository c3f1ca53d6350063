"""The step views the engine hands the front ends are made again only for steps that changed,
and are always what a view made from scratch would show."""

from __future__ import annotations

from pathlib import Path

import pytest

from station.composition import build_engine, open_store
from station.engine import engine as engine_module
from station.engine.script import load_script
from tests.station.conftest import DATA

SCRIPTS = DATA / "scripts"


@pytest.mark.parametrize("script", ["para500-happy-path.yaml", "para500-refusals.yaml"])
def test_every_outcome_shows_what_a_view_made_from_scratch_shows(approved_db: str, script: str) -> None:
    engine = build_engine(db=open_store(approved_db))
    try:
        previous = None
        reused = 0
        for step in load_script(SCRIPTS / script).steps:
            outcome = engine.dispatch(step.action)
            assert outcome.state is not None
            batch = outcome.state.batch
            if batch is None:
                continue
            fresh = engine_module._batch_view(engine._state, engine._control, engine._material_names)
            assert batch == fresh, step.describe()
            if previous is not None and previous.batch_id == batch.batch_id:
                reused += sum(a is b for a, b in zip(previous.steps, batch.steps, strict=True))
            previous = batch
        # Most steps are untouched by any one action: their views are the ones made before.
        assert reused > 0
    finally:
        engine.close()


def test_a_step_view_changes_with_the_step(approved_db: str, tmp_path: Path) -> None:
    from decimal import Decimal

    from station.engine import api

    engine = build_engine(db=open_store(approved_db))
    try:
        engine.dispatch(api.Login(user="op.alvarez", password="Granul8-Alvarez"))
        before = engine.dispatch(api.StartBatch("B-VIEW-1", "PARA500-GRAN", 3, Decimal(120), "kg")).state
        after = engine.dispatch(api.Confirm("OP10.S10")).state
        assert before is not None and after is not None and before.batch and after.batch
        old = {s.id: s for s in before.batch.steps}
        new = {s.id: s for s in after.batch.steps}
        assert (old["OP10.S10"].status, new["OP10.S10"].status) == ("active", "done")
        assert (old["OP10.S20"].status, new["OP10.S20"].status) == ("pending", "active")
        assert new["OP20.S10"] is old["OP20.S10"]  # untouched: the same view
        # A refused scan shows on its step at once.
        engine.dispatch(api.Answer("OP10.S20", True))
        engine.dispatch(api.Sign("OP10.S30", "sv.nowak", "Superv1se-Nowak"))
        refused = engine.dispatch(api.Scan("OP20.S10", "SCL-999-99"))
        assert refused.status == "refused" and refused.state and refused.state.batch
        scale_step = {s.id: s for s in refused.state.batch.steps}["OP20.S10"]
        assert scale_step.detail["last_refusal"] is not None
    finally:
        engine.close()
