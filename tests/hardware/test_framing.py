"""LineFramer: lines out of bytes that arrive in any pieces."""

from __future__ import annotations

import pytest

from hardware.framing import CR, CRLF, LF, FramingIssue, Line, LineFramer, parse_terminator


def lines(items: list[Line | FramingIssue]) -> list[bytes]:
    return [item.data for item in items if isinstance(item, Line)]


def test_partial_lines_across_reads() -> None:
    framer = LineFramer(CRLF)
    assert framer.feed(b"S S  ", 0.0) == []
    assert framer.feed(b"  1.00 g\r", 0.1) == []
    assert lines(framer.feed(b"\nS D", 0.2)) == [b"S S    1.00 g"]
    assert framer.pending == b"S D"


def test_several_lines_in_one_read_and_empty_lines_skipped() -> None:
    framer = LineFramer(CRLF)
    assert lines(framer.feed(b"a\r\n\r\nb\r\nc\n", 0.0)) == [b"a", b"b", b"c"]


@pytest.mark.parametrize(
    ("terminator", "data", "expected"),
    [
        (CR, b"]C1abc\r]C1def\r", [b"]C1abc", b"]C1def"]),
        (CR, b"abc\r\ndef\r\n", [b"abc", b"def"]),  # a LF after the CR is dropped
        (LF, b"abc\ndef\r\n", [b"abc", b"def"]),
        (CRLF, b"abc\r\ndef\n", [b"abc", b"def"]),
        (CRLF, b"a\x1db\r\n", [b"a\x1db"]),  # GS is data
    ],
)
def test_terminators(terminator: bytes, data: bytes, expected: list[bytes]) -> None:
    assert lines(LineFramer(terminator).feed(data, 0.0)) == expected


def test_cr_then_lf_in_the_next_read() -> None:
    framer = LineFramer(CR)
    assert lines(framer.feed(b"abc\r", 0.0)) == [b"abc"]
    assert lines(framer.feed(b"\ndef\r", 0.1)) == [b"def"]


def test_line_too_long_is_reported_once_and_skipped() -> None:
    framer = LineFramer(CRLF, max_length=16)
    items = framer.feed(b"x" * 100, 0.0) + framer.feed(b"y" * 100 + b"\r\nok\r\n", 0.1)
    assert [item.kind for item in items if isinstance(item, FramingIssue)] == ["too_long"]
    assert lines(items) == [b"ok"]


def test_incomplete_line_expires_after_silence() -> None:
    framer = LineFramer(CRLF, stale_after=0.5)
    framer.feed(b"S S 1.0", 0.0)
    assert framer.expire(0.4) is None
    issue = framer.expire(0.6)
    assert issue is not None and issue.kind == "incomplete" and issue.data == b"S S 1.0"
    assert lines(framer.feed(b"S S 2.0 g\r\n", 0.7)) == [b"S S 2.0 g"]


def test_reset_reports_the_discarded_partial_line() -> None:
    framer = LineFramer(CRLF)
    framer.feed(b"S S 1", 0.0)
    issue = framer.reset(1.0)
    assert issue is not None and issue.data == b"S S 1"
    assert framer.reset(1.0) is None


@pytest.mark.parametrize(
    ("name", "expected"), [("cr", CR), ("LF", LF), ("crlf", CRLF), ("CR LF", CRLF), (b"\n", LF)]
)
def test_parse_terminator(name: str | bytes, expected: bytes) -> None:
    assert parse_terminator(name) == expected


def test_parse_terminator_rejects_others() -> None:
    with pytest.raises(ValueError):
        parse_terminator("tab")
