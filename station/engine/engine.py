"""The execution engine: one action in, gate + record + audit in ONE transaction, state out.

Both front ends drive this class: the touchscreen UI (on a worker thread) and the headless
runner (`mes-station run`). It holds only session state (who is logged in, which batch is
open); everything about the batch itself is rebuilt from the batch's audit events, so what
the engine believes is always what the database has committed.

Each action follows the same path:
1. open a unit of work (a write transaction);
2. bring the batch state up to date with the stream (cheap: only when it moved on);
3. ask the gates with the facts of now;
4. refused: append one refused event with the reasons and commit; done: write the typed
   record(s) and their events, commit;
5. answer with the outcome and the new state.
If anything fails before the commit, the transaction rolls back and the action is not
recorded at all.
"""

from __future__ import annotations

import dataclasses
import functools
import threading
import uuid
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from ebr import events as ev
from ebr.clock import utc_now
from ebr.database import Database
from ebr.errors import StoreError
from ebr.lifecycle import BatchStatus, StepStatus
from ebr.replay import BatchState, Recorded
from ebr.uow import UnitOfWork
from gating import facts as gf
from gating import reasons, rules
from gating import wording as W
from gating.reasons import GatePolicy, ReasonCode, Refusal
from gating.wording import Wording, batch_status, wording
from hardware.barcodes.decoder import Gs1Item, PlainId, Unreadable, decode_scan
from recipes.loader import parse_recipe
from recipes.model import (
    CheckStep,
    EquipmentStep,
    InstructionStep,
    MasterRecipe,
    MeasureStep,
    Quantity,
    SignatureStep,
    WeighStep,
)
from recipes.scaling import ControlRecipe, scale_recipe
from recipes.units import convert, is_mass_unit
from station.engine import api
from station.engine import messages as M

SITE_STREAM = "site"
#: ``decode_scan``, remembered: a line scans the same few labels (every drum of a lot carries
#: the same one) again and again, and parsing GS1 is the slow part of a scan.
_decode = functools.lru_cache(maxsize=256)(decode_scan)
_MAX_SITE_EVENTS_SCANNED = 200  # more site events than this since the last look: drop the cache
STEP_ROLES = frozenset({"operator", "supervisor"})


class ActionError(Exception):
    """An action that cannot be understood here (unknown step, no batch open): no gate applies.
    Given a ``Wording`` (``station.engine.messages``), a station in another language says it
    in its own."""

    def __init__(self, message: str | Wording) -> None:
        self.wording = message if isinstance(message, Wording) else None
        super().__init__(message.text() if isinstance(message, Wording) else message)


class Engine:
    def __init__(
        self,
        db: Database,
        *,
        station: str = "STATION-01",
        site_tz: str = "Europe/Berlin",
        policy: GatePolicy | None = None,
        require_password_change: bool = True,
    ) -> None:
        self.db = db
        self.station = station
        self.site_tz = ZoneInfo(site_tz)
        self.policy = policy or GatePolicy()
        # The touchscreen makes a user with an imported initial password set a new one before
        # working; a validation script runs on test data whose initial passwords are the point.
        self.require_password_change = require_password_change
        self._lock = threading.RLock()  # one action at a time, whichever thread sends it
        self._user: gf.Actor | None = None
        self._must_change_password = False
        self._batch_id: str | None = None
        self._state: BatchState | None = None
        self._control: ControlRecipe | None = None
        self._recipes: dict[str, MasterRecipe] = {}  # by content hash
        self._material_names: dict[str, str] = {}  # material code -> name, for the screens
        self._step_views = _StepViews()  # the screens' step views, made again only when changed
        # Master data the gates read on every step, valid while the site stream stands still.
        self._site_head = -1
        self._site_head_checked = False  # in this action
        self._documents: dict[str, gf.Document | None] = {}
        self._training: dict[str, tuple[gf.TrainingRecord, ...]] = {}
        self._facts: dict[tuple[str, ...], Any] = {}  # lots, materials, equipment by key
        # (batch id, chain seq) after this engine's last commit, when that commit appended to
        # the open batch's stream only and the site head had been checked in that action:
        # while the chain head is still there, nobody has written anything since.
        self._quiet: tuple[str, int] | None = None
        self._request: str | None = None
        # Events this action wrote to the open batch's stream, applied to the in-memory state
        # once (and only once) the transaction has committed.
        self._pending: list[tuple[ev.AuditedEvent, str | None, str]] = []
        self._pending_seq = 0

    # ================================================================ public API
    def dispatch(self, action: api.Action, *, request_id: str | None = None) -> api.Outcome:
        """Carry out one action. ``request_id``: an idempotency key the caller chooses (the
        runner: script hash and action index); it is written into the action's events so that
        after a crash the caller can tell which of its actions were recorded."""
        with self._lock:
            handler = self._HANDLERS.get(type(action))
            if handler is None:
                return self._error(f"unknown action {type(action).__name__}")
            self._request = request_id
            self._site_head_checked = False
            try:
                status, message, refusals = handler(self, action)
            except ActionError as exc:
                return self._error(str(exc), exc.wording)
            except StoreError as exc:
                self._state = None  # reload from the database next time
                return self._error(str(exc))
            finally:
                self._request = None
                self._pending.clear()
                self._pending_seq = 0
            return api.Outcome(status, message, tuple(map(_view, refusals)), self._state_view())

    def close(self) -> None:
        """Close the record store this engine writes to (its background checkpoints included).
        The front end calls it when the station shuts down; the engine is not used after it."""
        with self._lock:
            self.db.dispose()

    def recorded_requests(self, batch_id: str) -> set[str]:
        """The request ids of every action recorded in a batch's stream (see ``dispatch``)."""
        with self._lock, self.db.unit_of_work(read_only=True) as uow:
            return {
                recorded.event.request
                for recorded in uow.stream(batch_id)
                if isinstance(recorded.event, ev.BatchEvent) and recorded.event.request is not None
            }

    def state(self) -> api.StationState:
        with self._lock:
            if self._batch_id is not None:
                with self.db.unit_of_work(read_only=True) as uow:
                    self._sync(uow)
            return self._state_view()

    def batches(self) -> list[api.BatchSummary]:
        with self._lock, self.db.unit_of_work(read_only=True) as uow:
            out = []
            for info in uow.batches():
                state = self._load_state(uow, info.batch_id)
                recipe = self._recipe_for(uow, info.recipe_code, info.recipe_version)
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
                recipe = self._recipes_from_text(stored.content_hash, stored.source_text, stored.code)
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
        return self._user.user_id if self._user else None

    @property
    def batch_id(self) -> str | None:
        return self._batch_id

    # ================================================================ helpers
    def _now(self) -> gf.Now:
        return gf.Now(utc_now(), self.site_tz)

    def _error(self, message: str, worded: Wording | None = None) -> api.Outcome:
        return api.Outcome("error", message, (), self._state_view(), worded)

    def _recipes_from_text(self, content_hash: str, text: str, code: str) -> MasterRecipe:
        recipe = self._recipes.get(content_hash)
        if recipe is None:
            recipe = parse_recipe(text, f"{code}.yaml")
            self._recipes[content_hash] = recipe
        return recipe

    def _recipe_for(self, uow: UnitOfWork, code: str, version: int) -> MasterRecipe:
        stored = uow.recipe(code, version)
        if stored is None:
            raise ActionError(f"recipe {code} version {version} is not in the database")
        return self._recipes_from_text(stored.content_hash, stored.source_text, stored.code)

    def _load_state(self, uow: UnitOfWork, batch_id: str, since: BatchState | None = None) -> BatchState:
        info = uow.batch(batch_id)
        if info is None:
            raise ActionError(f"batch {batch_id} is not in the database")
        recipe = self._recipe_for(uow, info.recipe_code, info.recipe_version)
        state = since
        for recorded in uow.stream(batch_id, after=since.stream_seq if since else 0):
            if state is None:
                first = recorded.event
                if not isinstance(first, ev.BatchStarted):
                    raise StoreError(
                        f"batch {batch_id}: its first event is {first.action}, not batch.started"
                    )
                state = BatchState.started(first, recipe.step_ids())
            state.apply(
                recorded.event, stream_seq=recorded.stream_seq, user_id=recorded.user_id, at=recorded.at
            )
        if state is None:
            raise StoreError(f"batch {batch_id} has no events")
        return state

    def _sync(self, uow: UnitOfWork) -> BatchState:
        """The open batch's state, brought up to date with what the database has committed."""
        if self._batch_id is None:
            raise ActionError(wording(M.NO_BATCH_OPEN))
        if self._state is not None:
            if (
                self._quiet is not None
                and self._quiet[0] == self._batch_id
                and not uow.read_only
                and uow.chain_seq() == self._quiet[1]
            ):
                # The chain head (read, and locked, for this action's own append anyway) is
                # where our last commit left it: neither the batch nor the site stream moved.
                self._site_head_checked = True
                return self._state
            # One query for both heads: the batch's (did anyone else record?) and the site's
            # (did master data change under the cached facts?).
            heads = uow.stream_heads(self._batch_id, SITE_STREAM)
            self._adopt_site_head(uow, heads[SITE_STREAM])
            if heads[self._batch_id] == self._state.stream_seq:
                return self._state
        state = self._load_state(uow, self._batch_id, since=self._state)
        self._state = state
        if self._control is None or self._control.content_hash != state.content_hash:
            recipe = self._recipe_for(uow, state.recipe_code, state.recipe_version)
            self._control = scale_recipe(recipe, Quantity(Decimal(state.size), state.unit))
            self._remember_materials(uow, recipe)
        return state

    def _remember_materials(self, uow: UnitOfWork, recipe: MasterRecipe) -> None:
        for _, step in recipe.steps():
            if isinstance(step, WeighStep) and step.material not in self._material_names:
                found = uow.material(step.material)
                if found is not None:
                    self._material_names[step.material] = found.name

    @property
    def _recipe(self) -> MasterRecipe:
        assert self._control is not None
        return self._control.master

    def _require_user(self) -> gf.Actor:
        if self._user is None:
            raise ActionError(wording(M.NO_USER))
        if self._must_change_password and self.require_password_change:
            raise ActionError(wording(M.NEW_PASSWORD_FIRST))
        return self._user

    def _actor(self, uow: UnitOfWork, user_id: str) -> gf.Actor | None:
        found = uow.user(user_id)
        if found is None:
            return None
        return gf.Actor(found.id, found.name, frozenset(found.roles), found.active, found.locked)

    def _master_facts_current(self, uow: UnitOfWork) -> None:
        """Drop cached master data (documents, training, lots, materials, equipment) when the
        site stream has moved by a ``master.*`` event: those change only by import, and every
        import change is such an event, so an unchanged head, or one moved only by logins and
        user events, proves the cache is what the database holds. One indexed query, and none
        when ``_sync`` has already checked the head in this action."""
        if not self._site_head_checked:
            self._adopt_site_head(uow, uow.stream_heads(SITE_STREAM)[SITE_STREAM])

    def _adopt_site_head(self, uow: UnitOfWork, head: int) -> None:
        if head != self._site_head:
            # Master data changes only by import, as ``master.*`` events; logins, logouts and
            # user events in between (every shift change) leave the cached facts true.
            moved = head - self._site_head
            if (
                self._site_head < 0
                or not 0 < moved <= _MAX_SITE_EVENTS_SCANNED
                or any(
                    action.startswith("master.")
                    for action in uow.actions_since(SITE_STREAM, self._site_head, moved)
                )
            ):
                self._documents.clear()
                self._training.clear()
                self._facts.clear()
            self._site_head = head
        self._site_head_checked = True

    def _fact(self, uow: UnitOfWork, key: tuple[str, ...], load: Callable[[], Any]) -> Any:
        """A master-data fact (lot, material, equipment), cached while the site stream stands."""
        self._master_facts_current(uow)
        if key not in self._facts:
            if len(self._facts) > 10_000:  # a long session on a big site: start again
                self._facts.clear()
            self._facts[key] = load()
        return self._facts[key]

    def _material(self, uow: UnitOfWork, code: str) -> Any:
        return self._fact(uow, ("material", code), lambda: uow.material(code))

    def _after_commit(self, uow: UnitOfWork) -> None:
        """Remember the chain head our commit left, if the next action may trust it (``_quiet``)."""
        written = uow.last_commit
        self._quiet = (
            (self._batch_id, written[0])
            if written is not None
            and self._batch_id is not None
            and self._state is not None
            and self._site_head_checked
            and written[1] == {self._batch_id: self._state.stream_seq}
            else None
        )

    def _training_refusals(self, uow: UnitOfWork, actor: gf.Actor, step_id: str) -> tuple[Refusal, ...]:
        self._master_facts_current(uow)
        required = self._recipe.required_training(step_id)
        documents = {}
        for code in required:
            if code not in self._documents:
                found = uow.document(code)
                self._documents[code] = (
                    None if found is None else gf.Document(found.code, found.revision, found.title)
                )
            document = self._documents[code]
            if document is not None:
                documents[code] = document
        training = self._training.get(actor.user_id)
        if training is None:
            training = self._training[actor.user_id] = tuple(
                gf.TrainingRecord(t.user_id, t.document, t.revision, t.trained_on, t.expires)
                for t in uow.training_of(actor.user_id)
            )
        return tuple(
            rules.check_training(actor, required, documents, training, self._now(), policy=self.policy)
        )

    # ---------------------------------------------------------------- recording
    def _refuse(
        self,
        uow: UnitOfWork,
        action_name: str,
        refusals: Sequence[Refusal],
        data: dict[str, Any],
        *,
        stream: str | None = None,
        user_id: str | None = None,
        entity_type: str = "step",
        entity_id: str | None = None,
    ) -> tuple[str, str, tuple[Refusal, ...]]:
        """Record a refused action (one event with every reason) and commit it."""
        stream = stream or self._batch_id or SITE_STREAM
        event = ev.ActionRefused(
            attempted=action_name,
            refusals=tuple(ev.RefusalNote(r.code.value, r.sentence) for r in refusals),
            attempt=data,
            subject_type=entity_type,
            subject=entity_id,
            request=self._request,
        )
        who = user_id if user_id is not None else self.user_id
        info, _ = uow.write(event, stream=stream, user_id=who)
        uow.commit()
        if self._state is not None and stream == self._batch_id:
            self._state.apply(event, stream_seq=info.stream_seq, user_id=who, at=info.occurred_at)
            self._after_commit(uow)
        else:
            self._quiet = None
        first = refusals[0]
        return "refused", first.sentence, tuple(refusals)

    def _write(self, uow: UnitOfWork, event: ev.BatchEvent, *, user_id: str | None = None) -> Any:
        """Write one event of the open batch (and its typed record) in the action's unit of
        work; it reaches the in-memory state once the unit of work commits. Returns the row."""
        assert self._batch_id is not None
        if self._request is not None:
            event = dataclasses.replace(event, request=self._request)
        who = user_id if user_id is not None else self.user_id
        info, row = uow.write(event, stream=self._batch_id, user_id=who)
        self._note(info.stream_seq, event, who, info.occurred_at)
        return row

    def _note(self, stream_seq: int, event: ev.AuditedEvent, user_id: str | None, at: str) -> None:
        self._pending.append((event, user_id, at))
        self._pending_seq = max(self._pending_seq, stream_seq)

    def _commit_and_refresh(self, uow: UnitOfWork) -> None:
        """Commit, then bring the in-memory state forward by exactly the events just written."""
        uow.commit()
        if self._state is None:
            self._state = self._load_state(uow, self._batch_id) if self._batch_id else None
            self._after_commit(uow)
            return
        for event, user_id, at in self._pending:
            self._state.apply(event, stream_seq=self._state.stream_seq, user_id=user_id, at=at)
        self._state.stream_seq = max(self._state.stream_seq, self._pending_seq)
        self._pending.clear()
        self._after_commit(uow)

    # ================================================================ session actions
    def _login(self, action: api.Login) -> tuple[str, str, tuple[Refusal, ...]]:
        from ebr import users

        who = action.user or action.badge or ""
        if action.badge:
            scanned = decode_scan(action.badge)
            if isinstance(scanned, PlainId):
                who = scanned.value
        with self.db.unit_of_work() as uow:
            result = users.authenticate(uow, who, action.password)
            uow.commit()
        if not result.ok or result.user is None:
            refusal = _auth_refusal(result, login=True)
            return "refused", refusal.sentence, (refusal,)
        actor = result.user
        self._user = gf.Actor(actor.id, actor.name, frozenset(actor.roles), actor.active, actor.locked)
        self._must_change_password = actor.must_change_password
        return "done", f"{actor.name} logged in", ()

    def _logout(self, action: api.Logout) -> tuple[str, str, tuple[Refusal, ...]]:
        if self._user is not None:
            with self.db.unit_of_work() as uow:
                event = ev.LoggedOut(
                    user=self._user.user_id,
                    station=self.station,
                    why=action.reason or "user",
                    note=action.reason or None,
                )
                uow.write(event, stream=SITE_STREAM, user_id=self._user.user_id)
                uow.commit()
        self._user = None
        self._must_change_password = False
        return "done", "logged out", ()

    def _change_password(self, action: api.ChangePassword) -> tuple[str, str, tuple[Refusal, ...]]:
        from ebr import users

        with self.db.unit_of_work() as uow:
            result = users.set_password(uow, action.user, action.old_password, action.new_password)
            uow.commit()
        if not result.ok:
            refusal = _auth_refusal(result, login=True)
            return "refused", refusal.sentence, (refusal,)
        if self._user is not None and self._user.user_id == action.user:
            self._must_change_password = False
        return "done", "password changed", ()

    # ================================================================ batch actions
    def _start(self, action: api.StartBatch) -> tuple[str, str, tuple[Refusal, ...]]:
        user = self._require_user()
        with self.db.unit_of_work() as uow:
            existing = uow.batch(action.batch_id)
            if existing is not None:
                if (existing.recipe_code, existing.recipe_version) != (
                    action.recipe_code,
                    action.recipe_version,
                ):
                    raise ActionError(
                        wording(
                            M.BATCH_EXISTS,
                            batch=action.batch_id,
                            recipe=existing.recipe_code,
                            version=existing.recipe_version,
                        )
                    )
                return self._open(uow, action.batch_id)
            stored = uow.recipe(action.recipe_code, action.recipe_version)
            if stored is None:
                raise ActionError(
                    wording(M.RECIPE_NOT_IMPORTED, recipe=action.recipe_code, version=action.recipe_version)
                )
            if stored.status != "approved":
                raise ActionError(
                    wording(M.RECIPE_NOT_APPROVED, recipe=action.recipe_code, version=action.recipe_version)
                )
            if not (STEP_ROLES & user.roles):
                refusals = tuple(rules.check_role(user, "operator", policy=self.policy))
                return self._refuse(
                    uow,
                    "batch.start",
                    refusals,
                    {"batch": action.batch_id},
                    stream=SITE_STREAM,
                    entity_type="batch",
                    entity_id=action.batch_id,
                )
            recipe = self._recipes_from_text(stored.content_hash, stored.source_text, stored.code)
            self._master_facts_current(uow)  # so that the batch's first step can trust the caches
            if not is_mass_unit(action.unit) or action.size <= 0:
                raise ActionError(wording(M.NOT_A_MASS, size=action.size, unit=action.unit))
            control = scale_recipe(recipe, Quantity(action.size, action.unit))
            snapshot = _control_snapshot(control)
            started = ev.BatchStarted(
                batch_id=action.batch_id,
                recipe_code=recipe.code,
                recipe_version=recipe.version,
                content_hash=control.content_hash,
                size=action.size,
                unit=action.unit,
                factor=control.factor,
                station=self.station,
                control_recipe=snapshot,
            )
            self._batch_id = action.batch_id
            self._state = None
            self._write(uow, started, user_id=user.user_id)
            self._control = control
            self._remember_materials(uow, recipe)
            self._commit_and_refresh(uow)
        return "done", f"batch {action.batch_id} started", ()

    def _open(self, uow: UnitOfWork, batch_id: str) -> tuple[str, str, tuple[Refusal, ...]]:
        if uow.batch(batch_id) is None:
            raise ActionError(f"batch {batch_id} is not in the database")
        self._batch_id = batch_id
        self._state = None
        self._control = None
        state = self._sync(uow)
        where = f"at step {state.current_step}" if state.current_step else "with every step done"
        return "done", f"batch {batch_id} opened {where}", ()

    def _open_batch(self, action: api.OpenBatch) -> tuple[str, str, tuple[Refusal, ...]]:
        self._require_user()
        with self.db.unit_of_work(read_only=True) as uow:
            return self._open(uow, action.batch_id)

    # ---------------------------------------------------------------- step actions
    def _step_context(
        self, uow: UnitOfWork, step_id: str, kinds: Iterable[type]
    ) -> tuple[gf.Actor, Any, BatchState]:
        user = self._require_user()
        state = self._sync(uow)
        if step_id not in state.steps:
            raise ActionError(f"step {step_id} is not a step of {state.recipe_code} v{state.recipe_version}")
        step = self._recipe.step(step_id)
        if not isinstance(step, tuple(kinds)):
            raise ActionError(f"step {step_id} is a {step.kind} step: that action does not apply to it")
        if state.status is BatchStatus.ON_HOLD:
            raise ActionError(wording(M.BATCH_ON_HOLD, batch=state.batch_id))
        if state.status is BatchStatus.COMPLETED:
            raise ActionError(wording(M.BATCH_COMPLETED, batch=state.batch_id))
        return user, step, state

    def _gate_step(self, uow: UnitOfWork, user: gf.Actor, step_id: str, state: BatchState) -> list[Refusal]:
        refusals = list(rules.check_sequence(step_id, state.current_step, policy=self.policy))
        if not (STEP_ROLES & user.roles):
            refusals += rules.check_role(user, "operator", policy=self.policy)
        refusals += self._training_refusals(uow, user, step_id)
        return refusals

    def _confirm(self, action: api.Confirm) -> tuple[str, str, tuple[Refusal, ...]]:
        with self.db.unit_of_work() as uow:
            user, step, state = self._step_context(uow, action.step, [InstructionStep])
            data = {"step": action.step}
            refusals = self._gate_step(uow, user, action.step, state)
            if refusals:
                return self._refuse(uow, "step.confirm", refusals, data)
            self._write(
                uow, ev.StepConfirmed(step=action.step, confirmed=step.confirm, performed_by=user.user_id)
            )
            self._commit_and_refresh(uow)
        return "done", f"{action.step} confirmed: {step.confirm}", ()

    def _answer(self, action: api.Answer) -> tuple[str, str, tuple[Refusal, ...]]:
        with self.db.unit_of_work() as uow:
            user, step, state = self._step_context(uow, action.step, [CheckStep])
            data = {"step": action.step, "value": action.value}
            refusals = self._gate_step(uow, user, action.step, state)
            if refusals:
                return self._refuse(uow, "step.answer", refusals, data)
            as_expected = action.value == step.expect
            answered = ev.CheckAnswered(
                step=action.step,
                value=action.value,
                question=step.question,
                expected=step.expect,
                as_expected=as_expected,
                performed_by=user.user_id,
            )
            self._write(uow, answered)
            status, message, findings = "done", f"{action.step} answered {_yes_no(action.value)}", ()
            if not as_expected:
                worded = wording(
                    W.CHECK_NOT_AS_EXPECTED,
                    question=step.question,
                    answer=wording(W.YES if action.value else W.NO),
                    expected=wording(W.YES if step.expect else W.NO),
                )
                sentence = worded.text()
                finding = Refusal(
                    ReasonCode.VALUE_OUT_OF_LIMITS,
                    sentence,
                    False,
                    _what_next(ReasonCode.VALUE_OUT_OF_LIMITS),
                    worded,
                )
                self._open_deviation(uow, action.step, "check", sentence, "check_not_as_expected")
                status, message, findings = "deviation", sentence, (finding,)
            self._commit_and_refresh(uow)
        return status, message, findings

    def _enter(self, action: api.Enter) -> tuple[str, str, tuple[Refusal, ...]]:
        with self.db.unit_of_work() as uow:
            user, step, state = self._step_context(uow, action.step, [MeasureStep])
            data = {"step": action.step, "value": str(action.value), "unit": step.unit}
            refusals = self._gate_step(uow, user, action.step, state)
            if refusals:
                return self._refuse(uow, "step.enter", refusals, data)
            findings = tuple(
                rules.check_value(action.value, step.low, step.high, name=step.name, unit=step.unit)
            )
            measured = ev.MeasurementRecorded(
                step=action.step,
                name=step.name,
                value=action.value,
                unit=step.unit,
                low=step.low,
                high=step.high,
                in_limits=not findings,
                performed_by=user.user_id,
            )
            self._write(uow, measured)
            status, message = "done", f"{step.name}: {action.value} {step.unit} recorded"
            if findings:
                self._open_deviation(
                    uow, action.step, "measurement", findings[0].sentence, "value_out_of_limits"
                )
                status, message = "deviation", findings[0].sentence
            self._commit_and_refresh(uow)
        return status, message, findings

    def _scan(self, action: api.Scan) -> tuple[str, str, tuple[Refusal, ...]]:
        with self.db.unit_of_work() as uow:
            user, step, state = self._step_context(uow, action.step, [EquipmentStep, WeighStep])
            scanned = _decode(action.code)
            data: dict[str, Any] = {"step": action.step, "code": _printable(action.code)}
            refusals = self._gate_step(uow, user, action.step, state)
            if isinstance(step, EquipmentStep):
                return self._scan_equipment(uow, user, step, scanned, data, refusals)
            return self._scan_lot(uow, user, step, scanned, data, refusals)

    def _scan_equipment(
        self,
        uow: UnitOfWork,
        user: gf.Actor,
        step: EquipmentStep,
        scanned: Any,
        data: dict[str, Any],
        refusals: list[Refusal],
        waived: frozenset[str] = frozenset(),
    ) -> tuple[str, str, tuple[Refusal, ...]]:
        equipment_id = _equipment_id(scanned)
        data["equipment_id"] = equipment_id
        if equipment_id is None:
            refusals.append(_unreadable(scanned, "an equipment label"))
            return self._refuse(uow, "equipment.scan", refusals, data)
        equipment = _equipment_facts(
            self._fact(uow, ("equipment", equipment_id), lambda: uow.equipment(equipment_id))
        )
        refusals += rules.check_equipment(step, equipment, equipment_id, self._now(), policy=self.policy)
        refusals = [r for r in refusals if r.code.value not in waived]
        if refusals:
            return self._refuse(uow, "equipment.scan", refusals, data)
        assert equipment is not None
        bound = ev.EquipmentBound(
            step=step.id,
            code=data["code"],
            equipment_id=equipment_id,
            bind=step.bind,
            equipment=_equipment_snapshot(equipment),
            performed_by=user.user_id,
        )
        self._write(uow, bound)
        self._commit_and_refresh(uow)
        return "done", f"{equipment.name} ({equipment.id}) bound as {step.bind}", ()

    def _scan_lot(
        self,
        uow: UnitOfWork,
        user: gf.Actor,
        step: WeighStep,
        scanned: Any,
        data: dict[str, Any],
        refusals: list[Refusal],
        waived: frozenset[str] = frozenset(),
    ) -> tuple[str, str, tuple[Refusal, ...]]:
        material: gf.Material | None = None
        lot: gf.Lot | None = None
        lot_id: str | None = None
        if isinstance(scanned, Gs1Item):
            lot_id = scanned.lot
            data.update(gtin=scanned.gtin, lot=scanned.lot)
            gtin = scanned.gtin
            found = self._fact(uow, ("gtin", gtin), lambda: uow.material_by_gtin(gtin)) if gtin else None
            material = gf.Material(found.code, found.name, found.gtin) if found else None
            if found is not None and lot_id:
                code, wanted = found.code, lot_id
                lot = _lot_facts(self._fact(uow, ("lot", code, wanted), lambda: uow.lot(code, wanted)))
        elif isinstance(scanned, PlainId):
            lot_id = scanned.value
            data["lot"] = lot_id
            wanted = lot_id
            candidates = self._fact(uow, ("lots", wanted), lambda: uow.lots_by_id(wanted))
            chosen = next(
                (c for c in candidates if c.material == step.material), candidates[0] if candidates else None
            )
            if chosen is not None:
                lot = _lot_facts(chosen)
                found = self._material(uow, chosen.material)
                material = gf.Material(found.code, found.name, found.gtin) if found else None
        if lot_id is None:
            refusals.append(_unreadable(scanned, "a lot label"))
            return self._refuse(uow, "lot.scan", refusals, data)
        expected = self._material(uow, step.material)
        refusals += rules.check_lot(
            step,
            lot,
            lot_id,
            material,
            self._now(),
            policy=self.policy,
            step_material=_material_facts(expected),
        )
        refusals = [r for r in refusals if r.code.value not in waived]
        if refusals:
            return self._refuse(uow, "lot.scan", refusals, data)
        assert lot is not None and material is not None
        identified = ev.LotIdentified(
            step=step.id,
            code=data["code"],
            gtin=data.get("gtin"),
            material=material.code,
            material_name=material.name,
            lot=lot.lot,
            status=lot.status,
            expiry=lot.expiry,
            retest=lot.retest,
        )
        self._write(uow, identified)
        self._commit_and_refresh(uow)
        return "done", f"lot {lot.lot} of {material.name} identified", ()

    def _weigh(self, action: api.Weigh) -> tuple[str, str, tuple[Refusal, ...]]:
        with self.db.unit_of_work() as uow:
            user, step, state = self._step_context(uow, action.step, [WeighStep])
            return self._weigh_in(uow, user, step, state, action, waived=frozenset())

    def _weigh_in(
        self,
        uow: UnitOfWork,
        user: gf.Actor,
        step: WeighStep,
        state: BatchState,
        action: api.Weigh,
        waived: frozenset[str],
        override: ev.OverrideSigned | None = None,
    ) -> tuple[str, str, tuple[Refusal, ...]]:
        assert self._control is not None
        bound = state.bindings.get(step.scale)
        scale = bound.event.equipment if bound is not None else None
        unit = action.unit or (scale.scale_unit if scale else None) or step.quantity.unit
        net = action.gross - action.tare
        data: dict[str, Any] = {
            "step": step.id,
            "gross": str(action.gross),
            "tare": str(action.tare),
            "net": str(net),
            "unit": unit,
            "stable": action.stable,
            "device_serial": action.device_serial,
            "source": action.source,
        }
        refusals = self._gate_step(uow, user, step.id, state)
        identified = state.lots.get(step.id)
        if identified is None and state.steps.get(step.id) is not StepStatus.LOT_IDENTIFIED:
            refusals += rules.check_sequence(
                f"{step.id} (scan the lot label)", f"{step.id} lot scan", policy=self.policy
            )
        # The scale must still be fit for use at the moment of weighing, not only when it was bound.
        equipment_id = scale.id if scale is not None else None
        if equipment_id:
            equipment = _equipment_facts(
                self._fact(uow, ("equipment", equipment_id), lambda: uow.equipment(equipment_id))
            )
            bind_step = self._recipe.binding(step.id, step.scale)
            refusals += rules.check_equipment(
                bind_step, equipment, equipment_id, self._now(), policy=self.policy
            )
        target = self._control.weighing(step.id)
        try:
            net_in_step_unit = convert(net, unit, target.unit)
        except Exception:
            raise ActionError(f"weight unit {unit!r} cannot be converted to {target.unit}") from None
        data.update(
            target=str(target.target.value),
            low=str(target.low),
            high=str(target.high),
            target_unit=target.unit,
            net_in_target_unit=str(net_in_step_unit),
        )
        refusals += rules.check_weight(
            net_in_step_unit, target.unit, target.low, target.high, action.stable, policy=self.policy
        )
        refusals = [r for r in refusals if r.code.value not in waived]
        if refusals:
            return self._refuse(uow, "weighing", refusals, data)
        assert identified is not None
        lot = identified.event
        accepted = ev.WeighingAccepted(
            step=step.id,
            gross=action.gross,
            tare=action.tare,
            net=net,
            unit=unit,
            stable=action.stable,
            device_serial=action.device_serial,
            source=action.source,
            target=target.target.value,
            low=target.low,
            high=target.high,
            target_unit=target.unit,
            net_in_target_unit=net_in_step_unit,
            material=lot.material,
            material_name=lot.material_name,
            lot=lot.lot,
            lot_status=lot.status,
            lot_expiry=lot.expiry,
            lot_retest=lot.retest,
            override=override,
            performed_by=user.user_id,
        )
        self._write(uow, accepted)
        self._commit_and_refresh(uow)
        return "done", f"{net} {unit} of lot {lot.lot} accepted", ()

    def _sign(self, action: api.Sign) -> tuple[str, str, tuple[Refusal, ...]]:
        from ebr import users

        with self.db.unit_of_work() as uow:
            _user, step, state = self._step_context(uow, action.step, [SignatureStep])
            data = {"step": action.step, "signer": action.user, "meaning": step.meaning}
            refusals = list(rules.check_sequence(action.step, state.current_step, policy=self.policy))
            auth = users.authenticate(uow, action.user, action.password, purpose="signature")
            signer = self._actor(uow, auth.user.id) if auth.ok and auth.user else None
            if signer is None:
                refusals.append(_auth_refusal(auth, login=False))
            else:
                refusals += rules.check_role(signer, step.role, policy=self.policy)
                performers = {s: state.performers.get(s, set()) for s in step.independent_of}
                refusals += rules.check_independent_signer(signer.user_id, performers, policy=self.policy)
                refusals += self._training_refusals(uow, signer, action.step)
            if refusals:
                return self._refuse(uow, "step.sign", refusals, data)
            assert signer is not None
            signed = ev.StepSigned(
                step=action.step,
                signer=action.user,
                meaning=step.meaning,
                role=step.role,
                printed_name=signer.name,
                performed_by=signer.user_id,
            )
            execution = self._write(uow, signed)
            self._sign_record(uow, execution, signer, step.meaning, action.step)
            self._commit_and_refresh(uow)
        return "done", f"{action.step} signed by {signer.name}: {step.meaning}", ()

    def _override(self, action: api.Override) -> tuple[str, str, tuple[Refusal, ...]]:
        from ebr import users

        if not action.reason.strip():
            raise ActionError(wording(M.OVERRIDE_NEEDS_REASON))
        with self.db.unit_of_work() as uow:
            self._require_user()
            state = self._sync(uow)
            if action.step not in state.steps:
                raise ActionError(f"step {action.step} is not a step of {state.recipe_code}")
            data = {"step": action.step, "supervisor": action.user, "reason_text": action.reason}
            auth = users.authenticate(uow, action.user, action.password, purpose="signature")
            supervisor = self._actor(uow, auth.user.id) if auth.ok and auth.user else None
            refusals: list[Refusal] = []
            if supervisor is None:
                refusals.append(_auth_refusal(auth, login=False))
            else:
                refusals += rules.check_role(supervisor, "supervisor", policy=self.policy)
            open_here = state.deviations_at(action.step)
            refused = state.last_refusal.get(action.step)
            if not refusals and not open_here and refused is None:
                raise ActionError(wording(M.NOTHING_TO_OVERRIDE, step=action.step))
            if not refusals and supervisor is not None and refused is not None and not open_here:
                codes = refused.event.codes
                hard = [c for c in codes if not self.policy.is_overridable(ReasonCode(c))]
                if hard:
                    raise ActionError(wording(M.CANNOT_OVERRIDE, codes=", ".join(hard)))
                performer = {self.user_id} if refused.event.attempted else set()
                refusals += rules.check_independent_signer(
                    supervisor.user_id, {action.step: performer}, policy=self.policy
                )
            if refusals:
                return self._refuse(uow, "override", refusals, data)
            assert supervisor is not None
            if open_here:
                return self._acknowledge(uow, supervisor, action, open_here)
            assert refused is not None
            return self._override_refusal(uow, supervisor, action, refused.event)

    def _signed_override(
        self,
        uow: UnitOfWork,
        supervisor: gf.Actor,
        action: api.Override,
        reason_code: str,
        deviation_uid: str | None,
        meaning: str,
    ) -> ev.OverrideSigned:
        """The override record and the supervisor's e-signature over it; returns what was recorded."""
        override = ev.OverrideSigned(
            step=action.step,
            deviation=deviation_uid,
            reason_code=reason_code,
            supervisor=supervisor.user_id,
            reason_text=action.reason,
        )
        row = self._write(uow, override)
        self._sign_record(uow, row, supervisor, meaning, action.step)
        return override

    def _sign_record(self, uow: UnitOfWork, row: Any, signer: gf.Actor, meaning: str, step: str) -> None:
        """The signer's e-signature (printed name, meaning, time, hash) over a record just written."""
        from ebr import signatures

        signed = signatures.record_signature(
            uow,
            row,
            signer_id=signer.user_id,
            printed_name=signer.name,
            meaning=meaning,
            batch_id=self._batch_id,
            step_id=step,
        )
        self._pending_seq = max(self._pending_seq, signed.event.stream_seq)

    def _acknowledge(
        self,
        uow: UnitOfWork,
        supervisor: gf.Actor,
        action: api.Override,
        open_here: list[Any],
    ) -> tuple[str, str, tuple[Refusal, ...]]:
        for deviation in open_here:
            self._signed_override(
                uow,
                supervisor,
                action,
                deviation.origin,
                deviation.uid,
                "Deviation acknowledged by supervisor",
            )
            closed = ev.DeviationClosed(
                step=action.step, uid=deviation.uid, resolution=action.reason, closed_by=supervisor.user_id
            )
            self._write(uow, closed)
        self._commit_and_refresh(uow)
        return "done", f"deviation at {action.step} acknowledged by {supervisor.name}", ()

    def _override_refusal(
        self,
        uow: UnitOfWork,
        supervisor: gf.Actor,
        action: api.Override,
        refused: ev.ActionRefused,
    ) -> tuple[str, str, tuple[Refusal, ...]]:
        codes = list(refused.codes)
        sentences = "; ".join(r.sentence for r in refused.refusals)
        deviation_uid = self._open_deviation(
            uow, action.step, "override", f"Overridden: {sentences}", "override", acknowledged=True
        )
        override = self._signed_override(
            uow, supervisor, action, ",".join(codes), deviation_uid, "Refusal overridden by supervisor"
        )
        # The refused action now goes through with the overridden codes waived (and only those).
        kind = refused.attempted
        attempt = refused.attempt
        state = self._state
        assert state is not None
        user = self._require_user()
        if kind == "weighing":
            step = self._recipe.step(action.step)
            assert isinstance(step, WeighStep)
            weigh = api.Weigh(
                step=action.step,
                gross=Decimal(attempt["gross"]),
                tare=Decimal(attempt["tare"]),
                unit=attempt.get("unit"),
                stable=bool(attempt.get("stable", True)),
                device_serial=attempt.get("device_serial"),
                source=attempt.get("source", "manual"),
            )
            status, message, findings = self._weigh_in(
                uow, user, step, state, weigh, frozenset(codes), override
            )
            return ("deviation" if status == "done" else status), message, findings
        if kind in ("lot.scan", "equipment.scan"):
            step = self._recipe.step(action.step)
            return self._rescan_waived(uow, user, step, state, refused, frozenset(codes))
        self._commit_and_refresh(uow)
        return "deviation", f"override recorded at {action.step}", ()

    def _rescan_waived(
        self,
        uow: UnitOfWork,
        user: gf.Actor,
        step: Any,
        state: BatchState,
        refused: ev.ActionRefused,
        waived: frozenset[str],
    ) -> tuple[str, str, tuple[Refusal, ...]]:
        code = str(refused.attempt["code"])
        scanned = decode_scan(code.replace("<GS>", "\x1d"))
        data: dict[str, Any] = {"step": step.id, "code": code}
        refusals = self._gate_step(uow, user, step.id, state)
        if isinstance(step, EquipmentStep):
            status, message, findings = self._scan_equipment(uow, user, step, scanned, data, refusals, waived)
        else:
            status, message, findings = self._scan_lot(uow, user, step, scanned, data, refusals, waived)
        return ("deviation" if status == "done" else status), message, findings

    def _open_deviation(
        self,
        uow: UnitOfWork,
        step: str | None,
        category: str,
        text: str,
        origin: str,
        acknowledged: bool = False,
    ) -> str:
        self._require_user()
        uid = str(uuid.uuid4())
        # An override's deviation is acknowledged by the override signature itself; any other
        # deviation stays open until a supervisor acknowledges it.
        kind = ev.DeviationRecorded if acknowledged else ev.DeviationOpened
        self._write(uow, kind(step=step, uid=uid, category=category, text=text, origin=origin))
        return uid

    def _raise_deviation(self, action: api.RaiseDeviation) -> tuple[str, str, tuple[Refusal, ...]]:
        if not action.text.strip() or not action.category.strip():
            raise ActionError(wording(M.DEVIATION_NEEDS_TEXT))
        with self.db.unit_of_work() as uow:
            self._require_user()
            state = self._sync(uow)
            step = action.step or state.current_step or state.step_order[-1]
            if step not in state.steps:
                raise ActionError(f"step {step} is not a step of {state.recipe_code}")
            self._open_deviation(uow, step, action.category, action.text, "manual")
            self._commit_and_refresh(uow)
        return "done", f"deviation raised at {step}", ()

    def _hold(self, action: api.Hold) -> tuple[str, str, tuple[Refusal, ...]]:
        return self._status_change(BatchStatus.IN_PROGRESS, ev.BatchHeld, action.reason or "held")

    def _resume(self, action: api.Resume) -> tuple[str, str, tuple[Refusal, ...]]:
        return self._status_change(BatchStatus.ON_HOLD, ev.BatchResumed, action.reason or "resumed")

    def _status_change(
        self, required: BatchStatus, kind: type[ev.BatchHeld], reason: str
    ) -> tuple[str, str, tuple[Refusal, ...]]:
        with self.db.unit_of_work() as uow:
            user = self._require_user()
            state = self._sync(uow)
            if state.status is not required:
                shown = batch_status(state.status.value)
                raise ActionError(wording(M.BATCH_IN_STATUS, batch=state.batch_id, status=shown))
            changed = kind(batch_id=state.batch_id, old_status=state.status.value, why=reason)
            self._write(uow, changed, user_id=user.user_id)
            self._commit_and_refresh(uow)
        return "done", f"batch {state.batch_id} {changed.status.replace('_', ' ')}", ()

    def _complete(self, action: api.Complete) -> tuple[str, str, tuple[Refusal, ...]]:
        with self.db.unit_of_work() as uow:
            user = self._require_user()
            state = self._sync(uow)
            if state.status is BatchStatus.COMPLETED:
                raise ActionError(wording(M.BATCH_COMPLETED_ALREADY, batch=state.batch_id))
            if state.status is BatchStatus.ON_HOLD:
                raise ActionError(wording(M.BATCH_ON_HOLD, batch=state.batch_id))
            refusals: list[Refusal] = []
            if state.current_step is not None:
                refusals += rules.check_sequence("complete", state.current_step, policy=self.policy)
            for deviation in state.open_deviations:
                refusals.append(
                    reasons.refusal(
                        ReasonCode.DEVIATION_OPEN,
                        wording(W.DEVIATION_AT_STEP_OPEN, step=deviation.step, text=deviation.text),
                        self.policy,
                    )
                )
            if refusals:
                return self._refuse(
                    uow,
                    "batch.complete",
                    refusals,
                    {"batch": state.batch_id},
                    entity_type="batch",
                    entity_id=state.batch_id,
                )
            self._write(
                uow,
                ev.BatchCompleted(batch_id=state.batch_id, old_status=state.status.value),
                user_id=user.user_id,
            )
            self._commit_and_refresh(uow)
        return "done", f"batch {state.batch_id} completed", ()

    # ================================================================ state for the front ends
    def _state_view(self) -> api.StationState:
        user = None
        if self._user is not None:
            user = api.UserView(
                self._user.user_id,
                self._user.name,
                tuple(sorted(self._user.roles)),
                self._must_change_password,
            )
        batch = None
        allowed: list[str] = ["login"] if user is None else ["logout", "start", "open"]
        if self._state is not None and self._control is not None:
            batch = _batch_view(self._state, self._control, self._material_names, self._step_views)
            if user is not None:
                allowed += _allowed(self._state, self._recipe)
        return api.StationState(user, batch, tuple(allowed))

    _HANDLERS: dict[type, Callable[[Engine, Any], tuple[str, str, tuple[Refusal, ...]]]] = {}


Engine._HANDLERS = {
    api.Login: Engine._login,
    api.Logout: Engine._logout,
    api.ChangePassword: Engine._change_password,
    api.StartBatch: Engine._start,
    api.OpenBatch: Engine._open_batch,
    api.Confirm: Engine._confirm,
    api.Answer: Engine._answer,
    api.Enter: Engine._enter,
    api.Scan: Engine._scan,
    api.Weigh: Engine._weigh,
    api.Sign: Engine._sign,
    api.Override: Engine._override,
    api.RaiseDeviation: Engine._raise_deviation,
    api.Hold: Engine._hold,
    api.Resume: Engine._resume,
    api.Complete: Engine._complete,
}


# ==================================================================== plain helpers
def _view(refusal: Refusal) -> api.RefusalView:
    return api.RefusalView(
        refusal.code.value, refusal.sentence, refusal.overridable, refusal.what_next, refusal.wording
    )


def _auth_refusal(result: Any, *, login: bool) -> Refusal:
    """The refusal of a failed log-in or signature (``result``: ``ebr.users.AuthResult``)."""
    worded: Wording | None = result.wording
    if result.code == "account_locked":
        reason = ReasonCode.ACCOUNT_LOCKED
    elif login:
        reason = ReasonCode.LOGIN_INVALID
    else:
        # A signature does not say whether the user id or the password was wrong.
        reason, worded = ReasonCode.SIGNATURE_INVALID, wording(W.SIGNATURE_WRONG)
    if worded is None:  # every failed AuthResult carries its wording; this is the safe default
        worded = wording(W.LOGIN_WRONG)
    return Refusal(reason, worded.text(), False, _what_next(reason), worded)


def info_user(explicit: str | None, current: str | None) -> str | None:
    return explicit if explicit is not None else current


def _what_next(code: ReasonCode) -> str:
    from gating.reasons import WHAT_NEXT

    return WHAT_NEXT.get(code, "")


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def _s(value: Any) -> str | None:
    return None if value is None else (value.isoformat() if hasattr(value, "isoformat") else str(value))


def _printable(code: str) -> str:
    return code.replace("\x1d", "<GS>")


def _equipment_id(scanned: Any) -> str | None:
    if isinstance(scanned, PlainId):
        return scanned.value
    if isinstance(scanned, Gs1Item):
        return scanned.fields.get("8004") or scanned.fields.get("8003") or None
    return None


def _unreadable(scanned: Any, what: str) -> Refusal:
    raw = scanned.raw if hasattr(scanned, "raw") else str(scanned)
    lot = what == "a lot label"
    reason: str | Wording = (
        scanned.reason
        if isinstance(scanned, Unreadable)
        else wording(W.NOT_A_LOT_LABEL if lot else W.NOT_AN_EQUIPMENT_LABEL)
    )
    worded = wording(W.UNREADABLE_LABEL, code=repr(_printable(str(raw))), reason=reason)
    return Refusal(
        ReasonCode.LOT_UNKNOWN if lot else ReasonCode.EQUIPMENT_UNKNOWN,
        worded.text(),
        False,
        f"Scan {what}.",
        worded,
    )


def _equipment_facts(found: Any) -> gf.Equipment | None:
    if found is None:
        return None
    scale = found.scale
    return gf.Equipment(
        id=found.id,
        equipment_class=found.equipment_class,
        name=found.name,
        status=found.status,
        calibrated_until=found.calibrated_until,
        clean_until=found.clean_until,
        daily_check_until=found.daily_check_until,
        scale_capacity=scale.capacity if scale else None,
        scale_readability=scale.readability if scale else None,
        scale_unit=scale.unit if scale else None,
    )


def _equipment_snapshot(e: gf.Equipment) -> ev.EquipmentSnapshot:
    return ev.EquipmentSnapshot(
        id=e.id,
        equipment_class=e.equipment_class,
        name=e.name,
        status=e.status,
        calibrated_until=e.calibrated_until,
        clean_until=e.clean_until,
        daily_check_until=e.daily_check_until,
        scale_capacity=e.scale_capacity,
        scale_readability=e.scale_readability,
        scale_unit=e.scale_unit,
    )


def _lot_facts(found: Any) -> gf.Lot | None:
    if found is None:
        return None
    return gf.Lot(found.material, found.lot, found.status, found.expiry, found.retest)


def _material_facts(found: Any) -> gf.Material | None:
    return None if found is None else gf.Material(found.code, found.name, found.gtin)


def _control_snapshot(control: ControlRecipe) -> dict[str, Any]:
    return {
        "recipe_code": control.master.code,
        "recipe_version": control.master.version,
        "content_hash": control.content_hash,
        "batch_size": {"quantity": str(control.batch_size.value), "unit": control.batch_size.unit},
        "factor": str(control.factor),
        "weighings": [
            {
                "step": w.step_id,
                "material": w.material,
                "target": str(w.target.value),
                "unit": w.unit,
                "low": str(w.low),
                "high": str(w.high),
            }
            for w in control.weighings
        ],
    }


def _allowed(state: BatchState, recipe: MasterRecipe) -> list[str]:
    if state.status is BatchStatus.ON_HOLD:
        return ["resume", "deviation"]
    if state.status is BatchStatus.COMPLETED:
        return []
    out = ["hold", "deviation"]
    if state.open_deviations or state.last_refusal:
        out.append("override")
    step_id = state.current_step
    if step_id is None:
        return [*out, "complete"]
    kind = recipe.step(step_id).kind
    out += {
        "instruction": ["confirm"],
        "check": ["answer"],
        "measure": ["enter"],
        "equipment": ["scan"],
        "weigh": ["scan", "weigh"] if state.steps[step_id] is StepStatus.LOT_IDENTIFIED else ["scan"],
        "signature": ["sign"],
    }[kind]
    return out


class _StepViews:
    """The step views of the open batch, each made again only when what it shows changed.

    A step's view depends on its status and on the entries of the batch state that name it
    (its result, lot, last refusal, and for a weigh step the binding of its scale). The state
    replaces such an entry with a new object whenever it changes and never changes one in
    place, so an entry that is the same object as when the view was made proves the view
    current. Views are rebuilt from scratch for another batch or control recipe."""

    def __init__(self) -> None:
        self._control: ControlRecipe | None = None
        self._batch: str | None = None
        # Per step, in recipe order: operation, index in it, step, and the names its view
        # looks up in the state (binding, material): fixed by the control recipe.
        self._layout: list[tuple[Any, int, Any, str, str | None, str | None]] = []
        self._views: dict[str, tuple[tuple[Any, ...], api.StepView]] = {}

    def views(
        self, state: BatchState, control: ControlRecipe, names: dict[str, str]
    ) -> tuple[api.StepView, ...]:
        if control is not self._control or state.batch_id != self._batch:
            self._control, self._batch = control, state.batch_id
            self._views.clear()
            self._layout = [
                (
                    operation,
                    index,
                    step,
                    step.id,
                    getattr(step, "scale", None) or getattr(step, "bind", None),
                    getattr(step, "material", None),
                )
                for operation in control.master.operations
                for index, step in enumerate(operation.steps, start=1)
            ]
        statuses, results, lots = state.steps, state.results, state.lots
        refusals, bindings, views = state.last_refusal, state.bindings, self._views
        made: list[api.StepView] = []
        for operation, index, step, sid, binding, material in self._layout:
            key = (
                statuses[sid],
                results.get(sid),
                lots.get(sid),
                refusals.get(sid),
                bindings.get(binding) if binding else None,
                names.get(material) if material else None,
            )
            cached = views.get(sid)
            if cached is not None:
                k = cached[0]
                if (
                    k[0] is key[0]
                    and k[1] is key[1]
                    and k[2] is key[2]
                    and k[3] is key[3]
                    and k[4] is key[4]
                    and k[5] is key[5]
                ):
                    made.append(cached[1])
                    continue
            view = _step_view(operation, index, step, state, control, names)
            views[sid] = (key, view)
            made.append(view)
        return tuple(made)


def _step_view(
    operation: Any, index: int, step: Any, state: BatchState, control: ControlRecipe, names: dict[str, str]
) -> api.StepView:
    status = state.steps[step.id]
    return api.StepView(
        id=step.id,
        kind=step.kind,
        operation_id=operation.id,
        operation_title=operation.title,
        index_in_operation=index,
        steps_in_operation=len(operation.steps),
        status="done"
        if status is StepStatus.DONE
        else ("pending" if status is StepStatus.PENDING else "active"),
        detail=_detail(step, state, control, names),
    )


def _batch_view(
    state: BatchState, control: ControlRecipe, names: dict[str, str], views: _StepViews | None = None
) -> api.BatchView:
    recipe = control.master
    if views is None:
        steps = tuple(
            _step_view(operation, index, step, state, control, names)
            for operation in recipe.operations
            for index, step in enumerate(operation.steps, start=1)
        )
    else:
        steps = views.views(state, control, names)
    deviations = tuple(
        api.DeviationView(d.uid, d.step, d.category, d.text, d.opened_by, d.opened_at)
        for d in state.open_deviations
    )
    return api.BatchView(
        batch_id=state.batch_id,
        recipe_code=recipe.code,
        recipe_version=recipe.version,
        recipe_title=recipe.title,
        product_code=recipe.product_code,
        product_name=recipe.product_name,
        size=Decimal(state.size),
        unit=state.unit,
        status=state.status.value,
        steps=steps,
        current_step=state.current_step,
        open_deviations=deviations,
    )


def _as_dict(recorded: Recorded[Any] | None) -> dict[str, Any] | None:
    if recorded is None:
        return None
    return dict(recorded.event.new_value() or {}, at=recorded.at)


def _detail(step: Any, state: BatchState, control: ControlRecipe, names: dict[str, str]) -> dict[str, object]:
    result = _as_dict(state.results.get(step.id)) or {}
    if isinstance(step, InstructionStep):
        return {"text": step.text, "confirm": step.confirm, "image": step.image}
    if isinstance(step, CheckStep):
        return {"question": step.question, "expect": step.expect, "answer": result.get("value")}
    if isinstance(step, MeasureStep):
        return {
            "name": step.name,
            "unit": step.unit,
            "low": step.low,
            "high": step.high,
            "decimals": step.decimals,
            "value": result.get("value"),
            "in_limits": result.get("in_limits"),
        }
    if isinstance(step, EquipmentStep):
        binding = state.bindings.get(step.bind)
        bound = ev.to_json(binding.event.equipment) if binding and step.id in state.results else None
        return {
            "bind": step.bind,
            "class": step.equipment_class,
            "requires": list(step.requires),
            "bound_equipment": bound,
            "last_refusal": _as_dict(state.last_refusal.get(step.id)),
        }
    if isinstance(step, WeighStep):
        target = control.weighing(step.id)
        scale_bound = state.bindings.get(step.scale)
        scale: dict[str, Any] = ev.to_json(scale_bound.event.equipment) if scale_bound else {}
        return {
            "material": step.material,
            "material_name": names.get(step.material),
            "target": target.target.value,
            "unit": target.unit,
            "low": target.low,
            "high": target.high,
            "scale": step.scale,
            "scale_id": scale.get("id"),
            "scale_unit": scale.get("scale_unit"),
            "lot": _as_dict(state.lots.get(step.id)),
            "weighing": result or None,
            "last_refusal": _as_dict(state.last_refusal.get(step.id)),
        }
    if isinstance(step, SignatureStep):
        return {
            "meaning": step.meaning,
            "role": step.role,
            "independent_of": list(step.independent_of),
            "signed_by": result.get("printed_name"),
            "signed_at": result.get("at"),
            "signed_by_id": result.get("performed_by"),
            "last_refusal": _as_dict(state.last_refusal.get(step.id)),
        }
    return {}
