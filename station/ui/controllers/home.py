"""Home: the batches at this station and the approved recipes; and the form that starts a batch."""

from __future__ import annotations

from PySide6.QtCore import Signal

from station.engine.api import Action, OpenBatch, Outcome, StartBatch

from ..forms import FormPage
from ..home_view import HomePage
from ..viewmodels.admin import may_administer
from ..viewmodels.home import HomeVM
from ..viewmodels.reasons import explain
from ..worker import Failed, HomeLists
from .base import Controller, FormController, Router, Session


class HomeController(Controller):
    view: HomePage
    start_requested = Signal()
    batch_opened = Signal(object)  # the StationState with the batch open

    def __init__(self, session: Session, router: Router) -> None:
        super().__init__(session, router)
        self.vm = HomeVM()
        self.view = HomePage(self.vm)
        self.view.open_batch.connect(lambda bid: self.session.send(OpenBatch(batch_id=bid), self.after_batch))
        self.view.start_batch.connect(self.start_requested.emit)
        self.view.logout.connect(lambda: self.router.logout())
        self.view.reload.connect(self.load)

    def open(self) -> None:
        self.vm.message = ""
        state = self.session.state
        roles = state.user.roles if state is not None and state.user is not None else ()
        self.view.users_button.setVisible(may_administer(roles))
        self.router.show_screen(self)
        self.load()

    def load(self) -> None:
        self.session.client.load_lists(self._loaded)

    def _loaded(self, lists: HomeLists | Failed) -> None:
        if isinstance(lists, Failed):
            self.vm.message = lists.error
        else:
            self.vm.set_lists(list(lists.batches), list(lists.recipes))
        if self.view.isVisible():
            self.view.refresh()

    def refresh(self) -> None:
        self.view.refresh()

    def retranslate(self, language: str) -> None:
        self.view.retranslate()

    def clear(self) -> None:
        self.vm.batch_id.set("")

    def after_batch(self, action: Action, outcome: Outcome) -> None:
        """A batch started or opened (from here or the start form)."""
        if isinstance(action, StartBatch):
            self.vm.apply(outcome)
        if outcome.status == "done" and outcome.state is not None:
            self.batch_opened.emit(outcome.state)
        else:
            self.vm.message = explain(outcome)
            self.router.refresh()


class StartController(FormController):
    """The batch id and size for a new batch of the recipe chosen at home."""

    follows_engine = True
    cancelled = Signal()

    def __init__(self, session: Session, router: Router, home: HomeController) -> None:
        super().__init__(session, router)
        self.home = home
        self.vm = vm = home.vm
        page = FormPage("start")
        self.view = page
        page.add_field(lambda: self.tr("Batch id"), lambda: vm.batch_id, "start_batch_id")
        page.add_field(
            lambda: self.tr("Batch size (%1)").replace("%1", vm.recipe.unit if vm.recipe else "kg"),
            lambda: vm.size,
            "start_size",
        )
        page.problem_getter = lambda: vm.problem
        page.message_getter = lambda: vm.message
        page.enabled_getter = lambda: vm.can_start and not self.session.client.dispatching
        page.edited = lambda: setattr(vm, "message", "")
        page.submitted.connect(self.submit)
        page.cancelled.connect(self.cancelled.emit)

    def retranslate(self, language: str) -> None:
        super().retranslate(language)
        self.view.title.setText(self.tr("Start a new batch"))
        self.view.submit_button.setText(self.tr("START THE BATCH"))
        self.view.cancel_button.setText(self.tr("CANCEL"))

    def open(self) -> None:
        vm = self.vm
        vm.message = ""
        if vm.recipe is not None:
            r = vm.recipe
            self.view.info.setText(f"{r.code} v{r.version} · {r.title} · {r.product_name}")
            vm.select_recipe(vm.selected_recipe or 0)
        self.view.retranslate_fields()  # the unit of the batch size
        self.router.show_screen(self)

    def submit(self) -> None:
        if self.vm.can_start:
            self.session.send(self.vm.start_action(), self.home.after_batch)
