"""Application services for the batch record leaving the station: exports, dispense labels
and QA review. Qt-free: the command line and the touchscreen call the same functions."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from ebr import events as ev
from ebr import signatures, users
from ebr.clock import utc_now
from ebr.database import Database
from ebr.errors import NotFound
from ebr.export.loader import load_batch_record
from ebr.export.record import BatchRecord
from ebr.models import AuditEvent, Review
from ebr.verify import verify
from gating import wording as W
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
            return load_batch_record(
                uow.session, batch_id, chain_verified=report.ok, site_timezone=DEFAULT_SITE_TZ
            )
        except NotFound as exc:
            raise CommandError(str(exc)) from None


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
    """A review the store refused: the English message (as the command line prints it), its
    template for a station in another language, and the reason code."""

    def __init__(self, worded: Wording, code: str) -> None:
        super().__init__(worded.text(), 1)
        self.wording = worded
        self.code = code


def batch_participants(db: Database, batch_id: str) -> set[str]:
    """Everyone who did or signed anything in the batch (its stream's accepted events)."""
    from sqlalchemy import select

    c = AuditEvent.__table__.c
    with db.unit_of_work(read_only=True) as uow:
        rows = uow.session.execute(
            select(c.user_id)
            .where(c.stream == batch_id, c.outcome != "refused", c.user_id.is_not(None))
            .distinct()
        )
        return {r[0] for r in rows}


def review_batch(
    db: Database, batch_id: str, *, approve: bool, user: str, password: str, comment: str
) -> ReviewOutcome:
    """QA's review by exception ends in an e-signature: approved or rejected, with a comment.
    Only a QA user who took no part in the batch may review it, once, after it is completed."""
    if not comment.strip():
        raise ReviewRefused(wording(W.REVIEW_COMMENT_REQUIRED), "comment_required")
    participants = batch_participants(db, batch_id)
    with db.unit_of_work() as uow:
        info = uow.batch(batch_id)
        if info is None:
            raise CommandError(f"batch {batch_id} is not in the database")
        auth = users.authenticate(uow, user, password, purpose="signature")
        if not auth.ok or auth.user is None:
            uow.commit()  # the failed signature is audited
            raise ReviewRefused(auth.wording or wording(W.LOGIN_WRONG), "signature_invalid")
        reviewer = auth.user
        problem: tuple[Wording, str] | None = None
        if "qa" not in reviewer.roles:
            problem = (wording(W.REVIEW_NOT_QA, user=reviewer.name), "role_required")
        elif reviewer.id in participants:
            problem = (
                wording(W.REVIEW_NOT_INDEPENDENT, user=reviewer.name, batch=batch_id),
                "independent_signer_required",
            )
        elif info.status != "completed":
            shown = batch_status(info.status)
            problem = (wording(W.REVIEW_NOT_COMPLETED, batch=batch_id, status=shown), "sequence")
        elif _reviewed(uow, batch_id):
            problem = (wording(W.REVIEW_DONE, batch=batch_id), "sequence")
        if problem is not None:
            refused = ev.ActionRefused(
                attempted="review",
                refusals=(ev.RefusalNote(problem[1], problem[0].text()),),
                attempt={"approve": approve, "comment": comment},
                subject_type="batch",
                subject=batch_id,
                note=problem[1],
            )
            uow.write(refused, stream=batch_id, user_id=reviewer.id)
            uow.commit()
            raise ReviewRefused(problem[0], problem[1])
        decided = ev.ReviewDecided(
            verdict="approved" if approve else "rejected", batch_id=batch_id, comment=comment
        )
        _, row = uow.write(decided, stream=batch_id, user_id=reviewer.id)
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


def _reviewed(uow, batch_id: str) -> bool:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    return uow.session.execute(select(Review.uid).where(Review.batch_id == batch_id)).first() is not None


# ---------------------------------------------------------------- dispense labels
def labels_dir() -> Path:
    folder = Path(
        os.environ.get("MES_LABEL_DIR") or Path(platformdirs.user_data_dir("mes-station")) / "labels"
    )
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def print_dispense_label(
    db: Database, batch_id: str, step_id: str, *, user: str, folder: Path | None = None
) -> Path:
    """Write the dispense label of the accepted weighing at ``step_id`` as a PDF for the label
    printer; the first print is a print, every later one a reprint, both in the audit trail."""
    from ebr.export.labels import dispense_label_pdf

    record = load_record(db, batch_id)
    weighing = next((c for c in record.consumptions if c.step_id == step_id and c.accepted), None)
    if weighing is None:
        raise CommandError(f"no accepted weighing at {step_id} of batch {batch_id}")
    with db.unit_of_work() as uow:
        from sqlalchemy import func, select

        c = AuditEvent.__table__.c
        printed_before = uow.session.execute(
            select(func.count()).where(
                c.stream == batch_id,
                c.action.in_(("label.printed", "label.reprinted")),
                c.entity_id == step_id,
            )
        ).scalar_one()
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
        target = (folder or labels_dir()) / f"{batch_id}-{step_id}-{printed_before + 1}.pdf"
        write_file(target, data)
        printed = ev.LabelPrinted(step=step_id, copy=printed_before + 1, file=target.name)
        uow.write(printed, stream=batch_id, user_id=user)
        uow.commit()
    return target
