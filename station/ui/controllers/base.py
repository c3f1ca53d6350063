"""What the screens' controllers share: the session (the engine client, the station's state,
one action at a time) and the router the main window is to them."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from station.engine.api import Action, Outcome, StationState

from ..forms import FormPage
from ..viewmodels.runner import RunnerVM
from ..viewmodels.session import IdleTracker, is_administrator, is_reviewer
from ..worker import EngineClient, Failed

if TYPE_CHECKING:
    from ..viewmodels.scan import ScanReading


class Session(QObject):
    """The engine client, the station's state as the engine last told it, the batch's header and
    step models (``runner_vm``), and the idle clock."""

    outcome_shown = Signal(object)  # (action, outcome) once the screen shows it

    def __init__(self, client: EngineClient, runner_vm: RunnerVM, idle: IdleTracker) -> None:
        super().__init__()
        self.client = client
        self.runner_vm = runner_vm
        self.idle = idle
        self.state: StationState | None = None

    @property
    def is_reviewer(self) -> bool:
        return is_reviewer(self.state.user if self.state is not None else None)

    @property
    def is_administrator(self) -> bool:
        return is_administrator(self.state.user if self.state is not None else None)

    def send(self, action: Action, then: Callable[[Action, Outcome], None]) -> bool:
        """Post an action to the engine thread; False when another one is still running."""
        if self.client.dispatching:  # one action at a time: a second tap waits for the first
            return False
        self.runner_vm.busy = True

        def done(result: Outcome | Failed) -> None:
            self.runner_vm.busy = False
            if isinstance(result, Failed):
                outcome = Outcome(status="error", message=result.error, state=self.state)
            else:
                outcome = result
            if outcome.state is not None:
                self.state = outcome.state
                self.runner_vm.header.state = outcome.state
            then(action, outcome)
            self.outcome_shown.emit((action, outcome))

        self.client.dispatch(action, done)
        return True

    def clear(self) -> None:
        self.state = None
        self.runner_vm.reset()


class Router(Protocol):
    """What a controller may ask of the main window."""

    def show_screen(self, screen: Controller) -> None: ...

    def route(self, state: StationState) -> None: ...

    def go_home(self) -> None: ...

    def logout(self, message: str = "", reason: str = "") -> None: ...

    def clear_session(self) -> None: ...

    def refresh(self) -> None: ...


class Controller(QObject):
    """One screen: its view-model, its widget (``view``), what it sends to the engine."""

    view: QWidget
    with_batch = False  # the header shows the open batch above this screen
    follows_engine = False  # refreshed when the engine thread goes busy or idle (enabled buttons)

    def __init__(self, session: Session, router: Router) -> None:
        super().__init__()
        self.session = session
        self.router = router

    @property
    def name(self) -> str:
        return self.view.objectName()

    def shown(self) -> None:
        """The screen has just become the current one."""

    def refresh(self) -> None:
        """Show the view-model as it is now."""

    def retranslate(self, language: str) -> None:
        """The station's language changed (``language`` also picks the keyboard layout)."""

    def clear(self) -> None:
        """Forget everything typed in this session (a logout)."""

    def scan(self, raw: str, reading: ScanReading) -> None:
        """A code scanned while this screen is shown."""

    def header_text(self) -> str | None:
        """The header's first line when this screen words it itself."""
        return None

    def inner_views(self) -> list[QWidget]:
        """Views inside this screen to lay out ahead of time (the runner's step views)."""
        return []


class FormController(Controller):
    """A screen that is a touch form: fields, a message line, SUBMIT and CANCEL."""

    view: FormPage

    def shown(self) -> None:
        self.view.refresh()
        self.view.focus_first()

    def refresh(self) -> None:
        self.view.refresh()

    def retranslate(self, language: str) -> None:
        self.view.retranslate_fields()
        self.view.keyboard.set_layout(language)
