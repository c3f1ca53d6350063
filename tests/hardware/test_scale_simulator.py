"""The application's view: ``open_scale`` on simulated MT-SICS and SBI balances (pty and TCP)."""

from __future__ import annotations

import queue
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from hardware_testing import FAST, wait_for

from hardware.scales import ScaleError, ScaleEvent, ScaleState, WeightReading, open_scale
from hardware.scales.mt_sics import MtSicsScale
from hardware.scales.reading import ScaleCondition
from hardware.scales.sartorius_sbi import SbiScale
from hardware.simulators import ScaleSimulator


@pytest.fixture
def mt_scale(mt_sim: ScaleSimulator) -> Iterator[MtSicsScale]:
    scale = open_scale("mt-sics", mt_sim.address, **FAST)
    assert isinstance(scale, MtSicsScale)
    yield scale
    scale.close()


@pytest.fixture
def sbi_scale(sbi_sim: ScaleSimulator) -> Iterator[SbiScale]:
    scale = open_scale("sbi", sbi_sim.address, **FAST)
    assert isinstance(scale, SbiScale)
    yield scale
    scale.close()


# ---------------------------------------------------------------------- MT-SICS


def test_identification(mt_scale: MtSicsScale) -> None:
    assert mt_scale.status == "connected"
    assert mt_scale.serial_number == "B021002593"
    assert mt_scale.model == "MES-SIM150kg 150 kg"


def test_a_weighing_as_the_batch_script_does_it(mt_sim: ScaleSimulator, mt_scale: MtSicsScale) -> None:
    """tare 1.25 kg, gross 61.27 kg -> net 60.02 kg, with the serial number."""
    mt_sim.put(Decimal("1.25"), "kg")
    container = mt_scale.read_stable(timeout=3)
    assert container.value == Decimal("1.25")
    tare = mt_scale.tare(timeout=3)
    assert tare is not None and tare.value == Decimal("1.25")
    mt_sim.put(Decimal("61.27"), "kg")
    reading = mt_scale.read_stable(timeout=3)
    assert reading.stable
    assert (reading.net, reading.tare, reading.gross, reading.unit) == (
        Decimal("60.02"),
        Decimal("1.25"),
        Decimal("61.27"),
        "kg",
    )
    assert reading.serial_number == "B021002593"


def test_the_weight_settles_from_dynamic_to_stable(mt_sim: ScaleSimulator, mt_scale: MtSicsScale) -> None:
    events: queue.Queue[ScaleEvent] = queue.Queue()
    with mt_scale.stream(events.put):
        mt_sim.put("3.931")
        seen: list[WeightReading] = []
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline and not (seen and seen[-1].stable and seen[-1].value > 0):
            event = events.get(timeout=1)
            if isinstance(event, WeightReading):
                seen.append(event)
    assert any(not reading.stable for reading in seen)
    assert seen[-1].stable and seen[-1].value == Decimal("3.93")
    assert len({reading.value for reading in seen if not reading.stable}) > 1  # noisy while it settles


def test_read_stable_times_out_as_dynamic(tmp_path: Path) -> None:
    with ScaleSimulator(link=str(tmp_path / "slow"), settle_time=30, stability_timeout=0.2) as sim:
        scale = open_scale("mt-sics", sim.address, **FAST)
        try:
            sim.put("10")
            with pytest.raises(ScaleError) as error:
                scale.read_stable(timeout=0.6)
            assert error.value.state is ScaleState.DYNAMIC
            assert not scale.read().stable
        finally:
            scale.close()


def test_overload_and_underload_never_become_a_weight(mt_sim: ScaleSimulator, mt_scale: MtSicsScale) -> None:
    mt_sim.put("150.5")
    with pytest.raises(ScaleError) as error:
        mt_scale.read_stable(timeout=1.0)
    assert error.value.state is ScaleState.OVERLOAD
    mt_sim.put("2")
    mt_scale.zero(timeout=3)
    assert mt_scale.read_stable(timeout=1.0).value == Decimal("0.00")
    mt_sim.remove()  # the pan was zeroed with 2 kg on it
    with pytest.raises(ScaleError) as error:
        mt_scale.read_stable(timeout=1.0)
    assert error.value.state is ScaleState.UNDERLOAD
    mt_scale.zero(timeout=3)
    assert mt_scale.read_stable(timeout=1.0).value == Decimal("0.00")


def test_zero_out_of_range(mt_sim: ScaleSimulator, mt_scale: MtSicsScale) -> None:
    mt_sim.put("20")  # beyond the 2 % zero range of 150 kg
    with pytest.raises(ScaleError) as error:
        mt_scale.zero(timeout=3)
    assert error.value.state is ScaleState.ABOVE_RANGE


def test_preset_and_clear_tare(mt_sim: ScaleSimulator, mt_scale: MtSicsScale) -> None:
    mt_sim.put("10")
    assert mt_scale.preset_tare(Decimal("312"), "g").value == Decimal("0.31")
    assert mt_scale.read_stable(timeout=3).value == Decimal("9.69")
    mt_scale.clear_tare()
    assert mt_scale.tare_value().value == Decimal("0.00")
    assert mt_scale.read_stable(timeout=3).value == Decimal("10.00")


def test_stream_reports_overload_as_a_condition(mt_sim: ScaleSimulator, mt_scale: MtSicsScale) -> None:
    mt_sim.put("200")
    with mt_scale.readings(timeout=2) as events:
        assert mt_scale.streaming
        for event in events:
            if event.state is ScaleState.OVERLOAD:
                break
    assert isinstance(event, ScaleCondition)
    assert not mt_scale.streaming  # leaving the block closed the stream


def test_read_stable_during_a_stream_uses_the_stream(mt_sim: ScaleSimulator, mt_scale: MtSicsScale) -> None:
    mt_sim.put("5")
    events: list[ScaleEvent] = []
    with mt_scale.stream(events.append):
        reading = mt_scale.read_stable(timeout=3)
        assert reading.value == Decimal("5.00") and reading.tare == Decimal("0.00")
    assert len(events) >= 2


def test_pounds_and_conversion(tmp_path: Path) -> None:
    with ScaleSimulator(
        unit="lb", capacity="300", readability="0.02", link=str(tmp_path / "lb"), settle_time=0.1
    ) as sim:
        scale = open_scale("mt-sics", sim.address, readability="0.02", **FAST)
        try:
            sim.put(Decimal("61.27"), "kg")  # 135.077... lb on the pan
            reading = scale.read_stable(timeout=3)
            assert (reading.value, reading.unit, reading.readability) == (
                Decimal("135.08"),
                "lb",
                Decimal("0.02"),
            )
            in_kg = reading.to("kg")
            assert (in_kg.value, in_kg.unit) == (Decimal("61.271"), "kg")
        finally:
            scale.close()


def test_over_tcp(tmp_path: Path) -> None:
    with ScaleSimulator(link="tcp://127.0.0.1:0", settle_time=0.1, serial_number="TCP1") as sim:
        assert sim.address.startswith("socket://127.0.0.1:")
        scale = open_scale("mt-sics", sim.address.replace("socket://", "tcp://"), **FAST)
        try:
            assert scale.serial_number == "TCP1"
            sim.put("1.5")
            assert scale.read_stable(timeout=3).value == Decimal("1.50")
        finally:
            scale.close()


def test_open_scale_errors(tmp_path: Path) -> None:
    with pytest.raises(ScaleError) as error:
        open_scale("mt-sics", str(tmp_path / "nothing-here"))
    assert error.value.state is ScaleState.DISCONNECTED
    with pytest.raises(ValueError):
        open_scale("modbus", str(tmp_path / "nothing-here"))


# ---------------------------------------------------------------------- SBI


def test_sbi_identification_and_weighing(sbi_sim: ScaleSimulator, sbi_scale: SbiScale) -> None:
    assert sbi_scale.serial_number == "0032109876"
    assert sbi_scale.model == "MES-SIM6kg"
    sbi_sim.put("0.312")
    assert sbi_scale.read_stable(timeout=3).value == Decimal("0.312")
    sbi_scale.tare(timeout=3)
    sbi_sim.put("3.931")
    reading = sbi_scale.read_stable(timeout=3)
    assert (reading.value, reading.kind, reading.net, reading.unit) == (
        Decimal("3.619"),
        "net",
        Decimal("3.619"),
        "kg",
    )
    assert reading.serial_number == "0032109876"


def test_sbi_zero_overload_underload(sbi_sim: ScaleSimulator, sbi_scale: SbiScale) -> None:
    sbi_sim.put("7")
    with pytest.raises(ScaleError) as error:
        sbi_scale.read_stable(timeout=0.4)
    assert error.value.state is ScaleState.OVERLOAD
    sbi_sim.put("0.1")
    sbi_scale.zero(timeout=3)
    sbi_sim.remove()
    with pytest.raises(ScaleError) as error:
        sbi_scale.read_stable(timeout=0.4)
    assert error.value.state is ScaleState.UNDERLOAD


def test_sbi_16_characters_and_autoprint(tmp_path: Path) -> None:
    sim = ScaleSimulator(
        "sbi", capacity="6", readability="0.001", link=str(tmp_path / "sbi16"), output_format=16,
        autoprint=True, stream_interval=0.02, settle_time=0.1, serial_number="0034567890",
    )  # fmt: skip
    with sim:
        scale = open_scale("sbi", sim.address, autoprint=True, unit="kg", **FAST)
        try:
            assert scale.serial_number == "0034567890"
            sim.put("1.25")
            assert scale.read_stable(timeout=3).value == Decimal("1.250")
            events: list[ScaleEvent] = []
            with scale.stream(events.append):
                assert wait_for(lambda: len(events) >= 5, timeout=2)
            assert all(isinstance(event, WeightReading) and event.kind is None for event in events[:5])
        finally:
            scale.close()
