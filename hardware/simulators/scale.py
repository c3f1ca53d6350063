"""A simulated scale (MT-SICS or Sartorius SBI) on a pty or TCP port.

sim = ScaleSimulator("mt-sics", capacity="150", readability="0.01", unit="kg", serial_number="SIM0001")
port = sim.start()              # a path to open like /dev/ttyUSB0
sim.put(Decimal("61.27"), "kg")  # the weight settles, noisy, from dynamic to stable
sim.unplug(); sim.replug()      # the client sees the device go away and come back
sim.stop()
"""

from __future__ import annotations

from decimal import Decimal

from hardware.simulators.device import SimulatedDevice
from hardware.simulators.mt_sics_device import MtSicsDevice
from hardware.simulators.sbi_device import SbiDevice
from hardware.simulators.weighing_cell import CellSample, WeighingCell

SCALE_PROTOCOLS = ("mt-sics", "sbi")


def _protocol(name: str) -> str:
    key = name.strip().lower().replace("_", "-")
    key = {"mtsics": "mt-sics", "sics": "mt-sics", "sartorius": "sbi"}.get(key, key)
    if key not in SCALE_PROTOCOLS:
        raise ValueError(f"unknown scale protocol {name!r} (known: {', '.join(SCALE_PROTOCOLS)})")
    return key


class ScaleSimulator(SimulatedDevice):
    """A balance that behaves like the real one on the wire.

    - ``stream_interval``: seconds between SIR lines (MT-SICS) or autoprint lines (SBI);
      0 with a ``baudrate`` streams as fast as the line allows;
    - ``baudrate``: pace the output as a UART at that speed (None: as fast as possible);
    - ``settle_time``: how long a new load stays dynamic; ``stability_timeout``: how long
      ``S``/``T``/``Z`` wait for stability before answering ``I``;
    - SBI: ``output_format`` 16 or 22, ``autoprint``.
    """

    kind = "scale"

    def __init__(
        self,
        protocol: str = "mt-sics",
        capacity: Decimal | str | int = "150",
        readability: Decimal | str = "0.01",
        unit: str = "kg",
        serial_number: str = "SIM0001",
        *,
        link: str | None = None,
        model: str | None = None,
        settle_time: float = 0.8,
        stability_timeout: float = 3.0,
        stream_interval: float = 0.1,
        output_format: int = 22,
        autoprint: bool = False,
        baudrate: int | None = None,
        noise_digits: float = 4.0,
        seed: int | None = None,
        record: int = 100_000,
    ) -> None:
        self.protocol = _protocol(protocol)
        if stream_interval < 0:
            raise ValueError("stream_interval must not be negative")
        if stream_interval == 0 and baudrate is None:
            raise ValueError("a stream without interval needs a baudrate to pace it")
        if any(not char.isalnum() and char not in "-_." for char in serial_number) or not serial_number:
            raise ValueError(f"serial number must be letters and digits: {serial_number!r}")
        super().__init__(link, baudrate=baudrate, record=record)
        self.cell = WeighingCell(
            Decimal(capacity),
            Decimal(readability),
            unit,
            settle_time=settle_time,
            noise_digits=noise_digits,
            seed=seed,
        )
        self.serial_number = serial_number
        self.model = model or f"MES-SIM{self.cell.capacity}{self.cell.unit}"
        self.stability_timeout = stability_timeout
        self.stream_interval = stream_interval
        self.device_protocol: MtSicsDevice | SbiDevice
        if self.protocol == "mt-sics":
            self.device_protocol = MtSicsDevice(self)
        else:
            self.device_protocol = SbiDevice(self, output_format=output_format, autoprint=autoprint)

    # ------------------------------------------------------------------ the pan and the keys

    def put(self, weight: Decimal | str | int | float, unit: str | None = None) -> None:
        """The pan now holds ``weight`` (the gross load) in ``unit`` (default: the scale's)."""
        self.cell.put(Decimal(str(weight)), unit)
        self._wake()

    def remove(self) -> None:
        """Take everything off the pan."""
        self.cell.remove()
        self._wake()

    def press_tare(self) -> None:
        """The TARE key: tare the present load (at once, stable or not)."""
        self.cell.tare()

    def press_zero(self) -> None:
        self.cell.zero()

    def sample(self) -> CellSample:
        """What the display shows now."""
        return self.cell.sample()

    # ------------------------------------------------------------------ device behaviour

    def on_input(self, data: bytes, now: float) -> None:
        self.device_protocol.on_input(data, now)

    def tick(self, now: float) -> float | None:
        return self.device_protocol.tick(now)

    def on_replug(self) -> None:
        self.device_protocol.on_replug()

    @property
    def streaming(self) -> bool:
        """MT-SICS: SIR running; SBI: autoprint on."""
        if isinstance(self.device_protocol, MtSicsDevice):
            return self.device_protocol.streaming
        return self.device_protocol.autoprint
