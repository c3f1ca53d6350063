"""E-signatures, recipe import/approval, the batch record read back, and the outbox."""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from typing import Any

import pytest
from ebr_testing import PASSWORDS, RECIPE_YAML
from sqlalchemy import select

from ebr import outbox
from ebr.database import Database
from ebr.errors import NotAllowed, RecipeConflict
from ebr.models import APPEND_ONLY_TABLES, AuditEvent
from ebr.recipe_store import approve_recipe, import_recipe
from ebr.signatures import SignatureRefused, sign, signature_valid
from ebr.verify import verify
from recipes.loader import parse_recipe
from station.engine import api
from station.engine.engine import Engine


def _recipe() -> tuple[Any, str]:
    source = RECIPE_YAML.read_text(encoding="utf-8")
    return parse_recipe(source, str(RECIPE_YAML)), source


def test_recipe_import_and_approval(site_db: Database) -> None:
    recipe, source = _recipe()
    with site_db.unit_of_work() as uow:
        first = import_recipe(uow, recipe, source, "qa.berg")
        again = import_recipe(uow, recipe, source, "qa.berg")
        uow.commit()
    assert first.created and not again.created and first.recipe.status == "imported"
    assert first.recipe.source_text == source
    with site_db.unit_of_work() as uow:
        with pytest.raises(SignatureRefused) as role:
            approve_recipe(uow, recipe.code, recipe.version, "sv.nowak", PASSWORDS["sv.nowak"])
        assert role.value.code == "role_required"
        with pytest.raises(SignatureRefused) as same:
            approve_recipe(uow, recipe.code, recipe.version, "qa.berg", PASSWORDS["qa.berg"])
        assert same.value.code == "independent_signer_required"
        with pytest.raises(SignatureRefused) as wrong:
            approve_recipe(uow, recipe.code, recipe.version, "qa.dubois", "wrong")
        assert wrong.value.code == "signature_invalid"
        uow.commit()  # the refusals are on record
    with site_db.unit_of_work() as uow:
        signature = approve_recipe(uow, recipe.code, recipe.version, "qa.dubois", PASSWORDS["qa.dubois"])
        uow.commit()
    assert signature.meaning == "Recipe approved for execution" and signature.printed_name == "Claire Dubois"
    with site_db.unit_of_work() as uow:
        stored = uow.recipe(recipe.code, recipe.version)
        assert stored is not None and stored.status == "approved" and stored.approved_by == "qa.dubois"
        with pytest.raises(NotAllowed):
            approve_recipe(uow, recipe.code, recipe.version, "qa.dubois", PASSWORDS["qa.dubois"])
        actions = uow.session.scalars(select(AuditEvent.action).where(AuditEvent.stream == "site")).all()
    assert actions.count("signature.refused") == 2 and "signature.auth_failed" in actions
    assert verify(site_db).ok


def test_changed_recipe_needs_a_new_version(site_sqlite: Database) -> None:
    recipe, source = _recipe()
    changed_source = source.replace("limits: {low: 140, high: 160}", "limits: {low: 141, high: 160}")
    changed = parse_recipe(changed_source, "changed.yaml")
    with site_sqlite.unit_of_work() as uow:
        import_recipe(uow, recipe, source, "adm.kim")
        with pytest.raises(RecipeConflict):
            import_recipe(uow, changed, changed_source, "adm.kim")


def test_signature_checks_id_and_password(batch_db: tuple[Database, dict[str, str]]) -> None:
    db, uids = batch_db
    with db.unit_of_work() as uow:
        with pytest.raises(SignatureRefused) as info:
            sign(uow, user_id="sv.haddad", password="nope", meaning="Verified", record_table="step_executions",
                 record_uid=uids["step2"], batch_id=uids["batch_id"])  # fmt: skip
        assert info.value.code == "signature_invalid"
        made = sign(uow, user_id="sv.haddad", password=PASSWORDS["sv.haddad"], meaning="Verified",
                    record_table="step_executions", record_uid=uids["step2"], batch_id=uids["batch_id"],
                    step_id="OP10.S20")  # fmt: skip
        uow.commit()
    assert made.printed_name == "Leila Haddad" and made.signed_at.endswith("Z")
    with db.unit_of_work(read_only=True) as uow:
        assert signature_valid(uow, made.uid) and signature_valid(uow, uids["signature"])
    assert verify(db).ok


def test_copied_or_outdated_signature_fails(batch_sqlite: tuple[Database, dict[str, str]]) -> None:
    db, uids = batch_sqlite
    db.dispose()
    assert db.url.database
    attacker = sqlite3.connect(db.url.database, isolation_level=None)
    for table in APPEND_ONLY_TABLES:
        attacker.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
    attacker.execute("UPDATE signatures SET record_uid = ? WHERE uid = ?", (uids["step2"], uids["signature"]))
    with db.unit_of_work(read_only=True) as uow:
        assert not signature_valid(uow, uids["signature"])  # copied onto another record
    attacker.execute("UPDATE signatures SET record_uid = ? WHERE uid = ?", (uids["step1"], uids["signature"]))
    with db.unit_of_work(read_only=True) as uow:
        assert signature_valid(uow, uids["signature"])
    attacker.execute("UPDATE step_executions SET result = '{}' WHERE uid = ?", (uids["step1"],))
    with db.unit_of_work(read_only=True) as uow:
        assert not signature_valid(uow, uids["signature"])  # the signed record changed
    attacker.close()
    assert not verify(db).ok


def test_batch_records_read_back_in_order(batch_db: tuple[Database, dict[str, str]]) -> None:
    db, uids = batch_db
    with db.unit_of_work(read_only=True) as uow:
        found = uow.batch_records(uids["batch_id"])
        assert found is not None
        assert found.batch.status == "completed" and found.batch.size == Decimal("120")
        tables = [r.table for r in found.records]
        assert tables[:2] == ["step_executions", "step_executions"]
        assert set(tables) >= {"signatures", "equipment_bindings", "lot_consumptions", "measurements", "deviations",
                               "overrides", "deviation_closures", "batch_status_changes", "reviews"}  # fmt: skip
        seqs = [r.seq for r in found.records]
        assert seqs == sorted(seqs)
        measurement = found.of("measurements")[0]
        assert measurement.data["in_limits"] is False and measurement.data["value"] == Decimal("171")
        consumption = found.of("lot_consumptions")[0]
        assert consumption.data["lot_status"] == "released" and consumption.data["net"] == Decimal("60.02")
        binding = found.of("equipment_bindings")[0]
        assert binding.data["status_snapshot"]["calibrated_until"] == "2030-03-31"
        assert found.open_deviations() == ()
        assert uow.batch("NOPE") is None and uow.batch_records("NOPE") is None


def test_a_completed_batch_takes_no_more_records(batch_sqlite: tuple[Database, dict[str, str]]) -> None:
    db, uids = batch_sqlite
    with db.unit_of_work(read_only=True) as uow:
        head = uow.stream_heads(uids["batch_id"])
    engine = Engine(db)
    assert engine.dispatch(api.Login(user="op.alvarez", password=PASSWORDS["op.alvarez"])).status == "done"
    assert engine.dispatch(api.OpenBatch(uids["batch_id"])).status == "done"
    closed = engine.dispatch(api.Sign("OP30.S60", "op.alvarez", PASSWORDS["op.alvarez"]))
    assert closed.status == "error" and "completed" in closed.message
    with db.unit_of_work(read_only=True) as uow:
        assert uow.stream_heads(uids["batch_id"]) == head


def test_batch_needs_an_approved_recipe(site_sqlite: Database) -> None:
    """The engine starts no batch on a recipe that is imported but not approved: the store
    holds no batch afterwards."""
    recipe, source = _recipe()
    with site_sqlite.unit_of_work() as uow:
        import_recipe(uow, recipe, source, "adm.kim")
        uow.commit()
    engine = Engine(site_sqlite)
    assert engine.dispatch(api.Login(user="op.alvarez", password=PASSWORDS["op.alvarez"])).status == "done"
    outcome = engine.dispatch(api.StartBatch("B1", recipe.code, recipe.version, Decimal(120), "kg"))
    assert outcome.status == "error" and "not approved" in outcome.message
    with site_sqlite.unit_of_work(read_only=True) as uow:
        assert uow.batch("B1") is None


def test_outbox(batch_db: tuple[Database, dict[str, str]]) -> None:
    db, _ = batch_db
    with db.unit_of_work() as uow:
        assert outbox.cursor(uow) == 0
        first = outbox.pending(uow, limit=10)
        assert [i.seq for i in first] == list(range(1, 11))
        assert all(i.uid == i.event["uid"] for i in first)
        outbox.acknowledge(uow, first[-1].seq)
        uow.commit()
    with db.unit_of_work() as uow:
        rest = outbox.pending(uow, limit=10_000)
        assert rest[0].seq == 11
        with_records = [i for i in rest if i.record is not None]
        assert with_records and all(i.record["uid"] == i.event["record_uid"] for i in with_records)  # type: ignore[index]
        outbox.acknowledge(uow, 5)  # never moves back
        assert outbox.cursor(uow) == 10
        with pytest.raises(NotAllowed):
            outbox.acknowledge(uow, rest[-1].seq + 1)
        outbox.acknowledge(uow, rest[-1].seq)
        uow.commit()
    with db.unit_of_work(read_only=True) as uow:
        assert outbox.pending(uow) == []
    assert verify(db).ok
