"""The machinery every simulated device shares: its endpoint, its thread, plug and unplug.

A device runs one thread that waits for input on its endpoint and for its own deadlines
(a stream to send, a command waiting for a stable weight). ``send`` writes a line, paced
at ``baudrate`` when one is given (10 bits a character, as a UART sends 8N1 or 7O1), and
records when its last byte left (``sent``, for tests and the benchmark).
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import threading
import time
from abc import ABC, abstractmethod
from collections import deque
from dataclasses import dataclass
from typing import Self

from hardware.simulators.endpoint import Endpoint, make_endpoint

log = logging.getLogger(__name__)

IDLE_WAIT = 0.5  # longest wait of the device thread when nothing is scheduled
MIN_PACING_SLEEP = 0.0005


@dataclass(frozen=True)
class SentLine:
    data: bytes
    monotonic: float  # just before the write that handed the last byte to the line
    written: float  # just after that write returned


class SimulatedDevice(ABC):
    """A device behind an endpoint. ``start`` returns the address clients open."""

    kind = "device"

    def __init__(
        self, link: str | None = None, *, baudrate: int | None = None, record: int = 100_000
    ) -> None:
        if baudrate is not None and baudrate <= 0:
            raise ValueError("baudrate must be positive")
        self.link = link
        self.baudrate = baudrate
        self._endpoint: Endpoint = make_endpoint(link)
        self._lock = threading.RLock()  # state of the device and of its endpoint
        self._write_lock = threading.Lock()  # one line on the wire at a time
        self._plugged = False
        self._running = False
        self._thread: threading.Thread | None = None
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_r, False)
        self.sent: deque[SentLine] = deque(maxlen=record or None)
        self.received: deque[bytes] = deque(maxlen=1000)

    # ------------------------------------------------------------------ life cycle

    @property
    def address(self) -> str:
        return self._endpoint.address

    @property
    def device(self) -> str | None:
        """``/dev/pts/N`` behind the symlink while plugged (pty only)."""
        return self._endpoint.device

    @property
    def plugged(self) -> bool:
        return self._plugged

    def start(self) -> str:
        """Plug the device in and start it; returns the path or URL a client opens."""
        with self._lock:
            if self._running:
                return self.address
            if self._wake_r < 0:
                raise RuntimeError(f"simulated {self.kind} was stopped; create a new one")
            self._endpoint.open()
            self._plugged = True
            self._running = True
            self._thread = threading.Thread(target=self._loop, name=f"simulated {self.kind}", daemon=True)
            self._thread.start()
        return self.address

    def stop(self) -> None:
        """Unplug for good and release everything (idempotent)."""
        with self._lock:
            running, self._running = self._running, False
            self._wake()
        if running and self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
        with self._lock:
            self._plugged = False
            self._endpoint.dispose()
            wake_fds, self._wake_r, self._wake_w = (self._wake_r, self._wake_w), -1, -1
        for fd in wake_fds:
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def unplug(self) -> None:
        """Pull the cable: the client's port fails, the device path disappears."""
        with self._lock:
            if not self._plugged:
                return
            self._plugged = False
            self._endpoint.close()
            self.on_unplug()
            self._wake()
        log.info("%s unplugged", self.kind)

    def replug(self) -> None:
        """Plug it back in (a new pty behind the same path, or the same TCP port)."""
        with self._lock:
            if self._plugged or not self._running:
                return
            self._endpoint.open()
            self._plugged = True
            self.on_replug()
            self._wake()
        log.info("%s plugged in at %s", self.kind, self.address)

    def _wake(self) -> None:
        if self._wake_w >= 0:
            with contextlib.suppress(OSError):
                os.write(self._wake_w, b"!")

    # ------------------------------------------------------------------ device behaviour

    @abstractmethod
    def on_input(self, data: bytes, now: float) -> None:
        """Bytes the client sent."""

    def tick(self, now: float) -> float | None:
        """Scheduled work; returns when to be called again (monotonic), None if not needed."""
        return None

    def on_unplug(self) -> None:
        """The cable was pulled (the device itself keeps its state)."""
        return None

    def on_replug(self) -> None:
        """The cable is back."""
        return None

    def _loop(self) -> None:
        while self._running:
            now = time.monotonic()
            try:
                due = self.tick(now) if self._plugged else None
            except Exception:
                log.exception("simulated %s failed", self.kind)
                due = None
            with self._lock:
                fds = self._endpoint.fds() if self._plugged else []
            now = time.monotonic()
            timeout = IDLE_WAIT if due is None else min(IDLE_WAIT, max(0.0, due - now))
            try:
                ready, _, _ = select.select([self._wake_r, *fds], [], [], timeout)
            except (OSError, ValueError):
                continue  # an fd was closed under us by unplug(): look again
            for fd in ready:
                if fd == self._wake_r:
                    with contextlib.suppress(OSError):
                        os.read(self._wake_r, 4096)
                    continue
                with self._lock:
                    if not self._plugged or fd not in self._endpoint.fds():
                        continue
                    try:
                        data = self._endpoint.receive(fd)
                    except OSError:
                        data = b""
                if data:
                    self.received.append(data)
                    try:
                        self.on_input(data, time.monotonic())
                    except Exception:
                        log.exception("simulated %s failed on input %r", self.kind, data)

    # ------------------------------------------------------------------ output

    def send(self, data: bytes) -> float | None:
        """Write ``data`` (paced at ``baudrate``); when its last byte went out, or None if unplugged."""
        with self._write_lock:
            if self.baudrate is None:
                with self._lock:
                    before = time.monotonic()
                    if not self._plugged or not self._endpoint.write(data):
                        return None
                    after = time.monotonic()
            else:
                times = self._send_paced(data)
                if times is None:
                    return None
                before, after = times
            self.sent.append(SentLine(data, before, after))
            return before

    def _send_paced(self, data: bytes) -> tuple[float, float] | None:
        assert self.baudrate is not None
        per_byte = 10.0 / self.baudrate
        start = time.monotonic()
        written = 0
        before = after = start
        while written < len(data):
            now = time.monotonic()
            due = min(len(data), max(written + 1, int((now - start) / per_byte) + 1))
            with self._lock:
                before = time.monotonic()
                if not self._plugged or not self._endpoint.write(data[written:due]):
                    return None
                after = time.monotonic()
            written = due
            if written < len(data):
                next_at = start + written * per_byte
                time.sleep(max(MIN_PACING_SLEEP, next_at - time.monotonic()))
        return before, after
