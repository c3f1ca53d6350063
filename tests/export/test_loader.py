"""The loader against a real store: batches the engine recorded read back as the station saw
them (the replay of each batch's stream), and every export of what it reads verifies."""

from __future__ import annotations

import ast
import datetime as dt
import io
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader

import ebr.export
from ebr import events as ev
from ebr.database import Database
from ebr.errors import NotFound
from ebr.export.batchml import export_batchml, validate_batchml
from ebr.export.json_export import export_json
from ebr.export.json_verify import verify_export
from ebr.export.loader import load_batch_record
from ebr.export.pdf_export import export_pdf
from ebr.export.record import BatchRecord, find_exceptions
from station.composition import open_store
from station.engine import api
from tests import engine_batches as eb
from tests.export.conftest import HAPPY_COMMENT, REJECTED_COMMENT


def _load(db: Database, batch_id: str) -> BatchRecord:
    with db.unit_of_work(read_only=True) as uow:
        return load_batch_record(uow.session, batch_id, chain_verified=True, site_timezone="Europe/Berlin")


def test_the_happy_path_loads_as_the_script_ran(happy: BatchRecord) -> None:
    h = happy.header
    assert (h.recipe_code, h.recipe_version, h.status, h.chain_verified) == (
        "PARA500-GRAN",
        3,
        "completed",
        True,
    )
    assert h.product_name == "Paracetamol 500 mg granulate" and h.recipe_approved_by == "qa.dubois"
    assert h.started_by == "op.alvarez" and h.completed_at is not None and h.completed_at >= h.started_at
    steps = [s for _, s in happy.steps()]
    assert len(steps) == 16 and all(s.status == "done" for s in steps)
    assert [str(c.net) for c in happy.consumptions] == ["60.02", "47.85", "3.6190", "2.4175"]
    assert all(c.accepted and c.gtin and c.lot_status == "released" for c in happy.consumptions)
    assert [c.scale_id for c in happy.consumptions] == [
        "SCL-150-01",
        "SCL-150-01",
        "SCL-006-01",
        "SCL-006-01",
    ]
    assert [str(c.readability) for c in happy.consumptions] == ["0.01", "0.01", "0.0001", "0.0001"]
    assert [str(c.high) for c in happy.consumptions] == ["60.3000", "48.480", "3.636", "2.448"]  # in kg
    assert happy.consumptions[2].lot_retest == dt.date(2030, 2, 28)
    assert [str(m.value) for m in happy.measurements] == ["150", "5.0", "1.84"]
    on_steps = [(s.step_id, s.printed_name) for s in happy.signatures if s.step_id]
    assert on_steps == [
        ("OP10.S30", "Piotr Nowak"),
        ("OP20.S70", "Leila Haddad"),
        ("OP30.S60", "Maria Alvarez"),
    ]
    [review] = happy.reviews
    assert (review.decision, review.reviewer, review.comment) == ("approved", "qa.dubois", HAPPY_COMMENT)
    assert happy.signature(review.signature_uid) is not None
    assert [(e.step_id, e.equipment_id, e.bind) for e in happy.equipment] == [
        ("OP20.S10", "SCL-150-01", "floor_scale"),
        ("OP20.S40", "SCL-006-01", "bench_scale"),
        ("OP30.S10", "GRN-01", "granulator"),
    ]
    assert {p.user_id for p in happy.personnel} == {"op.alvarez", "sv.nowak", "sv.haddad", "qa.dubois"}
    assert find_exceptions(happy).none


def test_each_action_at_a_step_is_an_execution_by_whom_did_it(happy: BatchRecord) -> None:
    steps = {s.step_id: s for _, s in happy.steps()}
    signed = steps["OP10.S30"].executions
    assert [(e.action, e.user_id, e.event) for e in signed] == [("step.signed", "sv.nowak", ev.StepSigned)]
    weigh = steps["OP20.S20"].executions
    assert [e.event for e in weigh] == [ev.LotIdentified, ev.WeighingAccepted]
    assert weigh[0].result == "Lot P24-0817 of RM-0101 (released, expires 2030-08-31)"
    assert weigh[1].result == "Net 60.02 kg (gross 61.27, tare 1.25) of lot P24-0817 on SCL-150-01"
    assert weigh[1].ref is not None and weigh[1].uid == happy.consumptions[0].uid
    assert steps["OP30.S30"].executions[0].result == "150 rpm"
    # Labels, the review and the signatures' own events are not actions at a step.
    shown = {e.action for _, s in happy.steps() for e in s.executions}
    assert not shown & {"label.printed", "label.reprinted", "review.approved", "signature.signed"}


def test_the_refusals_load_as_exceptions(refusals: BatchRecord) -> None:
    assert [(r.step_id, r.action, r.reason_code) for r in refusals.refusals] == [
        ("OP10.S30", "step.sign", "independent_signer_required"),
        ("OP10.S30", "step.sign", "signature_invalid"),
        ("OP20.S10", "equipment.scan", "equipment_calibration_due"),
        ("OP20.S20", "lot.scan", "lot_quarantined"),
        ("OP20.S20", "weighing", "weight_out_of_tolerance"),
    ]
    refused = [c for c in refusals.consumptions if not c.accepted]
    assert [(str(c.net), c.lot, c.lot_status, c.scale_id) for c in refused] == [
        ("60.60", "P24-0817", "released", "SCL-150-01")
    ]
    assert str(refused[0].high) == "60.3000" and refused[0].refusal_reason == "weight_out_of_tolerance"
    found = find_exceptions(refusals)
    assert len(found.refused_weighings) == 1 and len(found.reweighs) == 1 and len(found.other_refusals) == 4
    assert refusals.header.status == "in_progress" and refusals.header.completed_at is None
    status = {s.step_id: s.status for _, s in refusals.steps()}
    assert status["OP20.S20"] == "done" and status["OP20.S30"] == "active" and status["OP30.S60"] == "pending"


def test_every_exception_is_read_back(exceptional: BatchRecord) -> None:
    record = exceptional
    assert record.header.status == "completed"
    overridden = {o.step_id: o for o in record.overrides}
    refusals = {r.uid: r for r in record.refusals}
    # The weighing refusal is what sv.haddad overrode, not the override refused in between.
    weighing = refusals[overridden["OP20.S20"].refusal_uid or ""]
    assert (weighing.action, weighing.reason_code) == ("weighing", "weight_out_of_tolerance")
    assert refusals[overridden["OP20.S50"].refusal_uid or ""].reason_code == "lot_retest_due"
    assert [o.refusal_uid for s, o in overridden.items() if s in ("OP10.S20", "OP20.S30", "OP30.S30")] == [None] * 3  # fmt: skip
    assert all(record.signature(o.signature_uid) for o in record.overrides)
    assert [(d.number, d.step_id, d.origin) for d in record.deviations] == [
        ("DEV-01", "OP10.S20", "check_blocked"),  # the clean-label check stops the batch (on_failure: block)
        ("DEV-02", "OP20.S20", "override"),
        ("DEV-03", "OP20.S30", "manual"),
        ("DEV-04", "OP20.S50", "override"),
        ("DEV-05", "OP30.S30", "value_out_of_limits"),
    ]
    assert all(d.is_closed and d.closed_by == "sv.haddad" for d in record.deviations)
    assert record.deviations[1].closure_reason == (
        "Recorded with the supervisor's e-signed override: Within assay correction"
    )
    assert record.deviations[2].closure_reason == "Spill cleaned, no impact"
    [out] = [m for m in record.measurements if not m.in_limits]
    assert (str(out.value), out.deviation_uid) == ("171", record.deviations[4].uid)
    lot = next(c for c in record.consumptions if c.step_id == "OP20.S50")
    assert (lot.lot, lot.lot_retest) == ("K23-0901", dt.date(2026, 9, 1))
    accepted = next(c for c in record.consumptions if c.step_id == "OP20.S20" and c.accepted)
    assert accepted.net == Decimal("60.60")  # accepted under the override
    assert ("review", "role_required") in [(r.action, r.reason_code) for r in record.refusals]
    [review] = record.reviews
    assert (review.decision, review.reviewer, review.comment) == ("rejected", "qa.berg", REJECTED_COMMENT)
    actions = [e["action"] for e in record.events]
    assert actions[1:3] == ["batch.held", "batch.resumed"]
    assert actions.count("label.printed") == 1 and actions.count("label.reprinted") == 1


def test_a_held_batch_reads_as_held(held: BatchRecord) -> None:
    assert held.header.status == "on_hold"
    status = {s.step_id: s.status for _, s in held.steps()}
    assert status["OP20.S20"] == "done" and status["OP20.S30"] == "active"


def test_step_status_is_the_station_replay(template: Path, tmp_path: Path) -> None:
    """A lot identified makes the step lot_identified; a step tried out of turn stays pending
    (the station refused it), whatever was attempted there."""
    url = eb.copy_of(template, tmp_path)
    actions = eb.happy_path("OP20.S30", batch_id="B-2611-006")[:-1]
    eb.dispatch(url, [*actions, api.Scan("OP20.S30", eb.LOTS["M24-1130"]), api.Confirm("OP30.S20")])
    db = open_store(url)
    try:
        record = _load(db, "B-2611-006")
    finally:
        db.dispose()
    steps = {s.step_id: s for _, s in record.steps()}
    assert steps["OP20.S30"].status == "lot_identified"
    assert steps["OP30.S20"].status == "pending"
    assert [e.result.split(":")[0] for e in steps["OP30.S20"].executions] == ["REFUSED (sequence)"]


@pytest.mark.parametrize("batch_id", ["B-2611-001", "B-2611-002", "B-2611-003", "B-2611-005"])
def test_every_export_of_a_loaded_record_verifies(load: Callable[[str], BatchRecord], batch_id: str) -> None:
    record = load(batch_id)
    result = verify_export(export_json(record))
    assert result.ok, result.problem
    assert validate_batchml(export_batchml(record)) == []
    pdf = PdfReader(io.BytesIO(export_pdf(record, "qa.berg", dt.datetime(2026, 11, 27, 8, 0, tzinfo=dt.UTC))))
    first = pdf.pages[0].extract_text()
    assert batch_id in first and f"Page 1 of {len(pdf.pages)}" in first


def test_unknown_batch(store: Database) -> None:
    with store.unit_of_work(read_only=True) as uow, pytest.raises(NotFound):
        load_batch_record(uow.session, "B-NOPE")


def test_loading_writes_nothing(store: Database) -> None:
    with store.unit_of_work(read_only=True) as uow:
        head = uow.chain_seq()
    before, after = _load(store, "B-2611-003"), _load(store, "B-2611-003")
    assert before == after
    with store.unit_of_work(read_only=True) as uow:
        assert uow.chain_seq() == head


def _literals(path: Path) -> list[str]:
    """Every string constant of a module, its docstrings aside."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
    }
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
    ]


def test_the_exports_compare_no_action_names() -> None:
    """The exports dispatch on the event classes: no module of ebr.export holds an action name
    of the vocabulary (or the refused suffix) as a string to compare with."""
    names = {name for cls in ev.ALL_EVENTS for name in cls.actions() if name}
    found = []
    for source in Path(ebr.export.__file__).parent.glob("*.py"):
        for text in _literals(source):
            if text in names or text.endswith(".refused") or any(text.startswith(f"{n}.") for n in names):
                found.append(f"{source.name}: {text!r}")
    assert found == []
