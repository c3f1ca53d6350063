"""Sartorius SBI.

Commands are ``ESC`` + a letter (format 1) or ``ESC`` + letter + digit + ``_`` (format 2),
CR LF optional; they have no reply except the data they ask for:

    ESC P     print: the balance sends the weight (one line)
    ESC T     tare and zero (the TARE key)          ESC U  tare only     ESC V  zero only
    ESC x1_   model                                  ESC x2_  serial number

A data line has 16 characters (sign, value, unit, CR LF) or 22 (a 6-character label such
as ``N``, ``G #``, ``T`` before them)::

    +    61.27 kg\\r\\n                    stable (unit present)
    +    61.27   \\r\\n                    dynamic: no unit while the weight moves
    N     +    61.27 kg\\r\\n              net weight, 22 characters
          H       \\r\\n  /  Stat        L ...     overload (H, HH, High) / underload (L, LL, Low)

Lines are read by their fields rather than by fixed columns, so a balance that pads
differently is still understood. Serial defaults: 1200 baud, 7 data bits, odd parity,
1 stop bit — all configurable.
"""

from __future__ import annotations

import logging
import queue
import re
import threading
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from hardware.framing import CRLF, Line
from hardware.line_device import ReplyTimeout
from hardware.scales.reading import (
    ScaleCondition,
    ScaleError,
    ScaleEvent,
    ScaleState,
    UnreadableLine,
    WeightKind,
    WeightReading,
)
from hardware.scales.scale import Scale, raw_text
from hardware.scales.units import is_mass_unit, normalize_unit
from hardware.transport import LinkLost, SerialSettings, Transport

log = logging.getLogger(__name__)

ESC = b"\x1b"
DEFAULT_SETTINGS = SerialSettings(baudrate=1200, bytesize=7, parity="O", stopbits=1)

LABEL_KINDS: dict[str, WeightKind] = {
    "N": "net",
    "N1": "net",
    "N2": "net",
    "NET": "net",
    "G": "gross",
    "G#": "gross",
    "B": "gross",
    "T": "tare",
    "T1": "tare",
    "T2": "tare",
    "PT": "tare",
    "PT1": "tare",
    "PT2": "tare",
    "TARE": "tare",
}
TEXT_LABELS = frozenset({"S/N", "SN", "SNO", "SER.NO", "SERNO", "MODEL", "TYPE", "TYP", "VER", "VERS"})

_SPECIALS: dict[str, tuple[ScaleState, str]] = {
    "H": (ScaleState.OVERLOAD, "overload: the load is above the weighing range (H)"),
    "HH": (ScaleState.OVERLOAD, "overload in checkweighing (HH)"),
    "HIGH": (ScaleState.OVERLOAD, "overload: the load is above the weighing range (High)"),
    "L": (ScaleState.UNDERLOAD, "underload: the load is below the weighing range (L)"),
    "LL": (ScaleState.UNDERLOAD, "underload in checkweighing (LL)"),
    "LOW": (ScaleState.UNDERLOAD, "underload: the load is below the weighing range (Low)"),
    "C": (ScaleState.ADJUSTING, "the balance is adjusting (C)"),
    "CAL": (ScaleState.ADJUSTING, "the balance is adjusting (Cal)"),
    "CAL.": (ScaleState.ADJUSTING, "the balance is adjusting (Cal.)"),
    "CAL.EXT.": (ScaleState.ADJUSTING, "the balance is adjusting with an external weight (Cal.Ext.)"),
}

_WEIGHT = re.compile(
    r"(?:(?P<label>[A-Za-z][A-Za-z0-9#/.]{0,3}(?: #)?)\s+)?"
    r"(?P<sign>[+-])?\s*"
    r"(?P<number>\d{1,10}(?:\.\d{0,10})?|\.\d{1,10})"
    r"(?:\s*(?P<unit>[A-Za-z%/][A-Za-z%/]{0,3}))?\Z"
)


@dataclass(frozen=True)
class SbiWeight:
    value: Decimal
    unit: str | None  # None: the balance is not stable (no unit while the weight moves)
    label: str | None
    signed: bool
    raw: str


@dataclass(frozen=True)
class SbiStatus:
    state: ScaleState
    detail: str
    raw: str


@dataclass(frozen=True)
class SbiText:
    """A printable line that is not a weight: model, serial number, a text the balance sends."""

    label: str | None
    text: str
    raw: str


SbiLine = SbiWeight | SbiStatus | SbiText | UnreadableLine


def _label_key(label: str) -> str:
    return label.replace(" ", "").upper()


def parse_line(data: bytes) -> SbiLine:
    """Parse one SBI output line (terminator removed). Never raises."""
    raw = raw_text(data)
    if not all(" " <= char <= "~" for char in raw):
        bad = next(char for char in raw if not " " <= char <= "~")
        return UnreadableLine(raw, f"byte 0x{ord(bad):02x} is not printable ASCII")
    text = raw.strip(" ")
    if not text:
        return SbiStatus(ScaleState.BUSY, "the display is blank (e.g. while taring)", raw)
    tokens = text.split()
    if tokens[0].upper() == "STAT":
        tokens = tokens[1:]
        if not tokens:
            return SbiStatus(ScaleState.BUSY, "status without code", raw)
    special = _SPECIALS.get(tokens[0].upper()) if len(tokens) == 1 else None
    if special is not None:
        return SbiStatus(special[0], special[1], raw)
    if tokens[0].upper() == "ERR" and len(tokens) == 2 and tokens[1].isdigit():
        return SbiStatus(ScaleState.DEVICE_ERROR, f"the balance reports error {tokens[1]}", raw)
    if tokens[0].upper() in TEXT_LABELS or (len(tokens) > 1 and _label_key(text[:6]) in TEXT_LABELS):
        label = tokens[0]
        return SbiText(label, text[len(label) :].strip(" "), raw)
    match = _WEIGHT.match(text)
    if match is not None:
        label = match.group("label")
        if label is not None and _label_key(label) in TEXT_LABELS:
            return SbiText(label, text[len(label) :].strip(" "), raw)
        sign = match.group("sign")
        value = Decimal(match.group("number"))
        if sign == "-":
            value = -value
        return SbiWeight(value, match.group("unit"), label, sign is not None, raw)
    return SbiText(None, text, raw)


class SbiScale(Scale[SbiLine]):
    """A Sartorius balance in SBI mode on an open transport.

    - ``autoprint``: the balance is set to print by itself (automatic data output); the
      stream is then passive. Otherwise the stream asks with ``ESC P`` every
      ``request_interval`` seconds.
    - ``unit``: the display unit, used for dynamic lines (which carry none) until a stable
      line told the unit.
    - ``tare_command``: ``U`` (tare only, default) or ``T`` (the TARE key: tare or zero).
    - ``query_identity``: ask ``ESC x1_`` / ``ESC x2_`` (not every balance answers them).
    """

    protocol = "sbi"
    DEFAULT_SETTINGS = DEFAULT_SETTINGS

    def __init__(
        self,
        transport: Transport,
        *,
        autoprint: bool = False,
        unit: str | None = None,
        tare_command: str = "U",
        query_identity: bool = True,
        command_end: bytes = b"",
        **options: Any,
    ) -> None:
        options.setdefault("stale_after", 1.0)
        super().__init__(transport, terminator=CRLF, **options)
        if tare_command not in ("T", "U"):
            raise ValueError("tare_command must be 'T' or 'U'")
        self.autoprint = autoprint
        self.tare_command = tare_command
        self.query_identity = query_identity
        self.command_end = command_end
        self._unit = normalize_unit(unit) if unit else None
        self._poller: threading.Thread | None = None
        self._poller_stop = threading.Event()

    # ------------------------------------------------------------------ lines

    def parse_line(self, line: Line) -> SbiLine:
        return parse_line(line.data)

    def unsolicited(self, parsed: SbiLine, line: Line) -> ScaleEvent | None:
        return self.event(parsed, line)

    def event(self, parsed: SbiLine, line: Line) -> ScaleEvent:
        if isinstance(parsed, UnreadableLine):
            return self._condition(ScaleState.UNREADABLE, parsed.reason, parsed.raw, line)
        if isinstance(parsed, SbiStatus):
            return self._condition(parsed.state, parsed.detail, parsed.raw, line)
        if isinstance(parsed, SbiText):
            return self._condition(ScaleState.UNREADABLE, "not a weight", parsed.raw, line)
        kind = LABEL_KINDS.get(_label_key(parsed.label)) if parsed.label else None
        if parsed.label and kind is None:
            return self._condition(
                ScaleState.UNREADABLE, f"not a weight ({parsed.label.strip()})", parsed.raw, line
            )
        if parsed.unit is not None:
            if not is_mass_unit(parsed.unit):
                return self._condition(
                    ScaleState.UNREADABLE, f"not a mass unit: {parsed.unit!r}", parsed.raw, line
                )
            unit = normalize_unit(parsed.unit)
            self._unit = unit
            stable = True
        elif self._unit is None:
            return self._condition(
                ScaleState.DYNAMIC,
                "the weight is moving (unit not known until a stable line)",
                parsed.raw,
                line,
            )
        else:
            unit = self._unit
            stable = False
        return self._reading(
            parsed.value,
            unit,
            stable,
            line,
            kind=kind,
            gross=parsed.value if kind == "gross" else None,
            tare=parsed.value if kind == "tare" else None,
            net=parsed.value if kind == "net" else None,
        )

    # ------------------------------------------------------------------ commands

    def send_command(self, command: str) -> None:
        """Send ``ESC`` + ``command`` (e.g. ``"P"``, ``"x2_"``)."""
        self._send(ESC + command.encode("ascii") + self.command_end)

    def _ask(self, command: str, accept: Any, timeout: float) -> tuple[SbiLine, Line]:
        return self._exchange(ESC + command.encode("ascii") + self.command_end, accept, timeout)

    def print_weight(self, timeout: float | None = None) -> ScaleEvent:
        """``ESC P``: the line the balance prints, as a reading or a condition."""
        parsed, line = self._ask(
            "P",
            lambda p: isinstance(p, SbiWeight | SbiStatus),
            self.command_timeout if timeout is None else timeout,
        )
        return self.event(parsed, line)

    def _request_immediate(self, timeout: float) -> ScaleEvent:
        return self.print_weight(timeout)

    def _request_stable(self, timeout: float) -> ScaleEvent:
        return self.print_weight(timeout)

    def _ask_text(self, command: str) -> str | None:
        def accept(parsed: SbiLine) -> bool:
            if isinstance(parsed, SbiText | UnreadableLine):
                return True
            return (
                isinstance(parsed, SbiWeight)
                and parsed.unit is None
                and not parsed.signed
                and parsed.label is None
                and "." not in parsed.raw
            )

        try:
            parsed, _ = self._ask(command, accept, self.command_timeout)
        except ReplyTimeout:
            return None
        if isinstance(parsed, SbiText):
            return parsed.text or None
        return parsed.raw.strip() or None

    def identify(self) -> None:
        if not self.query_identity or (self.autoprint and self._streaming):
            return
        serial_number = self._ask_text("x2_")
        if serial_number:
            self._serial_number = serial_number
        model = self._ask_text("x1_")
        if model:
            self._model = model

    def _start_stream(self) -> None:
        if self.autoprint or (self._poller is not None and self._poller.is_alive()):
            return  # the balance prints by itself, or the poller already asks (it outlives outages)
        self._poller_stop.clear()
        self._poller = threading.Thread(target=self._poll, name=f"poll {self.transport.name}", daemon=True)
        self._poller.start()

    def _poll(self) -> None:
        while not self._poller_stop.wait(self.request_interval):
            try:
                self.send_command("P")
            except LinkLost:
                pass  # the reader reports it and reconnects; keep asking once it is back

    def _stop_stream(self) -> None:
        self._poller_stop.set()
        poller, self._poller = self._poller, None
        if poller is not None and poller is not threading.current_thread():
            poller.join(timeout=2)

    def _wait_for_zero(self, timeout: float, doing: str) -> None:
        """Until the balance shows a stable zero (what taring or zeroing leads to)."""
        deadline = time.monotonic() + timeout
        last: ScaleEvent | None = None
        events: queue.Queue[ScaleEvent] = queue.Queue()
        unsubscribe = self.subscribe(events.put) if self._streaming else None
        try:
            while (remaining := deadline - time.monotonic()) > 0:
                if unsubscribe is not None:
                    try:
                        last = events.get(timeout=remaining)
                    except queue.Empty:
                        break
                else:
                    try:
                        last = self.print_weight(min(remaining, self.command_timeout))
                    except ReplyTimeout:
                        continue
                if isinstance(last, WeightReading) and last.stable and abs(last.value) <= last.readability:
                    return
                if unsubscribe is None:
                    time.sleep(max(0.0, min(self.request_interval, deadline - time.monotonic())))
        finally:
            if unsubscribe is not None:
                unsubscribe()
        if isinstance(last, ScaleCondition):
            raise ScaleError.from_condition(last, f"{doing}: not confirmed")
        raise ScaleError(
            ScaleState.BUSY, f"{doing}: the balance did not show a stable zero within {timeout:g} s"
        )

    def _tare(self, timeout: float) -> WeightReading | None:
        self.send_command(self.tare_command)
        self._wait_for_zero(timeout, f"taring (ESC {self.tare_command})")
        return None

    def _zero(self, timeout: float) -> None:
        self.send_command("V")
        self._wait_for_zero(timeout, "zeroing (ESC V)")

    def tare_or_zero(self, timeout: float = 10.0) -> None:
        """``ESC T``: the TARE key — zero within the zero range, tare above it."""
        with self._errors("taring (ESC T)"):
            self.send_command("T")
            self._wait_for_zero(timeout, "taring (ESC T)")

    def _clear_tare(self, timeout: float) -> None:
        raise ScaleError(ScaleState.LOGICAL_ERROR, "SBI has no command to clear the tare: tare the empty pan")
