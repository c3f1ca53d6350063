"""The station window: routes between the screens, sends actions to the engine thread and
draws the outcomes. All decisions are the view-models'; this module only wires them."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QLayout,
    QLineEdit,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from station.engine.api import (
    Action,
    Complete,
    Logout,
    OpenBatch,
    Outcome,
    Override,
    RaiseDeviation,
    StartBatch,
    StationState,
)

from .forms import FormPage
from .home_view import HomePage
from .i18n import Translations
from .review_calls import Refused, open_review, review_queue, sign_review
from .review_view import ReviewListPage, ReviewPage
from .runner_view import RunnerPage, SignatureView
from .style import Metrics, px_per_mm, repolish, stylesheet
from .viewmodels.devices import DeviceStatus, ScaleReading
from .viewmodels.forms import DeviationVM, HoldVM, OverrideVM, category_label
from .viewmodels.home import HomeVM
from .viewmodels.login import LANGUAGES, ChangePasswordVM, LoginVM
from .viewmodels.reasons import explain
from .viewmodels.review import ReviewQueueVM, ReviewSignVM, ReviewVM
from .viewmodels.runner import HeaderVM, RunnerVM
from .viewmodels.scan import WedgeDetector, decode
from .viewmodels.session import IdleTracker
from .viewmodels.steps import EquipmentVM, SignatureVM, WeighVM
from .widgets import BoundField, Header, button
from .worker import EngineClient


class WedgeKeys:
    """Keyboard-wedge scanners type the code and Enter in a burst: such a burst is a scan.

    The fields and the window hand their key presses here first (no application-wide event
    filter: a Python override of a bool-returning Qt virtual is not safe with PySide6 on
    Python 3.11). A burst is removed from the field it was typed into and reported.
    """

    def __init__(self, on_scan: Callable[[str], None]) -> None:
        self.detector = WedgeDetector()
        self.on_scan = on_scan
        self._snapshot: tuple[QLineEdit, str] | None = None

    def key(self, widget: QWidget, event: QKeyEvent) -> bool:
        """True when the key was part of a scan and must not be handled further."""
        now = time.monotonic()
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            code = self.detector.enter(now)
            if code is None:
                return False
            if self._snapshot is not None:
                field, text = self._snapshot
                if isinstance(field, BoundField):
                    field.buffer.set(text)
                    field.refresh()
                else:
                    field.setText(text)
            self._snapshot = None
            self.on_scan(code)
            return True
        text = event.text()
        if text and text.isprintable() and self.detector.key(text, now):
            self._snapshot = (widget, widget.text()) if isinstance(widget, QLineEdit) else None
        return False


class MainWindow(QMainWindow):
    """One window; its pages are the station's screens."""

    quit_requested = Signal(int)
    page_changed = Signal(str)
    outcome_shown = Signal(object)  # (action, outcome) once the screen shows it

    def __init__(
        self,
        client: EngineClient,
        *,
        translations: Translations,
        kiosk: bool = False,
        idle_logout_s: int = 300,
        devices: object | None = None,
    ) -> None:
        super().__init__()
        self.setObjectName("station")
        self.setWindowTitle(self.tr("MES station"))
        self.client = client
        self.translations = translations
        self.kiosk = kiosk
        self.allow_close = not kiosk
        self.devices = devices
        self.state: StationState | None = None
        self.idle = IdleTracker(float(idle_logout_s))
        self.metrics: Metrics | None = None
        self._shown_once = False

        self.login_vm = LoginVM()
        self.pw_vm = ChangePasswordVM()
        self.home_vm = HomeVM()
        self.runner_vm = RunnerVM(header=HeaderVM(devices=DeviceStatus()))
        self.override_vm = OverrideVM(step="")
        self.override_acknowledges = False
        self.deviation_vm = DeviationVM()
        self.hold_vm = HoldVM()
        self.review_queue_vm = ReviewQueueVM()
        self.review_vm: ReviewVM | None = None
        self.review_sign_vm = ReviewSignVM()
        self.last_message = ""

        central = QWidget()
        lay = QVBoxLayout(central)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        # The window keeps the size of the screen; sizes follow the window (never the reverse,
        # which would let a long text grow the window past the screen).
        lay.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        self.header = Header(self.runner_vm.header)
        lay.addWidget(self.header)
        self.stack = QStackedWidget()
        lay.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self.layout().setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)

        self._build_login()
        self._build_password()
        self.home = HomePage(self.home_vm)
        self.home.open_batch.connect(lambda bid: self.send(OpenBatch(batch_id=bid), self._after_batch))
        self.home.start_batch.connect(self.open_start)
        self.home.logout.connect(self.logout)
        self.home.reload.connect(self.load_lists)
        self.stack.addWidget(self.home)
        self._build_start()
        self.runner = RunnerPage(self.runner_vm)
        self.runner.act.connect(lambda a: self.send(a, self._after_step))
        self.runner.scanned.connect(self.on_scan)
        self.runner.scale_command.connect(self.scale_command)
        self.runner.continue_.connect(self._continue)
        self.runner.dismiss.connect(self._dismiss)
        self.runner.override.connect(self.open_override)
        self.runner.complete.connect(lambda: self.send(Complete(), self._after_step))
        self.runner.deviation.connect(self.open_deviation)
        self.runner.hold.connect(lambda: self.open_hold(False))
        self.runner.resume.connect(lambda: self.open_hold(True))
        self.runner.home.connect(self.go_home)
        self.runner.logout.connect(self.logout)
        self.stack.addWidget(self.runner)
        self._build_override()
        self._build_deviation()
        self._build_hold()
        self._build_review()

        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self._tick)
        self.timer.start()
        self.wedge = WedgeKeys(self.on_scan)
        self._watch_activity()
        self.client.idle_changed.connect(self._idle_changed)
        if devices is not None:
            self._connect_devices(devices)
        self.retranslate()
        self.show_page(self.login)

    # ------------------------------------------------------------------ building

    def _watch_activity(self) -> None:
        """Every tap on a button and every key typed counts as activity (for the idle logout)."""
        for b in self.findChildren(QAbstractButton):
            b.pressed.connect(self.idle.touch)
        for f in self.findChildren(QLineEdit):
            f.textEdited.connect(self.idle.touch)

    def wedge_key(self, widget: QWidget, event: QKeyEvent) -> bool:
        self.idle.touch()
        return self.wedge.key(widget, event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not self.wedge_key(self, event):
            super().keyPressEvent(event)

    def _build_login(self) -> None:
        vm = self.login_vm
        page = FormPage("login", with_cancel=self.kiosk)
        self.login = page
        self.login_user = page.add_field(lambda: self.tr("User id or badge"), lambda: vm.user, "login_user")
        self.login_password = page.add_field(
            lambda: self.tr("Password"), lambda: vm.password, "login_password"
        )
        self.login_user.textEdited.connect(lambda _t: vm.type_user())
        page.problem_getter = lambda: ""
        page.message_getter = lambda: vm.message
        page.enabled_getter = lambda: vm.can_submit
        page.submitted.connect(self.submit_login)
        page.cancelled.connect(self._toggle_exit_mode)
        self.language_buttons: dict[str, QWidget] = {}
        langs = page.title_row
        for code, name in LANGUAGES:
            b = button(name, "plain", name=f"lang_{code}")
            b.setCheckable(True)
            b.setAutoExclusive(True)
            b.setChecked(code == self.translations.language)
            b.clicked.connect(lambda _=False, code=code: self.set_language(code))
            b.setSizePolicy(b.sizePolicy().horizontalPolicy(), b.sizePolicy().verticalPolicy())
            langs.addWidget(b)
            self.language_buttons[code] = b
        self.stack.addWidget(page)

    def _build_password(self) -> None:
        vm = self.pw_vm
        page = FormPage("password", fields_per_row=3)
        self.password_page = page
        page.add_field(lambda: self.tr("Current password"), lambda: vm.old, "password_old")
        page.add_field(lambda: self.tr("New password"), lambda: vm.new, "password_new")
        page.add_field(lambda: self.tr("New password again"), lambda: vm.repeat, "password_repeat")
        page.problem_getter = lambda: vm.problem
        page.message_getter = lambda: vm.message
        page.enabled_getter = lambda: vm.can_submit
        page.edited = lambda: setattr(vm, "message", "")
        page.submitted.connect(lambda: vm.can_submit and self.send(vm.action(), self._after_password))
        page.cancelled.connect(self.logout)
        self.stack.addWidget(page)

    def _build_start(self) -> None:
        vm = self.home_vm
        page = FormPage("start")
        self.start_page = page
        page.add_field(lambda: self.tr("Batch id"), lambda: vm.batch_id, "start_batch_id")
        self.start_size = page.add_field(
            lambda: self.tr("Batch size (%1)").replace("%1", vm.recipe.unit if vm.recipe else "kg"),
            lambda: vm.size,
            "start_size",
        )
        page.problem_getter = lambda: vm.problem
        page.message_getter = lambda: vm.message
        page.enabled_getter = lambda: vm.can_start and not self.client.dispatching
        page.edited = lambda: setattr(vm, "message", "")
        page.submitted.connect(lambda: vm.can_start and self.send(vm.start_action(), self._after_batch))
        page.cancelled.connect(self.go_home)
        self.stack.addWidget(page)

    def _build_override(self) -> None:
        # One row of fields: under the batch header, the refusal's sentence and the keyboard
        # leave no room for a second one at 1024x768. The reason gets half the width.
        page = FormPage("override", fields_per_row=3)
        self.override_page = page
        page.grid.setColumnStretch(0, 1)
        page.grid.setColumnStretch(1, 1)
        page.grid.setColumnStretch(2, 2)

        def vm() -> OverrideVM:
            return self.override_vm

        page.add_field(lambda: self.tr("Supervisor: user id or badge"), lambda: vm().user, "override_user")
        page.add_field(lambda: self.tr("Password"), lambda: vm().password, "override_password")
        page.add_field(lambda: self.tr("Reason (mandatory)"), lambda: vm().reason, "override_reason")
        page.problem_getter = lambda: vm().problem
        page.message_getter = lambda: vm().message
        page.enabled_getter = lambda: vm().can_submit
        page.edited = lambda: setattr(vm(), "message", "")
        page.submitted.connect(lambda: vm().can_submit and self.send(vm().action(), self._after_override))
        page.cancelled.connect(lambda: self.show_page(self.runner))
        self.stack.addWidget(page)

    def _build_deviation(self) -> None:
        vm = self.deviation_vm
        page = FormPage("deviation")
        self.deviation_page = page
        self.category_buttons = page.add_choices(
            [(c, category_label(c)) for c in vm.categories], self._choose_category, per_row=len(vm.categories)
        )
        page.add_field(lambda: self.tr("What happened"), lambda: vm.text, "deviation_text", span=2)
        page.problem_getter = lambda: vm.problem
        page.message_getter = lambda: vm.message
        page.enabled_getter = lambda: vm.can_submit
        page.edited = lambda: setattr(vm, "message", "")
        page.submitted.connect(lambda: vm.can_submit and self.send(vm.action(), self._after_form))
        page.cancelled.connect(lambda: self.show_page(self.runner))
        self.stack.addWidget(page)

    def _build_hold(self) -> None:
        vm = self.hold_vm
        page = FormPage("hold")
        self.hold_page = page
        page.add_field(lambda: self.tr("Reason"), lambda: vm.reason, "hold_reason", span=2)
        page.problem_getter = lambda: vm.problem
        page.enabled_getter = lambda: vm.can_submit
        page.submitted.connect(lambda: vm.can_submit and self.send(vm.action(), self._after_form))
        page.cancelled.connect(lambda: self.show_page(self.runner))
        self.stack.addWidget(page)

    def _build_review(self) -> None:
        self.reviews = ReviewListPage(self.review_queue_vm)
        self.reviews.open_batch.connect(self.open_review)
        self.reviews.reload.connect(self.load_reviews)
        self.reviews.logout.connect(self.logout)
        self.stack.addWidget(self.reviews)
        self.review_page = ReviewPage()
        self.review_page.back.connect(self.go_home)
        self.review_page.approve.connect(lambda: self.open_review_sign(True))
        self.review_page.reject.connect(lambda: self.open_review_sign(False))
        self.stack.addWidget(self.review_page)
        vm = self.review_sign_vm
        page = FormPage("review_sign", fields_per_row=3)
        self.review_sign_page = page
        page.grid.setColumnStretch(0, 1)
        page.grid.setColumnStretch(1, 1)
        page.grid.setColumnStretch(2, 2)
        page.add_field(lambda: self.tr("User id or badge"), lambda: vm.user, "review_user")
        page.add_field(lambda: self.tr("Password"), lambda: vm.password, "review_password")
        page.add_field(lambda: self.tr("Comment (mandatory)"), lambda: vm.comment, "review_comment")
        page.problem_getter = lambda: vm.problem
        page.message_getter = lambda: vm.message
        page.enabled_getter = lambda: vm.can_submit and not self.client.busy
        page.edited = lambda: setattr(vm, "message", "")
        page.submitted.connect(self.submit_review)
        page.cancelled.connect(lambda: self.show_page(self.review_page))
        self.stack.addWidget(page)

    def _connect_devices(self, devices: object) -> None:
        status = self.runner_vm.header.devices
        status.scale_configured = bool(getattr(devices, "scale_configured", False))
        status.scanner_configured = bool(getattr(devices, "scanner_configured", False))
        devices.reading.connect(self.on_reading)  # type: ignore[attr-defined]
        devices.scale_connection.connect(self.on_scale_connection)  # type: ignore[attr-defined]
        devices.scanned.connect(self.on_scan)  # type: ignore[attr-defined]
        devices.scanner_connection.connect(self.on_scanner_connection)  # type: ignore[attr-defined]

    # ------------------------------------------------------------------ language and size

    def set_language(self, language: str) -> None:
        self.translations.switch(language)
        for code, b in self.language_buttons.items():
            b.setChecked(code == self.translations.language)
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("MES station"))
        lang = self.translations.language
        for page in (
            self.login,
            self.password_page,
            self.start_page,
            self.override_page,
            self.deviation_page,
            self.hold_page,
            self.review_sign_page,
        ):
            page.retranslate_fields()
            page.keyboard.set_layout(lang)
        self.runner.views["signature"].keyboard.set_layout(lang)  # type: ignore[attr-defined]
        self.login.title.setText(self.tr("Log in"))
        self.login.info.setText(self.tr("Scan your badge, or type your user id; then your password."))
        self.login.submit_button.setText(self.tr("LOG IN"))
        self.login.cancel_button.setText(self.tr("EXIT STATION"))
        self.password_page.title.setText(self.tr("Set your own password"))
        self.password_page.info.setText(
            self.tr("Your password is still the initial one. Choose a new password of at least 8 characters.")
        )
        self.password_page.submit_button.setText(self.tr("SAVE PASSWORD"))
        self.password_page.cancel_button.setText(self.tr("LOG OUT"))
        self.start_page.title.setText(self.tr("Start a new batch"))
        self.start_page.submit_button.setText(self.tr("START THE BATCH"))
        self.start_page.cancel_button.setText(self.tr("CANCEL"))
        self._title_override()
        self.override_page.cancel_button.setText(self.tr("CANCEL"))
        self.deviation_page.title.setText(self.tr("Raise a deviation"))
        self.deviation_page.info.setVisible(False)
        self.deviation_page.submit_button.setText(self.tr("RAISE THE DEVIATION"))
        self.deviation_page.cancel_button.setText(self.tr("CANCEL"))
        for b, c in zip(self.category_buttons, self.deviation_vm.categories, strict=True):
            b.setText(category_label(c))
        self.hold_page.cancel_button.setText(self.tr("CANCEL"))
        self._title_review_sign()
        self.review_sign_page.cancel_button.setText(self.tr("CANCEL"))
        self.reviews.retranslate()
        self.review_page.retranslate()
        self.home.retranslate()
        self.runner.retranslate()
        self.refresh()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.apply_metrics()

    def apply_metrics(self) -> None:
        size = self.size()
        m = Metrics.for_size(size.width(), size.height(), px_per_mm(self))
        if self.metrics is None or m.key() != self.metrics.key():
            self.metrics = m
            self.setStyleSheet(stylesheet(m))
            self.warm_up()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            self.show_every_page()

    def show_every_page(self) -> None:
        """Show every page and step view once, right after start: a widget's first show costs
        style and layout work that must not fall into a batch (the GUI thread would stall)."""
        current = self.stack.currentWidget()
        inner = self.runner.stack.currentWidget()
        self.setUpdatesEnabled(False)
        try:
            for i in range(self.stack.count()):
                self.stack.setCurrentIndex(i)
                if self.stack.currentWidget() is self.runner:
                    for j in range(self.runner.stack.count()):
                        self.runner.stack.setCurrentIndex(j)
                    self.runner.panel.show()
                    self.runner.panel.hide()
            self.runner.stack.setCurrentWidget(inner)
            self.stack.setCurrentWidget(current)
        finally:
            self.setUpdatesEnabled(True)

    def warm_up(self) -> None:
        """Polish and lay out every page now, so that showing a step for the first time during a
        batch does not stall the GUI thread on style sheet work."""
        for w in self.findChildren(QWidget):
            w.ensurePolished()
        for page in [self.stack.widget(i) for i in range(self.stack.count())] + [
            self.runner.stack.widget(i) for i in range(self.runner.stack.count())
        ]:
            page.resize(self.stack.size())
            lay = page.layout()
            if lay is not None:
                lay.activate()

    # ------------------------------------------------------------------ pages

    def show_page(self, page: QWidget) -> None:
        if self.stack.currentWidget() is not page:
            self.stack.setCurrentWidget(page)
            if isinstance(page, FormPage):
                page.refresh()
                page.focus_first()
            self.page_changed.emit(page.objectName())
        self.refresh()

    @property
    def page_name(self) -> str:
        return self.stack.currentWidget().objectName()

    def refresh(self) -> None:
        page = self.stack.currentWidget()
        self.header.refresh(
            with_batch=page in (self.runner, self.override_page, self.deviation_page, self.hold_page)
        )
        if page in (self.reviews, self.review_page, self.review_sign_page):
            batch = self.review_vm.batch_id if self.review_vm is not None and page is not self.reviews else ""
            self.header.batch_label.setText(
                self.tr("QA review: batch %1").replace("%1", batch) if batch else self.tr("QA review")
            )
        if page is self.runner:
            self.runner.refresh()
        elif page is self.home:
            self.home.refresh()
        elif page is self.reviews:
            self.reviews.refresh()
        elif page is self.review_page:
            self.review_page.refresh()
        elif isinstance(page, FormPage):
            page.refresh()
        if page is self.login:
            self.login.cancel_button.setText(
                self.tr("BACK") if self.login_vm.exit_mode else self.tr("EXIT STATION")
            )
            self.login.title.setText(
                self.tr("Administrator login to close the station")
                if self.login_vm.exit_mode
                else self.tr("Log in")
            )
            if self.login_vm.badge:
                self.login_user.setText(self.login_vm.identity_text)

    # ------------------------------------------------------------------ engine round trips

    def send(self, action: Action, then: Callable[[Action, Outcome], None]) -> bool:
        """Post an action to the engine thread; False when another one is still running."""
        if self.client.dispatching:  # one action at a time: a second tap waits for the first
            return False
        self.runner_vm.busy = True

        def done(result: object, error: str | None) -> None:
            self.runner_vm.busy = False
            if error is not None or not isinstance(result, Outcome):
                outcome = Outcome(
                    status="error", message=error or self.tr("No answer from the engine."), state=self.state
                )
            else:
                outcome = result
            if outcome.state is not None:
                self.state = outcome.state
                self.runner_vm.header.state = outcome.state
            then(action, outcome)
            self.outcome_shown.emit((action, outcome))

        self.client.request("dispatch", action, done)
        return True

    def _idle_changed(self, idle: bool) -> None:
        if self.stack.currentWidget() in (self.start_page, self.review_sign_page):
            self.stack.currentWidget().refresh()  # type: ignore[attr-defined]

    def submit_login(self) -> None:
        if self.login_vm.can_submit:
            self.send(self.login_vm.action(), self._after_login)

    def _after_login(self, action: Action, outcome: Outcome) -> None:
        exit_mode = self.login_vm.exit_mode
        self.login_vm.apply(outcome)
        if outcome.status != "done" or outcome.state is None:
            self.refresh()
            return
        self.idle.touch()
        if exit_mode:
            user = outcome.state.user
            is_admin = user is not None and "admin" in user.roles
            self.login_vm.exit_mode = False
            self.send(Logout(), lambda _a, _o: self._closed_by_admin(is_admin))
            return
        self.route(outcome.state)

    def _closed_by_admin(self, is_admin: bool) -> None:
        self.clear_session()
        if is_admin:
            self.allow_close = True
            self.quit_requested.emit(0)
            return
        self.login_vm.message = self.tr("Only an administrator can close the station.")
        self.show_page(self.login)

    def _toggle_exit_mode(self) -> None:
        self.login_vm.exit_mode = not self.login_vm.exit_mode
        self.login_vm.message = ""
        self.refresh()

    def route(self, state: StationState) -> None:
        self.state = state
        self.runner_vm.set_state(state)
        if state.user is None:
            self.clear_session()
            self.show_page(self.login)
        elif state.user.must_change_password:
            self.pw_vm.reset(state.user.id)
            self.show_page(self.password_page)
        elif state.batch is not None and not self.is_reviewer:  # QA reviews; it does not execute
            self.show_page(self.runner)
        else:
            self.go_home()

    def _after_password(self, action: Action, outcome: Outcome) -> None:
        self.pw_vm.apply(outcome)
        if outcome.status == "done" and outcome.state is not None:
            self.route(outcome.state)
        else:
            self.refresh()

    @property
    def is_reviewer(self) -> bool:
        """A QA user reviews completed batches; a QA user does not start batches."""
        user = self.state.user if self.state is not None else None
        return user is not None and "qa" in user.roles

    def go_home(self) -> None:
        if self.is_reviewer:
            self.review_queue_vm.message = ""
            self.show_page(self.reviews)
            self.load_reviews()
            return
        self.home_vm.message = ""
        self.show_page(self.home)
        self.load_lists()

    # ------------------------------------------------------------------ QA review

    def load_reviews(self) -> None:
        def done(result: object, error: str | None) -> None:
            if error is None and isinstance(result, tuple):
                items, timezone = result
                self.review_queue_vm.timezone = timezone
                self.review_queue_vm.set_items(items)
                self.review_queue_vm.message = ""
            else:
                self.review_queue_vm.message = error or ""
            if self.stack.currentWidget() is self.reviews:
                self.reviews.refresh()

        self.client.request("call", review_queue, done)

    def open_review(self, batch_id: str) -> None:
        if self.client.busy:
            return

        def done(result: object, error: str | None) -> None:
            if error is None and isinstance(result, ReviewVM):
                self.review_vm = result
                self.review_page.bind(result)
                self.show_page(self.review_page)
            else:
                self.review_queue_vm.message = error or self.tr("No answer from the engine.")
                self.refresh()

        self.client.request("call", open_review(batch_id), done)

    def open_review_sign(self, approve: bool) -> None:
        if self.review_vm is None or not self.review_vm.can_review:
            return
        self.review_sign_vm.reset(self.review_vm.batch_id, approve)
        self._title_review_sign()
        self.show_page(self.review_sign_page)

    def _title_review_sign(self) -> None:
        vm = self.review_sign_vm
        page = self.review_sign_page
        page.title.setText(vm.title)
        page.info.setText(vm.info)
        page.submit_button.setText(vm.submit_label)
        page.submit_button.setProperty("kind", "ok" if vm.approve else "bad")
        repolish(page.submit_button)

    def submit_review(self) -> None:
        vm = self.review_sign_vm
        if not vm.can_submit or self.client.busy:
            return

        def done(result: object, error: str | None) -> None:
            if isinstance(result, ReviewVM):
                vm.signed()
                self.review_vm = result
                self.review_page.bind(result)
                self.show_page(self.review_page)
                return
            vm.refused(result.message if isinstance(result, Refused) else (error or ""))
            self.refresh()

        self.client.request("call", sign_review(vm.batch_id, vm.request()), done)
        self.review_sign_page.refresh()

    def load_lists(self) -> None:
        def done(result: object, error: str | None) -> None:
            if error is None and isinstance(result, tuple):
                self.home_vm.set_lists(*result)
            else:
                self.home_vm.message = error or ""
            if self.stack.currentWidget() is self.home:
                self.home.refresh()

        self.client.request("lists", None, done)

    def open_start(self) -> None:
        self.home_vm.message = ""
        if self.home_vm.recipe is not None:
            r = self.home_vm.recipe
            self.start_page.info.setText(f"{r.code} v{r.version} · {r.title} · {r.product_name}")
            self.home_vm.select_recipe(self.home_vm.selected_recipe or 0)
        self.start_page.retranslate_fields()  # the unit of the batch size
        self.show_page(self.start_page)

    def _after_batch(self, action: Action, outcome: Outcome) -> None:
        if isinstance(action, StartBatch):
            self.home_vm.apply(outcome)
        if outcome.status == "done" and outcome.state is not None:
            self.runner_vm.continue_after_review()
            self.runner_vm.panel = None
            self.route(outcome.state)
        else:
            self.home_vm.message = explain(outcome)
            self.refresh()

    def _after_step(self, action: Action, outcome: Outcome) -> None:
        self.runner_vm.apply(action, outcome)
        if outcome.state is not None and outcome.state.user is None:
            self.route(outcome.state)
            return
        self.show_page(self.runner)

    def _continue(self) -> None:
        self.runner_vm.continue_after_review()
        self.refresh()

    def _dismiss(self) -> None:
        self.runner_vm.dismiss_panel()
        self.refresh()

    def open_override(self) -> None:
        panel = self.runner_vm.panel
        if panel is None or panel.step is None:
            return
        self.override_vm = OverrideVM(step=panel.step, codes=tuple(r.code for r in panel.refusals))
        self.override_acknowledges = panel.can_acknowledge
        self._title_override()
        self.override_page.info.setText(panel.detail or panel.message)
        self.show_page(self.override_page)

    def _title_override(self) -> None:
        page = self.override_page
        if self.override_acknowledges:
            page.title.setText(self.tr("Supervisor acknowledgement (e-signature)"))
            page.submit_button.setText(self.tr("SIGN AND ACKNOWLEDGE"))
        else:
            page.title.setText(self.tr("Supervisor override (e-signature)"))
            page.submit_button.setText(self.tr("SIGN AND OVERRIDE"))

    def _after_override(self, action: Action, outcome: Outcome) -> None:
        assert isinstance(action, Override)
        self.override_vm.apply(outcome)
        if outcome.status in ("done", "deviation"):
            self.override_vm = OverrideVM(step="")
            self.runner_vm.panel = None
            if outcome.state is not None:
                self.runner_vm.set_state(outcome.state)
            self.last_message = outcome.message
            self.show_page(self.runner)
        else:
            self.refresh()

    def open_deviation(self) -> None:
        vm = self.deviation_vm
        vm.step = self.runner_vm.batch.current_step if self.runner_vm.batch else None
        vm.category = ""
        vm.text.set("")
        vm.message = ""
        for b in self.category_buttons:
            b.setAutoExclusive(False)
            b.setChecked(False)
            b.setAutoExclusive(True)
        self.show_page(self.deviation_page)

    def _choose_category(self, category: str) -> None:
        self.deviation_vm.category = category
        self.deviation_page.refresh()

    def open_hold(self, resume: bool) -> None:
        vm = self.hold_vm
        vm.resume = resume
        vm.reason.set("")
        self.hold_page.title.setText(
            self.tr("Resume the batch") if resume else self.tr("Put the batch on hold")
        )
        self.hold_page.info.setText(
            self.tr("A reason for resuming (optional).")
            if resume
            else self.tr("Why is the batch put on hold?")
        )
        self.hold_page.submit_button.setText(self.tr("RESUME") if resume else self.tr("HOLD THE BATCH"))
        self.show_page(self.hold_page)

    def _after_form(self, action: Action, outcome: Outcome) -> None:
        if outcome.status == "done":
            if outcome.state is not None:
                self.runner_vm.set_state(outcome.state)
            self.runner_vm.panel = None
            self.show_page(self.runner)
        else:
            msg = explain(outcome)
            if isinstance(action, RaiseDeviation):
                self.deviation_vm.message = msg
            else:
                self.hold_page.info.setText(msg)
            self.refresh()

    def logout(self, message: str = "", reason: str = "") -> None:
        """Log out; ``reason`` goes into the audit trail ("idle" for the automatic logout)."""

        def done(_a: Action, outcome: Outcome) -> None:
            self.clear_session()
            self.login_vm.message = message
            self.show_page(self.login)

        self.send(Logout(reason=reason), done)

    def clear_session(self) -> None:
        """Forget everything typed in this session: a new login needs both components again."""
        self.login_vm.reset()
        self.pw_vm.reset("")
        self.override_vm = OverrideVM(step="")
        self.deviation_vm.text.set("")
        self.hold_vm.reason.set("")
        self.review_sign_vm.reset("", True)
        self.review_vm = None
        self.review_queue_vm.items = []
        self.home_vm.batch_id.set("")
        self.runner_vm.reset()
        self.state = None
        self.header.vm.state = None

    # ------------------------------------------------------------------ idle, clock, devices

    def _tick(self) -> None:
        self.header.tick()
        if (
            self.state is not None
            and self.state.user is not None
            and self.idle.expired()
            and not self.client.busy
        ):
            minutes = max(1, round(self.idle.timeout_s / 60))
            self.logout(
                self.tr("Logged out after %n minute(s) without activity.", "", minutes), reason="idle"
            )

    def on_scan(self, raw: str) -> None:
        self.idle.touch()
        reading = decode(raw)
        page = self.stack.currentWidget()
        if page is self.login:
            self.login_vm.scan_badge(reading.plain)
            self.login_user.setText(self.login_vm.identity_text)
            self.login.fields.activate(self.login_password)
            self.refresh()
            return
        if page is self.override_page:
            self.override_vm.scan_badge(reading.plain)
            self.override_page.refresh()
            return
        if page is self.review_sign_page:
            self.review_sign_vm.scan_badge(reading.plain)
            self.review_sign_page.fields.activate(self.review_sign_page.fields.fields[1])
            self.review_sign_page.refresh()
            return
        if page is self.runner and self.runner_vm.panel is None and self.runner_vm.review is None:
            step_vm = self.runner_vm.step_vm
            if isinstance(step_vm, (EquipmentVM, WeighVM)):
                self.send(step_vm.scan(raw, reading.plain), self._after_step)
                return
            if isinstance(step_vm, SignatureVM):
                step_vm.scan_badge(reading.plain)
                view = self.runner.views["signature"]
                assert isinstance(view, SignatureView)
                view.refresh()
                return

    def on_reading(self, reading: ScaleReading | None) -> None:
        status = self.runner_vm.header.devices
        status.reading = reading
        if reading is not None:
            status.scale_connected = True
        self.runner_vm.sync_devices()
        self.runner.refresh_reading()
        self.header.refresh_devices()

    def on_scale_connection(self, connected: bool) -> None:
        status = self.runner_vm.header.devices
        status.scale_connected = connected
        if not connected:
            status.reading = None
        self.runner_vm.sync_devices()
        self.runner.refresh_reading()
        self.header.refresh_devices()

    def on_scanner_connection(self, connected: bool) -> None:
        self.runner_vm.header.devices.scanner_connected = connected
        self.header.refresh_devices()

    def scale_command(self, command: str) -> None:
        if self.devices is not None:
            getattr(self.devices, command)()

    # ------------------------------------------------------------------ closing

    def closeEvent(self, event) -> None:
        if not self.allow_close:
            event.ignore()
            return
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        self.timer.stop()
