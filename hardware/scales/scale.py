"""The scale every protocol driver is: read, read a stable weight, tare, zero, stream.

Drivers (``MtSicsScale``, ``SbiScale``) implement a handful of protocol primitives; this
class builds what the application uses on top of them, the same for every protocol:

- ``read()``: the weight now, stable or not (never for recording);
- ``read_stable(timeout)``: a weight for a weighing, accepted by ``StableWeightDetector``
  (the device says stable, on consecutive agreeing readings); unstable, overload and
  underload raise ``ScaleError`` and never become a recorded weight;
- ``tare()``, ``zero()``, ``clear_tare()``;
- ``stream(callback)`` / ``readings()``: continuous readings from the background reader,
  resumed by themselves after the device was unplugged and came back;
- ``status``, ``serial_number``, ``model``.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
from abc import abstractmethod
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import ClassVar, NoReturn, TypeVar

from hardware.framing import CRLF, FramingIssue, Line
from hardware.line_device import EventIterator, LineDevice, ReplyTimeout
from hardware.scales.reading import (
    ScaleCondition,
    ScaleError,
    ScaleEvent,
    ScaleState,
    WeightKind,
    WeightReading,
)
from hardware.scales.stability import StableWeightDetector
from hardware.scales.units import normalize_unit, readability_of
from hardware.transport import LinkClosed, LinkLost, LinkStatus, Transport

log = logging.getLogger(__name__)

P = TypeVar("P")

_STATUS_STATES = {
    LinkStatus.CONNECTED: ScaleState.CONNECTED,
    LinkStatus.DISCONNECTED: ScaleState.DISCONNECTED,
    LinkStatus.CLOSED: ScaleState.CLOSED,
}


def raw_text(data: bytes) -> str:
    """A received line as text, byte for byte (latin-1), for the record of what came in."""
    return data.decode("latin-1")


class StreamHandle:
    """A running stream subscription; ``close()`` ends it (the device stops when nobody listens)."""

    def __init__(self, close: Callable[[], None]) -> None:
        self._close = close
        self._closed = False

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._close()

    def __enter__(self) -> StreamHandle:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class Scale(LineDevice[P, ScaleEvent]):
    """A scale on an open transport. Subclasses speak one protocol."""

    protocol: ClassVar[str] = ""

    def __init__(
        self,
        transport: Transport,
        *,
        terminator: bytes = CRLF,
        readability: Decimal | str | None = None,
        confirmations: int = 2,
        request_interval: float = 0.1,
        command_timeout: float = 3.0,
        serial_number: str | None = None,
        max_line_length: int = 256,
        stale_after: float | None = 1.0,
    ) -> None:
        super().__init__(
            transport, terminator=terminator, max_line_length=max_line_length, stale_after=stale_after
        )
        self.readability = Decimal(readability) if readability is not None else None
        if self.readability is not None and self.readability <= 0:
            raise ValueError("readability must be positive")
        if confirmations < 1:
            raise ValueError("confirmations must be at least 1")
        self.confirmations = confirmations
        self.request_interval = request_interval
        self.command_timeout = command_timeout
        self._serial_number = serial_number
        self._model: str | None = None
        self._stream_lock = threading.Lock()
        self._stream_users = 0
        self._streaming = False

    # ------------------------------------------------------------------ identity

    @property
    def serial_number(self) -> str | None:
        """The device's serial number, recorded with every reading."""
        return self._serial_number

    @property
    def model(self) -> str | None:
        return self._model

    @property
    def streaming(self) -> bool:
        return self._streaming

    # ------------------------------------------------------------------ protocol primitives

    @abstractmethod
    def identify(self) -> None:
        """Ask the device who it is (serial number, model)."""

    @abstractmethod
    def _request_immediate(self, timeout: float) -> ScaleEvent:
        """The weight now, stable or not, or the condition the device reports."""

    @abstractmethod
    def _request_stable(self, timeout: float) -> ScaleEvent:
        """A weight the device calls stable (it may wait for it), or the condition it reports."""

    @abstractmethod
    def _start_stream(self) -> None: ...

    @abstractmethod
    def _stop_stream(self) -> None: ...

    @abstractmethod
    def _tare(self, timeout: float) -> WeightReading | None: ...

    @abstractmethod
    def _zero(self, timeout: float) -> None: ...

    @abstractmethod
    def _clear_tare(self, timeout: float) -> None: ...

    def _complete(self, reading: WeightReading, timeout: float) -> WeightReading:
        """Add what the device can tell about an accepted reading (e.g. its tare)."""
        return reading

    # ------------------------------------------------------------------ events

    def _reading(
        self,
        value: Decimal,
        unit: str,
        stable: bool,
        line: Line,
        *,
        kind: WeightKind | None = None,
        gross: Decimal | None = None,
        tare: Decimal | None = None,
        net: Decimal | None = None,
    ) -> WeightReading:
        step = readability_of(value)
        if self.readability is not None and self.readability > step:
            step = self.readability
        return WeightReading(
            value=value,
            unit=normalize_unit(unit),
            stable=stable,
            raw=raw_text(line.data),
            serial_number=self._serial_number,
            monotonic=line.monotonic,
            utc=line.utc,
            kind=kind,
            gross=gross,
            tare=tare,
            net=net,
            readability=step,
        )

    def _condition(
        self, state: ScaleState, detail: str, raw: str = "", line: Line | None = None
    ) -> ScaleCondition:
        if line is None:
            return ScaleCondition(
                state, detail, raw, time.monotonic(), datetime.now(UTC), self._serial_number
            )
        return ScaleCondition(
            state, detail, raw or raw_text(line.data), line.monotonic, line.utc, self._serial_number
        )

    def framing_event(self, issue: FramingIssue) -> ScaleEvent | None:
        return ScaleCondition(
            ScaleState.UNREADABLE,
            issue.reason,
            raw_text(issue.data),
            issue.monotonic,
            issue.utc,
            self._serial_number,
        )

    def status_event(self, status: LinkStatus, detail: str) -> ScaleEvent | None:
        return self._condition(_STATUS_STATES[status], detail)

    def after_reconnect(self) -> None:
        before = self._serial_number
        try:
            self.identify()
        except (ScaleError, LinkLost, ReplyTimeout) as exc:
            log.warning("%s: cannot identify the scale after reconnection: %s", self.transport.name, exc)
        after = self._serial_number
        if before is not None and after is not None and before != after:
            log.warning(
                "%s: another scale answered: serial number %s, was %s", self.transport.name, after, before
            )
            self._emit(
                self._condition(
                    ScaleState.DEVICE_CHANGED, f"another scale answered: serial number {after}, was {before}"
                )
            )
        if self._streaming:
            self._start_stream()

    # ------------------------------------------------------------------ errors

    @contextlib.contextmanager
    def _errors(self, doing: str) -> Iterator[None]:
        try:
            yield
        except LinkClosed as exc:
            raise ScaleError(ScaleState.CLOSED, f"{doing}: the scale connection is closed") from exc
        except LinkLost as exc:
            raise ScaleError(ScaleState.DISCONNECTED, f"{doing}: scale disconnected ({exc})") from exc
        except ReplyTimeout as exc:
            raise ScaleError(ScaleState.TIMEOUT, f"{doing}: the scale did not answer in time") from exc

    @staticmethod
    def _weight_or_raise(event: ScaleEvent, doing: str) -> WeightReading:
        if isinstance(event, ScaleCondition):
            raise ScaleError.from_condition(event, doing)
        return event

    @contextlib.contextmanager
    def _events(self) -> Iterator[queue.Queue[ScaleEvent]]:
        events: queue.Queue[ScaleEvent] = queue.Queue()
        unsubscribe = self.subscribe(events.put)
        try:
            yield events
        finally:
            unsubscribe()

    # ------------------------------------------------------------------ what the application uses

    def read(self, timeout: float | None = None) -> WeightReading:
        """The weight now, stable or dynamic. Not for recording: use ``read_stable``."""
        timeout = self.command_timeout if timeout is None else timeout
        if self._streaming:
            deadline = time.monotonic() + timeout
            with self._events() as events:
                while True:
                    try:
                        event = events.get(timeout=max(0.0, deadline - time.monotonic()))
                    except queue.Empty:
                        raise ScaleError(
                            ScaleState.TIMEOUT, f"reading: no weight within {timeout:g} s"
                        ) from None
                    if not (isinstance(event, ScaleCondition) and event.state is ScaleState.CONNECTED):
                        return self._weight_or_raise(event, "reading")
        with self._errors("reading"):
            return self._weight_or_raise(self._request_immediate(timeout), "reading")

    def read_stable(self, timeout: float = 10.0) -> WeightReading:
        """A stable weight for a weighing, or ``ScaleError`` saying why there is none.

        Accepted only when the device says stable on ``confirmations`` consecutive
        readings of the same weight. ``ScaleError.state`` is ``dynamic`` when the weight did
        not settle in time, ``overload``/``underload``, ``disconnected``, or ``timeout``.
        """
        deadline = time.monotonic() + timeout
        detector = StableWeightDetector(self.confirmations, max_gap=max(2.0, 3 * self.request_interval))
        last_error: ScaleError | None = None
        if self._streaming:
            with self._events() as events:
                while (remaining := deadline - time.monotonic()) > 0:
                    try:
                        event = events.get(timeout=remaining)
                    except queue.Empty:
                        break
                    accepted = detector.feed(event)
                    if accepted is not None:
                        return self._accept(accepted, deadline)
        else:
            while (remaining := deadline - time.monotonic()) > 0:
                try:
                    with self._errors("weighing"):
                        if detector.count == 0:
                            event = self._request_stable(remaining)
                        else:
                            event = self._request_immediate(remaining)
                except ScaleError as exc:
                    if exc.state is ScaleState.CLOSED:
                        raise
                    last_error = exc
                    detector.reset()
                    time.sleep(max(0.0, min(self.request_interval, deadline - time.monotonic())))
                    continue
                last_error = None
                accepted = detector.feed(event)
                if accepted is not None:
                    return self._accept(accepted, deadline)
                if not (isinstance(event, WeightReading) and event.stable):
                    time.sleep(max(0.0, min(self.request_interval, deadline - time.monotonic())))
        raise self._no_stable_weight(detector, last_error, timeout)

    def _accept(self, reading: WeightReading, deadline: float) -> WeightReading:
        try:
            with self._errors("weighing"):
                return self._complete(reading, max(0.5, deadline - time.monotonic()))
        except ScaleError as exc:
            log.info("%s: accepted weight without details: %s", self.transport.name, exc)
            return reading

    @staticmethod
    def _no_stable_weight(
        detector: StableWeightDetector, last_error: ScaleError | None, timeout: float
    ) -> ScaleError:
        if last_error is not None:
            return last_error
        state = detector.last_state
        event = detector.last_event
        raw = event.raw if event is not None else ""
        if state in (ScaleState.OVERLOAD, ScaleState.UNDERLOAD, ScaleState.DISCONNECTED, ScaleState.CLOSED):
            assert isinstance(event, ScaleCondition)
            return ScaleError(state, f"weighing: {event.detail}", raw)
        if state is None:
            return ScaleError(ScaleState.TIMEOUT, f"weighing: no reading within {timeout:g} s")
        return ScaleError(ScaleState.DYNAMIC, f"weighing: no stable weight within {timeout:g} s", raw)

    def tare(self, timeout: float = 10.0) -> WeightReading | None:
        """Tare; the tare weight when the device reports it."""
        with self._errors("taring"):
            return self._tare(timeout)

    def zero(self, timeout: float = 10.0) -> None:
        with self._errors("zeroing"):
            self._zero(timeout)

    def clear_tare(self, timeout: float | None = None) -> None:
        with self._errors("clearing the tare"):
            self._clear_tare(self.command_timeout if timeout is None else timeout)

    def stream(self, callback: Callable[[ScaleEvent], None] | None = None) -> StreamHandle:
        """Continuous readings to ``callback`` (from the reader thread) until the handle is closed.

        The callback also gets the conditions (overload, disconnected, connected, ...).
        It must return quickly: a UI hands the event over to its own thread.
        """
        self.start()  # the reader delivers the stream
        unsubscribe = self.subscribe(callback) if callback is not None else None
        with self._stream_lock:
            self._stream_users += 1
            if self._stream_users == 1:
                self._streaming = True
                try:
                    with self._errors("starting the stream"):
                        self._start_stream()
                except ScaleError:
                    self._stream_users -= 1
                    self._streaming = False
                    if unsubscribe is not None:
                        unsubscribe()
                    raise

        def close() -> None:
            with self._stream_lock:
                self._stream_users -= 1
                if self._stream_users == 0:
                    self._streaming = False
                    try:
                        with self._errors("stopping the stream"):
                            self._stop_stream()  # lines sent until the device stopped still arrive
                    except ScaleError as exc:
                        log.info("%s: %s", self.transport.name, exc)
            if unsubscribe is not None:
                unsubscribe()

        return StreamHandle(close)

    def readings(self, timeout: float | None = 5.0) -> EventIterator[ScaleEvent]:
        """The stream's events as an iterator, from now on; ``ScaleError(timeout)`` if none
        comes within ``timeout``. Close it (or use ``with``) to end the stream."""
        handles: list[StreamHandle] = []

        def subscribe(callback: Callable[[ScaleEvent], None]) -> Callable[[], None]:
            handles.append(self.stream(callback))
            return handles[0].close

        def no_reading() -> NoReturn:
            raise ScaleError(ScaleState.TIMEOUT, f"no reading within {timeout:g} s")

        return EventIterator(subscribe, timeout, no_reading)

    def close(self) -> None:
        with self._stream_lock:
            streaming, self._streaming, self._stream_users = self._streaming, False, 0
        if streaming and self.status is LinkStatus.CONNECTED:
            try:
                with self._errors("stopping the stream"):
                    self._stop_stream()
            except ScaleError:
                pass
        super().close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.transport.name} {self.status} sn={self._serial_number}>"
