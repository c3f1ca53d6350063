"""The engine thread's typed requests on the real engine: each answer is its own type, comes
back on the GUI thread, and a request the engine raised on answers ``Failed``."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from station.engine.api import Login, Outcome
from station.ui.viewmodels.review import ReviewVM
from station.ui.worker import EngineClient, Failed, HomeLists, ReviewQueue, Started

from .real_engine import dispatch, engine_factory, happy_path

pytestmark = pytest.mark.gui


@pytest.fixture
def client(qapp, station_db: str) -> Iterator[tuple[EngineClient, list[Any]]]:
    engines: list[Any] = []
    c = EngineClient(engine_factory(station_db, engines))
    yield c, engines
    c.shutdown()
    c.deleteLater()


def ask(qtbot, request) -> Any:  # type: ignore[no-untyped-def]
    """Send one request; its answer, checked to arrive on the GUI thread."""
    answers: list[tuple[Any, int]] = []
    request(lambda answer: answers.append((answer, threading.get_ident())))
    qtbot.waitUntil(lambda: bool(answers), timeout=15000)
    answer, thread = answers[0]
    assert thread == threading.main_thread().ident, "answered off the GUI thread"
    return answer


def test_each_request_answers_its_own_type(client, qtbot) -> None:
    c, engines = client
    started = ask(qtbot, c.prepare)
    assert isinstance(started, Started) and str(started.site_tz)
    lists = ask(qtbot, c.load_lists)
    assert isinstance(lists, HomeLists)
    assert [(r.code, r.version) for r in lists.recipes] == [("PARA500-GRAN", 3)] and lists.batches == ()
    c.dispatch(Login(password="not-her-password", user="op.alvarez"), lambda _o: None)
    assert c.dispatching and c.busy
    outcome = ask(qtbot, lambda then: c.dispatch(Login(password="not-her-password", user="op.alvarez"), then))
    assert isinstance(outcome, Outcome) and outcome.status == "refused"
    assert "login_invalid" in outcome.reasons
    qtbot.waitUntil(lambda: not c.busy, timeout=15000)
    queue = ask(qtbot, c.load_review_queue)
    assert isinstance(queue, ReviewQueue) and queue.items == ()
    main = threading.main_thread().ident
    assert engines and main not in engines[0].threads, "the engine ran on the GUI thread"


def test_a_review_of_a_completed_batch_and_of_none(client, qtbot, station_db: str) -> None:
    dispatch(station_db, happy_path(batch_id="B-2611-001"))
    c, _engines = client
    queue = ask(qtbot, c.load_review_queue)
    assert [i.batch_id for i in queue.items] == ["B-2611-001"]
    review = ask(qtbot, lambda then: c.open_review("B-2611-001", then))
    assert isinstance(review, ReviewVM) and review.batch_id == "B-2611-001" and review.can_review
    missing = ask(qtbot, lambda then: c.open_review("B-NONE", then))
    assert isinstance(missing, Failed) and "B-NONE" in missing.error
