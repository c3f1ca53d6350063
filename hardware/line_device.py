"""A line-oriented device on a transport: exchanges, unsolicited lines, a reader thread.

Exactly one reader takes bytes from the transport: the background reader thread once
``start`` was called, otherwise the thread that waits for a reply. Every complete line is
parsed by the driver, then either handed to the exchange waiting for it (``accept`` says
whether the line is the reply) or turned into an event for the listeners (a stream of
weights, a scan, a device condition).

When the link is lost the reader reports it (``status_event``), fails the exchange under
way, retries with backoff, and when the device is back reports that too and runs
``after_reconnect`` (e.g. restart a weight stream) — the driver's caller does nothing.
A partial line at the moment of the loss is discarded, never completed with bytes from
after the reconnection.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Generic, NoReturn, Self, TypeVar

from hardware.framing import CRLF, FramingIssue, Line, LineFramer
from hardware.transport import LinkClosed, LinkLost, LinkStatus, Transport

log = logging.getLogger(__name__)

P = TypeVar("P")  # what the driver makes of one line
E = TypeVar("E")  # what the listeners receive


class ReplyTimeout(TimeoutError):
    """The device did not answer in time."""


T = TypeVar("T")


class EventIterator(Generic[T]):
    """Events from the moment it was created (subscribed at once, not at the first ``next``).

    ``next`` waits up to ``timeout`` (None: forever) and then calls ``on_timeout`` (which
    raises). ``close()`` — or leaving a ``with`` block — unsubscribes.
    """

    def __init__(
        self,
        subscribe: Callable[[Callable[[T], None]], Callable[[], None]],
        timeout: float | None,
        on_timeout: Callable[[], NoReturn],
    ) -> None:
        self._queue: queue.Queue[T] = queue.Queue()
        self._timeout = timeout
        self._on_timeout = on_timeout
        self._unsubscribe: Callable[[], None] | None = subscribe(self._queue.put)

    def __iter__(self) -> Self:
        return self

    def __next__(self) -> T:
        if self._unsubscribe is None:
            raise StopIteration
        try:
            return self._queue.get(timeout=self._timeout)
        except queue.Empty:
            self._on_timeout()

    def close(self) -> None:
        unsubscribe, self._unsubscribe = self._unsubscribe, None
        if unsubscribe is not None:
            unsubscribe()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __del__(self) -> None:
        self.close()


class _Waiter(Generic[P]):
    __slots__ = ("accept", "error", "event", "result")

    def __init__(self, accept: Callable[[P], bool]) -> None:
        self.accept = accept
        self.event = threading.Event()
        self.result: tuple[P, Line] | None = None
        self.error: LinkLost | None = None


class LineDevice(ABC, Generic[P, E]):
    """Base of the drivers: one device speaking in lines over one ``Transport``."""

    def __init__(
        self,
        transport: Transport,
        *,
        terminator: bytes = CRLF,
        max_line_length: int = 256,
        stale_after: float | None = 1.0,
    ) -> None:
        self.transport = transport
        self._framer = LineFramer(terminator, max_line_length, stale_after)
        self._io_lock = threading.RLock()
        self._exchange_lock = threading.RLock()
        self._waiter_lock = threading.Lock()
        self._waiter: _Waiter[P] | None = None
        self._listeners: list[Callable[[E], None]] = []
        self._status_listeners: list[Callable[[LinkStatus], None]] = []
        self._listeners_lock = threading.Lock()
        self._reader: threading.Thread | None = None
        self._stop = threading.Event()

    # ------------------------------------------------------------------ driver hooks

    @abstractmethod
    def parse_line(self, line: Line) -> P:
        """What one line means. Must not raise."""

    @abstractmethod
    def unsolicited(self, parsed: P, line: Line) -> E | None:
        """The event for a line no exchange was waiting for (None: nothing to tell)."""

    def framing_event(self, issue: FramingIssue) -> E | None:
        """The event for bytes that did not make a line."""
        return None

    def status_event(self, status: LinkStatus, detail: str) -> E | None:
        """The event telling listeners the link went away or came back."""
        return None

    def after_reconnect(self) -> None:
        """Runs in a helper thread once the device is back (restart streams, re-identify)."""

    # ------------------------------------------------------------------ listeners

    @property
    def status(self) -> LinkStatus:
        return self.transport.status

    def subscribe(self, callback: Callable[[E], None]) -> Callable[[], None]:
        """Call ``callback`` with every event (from the reader thread); returns the unsubscribe."""
        with self._listeners_lock:
            self._listeners.append(callback)

        def unsubscribe() -> None:
            with self._listeners_lock:
                if callback in self._listeners:
                    self._listeners.remove(callback)

        return unsubscribe

    def add_status_listener(self, callback: Callable[[LinkStatus], None]) -> Callable[[], None]:
        with self._listeners_lock:
            self._status_listeners.append(callback)

        def remove() -> None:
            with self._listeners_lock:
                if callback in self._status_listeners:
                    self._status_listeners.remove(callback)

        return remove

    def _emit(self, event: E) -> None:
        with self._listeners_lock:
            listeners = tuple(self._listeners)
        for callback in listeners:
            try:
                callback(event)
            except Exception:
                log.exception("%s: listener %r failed", self.transport.name, callback)

    def _emit_status(self, status: LinkStatus, detail: str) -> None:
        event = self.status_event(status, detail)
        if event is not None:
            self._emit(event)
        with self._listeners_lock:
            listeners = tuple(self._status_listeners)
        for callback in listeners:
            try:
                callback(status)
            except Exception:
                log.exception("%s: status listener %r failed", self.transport.name, callback)

    # ------------------------------------------------------------------ reading

    @property
    def running(self) -> bool:
        """True while the background reader thread runs."""
        return self._reader is not None and self._reader.is_alive()

    def start(self) -> None:
        """Start the background reader thread (idempotent)."""
        if self.running:
            return
        self._stop.clear()
        self._reader = threading.Thread(target=self._run, name=f"reader {self.transport.name}", daemon=True)
        self._reader.start()

    def close(self) -> None:
        """Stop the reader and close the transport."""
        self._stop.set()
        self.transport.close()
        reader = self._reader
        if reader is not None and reader is not threading.current_thread():
            reader.join(timeout=5)
        self._reader = None
        self._fail_waiter(LinkClosed(f"{self.transport.name}: closed"))
        self._emit_status(LinkStatus.CLOSED, "closed")

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def pump(self, timeout: float) -> None:
        """Read once (waiting up to ``timeout``) and handle the lines that completed.

        For use without the reader thread; raises ``LinkLost`` when the device went away.
        """
        with self._io_lock:
            data = self.transport.read(timeout)
            now = time.monotonic()
            if data:
                items = self._framer.feed(data, now)
            else:
                issue = self._framer.expire(now)
                items = [issue] if issue is not None else []
            for item in items:
                self._handle(item)

    def _handle(self, item: Line | FramingIssue) -> None:
        if isinstance(item, FramingIssue):
            event = self.framing_event(item)
            if event is not None:
                self._emit(event)
            return
        try:
            parsed = self.parse_line(item)
        except Exception:  # a driver bug must not kill the reader
            log.exception("%s: cannot parse %r", self.transport.name, item.data)
            return
        with self._waiter_lock:
            waiter = self._waiter
            if waiter is not None and waiter.result is None and waiter.error is None:
                try:
                    taken = waiter.accept(parsed)
                except Exception:
                    log.exception("%s: reply filter failed on %r", self.transport.name, item.data)
                    taken = False
                if taken:
                    waiter.result = (parsed, item)
                    waiter.event.set()
                    return
        event = self.unsolicited(parsed, item)
        if event is not None:
            self._emit(event)

    def _run(self) -> None:
        transport = self.transport
        while not self._stop.is_set():
            try:
                self.pump(transport.poll_interval)
            except LinkClosed:
                break
            except LinkLost as exc:
                self._link_lost(exc)
                if not transport.wait_reconnect(self._stop):
                    break
                self._link_restored()
            except Exception:  # never let the reader die silently
                log.exception("%s: reader error", transport.name)
                self._stop.wait(transport.poll_interval)

    def _link_lost(self, exc: LinkLost) -> None:
        with self._io_lock:
            issue = self._framer.reset(time.monotonic())
        if issue is not None:
            event = self.framing_event(issue)
            if event is not None:
                self._emit(event)
        self._fail_waiter(exc)
        self._emit_status(LinkStatus.DISCONNECTED, str(exc))

    def _link_restored(self) -> None:
        with self._io_lock:
            self._framer.reset(time.monotonic())
        self._emit_status(LinkStatus.CONNECTED, "connected")
        threading.Thread(target=self._run_after_reconnect, name="after reconnect", daemon=True).start()

    def _run_after_reconnect(self) -> None:
        try:
            self.after_reconnect()
        except LinkLost as exc:
            log.info("%s: lost again while resuming: %s", self.transport.name, exc)
        except Exception:
            log.exception("%s: resuming after reconnection failed", self.transport.name)

    def _fail_waiter(self, exc: LinkLost) -> None:
        with self._waiter_lock:
            waiter = self._waiter
            if waiter is not None and waiter.result is None:
                waiter.error = exc
                waiter.event.set()

    # ------------------------------------------------------------------ exchanges

    def _reads_inline(self) -> bool:
        reader = self._reader
        return reader is None or not reader.is_alive() or reader is threading.current_thread()

    def _ensure_link(self) -> None:
        """Without a reader thread, try once to bring back a lost link."""
        status = self.transport.status
        if status is LinkStatus.CONNECTED:
            return
        if status is LinkStatus.CLOSED:
            raise LinkClosed(f"{self.transport.name}: closed")
        if not self._reads_inline():
            raise LinkLost(f"{self.transport.name}: disconnected")
        self.transport.reopen()
        self._link_restored()

    def _send(self, request: bytes) -> None:
        """Send a request that has no reply."""
        with self._exchange_lock:
            self._ensure_link()
            self._write(request)

    def _write(self, request: bytes) -> None:
        try:
            self.transport.write(request)
        except LinkClosed:
            raise
        except LinkLost as exc:
            if self._reads_inline():
                self._link_lost(exc)
            raise

    def _exchange(self, request: bytes | None, accept: Callable[[P], bool], timeout: float) -> tuple[P, Line]:
        """Send ``request`` (if any) and return the first line ``accept`` takes as its reply.

        Raises ``ReplyTimeout`` or ``LinkLost``.
        """
        with self._exchange_lock:
            self._ensure_link()
            waiter: _Waiter[P] = _Waiter(accept)
            with self._waiter_lock:
                self._waiter = waiter
            try:
                if request is not None:
                    self._write(request)
                deadline = time.monotonic() + timeout
                while True:
                    if waiter.result is not None:
                        return waiter.result
                    if waiter.error is not None:
                        raise waiter.error
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        raise ReplyTimeout(f"{self.transport.name}: no reply within {timeout:g} s")
                    if self._reads_inline():
                        try:
                            self.pump(min(remaining, self.transport.poll_interval))
                        except LinkClosed:
                            raise
                        except LinkLost as exc:
                            self._link_lost(exc)
                            raise
                    else:
                        waiter.event.wait(remaining)
            finally:
                with self._waiter_lock:
                    self._waiter = None
