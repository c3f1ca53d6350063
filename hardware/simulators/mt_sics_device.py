"""The MT-SICS side of a simulated balance: commands in, replies and SIR stream out.

Commands are executed one after another, as a balance does: ``S``, ``T`` and ``Z`` wait
for a stable weight (up to ``stability_timeout``, then ``S I`` / ``T I`` / ``Z I``) while
later commands queue behind them; ``@`` cancels everything at once. ``SIR`` streams the
immediate weight every ``stream_interval`` seconds until ``@``, ``S``, ``SI`` or ``SIR``.
A garbled or over-long command gets ``ET``, an unknown one ``ES``, a wrong parameter ``EL``.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from hardware.framing import CRLF, FramingIssue, LineFramer
from hardware.scales.units import GRAMS_PER_UNIT, is_mass_unit, normalize_unit
from hardware.simulators.weighing_cell import CellSample

if TYPE_CHECKING:
    from hardware.simulators.scale import ScaleSimulator

KNOWN_COMMANDS = frozenset({"@", "I0", "I1", "I2", "I3", "I4", "S", "SI", "SIR", "T", "TA", "TAC", "Z", "ZI"})
_STOP_STREAM = frozenset({"S", "SI", "SIR"})
_NO_ARGUMENTS = KNOWN_COMMANDS - {"TA"}
_POLL = 0.02


@dataclass
class _Pending:
    command: str
    arguments: list[str]
    deadline: float


class MtSicsDevice:
    def __init__(self, sim: ScaleSimulator) -> None:
        self.sim = sim
        self.cell = sim.cell
        self._framer = LineFramer(CRLF, max_length=128, stale_after=None)
        self._queue: deque[_Pending] = deque()
        self.streaming = False
        self._next_stream = 0.0

    # ------------------------------------------------------------------ replies

    def _reply(self, text: str) -> None:
        self.sim.send(text.encode("latin-1") + CRLF)

    def _weight(self, ident: str, status: str, value: Decimal) -> None:
        shown = value.quantize(self.cell.readability)
        self._reply(f"{ident} {status} {shown!s:>10} {self.cell.unit}")

    def _immediate(self, sample: CellSample, ident: str = "S") -> None:
        if sample.state == "overload":
            self._reply(f"{ident} +")
        elif sample.state == "underload":
            self._reply(f"{ident} -")
        else:
            self._weight(ident, "S" if sample.state == "stable" else "D", sample.net)

    def _identification(self) -> str:
        return f'I4 A "{self.sim.serial_number}"'

    # ------------------------------------------------------------------ input

    def on_input(self, data: bytes, now: float) -> None:
        for item in self._framer.feed(data, now):
            if isinstance(item, FramingIssue):
                self._reply("ET")
                continue
            self._on_line(item.data, now)
        self._run_queue(now)

    def _on_line(self, data: bytes, now: float) -> None:
        if not all(0x20 <= byte < 0x7F for byte in data):
            self._reply("ET")
            return
        parts = data.decode("ascii").split()
        if not parts:
            self._reply("ES")
            return
        command, arguments = parts[0], parts[1:]
        if command == "@":
            self._queue.clear()
            self.streaming = False
            self._reply(self._identification())
            return
        if command not in KNOWN_COMMANDS:
            self._reply("ES")
            return
        if command in _NO_ARGUMENTS and arguments:
            self._reply("EL")
            return
        if command in _STOP_STREAM:
            self.streaming = False
        self._queue.append(_Pending(command, arguments, now + self.sim.stability_timeout))

    def _run_queue(self, now: float) -> None:
        while self._queue:
            if not self._execute(self._queue[0], now):
                return
            self._queue.popleft()

    def tick(self, now: float) -> float | None:
        self._run_queue(now)
        due: float | None = now + _POLL if self._queue else None
        if self.streaming:
            if now >= self._next_stream:
                self._immediate(self.cell.sample())
                interval = self.sim.stream_interval
                self._next_stream = self._next_stream + interval if interval else 0.0
                if self._next_stream < now:
                    self._next_stream = now + interval
            due = self._next_stream if due is None else min(due, self._next_stream)
        return due

    def on_replug(self) -> None:
        self._framer.reset(0.0)

    # ------------------------------------------------------------------ commands

    def _execute(self, pending: _Pending, now: float) -> bool:
        """Carry out a command; False while it waits for a stable weight."""
        command = pending.command
        sample = self.cell.sample(now)
        waiting = sample.state == "dynamic" and now < pending.deadline
        if command == "SI":
            self._immediate(sample)
        elif command == "SIR":
            self.streaming = True
            self._next_stream = now
        elif command == "S":
            if waiting:
                return False
            if sample.state == "dynamic":
                self._reply("S I")
            else:
                self._immediate(sample)
        elif command == "T":
            return self._tare(sample, waiting)
        elif command == "TA":
            self._tare_value(pending.arguments)
        elif command == "TAC":
            self.cell.clear_tare()
            self._reply("TAC A")
        elif command in ("Z", "ZI"):
            return self._zero(command, sample, waiting)
        elif command == "I0":
            listed = " ".join(f'"{name}"' for name in sorted(KNOWN_COMMANDS - {"@"}))
            self._reply(f"I0 A {listed}")
        elif command == "I1":
            self._reply('I1 A "01" "2.20" "2.20" "1.00" "1.00"')
        elif command == "I2":
            self._reply(f'I2 A "{self.sim.model} {self.cell.capacity} {self.cell.unit}"')
        elif command == "I3":
            self._reply('I3 A "1.0.0"')
        elif command == "I4":
            self._reply(self._identification())
        return True

    def _tare(self, sample: CellSample, waiting: bool) -> bool:
        if sample.state == "overload":
            self._reply("T +")
        elif sample.state == "underload":
            self._reply("T -")
        elif waiting:
            return False
        elif sample.state == "dynamic":
            self._reply("T I")
        else:
            allowed = self.cell.tare_allowed(sample)
            if allowed == "above":
                self._reply("T +")
            elif allowed == "below":
                self._reply("T -")
            else:
                taken = self.cell.tare()
                self._weight("T", "S", taken.tare)
        return True

    def _tare_value(self, arguments: list[str]) -> None:
        if not arguments:
            self._weight("TA", "A", self.cell.tare_value)
            return
        if len(arguments) != 2 or not is_mass_unit(arguments[1]):
            self._reply("TA L")
            return
        try:
            value = Decimal(arguments[0])
        except InvalidOperation:
            self._reply("TA L")
            return
        if not value.is_finite():
            self._reply("TA L")
            return
        unit = normalize_unit(arguments[1])
        in_cell_unit = value * GRAMS_PER_UNIT[unit] / GRAMS_PER_UNIT[self.cell.unit]
        if not self.cell.preset_tare(in_cell_unit):
            self._reply("TA L")
            return
        self._weight("TA", "A", self.cell.tare_value)

    def _zero(self, command: str, sample: CellSample, waiting: bool) -> bool:
        if sample.state == "overload":
            self._reply(f"{command} +")
            return True
        if sample.state == "underload" and command == "ZI":
            self._reply("ZI -")
            return True
        if command == "Z" and waiting:
            return False
        if command == "Z" and sample.state == "dynamic":
            self._reply("Z I")
            return True
        allowed = self.cell.zero_allowed()
        if allowed != "ok":
            self._reply(f"{command} {'+' if allowed == 'above' else '-'}")
            return True
        self.cell.zero()
        if command == "Z":
            self._reply("Z A")
        else:
            self._reply(f"ZI {'S' if sample.state == 'stable' else 'D'}")
        return True
