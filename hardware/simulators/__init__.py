"""Simulated devices on a pseudo-terminal or TCP port, for tests, the demo and by hand."""

from hardware.simulators.console import SimulatorConsole
from hardware.simulators.device import SentLine, SimulatedDevice
from hardware.simulators.endpoint import EndpointError
from hardware.simulators.scale import ScaleSimulator
from hardware.simulators.scanner import ScannerSimulator
from hardware.simulators.scripted import ScriptedDevice

__all__ = [
    "EndpointError",
    "ScaleSimulator",
    "ScannerSimulator",
    "ScriptedDevice",
    "SentLine",
    "SimulatedDevice",
    "SimulatorConsole",
]
