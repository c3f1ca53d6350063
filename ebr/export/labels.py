"""Dispense labels: printed after each accepted weighing, stuck on the dispensed container.

The label shows the batch, the material, the lot with its status and expiry at use, the net
weight (gross and tare), the scale, who weighed and when, and a GS1-128 symbol carrying

* (01) the material's GTIN,
* (310n) the net weight in kilograms, 6 digits with n decimals (n from the scale's
  readability, so the symbol carries the weight exactly as weighed: 60.02 kg on a 0.01 kg
  scale is (3102)006002, 3.6190 kg on a 0.0001 kg scale is (3104)036190),
* (10) the material's lot,
* (91) the batch the material is dispensed for.

Why (91): (10) is already the lot of the trade item (the material), and the batch being made
is not an attribute of the material. (240) "additional product identification" and (21)
"serial number" describe the trade item itself, (7003) is an expiry date and time. (91)-(99)
are GS1's "company internal information" AIs, meant for exactly such in-house labels that
never leave the site; the station's decoder keeps them in ``fields``. Fixed-length fields come
first and (10) is ended by FNC1 (GS), so the batch may be any length.

The symbol (python-barcode's GS1-128 encoder) is drawn as vector bars. Its X-dimension fills
the label width, at most 0.33 mm and snapped to whole printer dots (``dpi``, default 300);
when one symbol would need bars thinner than two dots, (01)(310n)(10) and (91) go into two
stacked symbols.

Reprints: the engine records the reprint in the audit trail and then calls
``dispense_label_pdf(..., is_reprint=True)``, which marks the label REPRINT.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from ebr.export._barcode import GS, draw_modules, gs1_128_modules
from ebr.export._common import local_text, num
from ebr.export._pdfgrid import BOLD, REGULAR, is_plain, unicode_fonts
from ebr.export.record import LotConsumption, scale_line

BATCH_AI = "91"
MAX_X_MM = 0.33
QUIET_MODULES = 10

_TO_KG = {"kg": Decimal(1), "g": Decimal("0.001"), "mg": Decimal("0.000001")}
_TO_LB = {"lb": Decimal(1)}


def net_weight_element(net: Decimal, unit: str, readability: Decimal | None = None) -> str:
    """The (310n) element (or (320n) for pounds): AI + 6 digits, n decimals, never rounded."""
    if unit in _TO_KG:
        ai, value, factor = "310", net * _TO_KG[unit], _TO_KG[unit]
    elif unit in _TO_LB:
        ai, value, factor = "320", net, Decimal(1)
    else:
        raise ValueError(f"a net weight in {unit!r} cannot be carried in GS1 (kg, g, mg or lb)")
    if value < 0:
        raise ValueError("a negative net weight cannot be labelled")
    wanted = _decimals(readability * factor) if readability is not None else 0
    needed = _decimals(value)  # decimals the value really has: never rounded away
    fits = max((n for n in range(6) if int(value.scaleb(n)) < 10**6), default=-1)
    if needed > min(5, fits):
        raise ValueError(
            f"net weight {value} {(ai == '310' and 'kg') or 'lb'} does not fit 6 digits in ({ai}n)"
        )
    n = max(needed, min(wanted, fits, 5))
    return f"{ai}{n}{int(value.scaleb(n)):06d}"


def _decimals(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def label_fields(consumption: LotConsumption, batch_id: str) -> list[tuple[str, str]]:
    """(AI, value) pairs of the label's symbol, in symbol order."""
    if not consumption.gtin:
        raise ValueError(f"material {consumption.material_code} has no GTIN: no GS1 label")
    if not consumption.gtin.isdigit() or len(consumption.gtin) != 14:
        raise ValueError(f"GTIN {consumption.gtin!r} is not 14 digits")
    weight = net_weight_element(consumption.net, consumption.unit, consumption.readability)
    return [("01", consumption.gtin), (weight[:4], weight[4:]), ("10", consumption.lot), (BATCH_AI, batch_id)]


def _element_string(fields: list[tuple[str, str]]) -> str:
    text = ""
    for index, (ai, value) in enumerate(fields):
        text += ai + value
        if ai in ("10", BATCH_AI) and index < len(fields) - 1:
            text += GS  # a variable-length field is ended by FNC1 unless it is the last
    return text


def label_barcode_data(consumption: LotConsumption, batch_id: str) -> str:
    """The GS1 element string of the label (GS = FNC1), as a scanner sends it after ``]C1``."""
    return _element_string(label_fields(consumption, batch_id))


def human_readable(fields: list[tuple[str, str]]) -> str:
    return "".join(f"({ai}){value}" for ai, value in fields)


def label_symbols(
    consumption: LotConsumption, batch_id: str, width_mm: float, dpi: int | None = 300
) -> list[tuple[str, float]]:
    """The element string of each symbol on the label and its X-dimension in mm."""
    fields = label_fields(consumption, batch_id)
    for group in ([fields], [fields[:3], fields[3:]]):
        chosen = []
        for part in group:
            data = _element_string(part)
            x = _x_dimension(len(gs1_128_modules(data)) + 2 * QUIET_MODULES, width_mm, dpi)
            if x is None:
                break
            chosen.append((data, x))
        else:
            return chosen
    raise ValueError(
        f"the label's barcode does not fit {width_mm:g} mm at {dpi} dpi: use a wider label or a shorter lot/batch id"
    )


def _x_dimension(modules: int, width_mm: float, dpi: int | None) -> float | None:
    x = min(MAX_X_MM, width_mm / modules)
    if dpi is None:
        return x
    dot = 25.4 / dpi
    dots = int(x / dot + 1e-9)
    return dots * dot if dots >= 2 else None


def dispense_label_pdf(
    consumption: LotConsumption,
    batch_id: str,
    *,
    printed_by: str,
    printed_at: dt.datetime,
    weighed_by_name: str | None = None,
    site_timezone: str = "UTC",
    is_reprint: bool = False,
    size_mm: tuple[float, float] = (100, 50),
    dpi: int | None = 300,
) -> bytes:
    """A one-page PDF label of ``size_mm`` (width, height) for an accepted weighing."""
    if not consumption.accepted:
        raise ValueError("a dispense label is printed only for an accepted weighing")
    if printed_at.tzinfo is None:
        raise ValueError("printed_at must be an aware datetime (UTC)")
    width, height = size_mm[0] * mm, size_mm[1] * mm
    margin = 2.5 * mm
    symbols = label_symbols(consumption, batch_id, size_mm[0] - 2 * margin / mm, dpi)
    fields = label_fields(consumption, batch_id)
    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, pagesize=(width, height))
    c.setTitle(f"Dispense label {batch_id} {consumption.step_id} {consumption.lot}")
    c.setCreator("mes-station")
    unicode_fonts()

    def text(x: float, y: float, line: str, size: float, *, bold: bool = False, right: bool = False) -> None:
        font = (BOLD if bold else REGULAR) if is_plain(line) else unicode_fonts()[1 if bold else 0]
        c.setFont(font, size)
        (c.drawRightString if right else c.drawString)(x, y, line)

    top = height - margin
    # band: batch and (re)print
    c.setFillColorRGB(0, 0, 0)
    c.rect(margin, top - 6.5 * mm, width - 2 * margin, 6.5 * mm, stroke=0, fill=1)
    c.setFillColorRGB(1, 1, 1)
    text(margin + 1.5 * mm, top - 4.8 * mm, f"DISPENSED FOR BATCH {batch_id}", 10, bold=True)
    text(
        width - margin - 1.5 * mm,
        top - 4.8 * mm,
        "REPRINT" if is_reprint else consumption.step_id,
        10,
        bold=True,
        right=True,
    )
    c.setFillColorRGB(0, 0, 0)
    y = top - 11 * mm
    text(margin, y, f"{consumption.material_code}  {consumption.material_name}", 10, bold=True)
    y -= 4 * mm
    expiry = consumption.lot_expiry.isoformat() if consumption.lot_expiry else "—"
    text(margin, y, f"Lot {consumption.lot}   {consumption.lot_status.upper()}   Expiry {expiry}", 8)
    y -= 7 * mm
    text(margin, y, f"NET {num(consumption.net, consumption.unit)}", 17, bold=True)
    text(
        width - margin,
        y + 3.2 * mm,
        f"Gross {num(consumption.gross, consumption.unit)}   Tare {num(consumption.tare, consumption.unit)}",
        7,
        right=True,
    )
    text(
        width - margin,
        y,
        scale_line(consumption, "—"),
        7,
        right=True,
    )
    y -= 4 * mm
    who = weighed_by_name or consumption.weighed_by or "—"
    text(
        margin,
        y,
        f"Weighed by {who}  {local_text(consumption.weighed_at, site_timezone)}  at {consumption.step_id}",
        6.8,
    )
    # the symbol(s), from the bottom up
    bottom = margin + (3.0 * mm if is_reprint else 0)
    hri_size = 6.2
    space = y - 1.5 * mm - bottom
    per_symbol = space / len(symbols)
    bar_height = min(13 * mm, per_symbol - 3.2 * mm)
    groups = [fields] if len(symbols) == 1 else [fields[:3], fields[3:]]
    for index, ((data, x_mm), group) in enumerate(zip(symbols, groups, strict=True)):
        base = bottom + (len(symbols) - 1 - index) * per_symbol
        modules = gs1_128_modules(data)
        x = x_mm * mm
        total = (len(modules) + 2 * QUIET_MODULES) * x
        left = (width - total) / 2 + QUIET_MODULES * x
        draw_modules(c, left, base + 3.0 * mm, modules, x, bar_height)
        c.setFont(REGULAR, hri_size)
        c.drawCentredString(width / 2, base + 0.6 * mm, human_readable(group))
    if is_reprint:
        text(
            margin,
            margin,
            f"REPRINT printed by {printed_by} {local_text(printed_at, site_timezone)}",
            6.2,
            bold=True,
        )
    c.showPage()
    c.save()
    return buffer.getvalue()
