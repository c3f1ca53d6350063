"""Lines out of a byte stream, whatever the line does to the reader.

Bytes arrive in arbitrary pieces: a line may be split across reads, several lines may come
in one read, a device may send garbage, a line that never ends, or stop half-way through a
line. ``LineFramer`` turns the pieces into complete lines and reports the rest as
``FramingIssue`` (too long, incomplete) so that the next good line is read cleanly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

CR = b"\r"
LF = b"\n"
CRLF = b"\r\n"

TERMINATORS: dict[str, bytes] = {"cr": CR, "lf": LF, "crlf": CRLF}


def parse_terminator(value: str | bytes) -> bytes:
    """``cr``, ``lf``, ``crlf`` (any case), or the bytes themselves."""
    if isinstance(value, bytes):
        raw = value
    else:
        named = TERMINATORS.get(value.strip().lower().replace(" ", "").replace("+", ""))
        raw = named if named is not None else value.encode("latin-1")
    if raw not in (CR, LF, CRLF):
        raise ValueError(f"terminator must be CR, LF or CR LF, not {value!r}")
    return raw


@dataclass(frozen=True)
class Line:
    """A complete line, terminator removed, with the moment its last byte was read."""

    data: bytes
    monotonic: float
    utc: datetime = field(compare=False)


@dataclass(frozen=True)
class FramingIssue:
    """Bytes that did not make a line."""

    kind: Literal["too_long", "incomplete"]
    data: bytes  # what was discarded (the first bytes of it, for a line too long)
    monotonic: float
    utc: datetime = field(compare=False)

    @property
    def reason(self) -> str:
        if self.kind == "too_long":
            return "line too long: discarded up to the next line end"
        return "incomplete line without terminator: discarded"


class LineFramer:
    """Split a byte stream into lines ending with CR, LF or CR LF.

    - ``max_length``: a line longer than this is discarded up to its terminator and
      reported once as ``too_long``;
    - ``stale_after``: a partial line that got no byte for that many seconds is discarded
      and reported as ``incomplete`` (see ``expire``); the same silence ends the discarding
      of a line too long;
    - with CR LF, a bare LF also ends a line (and a CR just before it is dropped);
      with CR, a LF right after the CR is dropped; with LF, a trailing CR is dropped.
    Empty lines are skipped.
    """

    PREVIEW = 64

    def __init__(
        self, terminator: bytes = CRLF, max_length: int = 256, stale_after: float | None = 1.0
    ) -> None:
        if terminator not in (CR, LF, CRLF):
            raise ValueError(f"terminator must be CR, LF or CR LF, not {terminator!r}")
        if max_length < 1:
            raise ValueError("max_length must be positive")
        self.terminator = terminator
        self.max_length = max_length
        self.stale_after = stale_after
        self._split = CR if terminator == CR else LF
        self._buffer = bytearray()
        self._discarding = False
        self._skip_lf = False
        self._last_byte_at = 0.0

    @property
    def pending(self) -> bytes:
        """The partial line waiting for its terminator."""
        return bytes(self._buffer)

    def feed(self, data: bytes, now: float, utc: datetime | None = None) -> list[Line | FramingIssue]:
        """Lines and issues completed by ``data``, in the order they happened."""
        out: list[Line | FramingIssue] = []
        if not data:
            return out
        self._last_byte_at = now
        start = 0
        if self._skip_lf:
            self._skip_lf = False
            if data[:1] == LF:
                start = 1
        split = self._split
        while True:
            end = data.find(split, start)
            if end < 0:
                self._accumulate(data[start:], now, utc, out)
                break
            self._accumulate(data[start:end], now, utc, out)
            if self._discarding:
                self._discarding = False
                self._buffer.clear()
            else:
                line = bytes(self._buffer)
                self._buffer.clear()
                if split == LF and line.endswith(CR):
                    line = line[:-1]
                if line:
                    if utc is None:
                        utc = datetime.now(UTC)
                    out.append(Line(line, now, utc))
            start = end + 1
            if self.terminator == CR:
                if start < len(data):
                    if data[start : start + 1] == LF:
                        start += 1
                else:
                    self._skip_lf = True
            if start >= len(data):
                break
        return out

    def _accumulate(
        self, chunk: bytes, now: float, utc: datetime | None, out: list[Line | FramingIssue]
    ) -> None:
        if self._discarding or not chunk:
            return
        self._buffer += chunk
        if len(self._buffer) > self.max_length:
            stamp = utc or datetime.now(UTC)
            out.append(FramingIssue("too_long", bytes(self._buffer[: self.PREVIEW]), now, stamp))
            self._buffer.clear()
            self._discarding = True

    def expire(self, now: float, utc: datetime | None = None) -> FramingIssue | None:
        """Discard a partial line that got no byte for ``stale_after`` seconds."""
        if self.stale_after is None or now - self._last_byte_at < self.stale_after:
            return None
        if self._discarding:
            self._discarding = False  # the over-long line was reported; the silence ends it
            return None
        if not self._buffer:
            return None
        return self.reset(now, utc)

    def reset(self, now: float, utc: datetime | None = None) -> FramingIssue | None:
        """Forget any partial line (e.g. the link was lost); report it if there was one."""
        issue = None
        if self._buffer and not self._discarding:
            data = bytes(self._buffer[: self.PREVIEW])
            issue = FramingIssue("incomplete", data, now, utc or datetime.now(UTC))
        self._buffer.clear()
        self._discarding = False
        self._skip_lf = False
        return issue
