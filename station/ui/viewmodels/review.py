"""QA review by exception: the batch record's exceptions first (each with its full context), the
step-by-step record, and the e-signed verdict as recorded.

Qt-free: the record comes as an ``ebr.export.record.BatchRecord`` read on the engine thread,
where ``ReviewVM.from_record`` shapes it; the screens only read the result. The queue of
batches and the signature form are in ``review_queue``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ebr.export.record import (
    BatchRecord,
    Deviation,
    LotConsumption,
    Measurement,
    Override,
    Refusal,
    Signature,
    find_exceptions,
    manual_reason_text,
)

from .review_queue import MEANINGS, Line, decision_label, local_time, meaning_label
from .review_queue import QueueItem as QueueItem  # where the engine thread's review calls take it
from .text import fmt, translate

# ---------------------------------------------------------------- exceptions


def _unique(lines: list[Line] | tuple[Line, ...]) -> tuple[Line, ...]:
    """The context without a signature shown twice (as the override's and as one at the step)."""
    seen: set[str] = set()
    out = []
    for caption, value in lines:
        if caption in (translate("Review", "E-signature"), translate("Review", "Signature at this step")):
            if value in seen:
                continue
            seen.add(value)
        out.append((caption, value))
    return tuple(out)


@dataclass(frozen=True)
class ExceptionItem:
    """One exception in the list, and its full context when opened."""

    kind: str  # override | refusal | deviation | out_of_limits | refused_weighing | acknowledgement
    step_id: str | None
    title: str  # one line for the list
    context: tuple[Line, ...]  # what a reviewer reads when the exception is opened
    open: bool = False  # an unresolved exception (an open deviation, a refusal not overridden)


def kind_label(kind: str) -> str:
    return {
        "override": translate("Review", "Refusal overridden"),
        "refusal": translate("Review", "Refusal"),
        "deviation": translate("Review", "Deviation"),
        "out_of_limits": translate("Review", "Value outside its limits"),
        "refused_weighing": translate("Review", "Weighing refused"),
        "acknowledgement": translate("Review", "Supervisor acknowledgement"),
        "manual_weighing": translate("Review", "Weight entered by hand"),
    }.get(kind, kind)


class _Context:
    """Builds the context lines of an exception from the record."""

    def __init__(self, record: BatchRecord) -> None:
        self.record = record
        self.tz = record.site_timezone
        self.steps = {s.step_id: (op, s) for op, s in record.steps()}

    def when(self, value: dt.datetime | None) -> str:
        return local_time(value, self.tz)

    def who(self, user_id: str | None) -> str:
        return self.record.name_of(user_id)

    def step(self, step_id: str | None) -> list[Line]:
        if not step_id:
            return [(translate("Review", "Step"), translate("Review", "the batch as a whole"))]
        found = self.steps.get(step_id)
        if found is None:
            return [(translate("Review", "Step"), step_id)]
        op, s = found
        return [
            (translate("Review", "Step"), f"{s.step_id} · {s.title}"),
            (translate("Review", "Operation"), f"{op.op_id} · {op.title}"),
        ]

    def limits(self, low: object, high: object, unit: str) -> str:
        if low is None and high is None:
            return "—"
        return f"{fmt(low)} … {fmt(high)} {unit}".strip()

    def refusal(self, r: Refusal) -> list[Line]:
        return [
            (translate("Review", "Refused"), f"{r.action} · {self.who(r.user_id)} · {self.when(r.at)}"),
            (translate("Review", "Reason code"), r.reason_code),
            (translate("Review", "Sentence"), r.sentence),
        ]

    def signature(self, sig: Signature | None) -> list[Line]:
        if sig is None:
            return []
        return [
            (
                translate("Review", "E-signature"),
                f"{sig.printed_name} ({sig.user_id}) · {sig.meaning} · {self.when(sig.signed_at)}",
            )
        ]

    def override(self, o: Override) -> list[Line]:
        return [
            (translate("Review", "Supervisor"), f"{self.who(o.supervisor)} · {self.when(o.at)}"),
            (translate("Review", "Reason given"), o.reason),
            *self.signature(self.record.signature(o.signature_uid)),
        ]

    def deviation(self, d: Deviation | None) -> list[Line]:
        if d is None:
            return []
        lines = [
            (translate("Review", "Deviation"), f"{d.number} · {d.category} · {d.origin}"),
            *([(translate("Review", "Central number"), d.central_number)] if d.central_number else []),
            (translate("Review", "What happened"), d.text),
            (translate("Review", "Opened"), f"{self.who(d.opened_by)} · {self.when(d.opened_at)}"),
        ]
        if d.is_closed:
            lines.append(
                (translate("Review", "Closed"), f"{self.who(d.closed_by)} · {self.when(d.closed_at)}")
            )
            lines.append((translate("Review", "How it was closed"), d.closure_reason or "—"))
        else:
            lines.append((translate("Review", "Closed"), translate("Review", "NOT CLOSED")))
        for o in self.record.overrides:
            if o.deviation_uid == d.uid and o.signature_uid:
                lines.extend(self.signature(self.record.signature(o.signature_uid)))
        return lines

    def deviation_by_uid(self, uid: str | None) -> Deviation | None:
        return next((d for d in self.record.deviations if d.uid == uid), None) if uid else None

    def weighing(self, c: LotConsumption) -> list[Line]:
        return [
            (
                translate("Review", "Material and lot"),
                f"{c.material_code} {c.material_name} · {c.lot} ({c.lot_status})",
            ),
            (
                translate("Review", "Weighed"),
                translate("Review", "net %1 %2 (gross %3, tare %4)")
                .replace("%1", fmt(c.net))
                .replace("%2", c.unit)
                .replace("%3", fmt(c.gross))
                .replace("%4", fmt(c.tare))
                + f" · {c.source} {c.scale_id or ''}".rstrip(),
            ),
            (translate("Review", "Limits"), self.limits(c.low, c.high, c.unit)),
            (translate("Review", "By"), f"{self.who(c.weighed_by)} · {self.when(c.weighed_at)}"),
        ]

    def around(self, step_id: str | None, exclude: set[str]) -> list[Line]:
        """The signatures given at the same step (the sign-offs around the exception)."""
        if not step_id:
            return []
        return [
            (
                translate("Review", "Signature at this step"),
                f"{s.printed_name} ({s.user_id}) · {s.meaning} · {self.when(s.signed_at)}",
            )
            for s in self.record.signatures
            if s.step_id == step_id and s.uid not in exclude
        ]


def exception_items(record: BatchRecord) -> list[ExceptionItem]:
    """The exceptions a reviewer must look at, in the order of the record."""
    found = find_exceptions(record)
    ctx = _Context(record)
    net = translate("Review", "net")
    limits = translate("Review", "limits")
    overridden_by = translate("Review", "overridden by")
    items: list[tuple[dt.datetime, ExceptionItem]] = []
    overridden = {o.uid for _r, o in found.overridden_refusals}

    def add(at: dt.datetime, item: ExceptionItem) -> None:
        items.append((at, item))

    for r, o in found.overridden_refusals:
        dev = ctx.deviation_by_uid(o.deviation_uid)
        sig_uids = {o.signature_uid} if o.signature_uid else set()
        add(
            r.at,
            ExceptionItem(
                kind="override",
                step_id=r.step_id,
                title=f"{r.step_id or '—'} · {r.reason_code} · {overridden_by} {ctx.who(o.supervisor)}",
                context=(
                    *ctx.step(r.step_id),
                    *ctx.refusal(r),
                    *ctx.override(o),
                    *ctx.deviation(dev),
                    *ctx.around(r.step_id, sig_uids),
                ),
            ),
        )
    for r in found.other_refusals:
        add(
            r.at,
            ExceptionItem(
                kind="refusal",
                step_id=r.step_id,
                title=f"{r.step_id or '—'} · {r.reason_code} · {r.action}",
                context=(*ctx.step(r.step_id), *ctx.refusal(r), *ctx.around(r.step_id, set())),
            ),
        )
    for c in found.refused_weighings:
        reweighs = [w for w in found.reweighs if w.step_id == c.step_id]
        lines: list[Line] = [*ctx.step(c.step_id), *ctx.weighing(c)]
        lines.append((translate("Review", "Reason code"), c.refusal_reason or "—"))
        refusal = next((r for r in record.refusals if r.uid == c.uid), None)
        if refusal is not None:
            lines.append((translate("Review", "Sentence"), refusal.sentence))
        for w in reweighs:
            lines.append(
                (
                    translate("Review", "Re-weighed"),
                    f"{net} {fmt(w.net)} {w.unit} · {ctx.who(w.weighed_by)} · {ctx.when(w.weighed_at)}",
                )
            )
        lines.extend(ctx.around(c.step_id, set()))
        add(
            c.weighed_at,
            ExceptionItem(
                kind="refused_weighing",
                step_id=c.step_id,
                title=f"{c.step_id} · {c.material_name} · {net} {fmt(c.net)} {c.unit}"
                f" · {c.refusal_reason or ''}".rstrip(" ·"),
                context=tuple(lines),
            ),
        )
    for c in found.manual_weighings:
        witness = record.signature(c.witness_signature_uid)
        add(
            c.weighed_at,
            ExceptionItem(
                kind="manual_weighing",
                step_id=c.step_id,
                title=f"{c.step_id} · {c.material_name} · {net} {fmt(c.net)} {c.unit} · {c.source}",
                context=(
                    *ctx.step(c.step_id),
                    *ctx.weighing(c),
                    (translate("Review", "Why not from the scale"), manual_reason_text(c) or "—"),
                    *ctx.signature(witness),
                    *ctx.around(c.step_id, {witness.uid} if witness else set()),
                ),
            ),
        )
    for m in found.out_of_limits:
        dev = ctx.deviation_by_uid(m.deviation_uid)
        add(
            m.entered_at,
            ExceptionItem(
                kind="out_of_limits",
                step_id=m.step_id,
                title=f"{m.step_id} · {m.name} {fmt(m.value)} {m.unit} · {limits} "
                f"{ctx.limits(m.low, m.high, m.unit)}",
                context=(
                    *ctx.step(m.step_id),
                    *_measurement(ctx, m),
                    *ctx.deviation(dev),
                    *ctx.around(m.step_id, set()),
                ),
                open=dev is not None and not dev.is_closed,
            ),
        )
    for d in found.deviations:
        add(
            d.opened_at,
            ExceptionItem(
                kind="deviation",
                step_id=d.step_id,
                title=" · ".join(
                    n for n in (d.number, d.central_number, d.step_id or "—", d.text) if n is not None
                ),
                context=(*ctx.step(d.step_id), *ctx.deviation(d)),
                open=not d.is_closed,
            ),
        )
    for o in found.overrides:
        if o.uid in overridden:
            continue
        dev = ctx.deviation_by_uid(o.deviation_uid)
        add(
            o.at,
            ExceptionItem(
                kind="acknowledgement",
                step_id=o.step_id,
                title=f"{o.step_id or '—'} · {o.reason_code} · {ctx.who(o.supervisor)}",
                context=(
                    *ctx.step(o.step_id),
                    (translate("Review", "Reason code"), o.reason_code),
                    *ctx.override(o),
                    *ctx.deviation(dev),
                ),
            ),
        )
    items.sort(key=lambda pair: pair[0])
    return [
        ExceptionItem(item.kind, item.step_id, item.title, _unique(item.context), item.open)
        for _at, item in items
    ]


def _measurement(ctx: _Context, m: Measurement) -> list[Line]:
    return [
        (translate("Review", "Recorded value"), f"{m.name} {fmt(m.value)} {m.unit}"),
        (translate("Review", "Limits"), ctx.limits(m.low, m.high, m.unit)),
        (translate("Review", "Entered"), f"{ctx.who(m.entered_by)} · {ctx.when(m.entered_at)}"),
    ]


# ---------------------------------------------------------------- the step-by-step record


@dataclass(frozen=True)
class StepPage:
    title: str  # "OP20.S20 · Paracetamol"
    operation: str
    lines: tuple[Line, ...]


def step_pages(record: BatchRecord) -> list[StepPage]:
    ctx = _Context(record)
    pages = []
    for op, s in record.steps():
        lines: list[Line] = [(translate("Review", "Kind"), s.kind), (translate("Review", "Status"), s.status)]
        for p in s.parameters:
            lines.append((p.name, f"{p.value} {p.unit}".strip()))
        for e in s.executions:
            mark = (
                "" if e.outcome == "accepted" or e.outcome.upper() in e.result else f" [{e.outcome.upper()}]"
            )
            lines.append((e.action, f"{e.result}{mark} · {ctx.who(e.user_id)} · {ctx.when(e.at)}"))
        for sig in record.signatures:
            if sig.step_id == s.step_id:
                lines.extend(ctx.signature(sig))
        pages.append(
            StepPage(
                title=f"{s.step_id} · {s.title}", operation=f"{op.op_id} · {op.title}", lines=tuple(lines)
            )
        )
    return pages


# ---------------------------------------------------------------- the review screen


@dataclass(frozen=True)
class SignedReview:
    """What the reviewer's e-signature recorded (shown after signing)."""

    approved: bool
    printed_name: str
    reviewer: str
    meaning: str
    signed_at: str  # ISO UTC, or a datetime's text
    comment: str = ""


@dataclass
class ReviewVM:
    record: BatchRecord
    exceptions: list[ExceptionItem] = field(default_factory=list)
    pages: list[StepPage] = field(default_factory=list)
    selected: int | None = None
    page: int = 0
    mode: str = "exceptions"  # exceptions | record
    signed: SignedReview | None = None

    @classmethod
    def from_record(cls, record: BatchRecord) -> ReviewVM:
        vm = cls(record=record, exceptions=exception_items(record), pages=step_pages(record))
        if record.reviews:
            r = record.reviews[-1]
            sig = record.signature(r.signature_uid)
            person = record.person(r.reviewer)
            vm.signed = SignedReview(
                approved=r.decision == "approved",
                printed_name=sig.printed_name if sig else (person.name if person else r.reviewer),
                reviewer=r.reviewer,
                meaning=sig.meaning if sig else MEANINGS[r.decision == "approved"],
                signed_at=(sig.signed_at if sig else r.at).isoformat(),
                comment=r.comment,
            )
        return vm

    @property
    def batch_id(self) -> str:
        return self.record.batch_id

    @property
    def timezone(self) -> str:
        return self.record.site_timezone

    @property
    def header_lines(self) -> list[Line]:
        h = self.record.header
        verified = {
            True: translate("Review", "yes"),
            False: translate("Review", "NO: the audit trail does not verify"),
            None: translate("Review", "not checked"),
        }[h.chain_verified]
        return [
            (translate("Review", "Batch"), h.batch_id),
            (translate("Review", "Product"), f"{h.product_code} · {h.product_name}"),
            (translate("Review", "Recipe"), f"{h.recipe_code} v{h.recipe_version}"),
            (translate("Review", "Batch size"), f"{fmt(h.batch_size)} {h.batch_unit}"),
            (translate("Review", "Started"), local_time(h.started_at, self.timezone)),
            (translate("Review", "Station"), h.station),
            (translate("Review", "Completed"), local_time(h.completed_at, self.timezone)),
            (translate("Review", "Audit chain verified"), verified),
        ]

    @property
    def chain_ok(self) -> bool:
        return self.record.header.chain_verified is True

    @property
    def exceptions_title(self) -> str:
        return translate("Review", "Exceptions: %1").replace("%1", str(len(self.exceptions)))

    @property
    def no_exceptions(self) -> bool:
        return not self.exceptions

    def describe(self, item: ExceptionItem) -> str:
        text = f"{kind_label(item.kind)}: {item.title}"
        if item.open:
            text += " · " + translate("Review", "OPEN")
        return text

    def select(self, index: int | None) -> None:
        self.selected = index if index is not None and 0 <= index < len(self.exceptions) else None

    @property
    def context(self) -> ExceptionItem | None:
        return None if self.selected is None else self.exceptions[self.selected]

    # ---- paging through the record
    @property
    def step_page(self) -> StepPage | None:
        return self.pages[self.page] if self.pages else None

    @property
    def page_text(self) -> str:
        return (
            translate("Review", "Step %1 of %2")
            .replace("%1", str(self.page + 1))
            .replace("%2", str(len(self.pages)))
        )

    def turn(self, delta: int) -> None:
        if self.pages:
            self.page = max(0, min(len(self.pages) - 1, self.page + delta))

    @property
    def can_back(self) -> bool:
        return self.page > 0

    @property
    def can_forward(self) -> bool:
        return self.page < len(self.pages) - 1

    # ---- the verdict
    @property
    def can_review(self) -> bool:
        return self.signed is None and self.record.header.status == "completed"

    @property
    def verdict_text(self) -> str:
        s = self.signed
        if s is None:
            return ""
        return (
            translate("Review", "%1 — signed by %2 (%3), meaning: %4, at %5")
            .replace("%1", decision_label("approved" if s.approved else "rejected").upper())
            .replace("%2", s.printed_name)
            .replace("%3", s.reviewer)
            .replace("%4", meaning_label(s.approved))
            .replace("%5", local_time(s.signed_at, self.timezone))
        )
