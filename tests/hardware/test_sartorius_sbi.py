"""Sartorius SBI: the parser (16- and 22-character formats) and scripted exchanges on a pty."""

from __future__ import annotations

import queue
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from hardware_testing import FAST

from hardware.scales import ScaleError, ScaleState, WeightReading, open_scale
from hardware.scales.reading import ScaleCondition, UnreadableLine
from hardware.scales.sartorius_sbi import (
    DEFAULT_SETTINGS,
    SbiScale,
    SbiStatus,
    SbiText,
    SbiWeight,
    parse_line,
)
from hardware.simulators import ScriptedDevice
from hardware.simulators.scripted import Exchange
from hardware.transport import SerialSettings, Transport

ESC = b"\x1b"

# ---------------------------------------------------------------------- parser


@pytest.mark.parametrize(
    ("line", "value", "unit", "label"),
    [
        (b"+    61.27 kg ", Decimal("61.27"), "kg", None),  # 16 characters (CR LF removed)
        (b"-     0.25 kg ", Decimal("-0.25"), "kg", None),
        (b"      0.00 kg ", Decimal("0.00"), "kg", None),
        (b"+    61.27    ", Decimal("61.27"), None, None),  # dynamic: no unit
        (b"+  1255.7 g   ", Decimal("1255.7"), "g", None),
        (b"+   135.08 lb ", Decimal("135.08"), "lb", None),
        (b"+    253 pcs  ", Decimal("253"), "pcs", None),
        (b"N     +    61.27 kg ", Decimal("61.27"), "kg", "N"),  # 22 characters
        (b"G #   +    62.52 kg ", Decimal("62.52"), "kg", "G #"),
        (b"T     +     1.25 kg ", Decimal("1.25"), "kg", "T"),
        (b"N1    +  1.25 kg", Decimal("1.25"), "kg", "N1"),
        (b"N +123.56 g", Decimal("123.56"), "g", "N"),  # fields, not columns
        (b"+61.27kg", Decimal("61.27"), "kg", None),
    ],
)
def test_parse_weight(line: bytes, value: Decimal, unit: str | None, label: str | None) -> None:
    parsed = parse_line(line)
    assert isinstance(parsed, SbiWeight)
    assert (parsed.value, parsed.unit, parsed.label) == (value, unit, label)


@pytest.mark.parametrize(
    ("line", "state"),
    [
        (b"      H       ", ScaleState.OVERLOAD),
        (b"      HH      ", ScaleState.OVERLOAD),
        (b"      L       ", ScaleState.UNDERLOAD),
        (b"      LL      ", ScaleState.UNDERLOAD),
        (b"Stat        H       ", ScaleState.OVERLOAD),
        (b"Stat     High       ", ScaleState.OVERLOAD),
        (b"Stat     Low        ", ScaleState.UNDERLOAD),
        (b"      C       ", ScaleState.ADJUSTING),
        (b"   Err  54    ", ScaleState.DEVICE_ERROR),
        (b"              ", ScaleState.BUSY),
    ],
)
def test_parse_special_codes(line: bytes, state: ScaleState) -> None:
    parsed = parse_line(line)
    assert isinstance(parsed, SbiStatus)
    assert parsed.state is state


def test_parse_texts() -> None:
    serial = parse_line(b"S/N   0032109876    ")
    assert isinstance(serial, SbiText) and serial.text == "0032109876"
    model = parse_line(b"Model MSE6.1S-000-DF")
    assert isinstance(model, SbiText) and model.text == "MSE6.1S-000-DF"
    assert isinstance(parse_line(b"hello world"), SbiText)


@pytest.mark.parametrize("line", [b"+  61.27 kg\x00", b"\xff\xfe", b"\x1b\x1b", b"+ 1.0\tkg"])
def test_parse_unreadable(line: bytes) -> None:
    assert isinstance(parse_line(line), UnreadableLine)


def test_default_serial_settings_are_7_bit_odd_parity() -> None:
    assert (DEFAULT_SETTINGS.bytesize, DEFAULT_SETTINGS.parity, DEFAULT_SETTINGS.stopbits) == (7, "O", 1)
    assert str(DEFAULT_SETTINGS) == "1200 7O1"


def test_settings_are_configurable(sbi_sim: object) -> None:
    from hardware.simulators import ScaleSimulator

    assert isinstance(sbi_sim, ScaleSimulator)
    scale = open_scale("sbi", sbi_sim.address, baudrate=9600, bytesize=8, parity="N", **FAST)
    try:
        assert scale.transport.settings == SerialSettings(baudrate=9600, bytesize=8, parity="N", stopbits=1)
        port = scale.transport.port
        assert port is not None and (port.baudrate, port.bytesize, port.parity) == (9600, 8, "N")
    finally:
        scale.close()


# ---------------------------------------------------------------------- scripted exchanges

X2 = (ESC + b"x2_", b"S/N   0032109876    \r\n")
X1 = (ESC + b"x1_", b"Model MSE6.1S-000-DF\r\n")


@pytest.fixture
def sbi(
    scripted: Callable[[list[Exchange]], ScriptedDevice],
) -> Iterator[Callable[..., tuple[SbiScale, ScriptedDevice]]]:
    scales: list[SbiScale] = []

    def make(
        script: list[Exchange], *, reader: bool = False, **options: Any
    ) -> tuple[SbiScale, ScriptedDevice]:
        device = scripted(script)
        transport = Transport.open_link(device.address, DEFAULT_SETTINGS, **FAST)
        scale = SbiScale(transport, **{"command_timeout": 0.5, "request_interval": 0.02, **options})
        if reader:
            scale.start()
        scales.append(scale)
        return scale, device

    yield make
    for scale in scales:
        scale.close()


def test_identify(sbi: Callable[..., tuple[SbiScale, ScriptedDevice]]) -> None:
    scale, device = sbi([X2, X1])
    scale.identify()
    assert (scale.serial_number, scale.model) == ("0032109876", "MSE6.1S-000-DF")
    device.assert_done()


def test_identify_16_character_format(sbi: Callable[..., tuple[SbiScale, ScriptedDevice]]) -> None:
    scale, device = sbi([(ESC + b"x2_", b"0032109876    \r\n"), (ESC + b"x1_", b"MSE6.1S       \r\n")])
    scale.identify()
    assert (scale.serial_number, scale.model) == ("0032109876", "MSE6.1S")
    device.assert_done()


def test_identify_is_optional_on_the_balance(sbi: Callable[..., tuple[SbiScale, ScriptedDevice]]) -> None:
    scale, device = sbi([(ESC + b"x2_", None), (ESC + b"x1_", None)], command_timeout=0.2)
    scale.identify()
    assert scale.serial_number is None
    device.assert_done()


def test_print_16_and_22_characters(sbi: Callable[..., tuple[SbiScale, ScriptedDevice]]) -> None:
    scale, device = sbi(
        [
            (ESC + b"P", b"+    61.27 kg \r\n"),
            (ESC + b"P", b"N     +    60.02 kg \r\n"),
            (ESC + b"P", b"+    60.05    \r\n"),
        ]
    )
    first = scale.read()
    assert (first.value, first.unit, first.stable, first.kind) == (Decimal("61.27"), "kg", True, None)
    second = scale.read()
    assert (second.value, second.kind, second.net) == (Decimal("60.02"), "net", Decimal("60.02"))
    third = scale.read()
    assert (third.value, third.stable, third.unit) == (Decimal("60.05"), False, "kg")  # unit from before
    device.assert_done()


@pytest.mark.parametrize(
    ("reply", "state"),
    [
        (b"      H       \r\n", ScaleState.OVERLOAD),
        (b"      L       \r\n", ScaleState.UNDERLOAD),
        (b"Stat        H       \r\n", ScaleState.OVERLOAD),
        (b"Stat        L       \r\n", ScaleState.UNDERLOAD),
        (b"   Err  54    \r\n", ScaleState.DEVICE_ERROR),
        (b"      C       \r\n", ScaleState.ADJUSTING),
    ],
)
def test_print_special_codes(
    sbi: Callable[..., tuple[SbiScale, ScriptedDevice]], reply: bytes, state: ScaleState
) -> None:
    scale, device = sbi([(ESC + b"P", reply)])
    with pytest.raises(ScaleError) as error:
        scale.read()
    assert error.value.state is state
    device.assert_done()


def test_read_stable_needs_two_agreeing_stable_lines(
    sbi: Callable[..., tuple[SbiScale, ScriptedDevice]],
) -> None:
    scale, device = sbi(
        [
            (ESC + b"P", b"+    61.30    \r\n"),  # dynamic
            (ESC + b"P", b"+    61.27 kg \r\n"),
            (ESC + b"P", b"      H       \r\n"),  # overload in between: start again
            (ESC + b"P", b"+    61.27 kg \r\n"),
            (ESC + b"P", b"+    61.27 kg \r\n"),
        ]
    )
    reading = scale.read_stable(timeout=3)
    assert (reading.value, reading.stable) == (Decimal("61.27"), True)
    device.assert_done()


def test_tare_zero_and_tare_key(sbi: Callable[..., tuple[SbiScale, ScriptedDevice]]) -> None:
    scale, device = sbi(
        [
            (ESC + b"U", None),
            (ESC + b"P", b"+     0.12    \r\n"),
            (ESC + b"P", b"      0.00 kg \r\n"),
            (ESC + b"V", None),
            (ESC + b"P", b"      0.00 kg \r\n"),
            (ESC + b"T", None),
            (ESC + b"P", b"-     0.00 kg \r\n"),
        ]
    )
    assert scale.tare(timeout=2) is None
    scale.zero(timeout=2)
    scale.tare_or_zero(timeout=2)
    device.assert_done()


def test_tare_with_the_tare_key_command(sbi: Callable[..., tuple[SbiScale, ScriptedDevice]]) -> None:
    scale, device = sbi([(ESC + b"T", None), (ESC + b"P", b"      0.00 kg \r\n")], tare_command="T")
    scale.tare(timeout=2)
    device.assert_done()


def test_tare_not_confirmed(sbi: Callable[..., tuple[SbiScale, ScriptedDevice]]) -> None:
    scale, _device = sbi([(ESC + b"U", None)] + [(ESC + b"P", b"      H       \r\n")] * 30)
    with pytest.raises(ScaleError) as error:
        scale.tare(timeout=0.3)
    assert error.value.state is ScaleState.OVERLOAD


def test_clear_tare_is_not_an_sbi_command(sbi: Callable[..., tuple[SbiScale, ScriptedDevice]]) -> None:
    scale, device = sbi([])
    with pytest.raises(ScaleError) as error:
        scale.clear_tare()
    assert error.value.state is ScaleState.LOGICAL_ERROR
    device.assert_done()


def test_autoprint_stream(sbi: Callable[..., tuple[SbiScale, ScriptedDevice]]) -> None:
    scale, device = sbi(
        [(None, b"+     1.20    \r\n+     1.25 kg \r\nStat        H       \r\nN     +     1.25 kg \r\n")],
        reader=True,
        autoprint=True,
        unit="kg",
    )
    events: queue.Queue[object] = queue.Queue()
    with scale.stream(events.put):
        device.release()
        got = [events.get(timeout=2) for _ in range(4)]
    assert [e.value for e in got if isinstance(e, WeightReading)] == [
        Decimal("1.20"),
        Decimal("1.25"),
        Decimal("1.25"),
    ]
    assert [e.state for e in got if isinstance(e, ScaleCondition)] == [ScaleState.OVERLOAD]
    device.assert_done()


def test_polled_stream(sbi: Callable[..., tuple[SbiScale, ScriptedDevice]]) -> None:
    scale, device = sbi(
        [(ESC + b"P", b"+     1.20    \r\n"), (ESC + b"P", b"+     1.25 kg \r\n")],
        reader=True,
        unit="kg",
        request_interval=0.3,  # the stream asks every 0.3 s: closed before a third request
    )
    events: queue.Queue[object] = queue.Queue()
    with scale.stream(events.put):
        got = [events.get(timeout=2) for _ in range(2)]
    assert [e.value for e in got if isinstance(e, WeightReading)] == [Decimal("1.20"), Decimal("1.25")]
    device.assert_done()


def test_a_dynamic_line_before_any_unit_is_not_a_reading(
    sbi: Callable[..., tuple[SbiScale, ScriptedDevice]],
) -> None:
    scale, device = sbi([(ESC + b"P", b"+     1.20    \r\n"), (ESC + b"P", b"+     1.25 kg \r\n")])
    with pytest.raises(ScaleError) as error:
        scale.read()
    assert error.value.state is ScaleState.DYNAMIC
    assert scale.read().unit == "kg"
    device.assert_done()
