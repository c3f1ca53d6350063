"""The execution engine: one action in, gate + record + audit in ONE transaction, state out.

Both front ends drive this class: the touchscreen UI (on a worker thread) and the headless
runner (`mes-station run`). It holds only session state (who is logged in, which batch is
open) and caches; everything about the batch itself is rebuilt from the batch's audit events,
so what the engine believes is always what the database has committed.

Each action is handled by one function of its own, found in ``HANDLERS`` by the action's
type and given the action and a ``Context`` (``station.engine.context``). Each follows the
same path:
1. open a unit of work (a write transaction);
2. bring the batch state up to date with the stream (cheap: only when it moved on);
3. ask the gates with the facts of now;
4. refused: append one refused event with the reasons and commit; done: write the typed
   record(s) and their events, commit;
5. answer with the outcome and the new state.
If anything fails before the commit, the transaction rolls back and the action is not
recorded at all. The handlers live in rooms of their own: the session
(``session_actions``), the steps without devices (``step_actions``), scans and weighing
(``scans``), deviations and overrides (``deviations``) and the batch's life
(``batch_actions``); what the screens are handed is made in ``views``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any
from zoneinfo import ZoneInfo

from ebr import events as ev
from ebr.database import Database
from ebr.errors import DatabaseLocked, StoreError
from gating.reasons import GatePolicy
from gating.wording import Wording
from station.engine import (
    api,
    batch_actions,
    deviations,
    labels,
    scans,
    session_actions,
    step_actions,
    user_admin,
)
from station.engine.answers import ActionError, Result
from station.engine.context import Context, Session, Settings
from station.engine.master_facts import MasterFacts
from station.engine.open_batch import OpenBatch, RecipeBook, load_state
from station.engine.views import StepViews, refusal_view, station_view

#: How often an action is tried while another writer holds the store past the busy timeout.
LOCKED_ATTEMPTS = 3

#: One handler per action type: the action and its context in, how it went out.
HANDLERS: Mapping[type[Any], Callable[[Any, Context], Result]] = {
    api.Login: session_actions.login,
    api.Logout: session_actions.logout,
    api.ChangePassword: session_actions.change_password,
    api.StartBatch: batch_actions.start,
    api.OpenBatch: batch_actions.open_batch,
    api.Confirm: step_actions.confirm,
    api.Answer: step_actions.answer,
    api.Enter: step_actions.enter,
    api.Scan: scans.scan,
    api.Weigh: scans.weigh,
    api.Sign: step_actions.sign,
    api.Override: deviations.override,
    api.Decide: deviations.decide,
    api.PrintLabel: labels.print_label,
    api.AdministerUser: user_admin.administer_user,
    api.RaiseDeviation: deviations.raise_deviation,
    api.Hold: batch_actions.hold,
    api.Resume: batch_actions.resume,
    api.Complete: batch_actions.complete,
}


class Engine:
    def __init__(
        self,
        db: Database,
        *,
        station: str = "STATION-01",
        site_tz: str = "Europe/Berlin",
        policy: GatePolicy | None = None,
        printer: str | None = None,
    ) -> None:
        self.db = db
        self.settings = Settings(station, ZoneInfo(site_tz), policy or GatePolicy(), printer)
        self._lock = threading.RLock()  # one action at a time, whichever thread sends it
        self._session = Session()
        self._recipes = RecipeBook()
        self._facts = MasterFacts()  # master data the gates read on every step
        self._batch = OpenBatch(self._recipes, self._facts)
        self._step_views = StepViews()  # the screens' step views, made again only when changed

    # ================================================================ public API
    def dispatch(self, action: api.Action, *, request_id: str | None = None) -> api.Outcome:
        """Carry out one action. ``request_id``: an idempotency key the caller chooses (the
        runner: script hash and action index); it is written into the action's events so that
        after a crash the caller can tell which of its actions were recorded."""
        with self._lock:
            handler = HANDLERS.get(type(action))
            if handler is None:
                return self._error(f"unknown action {type(action).__name__}")
            try:
                # Argon2 is slow on purpose: passwords are checked (and a new one hashed) before
                # the handler's write transaction, so no other station waits on the write lock.
                passwords = session_actions.check_passwords(self.db, action)
                for attempt in range(1, LOCKED_ATTEMPTS + 1):
                    self._facts.new_action()
                    context = Context(
                        self.db, self.settings, self._session, self._batch, self._facts, request_id
                    )
                    context.passwords = passwords
                    try:
                        result = handler(action, context)
                        break
                    except DatabaseLocked:
                        # Nothing of the action was written (its transaction never began, or rolled
                        # back): another station held the store; try again, then give up.
                        self._batch.forget_state()
                        if attempt == LOCKED_ATTEMPTS:
                            raise
            except ActionError as exc:
                return self._error(str(exc), exc.wording)
            except StoreError as exc:
                self._batch.forget_state()  # read the batch from the database next time
                return self._error(str(exc))
            refusals = tuple(map(refusal_view, result.refusals))
            return api.Outcome(result.status, result.message, refusals, self._state_view())

    def close(self) -> None:
        """Close the record store this engine writes to (its background checkpoints included).
        The front end calls it when the station shuts down; the engine is not used after it."""
        with self._lock:
            self.db.dispose()

    def recorded_requests(self, batch_id: str) -> dict[str, api.Recorded]:
        """The request ids of every action recorded in a batch's stream (see ``dispatch``),
        each with how it went: refused (and why), opened a deviation, or done."""
        found: dict[str, api.Recorded] = {}
        with self._lock, self.db.unit_of_work(read_only=True) as uow:
            for recorded in uow.stream(batch_id):
                event = recorded.event
                if not isinstance(event, ev.BatchEvent) or event.request is None:
                    continue
                before = found.get(event.request, api.Recorded("done"))
                if isinstance(event, ev.ActionRefused):
                    found[event.request] = api.Recorded("refused", tuple(event.codes))
                elif isinstance(event, ev.DeviationOpened) and before.status == "done":
                    found[event.request] = api.Recorded("deviation", (event.origin,))
                else:
                    found.setdefault(event.request, before)
        return found

    def state(self) -> api.StationState:
        with self._lock:
            if self._batch.batch_id is not None:
                with self.db.unit_of_work(read_only=True) as uow:
                    self._batch.sync(uow)
            return self._state_view()

    def batches(self) -> list[api.BatchSummary]:
        with self._lock, self.db.unit_of_work(read_only=True) as uow:
            out = []
            for info in uow.batches():
                state = load_state(uow, info.batch_id, self._recipes)
                recipe = self._recipes.of(uow, info.recipe_code, info.recipe_version)
                out.append(
                    api.BatchSummary(
                        batch_id=info.batch_id,
                        recipe_code=info.recipe_code,
                        recipe_version=info.recipe_version,
                        product_name=recipe.product_name,
                        status=state.status.value,
                        current_step=state.current_step,
                        started_at=info.started_at.isoformat(),
                        open_deviations=len(state.open_deviations),
                    )
                )
            return out

    def recipes(self) -> list[api.RecipeSummary]:
        with self._lock, self.db.unit_of_work(read_only=True) as uow:
            out = []
            for stored in uow.recipes():
                recipe = self._recipes.parsed(stored)
                out.append(
                    api.RecipeSummary(
                        code=stored.code,
                        version=stored.version,
                        title=stored.title,
                        product_name=stored.product_name,
                        batch_size=recipe.batch_size.value,
                        unit=recipe.batch_size.unit,
                        status=stored.status,
                    )
                )
            return out

    @property
    def user_id(self) -> str | None:
        user = self._session.user
        return user.user_id if user is not None else None

    @property
    def batch_id(self) -> str | None:
        return self._batch.batch_id

    @property
    def site_tz(self) -> ZoneInfo:
        """The site's time zone: local days (expiry, calibration) and times are its."""
        return self.settings.site_tz

    # ================================================================ answers
    def _error(self, message: str, worded: Wording | None = None) -> api.Outcome:
        return api.Outcome("error", message, (), self._state_view(), worded)

    def _state_view(self) -> api.StationState:
        return station_view(self._session, self._batch, self._step_views)
