"""A small console to drive a simulated device by hand, one command a line on stdin.

put 61.27 kg      the pan now holds 61.27 kg (unit optional: the scale's)
remove            take everything off the pan
tare / zero       press the TARE / ZERO key
show              what the display shows, and whether the cable is in
unplug / replug   pull the cable out, plug it back in
scan <code>       (scanner) send a scan; type the GS separator as <GS> or \\x1d
help, quit
"""

from __future__ import annotations

import shlex
from decimal import Decimal, InvalidOperation
from typing import TextIO

from hardware.barcodes.separators import unescape_separators
from hardware.simulators.device import SimulatedDevice
from hardware.simulators.scale import ScaleSimulator
from hardware.simulators.scanner import ScannerSimulator

HELP = __doc__.split("\n\n", 1)[1].rstrip() if __doc__ else ""


class SimulatorConsole:
    def __init__(self, device: SimulatedDevice, stdin: TextIO, stdout: TextIO, *, prompt: str = "") -> None:
        self.device = device
        self.stdin = stdin
        self.stdout = stdout
        self.prompt = prompt

    def say(self, text: str) -> None:
        self.stdout.write(text + "\n")
        self.stdout.flush()

    def run(self) -> bool:
        """Read commands until ``quit`` (False) or the end of the input (True)."""
        while True:
            if self.prompt:
                self.stdout.write(self.prompt)
                self.stdout.flush()
            line = self.stdin.readline()
            if not line:
                return True
            if not self.execute(line):
                return False

    def execute(self, line: str) -> bool:
        """Carry out one command; False to quit."""
        text = line.strip()
        if not text or text.startswith("#"):
            return True
        word, _, rest = text.partition(" ")
        word = word.lower()
        rest = rest.strip()
        try:
            if word in ("quit", "exit"):
                return False
            if word == "help":
                self.say(HELP)
            elif word == "unplug":
                self.device.unplug()
                self.say("unplugged")
            elif word == "replug":
                self.device.replug()
                self.say(f"plugged in at {self.device.address}")
            elif word in ("show", "status"):
                self.say(self._show())
            elif isinstance(self.device, ScaleSimulator) and word in ("put", "remove", "tare", "zero"):
                self._scale(word, rest)
            elif isinstance(self.device, ScannerSimulator) and word == "scan":
                self._scan(rest)
            else:
                self.say(f"error: unknown command {word!r} (help lists them)")
        except ValueError as exc:
            self.say(f"error: {exc}")
        return True

    def _show(self) -> str:
        plugged = "plugged in" if self.device.plugged else "unplugged"
        if isinstance(self.device, ScaleSimulator):
            sample = self.device.sample()
            unit = self.device.cell.unit
            return f"{plugged}; {sample.state}: net {sample.net} {unit}, gross {sample.gross} {unit}, tare {sample.tare} {unit}"
        return plugged

    def _scale(self, word: str, rest: str) -> None:
        assert isinstance(self.device, ScaleSimulator)
        if word == "put":
            parts = rest.split()
            if not 1 <= len(parts) <= 2:
                raise ValueError("usage: put WEIGHT [UNIT]")
            try:
                weight = Decimal(parts[0])
            except InvalidOperation:
                raise ValueError(f"not a weight: {parts[0]!r}") from None
            if not weight.is_finite():
                raise ValueError(f"not a weight: {parts[0]!r}")
            self.device.put(weight, parts[1] if len(parts) == 2 else None)
            self.say(f"on the pan: {weight} {parts[1] if len(parts) == 2 else self.device.cell.unit}")
        elif word == "remove":
            self.device.remove()
            self.say("pan empty")
        elif word == "tare":
            self.device.press_tare()
            self.say("tared")
        else:
            self.device.press_zero()
            self.say("zeroed")

    def _scan(self, rest: str) -> None:
        assert isinstance(self.device, ScannerSimulator)
        if not rest:
            raise ValueError("usage: scan CODE")
        code = rest
        if len(rest) >= 2 and rest[0] == rest[-1] and rest[0] in "'\"":
            code = shlex.split(rest)[0]
        sent = self.device.scan(unescape_separators(code))
        self.say("scanned" if sent else "not sent: the scanner is unplugged")
