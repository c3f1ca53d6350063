"""The record's times run forwards.

Every event is stamped with the system clock at the moment it is appended, and events are
numbered in the order they are appended: so ``occurred_at`` never goes back from one ``seq``
to the next by more than the clocks of two writers can differ. A step back by more than
``CLOCK_TOLERANCE`` means a clock was set back while the record was written (expired
training, lots and calibrations may then have passed their gates): ``ebr verify`` reports
each such step. The station refuses to record while its clock stands behind the newest record
(``gating.rules.check_clock``, the same tolerance).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import Connection

from gating.rules import CLOCK_TOLERANCE


@dataclass(frozen=True)
class BackwardStep:
    seq: int
    uid: str
    at: str
    previous_at: str

    def problem(self) -> str:
        return (
            f"its time {self.at} is before the previous event's {self.previous_at}: "
            "a clock was set back while the record was written"
        )


def _parsed(stamp: str) -> dt.datetime:
    return dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def backward_steps(connection: Connection, tolerance: dt.timedelta = CLOCK_TOLERANCE) -> list[BackwardStep]:
    """Every event whose time is before its predecessor's by more than ``tolerance``. The
    database finds the steps back (the ISO texts compare as the instants do); Python weighs
    the few it finds against the tolerance."""
    rows = connection.execute(
        text(
            "SELECT seq, uid, occurred_at, previous FROM ("
            " SELECT seq, uid, occurred_at, LAG(occurred_at) OVER (ORDER BY seq) AS previous"
            " FROM audit_events) AS steps WHERE occurred_at < previous ORDER BY seq"
        )
    )
    steps = []
    for seq, uid, at, previous in rows:
        try:
            back = _parsed(previous) - _parsed(at)
        except ValueError:
            back = tolerance + tolerance  # a time that does not parse is its own problem: report it
        if back > tolerance:
            steps.append(BackwardStep(int(seq), str(uid), str(at), str(previous)))
    return steps
