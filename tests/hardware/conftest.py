"""Fixtures for the hardware tests: real pseudo-terminals and simulators, no mocks of pyserial."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # the project is not necessarily installed in the environment
    sys.path.insert(0, str(ROOT))

from hardware.simulators import ScaleSimulator, ScannerSimulator, ScriptedDevice  # noqa: E402
from hardware.simulators.scripted import Exchange  # noqa: E402


@pytest.fixture
def scripted(tmp_path: Path) -> Iterator[Callable[[list[Exchange]], ScriptedDevice]]:
    """A factory of scripted devices on real ptys, stopped at the end of the test."""
    devices: list[ScriptedDevice] = []

    def make(script: list[Exchange]) -> ScriptedDevice:
        device = ScriptedDevice(script, link=str(tmp_path / f"dev{len(devices)}"))
        device.start()
        devices.append(device)
        return device

    yield make
    for device in devices:
        device.stop()


@pytest.fixture
def mt_sim(tmp_path: Path) -> Iterator[ScaleSimulator]:
    sim = ScaleSimulator(
        "mt-sics",
        capacity="150",
        readability="0.01",
        unit="kg",
        serial_number="B021002593",
        link=str(tmp_path / "scale"),
        settle_time=0.15,
        stability_timeout=1.0,
        stream_interval=0.02,
        seed=1,
    )
    sim.start()
    yield sim
    sim.stop()


@pytest.fixture
def sbi_sim(tmp_path: Path) -> Iterator[ScaleSimulator]:
    sim = ScaleSimulator(
        "sbi",
        capacity="6",
        readability="0.001",
        unit="kg",
        serial_number="0032109876",
        link=str(tmp_path / "sbi"),
        settle_time=0.15,
        stability_timeout=1.0,
        stream_interval=0.02,
        seed=2,
    )
    sim.start()
    yield sim
    sim.stop()


@pytest.fixture
def scanner_sim(tmp_path: Path) -> Iterator[ScannerSimulator]:
    sim = ScannerSimulator(str(tmp_path / "scanner"), terminator="cr")
    sim.start()
    yield sim
    sim.stop()
