"""Electronic signatures (21 CFR 11.50, 11.70, 11.200).

* 11.200: both components, the user id and the password, are checked at every signing
  (``ebr.users.authenticate`` with ``purpose="signature"``; failures count towards the
  lockout and are audited).
* 11.50: the ``signatures`` row holds the signer's printed name, the meaning of the
  signature and the time it was made (UTC, system clock).
* 11.70: the row names what is signed (``record_table``, ``record_uid``) and holds
  ``signed_hash``, the hash of exactly that record's content; a signature copied onto
  another record, or a record changed after signing, no longer verifies
  (:func:`signature_valid`, and ``ebr verify`` for the whole record).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ebr import chain
from ebr import events as ev
from ebr.audit import SITE_STREAM, EventInfo
from ebr.errors import NotAllowed, NotFound
from ebr.models import RECORD_TABLES, Base, Signature, model_for, record_content
from ebr.uow import UnitOfWork
from ebr.users import PasswordCheck, authenticate


class SignatureRefused(NotAllowed):
    """The signature was not made. ``code``: ``signature_invalid`` (wrong id or password),
    ``account_locked``, ``role_required`` or ``independent_signer_required``. The refusal
    is audited in the unit of work: commit it."""


@dataclass(frozen=True)
class SignatureInfo:
    uid: str
    signer_id: str
    printed_name: str
    meaning: str
    signed_at: str  # ISO 8601 UTC
    record_table: str
    record_uid: str
    signed_hash: str
    event: EventInfo


def sign(
    uow: UnitOfWork,
    *,
    user_id: str,
    password: str,
    meaning: str,
    record_table: str,
    record_uid: str,
    batch_id: str | None = None,
    step_id: str | None = None,
    required_role: str | None = None,
    not_by: tuple[str, ...] = (),
    checked: PasswordCheck | None = None,
) -> SignatureInfo:
    """Sign the record ``record_table``/``record_uid`` with ``meaning``.

    ``required_role``: the signer must hold it. ``not_by``: user ids that may not sign
    (independence, e.g. the importer of a recipe or the performer of a step). Raises
    SignatureRefused (audited) or NotFound (no such record)."""
    if not meaning.strip():
        raise ValueError("a signature needs a meaning")
    if record_table not in RECORD_TABLES:
        raise ValueError(f"not a record table: {record_table}")
    model = model_for(record_table)
    signed = uow.session.scalars(select(model).where(model.__table__.c.uid == record_uid)).one_or_none()
    if signed is None:
        raise NotFound(f"no {record_table} row {record_uid}")
    stream = batch_id or SITE_STREAM
    result = authenticate(uow, user_id, password, purpose="signature", checked=checked)
    if not result.ok or result.user is None:
        code = "account_locked" if result.code == "account_locked" else "signature_invalid"
        raise SignatureRefused(result.message, code)
    signer = result.user

    def refuse(code: str, message: str) -> SignatureRefused:
        refused = ev.ActionRefused(
            attempted=ev.Attempt.SIGNATURE,
            refusals=(ev.RefusalNote(code, message),),
            attempt={"meaning": meaning},
            subject_type=record_table,
            subject=step_id or record_uid,
            note=f"{code}: {message}",
        )
        uow.write(refused, stream=stream, user_id=signer.id)
        return SignatureRefused(message, code)

    if signer.must_change_password:
        raise refuse(
            "password_change_required",
            f"{signer.name} still has the initial password, which may not sign: change it first",
        )
    if required_role is not None and not signer.has_role(required_role):
        raise refuse(
            "role_required", f"{signer.name} does not hold the role {required_role} this signature needs"
        )
    if signer.id in not_by:
        raise refuse(
            "independent_signer_required", f"{signer.name} may not sign this: an independent signer is needed"
        )
    return record_signature(
        uow,
        signed,
        signer_id=signer.id,
        printed_name=signer.name,
        meaning=meaning,
        batch_id=batch_id,
        step_id=step_id,
    )


def record_signature(
    uow: UnitOfWork,
    signed: Base,
    *,
    signer_id: str,
    printed_name: str,
    meaning: str,
    batch_id: str | None = None,
    step_id: str | None = None,
) -> SignatureInfo:
    """Record the e-signature of a signer whose id and password the caller has just checked
    (``authenticate(..., purpose="signature")`` in this unit of work) together with its own
    gates (role, independence, training), over the record ``signed`` already written in
    this unit of work. :func:`sign` does the checks and this in one call."""
    if not meaning.strip():
        raise ValueError("a signature needs a meaning")
    table = signed.__tablename__
    if table not in RECORD_TABLES:
        raise ValueError(f"not a record table: {table}")
    actor = uow.user(signer_id)
    if actor is None or actor.id != signer_id:
        raise NotFound(f"no user {signer_id!r}")
    if printed_name != actor.name:
        raise ValueError(f"printed name {printed_name!r} is not the name of {signer_id} ({actor.name!r})")
    # ``ebr.audit.add_record`` left the row holding its content exactly as stored.
    content = record_content(signed)
    record_uid = str(content["uid"])
    signed_event = ev.SignatureSigned(
        meaning=meaning,
        printed_name=actor.name,
        signed_table=table,
        subject=step_id or record_uid,
        record_uid=record_uid,
        signed_hash=chain.record_hash(content),
        step_id=step_id,
    )
    event, written = uow.write(signed_event, stream=batch_id or SITE_STREAM, user_id=signer_id)
    assert isinstance(written, Signature)
    row = written
    return SignatureInfo(
        uid=row.uid,
        signer_id=row.signer_id,
        printed_name=row.printed_name,
        meaning=row.meaning,
        signed_at=chain.utc_iso(row.signed_at),
        record_table=row.record_table,
        record_uid=row.record_uid,
        signed_hash=row.signed_hash,
        event=event,
    )


def signature_valid(uow: UnitOfWork, signature_uid: str) -> bool:
    """True iff the signature's ``signed_hash`` is the hash of the record it names, as stored now."""
    signature = uow.session.scalars(select(Signature).where(Signature.uid == signature_uid)).one_or_none()
    if signature is None or signature.record_table not in RECORD_TABLES:
        return False
    model = model_for(signature.record_table)
    signed = uow.session.scalars(
        select(model).where(model.__table__.c.uid == signature.record_uid)
    ).one_or_none()
    return signed is not None and chain.record_hash(record_content(signed)) == signature.signed_hash
