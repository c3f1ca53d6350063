"""What every step view-model shares: the step view it shows, its detail typed by kind, and how times
and validity dates are written on the screen."""

from __future__ import annotations

import datetime as dt
from typing import TypeVar

from station.engine.api import (
    Outcome,
    StepDetail,
    StepView,
)

D = TypeVar("D", bound=StepDetail)


def _moment(at: dt.datetime) -> str:
    """A moment as an operator reads it, in UTC to the minute."""
    return f"{at.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC"


def _until(value: dt.date | None) -> str:
    """How long a piece of equipment stays fit: a day, or a moment (the day alone at midnight UTC)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        at = value.astimezone(dt.UTC)
        return at.date().isoformat() if at.time() == dt.time() else _moment(at)
    return value.isoformat()


class StepVM:
    kind = ""

    def __init__(self, step: StepView) -> None:
        self.step = step

    def update(self, step: StepView) -> None:
        self.step = step

    def _detail(self, kind: type[D]) -> D:
        """The step's detail, which is of the class of the step's kind."""
        detail = self.step.detail
        if not isinstance(detail, kind):
            raise TypeError(f"step {self.step.id} shows a {type(detail).__name__}, not a {kind.__name__}")
        return detail

    def apply(self, outcome: Outcome) -> None:
        pass
