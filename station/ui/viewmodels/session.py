"""Idle logout: the decision, without a timer (the Qt layer asks it once a second)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field


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
