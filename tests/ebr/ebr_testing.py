"""Shared helpers of the record-store tests (a module of its own: conftest is not importable).

The batch the store tests read, verify and tamper with is recorded by the real engine, as a
station records it (``write_full_batch``): the store holds only what the station writes."""

from __future__ import annotations

from pathlib import Path

from ebr.database import Database
from tests.engine_batches import PASSWORDS

__all__ = ["PASSWORDS", "RECIPE_YAML", "SITE_YAML", "approved_recipe", "import_site", "write_full_batch"]

SITE_YAML = Path(__file__).resolve().parents[1] / "data" / "masterdata" / "site.yaml"
RECIPE_YAML = Path(__file__).resolve().parents[1] / "data" / "recipes" / "para500-granulation.yaml"


def import_site(database: Database) -> None:
    """The reference site set up on a new store: bootstrap import, users' own passwords."""
    from tests.engine_batches import set_up_site

    set_up_site(database, SITE_YAML)


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
    """A batch with a record of every kind, recorded by the real engine (the station's own
    write path): the happy-path script with the impeller speed entered outside its limits (a
    deviation sv.nowak acknowledges with an e-signed override), a hold and a resume before it
    is completed, then approved by QA (qa.berg). Returns the uids the tests look at: the batch
    row, the execution signed at OP10.S30 (``step1``) and its signature, the execution of
    OP10.S20 (``step2``), the deviation and the override."""
    from decimal import Decimal

    from sqlalchemy import select

    from ebr import models
    from station import exports
    from station.engine import api
    from station.engine.engine import Engine
    from tests.engine_batches import happy_path

    approved_recipe(database)
    acknowledged = api.Override(
        "OP30.S30", "sv.nowak", PASSWORDS["sv.nowak"], "Tachometer re-read; no impact"
    )
    actions: list[api.Action] = []
    for action in happy_path(batch_id=batch_id)[:-1]:
        if isinstance(action, api.Enter) and action.step == "OP30.S30":
            actions += [api.Enter("OP30.S30", Decimal(171)), acknowledged]
            continue
        if isinstance(action, api.Complete):
            actions += [api.Hold("Break"), api.Resume("Back from break")]
        actions.append(action)
    engine = Engine(database)
    for action in actions:
        outcome = engine.dispatch(action)
        assert outcome.status in ("done", "deviation"), (action, outcome.message)
    engine.dispatch(api.Logout())
    exports.review_batch(
        database, batch_id, approve=True, user="qa.berg", password=PASSWORDS["qa.berg"], comment="ok"
    )
    with database.unit_of_work(read_only=True) as uow:

        def uid(model: type[models.Base], *where: object) -> str:
            return str(uow.session.scalars(select(model.uid).where(*where)).one())  # type: ignore[attr-defined]

        step1 = uid(models.StepExecution, models.StepExecution.step_id == "OP10.S30")
        return {
            "batch_id": batch_id,
            "batch": uid(models.Batch, models.Batch.batch_id == batch_id),
            "step1": step1,
            "step2": uid(models.StepExecution, models.StepExecution.step_id == "OP10.S20"),
            "signature": uid(models.Signature, models.Signature.record_uid == step1),
            "deviation": uid(models.Deviation, models.Deviation.batch_id == batch_id),
            "override": uid(models.Override, models.Override.batch_id == batch_id),
        }
