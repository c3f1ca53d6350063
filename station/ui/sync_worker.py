"""The sync with the central hub inside the touchscreen: pushing and watching, never on the GUI
thread.

Two threads of its own. The sender runs the same client as ``mes-station sync``
(``ebr.sync.client.run_forever``: backoff with jitter, receipts checked and stored with the
cursor) when this process holds the store's sender lock; when ``mes-station sync`` runs as a
service and holds it, the touchscreen only watches (one sender per chain), and takes over if the
service stops. The watcher reads the sync's state from the store (``ebr.sync.state``) and the
site's ``sync_stale`` limit every ``poll_s`` and hands a ``SyncReport`` to the GUI thread by a
queued signal; the header turns it into words and a colour (``viewmodels.sync``).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Signal

from ebr import site_policy
from ebr.database import Database
from ebr.sync.state import SenderLock, SyncSnapshot, snapshot

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SyncReport:
    mode: str  # off (no hub), sending (this process), watching (another sends), broken (misconfigured)
    snapshot: SyncSnapshot | None
    problem: str | None  # unreachable | refused: this process's last push failed
    limit: dt.timedelta | None


class SyncWorker(QObject):
    """Owned by the window; ``start`` after the window is shown, ``stop`` when it closes."""

    reported = Signal(object)  # SyncReport, delivered on the GUI thread

    def __init__(
        self,
        db: Database,
        link: Any = None,  # ebr.sync.client.HubLink, None without a hub
        station_id: str = "",
        *,
        poll_s: float = 1.0,
        broken: str | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.link = link
        self.broken = broken  # a hub named, but the configuration does not let the sync run
        self.station_id = station_id
        self.poll_s = poll_s
        self._stop = threading.Event()
        self._lock = SenderLock(db)
        self._sending = threading.Event()
        self._problem: str | None = None
        self._threads: list[threading.Thread] = []

    @property
    def mode(self) -> str:
        if self.broken is not None:
            return "broken"
        if self.link is None:
            return "off"
        return "sending" if self._sending.is_set() else "watching"

    def start(self) -> None:
        watcher = threading.Thread(target=self._watch, name="sync-watch", daemon=True)
        self._threads.append(watcher)
        watcher.start()

    def stop(self, timeout_s: float = 15.0) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout_s)
            if thread.is_alive():
                log.error("the %s thread did not stop within %.0f s", thread.name, timeout_s)
        self._threads.clear()
        self._lock.release()
        self._sending.clear()

    # ------------------------------------------------------------------ the threads

    def _watch(self) -> None:
        while not self._stop.is_set():
            if self.link is not None and not self._sending.is_set():
                self._try_to_send()
            try:
                report = self._read()
            except Exception as exc:  # a store that cannot be read now: say so, try again
                log.warning("sync state unreadable: %s", exc)
                report = SyncReport(self.mode, None, self._problem, None)
            self.reported.emit(report)
            self._stop.wait(self.poll_s)

    def _read(self) -> SyncReport:
        with self.db.unit_of_work(read_only=True) as uow:
            found = snapshot(uow)
            limit = site_policy.sync_stale_limit(uow)
        return SyncReport(self.mode, found, self._problem, limit)

    def _try_to_send(self) -> None:
        try:
            taken = self._lock.acquire()
        except Exception as exc:
            log.warning("sync: the sender lock cannot be taken: %s", exc)
            return
        if not taken:
            return
        if self._stop.is_set():
            self._lock.release()
            return
        self._sending.set()
        sender = threading.Thread(target=self._send, name="sync-send", daemon=True)
        self._threads.append(sender)
        sender.start()

    def _send(self) -> None:
        from ebr.sync.client import HubUnreachable, run_forever

        def failed(exc: Exception) -> None:
            self._problem = "unreachable" if isinstance(exc, HubUnreachable) else "refused"

        def pushed(_count: int) -> None:
            self._problem = None

        try:
            run_forever(self.db, self.link, self.station_id, self._stop, on_error=failed, on_pushed=pushed)
        except Exception:  # never silently: the header shows the sync stalled, the log says why
            log.exception("the sync sender stopped; it starts again in 30 s")
            self._problem = "refused"
            self._stop.wait(30)
        finally:
            self._lock.release()
            self._sending.clear()
