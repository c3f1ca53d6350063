"""The record store: master-data replica, recipes, the electronic batch record (EBR),
the hash-chained audit trail, e-signatures and the outbox to the central QMS.

SQLite (the station's file) and PostgreSQL (a central server). No Qt, no hardware.
Nothing leaves this package as an SQLAlchemy object except through ``uow.session``
for the store's own modules; readers get frozen dataclasses (``ebr.facts``).

Public API
----------

Opening and schema::

    from ebr.database import open_database, Database   # open_database(url: str | None) -> Database
    from ebr.migrate import upgrade                     # upgrade(db) -> None   (to head; idempotent)
    db.unit_of_work(read_only=False)                    # context manager -> UnitOfWork
    # errors (ebr.errors, one-line messages): StoreError > BadDatabaseUrl, DatabaseUnreachable,
    #   DatabaseLocked, SchemaMissing, NotFound, NotAllowed(.code), RecipeConflict, PasswordRejected

Unit of work (``ebr.uow.UnitOfWork``; rolled back unless ``uow.commit()``)::

    uow.commit(); uow.rollback()    uow.connection (its transaction); uow.session (ORM, made on first use)
    uow.user(id_or_badge) -> facts.Actor | None          uow.users() -> tuple[Actor, ...]
    uow.training_of(user_id) -> tuple[facts.TrainingRecord, ...]
    uow.documents() / uow.document(code)                 uow.material(code) / uow.material_by_gtin(gtin)
    uow.lot(material_code, lot) -> facts.Lot | None       uow.lots_by_id(lot) -> tuple[Lot, ...]
    uow.equipment(equipment_id) -> facts.Equipment | None
    uow.recipe(code, version) -> facts.StoredRecipe | None   uow.recipes()
    uow.batch(batch_id) -> facts.BatchInfo | None         uow.batches()
    uow.batch_records(batch_id) -> facts.BatchRecords | None  (every record, in the order written)
    uow.append_event(**event) -> audit.EventInfo          uow.add_record(row, **event) -> audit.EventInfo

Audit trail (``ebr.audit``; time from ``ebr.clock.utc_now`` only, never from a caller)::

    append_event(connection, *, stream, user_id, action, outcome, entity_type, entity_id,
                 old_value, new_value, reason, record=None) -> EventInfo
    add_record(connection, row, *, stream, user_id, action, entity_type, entity_id,
               outcome="accepted", old_value=None, new_value=None, reason=None) -> EventInfo

Batch records (``ebr.records``; each returns EventInfo, ``.record.uid`` = the row)::

    start_batch, change_batch_status, record_step, bind_equipment, consume_lot,
    record_measurement, open_deviation, close_deviation, record_override, record_refusal,
    record_review

Users and signatures::

    ebr.users.authenticate(uow, user_or_badge, password, *, purpose="login"|"signature") -> AuthResult
    ebr.users.unlock_user(uow, user_id, *, by, reason); deactivate_user(uow, user_id, *, by, reason)
    ebr.users.set_password(uow, user_id, old_password, new_password) -> AuthResult
    ebr.users.reset_password(uow, user_id, new_password, *, by, reason); hash_password(password)
    ebr.signatures.sign(uow, *, user_id, password, meaning, record_table, record_uid, batch_id=None,
                        step_id=None, required_role=None, not_by=()) -> SignatureInfo
    ebr.signatures.record_signature(uow, signed_row, *, signer_id, printed_name, meaning,
                                    batch_id=None, step_id=None) -> SignatureInfo
    ebr.signatures.signature_valid(uow, signature_uid) -> bool
    (refusals are audited in the unit of work: commit it after a refusal too)

Master data and recipes::

    ebr.masterdata.import_master_data(uow, path, user_id) -> ImportReport(added, changed, unchanged)
    ebr.recipe_store.import_recipe(uow, recipe: MasterRecipe, source_text, user_id) -> RecipeImport
    ebr.recipe_store.approve_recipe(uow, code, version, user, password) -> SignatureInfo

Integrity and sync::

    ebr.verify.verify(db, batch_id=None, *, workers=None) -> VerifyReport(ok, events_checked, first_bad)
    ebr.outbox.pending(uow, limit=500) -> list[OutboxItem]; acknowledge(uow, seq); cursor(uow)

``ebr.chain`` holds the canonical form and hash functions; ``ebr.export`` the exports.
"""
