"""A simulated serial barcode scanner on a pty or TCP port.

sim = ScannerSimulator(terminator="cr")
port = sim.start()
sim.scan("]C101040123450001081730083110P24-0817")
"""

from __future__ import annotations

from hardware.framing import parse_terminator
from hardware.simulators.device import SimulatedDevice


def _as_bytes(value: str | bytes) -> bytes:
    return value if isinstance(value, bytes) else value.encode("utf-8")


class ScannerSimulator(SimulatedDevice):
    """Sends each scan as prefix + data + suffix + terminator; ignores what it receives."""

    kind = "scanner"

    def __init__(
        self,
        link: str | None = None,
        *,
        terminator: str | bytes = "cr",
        prefix: str | bytes = b"",
        suffix: str | bytes = b"",
        baudrate: int | None = None,
        record: int = 100_000,
    ) -> None:
        super().__init__(link, baudrate=baudrate, record=record)
        self.terminator = parse_terminator(terminator)
        self.prefix = _as_bytes(prefix)
        self.suffix = _as_bytes(suffix)

    def scan(self, code: str | bytes) -> bool:
        """Send one scan (AIM identifier and GS bytes included as given); False if unplugged."""
        return self.send(self.prefix + _as_bytes(code) + self.suffix + self.terminator) is not None

    def on_input(self, data: bytes, now: float) -> None:
        pass  # a scanner in its default mode ignores the host
