"""Shared helpers of the record-store tests (a module of its own: conftest is not importable)."""

from __future__ import annotations

from pathlib import Path

from ebr.database import Database

SITE_YAML = Path(__file__).resolve().parents[1] / "data" / "masterdata" / "site.yaml"
RECIPE_YAML = Path(__file__).resolve().parents[1] / "data" / "recipes" / "para500-granulation.yaml"


def import_site(database: Database, user_id: str | None = "adm.kim") -> None:
    from ebr.masterdata import import_master_data

    with database.unit_of_work() as uow:
        import_master_data(uow, SITE_YAML, user_id)
        uow.commit()


PASSWORDS = {
    "op.alvarez": "Granul8-Alvarez",
    "op.chen": "Granul8-Chen",
    "sv.nowak": "Superv1se-Nowak",
    "sv.haddad": "Superv1se-Haddad",
    "qa.dubois": "Rev1ew-Dubois",
    "qa.berg": "Rev1ew-Berg",
    "adm.kim": "Adm1n-Kim-2026",
}


def approved_recipe(database: Database) -> tuple[str, int]:
    """The example recipe imported by adm.kim and approved by qa.dubois."""
    from ebr.recipe_store import approve_recipe, import_recipe
    from recipes.loader import parse_recipe

    source = RECIPE_YAML.read_text(encoding="utf-8")
    recipe = parse_recipe(source, str(RECIPE_YAML))
    with database.unit_of_work() as uow:
        import_recipe(uow, recipe, source, "adm.kim")
        approve_recipe(uow, recipe.code, recipe.version, "qa.dubois", PASSWORDS["qa.dubois"])
        uow.commit()
    return recipe.code, recipe.version


def write_full_batch(database: Database, batch_id: str = "B26-0001") -> dict[str, str]:
    """A batch with at least one record of every kind; returns the uids of interest."""
    from decimal import Decimal

    from ebr import records
    from ebr.signatures import sign

    code, version = approved_recipe(database)
    uids: dict[str, str] = {"batch_id": batch_id}
    with database.unit_of_work() as uow:
        event = records.start_batch(
            uow, batch_id=batch_id, recipe_code=code, recipe_version=version, size=Decimal("120"), unit="kg",
            control_recipe={"size": "120", "unit": "kg"}, user_id="op.alvarez", station="LINE-1",
        )  # fmt: skip
        assert event.record is not None
        uids["batch"] = event.record.uid
        first = records.record_step(uow, batch_id=batch_id, step_id="OP10.S10", kind="instruction",
                                    user_id="op.alvarez", result={"confirmed": True})  # fmt: skip
        second = records.record_step(uow, batch_id=batch_id, step_id="OP10.S20", kind="check",
                                     user_id="op.alvarez", result={"answer": True})  # fmt: skip
        assert first.record and second.record
        uids["step1"], uids["step2"] = first.record.uid, second.record.uid
        signed = sign(uow, user_id="sv.nowak", password=PASSWORDS["sv.nowak"], meaning="Line clearance verified",
                      record_table="step_executions", record_uid=first.record.uid, batch_id=batch_id,
                      step_id="OP10.S30", required_role="supervisor", not_by=("op.alvarez",))  # fmt: skip
        uids["signature"] = signed.uid
        records.bind_equipment(uow, batch_id=batch_id, step_id="OP20.S10", bind_name="floor_scale",
                               equipment_id="SCL-150-01", user_id="op.alvarez")  # fmt: skip
        records.consume_lot(uow, batch_id=batch_id, step_id="OP20.S20", material_code="RM-0101", lot="P24-0817",
                            gross=Decimal("62.150"), tare=Decimal("2.150"), net=Decimal("60.000"), unit="kg",
                            user_id="op.alvarez", source="scale", device_serial="B123456789")  # fmt: skip
        measured = records.record_measurement(uow, batch_id=batch_id, step_id="OP30.S30", name="Impeller speed",
                                              value=Decimal("171"), unit="rpm", low=Decimal(140), high=Decimal(160),
                                              user_id="op.alvarez")  # fmt: skip
        assert measured.record is not None
        deviation = records.open_deviation(uow, batch_id=batch_id, step_id="OP30.S30", category="process",
                                           text="Impeller speed 171 rpm above 160", origin="value_out_of_limits",
                                           user_id="op.alvarez")  # fmt: skip
        assert deviation.record is not None
        uids["deviation"] = deviation.record.uid
        override = records.record_override(uow, batch_id=batch_id, step_id="OP30.S30",
                                           reason_code="value_out_of_limits", supervisor="sv.nowak",
                                           reason_text="Within validated range", deviation_uid=deviation.record.uid)  # fmt: skip
        assert override.record is not None
        uids["override"] = override.record.uid
        records.close_deviation(uow, batch_id=batch_id, deviation_uid=deviation.record.uid,
                                resolution="Acknowledged by supervisor", user_id="sv.nowak")  # fmt: skip
        records.change_batch_status(
            uow, batch_id=batch_id, status="on_hold", user_id="op.alvarez", reason="Break"
        )
        records.change_batch_status(uow, batch_id=batch_id, status="in_progress", user_id="op.alvarez")
        records.change_batch_status(uow, batch_id=batch_id, status="completed", user_id="op.alvarez")
        records.record_review(uow, batch_id=batch_id, reviewer="qa.berg", outcome="approved", comment="ok")
        uow.commit()
    return uids
