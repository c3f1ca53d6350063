"""What a handler answers: a ``Result``, or an ``ActionError`` for an action that cannot be
understood here at all (an unknown step, no batch open), to which no gate applies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from gating.reasons import Refusal
from gating.wording import Wording

Status = Literal["done", "refused", "deviation"]


@dataclass(frozen=True)
class Result:
    """How an action went: done, refused (and the refusal recorded), or done with a deviation
    opened; ``message`` is one sentence for a person, ``refusals`` the reasons or findings."""

    status: Status
    message: str
    refusals: tuple[Refusal, ...] = ()


class ActionError(Exception):
    """An action that cannot be understood here (unknown step, no batch open): no gate applies.
    Given a ``Wording`` (``station.engine.messages``), a station in another language says it
    in its own."""

    def __init__(self, message: str | Wording) -> None:
        self.wording = message if isinstance(message, Wording) else None
        super().__init__(message.text() if isinstance(message, Wording) else message)
