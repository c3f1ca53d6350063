"""Application services for the batch record leaving the station: exports, dispense labels
and QA review. Qt-free: the command line and the touchscreen call the same functions."""

from __future__ import annotations

import os
from collections.abc import Set
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs

from ebr import events as ev
from ebr import signatures, users
from ebr.clock import utc_now
from ebr.database import Database
from ebr.errors import NotFound
from ebr.export.record import BatchRecord
from ebr.facts import Actor
from ebr.lifecycle import BatchStatus
from ebr.uow import UnitOfWork
from ebr.verify import verify
from gating import facts as gf
from gating import rules
from gating import wording as W
from gating.reasons import DEFAULT_POLICY, GatePolicy, ReasonCode, Refusal, refusal
from gating.wording import Wording, batch_status, wording
from station.composition import DEFAULT_SITE_TZ
from station.errors import CommandError
from station.files import write_file

REVIEW_MEANINGS = {
    True: "Batch record reviewed and approved",
    False: "Batch record reviewed and rejected",
}


def load_record(db: Database, batch_id: str) -> BatchRecord:
    """The batch record as the exports read it, with the audit chain checked first."""
    with db.unit_of_work(read_only=True) as uow:
        if uow.batch(batch_id) is None:
            raise CommandError(f"batch {batch_id} is not in the database")
    report = verify(db, batch_id)
    with db.unit_of_work(read_only=True) as uow:
        try:
            record = uow.read_batch_record(batch_id, chain_verified=report.ok, site_timezone=DEFAULT_SITE_TZ)
        except NotFound as exc:
            raise CommandError(str(exc)) from None
        return with_central_numbers(uow, with_hub_receipt(db, uow, record))


def with_central_numbers(uow: UnitOfWork, record: BatchRecord) -> BatchRecord:
    """The record with the hub's central number beside each deviation that has one."""
    import dataclasses

    from ebr.sync.central_numbers import numbers_of

    found = numbers_of(uow, [d.uid for d in record.deviations])
    if not found:
        return record
    deviations = tuple(
        dataclasses.replace(d, central_number=found[d.uid]) if d.uid in found else d
        for d in record.deviations
    )
    return dataclasses.replace(record, deviations=deviations)


def with_hub_receipt(db: Database, uow: UnitOfWork, record: BatchRecord) -> BatchRecord:
    """The record with the hub's signed receipt for its last event, where the store holds one
    (a store from before sync has no receipts table)."""
    import dataclasses

    from ebr.sync.anchoring import receipt_for

    if not record.events or "sync_receipts" not in db.table_names():
        return record
    receipt = receipt_for(uow, int(record.events[-1]["seq"]))
    return record if receipt is None else dataclasses.replace(record, hub_receipt=receipt.as_json())


def export_batch(db: Database, batch_id: str, fmt: str, *, printed_by: str) -> bytes:
    record = load_record(db, batch_id)
    if fmt == "json":
        from ebr.export.json_export import export_json

        return export_json(record)
    if fmt == "pdf":
        from ebr.export.pdf_export import export_pdf

        with db.unit_of_work(read_only=True) as uow:
            who = uow.user(printed_by)
        return export_pdf(record, who.name if who else printed_by, utc_now())
    if fmt == "batchml":
        from ebr.export.batchml import export_batchml, validate_batchml

        data = export_batchml(record)
        problems = validate_batchml(data)
        if problems:  # never hand out a document the partner's validator would reject
            raise CommandError(f"the BatchML export of {batch_id} does not validate: {problems[0]}")
        return data
    raise CommandError(f"unknown export format {fmt!r}", 2)


# ---------------------------------------------------------------- QA review
#: The longest review comment: a page of text (every batch record must stay printable).
MAX_COMMENT = 4000

#: The role a batch review needs.
QA_ROLE = "qa"


@dataclass(frozen=True)
class ReviewOutcome:
    batch_id: str
    approved: bool
    reviewer: str
    printed_name: str
    signed_at: str

    def __str__(self) -> str:
        verdict = "approved" if self.approved else "rejected"
        return f"{self.batch_id}: record {verdict} by {self.printed_name} at {self.signed_at}"


class ReviewRefused(CommandError):
    """A review the store refused: the English sentence (as the command line prints it), its
    template for a station in another language, and the reason code."""

    def __init__(self, sentence: str, code: str, worded: Wording | None) -> None:
        super().__init__(sentence, 1)
        self.wording = worded
        self.code = code


def review_refusal(
    reviewer: gf.Actor,
    batch_id: str,
    *,
    status: BatchStatus,
    participants: Set[str],
    reviewed: bool,
    policy: GatePolicy = DEFAULT_POLICY,
) -> Refusal | None:
    """Why ``reviewer`` may not sign the review of the batch, or None. A review is the batch
    record's signature: the role and the independence of the signer are the gates every
    signature passes (``gating.rules``), said as a review says them. The first reason that
    applies is the one given, as the review has always said it: the role, then independence,
    then the batch's status (completed), then an earlier review. No review is overridden, so
    a refusal stands whatever the policy lets a supervisor override elsewhere."""
    who = reviewer.name
    role = rules.check_role(reviewer, QA_ROLE, policy=policy)
    if role:
        return _said(role[0], wording(W.REVIEW_NOT_QA, user=who), policy)
    took_part = rules.check_independent_signer(reviewer.user_id, {batch_id: participants}, policy=policy)
    if took_part:
        return _said(took_part[0], wording(W.REVIEW_NOT_INDEPENDENT, user=who, batch=batch_id), policy)
    if status is not BatchStatus.COMPLETED:
        shown = batch_status(status)
        return refusal(
            ReasonCode.SEQUENCE, wording(W.REVIEW_NOT_COMPLETED, batch=batch_id, status=shown), policy
        )
    if reviewed:
        return refusal(ReasonCode.SEQUENCE, wording(W.REVIEW_DONE, batch=batch_id), policy)
    return None


def _said(found: Refusal, worded: Wording, policy: GatePolicy) -> Refusal:
    """The gate's refusal in the review's own sentence (the record has always kept it so)."""
    return refusal(found.code, worded, policy)


def review_batch(
    db: Database,
    batch_id: str,
    *,
    approve: bool,
    user: str,
    password: str,
    comment: str,
    policy: GatePolicy = DEFAULT_POLICY,
) -> ReviewOutcome:
    """QA's review by exception ends in an e-signature: approved or rejected, with a comment.
    Only a QA user who took no part in the batch may review it, once, after it is completed
    (``review_refusal``); who took part and the batch's status are the replay of its stream."""
    if len(comment) > MAX_COMMENT:
        raise CommandError(
            f"a review comment has at most {MAX_COMMENT:,} characters, not {len(comment):,}", 2
        )
    if not comment.strip():
        worded = wording(W.REVIEW_COMMENT_REQUIRED)
        raise ReviewRefused(worded.text(), "comment_required", worded)
    # The slow parts before the write transaction: the password, and the chain's verdict.
    checked = users.check_password(db, user, password)
    intact = None if not approve else record_problem(db, batch_id)
    with db.unit_of_work() as uow:
        state = uow.batch_state(batch_id)
        if state is None:
            raise CommandError(f"batch {batch_id} is not in the database")
        auth = users.authenticate(uow, user, password, purpose="signature", checked=checked)
        if not auth.ok or auth.user is None:
            uow.commit()  # the failed signature is audited
            worded = auth.wording or wording(W.LOGIN_WRONG)
            raise ReviewRefused(worded.text(), ReasonCode.SIGNATURE_INVALID, worded)
        reviewer = auth.user
        refused = review_refusal(
            _gate_actor(reviewer),
            batch_id,
            status=state.status,
            participants=uow.batch_participants(batch_id),
            reviewed=_reviewed(uow, batch_id),
            policy=policy,
        )
        if refused is None and reviewer.must_change_password:
            refused = rules.check_password_fresh(_gate_actor(reviewer), True, policy=policy)[0]
        if refused is None and intact is not None:
            refused = rules.check_record_intact(batch_id, intact, policy=policy)[0]
        if refused is not None:
            event = ev.ActionRefused(
                attempted=ev.Attempt.REVIEW,
                refusals=(ev.RefusalNote(refused.code.value, refused.sentence),),
                attempt={"approve": approve, "comment": comment},
                subject_type="batch",
                subject=batch_id,
            )
            uow.write(event, stream=batch_id, user_id=reviewer.id)
            uow.commit()
            raise ReviewRefused(refused.sentence, refused.code, refused.wording)
        decided = ev.ReviewDecided(
            verdict="approved" if approve else "rejected", batch_id=batch_id, comment=comment
        )
        _, row = uow.write(decided, stream=batch_id, user_id=reviewer.id)
        assert row is not None  # a review vouches for its row, which the signature signs
        signed = signatures.record_signature(
            uow,
            row,
            signer_id=reviewer.id,
            printed_name=reviewer.name,
            meaning=REVIEW_MEANINGS[approve],
            batch_id=batch_id,
        )
        uow.commit()
    return ReviewOutcome(batch_id, approve, reviewer.id, reviewer.name, signed.signed_at)


def _reviewed(uow: UnitOfWork, batch_id: str) -> bool:
    """Whether the batch's review is done: approved, or rejected with nothing recorded since.
    A rejection sends the record back for correction (a deviation raised and acknowledged, an
    explanation); once something is recorded after it, QA may review the record again."""
    latest = uow.batch_review(batch_id)
    if latest is None:
        return False
    if latest.event.verdict == "approved":
        return True
    return not any(
        r.stream_seq > latest.stream_seq and not isinstance(r.event, ev.SignatureSigned)
        for r in uow.stream(batch_id)
    )


def record_problem(db: Database, batch_id: str) -> str | None:
    """What ``ebr verify`` finds wrong with the batch's record (its first bad event), or None
    when its hash chain is intact: a review says it, and approves no record that fails."""

    report = verify(db, batch_id)
    if report.ok:
        return None
    return str(report.first_bad) if report.first_bad else "the hash chain does not verify"


def _gate_actor(user: Actor) -> gf.Actor:
    return gf.Actor(user.id, user.name, frozenset(user.roles), user.active, user.locked)


# ---------------------------------------------------------------- dispense labels
def label_file(folder: Path, batch_id: str, step_id: str, copy: int) -> Path:
    """The file of a label, inside ``folder`` whatever the ids hold: an id that is no plain
    identifier (``recipes.ids``: a path, a line break, an invisible character) is refused."""
    from recipes.ids import id_problem

    for value, what in ((batch_id, "the batch id"), (step_id, "the step id")):
        problem = id_problem(value, what)
        if problem is not None:
            raise CommandError(f"no label file: {problem}", 2)
    target = folder / f"{batch_id}-{step_id}-{copy}.pdf"
    if target.resolve().parent != folder.resolve():  # cannot happen for a valid id: said twice
        raise CommandError(f"no label file: {target.name} would leave {folder}", 2)
    return target


def labels_dir() -> Path:
    folder = Path(
        os.environ.get("MES_LABEL_DIR") or Path(platformdirs.user_data_dir("mes-station")) / "labels"
    )
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def print_dispense_label(
    db: Database,
    batch_id: str,
    step_id: str,
    *,
    user: str,
    folder: Path | None = None,
    printer: str | None = None,
) -> Path | str:
    """Print the dispense label of the accepted weighing at ``step_id``: as ZPL to a label
    printer (``printer``: ``tcp://HOST:9100``), or as a PDF (``printer`` a ``.pdf`` file, else a
    file in ``folder``). The first print is a print, every later one a reprint, both in the
    audit trail; a label the printer did not take is not recorded as printed."""
    from ebr.export.labels import dispense_label_pdf

    record = load_record(db, batch_id)
    weighing = next((c for c in record.consumptions if c.step_id == step_id and c.accepted), None)
    if weighing is None:
        raise CommandError(f"no accepted weighing at {step_id} of batch {batch_id}")
    if printer is not None and printer.startswith("tcp://"):
        return _print_zpl(db, record, weighing, batch_id, step_id, user, printer)
    if printer is not None:
        if not printer.lower().endswith(".pdf"):
            raise CommandError(f"--printer {printer!r}: give tcp://HOST:9100 or a FILE.pdf", 2)
        folder = Path(printer).parent
    with db.unit_of_work() as uow:
        printed_before = len(uow.label_prints(batch_id, step_id))
        who = uow.user(user)
        printed_at = utc_now()
        data = dispense_label_pdf(
            weighing,
            batch_id,
            printed_by=who.name if who else user,
            printed_at=printed_at,
            site_timezone=DEFAULT_SITE_TZ,
            is_reprint=printed_before > 0,
        )
        target = (
            Path(printer)
            if printer is not None
            else label_file(folder or labels_dir(), batch_id, step_id, printed_before + 1)
        )
        write_file(target, data)
        printed = ev.LabelPrinted(step=step_id, copy=printed_before + 1, file=target.name)
        uow.write(printed, stream=batch_id, user_id=user)
        uow.commit()
    return target


def _print_zpl(
    db: Database, record: BatchRecord, weighing: Any, batch_id: str, step_id: str, user: str, printer: str
) -> str:
    """The label as ZPL to a network label printer; recorded only once the printer took it."""
    from ebr.export.zpl import dispense_label_zpl
    from hardware.printers.zebra import PrinterError, print_zpl

    with db.unit_of_work() as uow:
        printed_before = len(uow.label_prints(batch_id, step_id))
        who = uow.user(user)
        job = dispense_label_zpl(
            weighing,
            batch_id,
            printed_by=who.name if who else user,
            printed_at=utc_now(),
            weighed_by_name=record.name_of(weighing.weighed_by),
            site_timezone=DEFAULT_SITE_TZ,
            is_reprint=printed_before > 0,
        )
        printed = ev.LabelPrinted(step=step_id, copy=printed_before + 1, file=printer)
        uow.write(printed, stream=batch_id, user_id=user)
        try:
            print_zpl(printer, job)
        except PrinterError as exc:
            raise CommandError(f"label not printed: {exc}") from None  # rolled back: not recorded
        uow.commit()
    return printer
