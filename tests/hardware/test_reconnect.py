"""Unplug and replug a simulated device mid-stream: ``disconnected``, then readings resume —
without the caller doing anything — and no reading is duplicated or invented."""

from __future__ import annotations

import queue
import threading
import time
from decimal import Decimal
from pathlib import Path

import pytest
from hardware_testing import FAST, wait_for

from hardware.barcodes.decoder import Gs1Item, PlainId, Scan
from hardware.scales import ScaleError, ScaleEvent, ScaleState, WeightReading, open_scale
from hardware.scales.reading import ScaleCondition
from hardware.scanners import open_scanner
from hardware.simulators import ScaleSimulator, ScannerSimulator
from hardware.simulators.device import SentLine
from hardware.transport import LinkStatus


class Recorder:
    """Events with the moment they were delivered."""

    def __init__(self) -> None:
        self.events: list[tuple[float, ScaleEvent]] = []

    def __call__(self, event: ScaleEvent) -> None:
        self.events.append((time.monotonic(), event))

    def readings(self, after: float = 0.0) -> list[tuple[float, WeightReading]]:
        return [(at, event) for at, event in self.events if isinstance(event, WeightReading) and at > after]

    def states(self) -> list[ScaleState]:
        return [event.state for _, event in self.events if isinstance(event, ScaleCondition)]

    def first(self, state: ScaleState) -> float | None:
        return next(
            (at for at, event in self.events if isinstance(event, ScaleCondition) and event.state is state),
            None,
        )


def assert_each_reading_was_sent_once(
    readings: list[tuple[float, WeightReading]], sent: list[SentLine]
) -> None:
    """Every reading matches its own line, sent before it was delivered, in order: nothing
    invented (a line never sent, or spliced from two), nothing delivered twice."""
    position = 0
    for delivered_at, reading in readings:
        wanted = reading.raw.encode("latin-1")
        while position < len(sent) and sent[position].data.rstrip(b"\r\n") != wanted:
            position += 1
        assert position < len(sent), f"reading {reading.raw!r} was never sent (or was delivered twice)"
        assert sent[position].monotonic <= delivered_at
        position += 1


def stream_lines(sim: ScaleSimulator) -> list[SentLine]:
    return [line for line in sim.sent if line.data.startswith((b"S ", b"+", b"-", b" ", b"N"))]


@pytest.mark.parametrize("link", ["pty", "tcp"])
def test_mt_sics_stream_survives_unplug_and_replug(tmp_path: Path, link: str) -> None:
    address = str(tmp_path / "scale") if link == "pty" else "tcp://127.0.0.1:0"
    sim = ScaleSimulator(link=address, settle_time=30, noise_digits=50, stream_interval=0.01, seed=3)
    sim.start()
    statuses: list[LinkStatus] = []
    scale = open_scale("mt-sics", sim.address, **FAST)
    scale.add_status_listener(statuses.append)
    recorder = Recorder()
    try:
        sim.put("61.27")  # dynamic for 30 s: noisy, changing values
        handle = scale.stream(recorder)
        assert wait_for(lambda: len(recorder.readings()) >= 10)
        sim.unplug()
        assert wait_for(lambda: scale.status == "disconnected", timeout=2)
        assert recorder.first(ScaleState.DISCONNECTED) is not None
        time.sleep(0.3)  # away for a while: still disconnected, nothing delivered
        assert scale.status == "disconnected"
        quiet_since = time.monotonic()
        assert not recorder.readings(after=quiet_since)
        replugged_at = time.monotonic()
        sim.replug()
        assert wait_for(lambda: len(recorder.readings(after=replugged_at)) >= 10, timeout=3)
        handle.close()
    finally:
        scale.close()
        sim.stop()
    assert statuses[:2] == [LinkStatus.DISCONNECTED, LinkStatus.CONNECTED]
    states = recorder.states()
    assert states.index(ScaleState.DISCONNECTED) < states.index(ScaleState.CONNECTED)
    assert_each_reading_was_sent_once(recorder.readings(), stream_lines(sim))
    assert all(reading.serial_number == "SIM0001" for _, reading in recorder.readings())


def test_sbi_polled_stream_survives_unplug_and_replug(tmp_path: Path) -> None:
    sim = ScaleSimulator("sbi", capacity="6", readability="0.001", link=str(tmp_path / "sbi"), settle_time=30,
                         noise_digits=50, seed=4)  # fmt: skip
    sim.start()
    scale = open_scale("sbi", sim.address, unit="kg", request_interval=0.01, **FAST)
    recorder = Recorder()
    try:
        sim.put("2.5")
        with scale.stream(recorder):
            assert wait_for(lambda: len(recorder.readings()) >= 10)
            sim.unplug()
            assert wait_for(lambda: scale.status == "disconnected", timeout=2)
            time.sleep(0.2)
            replugged_at = time.monotonic()
            sim.replug()
            assert wait_for(lambda: len(recorder.readings(after=replugged_at)) >= 10, timeout=3)
    finally:
        scale.close()
        sim.stop()
    assert ScaleState.DISCONNECTED in recorder.states() and ScaleState.CONNECTED in recorder.states()
    assert_each_reading_was_sent_once(recorder.readings(), stream_lines(sim))


def test_read_stable_waits_for_the_scale_to_come_back(mt_sim: ScaleSimulator) -> None:
    scale = open_scale("mt-sics", mt_sim.address, **FAST)
    try:
        mt_sim.put("12.5")
        mt_sim.unplug()
        assert wait_for(lambda: scale.status == "disconnected", timeout=2)
        with pytest.raises(ScaleError) as error:
            scale.read_stable(timeout=0.3)
        assert error.value.state is ScaleState.DISCONNECTED
        replug = threading.Timer(0.3, mt_sim.replug)
        replug.start()
        assert scale.read_stable(timeout=3).value == Decimal("12.50")  # waited through the outage
        replug.join()
        assert scale.status == "connected"
    finally:
        scale.close()


def test_another_scale_behind_the_same_port_is_reported(tmp_path: Path) -> None:
    link = str(tmp_path / "scale")
    first = ScaleSimulator(link=link, serial_number="FIRST1", settle_time=0.1)
    first.start()
    scale = open_scale("mt-sics", link, **FAST)
    recorder = Recorder()
    scale.subscribe(recorder)
    try:
        first.stop()
        assert wait_for(lambda: scale.status == "disconnected")
        second = ScaleSimulator(link=link, serial_number="SECOND2", settle_time=0.1)
        second.start()
        try:
            assert wait_for(lambda: scale.serial_number == "SECOND2", timeout=3)
            assert wait_for(lambda: ScaleState.DEVICE_CHANGED in recorder.states())
            second.put("1")
            assert scale.read_stable(timeout=3).serial_number == "SECOND2"
        finally:
            second.stop()
    finally:
        scale.close()


def test_scanner_survives_unplug_and_replug(scanner_sim: ScannerSimulator) -> None:
    scans: queue.Queue[Scan] = queue.Queue()
    scanner = open_scanner(scanner_sim.address, terminator="cr", callback=scans.put, **FAST)
    try:
        assert scanner_sim.scan("SCL-150-01")
        assert scans.get(timeout=2) == PlainId("SCL-150-01", None, "SCL-150-01")
        scanner_sim.unplug()
        assert wait_for(lambda: scanner.status == "disconnected")
        assert not scanner_sim.scan("LOST-1")  # nobody can receive it
        scanner_sim.replug()
        assert wait_for(lambda: scanner.status == "connected", timeout=3)
        time.sleep(0.05)
        assert scanner_sim.scan("]C101040123450001081730083110P24-0817")
        scan = scans.get(timeout=2)
        assert isinstance(scan, Gs1Item) and scan.lot == "P24-0817"
        assert scans.empty()
    finally:
        scanner.close()


def test_a_line_cut_by_the_unplug_is_never_completed_by_bytes_after_it(tmp_path: Path) -> None:
    """'S S   61.2' before the unplug and '7 kg' after it must not make a reading of 61.27 kg."""
    from hardware.scales.mt_sics import MtSicsScale
    from hardware.simulators import ScriptedDevice
    from hardware.transport import Transport

    link = str(tmp_path / "scale")
    before = ScriptedDevice([], link=link)
    before.start()
    scale = MtSicsScale(Transport.open_link(link, **FAST))
    recorder = Recorder()
    scale.subscribe(recorder)
    scale.start()
    try:
        before.push(b"S S      10.00 kg\r\nS S      61.2")
        assert wait_for(lambda: len(recorder.readings()) == 1)
        before.stop()
        assert wait_for(lambda: scale.status == "disconnected")
        after = ScriptedDevice([(b"I4\r\n", b'I4 A "SIM0001"\r\n'), (b"I2\r\n", b"ES\r\n")], link=link)
        after.start()
        try:
            assert wait_for(lambda: after.used == 2, timeout=3)  # reconnected and identified
            after.push(b"7 kg\r\nS S      61.30 kg\r\n")
            assert wait_for(lambda: len(recorder.readings()) == 2)
        finally:
            after.stop()
    finally:
        scale.close()
    assert [reading.value for _, reading in recorder.readings()] == [Decimal("10.00"), Decimal("61.30")]
    unreadable = [
        event.raw
        for _, event in recorder.events
        if isinstance(event, ScaleCondition) and event.state is ScaleState.UNREADABLE
    ]
    assert unreadable == [
        "S S      61.2",
        "7 kg",
    ]  # the cut line, then its tail: both reported, neither a weight
