"""Mettler Toledo MT-SICS, levels 0 and 1.

Commands and replies are ASCII lines ending CR LF. A reply starts with the command's
identifier, then a status, then fields separated by spaces (texts in double quotes)::

    S          ->  S S     100.00 g      stable weight (net)
    SI         ->  S D     100.01 g      weight now, dynamic
    SIR        ->  S S / S D ... repeated until @ or another weight command
    T          ->  T S       1.25 kg     tare taken (the tare weight)
    TA         ->  TA A      1.25 kg     tare in memory;  TA 1.25 kg presets it
    TAC        ->  TAC A                 tare cleared
    Z / ZI     ->  Z A / ZI S, ZI D      zeroed (ZI: immediately, under stable/dynamic load)
    I2 / I4    ->  I2 A "type capacity" / I4 A "serial number"
    @          ->  I4 A "serial number"  reset (stops SIR, cancels pending commands)

Errors: status ``I`` (understood, not executable now: busy, or no stable weight in time),
``+`` (overload, or above the tare/zero range), ``-`` (underload, or below it), ``L``
(parameter not allowed); ``ES`` (command not recognised), ``ET`` (command garbled: parity
or too long), ``EL`` (logical error). Replies are parsed by fields, not by columns.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from hardware.framing import CRLF, Line
from hardware.line_device import ReplyTimeout
from hardware.scales.reading import (
    ScaleError,
    ScaleEvent,
    ScaleState,
    UnreadableLine,
    WeightKind,
    WeightReading,
)
from hardware.scales.scale import Scale, raw_text
from hardware.scales.units import is_mass_unit, normalize_unit
from hardware.transport import SerialSettings, Transport

log = logging.getLogger(__name__)

DEFAULT_SETTINGS = SerialSettings(baudrate=9600, bytesize=8, parity="N", stopbits=1)

GENERAL_ERRORS: dict[str, tuple[ScaleState, str]] = {
    "ES": (ScaleState.COMMAND_NOT_UNDERSTOOD, "the balance did not recognise the command (ES)"),
    "ET": (
        ScaleState.TRANSMISSION_ERROR,
        "the balance received a garbled command: parity error or too long (ET)",
    ),
    "EL": (ScaleState.LOGICAL_ERROR, "the balance cannot execute the command (EL)"),
}

STATUSES = frozenset({"A", "B", "S", "D", "I", "L", "+", "-"})

# reply identifiers whose S/D/A replies carry a weight
WEIGHT_REPLIES = frozenset({"S", "SI", "SIR", "SU", "SIU", "SIRU", "SR", "SNR", "T", "TI", "TA"})
TARE_REPLIES = frozenset({"T", "TI", "TA"})

_ERROR_DETAILS: dict[tuple[str, str], tuple[ScaleState, str]] = {
    ("S", "I"): (
        ScaleState.BUSY,
        "no weight now: the balance is busy or the weight did not settle in time (S I)",
    ),
    ("S", "+"): (ScaleState.OVERLOAD, "overload: the load is above the weighing range (S +)"),
    ("S", "-"): (ScaleState.UNDERLOAD, "underload: the load is below the weighing range (S -)"),
    ("T", "I"): (ScaleState.BUSY, "cannot tare now: the balance is busy or the weight did not settle (T I)"),
    ("T", "+"): (ScaleState.ABOVE_RANGE, "tare refused: upper limit of the taring range exceeded (T +)"),
    ("T", "-"): (ScaleState.BELOW_RANGE, "tare refused: lower limit of the taring range exceeded (T -)"),
    ("TA", "I"): (ScaleState.BUSY, "cannot set or send the tare now (TA I)"),
    ("TA", "L"): (ScaleState.LOGICAL_ERROR, "tare value not allowed (TA L)"),
    ("TAC", "I"): (ScaleState.BUSY, "cannot clear the tare now (TAC I)"),
    ("Z", "I"): (ScaleState.BUSY, "cannot zero now: the balance is busy or the weight did not settle (Z I)"),
    ("Z", "+"): (
        ScaleState.ABOVE_RANGE,
        "zero refused: upper limit of the zero-setting range exceeded (Z +)",
    ),
    ("Z", "-"): (
        ScaleState.BELOW_RANGE,
        "zero refused: lower limit of the zero-setting range exceeded (Z -)",
    ),
    ("ZI", "I"): (ScaleState.BUSY, "cannot zero now: the balance is busy (ZI I)"),
    ("ZI", "+"): (
        ScaleState.ABOVE_RANGE,
        "zero refused: upper limit of the zero-setting range exceeded (ZI +)",
    ),
    ("ZI", "-"): (
        ScaleState.BELOW_RANGE,
        "zero refused: lower limit of the zero-setting range exceeded (ZI -)",
    ),
}
_GENERIC_STATUS: dict[str, tuple[ScaleState, str]] = {
    "I": (ScaleState.BUSY, "command not executable now"),
    "L": (ScaleState.LOGICAL_ERROR, "parameter not allowed"),
    "+": (ScaleState.ABOVE_RANGE, "upper limit exceeded"),
    "-": (ScaleState.BELOW_RANGE, "lower limit exceeded"),
}
_WEIGHT_ERRORS = {"+": ScaleState.OVERLOAD, "-": ScaleState.UNDERLOAD}

_IDENTIFIER = re.compile(r"[A-Z][A-Z0-9]{0,7}\Z")
_NUMBER = re.compile(r"[+-]?(?:\d{1,12}(?:\.\d{0,12})?|\.\d{1,12})\Z")
_UNIT = re.compile(r"[A-Za-z%][A-Za-z0-9%/]{0,5}\Z")
_TOKEN = re.compile(r'"((?:[^"]|"")*)"|([^ "]+)')


@dataclass(frozen=True)
class MtSicsReply:
    """One reply line: identifier, status, the fields after them (quotes removed)."""

    command: str
    status: str  # "" for the general errors ES, ET, EL
    fields: tuple[str, ...]
    raw: str

    @property
    def is_general_error(self) -> bool:
        return self.command in GENERAL_ERRORS

    def weight(self) -> tuple[Decimal, str] | None:
        """(value, unit) of a reply that carries a weight."""
        if self.command not in WEIGHT_REPLIES or self.status not in ("S", "D", "A") or len(self.fields) != 2:
            return None
        return Decimal(self.fields[0]), self.fields[1]


def _tokens(text: str) -> list[tuple[str, bool]] | None:
    """Space-separated fields, quoted texts as one field; None if the line is malformed."""
    tokens: list[tuple[str, bool]] = []
    position = 0
    for match in _TOKEN.finditer(text):
        if text[position : match.start()].strip(" "):
            return None
        if match.start() == position and tokens:
            return None  # fields must be separated by spaces
        if match.group(1) is not None:
            tokens.append((match.group(1).replace('""', '"'), True))
        else:
            tokens.append((match.group(2), False))
        position = match.end()
    if text[position:].strip(" "):
        return None
    return tokens


def parse_line(data: bytes) -> MtSicsReply | UnreadableLine:
    """Parse one reply line (terminator removed). Never raises."""
    raw = raw_text(data)
    for char in raw:
        code = ord(char)
        if code < 0x20 or 0x7F <= code < 0xA0:
            return UnreadableLine(raw, f"control character 0x{code:02x} in the line")
    tokens = _tokens(raw)
    if not tokens:
        return UnreadableLine(raw, "not an MT-SICS reply")
    for text, quoted in tokens:
        if not quoted and not text.isascii():
            return UnreadableLine(raw, "non-ASCII bytes outside a quoted text")
    command, quoted = tokens[0]
    if quoted or not _IDENTIFIER.match(command):
        return UnreadableLine(raw, "not an MT-SICS reply")
    if command in GENERAL_ERRORS:
        if len(tokens) != 1:
            return UnreadableLine(raw, f"malformed {command} reply")
        return MtSicsReply(command, "", (), raw)
    if len(tokens) < 2 or tokens[1][1] or tokens[1][0] not in STATUSES:
        return UnreadableLine(raw, "MT-SICS reply without a valid status")
    status = tokens[1][0]
    fields = [text for text, _ in tokens[2:]]
    if command in WEIGHT_REPLIES and status in ("S", "D", "A"):
        if len(fields) == 3 and fields[0] in ("+", "-"):
            fields = [fields[0] + fields[1], fields[2]]
        if len(fields) != 2 or not _NUMBER.match(fields[0]) or not _UNIT.match(fields[1]):
            return UnreadableLine(raw, f"malformed weight in {command} {status} reply")
        try:
            Decimal(fields[0])
        except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
            return UnreadableLine(raw, "malformed weight")
    elif status in ("I", "+", "-", "L") and fields:
        return UnreadableLine(raw, f"unexpected fields after {command} {status}")
    return MtSicsReply(command, status, tuple(fields), raw)


def describe_error(reply: MtSicsReply) -> tuple[ScaleState, str]:
    """The state and a clear sentence for an error reply."""
    if reply.is_general_error:
        return GENERAL_ERRORS[reply.command]
    key = (reply.command, reply.status)
    if key in _ERROR_DETAILS:
        return _ERROR_DETAILS[key]
    if (
        reply.command in WEIGHT_REPLIES
        and reply.command not in TARE_REPLIES
        and reply.status in _WEIGHT_ERRORS
    ):
        return _ERROR_DETAILS[("S", reply.status)]
    state, text = _GENERIC_STATUS.get(reply.status, (ScaleState.UNREADABLE, "unexpected reply"))
    return state, f"{text} ({reply.command} {reply.status})"


class MtSicsScale(Scale[MtSicsReply | UnreadableLine]):
    """An MT-SICS balance on an open transport (9600 8N1 by default on the device)."""

    protocol = "mt-sics"
    DEFAULT_SETTINGS = DEFAULT_SETTINGS

    def __init__(self, transport: Transport, **options: Any) -> None:
        super().__init__(transport, terminator=CRLF, **options)
        self._resync = False

    # ------------------------------------------------------------------ lines

    def parse_line(self, line: Line) -> MtSicsReply | UnreadableLine:
        return parse_line(line.data)

    def unsolicited(self, parsed: MtSicsReply | UnreadableLine, line: Line) -> ScaleEvent | None:
        if isinstance(parsed, UnreadableLine):
            return self._condition(ScaleState.UNREADABLE, parsed.reason, parsed.raw, line)
        if parsed.command in WEIGHT_REPLIES or parsed.is_general_error:
            return self.event(parsed, line)
        return None  # a late answer to an identification or a setting: nothing to tell

    def event(self, reply: MtSicsReply, line: Line) -> ScaleEvent:
        """The reading or condition a reply stands for."""
        weight = reply.weight()
        if weight is not None:
            value, unit = weight
            if not is_mass_unit(unit):
                return self._condition(ScaleState.UNREADABLE, f"not a mass unit: {unit!r}", reply.raw, line)
            kind: WeightKind = "tare" if reply.command in TARE_REPLIES else "net"
            return self._reading(
                value,
                unit,
                reply.status in ("S", "A"),
                line,
                kind=kind,
                tare=value if kind == "tare" else None,
                net=value if kind == "net" else None,
            )
        if reply.is_general_error or reply.status in ("I", "+", "-", "L"):
            state, detail = describe_error(reply)
            return self._condition(state, detail, reply.raw, line)
        return self._condition(
            ScaleState.UNREADABLE, f"unexpected reply {reply.command} {reply.status}", reply.raw, line
        )

    # ------------------------------------------------------------------ exchanges

    def command(
        self, command: str, reply_id: str | None = None, timeout: float | None = None
    ) -> tuple[MtSicsReply, Line]:
        """Send ``command`` and return its reply (or a general error ES/ET/EL)."""
        expected = reply_id or command.split(" ", 1)[0]
        if self._resync:
            self._resynchronise()

        def accept(parsed: MtSicsReply | UnreadableLine) -> bool:
            return isinstance(parsed, MtSicsReply) and (parsed.command == expected or parsed.is_general_error)

        request = command.encode("ascii") + CRLF
        try:
            reply, line = self._exchange(
                request, accept, self.command_timeout if timeout is None else timeout
            )
        except ReplyTimeout:
            self._resync = True  # a late reply must not be taken for the answer to the next command
            raise
        assert isinstance(reply, MtSicsReply)
        return reply, line

    def _resynchronise(self) -> None:
        """``@`` cancels whatever the balance was doing; its I4 reply marks where the past ends."""
        self._resync = False
        try:
            reply, _ = self._exchange(
                b"@" + CRLF,
                lambda parsed: isinstance(parsed, MtSicsReply) and parsed.command == "I4",
                self.command_timeout,
            )
        except ReplyTimeout:
            self._resync = True
            raise
        assert isinstance(reply, MtSicsReply)
        self._take_serial(reply)
        if self._streaming:
            self._send(b"SIR" + CRLF)

    def _take_serial(self, reply: MtSicsReply) -> None:
        if reply.command == "I4" and reply.status == "A" and reply.fields:
            self._serial_number = reply.fields[0].strip() or self._serial_number

    def _expect(
        self, command: str, reply_id: str, ok: str, timeout: float, doing: str
    ) -> tuple[MtSicsReply, Line]:
        reply, line = self.command(command, reply_id, timeout)
        if reply.is_general_error or reply.status != ok:
            raise ScaleError.from_condition(self._as_condition(reply, line), doing)
        return reply, line

    def _as_condition(self, reply: MtSicsReply, line: Line) -> Any:
        event = self.event(reply, line)
        if isinstance(event, WeightReading):  # pragma: no cover - callers pass error replies
            return self._condition(ScaleState.UNREADABLE, "unexpected weight", reply.raw, line)
        return event

    # ------------------------------------------------------------------ commands

    def identify(self) -> None:
        """I4 (serial number, required) and I2 (type and capacity, if the balance has it)."""
        reply, _ = self._expect("I4", "I4", "A", self.command_timeout, "serial number (I4)")
        self._take_serial(reply)
        try:
            reply, _ = self.command("I2", "I2")
        except ReplyTimeout:
            return
        if reply.status == "A" and reply.fields:
            self._model = " ".join(field.strip() for field in reply.fields)

    def reset(self, timeout: float | None = None) -> str | None:
        """``@``: stop SIR, cancel pending commands; returns the serial number it reports."""
        reply, _ = self._expect(
            "@", "I4", "A", self.command_timeout if timeout is None else timeout, "reset (@)"
        )
        self._take_serial(reply)
        return self._serial_number

    def stable_weight(self, timeout: float | None = None) -> ScaleEvent:
        """``S``: the stable weight (the balance waits for it), or the condition it reports."""
        reply, line = self.command("S", "S", timeout)
        return self.event(reply, line)

    def immediate_weight(self, timeout: float | None = None) -> ScaleEvent:
        """``SI``: the weight now, stable or dynamic, or the condition the balance reports."""
        reply, line = self.command("SI", "S", timeout)
        return self.event(reply, line)

    def _request_immediate(self, timeout: float) -> ScaleEvent:
        return self.immediate_weight(timeout)

    def _request_stable(self, timeout: float) -> ScaleEvent:
        return self.stable_weight(timeout)

    def _start_stream(self) -> None:
        if self._resync:
            self._resynchronise()
        self._send(b"SIR" + CRLF)

    def _stop_stream(self) -> None:
        self.reset()

    def _tare(self, timeout: float) -> WeightReading | None:
        reply, line = self.command("T", "T", timeout)
        return self._weight_or_raise(self.event(reply, line), "taring (T)")

    def tare_value(self, timeout: float | None = None) -> WeightReading:
        """``TA``: the tare weight in memory."""
        reply, line = self.command("TA", "TA", timeout)
        return self._weight_or_raise(self.event(reply, line), "tare value (TA)")

    def preset_tare(self, value: Decimal, unit: str, timeout: float | None = None) -> WeightReading:
        """``TA value unit``: set the tare weight; returns the tare the balance took."""
        if not is_mass_unit(unit):
            raise ValueError(f"not a mass unit: {unit!r}")
        command = f"TA {format(Decimal(value), 'f')} {normalize_unit(unit)}"
        reply, line = self.command(command, "TA", timeout)
        return self._weight_or_raise(self.event(reply, line), "preset tare (TA)")

    def _clear_tare(self, timeout: float) -> None:
        self._expect("TAC", "TAC", "A", timeout, "clearing the tare (TAC)")

    def _zero(self, timeout: float) -> None:
        self._expect("Z", "Z", "A", timeout, "zeroing (Z)")

    def zero_immediately(self, timeout: float | None = None) -> bool:
        """``ZI``: zero now; True when the balance was stable, False when it zeroed a dynamic weight."""
        reply, line = self.command("ZI", "ZI", timeout)
        if reply.is_general_error or reply.status not in ("S", "D"):
            raise ScaleError.from_condition(self._as_condition(reply, line), "zeroing (ZI)")
        return reply.status == "S"

    def _complete(self, reading: WeightReading, timeout: float) -> WeightReading:
        """A net weight accepted: ask the tare in memory (TA) so gross and tare are known too."""
        if reading.kind != "net":
            return reading
        try:
            tare = self.tare_value(min(timeout, self.command_timeout))
        except ScaleError as exc:
            log.info("%s: tare not available (%s)", self.transport.name, exc)
            return reading
        if normalize_unit(tare.unit) != normalize_unit(reading.unit):
            return reading
        return replace(reading, tare=tare.value, net=reading.value, gross=reading.value + tare.value)
