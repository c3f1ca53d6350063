"""Arbitrary bytes into every parser: no exception escapes, and the result is always one of the
states the caller knows."""

from __future__ import annotations

import json
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hardware.barcodes.decoder import Gs1Item, PlainId, Unreadable, decode_scan, to_json
from hardware.framing import CR, CRLF, LF, FramingIssue, Line, LineFramer
from hardware.scales.mt_sics import MtSicsReply, MtSicsScale
from hardware.scales.mt_sics import parse_line as parse_mt_sics
from hardware.scales.reading import ScaleCondition, UnreadableLine, WeightReading
from hardware.scales.sartorius_sbi import SbiScale, SbiStatus, SbiText, SbiWeight
from hardware.scales.sartorius_sbi import parse_line as parse_sbi
from hardware.scales.units import GRAMS_PER_UNIT, convert
from hardware.scanners.serial_scanner import SerialScanner
from hardware.transport import Transport

FUZZ = settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
FUZZ_SLOW = settings(
    max_examples=75, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)

# bytes that look like the protocols often enough to reach deep into the parsers
protocol_alphabet = st.sampled_from(
    [b"S", b"D", b" ", b"-", b"+", b".", b"0", b"1", b"9", b"g", b"kg", b"I4", b"A", b'"', b"T", b"ES", b"\x00",
     b"\xff", b"\r", b"\n", b"\x1b", b"H", b"L", b"N", b"Stat", b"Err", b"S/N", b"\x1d", b"]C1", b"]d2", b"01",
     b"17", b"10", b"21", b"3103", b"04012345000108"]
)  # fmt: skip
protocolish = st.lists(protocol_alphabet, max_size=40).map(b"".join)
any_bytes = st.one_of(st.binary(max_size=300), protocolish)


@FUZZ
@given(any_bytes)
def test_mt_sics_parser(data: bytes) -> None:
    reply = parse_mt_sics(data)
    assert isinstance(reply, MtSicsReply | UnreadableLine)
    if isinstance(reply, MtSicsReply):
        weight = reply.weight()
        if weight is not None:
            assert isinstance(weight[0], Decimal) and weight[0].is_finite()


@FUZZ
@given(any_bytes)
def test_sbi_parser(data: bytes) -> None:
    parsed = parse_sbi(data)
    assert isinstance(parsed, SbiWeight | SbiStatus | SbiText | UnreadableLine)
    if isinstance(parsed, SbiWeight):
        assert parsed.value.is_finite()


@FUZZ
@given(st.one_of(any_bytes, st.text(max_size=200), protocolish.map(lambda b: b.decode("latin-1"))))
def test_decoder(data: bytes | str) -> None:
    scan = decode_scan(data)
    assert isinstance(scan, Gs1Item | PlainId | Unreadable)
    json.dumps(to_json(scan))
    if isinstance(scan, Unreadable):
        assert scan.reason
    if isinstance(scan, Gs1Item) and scan.gtin is not None:
        assert len(scan.gtin) == 14 and scan.gtin.isdigit()


@FUZZ_SLOW
@given(
    st.lists(any_bytes, max_size=20),
    st.sampled_from([CR, LF, CRLF]),
    st.integers(min_value=1, max_value=64),
)
def test_framer_any_chunks(chunks: list[bytes], terminator: bytes, max_length: int) -> None:
    """Any split of the same stream gives the same lines as one piece."""
    whole = LineFramer(terminator, max_length=max_length)
    pieces = LineFramer(terminator, max_length=max_length)
    stream = b"".join(chunks)
    expected = [item.data for item in whole.feed(stream, 0.0) if isinstance(item, Line)]
    got: list[bytes] = []
    for chunk in chunks:
        for item in pieces.feed(chunk, 0.0):
            assert isinstance(item, Line | FramingIssue)
            if isinstance(item, Line):
                got.append(item.data)
                assert item.data and len(item.data) <= max_length + 1
    assert got == expected


def _pumped(driver: MtSicsScale | SbiScale | SerialScanner, data: bytes) -> list[object]:
    events: list[object] = []
    unsubscribe = driver.subscribe(events.append)
    driver.transport.write(data)
    for _ in range(3):
        driver.pump(0.001)
    unsubscribe()
    return events


# one loop:// transport per driver: what is written is read back through the whole reading path
_mt = MtSicsScale(Transport.open_link("loop://", poll_interval=0.001))
_sbi = SbiScale(Transport.open_link("loop://", poll_interval=0.001))
_scanner = SerialScanner(Transport.open_link("loop://", poll_interval=0.001), terminator="crlf")


@FUZZ_SLOW
@given(st.lists(any_bytes, max_size=5).map(lambda parts: b"\r\n".join(parts) + b"\r\n"))
def test_drivers_through_a_real_transport(data: bytes) -> None:
    for event in _pumped(_mt, data) + _pumped(_sbi, data):
        assert isinstance(event, WeightReading | ScaleCondition)
        if isinstance(event, WeightReading):
            assert event.value.is_finite() and event.unit
    for scan in _pumped(_scanner, data):
        assert isinstance(scan, Gs1Item | PlainId | Unreadable)


@FUZZ
@given(
    st.decimals(min_value=-(10**6), max_value=10**6, allow_nan=False, allow_infinity=False, places=4),
    st.sampled_from(sorted(GRAMS_PER_UNIT)),
    st.sampled_from(sorted(GRAMS_PER_UNIT)),
)
def test_unit_conversion(value: Decimal, source: str, target: str) -> None:
    converted, step = convert(value, source, target)
    assert converted.is_finite() and step > 0
