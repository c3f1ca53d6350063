"""Every screen in English and German at 1024x768 and 1920x1080, with screenshots.

The real engine on the test's own SQLite file and the simulated scale and scanner on ptys:
every state a screen shows (a refusal, a lockout, an out-of-limits value, a deviation, a
hold) is reached by doing what an operator does.
"""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QWidget

from station.engine.api import Login

from .flows import (
    LOT_CROSCARMELLOSE,
    LOT_MCC,
    LOT_PARACETAMOL,
    LOT_PARACETAMOL_QUARANTINED,
    LOT_POVIDONE_RETEST_DUE,
)
from .real_engine import BADGES, happy_path

SIZES = [(1024, 768), (1920, 1080)]

# Wei Chen typed a wrong password five times at the login screen earlier: his account is locked.
CHEN_LOCKED = [Login(password="not-his-password", user="op.chen")] * 5
# An earlier shift completed a batch without exceptions (for the QA review's "No exceptions").
CLEAN_BATCH = happy_path(batch_id="B-2610-099")


@pytest.mark.gui
@pytest.mark.parametrize("language", ["en", "de"])
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_screen(rig, qtbot, language: str, size: tuple[int, int]) -> None:
    d = rig(
        prepare=[*CHEN_LOCKED, *CLEAN_BATCH],
        size=size,
        tag=f"{language}-{size[0]}x{size[1]}-",
        idle_logout_s=600,
    )
    w = d.window
    d.click(f"lang_{language}")
    qtbot.waitUntil(lambda: w.metrics is not None and w.metrics.target >= 59, timeout=5000)
    assert d.station.translations.language == language
    assert w.size().width() == size[0] and w.size().height() == size[1], "the window does not fit the screen"

    def shot(name: str, *, settle: bool = True) -> None:
        if settle:
            qtbot.wait(5)  # let the layouts settle, as the event loop would before painting
        if (w.width(), w.height()) != size:
            page = w.stack.currentWidget()
            kids = [
                (c.objectName(), type(c).__name__, c.height(), c.minimumSizeHint().height())
                for c in page.findChildren(QWidget)
                if c.isVisible() and c.parent() is page
            ]
            raise AssertionError(
                f"{name}: the window grew to {w.width()}x{w.height()}; header {w.header.height()} {kids}"
            )
        d.screenshot(name)  # first, so that a screen the checks find wrong can be looked at
        check_layout(w)

    shot("01-login")
    d.login("op.alvarez", "not-her-password")
    assert w.page_name == "login" and w.login.vm.message
    shot("02-login-refused")
    d.login("op.chen")  # the right password, but the account is locked
    assert w.login.vm.locked and w.page_name == "login"
    shot("03-login-locked")
    d.fill("login_user", "op.okafor")
    d.fill("login_password", d.passwords["op.okafor"])
    d.click("login_submit")
    d.wait_page("password")  # still the imported initial password
    shot("04-change-password")
    d.set_own_password("op.okafor")
    d.click("home_logout")
    d.login("op.alvarez")
    d.wait_page("home")
    shot("05-home")
    d.click("home_start")
    d.fill("start_batch_id", "B-2611-001")
    shot("06-start-batch")
    d.click("start_submit")
    d.wait_page("runner")
    shot("07-instruction")
    d.click("instruction_confirm")
    shot("08-check")
    d.click("check_yes")
    d.fill("signature_user", "sv.nowak")
    shot("09-signature")
    d.fill("signature_password", d.passwords["sv.nowak"])
    d.click("signature_sign")
    shot("10-signature-signed")
    d.click("signature_continue")
    d.scan("SCL-150-02")  # calibration expired: no override
    assert w.runner.vm.panel.lines[0].code == "equipment_calibration_due"
    assert not d.visible("panel_override")
    shot("11-refusal-hard")
    d.click("panel_ok")
    shot("12-equipment-refused")
    d.scan("SCL-150-01")
    shot("13-equipment-ok")
    d.click("equipment_continue")
    shot("14-weigh-scan-lot")
    d.scan(LOT_PARACETAMOL_QUARANTINED)
    assert w.runner.vm.panel.lines[0].code == "lot_quarantined"
    shot("15-refusal-lot-quarantined")
    d.click("panel_ok")
    d.scan(LOT_PARACETAMOL)
    d.put("1.25")
    d.tare()
    d.put("61.85")  # net 60.60 kg: above 60.30
    assert w.runner.vm.step_vm.state == "above" and not d.find("weigh_accept").isEnabled()
    shot("16-weigh-out-of-tolerance")
    d.put("61.27", settled=False, slowly=True)
    d.wait_reading(lambda r: not r.stable)
    shot("17-weigh-unstable", settle=False)
    d.scale.unplug()
    qtbot.waitUntil(lambda: not w.runner.vm.header.devices.scale_connected, timeout=10000)
    shot("18-weigh-disconnected")
    d.scale.replug()
    qtbot.waitUntil(lambda: d.find("weigh_accept").isEnabled(), timeout=15000)
    shot("19-weigh-ok")
    d.click("weigh_accept")
    d.scan(LOT_MCC)
    d.weigh("1.25", "49.10")
    d.scan("SCL-006-01")
    d.click("equipment_continue")
    d.scan(LOT_POVIDONE_RETEST_DUE)  # due for retest: a supervisor may override
    assert w.runner.vm.panel.lines[0].code == "lot_retest_due" and d.visible("panel_override")
    shot("20-refusal-overridable")
    d.click("panel_override")
    d.wait_page("override")
    d.scan_badge(BADGES["sv.haddad"])
    d.fill("override_password", d.passwords["sv.haddad"])
    d.fill("override_reason", "QA accepts the lot pending retest")
    shot("21-override")
    d.click("override_submit")
    d.wait_page("runner")
    assert w.runner.vm.step_vm.lot == "K23-0901"
    d.weigh("0.3120", "3.9310")
    d.scan(LOT_CROSCARMELLOSE)
    d.weigh("0.3120", "2.7295")
    d.sign("sv.haddad")
    d.click("signature_continue")
    d.scan("GRN-01")
    d.click("equipment_continue")
    d.click("instruction_confirm")
    d.numpad("170")
    shot("22-measure-out-of-limits")
    d.click("measure_record")  # recorded as entered, a deviation opened
    assert w.runner.vm.panel.status == "deviation" and w.runner.vm.header.open_deviations == 1
    shot("23-deviation-recorded")
    d.click("panel_override")
    d.wait_page("override")
    d.fill("override_user", "sv.nowak")
    d.fill("override_password", d.passwords["sv.nowak"])
    d.fill("override_reason", "Speed corrected to 150 rpm at once")
    shot("24-acknowledge")
    d.click("override_submit")
    d.wait_page("runner")
    assert w.runner.vm.header.open_deviations == 0
    d.numpad("5.0")
    shot("25-measure-in-limits")
    d.click("measure_record")
    d.measure("1.84")
    d.click("runner_deviation")
    d.click("choice_equipment")
    d.fill("deviation_text", "Granulator lid seal worn")
    shot("26-raise-deviation")
    d.click("deviation_submit")
    d.click("runner_hold")
    d.fill("hold_reason", "Waiting for QA")
    shot("27-hold")
    d.click("hold_submit")
    shot("28-on-hold")
    d.click("on_hold_button")
    d.click("hold_submit")
    d.sign("op.alvarez")
    d.click("signature_continue")
    shot("29-ready-to-complete")
    d.click("ready_button")  # the raised deviation is still open
    assert w.runner.vm.panel.lines[0].code == "deviation_open" and d.visible("panel_override")
    shot("30-refusal-deviation-open")
    d.click("panel_override")
    d.wait_page("override")
    d.fill("override_user", "sv.haddad")
    d.fill("override_password", d.passwords["sv.haddad"])
    d.fill("override_reason", "Seal replaced, no product contact")
    d.click("override_submit")
    d.wait_page("runner")
    d.click("ready_button")
    assert w.runner.vm.batch.status == "completed"
    shot("31-completed")
    d.click("completed_button")
    d.wait_page("home")
    qtbot.waitUntil(lambda: w.home.view.batches.count() > 3, timeout=5000)
    shot("32-home-with-batches")
    d.click("home_logout")
    # QA review by exception
    d.login("qa.berg")
    d.wait_page("reviews")
    qtbot.waitUntil(lambda: w.reviews.view.select_batch("B-2611-001"), timeout=5000)
    shot("33-reviews")
    d.click("reviews_open")
    d.wait_page("review")
    assert w.review.vm.exceptions
    shot("34-review-exceptions")
    w.review.view.exceptions.setCurrentRow(len(w.review.vm.exceptions) - 1)
    shot("35-review-exception-context")
    d.click("review_record")
    for _ in range(4):
        d.click("review_next")
    shot("36-review-record")
    d.click("review_exceptions")
    d.click("review_reject")
    d.wait_page("review_sign")
    d.fill("review_user", "qa.berg")
    d.fill("review_password", "wrong-password")
    d.fill("review_comment", "Seal replacement not documented")
    shot("37-review-sign")
    d.click("review_sign_submit")
    assert d.text("review_sign_message")
    shot("38-review-sign-refused")
    d.fill("review_password", d.passwords["qa.berg"])
    d.click("review_sign_submit")
    d.wait_page("review")
    shot("39-review-rejected")
    d.click("review_back")
    d.wait_page("reviews")
    qtbot.waitUntil(lambda: w.reviews.view.select_batch("B-2610-099"), timeout=5000)
    d.click("reviews_open")
    d.wait_page("review")
    assert w.review.vm.no_exceptions
    shot("40-review-no-exceptions")
    d.click("review_back")
    d.wait_page("reviews")
    qtbot.waitUntil(lambda: any(i.decision for i in w.reviews.vm.items), timeout=5000)
    shot("41-reviews-with-verdict")
    d.click("reviews_logout")
    d.wait_page("login")


def check_layout(window) -> None:
    """What a person would find wrong: buttons under 15 mm, text cut off, widgets overlapping."""
    from PySide6.QtCore import QCoreApplication, QEvent
    from PySide6.QtWidgets import QAbstractButton, QLabel

    from station.ui.style import MIN_TARGET_MM, px_per_mm

    # A live reading may just have changed a label's text: let the layouts it asked for run
    # (without taking new readings in) before measuring what a person would see.
    for _ in range(3):
        QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)

    min_px = MIN_TARGET_MM * px_per_mm(window) - 1
    page = window.stack.currentWidget()
    buttons = [b for b in page.findChildren(QAbstractButton) if b.isVisible()]
    if page is window.runner.view and window.runner.view.panel_shown:  # the panel covers the step view
        covered = window.runner.view.stack
        buttons = [b for b in buttons if not covered.isAncestorOf(b)]
    small = [
        (b.objectName() or b.text(), b.width(), b.height())
        for b in buttons
        if min(b.width(), b.height()) < min_px
    ]
    assert not small, f"touch targets under 15 mm on {window.page_name}: {small}"
    for b in buttons:
        if b.text():
            need = b.fontMetrics().horizontalAdvance(b.text().replace("&&", "&"))
            assert need <= b.width() - 4, (
                f"button text clipped on {window.page_name}: {b.text()!r} {need}>{b.width()}"
            )
    for lab in page.findChildren(QLabel):
        if lab.isVisible() and lab.text() and not lab.wordWrap():
            need = lab.fontMetrics().horizontalAdvance(lab.text())
            assert need <= lab.width() + 2, (
                f"label clipped on {window.page_name}: {lab.text()!r} {need}>{lab.width()}"
            )
    visible = [b for b in buttons if b.width() > 0]
    rects = [(b, b.rect().translated(b.mapTo(window, b.rect().topLeft()))) for b in visible]
    for i, (a, ra) in enumerate(rects):
        for b, rb in rects[i + 1 :]:
            assert not ra.intersects(rb), (
                f"overlapping buttons on {window.page_name}: {a.objectName()} {b.objectName()}"
            )
    bottom = max((r.bottom() for _b, r in rects), default=0)
    assert bottom <= window.height(), f"buttons below the window's edge on {window.page_name}"
    for b, r in rects:  # a layout squeezed below its minimum cuts its widgets off at a parent's edge
        shown = r
        parent = b.parentWidget()
        while parent is not None and parent is not window:
            shown = shown.intersected(parent.rect().translated(parent.mapTo(window, parent.rect().topLeft())))
            parent = parent.parentWidget()
        assert shown == r, (
            f"button cut off on {window.page_name}: {b.objectName() or b.text()!r} {r} shown {shown}"
        )
