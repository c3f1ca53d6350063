"""The dispense label in ZPL II, for a label printer on the network (TCP port 9100).

The same label as ``ebr.export.labels.dispense_label_pdf``: the batch band, the material,
the lot with its status and expiry at use, the net weight (gross, tare, scale), who weighed
and when, and the GS1-128 symbol(s) with the same element strings (``labels.label_symbols``):
(01) GTIN, (310n) net weight, (10) lot, (91) batch.

How the symbol is written: ``^BC`` in automatic mode with the field data starting ``>;>8``
(start in subset C, then FNC1: a GS1-128 symbol) and ``>8`` (FNC1) after each variable-length
field that is not the last, as Zebra's ZPL II guide shows for chained application
identifiers. The human-readable line is a text field of its own, with the AIs in parentheses.

Text goes as UTF-8 (``^CI28``) in ``^FH`` fields, so a ``^`` or ``~`` in a material name
cannot end the field or start a command.
"""

from __future__ import annotations

import datetime as dt

from ebr.export._barcode import GS, gs1_128_modules
from ebr.export._common import local_text, num
from ebr.export.labels import QUIET_MODULES, human_readable, label_fields, label_symbols
from ebr.export.record import LotConsumption, scale_line


def field_text(text: str) -> str:
    """Text for a ``^FH`` field: the characters ZPL gives a meaning to, as hex escapes."""
    out = []
    for char in text:
        if char in "^~_\\":
            out.append(f"_{ord(char):02X}")
        elif char in "\r\n\t":
            out.append(" ")
        else:
            out.append(char)
    return "".join(out)


def barcode_data(element_string: str) -> str:
    """ZPL field data of a GS1-128 symbol for an element string (GS = FNC1)."""
    return ">;>8" + element_string.replace(GS, ">8")


def dispense_label_zpl(
    consumption: LotConsumption,
    batch_id: str,
    *,
    printed_by: str,
    printed_at: dt.datetime,
    weighed_by_name: str | None = None,
    site_timezone: str = "UTC",
    is_reprint: bool = False,
    size_mm: tuple[float, float] = (100, 50),
    dpi: int = 300,
) -> bytes:
    """One ZPL label (``^XA`` ... ``^XZ``) of ``size_mm`` at ``dpi`` for an accepted weighing."""
    if not consumption.accepted:
        raise ValueError("a dispense label is printed only for an accepted weighing")
    if printed_at.tzinfo is None:
        raise ValueError("printed_at must be an aware datetime (UTC)")
    dots = dpi / 25.4  # per mm

    def d(mm: float) -> int:
        return round(mm * dots)

    width, height, margin = d(size_mm[0]), d(size_mm[1]), d(2.5)
    symbols = label_symbols(consumption, batch_id, size_mm[0] - 5.0, dpi)
    fields = label_fields(consumption, batch_id)
    out = ["^XA", "^CI28", f"^PW{width}", f"^LL{height}", "^LH0,0"]

    def text(x: int, y: int, line: str, em: float, *, reverse: bool = False) -> None:
        """A text field at (x, y) dots, ``em`` mm high."""
        reverse_field = "^FR" if reverse else ""
        out.append(f"^FO{x},{y}{reverse_field}^A0N,{d(em)},{d(em)}^FH^FD{field_text(line)}^FS")

    # band: batch and (re)print, white on black
    out.append(f"^FO{margin},{margin}^GB{width - 2 * margin},{d(6.5)},{d(6.5)}^FS")
    text(margin + d(1.5), margin + d(1.5), f"DISPENSED FOR BATCH {batch_id}", 3.4, reverse=True)
    right_label = "REPRINT" if is_reprint else consumption.step_id
    text(width - margin - d(1.5) - d(2.0) * len(right_label), margin + d(1.5), right_label, 3.4, reverse=True)
    y = margin + d(8.5)
    text(margin, y, f"{consumption.material_code}  {consumption.material_name}", 3.4)
    y += d(4.5)
    expiry = consumption.lot_expiry.isoformat() if consumption.lot_expiry else "-"
    text(margin, y, f"Lot {consumption.lot}   {consumption.lot_status.upper()}   Expiry {expiry}", 2.8)
    y += d(4.0)
    text(margin, y, f"NET {num(consumption.net, consumption.unit)}", 6.0)
    text(
        d(size_mm[0] / 2),
        y,
        f"Gross {num(consumption.gross, consumption.unit)}  Tare {num(consumption.tare, consumption.unit)}",
        2.4,
    )
    text(
        d(size_mm[0] / 2),
        y + d(3.0),
        scale_line(consumption, "-"),
        2.4,
    )
    y += d(7.0)
    who = weighed_by_name or consumption.weighed_by or "-"
    text(margin, y, f"Weighed by {who}  {local_text(consumption.weighed_at, site_timezone)}", 2.4)
    y += d(3.5)
    # the symbol(s) below, each with its human-readable line
    bottom = height - margin - (d(3.0) if is_reprint else 0)
    per_symbol = (bottom - y) // len(symbols)
    groups = [fields] if len(symbols) == 1 else [fields[:3], fields[3:]]
    for index, ((data, x_mm), group) in enumerate(zip(symbols, groups, strict=True)):
        top = y + index * per_symbol
        module = max(1, round(x_mm * dots))
        bar_height = max(d(5), per_symbol - d(3.5))
        symbol_width = (len(gs1_128_modules(data)) + 2 * QUIET_MODULES) * module
        left = max(0, (width - symbol_width) // 2 + QUIET_MODULES * module)
        out.append(f"^BY{module}^FO{left},{top}^BCN,{bar_height},N,N,N,A^FD{barcode_data(data)}^FS")
        readable = human_readable(group)
        text(max(0, (width - d(1.4) * len(readable)) // 2), top + bar_height + d(0.6), readable, 2.2)
    if is_reprint:
        printed = f"REPRINT printed by {printed_by} {local_text(printed_at, site_timezone)}"
        text(margin, height - margin - d(2.5), printed, 2.2)
    out.append("^XZ")
    return ("\n".join(out) + "\n").encode("utf-8")
