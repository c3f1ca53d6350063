"""QA review by exception: the view-models on a real batch record (no Qt), and the screens on
the real engine: qa.berg reviews the batch that met refusals, overrides and an out-of-limits
value, is refused for a wrong password and for not being QA, then approves it."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from station.ui.viewmodels.review import ReviewVM
from station.ui.viewmodels.review_queue import ReviewQueueVM, ReviewSignVM, local_time

from .real_engine import copy_of, dispatch, happy_path, refusals_then_complete

ROOT = Path(__file__).resolve().parents[2]
CLEAN, EXCEPTIONS = "B-2611-001", "B-2611-002"


@pytest.fixture(scope="session")
def reviewed_template(approved_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The approved template with two completed batches, run headless: the happy path and the
    refusals-then-complete path (overridden weighing, acknowledged out-of-limits value)."""
    folder = tmp_path_factory.mktemp("review")
    url = copy_of(approved_template, folder, "reviewed.db")
    dispatch(url, [*happy_path(batch_id=CLEAN), *refusals_then_complete(EXCEPTIONS)])
    path = folder / "reviewed.db"
    with sqlite3.connect(path) as con:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture
def station_db(reviewed_template: Path, tmp_path: Path) -> str:
    return copy_of(reviewed_template, tmp_path)


def record_of(url: str, batch_id: str):  # type: ignore[no-untyped-def]
    from station.composition import build_engine
    from station.exports import load_record

    engine = build_engine(url)
    try:
        return load_record(engine.db, batch_id)
    finally:
        engine.db.dispose()


# ---------------------------------------------------------------- view-models, without Qt


def test_review_viewmodels_do_not_import_qt() -> None:
    code = (
        "import sys, station.ui.viewmodels.review, station.ui.viewmodels.review_queue, station.ui.review_calls; "
        "assert not [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))], 'Qt imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_exceptions_first_with_their_context(station_db: str) -> None:
    vm = ReviewVM.from_record(record_of(station_db, EXCEPTIONS))
    header = dict(vm.header_lines)
    assert header["Batch"] == EXCEPTIONS and header["Recipe"] == "PARA500-GRAN v3"
    assert header["Audit chain verified"] == "yes" and vm.chain_ok
    kinds = [e.kind for e in vm.exceptions]
    for kind in ("override", "refusal", "refused_weighing", "out_of_limits", "deviation", "acknowledgement"):
        assert kind in kinds, kinds
    override = next(e for e in vm.exceptions if e.kind == "override")
    ctx = dict(override.context)
    assert ctx["Reason code"] == "weight_out_of_tolerance"
    assert "above the upper limit" in ctx["Sentence"]
    assert ctx["Reason given"] == "Within the site's process capability"
    assert "Leila Haddad (sv.haddad)" in ctx["Supervisor"]
    assert "Refusal overridden by supervisor" in ctx["E-signature"]
    assert "How it was closed" in ctx and ctx["Closed"] != "NOT CLOSED"
    speed = next(e for e in vm.exceptions if e.kind == "out_of_limits")
    ctx = dict(speed.context)
    assert ctx["Recorded value"].endswith("170 rpm") and ctx["Limits"] == "140 … 160 rpm"
    assert ctx["How it was closed"] == "Speed corrected to 150 rpm at once" and not speed.open
    signatures = [v for c, v in speed.context if c in ("E-signature", "Signature at this step")]
    assert len(signatures) == len(set(signatures)), "a signature shown twice"
    weighing = dict(next(e for e in vm.exceptions if e.kind == "refused_weighing").context)
    assert weighing["Limits"].startswith("59.7") and "Re-weighed" in weighing
    # paging through the record
    assert vm.pages and vm.page_text == f"Step 1 of {len(vm.pages)}" and not vm.can_back
    vm.turn(100)
    assert vm.page == len(vm.pages) - 1 and not vm.can_forward
    assert vm.can_review and vm.verdict_text == ""


def test_no_exceptions_and_queue(station_db: str) -> None:
    clean = ReviewVM.from_record(record_of(station_db, CLEAN))
    assert clean.no_exceptions and clean.exceptions_title == "Exceptions: 0"
    q = ReviewQueueVM()
    from station.ui.viewmodels.review_queue import QueueItem

    q.set_items(
        [
            QueueItem("B-2", "P", "R", 1, "2026-01-02T08:00:00+00:00", "approved", "Anders Berg", "2026-01-03T09:30:00+00:00"),
            QueueItem("B-1", "P", "R", 1, "2026-01-01T08:00:00+00:00"),
        ]
    )  # fmt: skip
    (_, waiting), (_, done) = q.grouped()
    assert [i.batch_id for i in waiting] == ["B-1"] and [i.batch_id for i in done] == ["B-2"]
    assert "Approved by Anders Berg, 2026-01-03 09:30" in q.describe(done[0])
    assert local_time("2026-01-03T09:30:00+00:00", "Europe/Berlin") == "2026-01-03 10:30"


def test_sign_form_asks_for_everything() -> None:
    vm = ReviewSignVM()
    vm.reset("B-1", approve=False)
    assert vm.meaning == "Batch record reviewed and rejected" and "rejected" in vm.info
    assert vm.problem and not vm.can_submit
    vm.scan_badge("B300009")
    vm.password.set("secret")
    assert vm.problem == "A comment is mandatory."
    vm.comment.set("  ")
    assert not vm.can_submit
    vm.comment.set("Seal replacement documented")
    assert vm.can_submit
    assert vm.request() == {
        "approve": False,
        "user": "B300009",
        "password": "secret",
        "comment": "Seal replacement documented",
    }
    vm.refused("Unknown user or wrong password.")
    assert vm.password.text == "" and vm.message == "Unknown user or wrong password."


# ---------------------------------------------------------------- the screens on the real engine


@pytest.mark.gui
def test_qa_reviews_and_approves_through_the_screens(rig, qtbot, watchdog) -> None:
    d = rig(devices=False)
    w = d.window
    d.login("qa.berg")
    d.wait_page("reviews")  # a QA user's home: the batches to review, no START
    assert not d.visible("home_start")
    qtbot.waitUntil(lambda: d.window.reviews.view.select_batch(EXCEPTIONS), timeout=10000)
    # A QA review is not batch execution: laying out a whole record's exceptions on first
    # opening takes some 40-60 ms here. Stalls are still bounded, at 150 ms.
    watchdog.limit_s = 0.150
    watchdog.start()
    d.click("reviews_open")
    d.wait_page("review")
    vm = w.review.vm
    assert vm is not None and vm.batch_id == EXCEPTIONS and len(vm.exceptions) >= 6
    assert "yes" in d.text("review_header") and d.visible("review_exception_list")
    # open the out-of-limits value: its full context
    row = next(i for i, e in enumerate(vm.exceptions) if e.kind == "out_of_limits")
    lst = d.find("review_exception_list")
    d.note("open an exception")
    lst.scrollToItem(lst.item(row))  # type: ignore[attr-defined]
    item_rect = lst.visualItemRect(lst.item(row))  # type: ignore[attr-defined]
    qtbot.mouseClick(lst.viewport(), Qt.MouseButton.LeftButton, pos=item_rect.center())  # type: ignore[attr-defined]
    assert vm.selected == row
    assert "Speed corrected to 150 rpm at once" in d.text("review_context")
    # the full record, step by step
    d.click("review_record")
    assert "OP10.S10" in d.text("review_step")
    d.click("review_next")
    assert "OP10.S20" in d.text("review_step")
    d.click("review_exceptions")
    # APPROVE: the e-signature form, with the meaning in words
    d.click("review_approve")
    d.wait_page("review_sign")
    assert "Batch record reviewed and approved" in d.text("review_sign_info")
    d.fill("review_user", "qa.berg")
    d.fill("review_password", "not-his-password")
    d.fill("review_comment", "Exceptions justified")
    d.click("review_sign_submit")
    assert w.page_name == "review_sign"
    assert d.text("review_sign_message") == "Unknown user or wrong password."
    # a supervisor is no QA reviewer: the service's refusal, plainly
    d.fill("review_user", "sv.haddad")
    d.fill("review_password", d.passwords["sv.haddad"])
    d.click("review_sign_submit")
    assert "does not hold the qa role" in d.text("review_sign_message")
    d.fill("review_user", "qa.berg")
    d.fill("review_password", d.passwords["qa.berg"])
    d.click("review_sign_submit")
    d.wait_page("review")
    verdict = d.text("review_verdict")
    assert "Anders Berg" in verdict and "Batch record reviewed and approved" in verdict
    assert not d.visible("review_approve") and not d.visible("review_reject")
    d.click("review_back")
    d.wait_page("reviews")
    qtbot.waitUntil(lambda: w.reviews.vm.items and w.reviews.view.select_batch(EXCEPTIONS), timeout=10000)
    listed = [w.reviews.view.batches.item(i).text() for i in range(w.reviews.view.batches.count())]
    assert any(t.startswith(EXCEPTIONS) and "Approved by Anders Berg" in t for t in listed), listed
    d.click("reviews_logout")
    d.wait_page("login")
    main = threading.main_thread().ident
    assert d.engines and main not in d.engines[0].threads, "the engine ran on the GUI thread"
    from .conftest import paused

    with paused():  # the test's own reading, on the GUI thread
        record = record_of(d.url, EXCEPTIONS)
    assert [(r.decision, r.reviewer, r.comment) for r in record.reviews] == [
        ("approved", "qa.berg", "Exceptions justified")
    ]
    assert any(s.meaning == "Batch record reviewed and approved" for s in record.signatures)


@pytest.mark.gui
def test_a_refused_review_is_said_in_german_and_recorded_in_english(rig, qtbot) -> None:
    """The German station says the review's refusal in German; the record keeps the English
    sentence and the gate's reason code."""
    d = rig(devices=False)
    d.click("lang_de")
    d.login("qa.berg")
    d.wait_page("reviews")
    qtbot.waitUntil(lambda: d.window.reviews.view.select_batch(EXCEPTIONS), timeout=10000)
    d.click("reviews_open")
    d.wait_page("review")
    d.click("review_reject")
    d.wait_page("review_sign")
    d.fill("review_user", "sv.haddad")
    d.fill("review_password", d.passwords["sv.haddad"])
    d.fill("review_comment", "Abweichung offen")
    d.click("review_sign_submit")
    assert d.window.page_name == "review_sign"
    assert (
        d.text("review_sign_message")
        == "Leila Haddad hat nicht die Rolle qa, die eine Chargenprüfung braucht"
    )
    from ebr import events as ev
    from ebr.database import open_database

    from .conftest import paused

    with paused():  # the test's own reading, on the GUI thread
        db = open_database(d.url)
        try:
            with db.unit_of_work(read_only=True) as uow:
                refused = [r for r in uow.stream(EXCEPTIONS) if isinstance(r.event, ev.ActionRefused)]
                reviewed = uow.batch_review(EXCEPTIONS)
        finally:
            db.dispose()
    last = refused[-1]
    assert (last.user_id, last.event.attempted, last.event.refusals) == (
        "sv.haddad",
        "review",
        (ev.RefusalNote("role_required", "Leila Haddad does not hold the qa role a batch review needs"),),
    )
    assert reviewed is None
