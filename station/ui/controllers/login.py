"""The login screen (badge or user id, the language, a kiosk's exit) and the password change
forced at the first login."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QPushButton

from ebr.software import software_name
from station.engine.api import Action, Logout, Outcome

from ..forms import FormPage
from ..viewmodels.login import LANGUAGES, ChangePasswordVM, LoginVM
from ..viewmodels.scan import ScanReading
from ..widgets import button
from .base import FormController, Router, Session


class LoginController(FormController):
    language_chosen = Signal(str)
    close_station = Signal()  # an administrator logged in to close the kiosk

    def __init__(self, session: Session, router: Router, *, kiosk: bool, language: str) -> None:
        super().__init__(session, router)
        self.vm = vm = LoginVM()
        page = FormPage("login", with_cancel=kiosk)
        self.view = page
        self.user_field = page.add_field(lambda: self.tr("User id or badge"), lambda: vm.user, "login_user")
        self.password_field = page.add_field(
            lambda: self.tr("Password"), lambda: vm.password, "login_password"
        )
        self.user_field.textEdited.connect(lambda _t: vm.type_user())
        page.message_getter = lambda: vm.message
        page.enabled_getter = lambda: vm.can_submit
        page.submitted.connect(self.submit)
        page.cancelled.connect(self._toggle_exit_mode)
        self.language_buttons: dict[str, QPushButton] = {}
        for code, name in LANGUAGES:
            b = button(name, "plain", name=f"lang_{code}")
            b.setCheckable(True)
            b.setAutoExclusive(True)
            b.setChecked(code == language)
            b.clicked.connect(lambda _=False, code=code: self.language_chosen.emit(code))
            page.title_row.addWidget(b)
            self.language_buttons[code] = b
        # The About line: which software this station runs, the package's version (as exports
        # say). In the title row: the screen's height belongs to the keyboard.
        self.about = QLabel(software_name())
        self.about.setObjectName("about")
        page.title_row.insertWidget(1, self.about)

    def retranslate(self, language: str) -> None:
        super().retranslate(language)
        for code, b in self.language_buttons.items():
            b.setChecked(code == language)
        self.view.info.setText(self.tr("Scan your badge, or type your user id; then your password."))
        self.view.submit_button.setText(self.tr("LOG IN"))

    def refresh(self) -> None:
        super().refresh()
        exit_mode = self.vm.exit_mode
        self.view.cancel_button.setText(self.tr("BACK") if exit_mode else self.tr("EXIT STATION"))
        self.view.title.setText(
            self.tr("Administrator login to close the station") if exit_mode else self.tr("Log in")
        )
        if self.vm.badge:
            self.user_field.setText(self.vm.identity_text)

    def clear(self) -> None:
        self.vm.reset()

    def scan(self, raw: str, reading: ScanReading) -> None:
        self.vm.scan_badge(reading.plain)
        self.user_field.setText(self.vm.identity_text)
        self.view.fields.activate(self.password_field)
        self.router.refresh()

    def submit(self) -> None:
        if self.vm.can_submit:
            self.session.send(self.vm.action(), self._after_login)

    def _after_login(self, action: Action, outcome: Outcome) -> None:
        exit_mode = self.vm.exit_mode
        self.vm.apply(outcome)
        if outcome.status != "done" or outcome.state is None:
            self.router.refresh()
            return
        self.session.idle.touch()
        if exit_mode:
            user = outcome.state.user
            is_admin = user is not None and "admin" in user.roles
            self.vm.exit_mode = False
            self.session.send(Logout(), lambda _a, _o: self._closed_by_admin(is_admin))
            return
        self.router.route(outcome.state)

    def _closed_by_admin(self, is_admin: bool) -> None:
        self.router.clear_session()
        if is_admin:
            self.close_station.emit()
            return
        self.vm.message = self.tr("Only an administrator can close the station.")
        self.router.show_screen(self)

    def _toggle_exit_mode(self) -> None:
        self.vm.exit_mode = not self.vm.exit_mode
        self.vm.message = ""
        self.router.refresh()

    def logged_out(self, message: str) -> None:
        """Back at the login after a logout, with why (an idle logout says so)."""
        self.vm.message = message
        self.router.show_screen(self)


class PasswordController(FormController):
    """A user still on the imported initial password sets an own one before anything else."""

    def __init__(self, session: Session, router: Router) -> None:
        super().__init__(session, router)
        self.vm = vm = ChangePasswordVM()
        page = FormPage("password", fields_per_row=3)
        self.view = page
        page.add_field(lambda: self.tr("Current password"), lambda: vm.old, "password_old")
        page.add_field(lambda: self.tr("New password"), lambda: vm.new, "password_new")
        page.add_field(lambda: self.tr("New password again"), lambda: vm.repeat, "password_repeat")
        page.problem_getter = lambda: vm.problem
        page.message_getter = lambda: vm.message
        page.enabled_getter = lambda: vm.can_submit
        page.edited = lambda: setattr(vm, "message", "")
        page.submitted.connect(self.submit)
        page.cancelled.connect(lambda: self.router.logout())

    def retranslate(self, language: str) -> None:
        super().retranslate(language)
        self.view.title.setText(self.tr("Set your own password"))
        self.view.info.setText(
            self.tr(
                "Your password must be changed: it is the initial one, an administrator reset it, or it "
                "has expired. Choose a new one: at least 8 characters of 3 kinds, none of your last passwords."
            )
        )
        self.view.submit_button.setText(self.tr("SAVE PASSWORD"))
        self.view.cancel_button.setText(self.tr("LOG OUT"))

    def clear(self) -> None:
        self.vm.reset("")

    def open(self, user_id: str) -> None:
        self.vm.reset(user_id)
        self.router.show_screen(self)

    def submit(self) -> None:
        if self.vm.can_submit:
            self.session.send(self.vm.action(), self._after)

    def _after(self, action: Action, outcome: Outcome) -> None:
        self.vm.apply(outcome)
        if outcome.status == "done" and outcome.state is not None:
            self.router.route(outcome.state)
        else:
            self.router.refresh()
