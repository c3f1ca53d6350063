"""What a handler works with: the station's settings, who is logged in, the open batch, the
master facts, and the recording of its one action.

A handler gets a fresh ``Context`` for each action. Everything it writes goes through
``write`` (or ``write_signed``) into the action's unit of work and reaches the in-memory
batch state only through ``commit``, once the transaction is durable; a refusal is recorded
and committed by ``refuse``. So what the engine believes is always what was committed.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from ebr import events as ev
from ebr import signatures, users
from ebr.audit import SITE_STREAM, EventInfo
from ebr.clock import utc_now
from ebr.database import Database
from ebr.replay import BatchState
from ebr.uow import UnitOfWork
from gating import facts as gf
from gating.reasons import GatePolicy, Refusal
from gating.wording import wording
from recipes.model import MasterRecipe
from recipes.scaling import ControlRecipe
from station.engine import messages as M
from station.engine.answers import ActionError, Result
from station.engine.master_facts import MasterFacts
from station.engine.open_batch import OpenBatch, Written


@dataclass(frozen=True)
class Settings:
    station: str
    site_tz: ZoneInfo
    policy: GatePolicy
    printer: str | None = (
        None  # the label printer (tcp://HOST:9100 or FILE.pdf); None: PDFs in the label folder
    )


@dataclass
class Session:
    """Who is logged in at the station."""

    user: gf.Actor | None = None
    must_change_password: bool = False


class Context:
    """One action's view of the engine: what it may read, and how it records."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        session: Session,
        batch: OpenBatch,
        facts: MasterFacts,
        request: str | None,
    ) -> None:
        self.db = db
        self.settings = settings
        self.policy = settings.policy
        self.session = session
        self.batch = batch
        self.facts = facts
        self.request = request  # the caller's idempotency key, written into the events
        self.passwords = users.CheckedPasswords()  # checked before the write transaction
        # The training records each person's training gate relied on in this action, by user id:
        # stamped into the step events they perform (``_stamped``).
        self.training_used: dict[str, tuple[ev.TrainingUsed, ...]] = {}
        self._written: list[Written] = []
        self._last_seq = 0  # the open batch's stream after everything this action wrote

    # ------------------------------------------------------------ reading
    def now(self) -> gf.Now:
        return gf.Now(utc_now(), self.settings.site_tz)

    @property
    def user_id(self) -> str | None:
        user = self.session.user
        return user.user_id if user is not None else None

    def require_user(self) -> gf.Actor:
        user = self.session.user
        if user is None:
            raise ActionError(wording(M.NO_USER))
        if self.session.must_change_password:
            raise ActionError(wording(M.NEW_PASSWORD_FIRST))
        return user

    def actor(self, uow: UnitOfWork, user_id: str) -> gf.Actor | None:
        found = uow.user(user_id)
        return None if found is None else found.for_gates()

    def sync(self, uow: UnitOfWork) -> BatchState:
        """The open batch's state, up to date with the database (see ``OpenBatch.sync``); and
        the session's user still allowed to act (``check_session``)."""
        state = self.batch.sync(uow)
        self.check_session(uow)
        return state

    def check_session(self, uow: UnitOfWork) -> None:
        """A user deactivated, locked or reset since logging in is logged out at the next
        action, which is refused: the session of an account that may no longer act ends."""
        user = self.session.user
        if user is None:
            return
        self.facts.current(uow)  # free when the chain head proved nobody else wrote
        if not self.facts.accounts_moved:
            return
        self.facts.accounts_moved = False
        account = uow.user(user.user_id)
        if account is not None and account.active and not account.locked and not account.must_change_password:
            return
        why = (
            "account deactivated"
            if account is None or not account.active
            else ("account locked" if account.locked else "password reset")
        )
        ended = ev.LoggedOut(user=user.user_id, station=self.settings.station, why="session_ended", note=why)
        uow.write(ended, stream=SITE_STREAM, user_id=user.user_id)
        uow.commit()
        self.session.user = None
        self.session.must_change_password = False
        raise ActionError(wording(M.SESSION_ENDED, user=user.name, why=why))

    @property
    def recipe(self) -> MasterRecipe:
        """The master recipe of the open batch (after ``sync``)."""
        return self.batch.recipe

    @property
    def control(self) -> ControlRecipe:
        """The open batch's control recipe (after ``sync``)."""
        assert self.batch.control is not None
        return self.batch.control

    # ------------------------------------------------------------ recording
    def write(self, uow: UnitOfWork, event: ev.BatchEvent, *, user_id: str | None = None) -> None:
        """Write one event of the open batch (and the typed record it vouches for) in the
        action's unit of work; it reaches the in-memory state once ``commit`` has committed."""
        event, who = self._stamped(event), self._who(user_id)
        info, _ = uow.write(event, stream=self._stream(), user_id=who)
        self._note(event, who, info)

    def write_signed(
        self, uow: UnitOfWork, event: ev.BatchEvent, signer: gf.Actor, meaning: str, step: str
    ) -> None:
        """Write an event, and the signer's e-signature (printed name, meaning, time, hash)
        over the record it vouches for."""
        event, who = self._stamped(event), self._who(None)
        info, row = uow.write(event, stream=self._stream(), user_id=who)
        self._note(event, who, info)
        assert row is not None, f"{type(event).__name__} vouches for no record to sign"
        signed = signatures.record_signature(
            uow,
            row,
            signer_id=signer.user_id,
            printed_name=signer.name,
            meaning=meaning,
            batch_id=self.batch.batch_id,
            step_id=step,
        )
        self._last_seq = max(self._last_seq, signed.event.stream_seq)

    def _stream(self) -> str:
        batch_id = self.batch.batch_id
        assert batch_id is not None
        return batch_id

    def _stamped(self, event: ev.BatchEvent) -> ev.BatchEvent:
        if isinstance(event, ev.StepDone) and event.training is None:
            used = self.training_used.get(event.performed_by)
            if used is not None:
                event = dataclasses.replace(event, training=used)
        return event if self.request is None else dataclasses.replace(event, request=self.request)

    def _who(self, user_id: str | None) -> str | None:
        return user_id if user_id is not None else self.user_id

    def _note(self, event: ev.BatchEvent, who: str | None, info: EventInfo) -> None:
        self._written.append((event, who, info.occurred_at, info.stream_seq))
        self._last_seq = max(self._last_seq, info.stream_seq)

    def open_deviation(
        self,
        uow: UnitOfWork,
        step: str | None,
        category: str,
        text: str,
        origin: str,
        *,
        acknowledged: bool = False,
    ) -> str:
        """Write a deviation at a step; returns its uid. An override's deviation is
        acknowledged by the override signature itself; any other deviation stays open until
        a supervisor acknowledges it."""
        self.require_user()
        uid = str(uuid.uuid4())
        kind = ev.DeviationRecorded if acknowledged else ev.DeviationOpened
        self.write(uow, kind(step=step, uid=uid, category=category, text=text, origin=origin))
        return uid

    def commit(self, uow: UnitOfWork) -> None:
        """Commit, then bring the in-memory state forward by exactly the events just written."""
        uow.commit()
        self.batch.committed(uow, self._written, self._last_seq)
        self._written.clear()

    def refuse(
        self,
        uow: UnitOfWork,
        attempted: str,
        refusals: Sequence[Refusal],
        attempt: dict[str, Any],
        *,
        stream: str | None = None,
        user_id: str | None = None,
        subject_type: str = "step",
        subject: str | None = None,
    ) -> Result:
        """Record a refused action (one event with every reason) and commit it."""
        stream = stream or self.batch.batch_id or SITE_STREAM
        event = ev.ActionRefused(
            attempted=attempted,
            refusals=tuple(ev.RefusalNote(r.code.value, r.sentence) for r in refusals),
            attempt=attempt,
            subject_type=subject_type,
            subject=subject,
            request=self.request,
        )
        who = self._who(user_id)
        info, _ = uow.write(event, stream=stream, user_id=who)
        uow.commit()
        state = self.batch.state
        if state is not None and stream == self.batch.batch_id:
            state.apply(event, stream_seq=info.stream_seq, user_id=who, at=info.occurred_at)
            self.batch.remember_commit(uow)
        else:
            self.batch.quiet = None
        return Result("refused", refusals[0].sentence, tuple(refusals))
