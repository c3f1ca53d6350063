"""The engine on its own thread: every action and query is serialised through one worker.

``Engine.dispatch`` does blocking database work, so the GUI thread never calls it. Each kind of
request is a method of ``EngineClient`` (dispatch an action, load the home lists, the review
queue, open a review, sign a review); the worker runs it on the engine thread and hands its
typed answer back by a signal of its own, which the client passes to the caller's callback on
the GUI thread. A request the engine raised on answers ``Failed`` (its traceback is logged).
"""

from __future__ import annotations

import itertools
import logging
import traceback
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from datetime import tzinfo
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QObject, QThread, Signal, SignalInstance, Slot

if TYPE_CHECKING:  # types only: the review's record model loads on the engine thread, when first used
    from station.engine.api import Action, BatchSummary, Outcome, RecipeSummary
    from station.engine.engine import Engine

    from .review_calls import Refused
    from .viewmodels.review import QueueItem, ReviewVM

log = logging.getLogger(__name__)

#: Every engine thread started and not yet garbage-collected (the tests check none is left running).
THREADS: weakref.WeakSet[QThread] = weakref.WeakSet()


@dataclass(frozen=True)
class Failed:
    """The engine raised instead of answering: the error in one line."""

    error: str


@dataclass(frozen=True)
class Started:
    """The engine is built and its store open."""

    site_tz: tzinfo  # the zone of the site's times (the record's, the header clock's)


@dataclass(frozen=True)
class HomeLists:
    """The batches at this station and the recipes, for the home screen."""

    batches: tuple[BatchSummary, ...]
    recipes: tuple[RecipeSummary, ...]


@dataclass(frozen=True)
class ReviewQueue:
    """The completed batches with their reviews, and the site's time zone the screens show."""

    items: tuple[QueueItem, ...]
    timezone: str


T = TypeVar("T")


class _Worker(QObject):
    """Lives on the engine thread; builds the engine at its first request."""

    dispatched = Signal(int, object)  # request id, Outcome | Failed
    lists_loaded = Signal(int, object)  # HomeLists | Failed
    queue_loaded = Signal(int, object)  # ReviewQueue | Failed
    review_opened = Signal(int, object)  # ReviewVM | Failed
    review_signed = Signal(int, object)  # ReviewVM | Refused | Failed
    prepared = Signal(int, object)  # Started | Failed
    called = Signal(int, object)  # what the function returned | Failed

    def __init__(self, factory: Callable[[], Engine]) -> None:
        super().__init__()
        self._factory = factory
        self._engine: Engine | None = None

    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = self._factory()
        return self._engine

    def _answer(self, signal: SignalInstance, rid: int, what: str, work: Callable[[], object]) -> None:
        try:
            result = work()
        except Exception as exc:  # the UI shows it; the station keeps running
            log.error("engine request %s failed: %s", what, traceback.format_exc())
            result = Failed(f"{type(exc).__name__}: {exc}")
        signal.emit(rid, result)

    @Slot(int)
    def prepare(self, rid: int) -> None:
        self._answer(self.prepared, rid, "prepare", self._prepare)

    def _prepare(self) -> Started:
        # The record store opens, the recipes are parsed and the scan decoder's GS1 tables load
        # here while the login screen is up, not on the GUI thread nor at the first tap.
        from .viewmodels.scan import preload

        engine = self.engine()
        engine.batches()
        engine.recipes()
        preload()
        return Started(engine.site_tz)

    @Slot(int, object)
    def dispatch(self, rid: int, action: Action) -> None:
        self._answer(self.dispatched, rid, "dispatch", lambda: self.engine().dispatch(action))

    @Slot(int)
    def load_lists(self, rid: int) -> None:
        def lists() -> HomeLists:
            engine = self.engine()
            return HomeLists(tuple(engine.batches()), tuple(engine.recipes()))

        self._answer(self.lists_loaded, rid, "lists", lists)

    @Slot(int)
    def load_queue(self, rid: int) -> None:
        def queue() -> ReviewQueue:
            from .review_calls import review_queue

            items, timezone = review_queue(self.engine())
            return ReviewQueue(tuple(items), timezone)

        self._answer(self.queue_loaded, rid, "review queue", queue)

    @Slot(int, str)
    def open_review(self, rid: int, batch_id: str) -> None:
        def review() -> ReviewVM:
            from .review_calls import open_review

            return open_review(batch_id)(self.engine())

        self._answer(self.review_opened, rid, "open review", review)

    @Slot(int, str, object)
    def sign_review(self, rid: int, batch_id: str, request: dict[str, Any]) -> None:
        def sign() -> object:
            from .review_calls import sign_review

            return sign_review(batch_id, request)(self.engine())

        self._answer(self.review_signed, rid, "sign review", sign)

    @Slot(int, object)
    def call(self, rid: int, work: Callable[[Engine], object]) -> None:
        self._answer(self.called, rid, "call", lambda: work(self.engine()))

    @Slot()
    def close(self) -> None:
        try:
            if self._engine is not None:
                self._engine.close()
        except Exception:
            log.error("closing the engine failed: %s", traceback.format_exc())
        self._engine = None
        thread = QThread.currentThread()
        if thread is not None:
            thread.quit()


class EngineClient(QObject):
    """Posts requests to the engine thread and calls back on the GUI thread with the answer."""

    idle_changed = Signal(bool)
    _prepare = Signal(int)
    _dispatch = Signal(int, object)
    _load_lists = Signal(int)
    _load_queue = Signal(int)
    _open_review = Signal(int, str)
    _sign_review = Signal(int, str, object)
    _call = Signal(int, object)
    _close = Signal()

    def __init__(self, factory: Callable[[], Engine], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ids = itertools.count(1)
        self._pending: dict[int, Callable[[Any], None] | None] = {}
        self._dispatches: set[int] = set()
        self._thread = QThread()
        self._thread.setObjectName("engine")
        THREADS.add(self._thread)
        self._worker = _Worker(factory)
        self._worker.moveToThread(self._thread)
        w = self._worker
        for post, run in (
            (self._prepare, w.prepare),
            (self._dispatch, w.dispatch),
            (self._load_lists, w.load_lists),
            (self._load_queue, w.load_queue),
            (self._open_review, w.open_review),
            (self._sign_review, w.sign_review),
            (self._call, w.call),
            (self._close, w.close),
        ):
            post.connect(run)
        for answer in (
            w.prepared,
            w.dispatched,
            w.lists_loaded,
            w.queue_loaded,
            w.review_opened,
            w.review_signed,
            w.called,
        ):
            answer.connect(self._answered)
        self._thread.finished.connect(self._worker.deleteLater)
        self._thread.start()

    @property
    def busy(self) -> bool:
        """Any request still on the engine thread."""
        return bool(self._pending)

    @property
    def dispatching(self) -> bool:
        """An action still on the engine thread (queries do not count)."""
        return bool(self._dispatches)

    # ------------------------------------------------------------------ the requests

    def prepare(self, then: Callable[[Started | Failed], None]) -> None:
        """Build the engine and read what the first screens need, before anyone asks."""
        self._prepare.emit(self._register(then))

    def dispatch(self, action: Action, then: Callable[[Outcome | Failed], None]) -> None:
        rid = self._register(then)
        self._dispatches.add(rid)
        self._dispatch.emit(rid, action)

    def load_lists(self, then: Callable[[HomeLists | Failed], None]) -> None:
        self._load_lists.emit(self._register(then))

    def load_review_queue(self, then: Callable[[ReviewQueue | Failed], None]) -> None:
        self._load_queue.emit(self._register(then))

    def open_review(self, batch_id: str, then: Callable[[ReviewVM | Failed], None]) -> None:
        self._open_review.emit(self._register(then), batch_id)

    def sign_review(
        self, batch_id: str, request: dict[str, Any], then: Callable[[ReviewVM | Refused | Failed], None]
    ) -> None:
        """Sign the verdict; the answer is the review as reloaded, or the service's refusal."""
        self._sign_review.emit(self._register(then), batch_id, request)

    def call(self, work: Callable[[Engine], object], then: Callable[[Any], None]) -> None:
        """Run ``work(engine)`` on the engine thread (a read for a screen: the users, a page of
        the site's audit trail); ``then`` gets what it returned, or ``Failed``."""
        self._call.emit(self._register(then), work)

    # ------------------------------------------------------------------ bookkeeping

    def _register(self, then: Callable[[T], None] | None) -> int:
        rid = next(self._ids)
        was_idle = not self._pending
        self._pending[rid] = then
        if was_idle:
            self.idle_changed.emit(False)
        return rid

    @Slot(int, object)
    def _answered(self, rid: int, result: object) -> None:
        then = self._pending.pop(rid, None)
        self._dispatches.discard(rid)
        if then is not None:
            then(result)
        if not self._pending:
            self.idle_changed.emit(True)

    def shutdown(self, timeout_ms: int = 10000) -> None:
        """Close the engine on its thread, then stop the thread."""
        if not self._thread.isRunning():
            return
        self._pending.clear()
        self._dispatches.clear()
        self._close.emit()
        if not self._thread.wait(timeout_ms):
            log.error("the engine thread did not stop within %d ms", timeout_ms)
