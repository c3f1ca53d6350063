"""What the station reads in a scan, whatever the source (serial scanner, keyboard wedge).

``decode_scan(data)`` turns the raw data of one scan into exactly one of:

- ``Gs1Item``: a GS1 code (GS1-128 ``]C1``, GS1 DataMatrix ``]d2``, GS1 QR ``]Q3``,
  GS1 DataBar ``]e0``, EAN/UPC ``]E0``/``]E4``, or GS1 element strings without a
  symbology identifier) with GTIN, lot, expiry, serial, quantity and net weight. Every
  check digit is verified (biip reports a bad one in its error fields rather than
  raising; any such error makes the scan unreadable), GS separators (byte 0x1d, sent for
  FNC1) end variable-length fields, and an expiry day ``00`` means the last day of the
  month;
- ``PlainId``: anything else printable — equipment id, badge, room;
- ``Unreadable``: empty data, control characters, a malformed symbology identifier, a
  GS1 code that does not parse or fails a check. Never an exception.

The AIM symbology identifier (``]C1``, ``]d2``, ``]Q3``, ``]E0``, ...) is kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from biip import ParseConfig
from biip import parse as biip_parse
from biip.symbology import GS1Symbology, SymbologyIdentifier

from hardware.barcodes.separators import GS, unescape_separators

__all__ = ["GS", "Gs1Item", "PlainId", "Scan", "Unreadable", "decode_scan", "to_json", "unescape_separators"]

MAX_SCAN_LENGTH = 8192

_SYMBOLOGY = re.compile(r"\][A-Za-z][0-9A-Za-z]")
_GS1_START = re.compile(r"(?:0[0-3]\d{14}|00\d{18})")  # SSCC (00) or GTIN (01/02/03) first
_GTIN_ONLY = re.compile(r"\d{13,14}")

# net weight AIs: 310n kilograms, 320n pounds (n = decimals)
_NET_WEIGHT_UNITS = {"310": "kg", "320": "lb"}
_CONFIG = ParseConfig(separator_chars=(GS,))


@dataclass(frozen=True)
class Gs1Item:
    raw: str
    symbology: str | None
    gtin: str | None  # 14 digits
    lot: str | None  # AI 10
    expiry: date | None  # AI 17, day 00 = last day of the month
    serial: str | None  # AI 21
    net_weight: Decimal | None  # AI 310n (kg) / 320n (lb)
    net_weight_unit: str | None
    quantity: int | None  # AI 30 (count of items), else AI 37 (count of trade items)
    fields: dict[str, str] = field(default_factory=dict, hash=False)  # AI -> value, as encoded


@dataclass(frozen=True)
class PlainId:
    raw: str
    symbology: str | None
    value: str


@dataclass(frozen=True)
class Unreadable:
    raw: str
    reason: str


Scan = Gs1Item | PlainId | Unreadable


def _as_text(data: str | bytes) -> str:
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")  # byte for byte: the raw data stays faithful


def _bad_character(text: str, allow_gs: bool) -> str | None:
    for char in text:
        if char == GS and allow_gs:
            continue
        if not char.isprintable():
            return f"control character 0x{ord(char):02x} in the scan"
    return None


def decode_scan(data: str | bytes) -> Scan:
    """Decode the data of one scan. Never raises."""
    try:
        return _decode(data)
    except Exception as exc:  # the contract: garbage gives Unreadable, never an exception
        raw = data if isinstance(data, str) else data.decode("latin-1")
        return Unreadable(raw, f"unreadable barcode ({type(exc).__name__}: {exc})")


def _decode(data: str | bytes) -> Scan:
    raw = _as_text(data)
    text = raw.strip(" \t\r\n")
    if not text:
        return Unreadable(raw, "empty scan")
    if len(text) > MAX_SCAN_LENGTH:
        return Unreadable(raw, f"scan longer than {MAX_SCAN_LENGTH} characters")
    symbology: str | None = None
    body = text
    if text.startswith("]"):
        if not _SYMBOLOGY.match(text):
            return Unreadable(raw, "malformed symbology identifier")
        symbology, body = text[:3], text[3:]
    bad = _bad_character(body, allow_gs=True)
    if bad is not None:
        return Unreadable(raw, bad)
    if not body.strip(GS + " "):
        return Unreadable(raw, "no data after the symbology identifier")

    if symbology is not None:
        gs1 = SymbologyIdentifier.extract(symbology).gs1_symbology
        if gs1 in GS1Symbology.with_gs1_messages():
            return _gs1_message(raw, symbology, body)
        if gs1 in GS1Symbology.with_gtin():
            return _gtin(raw, symbology, body)
        return _plain(raw, symbology, body)

    # No symbology identifier (e.g. a keyboard wedge): GS1 only when unmistakable.
    if body.startswith(GS):
        return _gs1_message(raw, None, body)
    if _GTIN_ONLY.fullmatch(body):
        item = _gtin(raw, None, body)
        return item if isinstance(item, Gs1Item) else _plain(raw, None, body)
    if _GS1_START.match(body):
        item = _gs1_message(raw, None, body)
        if isinstance(item, Gs1Item):
            return item
        if isinstance(item, Unreadable) and "check digit" in item.reason:
            return item  # GS1 in every respect but a wrong check digit: not a plain id
    return _plain(raw, None, body)


def _plain(raw: str, symbology: str | None, body: str) -> Scan:
    if GS in body:
        return Unreadable(raw, "GS separator in a code that is not GS1")
    return PlainId(raw, symbology, body.strip())


def _gtin(raw: str, symbology: str | None, body: str) -> Scan:
    digits = body.strip(GS)
    result = biip_parse((symbology or "") + digits, config=_CONFIG)
    if result.gtin is None:
        return Unreadable(raw, f"not a valid GTIN: {result.gtin_error or 'no GTIN'}")
    gtin = result.gtin.as_gtin_14()
    return Gs1Item(raw, symbology, gtin, None, None, None, None, None, None, {"01": gtin})


def _gs1_message(raw: str, symbology: str | None, body: str) -> Scan:
    message_text = body.lstrip(GS)
    result = (
        biip_parse(message_text, config=_CONFIG)
        if symbology is None
        else biip_parse(symbology + message_text, config=_CONFIG)
    )
    message = result.gs1_message
    if message is None:
        return Unreadable(raw, f"not a valid GS1 code: {result.gs1_message_error or 'no GS1 data'}")
    fields: dict[str, str] = {}
    for element in message.element_strings:
        error = element.gtin_error or element.sscc_error or element.gln_error
        if error:
            return Unreadable(raw, f"not a valid GS1 code: {error}")
        ai = element.ai.ai
        if ai in fields and fields[ai] != element.value:
            return Unreadable(raw, f"not a valid GS1 code: AI ({ai}) appears twice with different values")
        fields[ai] = element.value
    if not fields:
        return Unreadable(raw, "not a valid GS1 code: no element strings")

    gtin = None
    expiry = None
    net_weight: Decimal | None = None
    net_weight_unit: str | None = None
    for element in message.element_strings:
        ai = element.ai.ai
        if ai in ("01", "02") and element.gtin is not None and gtin is None:
            gtin = element.gtin.as_gtin_14()
        elif ai == "17":
            expiry = element.date
        elif len(ai) == 4 and ai[:3] in _NET_WEIGHT_UNITS and ai[3].isdigit() and net_weight is None:
            net_weight = Decimal(int(element.value)).scaleb(-int(ai[3]))
            net_weight_unit = _NET_WEIGHT_UNITS[ai[:3]]
    quantity_text = fields.get("30") or fields.get("37")
    return Gs1Item(
        raw=raw,
        symbology=symbology,
        gtin=gtin,
        lot=fields.get("10"),
        expiry=expiry,
        serial=fields.get("21"),
        net_weight=net_weight,
        net_weight_unit=net_weight_unit,
        quantity=int(quantity_text) if quantity_text is not None else None,
        fields=fields,
    )


def to_json(scan: Scan) -> dict[str, Any]:
    """The scan as JSON-ready data: dates ISO 8601, decimals as strings (exact)."""
    if isinstance(scan, Gs1Item):
        return {
            "kind": "gs1",
            "raw": scan.raw,
            "symbology": scan.symbology,
            "gtin": scan.gtin,
            "lot": scan.lot,
            "expiry": scan.expiry.isoformat() if scan.expiry is not None else None,
            "serial": scan.serial,
            "net_weight": str(scan.net_weight) if scan.net_weight is not None else None,
            "net_weight_unit": scan.net_weight_unit,
            "quantity": scan.quantity,
            "fields": dict(scan.fields),
        }
    if isinstance(scan, PlainId):
        return {"kind": "plain", "raw": scan.raw, "symbology": scan.symbology, "value": scan.value}
    return {"kind": "unreadable", "raw": scan.raw, "reason": scan.reason}
