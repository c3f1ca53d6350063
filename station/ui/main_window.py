"""The station window: composes the screens' controllers and routes between them. What a screen
shows and sends is its controller's (``station.ui.controllers``); what it decides, its
view-model's. This module only wires them, and keeps what belongs to the whole window: the
header, the size of type and touch targets, the language, the idle logout and the scanners."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QLayout,
    QLineEdit,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ebr.software import software_name
from station.engine.api import Logout, StationState

from .controllers.admin import AdminSignController, SiteTrailController, UsersController
from .controllers.base import Controller, Session
from .controllers.health import HealthController
from .controllers.home import HomeController, StartController
from .controllers.login import LoginController, PasswordController
from .controllers.review import ReviewController, ReviewQueueController, ReviewSignController
from .controllers.runner import RunnerController
from .controllers.runner_forms import DeviationController, HoldController, OverrideController
from .devices import DeviceHub
from .i18n import Translations
from .style import Metrics, px_per_mm, stylesheet
from .viewmodels.devices import DeviceStatus
from .viewmodels.runner import HeaderVM, RunnerVM
from .viewmodels.scan import decode
from .viewmodels.session import IdleTracker, destination
from .wedge import WedgeKeys
from .widgets import Header
from .worker import EngineClient, Failed, Started

if TYPE_CHECKING:  # the sync worker loads the record store's code: not before the first frame
    from .sync_worker import SyncReport, SyncWorker


class MainWindow(QMainWindow):
    """One window; its pages are the station's screens."""

    quit_requested = Signal(int)
    page_changed = Signal(str)

    def __init__(
        self,
        client: EngineClient,
        *,
        translations: Translations,
        kiosk: bool = False,
        idle_logout_s: int = 300,
        devices: DeviceHub | None = None,
    ) -> None:
        super().__init__()
        self.setObjectName("station")
        self.client = client
        self.translations = translations
        self.allow_close = not kiosk
        self.metrics: Metrics | None = None
        self._shown_once = False
        runner_vm = RunnerVM(header=HeaderVM(devices=DeviceStatus()))
        self.session = s = Session(client, runner_vm, IdleTracker(float(idle_logout_s)))
        s.setParent(self)

        central = QWidget()
        lay = QVBoxLayout(central)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        # The window keeps the size of the screen; sizes follow the window (never the reverse,
        # which would let a long text grow the window past the screen).
        lay.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        self.header = Header(runner_vm.header)
        lay.addWidget(self.header)
        self.stack = QStackedWidget()
        lay.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        own = self.layout()
        if own is not None:
            own.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)

        self.login = LoginController(s, self, kiosk=kiosk, language=translations.language)
        self.password = PasswordController(s, self)
        self.home = HomeController(s, self)
        self.start = StartController(s, self, self.home)
        self.runner = RunnerController(s, self, devices)
        self.override = OverrideController(s, self)
        self.deviation = DeviationController(s, self)
        self.hold = HoldController(s, self)
        self.reviews = ReviewQueueController(s, self)
        self.review = ReviewController(s, self)
        self.review_sign = ReviewSignController(s, self)
        self.health = HealthController(s, self)
        self.users = UsersController(s, self)
        self.user_sign = AdminSignController(s, self)
        self.site_trail = SiteTrailController(s, self)
        self.screens: tuple[Controller, ...] = (
            self.login,
            self.password,
            self.home,
            self.start,
            self.runner,
            self.override,
            self.deviation,
            self.hold,
            self.reviews,
            self.review,
            self.review_sign,
            self.health,
            self.users,
            self.user_sign,
            self.site_trail,
        )
        for screen in self.screens:
            screen.setParent(self)  # gone with the window: no device reading reaches it after
            self.stack.addWidget(screen.view)
        self._connect_routes()

        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self._tick)
        self.timer.start()
        # The engine's imports and the store's opening compete with the GUI thread for the
        # interpreter: they wait for the login screen's first frame (see showEvent).
        self._engine_start = QTimer(self)
        self._engine_start.setSingleShot(True)
        self._engine_start.timeout.connect(self._start_engine_after_first_frame)
        self._exposure_checks = 40  # 5 ms apart: a window not exposed in 200 ms starts it anyway
        self.sync_worker: SyncWorker | None = None  # attach_sync: the sync with the central hub
        self.wedge = WedgeKeys(self.on_scan)
        self._watch_activity()
        client.idle_changed.connect(self._idle_changed)
        if devices is not None:
            self.runner.connect_devices(devices)
            devices.scanned.connect(self.on_scan)
        self.retranslate()
        self.show_screen(self.login)

    def _connect_routes(self) -> None:
        """Where each screen leads."""
        self.login.language_chosen.connect(self.set_language)
        self.login.close_station.connect(self._close_station)
        self.home.start_requested.connect(self.start.open)
        self.home.batch_opened.connect(self.runner.begin)
        self.start.cancelled.connect(self.go_home)
        self.runner.view.scanned.connect(self.on_scan)
        self.runner.override_requested.connect(self.override.open)
        self.runner.deviation_requested.connect(self.deviation.open)
        self.runner.hold_requested.connect(self.hold.open)
        self.runner.devices_changed.connect(self.header.refresh_devices)
        for form in (self.override, self.deviation, self.hold):
            form.done.connect(self.runner.after_form)
            form.cancelled.connect(lambda: self.show_screen(self.runner))
        self.reviews.opened.connect(self.review.show_review)
        self.review.sign_requested.connect(self.review_sign.open)
        self.review_sign.signed.connect(self.review.show_review)
        self.review_sign.cancelled.connect(lambda: self.show_screen(self.review))
        self.health.view.users.connect(self.users.open)
        self.home.view.users.connect(self.users.open)
        self.reviews.view.site_trail.connect(self.site_trail.open)
        self.users.task_requested.connect(self.user_sign.open)
        self.user_sign.signed.connect(self.users.after_task)
        self.user_sign.cancelled.connect(lambda: self.show_screen(self.users))

    def _watch_activity(self) -> None:
        """Every tap on a button and every key typed counts as activity (for the idle logout)."""
        for b in self.findChildren(QAbstractButton):
            b.pressed.connect(self.session.idle.touch)
        for f in self.findChildren(QLineEdit):
            f.textEdited.connect(self.session.idle.touch)

    # ------------------------------------------------------------------ routes

    @property
    def current(self) -> Controller:
        shown = self.stack.currentWidget()
        return next(s for s in self.screens if s.view is shown)

    @property
    def page_name(self) -> str:
        return self.current.name

    def show_screen(self, screen: Controller) -> None:
        if self.stack.currentWidget() is not screen.view:
            self.stack.setCurrentWidget(screen.view)
            screen.shown()
            self.page_changed.emit(screen.name)
        self.refresh()

    def refresh(self) -> None:
        screen = self.current
        self.header.refresh(with_batch=screen.with_batch)
        title = screen.header_text()
        if title is not None:
            self.header.batch_label.setText(title)
        screen.refresh()

    def route(self, state: StationState) -> None:
        """Where the engine's state belongs: login, password change, the batch, or home."""
        self.session.state = state
        self.runner.vm.set_state(state)
        where = destination(state)
        if where == "login":
            self.clear_session()
            self.show_screen(self.login)
        elif where == "password":
            assert state.user is not None
            self.password.open(state.user.id)
        elif where == "runner":
            self.show_screen(self.runner)
        else:
            self.go_home()

    def go_home(self) -> None:
        """A QA user's home is the review queue; everybody else's, the batches."""
        if self.session.is_reviewer:
            self.reviews.open()
        elif self.session.is_administrator:
            self.health.open()
        else:
            self.home.open()

    def logout(self, message: str = "", reason: str = "") -> None:
        """Log out; ``reason`` goes into the audit trail ("idle" for the automatic logout)."""

        def done(_a: object, _o: object) -> None:
            self.clear_session()
            self.login.logged_out(message)

        self.session.send(Logout(reason=reason), done)

    def clear_session(self) -> None:
        """Forget everything typed in this session: a new login needs both components again."""
        for screen in self.screens:
            screen.clear()
        self.session.clear()

    def _close_station(self) -> None:
        self.allow_close = True
        self.quit_requested.emit(0)

    # ------------------------------------------------------------------ the engine, idle, scans

    def _start_engine_after_first_frame(self) -> None:
        """Build the engine on its thread once the login screen is on the screen."""
        handle = self.windowHandle()
        if self._exposure_checks > 0 and handle is not None and not handle.isExposed():
            self._exposure_checks -= 1
            self._engine_start.start(5)
            return
        self.client.prepare(self._engine_started)

    def _engine_started(self, started: Started | Failed) -> None:
        if isinstance(started, Started):
            self.header.vm.site_tz = started.site_tz
            self.header.tick()
        if self.sync_worker is not None:  # after the engine: the first frame and the store first
            self.sync_worker.start()

    def attach_sync(self, worker: SyncWorker) -> None:
        """The sync worker whose reports the header shows (started once the engine is up)."""
        self.sync_worker = worker
        worker.reported.connect(self.sync_reported)

    def sync_reported(self, report: SyncReport) -> None:
        vm = self.header.vm.sync
        vm.mode, vm.snapshot, vm.problem, vm.limit = (
            report.mode,
            report.snapshot,
            report.problem,
            report.limit,
        )
        self.header.refresh_sync()

    def _idle_changed(self, idle: bool) -> None:
        screen = self.current
        if screen.follows_engine:
            screen.refresh()

    def _tick(self) -> None:
        self.header.tick()
        s = self.session
        if s.state is not None and s.state.user is not None and s.idle.expired() and not self.client.busy:
            minutes = max(1, round(s.idle.timeout_s / 60))
            self.logout(
                self.tr("Logged out after %n minute(s) without activity.", "", minutes), reason="idle"
            )

    def wedge_key(self, widget: QWidget, event: QKeyEvent) -> bool:
        self.session.idle.touch()
        return self.wedge.key(widget, event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not self.wedge_key(self, event):
            super().keyPressEvent(event)

    def on_scan(self, raw: str) -> None:
        """A code from the serial scanner, a wedge burst or a step's scan field."""
        self.session.idle.touch()
        self.current.scan(raw, decode(raw))

    # ------------------------------------------------------------------ language and size

    def set_language(self, language: str) -> None:
        self.translations.switch(language)
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        title = self.tr("MES station")
        self.setWindowTitle(f"{title} ({software_name()})")
        for screen in self.screens:
            screen.retranslate(self.translations.language)
        self.refresh()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.apply_metrics()

    def apply_metrics(self) -> None:
        size = self.size()
        m = Metrics.for_size(size.width(), size.height(), px_per_mm(self))
        if self.metrics is None or m.key() != self.metrics.key():
            self.metrics = m
            self.setStyleSheet(stylesheet(m))
            self.warm_up()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            self.show_every_screen()
            self._engine_start.start(0)

    def show_every_screen(self) -> None:
        """Show every screen and step view once, right after start: a widget's first show costs
        style and layout work that must not fall into a batch (the GUI thread would stall)."""
        current = self.stack.currentWidget()
        self.setUpdatesEnabled(False)
        try:
            for screen in self.screens:
                self.stack.setCurrentWidget(screen.view)
                if screen is self.runner:
                    self.runner.show_every_view()
            if current is not None:
                self.stack.setCurrentWidget(current)
        finally:
            self.setUpdatesEnabled(True)

    def warm_up(self) -> None:
        """Polish and lay out every screen now, so that showing a step for the first time during a
        batch does not stall the GUI thread on style sheet work."""
        for w in self.findChildren(QWidget):
            w.ensurePolished()
        for screen in self.screens:
            for view in [screen.view, *screen.inner_views()]:
                view.resize(self.stack.size())
                lay = view.layout()
                if lay is not None:
                    lay.activate()

    # ------------------------------------------------------------------ closing

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.allow_close:
            event.ignore()
            return
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        self.timer.stop()
        self._engine_start.stop()
