"""The record store: master-data replica, recipes, the electronic batch record (EBR),
the hash-chained audit trail, e-signatures and the outbox to the central QMS.

SQLite (the station's file) and PostgreSQL (a central server). No Qt, no hardware.
Nothing leaves this package as an SQLAlchemy object but ``uow.session`` (for the store's
own modules) and the row ``uow.write`` returns (for a signature over it, handed back to
``ebr.signatures`` as it is); readers get frozen data: ``ebr.facts``, typed events
(``ebr.events``), the replay (``ebr.replay``). The station imports neither SQLAlchemy nor
``ebr.models`` (an import-linter contract in pyproject.toml).

Public API
----------

Opening and schema::

    from ebr.database import open_database, Database   # open_database(url: str | None) -> Database
    from ebr.migrate import upgrade                     # upgrade(db) -> None   (to head; idempotent)
    db.unit_of_work(read_only=False)                    # context manager -> UnitOfWork
    # errors (ebr.errors, one-line messages): StoreError > BadDatabaseUrl, DatabaseUnreachable,
    #   DatabaseLocked, DatabaseMissing, DatabaseReadOnly, SchemaMissing, NotFound,
    #   NotAllowed(.code), RecipeConflict, PasswordRejected

Unit of work (``ebr.uow.UnitOfWork``; rolled back unless ``uow.commit()``)::

    uow.commit(); uow.rollback()    uow.connection (its transaction); uow.session (ORM, made on first use)
    uow.write(event, *, stream, user_id) -> (audit.EventInfo, row | None)
        # the one way anything is written: a typed event (``ebr.events``) and the typed record
        # row it vouches for, in the hash chain; ``stream`` is a batch id or audit.SITE_STREAM
    uow.stream(stream, after=0) -> Iterator[replay.Recorded[AuditedEvent]]   (typed, in order)
    uow.stream_heads(*streams) -> dict[str, int]     uow.actions_since(stream, after, limit) -> list[str]
    uow.chain_seq() -> int                               uow.last_commit (after a commit)
    uow.user(id_or_badge) -> facts.Actor | None          uow.users() -> tuple[Actor, ...]
    # the master data the gates judge by, as the gates' own facts (``gating.facts``):
    uow.training_of(user_id) -> tuple[TrainingRecord, ...]
    uow.documents() / uow.document(code)                 uow.material(code) / uow.material_by_gtin(gtin)
    uow.lot(material_code, lot) -> Lot | None             uow.lots_by_id(lot) -> tuple[Lot, ...]
    uow.equipment(equipment_id) -> Equipment | None
    uow.recipe(code, version) -> facts.StoredRecipe | None   uow.recipes()
    uow.batch(batch_id) -> facts.BatchInfo | None         uow.batches()
    uow.batch_records(batch_id) -> facts.BatchRecords | None  (every record, in the order written)
    # what the station's services read (exports, QA review, labels):
    uow.read_batch_record(batch_id, *, chain_verified=None, site_timezone="UTC") -> export.record.BatchRecord
    uow.batch_state(batch_id) -> replay.BatchState | None   (one replay of the batch's stream)
    uow.batch_participants(batch_id) -> frozenset[str]    (users of its accepted events)
    uow.batch_review(batch_id) -> Recorded[ReviewDecided] | None    uow.reviews() -> tuple[...]
    uow.label_prints(batch_id, step) -> tuple[Recorded[LabelPrinted], ...]

The record's vocabulary (``ebr.events``): one frozen class per audit action::

    BatchStarted, StepConfirmed, CheckAnswered, StepSigned, MeasurementRecorded, EquipmentBound,
    LotIdentified, WeighingAccepted, OverrideSigned, DeviationOpened, DeviationRecorded,
    DeviationClosed, BatchHeld, BatchResumed, BatchCompleted, ActionRefused (RefusalNote),
    ReviewDecided, LabelPrinted, SignatureSigned        (a batch's stream, ``ebr.events.batch``)
    LoginSucceeded, AuthenticationFailed, UserLocked, ... MasterDataChanged, RecipeImported
                                                        (the site's stream, ``ebr.events.site``)
    ebr.events.decode(Stored) / decode_row(row) -> AuditedEvent   (Unrecognised: an unknown action)
    StepDone: the base of the events that complete a step (``step``, ``performed_by``)

Replay and lifecycles::

    ebr.replay.replay(events, step_order) -> BatchState   (status, steps, performers, results,
        lots, bindings, open deviations, last_refusal; each entry a Recorded[event])
    ebr.replay.Recorded(event, at, user_id, stream_seq)
    ebr.lifecycle: StepStatus, BatchStatus, step_transition, batch_transition, IllegalTransition

Audit trail (``ebr.audit``; time from ``ebr.clock.utc_now`` only, never from a caller): the hash
chain's append path, which only ``UnitOfWork.write`` calls; ``SITE_STREAM``, ``EventInfo``,
``chain_head(connection)``.

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

    ebr.masterdata.read_all(paths) -> list[SiteFileRead]       (read and checked: before any store is opened)
    ebr.masterdata.prepare(db, reads) -> list[SiteFileRead]    (passwords hashed: before the lock)
    ebr.masterdata.import_master_data(uow, read_or_path, user_id) -> ImportReport(added, changed, unchanged)
    ebr.recipe_store.import_recipe(uow, recipe: MasterRecipe, source_text, user_id) -> RecipeImport
    ebr.recipe_store.approve_recipe(uow, code, version, user, password) -> SignatureInfo

Integrity and sync::

    ebr.verify.verify(db, batch_id=None, *, workers=None) -> VerifyReport(ok, events_checked, first_bad)
    ebr.outbox.pending(uow, limit=500) -> list[OutboxItem]; acknowledge(uow, seq); cursor(uow)

``ebr.chain`` holds the canonical form and hash functions; ``ebr.export`` the exports.
"""
