"""The users page with its e-signature form, and QA's page of the site's audit trail. The lists
are read on the engine thread (``EngineClient.call``); the tasks go to the engine as actions."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal

from station.engine.api import Action, Outcome

from ..admin_calls import TrailPage, TrailQuery, trail_page, user_rows
from ..admin_view import SiteTrailPage, UsersPage
from ..forms import FormPage
from ..viewmodels.admin import AdminSignVM, UsersVM
from ..viewmodels.site_trail import SiteTrailVM
from ..worker import Failed
from .base import Controller, FormController, Router, Session


class UsersController(Controller):
    view: UsersPage
    task_requested = Signal(str, object)  # the task, the UserRow

    def __init__(self, session: Session, router: Router) -> None:
        super().__init__(session, router)
        self.vm = UsersVM()
        self.view = UsersPage(self.vm)
        self.view.reload.connect(self.load)
        self.view.back.connect(self._back)
        self.view.logout.connect(lambda: self.router.logout())
        self.view.task_requested.connect(self._task)

    def header_text(self) -> str:
        return self.tr("User administration")

    def open(self) -> None:
        state = self.session.state
        if state is not None and state.user is not None:
            self.vm.set_actor(state.user.id, state.user.roles)
        self.vm.message, self.vm.temporary = "", ""
        self.router.show_screen(self)
        self.load()

    def load(self) -> None:
        self.session.client.call(user_rows, self._loaded)

    def _loaded(self, rows: Any) -> None:
        if isinstance(rows, Failed):
            self.vm.message = rows.error
        else:
            self.vm.set_rows(rows)
        self.view.refresh()

    def _task(self, task: str) -> None:
        row = self.vm.row
        if row is not None and self.vm.allowed(task):
            self.vm.temporary = ""
            self.task_requested.emit(task, row)

    def _back(self) -> None:
        self.vm.temporary = ""
        self.router.go_home()

    def after_task(self, message: str, temporary: str) -> None:
        """Back from a signed task: what it did, the list as it is now."""
        self.vm.message, self.vm.temporary = message, temporary
        self.router.show_screen(self)
        self.load()

    def refresh(self) -> None:
        self.view.refresh()

    def retranslate(self, language: str) -> None:
        self.view.retranslate()

    def clear(self) -> None:
        self.vm.clear()


class AdminSignController(FormController):
    """The e-signature of a task on an account: the password again and a mandatory reason."""

    follows_engine = True
    signed = Signal(str, str)  # what was done (a sentence), a reset's temporary password
    cancelled = Signal()

    def __init__(self, session: Session, router: Router) -> None:
        super().__init__(session, router)
        self.vm = vm = AdminSignVM()
        page = FormPage("user_sign", fields_per_row=2)
        self.view = page
        page.grid.setColumnStretch(0, 1)
        page.grid.setColumnStretch(1, 2)
        page.add_field(lambda: self.tr("Your password"), lambda: vm.password, "user_sign_password")
        page.add_field(lambda: self.tr("Reason (mandatory)"), lambda: vm.reason, "user_sign_reason")
        page.problem_getter = lambda: vm.problem
        page.message_getter = lambda: vm.message
        page.enabled_getter = lambda: vm.can_submit and not self.session.client.busy
        page.edited = lambda: setattr(vm, "message", "")
        page.submitted.connect(self.submit)
        page.cancelled.connect(self.cancelled.emit)

    def header_text(self) -> str:
        return self.tr("User administration")

    def retranslate(self, language: str) -> None:
        super().retranslate(language)
        self._title()
        self.view.cancel_button.setText(self.tr("CANCEL"))

    def _title(self) -> None:
        self.view.title.setText(self.vm.title)
        self.view.info.setText(self.vm.info)
        self.view.submit_button.setText(self.tr("SIGN"))

    def open(self, task: str, row: Any) -> None:
        state = self.session.state
        user = state.user.id if state is not None and state.user is not None else ""
        self.vm.open(task, row, user)
        self._title()
        self.router.show_screen(self)

    def clear(self) -> None:
        self.vm.password.set("")
        self.vm.reason.set("")

    def submit(self) -> None:
        if self.vm.can_submit and not self.session.client.busy:
            self.session.send(self.vm.action(), self._after)

    def _after(self, action: Action, outcome: Outcome) -> None:
        temporary = self.vm.apply(outcome)
        if outcome.state is not None and outcome.state.user is None:
            self.router.route(outcome.state)  # the session ended meanwhile
        elif temporary is None:
            self.router.refresh()
        else:
            self.signed.emit(self.vm.done_message(), temporary)


class SiteTrailController(Controller):
    view: SiteTrailPage

    def __init__(self, session: Session, router: Router) -> None:
        super().__init__(session, router)
        self.vm = SiteTrailVM()
        self.view = SiteTrailPage(self.vm)
        self.view.filters_changed.connect(lambda: self._load(self.vm.first_page()))
        self.view.older.connect(lambda: self._load(self.vm.older()))
        self.view.newer.connect(lambda: self._load(self.vm.newer()))
        self.view.back.connect(self.router.go_home)
        self.view.logout.connect(lambda: self.router.logout())

    def header_text(self) -> str:
        return self.tr("QA: site audit trail")

    def open(self) -> None:
        self.router.show_screen(self)
        self._load(self.vm.first_page())

    def _load(self, query: TrailQuery | None) -> None:
        if query is None:
            return
        self.vm.loading = True
        self.view.refresh()
        self.session.client.call(trail_page(query), self._loaded)

    def _loaded(self, page: TrailPage | Failed) -> None:
        if isinstance(page, Failed):
            self.vm.failed(page.error)
        else:
            self.vm.show(page)
        self.view.refresh()

    def refresh(self) -> None:
        self.view.refresh()

    def retranslate(self, language: str) -> None:
        self.view.retranslate()

    def clear(self) -> None:
        self.vm = SiteTrailVM()
        self.view.vm = self.vm
