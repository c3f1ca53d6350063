"""The sync with the central hub as the header shows it: one short line and a colour.

In sync (green); N events unsent and the age of the oldest (amber, red once past the site's
``sync_stale`` limit, when new batches are refused); an alarm a person must look at (red: a
fork, a receipt that does not verify, the hub refusing this station). The words say it too,
so the colour is never the only signal. Built from the store's state (``ebr.sync.state``),
whichever process sends: this station's worker thread or ``mes-station sync`` as a service.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .text import translate

if TYPE_CHECKING:  # types only: the store's code loads after the window's first frame
    from ebr.sync.state import SyncSnapshot


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:  # the name lupdate looks for
    """Marks a text for translation; translated where it is shown (``SyncVM.text``)."""
    return text


# What each alarm kind means for the person at the station (the detail goes to the log).
ALARMS = {
    "fork": QT_TRANSLATE_NOOP("Sync", "records differ"),
    "foreign_chain": QT_TRANSLATE_NOOP("Sync", "station refused"),
    "receipt_invalid": QT_TRANSLATE_NOOP("Sync", "receipt invalid"),
    "refused": QT_TRANSLATE_NOOP("Sync", "records refused"),
}


def age_text(age: dt.timedelta) -> str:
    """A short age for the header: seconds, minutes, hours or days."""
    seconds = int(age.total_seconds())
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 120 * 60:
        return f"{seconds // 60} min"
    if seconds < 48 * 3600:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} d"


@dataclass
class SyncVM:
    # off: no hub configured (nothing shown); sending: this station's worker pushes;
    # watching: another process holds the sender lock (``mes-station sync`` as a service);
    # broken: a hub is named but its settings do not let the sync run (the journal says why).
    mode: str = "off"
    snapshot: SyncSnapshot | None = None
    problem: str | None = None  # unreachable | refused: this process's last push failed
    limit: dt.timedelta | None = None  # the site's sync_stale limit (None: no limit)

    @property
    def shown(self) -> bool:
        return self.mode != "off" or self.limit is not None

    def stale(self, now: dt.datetime) -> bool:
        s = self.snapshot
        age = s.oldest_unsent_age(now) if s is not None else None
        return self.limit is not None and age is not None and age > self.limit

    def level(self, now: dt.datetime) -> str:
        """ok | warn | bad | off, as the other header indicators."""
        s = self.snapshot
        if self.mode == "broken":
            return "bad"
        if s is None:
            return "off"
        if s.alarms or self.stale(now):
            return "bad"
        if s.unsent or self.problem:
            return "warn"
        return "ok"

    def text(self, now: dt.datetime) -> str:
        s = self.snapshot
        if self.mode == "broken":
            return translate("Sync", "Sync cannot run: configuration · call IT")
        if s is None:
            return translate("Sync", "Sync: reading ...")
        if s.alarms:
            kind = s.alarms[-1].kind
            meaning = translate("Sync", ALARMS.get(kind, ALARMS["refused"]))
            return translate("Sync", "SYNC ALARM · %1 · call QA").replace("%1", meaning)
        if s.unsent == 0:
            return translate("Sync", "In sync")
        age = s.oldest_unsent_age(now) or dt.timedelta(0)
        line = (
            translate("Sync", "%1 unsent, oldest %2")
            .replace("%1", str(s.unsent))
            .replace("%2", age_text(age))
        )
        if self.stale(now):
            line += translate("Sync", " · no new batch")
        elif self.problem == "unreachable":
            line += translate("Sync", " · hub offline")
        elif self.problem:
            line += translate("Sync", " · refused, call IT")
        return line
