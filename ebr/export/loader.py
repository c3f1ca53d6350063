"""Reading a batch record out of the store into the exports' read model.

``load_batch_record(session, batch_id)`` reads the batch's stream (its audit events in order),
decodes each event into its class of the record's vocabulary (``ebr.events``), reads the typed
record rows those events wrote, the master recipe the batch ran on and the people who acted,
and replays the stream into a :class:`~ebr.export.record.BatchRecord`
(``ebr.export._replayed``: the same replay as the engine's, so a step is done in the export
exactly when the station said it was). It writes nothing.

The events and rows also go into the record as they are stored: the evidence the JSON export
carries to be verified offline. Training records are master data as they stand now (the store
keeps no snapshot of them at use).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ebr import chain, models
from ebr.errors import NotFound
from ebr.events import Stored, decode
from ebr.export._replayed import Entry, replay_record
from ebr.export.record import BatchHeader, BatchRecord, Person, StoredRecord, TrainingEvidence
from ebr.replay import Recorded
from ebr.uow import RECIPE_APPROVAL_MEANING
from recipes.loader import parse_recipe
from recipes.model import MasterRecipe


def load_batch_record(
    session: Session,
    batch_id: str,
    *,
    chain_verified: bool | None = None,
    site_timezone: str = "UTC",
) -> BatchRecord:
    """The batch record of ``batch_id`` as the exports read it. ``chain_verified`` is what
    ``ebr verify`` said of the audit trail (None: not checked); ``site_timezone`` the IANA name
    of the site's zone. Raises ``NotFound`` for an unknown batch."""
    batch = session.scalars(select(models.Batch).where(models.Batch.batch_id == batch_id)).one_or_none()
    if batch is None:
        raise NotFound(f"batch {batch_id} is not in the database")
    stored = _stream(session, batch_id)
    rows = _rows(session, stored)
    recipe = session.scalars(
        select(models.Recipe).where(
            models.Recipe.code == batch.recipe_code, models.Recipe.version == batch.recipe_version
        )
    ).one_or_none()
    master = _master(recipe)
    control = batch.control_recipe if isinstance(batch.control_recipe, dict) else {}
    replayed = replay_record(
        (_entry(event, rows) for event in stored),
        master=master,
        targets={str(w.get("step")): w for w in control.get("weighings", []) if isinstance(w, dict)},
        materials={m.code: m for m in session.scalars(select(models.Material))},
    )
    approved_by, approved_at = _approval(session, recipe)
    header = BatchHeader(
        batch_id=batch.batch_id,
        product_code=recipe.product_code if recipe else (master.product_code if master else ""),
        product_name=recipe.product_name if recipe else (master.product_name if master else ""),
        recipe_code=batch.recipe_code,
        recipe_version=batch.recipe_version,
        recipe_title=recipe.title if recipe else (master.title if master else ""),
        recipe_content_hash=batch.recipe_content_hash,
        batch_size=batch.size,
        batch_unit=batch.unit,
        station=batch.station,
        started_by=batch.started_by,
        started_at=batch.started_at,
        completed_at=replayed.completed_at,
        status=replayed.status,
        chain_verified=chain_verified,
        recipe_approved_by=approved_by,
        recipe_approved_at=approved_at,
    )
    return BatchRecord(
        header=header,
        site_timezone=site_timezone,
        operations=replayed.operations,
        equipment=replayed.equipment,
        consumptions=replayed.consumptions,
        measurements=replayed.measurements,
        refusals=replayed.refusals,
        deviations=replayed.deviations,
        overrides=replayed.overrides,
        signatures=replayed.signatures,
        reviews=replayed.reviews,
        personnel=_personnel(session, {batch.started_by, *replayed.people}),
        events=tuple(stored),
        records=_evidence(stored, rows),
    )


# ---------------------------------------------------------------- reading


def _stream(session: Session, batch_id: str) -> list[dict[str, Any]]:
    """The batch's events as stored (``EVENT_FIELDS`` + ``hash``, JSON values parsed), in order."""
    table = models.AuditEvent.__table__
    result = session.execute(select(table).where(table.c.stream == batch_id).order_by(table.c.seq))
    events = []
    for row in result.mappings():
        event = {f: row[f] for f in chain.EVENT_FIELDS}
        event["hash"] = row["hash"]
        for name in ("old_value", "new_value"):
            text = event[name]
            event[name] = None if text is None else json.loads(text)
        events.append(event)
    return events


def _entry(stored: Mapping[str, Any], rows: Mapping[tuple[str, str], models.Base]) -> Entry:
    """One stored event decoded into its class (``ebr.events.decode``), with its typed row."""
    event = decode(
        Stored(
            action=stored["action"],
            outcome=stored["outcome"],
            entity_type=stored["entity_type"],
            entity_id=stored["entity_id"],
            old_value=stored["old_value"],
            new_value=stored["new_value"],
            reason=stored["reason"],
        )
    )
    recorded = Recorded(event, stored["occurred_at"], stored["user_id"], int(stored["stream_seq"]))
    return Entry(recorded, stored, rows.get((str(stored["record_table"]), str(stored["record_uid"]))))


def _rows(session: Session, events: Sequence[Mapping[str, Any]]) -> dict[tuple[str, str], models.Base]:
    """The typed rows the events wrote, by (table, uid)."""
    wanted: dict[str, list[str]] = defaultdict(list)
    for event in events:
        if event["record_table"]:
            wanted[str(event["record_table"])].append(str(event["record_uid"]))
    rows: dict[tuple[str, str], models.Base] = {}
    for table, uids in wanted.items():
        model = models.model_for(table)
        column = model.__table__.c.uid
        for start in range(0, len(uids), 500):
            for row in session.scalars(select(model).where(column.in_(uids[start : start + 500]))):
                rows[(table, str(row.uid))] = row  # type: ignore[attr-defined]
    return rows


def _evidence(
    events: Iterable[Mapping[str, Any]], rows: Mapping[tuple[str, str], models.Base]
) -> tuple[StoredRecord, ...]:
    """The typed rows as stored, in the order of the events that wrote them."""
    out = []
    for event in events:
        key = (str(event["record_table"]), str(event["record_uid"]))
        if event["record_table"] and key in rows:
            content = chain.to_json_value(models.record_content(rows[key]))
            out.append(StoredRecord(table=key[0], uid=key[1], content=content))
    return tuple(out)


def _master(row: models.Recipe | None) -> MasterRecipe | None:
    if row is None:
        return None
    try:
        return parse_recipe(row.source_text, f"{row.code}-v{row.version}.yaml")
    except Exception:  # a stored recipe that no longer parses: the steps come from the stream
        return None


def _approval(session: Session, recipe: models.Recipe | None) -> tuple[str | None, dt.datetime | None]:
    """Who approved the recipe for execution, and when: the signature over its content as stored."""
    if recipe is None:
        return None, None
    current = chain.record_hash(models.record_content(recipe))
    signatures = session.scalars(
        select(models.Signature)
        .where(models.Signature.record_table == "recipes", models.Signature.record_uid == recipe.uid)
        .order_by(models.Signature.signed_at)
    )
    for signature in signatures:
        if signature.signed_hash == current and signature.meaning == RECIPE_APPROVAL_MEANING:
            return signature.signer_id, signature.signed_at
    return None, None


def _personnel(session: Session, users: set[str]) -> tuple[Person, ...]:
    ids = sorted(u for u in users if u)
    if not ids:
        return ()
    known = {u.id: u for u in session.scalars(select(models.User).where(models.User.id.in_(ids)))}
    documents = {d.code: d.revision for d in session.scalars(select(models.Document))}
    training: dict[str, list[TrainingEvidence]] = defaultdict(list)
    for t in session.scalars(
        select(models.TrainingRecord)
        .where(models.TrainingRecord.user_id.in_(ids))
        .order_by(models.TrainingRecord.document_code, models.TrainingRecord.revision)
    ):
        training[t.user_id].append(
            TrainingEvidence(
                document=t.document_code,
                revision=t.revision,
                trained_on=t.trained_on,
                expires=t.expires,
                current_revision=documents.get(t.document_code),
            )
        )
    return tuple(
        Person(
            user_id=user_id,
            name=known[user_id].name if user_id in known else user_id,
            roles=tuple(known[user_id].roles) if user_id in known else (),
            training=tuple(training.get(user_id, ())),
        )
        for user_id in ids
    )
