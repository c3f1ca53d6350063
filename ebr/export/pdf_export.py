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

from reportlab import rl_config
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    PageTemplate,
)
from reportlab.platypus.flowables import Flowable

from ebr.export._pdf_front import _cover, _exceptions
from ebr.export._pdf_sections import (
    _audit_trail,
    _equipment,
    _execution,
    _materials,
    _measurements,
    _personnel,
    _review,
    _signatures,
)
from ebr.export._pdf_style import FOOTER, HEADER, MARGIN, _Footer
from ebr.export._pdfgrid import (
    unicode_fonts,
)
from ebr.export.record import BatchRecord, find_exceptions
from ebr.software import software_name


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
        creator=f"{software_name()} EBR export",
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
