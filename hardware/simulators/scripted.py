"""A device that follows a script of expected (request, reply) pairs, on a real pty.

For driver tests in the pymeasure way: the test writes down what the driver must send
and what the device answers; ``assert_done`` checks that every exchange happened, in
order, and that the driver sent nothing else.

    with ScriptedDevice([(b"I4\\r\\n", b'I4 A "B123"\\r\\n'), (b"S\\r\\n", b"S S     1.00 g\\r\\n")]) as dev:
        scale = MtSicsScale(Transport.open_link(dev.address))
        ...
        dev.assert_done()

A request of None sends its reply without waiting for a request (a stream line, noise),
once the client sent something or ``release()`` was called (bytes sent before the client
opened the port would be flushed by the open);
a reply of None sends nothing (SBI tare); a reply may be a list of byte chunks and pauses
(floats, seconds) to split a line across reads.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

from hardware.simulators.device import SimulatedDevice

Reply = bytes | Sequence[bytes | float] | None
Exchange = tuple[bytes | None, Reply]


class ScriptedDevice(SimulatedDevice):
    kind = "scripted device"

    def __init__(self, script: Sequence[Exchange], link: str | None = None) -> None:
        super().__init__(link)
        self.script: list[Exchange] = list(script)
        self._position = 0
        self._buffer = bytearray()
        self.unexpected: list[bytes] = []
        self._done = threading.Event()
        self._released = threading.Event()
        self._state = threading.Lock()
        if not self.script:
            self._done.set()

    @property
    def used(self) -> int:
        """How many exchanges of the script happened."""
        return self._position

    def _send_reply(self, reply: Reply) -> None:
        if reply is None:
            return
        if isinstance(reply, bytes):
            self.send(reply)
            return
        for part in reply:
            if isinstance(part, bytes):
                self.send(part)
            else:
                time.sleep(part)

    def _advance(self) -> None:
        """Play the exchanges that can happen now."""
        while self._position < len(self.script):
            request, reply = self.script[self._position]
            if request is None:
                if not self._released.is_set():
                    return
                self._position += 1
                self._send_reply(reply)
                continue
            if not self._buffer:
                return
            if self._buffer.startswith(request):
                del self._buffer[: len(request)]
                self._position += 1
                self._send_reply(reply)
                continue
            if not request.startswith(bytes(self._buffer)):
                self.unexpected.append(bytes(self._buffer))
                self._buffer.clear()
            return
        if self._buffer:
            self.unexpected.append(bytes(self._buffer))
            self._buffer.clear()
        self._done.set()

    def release(self) -> None:
        """Let the replies without request go (once the client has the port open)."""
        self._released.set()
        self._wake()

    def on_input(self, data: bytes, now: float) -> None:
        self._released.set()
        with self._state:
            self._buffer += data
            self._advance()

    def tick(self, now: float) -> float | None:
        with self._state:
            self._advance()
        return None

    def push(self, data: bytes) -> None:
        """Send bytes now, outside the script (noise, a line nobody asked for)."""
        self.send(data)

    def wait_done(self, timeout: float = 2.0) -> bool:
        return self._done.wait(timeout)

    def assert_done(self, timeout: float = 2.0) -> None:
        """Every exchange happened, and the driver sent nothing that was not expected."""
        self._done.wait(timeout)
        time.sleep(0.02)  # let a stray extra request arrive
        with self._state:
            if self._buffer:
                self.unexpected.append(bytes(self._buffer))
                self._buffer.clear()
            missing = self.script[self._position :]
            unexpected = list(self.unexpected)
        problems = []
        if missing:
            problems.append(f"exchanges that did not happen: {missing!r}")
        if unexpected:
            problems.append(f"unexpected requests: {unexpected!r}")
        if problems:
            raise AssertionError("; ".join(problems))
