"""The loader against a real store: the reference scripts run through the engine, then every
export of what the loader reads verifies and validates."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from pypdf import PdfReader

from ebr import models, records, signatures, users
from ebr.database import Database
from ebr.errors import NotFound
from ebr.export.batchml import export_batchml, validate_batchml
from ebr.export.json_export import export_json
from ebr.export.json_verify import verify_export
from ebr.export.loader import load_batch_record
from ebr.export.pdf_export import export_pdf
from ebr.export.record import BatchRecord, find_exceptions

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    composition = pytest.importorskip("station.composition")
    runner = pytest.importorskip("station.engine.runner")
    script_module = pytest.importorskip("station.engine.script")
    from ebr.masterdata import import_master_data
    from ebr.recipe_store import approve_recipe, import_recipe
    from recipes.loader import load_recipe

    patch = pytest.MonkeyPatch()  # cheap argon2 parameters for the test users (ebr.users allows it)
    patch.setattr(users, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    try:
        path = tmp_path_factory.mktemp("store") / "ebr.db"
        db = composition.open_store(f"sqlite:///{path}")
        with db.unit_of_work() as uow:
            import_master_data(uow, DATA / "masterdata" / "site.yaml", None)
            uow.commit()
        recipe_file = DATA / "recipes" / "para500-granulation.yaml"
        with db.unit_of_work() as uow:
            import_recipe(uow, load_recipe(recipe_file), recipe_file.read_text(), "adm.kim")
            uow.commit()
        with db.unit_of_work() as uow:
            approve_recipe(uow, "PARA500-GRAN", 3, "qa.dubois", "Rev1ew-Dubois")
            uow.commit()
        engine = composition.build_engine(db=db)
        for name in ("para500-happy-path.yaml", "para500-refusals.yaml"):
            out, err = io.StringIO(), io.StringIO()
            script = script_module.load_script(DATA / "scripts" / name)
            assert runner.run_script(engine, script, out=out, err=err) == 0, err.getvalue()
        with db.unit_of_work() as uow:  # the QA review, e-signed over the review record
            event = records.record_review(
                uow, batch_id="B-2611-001", reviewer="qa.berg", outcome="approved", comment="No exceptions."
            )
            review = uow.session.get(models.Review, event.record.uid if event.record else "")
            signatures.sign(
                uow,
                user_id="qa.berg",
                password="Rev1ew-Berg",
                meaning="Batch record reviewed and approved",
                record_table="reviews",
                record_uid=review.uid if review else "",
                batch_id="B-2611-001",
            )
            uow.commit()
    finally:
        patch.undo()
    yield db


def _load(db: Database, batch_id: str) -> BatchRecord:
    with db.unit_of_work(read_only=True) as uow:
        return load_batch_record(uow.session, batch_id, chain_verified=True, site_timezone="Europe/Berlin")


def test_happy_path_loads_completely(store: Database) -> None:
    record = _load(store, "B-2611-001")
    h = record.header
    assert (h.recipe_code, h.recipe_version, h.status) == ("PARA500-GRAN", 3, "completed")
    assert h.product_name == "Paracetamol 500 mg granulate" and h.recipe_approved_by == "qa.dubois"
    assert h.completed_at is not None
    steps = [s for _, s in record.steps()]
    assert len(steps) == 16 and all(s.status == "done" for s in steps)
    assert [str(c.net) for c in record.consumptions] == ["60.02", "47.85", "3.6190", "2.4175"]
    assert all(c.accepted and c.scale_id and c.gtin for c in record.consumptions)
    assert [str(c.readability) for c in record.consumptions] == ["0.01", "0.01", "0.0001", "0.0001"]
    assert [str(m.value) for m in record.measurements] == ["150", "5.0", "1.84"]
    step_signatures = [s for s in record.signatures if s.step_id]
    assert [s.printed_name for s in step_signatures] == ["Piotr Nowak", "Leila Haddad", "Maria Alvarez"]
    assert [r.decision for r in record.reviews] == ["approved"] and record.reviews[0].signature_uid
    assert {e.equipment_id for e in record.equipment} == {"SCL-150-01", "SCL-006-01", "GRN-01"}
    assert {p.user_id for p in record.personnel} >= {"op.alvarez", "sv.nowak", "sv.haddad", "qa.berg"}
    assert find_exceptions(record).none


def test_refusals_load_as_exceptions(store: Database) -> None:
    record = _load(store, "B-2611-002")
    codes = [r.reason_code for r in record.refusals]
    assert codes == [
        "independent_signer_required",
        "signature_invalid",
        "equipment_calibration_due",
        "lot_quarantined",
        "weight_out_of_tolerance",
    ]
    refused = [c for c in record.consumptions if not c.accepted]
    assert [(str(c.net), c.lot, c.lot_status) for c in refused] == [("60.60", "P24-0817", "released")]
    assert str(refused[0].high) == "60.3000"
    found = find_exceptions(record)
    assert len(found.refused_weighings) == 1 and len(found.reweighs) == 1 and len(found.other_refusals) == 4
    assert record.header.status == "in_progress"


@pytest.mark.parametrize("batch_id", ["B-2611-001", "B-2611-002"])
def test_every_export_of_a_loaded_record_verifies(store: Database, batch_id: str) -> None:
    record = _load(store, batch_id)
    result = verify_export(export_json(record))
    assert result.ok, result.problem
    assert validate_batchml(export_batchml(record)) == []
    pdf = PdfReader(io.BytesIO(export_pdf(record, "qa.berg", dt.datetime(2026, 11, 27, 8, 0, tzinfo=dt.UTC))))
    first = pdf.pages[0].extract_text()
    assert batch_id in first and f"Page 1 of {len(pdf.pages)}" in first


def test_unknown_batch(store: Database) -> None:
    with store.unit_of_work(read_only=True) as uow, pytest.raises(NotFound):
        load_batch_record(uow.session, "B-NOPE")


def test_open_database_is_only_read(store: Database) -> None:
    before = _load(store, "B-2611-001")
    after = _load(store, "B-2611-001")
    assert before.chain_head == after.chain_head and len(before.events) == len(after.events)
