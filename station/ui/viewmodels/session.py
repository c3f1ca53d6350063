"""The session's decisions: which screen a station state belongs on, and the idle logout
(without a timer: the Qt layer asks it once a second)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from station.engine.api import StationState, UserView

Destination = Literal["login", "password", "runner", "home", "reviews", "health"]


def is_reviewer(user: UserView | None) -> bool:
    """A QA user reviews completed batches; a QA user does not execute them."""
    return user is not None and "qa" in user.roles


def is_administrator(user: UserView | None) -> bool:
    """An administrator looks after the station (its health); one who also executes batches
    (an operator's role as well) keeps the batches as home."""
    return user is not None and "admin" in user.roles and not {"operator", "supervisor"} & set(user.roles)


def destination(state: StationState) -> Destination:
    """Where the station goes once the engine has told its state (after a login, say)."""
    user = state.user
    if user is None:
        return "login"
    if user.must_change_password:
        return "password"
    if is_reviewer(user):
        return "reviews"
    if is_administrator(user) and state.batch is None:
        return "health"
    return "runner" if state.batch is not None else "home"


@dataclass
class IdleTracker:
    timeout_s: float
    clock: Callable[[], float] = time.monotonic
    last: float = field(default=0.0)

    def __post_init__(self) -> None:
        self.last = self.clock()

    def touch(self) -> None:
        self.last = self.clock()

    def remaining(self) -> float:
        return self.timeout_s - (self.clock() - self.last)

    def expired(self) -> bool:
        return self.timeout_s > 0 and self.remaining() <= 0
