"""The PDF batch record's first pages: the cover (batch, product, recipe, status, whether the audit
trail verified, the QA review) and the exceptions, before anything else (review by exception)."""

from __future__ import annotations

from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import Flowable

from ebr.export._barcode import BarcodeFlowable, code128_modules
from ebr.export._common import local_text, num, utc_text
from ebr.export._pdf_style import (
    _STATUS,
    AMBER,
    AMBER_FILL,
    GREEN,
    GREEN_FILL,
    GREY,
    NAVY,
    RED,
    RED_FILL,
    _esc,
    _font,
    _h1,
    _h2,
    _note,
    _para,
    _when,
    _who_when,
)
from ebr.export._pdfgrid import (
    Cell,
    CellLike,
    Grid,
)
from ebr.export.record import BatchRecord, Deviation, Exceptions, manual_reason_text


def _cover(record: BatchRecord, found: Exceptions) -> list[Flowable]:
    h = record.header
    title = [
        _para("ELECTRONIC BATCH RECORD", 9, bold=True, color=GREY, space_after=2),
        _para(h.batch_id, 24, bold=True, color=NAVY, space_after=4),
        _para(f"{h.product_name}", 12, bold=True, space_after=1),
        _para(
            f"Product {h.product_code} · Master recipe {h.recipe_code} version {h.recipe_version}",
            9,
            space_after=0,
        ),
    ]
    try:
        symbol: Flowable = BarcodeFlowable(code128_modules(h.batch_id), 0.3 * mm, 14 * mm)
        caption = Paragraph(
            _esc(h.batch_id),
            ParagraphStyle("c", fontName=_font(h.batch_id), fontSize=8, leading=10, alignment=TA_RIGHT),
        )
        code_block: list[Flowable] = [symbol, caption]
    except Exception:  # characters Code 128 cannot carry: the id is printed as text only
        code_block = [_note("(no barcode: the batch id has characters outside Code 128)")]
    top = Table([[title, code_block]], colWidths=["62%", "38%"])
    top.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ALIGN", (1, 0), (1, 0), "RIGHT"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )

    verified = h.chain_verified
    chain_cell = (
        Cell("AUDIT TRAIL VERIFIED", bold=True, color=GREEN, fill=GREEN_FILL)
        if verified
        else Cell("AUDIT TRAIL NOT VERIFIED — TAMPERING SUSPECTED", bold=True, color=RED, fill=RED_FILL)
        if verified is False
        else Cell("Audit trail not checked", bold=True, color=AMBER, fill=AMBER_FILL)
    )
    status = _STATUS.get(h.status, h.status.upper())
    status_cell = Cell(
        status,
        bold=True,
        color=GREEN if h.status == "completed" else AMBER,
        fill=GREEN_FILL if h.status == "completed" else AMBER_FILL,
    )
    review = record.reviews[-1] if record.reviews else None
    if review is None:
        review_cell = Cell("QA REVIEW: NOT YET REVIEWED", bold=True, color=AMBER, fill=AMBER_FILL)
    elif review.decision == "approved":
        review_cell = Cell("QA REVIEW: APPROVED", bold=True, color=GREEN, fill=GREEN_FILL)
    else:
        review_cell = Cell(f"QA REVIEW: {review.decision.upper()}", bold=True, color=RED, fill=RED_FILL)
    exceptions_cell = (
        Cell("NO EXCEPTIONS", bold=True, color=GREEN, fill=GREEN_FILL)
        if found.none
        else Cell(
            f"{found.count} EXCEPTION{'S' if found.count != 1 else ''} — SEE SECTION 1",
            bold=True,
            color=RED,
            fill=RED_FILL,
        )
    )
    banner = Grid(
        [1, 1, 1, 1], [[status_cell, chain_cell, review_cell, exceptions_cell]], size=8.4, zebra=False
    )

    approved = (
        f"{record.name_of(h.recipe_approved_by)}, {utc_text(h.recipe_approved_at)}"
        if h.recipe_approved_by
        else "—"
    )
    last = record.events[-1] if record.events else None
    facts: list[list[CellLike]] = [
        ["Batch", Cell(h.batch_id, bold=True)],
        ["Product", f"{h.product_code} — {h.product_name}"],
        ["Master recipe", f"{h.recipe_code} version {h.recipe_version} — {h.recipe_title}"],
        ["Recipe content hash", Cell(h.recipe_content_hash, mono=True)],
        ["Recipe approved for use by", approved],
        ["Batch size", num(h.batch_size, h.batch_unit)],
        ["Station", h.station],
        [
            "Started",
            f"{utc_text(h.started_at)}  ·  local {local_text(h.started_at, record.site_timezone)}  ·  by {record.name_of(h.started_by)}",
        ],
        [
            "Completed",
            f"{utc_text(h.completed_at)}  ·  local {local_text(h.completed_at, record.site_timezone)}"
            if h.completed_at
            else "— not completed",
        ],
        ["Status", Cell(status, bold=True)],
        [
            "Audit trail",
            Cell(
                (
                    "verified intact"
                    if verified
                    else "FAILED verification"
                    if verified is False
                    else "not checked when this copy was made"
                )
                + f" — {len(record.events)} events of this batch"
                + (f", last seq {last['seq']}" if last else ""),
                bold=verified is not True,
                color=RED if verified is False else None,
            ),
        ],
        ["Record hash (last event)", Cell(record.chain_head, mono=True)],
        ["Site time zone", f"{record.site_timezone} (times are shown in UTC and in site local time)"],
    ]
    return [
        top,
        Spacer(1, 3 * mm),
        banner,
        Spacer(1, 3 * mm),
        Grid([1.25, 4], facts, size=8.2, zebra=True, label_column=True),
        Spacer(1, 5 * mm),
    ]


def _exceptions(record: BatchRecord, found: Exceptions) -> list[Flowable]:
    out: list[Flowable] = [_h1("1  Exceptions")]
    if found.none:
        out.append(_para("No exceptions.", 12, bold=True, color=GREEN, space_after=2))
        out.append(
            _note(
                "The station recorded no refused action, no deviation, no value outside its limits, "
                "no refused weighing, no weight typed in by hand and no supervisor override in this batch."
            )
        )
        return out
    out.append(
        _note(
            "Everything below departs from the normal course of the batch and needs the reviewer's attention. "
            "Details follow in the sections after it and in the audit trail (appendix A)."
        )
    )
    signatures = {s.uid: s for s in record.signatures}
    deviations = {d.uid: d for d in record.deviations}
    if found.overridden_refusals:
        rows: list[list[CellLike]] = []
        for refusal, override in found.overridden_refusals:
            dev = deviations.get(override.deviation_uid or "")
            sig = signatures.get(override.signature_uid or "")
            rows.append(
                [
                    Cell(refusal.step_id or "—", bold=True),
                    Cell(f"{refusal.reason_code}\n{refusal.sentence}", color=RED),
                    _who_when(record, refusal.user_id, refusal.at),
                    f"{record.name_of(override.supervisor)}\n{_when(record, override.at)}"
                    + ("\ne-signed" if sig else ""),
                    Cell(override.reason, bold=True),
                    _numbers(dev) if dev else "—",
                ]
            )
        out += [
            _h2(f"Overridden refusals ({len(rows)})"),
            Grid(
                [1.1, 3, 2.1, 2.1, 2.6, 1.1],
                rows,
                header=[
                    "Step",
                    "Refused (reason code)",
                    "Refused to / when",
                    "Overridden by / when",
                    "Reason given",
                    "Deviation",
                ],
            ),
            Spacer(1, 3 * mm),
        ]
    if found.deviations:
        rows = []
        for d in found.deviations:
            closed = (
                Cell(
                    f"Closed by {record.name_of(d.closed_by)}\n{_when(record, d.closed_at)}\n{d.closure_reason or ''}",
                    color=GREEN,
                )
                if d.is_closed
                else Cell("OPEN — not closed", bold=True, color=RED, fill=RED_FILL)
            )
            rows.append(
                [
                    Cell(_numbers(d), bold=True),
                    d.step_id or "batch",
                    d.category if d.origin == d.category else f"{d.category}\n(origin: {d.origin})",
                    d.text,
                    _who_when(record, d.opened_by, d.opened_at),
                    closed,
                ]
            )
        out += [
            _h2(f"Deviations and how they were closed ({len(rows)})"),
            Grid(
                [1.0, 1.1, 1.5, 3.0, 2.0, 3.0],
                rows,
                header=[
                    "Deviation",
                    "Step",
                    "Category (origin)",
                    "What happened",
                    "Opened by / when",
                    "Closure",
                ],
            ),
            Spacer(1, 3 * mm),
        ]
    if found.out_of_limits:
        rows = [
            [
                Cell(m.step_id, bold=True),
                m.name,
                Cell(num(m.value, m.unit), bold=True, color=RED, fill=RED_FILL),
                f"{num(m.low)} – {num(m.high)} {m.unit}",
                _who_when(record, m.entered_by, m.entered_at),
                deviations[m.deviation_uid].number if m.deviation_uid in deviations else "—",
            ]
            for m in found.out_of_limits
        ]
        out += [
            _h2(f"Values outside their limits ({len(rows)})"),
            Grid(
                [1.1, 3, 1.3, 1.5, 2.2, 1.1],
                rows,
                header=["Step", "Measured", "Value", "Limits", "Entered by / when", "Deviation"],
            ),
            Spacer(1, 3 * mm),
        ]
    if found.refused_weighings or found.reweighs:
        rows = []
        for c in sorted((*found.refused_weighings, *found.reweighs), key=lambda c: c.weighed_at):
            rows.append(
                [
                    Cell(c.step_id, bold=True),
                    f"{c.material_code} {c.material_name}\nLot {c.lot}",
                    Cell(num(c.net, c.unit), bold=True, color=None if c.accepted else RED),
                    f"{num(c.low)} – {num(c.high)} {c.unit}",
                    Cell("re-weigh ACCEPTED", bold=True, color=GREEN)
                    if c.accepted
                    else Cell(f"REFUSED\n{c.refusal_reason or ''}", bold=True, color=RED, fill=RED_FILL),
                    f"{c.scale_id or '—'}\n{c.source}",
                    _who_when(record, c.weighed_by, c.weighed_at),
                ]
            )
        out += [
            _h2(f"Refused weighings and re-weighs ({len(found.refused_weighings)} refused)"),
            Grid(
                [1.1, 2.4, 1.2, 1.6, 1.5, 1.2, 2.2],
                rows,
                header=["Step", "Material / lot", "Net", "Accepted range", "Outcome", "Scale", "By / when"],
            ),
            Spacer(1, 3 * mm),
        ]
    if found.manual_weighings:
        rows = []
        for c in found.manual_weighings:
            sig = signatures.get(c.witness_signature_uid or "")
            witnessed: str | Cell = (
                f"{sig.printed_name}: {sig.meaning}\n{_when(record, sig.signed_at)}"
                if sig
                else Cell("no witness", color=RED)
            )
            rows.append(
                [
                    Cell(c.step_id, bold=True),
                    f"{c.material_code} {c.material_name}\nLot {c.lot}",
                    Cell(num(c.net, c.unit), bold=True),
                    Cell(
                        f"typed in ({c.source})\n{manual_reason_text(c) or ''}".strip(), bold=True, color=RED
                    ),
                    c.scale_id or "—",
                    _who_when(record, c.weighed_by, c.weighed_at),
                    witnessed,
                ]
            )
        out += [
            _h2(f"Weights entered by hand, not read from the scale ({len(rows)})"),
            Grid(
                [1.0, 2.2, 1.2, 2.3, 1.2, 1.8, 2.3],
                rows,
                header=["Step", "Material / lot", "Net", "Source / reason", "Scale", "By / when", "Witness"],
            ),
            Spacer(1, 3 * mm),
        ]
    if found.overrides:
        rows = []
        for o in found.overrides:
            sig = signatures.get(o.signature_uid or "")
            rows.append(
                [
                    Cell(o.step_id or "—", bold=True),
                    o.reason_code,
                    f"{record.name_of(o.supervisor)}\n{_when(record, o.at)}",
                    Cell(o.reason, bold=True),
                    f"{sig.printed_name}: {sig.meaning}" if sig else Cell("no signature found", color=RED),
                ]
            )
        out += [
            _h2(f"Supervisor overrides ({len(rows)})"),
            Grid(
                [1.1, 1.7, 2.3, 3.4, 3.0],
                rows,
                header=["Step", "Overridden", "Supervisor / when", "Reason", "E-signature"],
            ),
            Spacer(1, 3 * mm),
        ]
    if found.other_refusals:
        rows = [
            [
                Cell(r.step_id or "—", bold=True),
                r.action,
                Cell(r.reason_code, bold=True, color=RED),
                r.sentence,
                _who_when(record, r.user_id, r.at),
            ]
            for r in found.other_refusals
        ]
        out += [
            _h2(f"Actions the station refused ({len(rows)})"),
            _note(
                "The gate refused the action and it was not overridden; the step was completed later as the record shows."
            ),
            Grid(
                [1.1, 0.9, 2.3, 4.1, 2.3],
                rows,
                header=["Step", "Action", "Reason code", "What the station said", "By / when"],
            ),
            Spacer(1, 3 * mm),
        ]
    return out


def _numbers(d: Deviation) -> str:
    """The station's number of a deviation, and the hub's central number beside it once known."""
    return d.number if d.central_number is None else f"{d.number}\n{d.central_number}"
