"""UI test set-up: offscreen Qt, a GUI-thread watchdog, a leak check after every test."""

from __future__ import annotations

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before anything imports Qt

import contextlib
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QTimer
from PySide6.QtWidgets import QApplication

STALL_LIMIT_S = 0.050


class WatchdogApp(QApplication):
    """Measures how long the GUI thread spends on each event it delivers (outermost only).

    Every slot, paint and timer of the station runs inside one such delivery, so the longest
    one is the longest time the GUI thread was blocked.
    """

    def __init__(self, args: list[str]) -> None:
        super().__init__(args)
        self._depth = 0
        self.armed = False
        self.max_stall = 0.0
        self.stalls: list[tuple[float, str, str]] = []

    def notify(self, receiver, event) -> bool:  # noqa: N802 - Qt override
        if self._depth or not self.armed:
            return super().notify(receiver, event)
        self._depth = 1
        etype = event.type()
        start = time.perf_counter()
        try:
            return super().notify(receiver, event)
        finally:
            self._depth = 0
            took = time.perf_counter() - start
            if took > self.max_stall:
                self.max_stall = took
            if took > STALL_LIMIT_S:
                self.stalls.append((took, type(receiver).__name__, str(etype)))

    def reset_watchdog(self) -> None:
        self.max_stall = 0.0
        self.stalls.clear()

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        was = self.armed
        self.armed = False
        try:
            yield
        finally:
            self.armed = was


@pytest.fixture(scope="session")
def qapp_cls():
    return WatchdogApp


@pytest.fixture
def watchdog(qapp: WatchdogApp) -> Iterator[WatchdogApp]:
    """Arms the watchdog for the test; the test fails if the GUI thread stalled > 50 ms."""
    qapp.reset_watchdog()
    qapp.armed = True
    yield qapp
    qapp.armed = False
    worst = sorted(qapp.stalls, reverse=True)[:5]
    assert qapp.max_stall <= STALL_LIMIT_S, f"GUI thread blocked {qapp.max_stall * 1000:.0f} ms: {worst}"


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    path = Path(os.environ.get("MES_SCREENSHOT_DIR") or Path(tempfile.gettempdir()) / "mes-screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(autouse=True)
def no_leaks(request: pytest.FixtureRequest) -> Iterator[None]:
    """After each test: no window, timer or thread that the test started is left behind."""
    threads_before = set(threading.enumerate())
    yield
    app = QApplication.instance()
    if app is not None:
        for _ in range(3):
            app.sendPostedEvents(None, QEvent.Type.DeferredDelete)
            app.processEvents()
        widgets = [w for w in app.topLevelWidgets() if w.objectName() != "qt_scrollarea_viewport"]
        for w in widgets:  # clean up so that one leak does not fail every later test
            w.deleteLater()
        assert not widgets, f"widgets left after the test: {[type(w).__name__ + ':' + w.objectName() for w in widgets]}"
        timers = [t for t in app.findChildren(QTimer) if t.isActive()]
        assert not timers, f"timers left running: {timers}"
    from station.ui.worker import THREADS

    running = [t for t in list(THREADS) if t.isRunning()]
    assert not running, f"engine threads left running: {running}"
    deadline = time.monotonic() + 3.0
    while time.monotonic() < deadline:
        left = [t for t in threading.enumerate() if t not in threads_before and t.is_alive()]
        if not left:
            break
        time.sleep(0.02)
    assert not left, f"threads left running: {[t.name for t in left]}"
