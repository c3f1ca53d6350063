"""The PDF batch record's look: colours, page furniture (the footer with page X of Y, the record's
hash, who printed it when) and the text helpers every section uses."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from reportlab.lib.colors import Color, HexColor
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas
from reportlab.platypus import (
    Paragraph,
)
from reportlab.platypus.flowables import Flowable

from ebr.export._common import local_text, site_zone, utc_text
from ebr.export._pdfgrid import (
    BOLD,
    MONO,
    REGULAR,
    TextOps,
    is_plain,
    text_width,
    unicode_fonts,
)
from ebr.export.record import BatchRecord

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
