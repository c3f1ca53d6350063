"""Every screen in English and German at 1024x768 and 1920x1080, with screenshots."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QWidget

from station.ui.app import build_station

from .driver import Driver
from .fake_devices import FakeDevices
from .fake_engine import FakeEngine
from .flows import (
    LOT_CROSCARMELLOSE,
    LOT_MCC,
    LOT_PARACETAMOL,
    LOT_PARACETAMOL_QUARANTINED,
    LOT_POVIDONE,
    measure,
    sign,
    weigh,
)

SIZES = [(1024, 768), (1920, 1080)]


@pytest.mark.gui
@pytest.mark.parametrize("language", ["en", "de"])
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_screen(qtbot, screenshot_dir, language: str, size: tuple[int, int]) -> None:
    devices = FakeDevices()
    station = build_station(
        lambda: FakeEngine(must_change=("op.okafor",)), language="en", devices=devices, idle_logout_s=600
    )
    try:
        w = station.window
        w.resize(*size)
        w.show()
        qtbot.waitExposed(w)
        d = Driver(station, qtbot, screenshot_dir, tag=f"{language}-{size[0]}x{size[1]}-")
        d.click(f"lang_{language}")
        qtbot.waitUntil(lambda: w.metrics is not None and w.metrics.target >= 59, timeout=5000)
        assert station.translations.language == language
        assert w.size().width() == size[0] and w.size().height() == size[1], (
            "the window does not fit the screen"
        )
        shots: list[str] = []

        def shot(name: str) -> None:
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
            check_layout(w)
            d.screenshot(name)
            shots.append(name)

        shot("01-login")
        d.login("op.alvarez", "not-her-password")
        assert w.login_vm.message
        shot("02-login-refused")
        d.login("op.okafor", "Granul8-Okafor")
        d.wait_page("password")
        shot("03-change-password")
        d.fill("password_old", "Granul8-Okafor")
        d.fill("password_new", "New-Pass-2026")
        d.fill("password_repeat", "New-Pass-2026")
        d.click("password_submit")
        d.wait_page("home")
        d.click("home_logout")
        d.login("op.alvarez", "Granul8-Alvarez")
        d.wait_page("home")
        shot("04-home")
        d.click("home_start")
        d.fill("start_batch_id", "B-2611-001")
        shot("05-start-batch")
        d.click("start_submit")
        d.wait_page("runner")
        shot("06-instruction")
        d.click("instruction_confirm")
        shot("07-check")
        d.click("check_yes")
        d.fill("signature_user", "sv.nowak")
        shot("08-signature")
        d.fill("signature_password", "Superv1se-Nowak")
        d.click("signature_sign")
        shot("09-signature-signed")
        d.click("signature_continue")
        devices.scan("SCL-150-02")
        d.wait_idle()
        shot("10-refusal-overridable")
        d.click("panel_ok")
        shot("11-equipment-refused")
        devices.scan("SCL-150-01")
        d.wait_idle()
        shot("12-equipment-ok")
        d.click("equipment_continue")
        shot("13-weigh-scan-lot")
        devices.scan(LOT_PARACETAMOL_QUARANTINED)
        d.wait_idle()
        shot("14-refusal-hard")
        d.click("panel_ok")
        devices.scan(LOT_PARACETAMOL)
        d.wait_idle()
        devices.put("1.25")
        d.click("weigh_tare")
        devices.put("61.85")
        shot("15-weigh-out-of-tolerance")
        devices.put("61.27", stable=False)
        shot("16-weigh-unstable")
        devices.scale_connection.emit(False)
        shot("17-weigh-disconnected")
        devices.scale_connection.emit(True)
        devices.put("61.27")
        shot("18-weigh-ok")
        d.click("weigh_accept")
        devices.scan(LOT_MCC)
        d.wait_idle()
        weigh(d, devices.put, lambda: d.click("weigh_tare"), "1.25", "49.10")
        devices.scan("SCL-006-01")
        d.wait_idle()
        d.click("equipment_continue")
        devices.scan(LOT_POVIDONE)
        d.wait_idle()
        weigh(d, devices.put, lambda: d.click("weigh_tare"), "0.3120", "3.9310")
        devices.scan(LOT_CROSCARMELLOSE)
        d.wait_idle()
        weigh(d, devices.put, lambda: d.click("weigh_tare"), "0.3120", "2.7295")
        sign(d, "sv.haddad", "Superv1se-Haddad")
        d.click("signature_continue")
        devices.scan("GRN-01")
        d.wait_idle()
        d.click("equipment_continue")
        d.click("instruction_confirm")
        d.numpad("150")
        shot("19-measure-in-limits")
        d.click("measure_record")
        measure(d, "5.0")
        d.numpad("3.1")
        shot("20-measure-out-of-limits")
        d.click("measure_record")
        shot("21-deviation-recorded")
        d.click("panel_ok")
        d.click("runner_deviation")
        d.click("choice_equipment")
        d.fill("deviation_text", "Granulator lid seal worn")
        shot("22-raise-deviation")
        d.click("deviation_submit")
        d.click("runner_hold")
        d.fill("hold_reason", "Waiting for QA")
        shot("23-hold")
        d.click("hold_submit")
        shot("24-on-hold")
        d.click("on_hold_button")
        d.click("hold_submit")
        sign(d, "op.alvarez", "Granul8-Alvarez")
        d.click("signature_continue")
        shot("25-ready-to-complete")
        d.click("ready_button")
        shot("26-completed")
        d.click("completed_button")
        d.wait_page("home")
        qtbot.waitUntil(lambda: w.home.batches.count() > 3, timeout=5000)
        shot("27-home-with-batches")
        d.click("home_logout")
        d.wait_page("login")
    finally:
        station.close()


def check_layout(window) -> None:
    """What a person would find wrong: buttons under 15 mm, text cut off, widgets overlapping."""
    from PySide6.QtWidgets import QAbstractButton, QLabel

    from station.ui.style import MIN_TARGET_MM, px_per_mm

    min_px = MIN_TARGET_MM * px_per_mm(window) - 1
    page = window.stack.currentWidget()
    buttons = [b for b in page.findChildren(QAbstractButton) if b.isVisible()]
    if page is window.runner and window.runner.panel_shown:  # the panel covers the step view
        covered = window.runner.stack
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
