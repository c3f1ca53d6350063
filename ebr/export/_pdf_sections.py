"""The PDF batch record's sections after the exceptions: the execution step by step, materials and
weighings, equipment, measurements, signatures (21 CFR 11.50), the QA review, the people and their
training, and the audit trail as an appendix."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    NextPageTemplate,
    PageBreak,
    Spacer,
)
from reportlab.platypus.flowables import Flowable

from ebr.events import StepSigned
from ebr.export._common import date_text, local_text, num, site_zone, utc_text
from ebr.export._pdf_style import (
    AMBER,
    GREEN,
    GREEN_FILL,
    RED,
    RED_FILL,
    _h1,
    _h2,
    _note,
    _para,
    _value_json,
    _who_when,
)
from ebr.export._pdfgrid import (
    Cell,
    CellLike,
    Grid,
)
from ebr.export.record import BatchRecord, LotConsumption, Step


def _execution(record: BatchRecord) -> list[Flowable]:
    out: list[Flowable] = [CondPageBreak(60 * mm), _h1("2  Execution, step by step")]
    out.append(
        _note(
            "Each row is one action at a step: who did it, when (UTC and site local time) and what was recorded. Refused attempts are shown in red."
        )
    )
    signatures_by_step: dict[str, list[Any]] = {}
    for s in record.signatures:
        if s.step_id:
            signatures_by_step.setdefault(s.step_id, []).append(s)
    for operation in record.operations:
        rows: list[list[CellLike]] = []
        groups: list[int] = []
        for number, step in enumerate(operation.steps):
            step_rows = _step_rows(record, step, signatures_by_step.get(step.step_id, []))
            rows += step_rows
            groups += [number] * len(step_rows)
        training = f" — training: {', '.join(operation.training)}" if operation.training else ""
        out.append(_h2(f"{operation.op_id}  {operation.title}{training}"))
        out.append(
            Grid(
                [1.0, 3.6, 2.1, 3.4],
                rows,
                header=["Step", "Instruction and parameters", "Performed by / when", "Result"],
            )
        )
        out.append(Spacer(1, 3 * mm))
    return out


def _step_rows(record: BatchRecord, step: Step, signatures: Sequence[Any]) -> list[list[CellLike]]:
    params = "\n".join(f"{p.name}: {p.value}{(' ' + p.unit) if p.unit else ''}" for p in step.parameters)
    what = f"{step.title}\n{params}" if params else step.title
    head = Cell(
        f"{step.step_id}\n{step.kind}" + ("" if step.status == "done" else f"\n[{step.status.upper()}]"),
        bold=True,
        color=None if step.status == "done" else AMBER,
    )
    if not step.executions:
        return [[head, what, "—", Cell("not performed", color=AMBER)]]
    rows: list[list[CellLike]] = []
    for i, e in enumerate(step.executions):
        refused = e.outcome == "refused"
        shown = e.result + "".join(f"\nTraining: {t}" for t in e.training)
        result: CellLike = Cell(
            shown, color=RED if refused else AMBER if e.outcome == "deviation" else None, bold=refused
        )
        if issubclass(e.event, StepSigned):
            sig = next((s for s in signatures if s.user_id == e.user_id), None)
            if sig is not None:
                result = Cell(
                    f"Electronically signed by {sig.printed_name} ({sig.user_id})\nMeaning: {sig.meaning}\n"
                    f"{utc_text(sig.signed_at)}\nlocal {local_text(sig.signed_at, record.site_timezone)}",
                    bold=False,
                )
        rows.append(
            [head if i == 0 else "", what if i == 0 else "", _who_when(record, e.user_id, e.at), result]
        )
    return rows


def _materials(record: BatchRecord) -> list[Flowable]:
    out: list[Flowable] = [CondPageBreak(50 * mm), _h1("3  Materials and weighings")]
    if not record.consumptions:
        return [*out, _note("No material was weighed.")]
    rows: list[list[CellLike]] = []
    for c in record.consumptions:
        rows.append(
            [
                Cell(c.step_id, bold=True),
                f"{c.material_code}\n{c.material_name}\nGTIN {c.gtin or '—'}",
                _lot_cell(c),
                f"Gross {num(c.gross, c.unit)}\nTare {num(c.tare, c.unit)}\n"
                f"{c.scale_id or '—'} ({'from the scale' if c.source == 'scale' else c.source + ' entry'})\n"
                f"S/N {c.scale_serial or '—'}",
                Cell(num(c.net, c.unit), bold=True, color=None if c.accepted else RED),
                f"{num(c.target, c.target_unit or '')}\n{num(c.low)} – {num(c.high)} {c.unit}",
                _who_when(record, c.weighed_by, c.weighed_at),
                Cell("accepted", color=GREEN, bold=True)
                if c.accepted
                else Cell(f"REFUSED\n{c.refusal_reason or ''}", color=RED, bold=True, fill=RED_FILL),
            ]
        )
    out.append(
        Grid(
            [1.0, 2.0, 1.6, 2.3, 1.05, 1.45, 2.3, 1.05],
            rows,
            header=[
                "Step",
                "Material",
                "Lot at use",
                "Gross, tare, scale",
                "Net",
                "Target / range",
                "Weighed by / when",
                "Outcome",
            ],
            size=7.2,
        )
    )
    return [*out, Spacer(1, 3 * mm)]


def _lot_cell(c: LotConsumption) -> CellLike:
    text = f"{c.lot}\n{c.lot_status}\nexpiry {date_text(c.lot_expiry)}" + (
        f"\nretest {date_text(c.lot_retest)}" if c.lot_retest else ""
    )
    return Cell(text, color=None if c.lot_status == "released" else RED, bold=c.lot_status != "released")


def _equipment(record: BatchRecord) -> list[Flowable]:
    out: list[Flowable] = [CondPageBreak(40 * mm), _h1("4  Equipment used")]
    if not record.equipment:
        return [*out, _note("No equipment was bound.")]
    rows: list[list[CellLike]] = [
        [
            Cell(e.step_id, bold=True),
            f"{e.equipment_id} — {e.name}\n{e.equipment_class}" + (f" (as {e.bind})" if e.bind else ""),
            e.serial_number or "—",
            Cell(e.status, color=None if e.status == "in_service" else RED),
            date_text(e.calibrated_until),
            date_text(e.clean_until),
            date_text(e.daily_check_until),
            _who_when(record, e.used_by, e.used_at),
        ]
        for e in record.equipment
    ]
    out.append(_note("Status and dates as the station's gate saw them when the equipment was bound."))
    out.append(
        Grid(
            [1.0, 2.6, 1.6, 0.95, 1.1, 1.35, 1.35, 2.1],
            rows,
            header=[
                "Step",
                "Equipment",
                "Serial no.",
                "Status",
                "Calibrated until",
                "Clean until",
                "Daily check until",
                "Bound by / when",
            ],
            size=7.2,
        )
    )
    return [*out, Spacer(1, 3 * mm)]


def _measurements(record: BatchRecord) -> list[Flowable]:
    out: list[Flowable] = [CondPageBreak(40 * mm), _h1("5  Measured values")]
    if not record.measurements:
        return [*out, _note("No value was measured.")]
    rows: list[list[CellLike]] = [
        [
            Cell(m.step_id, bold=True),
            m.name,
            Cell(
                num(m.value, m.unit),
                bold=True,
                color=None if m.in_limits else RED,
                fill=None if m.in_limits else RED_FILL,
            ),
            f"{num(m.low)} – {num(m.high)} {m.unit}",
            Cell("yes", color=GREEN) if m.in_limits else Cell("NO — deviation", bold=True, color=RED),
            _who_when(record, m.entered_by, m.entered_at),
        ]
        for m in record.measurements
    ]
    out.append(
        Grid(
            [1.1, 3.2, 1.3, 1.6, 1.2, 2.3],
            rows,
            header=["Step", "Measured", "Value", "Limits", "Within limits", "Entered by / when"],
        )
    )
    return [*out, Spacer(1, 3 * mm)]


def _signatures(record: BatchRecord) -> list[Flowable]:
    zone = site_zone(record.site_timezone)
    out: list[Flowable] = [CondPageBreak(50 * mm), _h1("6  Electronic signatures")]
    out.append(
        _note(
            "Each signature as 21 CFR 11.50 requires: the signer's printed name, the date and time it was made, and its meaning; with the record it was applied to and the hash of that record's content at signing."
        )
    )
    if not record.signatures:
        return [*out, _note("No signature was applied.")]
    rows: list[list[CellLike]] = []
    for s in record.signatures:
        local = s.signed_at.astimezone(zone)
        rows.append(
            [
                Cell(f"{s.printed_name}\n({s.user_id})", bold=True),
                Cell(s.meaning, bold=True),
                f"{utc_text(s.signed_at)}\n{local.strftime('%Y-%m-%d %H:%M:%S')} {local.tzname()} ({record.site_timezone})",
                f"{s.step_id or 'batch'}\n{s.signed_record.table}\n{s.signed_record.uid}",
                Cell(s.signed_hash, mono=True, size=6.0),
            ]
        )
    out.append(
        Grid(
            [1.8, 2.3, 2.2, 2.0, 2.8],
            rows,
            header=[
                "Printed name",
                "Meaning",
                "Date and time (UTC / local)",
                "Step and record signed",
                "Signed hash (sha256)",
            ],
        )
    )
    return [*out, Spacer(1, 3 * mm)]


def _review(record: BatchRecord) -> list[Flowable]:
    out: list[Flowable] = [CondPageBreak(35 * mm), _h1("7  QA review")]
    if not record.reviews:
        return [*out, _para("Not yet reviewed by QA.", 10, bold=True, color=AMBER)]
    signatures = {s.uid: s for s in record.signatures}
    rows: list[list[CellLike]] = []
    for r in record.reviews:
        sig = signatures.get(r.signature_uid or "")
        ok = r.decision == "approved"
        rows.append(
            [
                Cell(
                    r.decision.upper(),
                    bold=True,
                    color=GREEN if ok else RED,
                    fill=GREEN_FILL if ok else RED_FILL,
                ),
                _who_when(record, r.reviewer, r.at),
                r.comment or "—",
                f"{sig.printed_name} — {sig.meaning}\n{utc_text(sig.signed_at)}\nlocal {local_text(sig.signed_at, record.site_timezone)}"
                if sig
                else Cell("no e-signature found", color=RED),
            ]
        )
    out.append(
        Grid([1.1, 2.3, 3.6, 3.2], rows, header=["Decision", "Reviewer / when", "Comment", "E-signature"])
    )
    return [*out, Spacer(1, 3 * mm)]


def _personnel(record: BatchRecord) -> list[Flowable]:
    out: list[Flowable] = [CondPageBreak(40 * mm), _h1("8  People and their training")]
    out.append(
        _note(
            "Training records as they stood when the person worked on this batch; 'current' means the training is on the document revision in force."
        )
    )
    rows: list[list[CellLike]] = []
    for p in record.personnel:
        training = "\n".join(
            f"{t.document} rev {t.revision}, trained {t.trained_on.isoformat()}, expires {date_text(t.expires)}"
            + (
                ""
                if t.current_revision in (None, t.revision)
                else f" — NOT CURRENT (rev {t.current_revision} in force)"
            )
            for t in p.training
        )
        rows.append([Cell(p.name, bold=True), p.user_id, ", ".join(p.roles), training or "—"])
    out.append(Grid([2.0, 1.4, 1.5, 5.3], rows, header=["Name", "User id", "Roles", "Training evidence"]))
    return out


def _audit_trail(record: BatchRecord) -> list[Flowable]:
    out: list[Flowable] = [NextPageTemplate("landscape"), PageBreak(), _h1("Appendix A  Audit trail")]
    out.append(
        _note(
            f"Every event of batch {record.batch_id} in the order it was written. Seq is the position in the station's "
            "hash chain (gaps are events of other batches and of the site); # is the position within this batch. "
            "The JSON export carries each event in full (prev_hash, record_hash) and verifies offline."
        )
    )
    rows: list[list[CellLike]] = []
    for e in record.events:
        outcome = str(e.get("outcome"))
        details = []
        if e.get("old_value") is not None:
            details.append("old: " + _value_json(e["old_value"]))
        if e.get("new_value") is not None:
            details.append("new: " + _value_json(e["new_value"]))
        if e.get("reason"):
            details.append(f"reason: {e['reason']}")
        record_ref = f"{e['record_table']}\n{e['record_uid']}" if e.get("record_table") else ""
        rows.append(
            [
                str(e.get("seq")),
                str(e.get("stream_seq")),
                str(e.get("occurred_at", "")).replace("T", " "),
                str(e.get("user_id") or "system"),
                Cell(str(e.get("action")), bold=True),
                Cell(
                    outcome,
                    color=RED if outcome == "refused" else AMBER if outcome == "deviation" else None,
                    bold=outcome != "accepted",
                ),
                f"{e.get('entity_type')}\n{e.get('entity_id') or ''}",
                "\n".join(details),
                Cell(record_ref, size=6.2),
                Cell(str(e.get("hash")), mono=True, size=6.2),
            ]
        )
    out.append(
        Grid(
            [0.55, 0.4, 1.45, 1.05, 1.65, 0.8, 1.45, 4.7, 1.75, 2.05],
            rows,
            header=[
                "Seq",
                "#",
                "Time (UTC)",
                "User",
                "Action",
                "Outcome",
                "Entity",
                "Old value, new value, reason",
                "Record written",
                "Event hash",
            ],
            size=6.6,
        )
    )
    return out
