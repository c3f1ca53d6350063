"""The batch record as a PDF for review and archive (reportlab platypus).

Laid out for review by exception: page 1 names the batch (with a Code 128 symbol of its id),
its product, recipe and status, whether the audit trail verified, the QA review, and then the
exceptions before anything else. The execution follows step by step, then materials and
weighings, equipment, measurements, the signatures as 21 CFR 11.50 asks for them, the QA review,
the people and their training, and the whole audit trail as an appendix in landscape.
Every page footer carries "Page X of Y", the record's hash (the hash of the batch's last audit
event) and who printed it when.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable, Sequence
from typing import Any

from reportlab import rl_config
from reportlab.lib.colors import Color, HexColor
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Frame,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import Flowable

from ebr.events import StepSigned
from ebr.export._barcode import BarcodeFlowable, code128_modules
from ebr.export._common import date_text, local_text, num, site_zone, utc_text
from ebr.export._pdfgrid import (
    BOLD,
    MONO,
    REGULAR,
    Cell,
    CellLike,
    Grid,
    TextOps,
    is_plain,
    text_width,
    unicode_fonts,
)
from ebr.export.record import BatchRecord, Exceptions, LotConsumption, Step, find_exceptions

RED = HexColor("#B00020")
RED_FILL = HexColor("#FBE3E6")
AMBER = HexColor("#8A5300")
AMBER_FILL = HexColor("#FFF1D6")
GREEN = HexColor("#1B6E20")
GREEN_FILL = HexColor("#E3F4E4")
NAVY = HexColor("#1F3A5F")
GREY = HexColor("#555555")

MARGIN = 14 * mm
FOOTER = 15 * mm
HEADER = 9 * mm

_STATUS = {"in_progress": "IN PROGRESS", "on_hold": "ON HOLD", "completed": "COMPLETED"}
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": "), sort_keys=False)


def export_pdf(record: BatchRecord, printed_by: str, printed_at: dt.datetime) -> bytes:
    """The batch record as PDF bytes. ``printed_at`` must be an aware datetime."""
    if printed_at.tzinfo is None:
        raise ValueError("printed_at must be an aware datetime (UTC)")
    unicode_fonts()
    buffer = io.BytesIO()
    printer = record.name_of(printed_by) if record.person(printed_by) else printed_by
    footer = _Footer(record, printer, printed_at)
    doc = BaseDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN + HEADER,
        bottomMargin=FOOTER + 4 * mm,
        title=f"Batch record {record.batch_id}",
        author="mes-station",
        subject=f"{record.header.product_name} — {record.header.recipe_code} v{record.header.recipe_version}",
        creator="mes-station EBR export",
    )
    portrait = Frame(
        MARGIN,
        FOOTER + 4 * mm,
        A4[0] - 2 * MARGIN,
        A4[1] - 2 * MARGIN - HEADER - FOOTER + 6 * mm - 4 * mm,
        id="p",
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    wide = landscape(A4)
    land = Frame(
        MARGIN,
        FOOTER + 4 * mm,
        wide[0] - 2 * MARGIN,
        wide[1] - 2 * MARGIN - HEADER - FOOTER + 6 * mm - 4 * mm,
        id="l",
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    first = Frame(
        MARGIN,
        FOOTER + 4 * mm,
        A4[0] - 2 * MARGIN,
        A4[1] - MARGIN - FOOTER - 4 * mm,
        id="f",
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    doc.addPageTemplates(
        [
            PageTemplate(
                id="first",
                frames=[first],
                pagesize=A4,
                onPage=footer.running_header,
                autoNextPageTemplate="portrait",
            ),
            PageTemplate(id="portrait", frames=[portrait], pagesize=A4, onPage=footer.running_header),
            PageTemplate(id="landscape", frames=[land], pagesize=wide, onPage=footer.running_header),
        ]
    )
    use_a85 = rl_config.useA85
    rl_config.useA85 = 0  # pure-Python ASCII85 of every page stream costs seconds; Flate alone is fine
    try:
        doc.build(_story(record), canvasmaker=footer.canvas_class())
    finally:
        rl_config.useA85 = use_a85
    return buffer.getvalue()


# ---------------------------------------------------------------- page furniture


class _Footer:
    def __init__(self, record: BatchRecord, printer: str, printed_at: dt.datetime) -> None:
        self.record = record
        h = record.header
        self.title = f"Batch record {h.batch_id} — {h.product_name} — {h.recipe_code} v{h.recipe_version}"
        last = record.events[-1] if record.events else None
        where = f" (audit event seq {last['seq']})" if last else ""
        self.hash_line = f"Record hash{where}: {record.chain_head}"
        self.printed = (
            f"Printed by {printer} on {utc_text(printed_at)} · local {local_text(printed_at, record.site_timezone)} — "
            "a printed copy of the electronic batch record"
        )

    def running_header(self, canv: Any, doc: Any) -> None:
        if canv.getPageNumber() == 1:
            return
        width, height = canv._pagesize
        ops = TextOps(canv)
        ops.text(MARGIN, height - MARGIN, self.title, BOLD, 8, NAVY)
        ops.line(MARGIN, height - MARGIN - 3, width - MARGIN, height - MARGIN - 3, NAVY, 0.6)
        ops.flush()

    def canvas_class(self) -> Callable[..., canvas.Canvas]:
        footer = self

        class NumberedCanvas(canvas.Canvas):  # type: ignore[misc]
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, **kwargs)
                self._pages: list[dict[str, Any]] = []

            def showPage(self) -> None:
                self._pages.append(dict(self.__dict__))
                self._startPage()

            def save(self) -> None:
                total = len(self._pages)
                for state in self._pages:
                    self.__dict__.update(state)
                    footer.draw(self, total)
                    canvas.Canvas.showPage(self)
                canvas.Canvas.save(self)

        return NumberedCanvas

    def draw(self, canv: Any, total: int) -> None:
        width, _ = canv._pagesize
        y = FOOTER
        ink = HexColor("#222222")
        page = f"Page {canv.getPageNumber()} of {total}"
        ops = TextOps(canv)
        ops.line(MARGIN, y + 2, width - MARGIN, y + 2, NAVY, 0.6)
        ops.text(MARGIN, y - 7, self.hash_line, MONO, 6.6, ink)
        ops.text(MARGIN, y - 15, self.printed, REGULAR, 6.6, ink)
        ops.text(width - MARGIN - text_width(page, BOLD, 8.5), y - 8, page, BOLD, 8.5, ink)
        batch = self.record.batch_id
        ops.text(width - MARGIN - text_width(batch, REGULAR, 6.6), y - 15, batch, REGULAR, 6.6, ink)
        ops.flush()


# ---------------------------------------------------------------- text helpers


def _font(text: str, *, bold: bool = False) -> str:
    if is_plain(text):
        return BOLD if bold else REGULAR
    regular, bold_name = unicode_fonts()
    return bold_name if bold else regular


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _para(
    text: str,
    size: float = 9,
    *,
    bold: bool = False,
    color: Color | None = None,
    space_after: float = 3,
    markup: str | None = None,
) -> Paragraph:
    style = ParagraphStyle(
        "p",
        fontName=_font(text, bold=bold),
        fontSize=size,
        leading=size * 1.25,
        textColor=color or HexColor("#111111"),
        spaceAfter=space_after,
    )
    return Paragraph(markup if markup is not None else _esc(text), style)


def _h1(text: str) -> Flowable:
    return _para(text, 13, bold=True, color=NAVY, space_after=5)


def _h2(text: str) -> Flowable:
    return _para(text, 10, bold=True, color=NAVY, space_after=3)


def _note(text: str) -> Flowable:
    return _para(text, 7.6, color=GREY, space_after=4)


def _when(record: BatchRecord, moment: dt.datetime | None) -> str:
    """``2026-11-03 06:31:36 UTC`` and below it the site's local time (its date only if it differs)."""
    if moment is None:
        return "—"
    utc = moment.astimezone(dt.UTC)
    local = moment.astimezone(site_zone(record.site_timezone))
    shown = local.strftime("%H:%M:%S") if local.date() == utc.date() else local.strftime("%Y-%m-%d %H:%M:%S")
    return f"{utc_text(moment)}\n{shown} {local.tzname()} (local)"


def _who_when(record: BatchRecord, user: str | None, moment: dt.datetime | None) -> str:
    return f"{record.name_of(user)}\n{_when(record, moment)}"


def _value_json(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return str(_ENCODER.encode(value))


# ---------------------------------------------------------------- the story


def _story(record: BatchRecord) -> list[Flowable]:
    found = find_exceptions(record)
    story: list[Flowable] = []
    story += _cover(record, found)
    story += _exceptions(record, found)
    story += _execution(record)
    story += _materials(record)
    story += _equipment(record)
    story += _measurements(record)
    story += _signatures(record)
    story += _review(record)
    story += _personnel(record)
    story += _audit_trail(record)
    return story


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
                "no refused weighing and no supervisor override in this batch."
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
                    dev.number if dev else "—",
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
                    Cell(d.number, bold=True),
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
        result: CellLike = Cell(
            e.result, color=RED if refused else AMBER if e.outcome == "deviation" else None, bold=refused
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
