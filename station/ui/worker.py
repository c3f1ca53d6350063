"""The engine on its own thread: every action and query is serialised through one worker.

``Engine.dispatch`` does blocking database work, so the GUI thread never calls it: it posts
a request and gets the answer back through a signal.
"""

from __future__ import annotations

import itertools
import logging
import traceback
import weakref
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

log = logging.getLogger(__name__)

#: Every engine thread started and not yet garbage-collected (the tests check none is left running).
THREADS: weakref.WeakSet[QThread] = weakref.WeakSet()


class _Worker(QObject):
    done = Signal(int, object, object)  # request id, result, error text (None when it worked)

    def __init__(self, factory: Callable[[], Any]) -> None:
        super().__init__()
        self._factory = factory
        self.engine: Any = None

    @Slot(int, str, object)
    def run(self, rid: int, kind: str, payload: object) -> None:
        try:
            if kind == "close":
                close = getattr(self.engine, "close", None)
                if callable(close):
                    close()
                self.engine = None
                thread = QThread.currentThread()
                if thread is not None:
                    thread.quit()
                return
            if self.engine is None:
                self.engine = self._factory()
            engine = self.engine
            if kind == "dispatch":
                result: object = engine.dispatch(payload)
            elif kind == "lists":
                result = (list(engine.batches()), list(engine.recipes()))
            elif kind == "state":
                result = engine.state()
            elif kind == "call":
                assert callable(payload)
                result = payload(engine)
            else:
                raise ValueError(f"unknown request {kind!r}")
            self.done.emit(rid, result, None)
        except Exception as exc:  # the UI shows it; the station keeps running
            log.error("engine request %s failed: %s", kind, traceback.format_exc())
            self.done.emit(rid, None, f"{type(exc).__name__}: {exc}")


class EngineClient(QObject):
    """Posts requests to the engine thread and calls back on the GUI thread with the answer."""

    _post = Signal(int, str, object)
    idle_changed = Signal(bool)

    def __init__(self, factory: Callable[[], Any], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ids = itertools.count(1)
        self._pending: dict[int, Callable[[object, str | None], None] | None] = {}
        self._dispatches: set[int] = set()
        self.thread = QThread()
        self.thread.setObjectName("engine")
        THREADS.add(self.thread)
        self._worker = _Worker(factory)
        self._worker.moveToThread(self.thread)
        self._post.connect(self._worker.run)
        self._worker.done.connect(self._done)
        self.thread.finished.connect(self._worker.deleteLater)
        self.thread.start()

    @property
    def busy(self) -> bool:
        """Any request still on the engine thread."""
        return bool(self._pending)

    @property
    def dispatching(self) -> bool:
        """An action still on the engine thread (queries do not count)."""
        return bool(self._dispatches)

    def request(
        self, kind: str, payload: object = None, callback: Callable[[object, str | None], None] | None = None
    ) -> int:
        rid = next(self._ids)
        was_idle = not self._pending
        self._pending[rid] = callback
        if kind == "dispatch":
            self._dispatches.add(rid)
        self._post.emit(rid, kind, payload)
        if was_idle:
            self.idle_changed.emit(False)
        return rid

    @Slot(int, object, object)
    def _done(self, rid: int, result: object, error: object) -> None:
        callback = self._pending.pop(rid, None)
        self._dispatches.discard(rid)
        if callback is not None:
            callback(result, error if error is None else str(error))
        if not self._pending:
            self.idle_changed.emit(True)

    def shutdown(self, timeout_ms: int = 10000) -> None:
        """Close the engine on its thread, then stop the thread."""
        if not self.thread.isRunning():
            return
        self._pending.clear()
        self._dispatches.clear()
        self._post.emit(next(self._ids), "close", None)
        if not self.thread.wait(timeout_ms):
            log.error("the engine thread did not stop within %d ms", timeout_ms)
