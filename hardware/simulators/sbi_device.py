"""The SBI side of a simulated Sartorius balance.

Reads ``ESC`` commands (format 1 ``ESC P``, format 2 ``ESC x2_``; CR LF after them
optional, other bytes ignored as a balance does) and prints data lines of 16 or 22
characters: the unit only when the weight is stable, ``H`` / ``L`` in overload and
underload. Tare and zero (``ESC T``, ``ESC U``, ``ESC V``) wait for a stable weight like
the keys do. With ``autoprint`` the balance prints by itself every ``autoprint_interval``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hardware.framing import CRLF
from hardware.simulators.weighing_cell import CellSample

if TYPE_CHECKING:
    from hardware.simulators.scale import ScaleSimulator

ESC = 0x1B
_POLL = 0.02
_MAX_COMMAND = 8


class SbiDevice:
    def __init__(self, sim: ScaleSimulator, *, output_format: int = 22, autoprint: bool = False) -> None:
        if output_format not in (16, 22):
            raise ValueError("SBI output format is 16 or 22 characters")
        self.sim = sim
        self.cell = sim.cell
        self.output_format = output_format
        self.autoprint = autoprint
        self._buffer = bytearray()
        self._pending: tuple[str, float] | None = None
        self._next_print = 0.0

    # ------------------------------------------------------------------ output lines

    def data_line(self, sample: CellSample) -> bytes:
        if sample.state in ("overload", "underload"):
            body = f"{'H' if sample.state == 'overload' else 'L':^14}"
            label = "Stat"
        else:
            value = sample.net
            sign = "+" if value > 0 else "-" if value < 0 else " "
            unit = self.cell.unit if sample.state == "stable" else ""
            body = f"{sign} {abs(value)!s:>8} {unit:<3}"
            label = "N"
        if self.output_format == 22:
            body = f"{label:<6}{body}"
        return body.encode("ascii") + CRLF

    def text_line(self, label: str, text: str) -> bytes:
        if self.output_format == 22:
            line = f"{label:<6}{text:<14}"[:20]
        else:
            line = f"{text:<14}"[:14]
        return line.encode("ascii", "replace") + CRLF

    def print_now(self) -> None:
        self.sim.send(self.data_line(self.cell.sample()))

    # ------------------------------------------------------------------ input

    def on_input(self, data: bytes, now: float) -> None:
        self._buffer += data
        buffer = self._buffer
        while True:
            start = buffer.find(ESC)
            if start < 0:
                buffer.clear()
                return
            del buffer[:start]
            if len(buffer) < 2:
                return
            letter = chr(buffer[1])
            if letter.islower():
                end = buffer.find(b"_", 2)
                if end < 0:
                    if len(buffer) > _MAX_COMMAND:
                        del buffer[:1]
                        continue
                    return
                command = buffer[1 : end + 1].decode("latin-1")
                del buffer[: end + 1]
            else:
                command = letter
                del buffer[:2]
            self._command(command, now)

    def _command(self, command: str, now: float) -> None:
        if command == "P" or command == "kP_":
            self.print_now()
        elif command in ("T", "U", "V"):
            self._pending = (command, now + self.sim.stability_timeout)
            self._run_pending(now)
        elif command == "x1_":
            self.sim.send(self.text_line("Model", self.sim.model))
        elif command == "x2_":
            self.sim.send(self.text_line("S/N", self.sim.serial_number))
        elif command == "x3_":
            self.sim.send(self.text_line("Ver", "01-00-00"))
        elif command == "S":
            self.cell.clear_tare()
        # the other commands (filters, key lock, beep, adjustment) change nothing visible here

    def _run_pending(self, now: float) -> None:
        if self._pending is None:
            return
        command, deadline = self._pending
        sample = self.cell.sample(now)
        if sample.state != "stable" and now < deadline:
            return  # the key waits for a stable weight, as on the balance
        self._pending = None
        if sample.state != "stable":
            return  # never stable in time: the key press is dropped
        if command == "V" or (command == "T" and abs(sample.gross) <= self.cell.zero_range):
            if self.cell.zero_allowed() == "ok":
                self.cell.zero()
        elif self.cell.tare_allowed(sample) == "ok":
            self.cell.tare()

    def tick(self, now: float) -> float | None:
        self._run_pending(now)
        due: float | None = now + _POLL if self._pending is not None else None
        if self.autoprint:
            if now >= self._next_print:
                self.print_now()
                self._next_print = max(now, self._next_print + self.sim.stream_interval)
            due = self._next_print if due is None else min(due, self._next_print)
        return due

    def on_replug(self) -> None:
        self._buffer.clear()
