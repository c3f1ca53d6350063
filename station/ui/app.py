"""The entry point of the touchscreen station."""

from __future__ import annotations

import gc
import logging
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from .i18n import Translations
from .main_window import MainWindow
from .worker import EngineClient

log = logging.getLogger(__name__)


@dataclass
class Station:
    """The pieces of a running station (the tests and the benchmark hold on to them)."""

    window: MainWindow
    client: EngineClient
    devices: Any
    simulator: Any
    translations: Translations
    simulated: tuple[Any, ...] = ()  # the simulated devices this station started
    sync: Any = None  # the SyncWorker, when the station has one

    def close(self) -> None:
        """Stop everything this station started: device threads, the engine thread, the windows."""
        if self.sync is not None:  # before the engine: it shares the engine's store
            self.sync.stop()
        if self.simulator is not None:
            self.simulator.close()
            self.simulator.deleteLater()
        if self.devices is not None:
            self.devices.stop()
        for device in self.simulated:
            device.stop()
        self.window.allow_close = True
        self.window.shutdown()
        self.window.close()
        self.client.shutdown()
        self.translations.close()
        self.window.deleteLater()
        self.client.deleteLater()


def build_station(
    engine_factory: Callable[[], Any],
    *,
    kiosk: bool = False,
    scale_link: str | None = None,
    scale_protocol: str = "mt-sics",
    scanner_link: str | None = None,
    simulator: bool = False,
    idle_logout_s: int = 300,
    language: str = "en",
    devices: Any = None,
    scale_options: dict[str, Any] | None = None,
    scanner_options: dict[str, Any] | None = None,
    scales: Mapping[str, str] | None = None,
    simulated_scales: Mapping[str, Mapping[str, Any]] | None = None,
    sync: Any = None,
) -> Station:
    """Build the station's window, engine thread and device bridges (a QApplication must exist).

    ``scales``: one scale per equipment id (its port); the weigh step reads the one bound.
    ``simulator``: simulated devices, one scale per entry of ``simulated_scales`` (equipment id
    -> the simulator's capacity, readability, unit and serial number), as a plant has one
    scale per equipment id.

    The engine is built on its thread once the window has first been shown (the login screen
    does not wait for the record store), or at the first request, whichever comes first.
    ``sync``: a ``SyncWorker`` (the sync with the central hub), started once the engine is."""
    translations = Translations()
    translations.switch(language)
    simulated: list[Any] = []
    scale_sims: dict[str, Any] = {}
    scanner_sim = None
    if simulator and devices is None:
        from hardware.simulators.scale import ScaleSimulator
        from hardware.simulators.scanner import ScannerSimulator

        if scale_link is None and not scales:
            for equipment, spec in (simulated_scales or {}).items():
                scale_sims[equipment] = ScaleSimulator(scale_protocol, **spec)
            scales = {equipment: sim.start() for equipment, sim in scale_sims.items()}
            simulated.extend(scale_sims.values())
        if scanner_link is None:
            scanner_sim = ScannerSimulator()
            scanner_link = scanner_sim.start()
            simulated.append(scanner_sim)
    client = EngineClient(engine_factory)
    sim = None
    if devices is None and (scale_link or scales or scanner_link or simulator):
        from .devices import DeviceHub

        devices = DeviceHub(
            scale_link=scale_link,
            scale_protocol=scale_protocol,
            scanner_link=scanner_link,
            scale_options=scale_options,
            scanner_options=scanner_options,
            scales=scales,
        )
    window = MainWindow(
        client, translations=translations, kiosk=kiosk, idle_logout_s=idle_logout_s, devices=devices
    )
    if sync is not None:
        window.attach_sync(sync)
    if simulator:
        from .simulator_window import ShownScale, SimulatorWindow

        shown = ShownScale(scale_sims, devices) if scale_sims else None
        sim = SimulatorWindow(shown, scanner_sim)
    if devices is not None:
        devices.start()
    # Everything built so far lives as long as the station: keep it out of the collector's
    # full passes, which would otherwise stall the GUI thread for tens of milliseconds.
    gc.collect()
    gc.freeze()
    return Station(
        window=window,
        client=client,
        devices=devices,
        simulator=sim,
        translations=translations,
        simulated=tuple(simulated),
        sync=sync,
    )


def run_gui(
    engine_factory: Callable[[], Any],
    *,
    kiosk: bool,
    scale_link: str | None,
    scale_protocol: str,
    scanner_link: str | None,
    simulator: bool,
    idle_logout_s: int,
    language: str,
    scale_options: dict[str, Any] | None = None,
    scanner_options: dict[str, Any] | None = None,
    simulated_scales: Mapping[str, Mapping[str, Any]] | None = None,
    sync: Callable[[], Any] | None = None,
) -> int:
    """Run the touchscreen station until it is closed; returns the exit code."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("mes-station")
    station = build_station(
        engine_factory,
        kiosk=kiosk,
        scale_link=scale_link,
        scale_protocol=scale_protocol,
        scanner_link=scanner_link,
        simulator=simulator,
        idle_logout_s=idle_logout_s,
        language=language,
        scale_options=scale_options,
        scanner_options=scanner_options,
        simulated_scales=simulated_scales,
        sync=sync() if sync is not None else None,
    )
    window = station.window
    window.quit_requested.connect(app.exit)
    if kiosk:
        window.setWindowFlags(Qt.WindowType.FramelessWindowHint | Qt.WindowType.WindowStaysOnTopHint)
        window.showFullScreen()
    else:
        window.resize(1024, 768)
        window.show()
    if station.simulator is not None:
        station.simulator.show()
    try:
        code = app.exec()
    finally:
        station.close()
    return int(code)
