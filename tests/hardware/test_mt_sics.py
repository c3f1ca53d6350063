"""MT-SICS: the parser, and every command and error answer as scripted exchanges on a pty."""

from __future__ import annotations

import queue
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from hardware_testing import FAST

from hardware.scales import ScaleError, ScaleState, WeightReading
from hardware.scales.mt_sics import MtSicsReply, MtSicsScale, parse_line
from hardware.scales.reading import ScaleCondition, UnreadableLine
from hardware.simulators import ScriptedDevice
from hardware.simulators.scripted import Exchange
from hardware.transport import Transport

# ---------------------------------------------------------------------- parser


@pytest.mark.parametrize(
    ("line", "command", "status", "fields"),
    [
        (b"S S     100.00 g", "S", "S", ("100.00", "g")),
        (b"S D      99.98 g", "S", "D", ("99.98", "g")),
        (b"S S    -0.0012 kg", "S", "S", ("-0.0012", "kg")),
        (b"S S - 0.0012 kg", "S", "S", ("-0.0012", "kg")),  # sign apart from the digits
        (b"S S 100.00 g", "S", "S", ("100.00", "g")),  # fields, not columns
        (b"S  S       100.00   g  ", "S", "S", ("100.00", "g")),
        (b"T S       1.25 kg", "T", "S", ("1.25", "kg")),
        (b"TA A       1.25 kg", "TA", "A", ("1.25", "kg")),
        (b"S S     220.46 lb", "S", "S", ("220.46", "lb")),
        (b'I4 A "B021002593"', "I4", "A", ("B021002593",)),
        (b'I2 A "WMS404C-L/10 WMS-Bridge 410.0000 g"', "I2", "A", ("WMS404C-L/10 WMS-Bridge 410.0000 g",)),
        (b'I2 A "XS" "say ""hi"""', "I2", "A", ("XS", 'say "hi"')),
        (b"S I", "S", "I", ()),
        (b"S +", "S", "+", ()),
        (b"S -", "S", "-", ()),
        (b"T I", "T", "I", ()),
        (b"Z A", "Z", "A", ()),
        (b"ZI D", "ZI", "D", ()),
        (b"TAC A", "TAC", "A", ()),
        (b"TA L", "TA", "L", ()),
        (b"ES", "ES", "", ()),
        (b"ET", "ET", "", ()),
        (b"EL", "EL", "", ()),
    ],
)
def test_parse_reply(line: bytes, command: str, status: str, fields: tuple[str, ...]) -> None:
    reply = parse_line(line)
    assert isinstance(reply, MtSicsReply)
    assert (reply.command, reply.status, reply.fields) == (command, status, fields)
    assert reply.raw == line.decode()


@pytest.mark.parametrize(
    "line",
    [
        b"",
        b"   ",
        b"garbage",
        b"S X 100.00 g",  # no such status
        b"S S abc g",
        b"S S 100.00",  # no unit
        b"S S 100.00 g extra",
        b"S S 1.0.0 g",
        b"s s 100.00 g",  # lower case
        b"S\x00S 100.00 g",
        b"\x00\x00\x00",
        b"S S 100.00 g\r",  # a CR inside the line
        b"\xff\xfeS S 1.00 g",
        b'I4 A "unterminated',
        b"ES extra",
        b"S I 100.00 g",
        b"S S " + b"9" * 30 + b" g",
        b"S S 100.00 \xb5g",
    ],
)
def test_unreadable_lines(line: bytes) -> None:
    assert isinstance(parse_line(line), UnreadableLine)


def test_weight_of_a_reply() -> None:
    reply = parse_line(b"S D      12.345 kg")
    assert isinstance(reply, MtSicsReply)
    assert reply.weight() == (Decimal("12.345"), "kg")
    reply = parse_line(b"S I")
    assert isinstance(reply, MtSicsReply)
    assert reply.weight() is None


# ---------------------------------------------------------------------- scripted exchanges

I4 = (b"I4\r\n", b'I4 A "B021002593"\r\n')
I2 = (b"I2\r\n", b'I2 A "XS205 220.00000 g"\r\n')


@pytest.fixture
def mt(
    scripted: Callable[[list[Exchange]], ScriptedDevice],
) -> Iterator[Callable[..., tuple[MtSicsScale, ScriptedDevice]]]:
    scales: list[MtSicsScale] = []

    def make(
        script: list[Exchange], *, reader: bool = False, **options: Any
    ) -> tuple[MtSicsScale, ScriptedDevice]:
        device = scripted(script)
        transport = Transport.open_link(device.address, **FAST)
        scale = MtSicsScale(transport, command_timeout=1.0, request_interval=0.02, **options)
        if reader:
            scale.start()
        scales.append(scale)
        return scale, device

    yield make
    for scale in scales:
        scale.close()


def test_identify_asks_serial_number_and_type(mt: Callable[..., tuple[MtSicsScale, ScriptedDevice]]) -> None:
    scale, device = mt([I4, I2])
    scale.identify()
    assert scale.serial_number == "B021002593"
    assert scale.model == "XS205 220.00000 g"
    device.assert_done()


def test_identify_without_i2(mt: Callable[..., tuple[MtSicsScale, ScriptedDevice]]) -> None:
    scale, device = mt([I4, (b"I2\r\n", b"ES\r\n")])
    scale.identify()
    assert scale.serial_number == "B021002593"
    assert scale.model is None
    device.assert_done()


def test_serial_number_is_recorded_with_every_reading(
    mt: Callable[..., tuple[MtSicsScale, ScriptedDevice]],
) -> None:
    scale, device = mt([I4, I2, (b"SI\r\n", b"S D     100.01 g\r\n")])
    scale.identify()
    reading = scale.read()
    assert reading.serial_number == "B021002593"
    device.assert_done()


def test_reset(mt: Callable[..., tuple[MtSicsScale, ScriptedDevice]]) -> None:
    scale, device = mt([(b"@\r\n", b'I4 A "B021002593"\r\n')])
    assert scale.reset() == "B021002593"
    device.assert_done()


def test_s_stable_weight(mt: Callable[..., tuple[MtSicsScale, ScriptedDevice]]) -> None:
    scale, device = mt([(b"S\r\n", b"S S     100.00 g\r\n")])
    reading = scale.stable_weight()
    assert isinstance(reading, WeightReading)
    assert (reading.value, reading.unit, reading.stable, reading.kind) == (
        Decimal("100.00"),
        "g",
        True,
        "net",
    )
    assert reading.net == Decimal("100.00")
    assert reading.readability == Decimal("0.01")
    assert reading.raw == "S S     100.00 g"
    assert reading.utc.tzinfo is not None
    device.assert_done()


def test_si_dynamic_weight(mt: Callable[..., tuple[MtSicsScale, ScriptedDevice]]) -> None:
    scale, device = mt([(b"SI\r\n", b"S D     100.01 g\r\n")])
    reading = scale.read()
    assert (reading.value, reading.stable, reading.state) == (Decimal("100.01"), False, ScaleState.DYNAMIC)
    device.assert_done()


@pytest.mark.parametrize(
    ("reply", "state"),
    [
        (b"S I\r\n", ScaleState.BUSY),
        (b"S +\r\n", ScaleState.OVERLOAD),
        (b"S -\r\n", ScaleState.UNDERLOAD),
        (b"ES\r\n", ScaleState.COMMAND_NOT_UNDERSTOOD),
        (b"ET\r\n", ScaleState.TRANSMISSION_ERROR),
        (b"EL\r\n", ScaleState.LOGICAL_ERROR),
    ],
)
def test_weight_error_answers(
    mt: Callable[..., tuple[MtSicsScale, ScriptedDevice]], reply: bytes, state: ScaleState
) -> None:
    scale, device = mt([(b"S\r\n", reply), (b"SI\r\n", reply)])
    condition = scale.stable_weight()
    assert isinstance(condition, ScaleCondition)
    assert condition.state is state
    assert condition.raw == reply.decode().strip()
    with pytest.raises(ScaleError) as error:
        scale.read()
    assert error.value.state is state
    device.assert_done()


def test_read_stable_confirms_with_a_second_reading_and_asks_the_tare(
    mt: Callable[..., tuple[MtSicsScale, ScriptedDevice]],
) -> None:
    scale, device = mt(
        [
            (b"S\r\n", b"S S      60.02 kg\r\n"),
            (b"SI\r\n", b"S S      60.02 kg\r\n"),
            (b"TA\r\n", b"TA A       1.25 kg\r\n"),
        ]
    )
    reading = scale.read_stable(timeout=3)
    assert (reading.value, reading.net, reading.tare, reading.gross) == (
        Decimal("60.02"),
        Decimal("60.02"),
        Decimal("1.25"),
        Decimal("61.27"),
    )
    device.assert_done()


def test_read_stable_does_not_trust_a_single_line(
    mt: Callable[..., tuple[MtSicsScale, ScriptedDevice]],
) -> None:
    scale, device = mt(
        [
            (b"S\r\n", b"S S      60.02 kg\r\n"),
            (b"SI\r\n", b"S D      60.05 kg\r\n"),  # it moved: start again
            (b"S\r\n", b"S S      60.04 kg\r\n"),
            (b"SI\r\n", b"S S      60.03 kg\r\n"),  # stable, but not the same weight
            (b"SI\r\n", b"S S      60.03 kg\r\n"),
            (b"TA\r\n", b"TA A       0.00 kg\r\n"),
        ]
    )
    assert scale.read_stable(timeout=3).value == Decimal("60.03")
    device.assert_done()


def test_read_stable_never_returns_overload(mt: Callable[..., tuple[MtSicsScale, ScriptedDevice]]) -> None:
    scale, _device = mt([(b"S\r\n", b"S +\r\n")] * 40)
    with pytest.raises(ScaleError) as error:
        scale.read_stable(timeout=0.3)
    assert error.value.state is ScaleState.OVERLOAD


def test_read_stable_reports_an_unsettled_weight_as_dynamic(
    mt: Callable[..., tuple[MtSicsScale, ScriptedDevice]],
) -> None:
    scale, _device = mt([(b"S\r\n", b"S I\r\n")] * 40)
    with pytest.raises(ScaleError) as error:
        scale.read_stable(timeout=0.3)
    assert error.value.state is ScaleState.DYNAMIC


def test_tare(mt: Callable[..., tuple[MtSicsScale, ScriptedDevice]]) -> None:
    scale, device = mt([(b"T\r\n", b"T S       1.25 kg\r\n")])
    tare = scale.tare()
    assert tare is not None
    assert (tare.kind, tare.value, tare.tare) == ("tare", Decimal("1.25"), Decimal("1.25"))
    device.assert_done()


@pytest.mark.parametrize(
    ("reply", "state"),
    [
        (b"T I\r\n", ScaleState.BUSY),
        (b"T +\r\n", ScaleState.ABOVE_RANGE),
        (b"T -\r\n", ScaleState.BELOW_RANGE),
        (b"ES\r\n", ScaleState.COMMAND_NOT_UNDERSTOOD),
    ],
)
def test_tare_errors(
    mt: Callable[..., tuple[MtSicsScale, ScriptedDevice]], reply: bytes, state: ScaleState
) -> None:
    scale, device = mt([(b"T\r\n", reply)])
    with pytest.raises(ScaleError) as error:
        scale.tare()
    assert error.value.state is state
    device.assert_done()


def test_tare_value_and_preset(mt: Callable[..., tuple[MtSicsScale, ScriptedDevice]]) -> None:
    scale, device = mt(
        [
            (b"TA\r\n", b"TA A       0.00 kg\r\n"),
            (b"TA 0.312 kg\r\n", b"TA A       0.31 kg\r\n"),
            (b"TA 999 kg\r\n", b"TA L\r\n"),
            (b"TA\r\n", b"TA I\r\n"),
        ]
    )
    assert scale.tare_value().value == Decimal("0.00")
    assert scale.preset_tare(Decimal("0.312"), "kg").value == Decimal("0.31")
    with pytest.raises(ScaleError) as error:
        scale.preset_tare(Decimal(999), "kg")
    assert error.value.state is ScaleState.LOGICAL_ERROR
    with pytest.raises(ScaleError) as error:
        scale.tare_value()
    assert error.value.state is ScaleState.BUSY
    device.assert_done()


def test_clear_tare(mt: Callable[..., tuple[MtSicsScale, ScriptedDevice]]) -> None:
    scale, device = mt([(b"TAC\r\n", b"TAC A\r\n"), (b"TAC\r\n", b"TAC I\r\n")])
    scale.clear_tare()
    with pytest.raises(ScaleError) as error:
        scale.clear_tare()
    assert error.value.state is ScaleState.BUSY
    device.assert_done()


def test_zero(mt: Callable[..., tuple[MtSicsScale, ScriptedDevice]]) -> None:
    scale, device = mt(
        [
            (b"Z\r\n", b"Z A\r\n"),
            (b"Z\r\n", b"Z I\r\n"),
            (b"Z\r\n", b"Z +\r\n"),
            (b"Z\r\n", b"Z -\r\n"),
        ]
    )
    scale.zero()
    for state in (ScaleState.BUSY, ScaleState.ABOVE_RANGE, ScaleState.BELOW_RANGE):
        with pytest.raises(ScaleError) as error:
            scale.zero()
        assert error.value.state is state
    device.assert_done()


def test_zero_immediately(mt: Callable[..., tuple[MtSicsScale, ScriptedDevice]]) -> None:
    scale, device = mt(
        [
            (b"ZI\r\n", b"ZI S\r\n"),
            (b"ZI\r\n", b"ZI D\r\n"),
            (b"ZI\r\n", b"ZI I\r\n"),
            (b"ZI\r\n", b"ZI +\r\n"),
            (b"ZI\r\n", b"ZI -\r\n"),
        ]
    )
    assert scale.zero_immediately() is True
    assert scale.zero_immediately() is False
    for state in (ScaleState.BUSY, ScaleState.ABOVE_RANGE, ScaleState.BELOW_RANGE):
        with pytest.raises(ScaleError) as error:
            scale.zero_immediately()
        assert error.value.state is state
    device.assert_done()


def test_i4_error(mt: Callable[..., tuple[MtSicsScale, ScriptedDevice]]) -> None:
    scale, device = mt([(b"I4\r\n", b"I4 I\r\n")])
    with pytest.raises(ScaleError) as error:
        scale.identify()
    assert error.value.state is ScaleState.BUSY
    device.assert_done()


def test_sir_stream_to_a_callback(mt: Callable[..., tuple[MtSicsScale, ScriptedDevice]]) -> None:
    scale, device = mt(
        [
            (b"SIR\r\n", b"S D      10.03 kg\r\nS D      10.01 kg\r\n"),
            (None, b"S S      10.00 kg\r\nS +\r\nS -\r\nS I\r\n"),
            (b"@\r\n", b'I4 A "B021002593"\r\n'),
        ],
        reader=True,
    )
    events: queue.Queue[object] = queue.Queue()
    handle = scale.stream(events.put)
    got = [events.get(timeout=2) for _ in range(6)]
    handle.close()
    assert [(e.value, e.stable) for e in got[:3] if isinstance(e, WeightReading)] == [
        (Decimal("10.03"), False),
        (Decimal("10.01"), False),
        (Decimal("10.00"), True),
    ]
    assert [e.state for e in got[3:] if isinstance(e, ScaleCondition)] == [
        ScaleState.OVERLOAD,
        ScaleState.UNDERLOAD,
        ScaleState.BUSY,
    ]
    device.assert_done()


def test_commands_during_a_stream_get_their_own_reply(
    mt: Callable[..., tuple[MtSicsScale, ScriptedDevice]],
) -> None:
    scale, device = mt(
        [
            (b"SIR\r\n", b"S D      10.03 kg\r\n"),
            (b"T\r\n", b"S S      10.00 kg\r\nT S      10.00 kg\r\nS S       0.00 kg\r\n"),
            (b"@\r\n", b'I4 A "B021002593"\r\n'),
        ],
        reader=True,
    )
    events: queue.Queue[object] = queue.Queue()
    with scale.stream(events.put):
        assert isinstance(events.get(timeout=2), WeightReading)
        tare = scale.tare()
        assert tare is not None and tare.kind == "tare" and tare.value == Decimal("10.00")
    device.assert_done()


def test_a_timed_out_command_is_followed_by_a_reset(
    mt: Callable[..., tuple[MtSicsScale, ScriptedDevice]],
) -> None:
    scale, device = mt(
        [
            (b"SI\r\n", None),  # no answer in time
            (b"@\r\n", b'S S     100.00 g\r\nI4 A "B021002593"\r\n'),  # the late answer, then the reset
            (b"SI\r\n", b"S D     100.02 g\r\n"),
        ]
    )
    with pytest.raises(ScaleError) as error:
        scale.read(timeout=0.1)
    assert error.value.state is ScaleState.TIMEOUT
    assert scale.read().value == Decimal("100.02")  # not the late 100.00
    device.assert_done()
