"""Drives the station window as an operator would: taps, on-screen keyboard, scans on the
simulated scanner, weights on the simulated scale."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QAbstractButton, QLineEdit, QWidget

from station.ui.app import Station
from station.ui.forms import FormPage
from station.ui.widgets import TouchKeyboard

from .real_engine import PASSWORDS

TIMEOUT_MS = 15000


class Driver:
    def __init__(
        self,
        station: Station,
        qtbot,
        screenshot_dir: Path | None = None,
        tag: str = "",
        *,
        scale: Any = None,
        scanner: Any = None,
        url: str = "",
        engines: list[Any] | None = None,
    ) -> None:
        self.station = station
        self.window = station.window
        self.qtbot = qtbot
        self.screenshot_dir = screenshot_dir
        self.tag = tag
        self.scale = scale
        self.scanner = scanner
        self.url = url
        self.engines = engines if engines is not None else []
        #: Each user's password as it is now: the imported initial one until they set their own.
        self.passwords = dict(PASSWORDS)
        self._settle_time: float | None = None

    # ---------------------------------------------------------------- finding

    def find(self, name: str, cls: type = QWidget) -> QWidget:
        from .conftest import paused

        with paused():  # the test's own searching is not the station's time
            found = [w for w in self.window.findChildren(cls, name) if w.isVisible()]
        assert found, f"no visible {cls.__name__} named {name!r} on page {self.window.page_name}"
        return found[0]

    def visible(self, name: str) -> bool:
        return any(w.isVisible() for w in self.window.findChildren(QWidget, name))

    def text(self, name: str) -> str:
        return self.find(name).text()  # type: ignore[attr-defined]

    @property
    def panel_text(self) -> str:
        """The refusal (or deviation) panel's text as shown, markup removed."""
        from PySide6.QtGui import QTextDocument

        assert self.window.page_name == "runner" and self.window.runner.view.panel_shown, "no panel shown"
        doc = QTextDocument()
        doc.setHtml(self.window.runner.view.panel.body.text())
        return doc.toPlainText()

    # ---------------------------------------------------------------- acting

    def note(self, what: str) -> None:
        from .conftest import _current

        if _current is not None:
            _current.note = what

    def click(self, name: str, *, wait: bool = True) -> None:
        self.note(f"click {name}")
        b = self.find(name, QAbstractButton)
        assert b.isEnabled(), f"{name!r} is disabled"
        self.qtbot.mouseClick(b, Qt.MouseButton.LeftButton, pos=QPoint(b.width() // 2, b.height() // 2))
        if wait:
            self.wait_idle()

    def tap_field(self, name: str) -> None:
        f = self.find(name, QLineEdit)
        self.qtbot.mouseClick(f, Qt.MouseButton.LeftButton)

    def keyboard(self) -> TouchKeyboard:
        from .conftest import paused

        with paused():
            boards = [k for k in self.window.findChildren(TouchKeyboard) if k.isVisible()]
        assert boards, "no on-screen keyboard visible"
        return boards[0]

    def type(self, text: str) -> None:
        """Tap the text on the visible on-screen keyboard, key by key."""
        kb = self.keyboard()
        for ch in text:
            if ch == " ":
                self._tap(kb.space_button)
                continue
            if ch.isupper():
                self._tap(kb.shift_button)
            key = self._key(kb, ch)
            if key is None:  # on the symbols layer
                self._tap(kb.sym_button)
                key = self._key(kb, ch)
                assert key is not None, f"no key for {ch!r}"
                self._tap(key)
                self._tap(kb.sym_button)
            else:
                self._tap(key)

    def _key(self, kb: TouchKeyboard, ch: str) -> QAbstractButton | None:
        from .conftest import paused

        with paused():
            for b in kb.findChildren(QAbstractButton):
                if b.isVisible() and b.property("char") == ch:
                    return b
        return None

    def _tap(self, b: QAbstractButton) -> None:
        self.qtbot.mouseClick(b, Qt.MouseButton.LeftButton, pos=QPoint(b.width() // 2, b.height() // 2))

    def fill(self, field: str, text: str) -> None:
        self.note(f"fill {field}")
        self.tap_field(field)
        f = self.find(field, QLineEdit)
        while f.text():
            self._tap(self.keyboard().back_button)
        self.type(text)

    def numpad(self, text: str) -> None:
        for ch in text:
            name = {".": "num_dot", "-": "num_sign"}.get(ch, f"num_{ch}")
            self.click(name, wait=False)

    def wedge(self, text: str) -> None:
        """A keyboard-wedge scanner: the code typed as a fast burst of keys, then Enter."""
        target = self.window.focusWidget() or self.window
        self.qtbot.keyClicks(target, text)
        self.qtbot.keyClick(target, Qt.Key.Key_Return)
        self.wait_idle()

    def wait_idle(self) -> None:
        self.qtbot.waitUntil(lambda: not self.station.client.busy, timeout=TIMEOUT_MS)

    def wait_page(self, name: str) -> None:
        self.qtbot.waitUntil(lambda: self.window.page_name == name, timeout=TIMEOUT_MS)

    # ---------------------------------------------------------------- devices

    def wait_devices(self) -> None:
        status = self.window.runner.vm.header.devices
        self.qtbot.waitUntil(lambda: status.scale_connected and status.scanner_connected, timeout=TIMEOUT_MS)

    def scan(self, code: str) -> None:
        """Scan a code on the serial scanner at a step: wait until the screen shows the outcome."""
        self.note(f"scan {code!r}")
        with self.qtbot.waitSignal(self.window.session.outcome_shown, timeout=TIMEOUT_MS):
            assert self.scanner.scan(code), "the scanner is unplugged"
        self.wait_idle()

    def scan_badge(self, badge: str) -> None:
        """Scan a badge on the serial scanner into the login, signature or override form."""
        self.note(f"badge {badge}")
        w = self.window
        before = w.runner.vm.step_vm

        def taken() -> bool:
            return badge in (w.login.vm.badge, w.override.vm.badge, getattr(before, "badge", None))

        assert self.scanner.scan(badge), "the scanner is unplugged"
        self.qtbot.waitUntil(taken, timeout=TIMEOUT_MS)

    @property
    def reading(self) -> Any:
        return self.window.runner.vm.header.devices.reading

    def put(self, gross: str, *, settled: bool = True, slowly: bool = False) -> None:
        """Put a load on the scale's pan; ``settled``: wait until the station shows it stable.
        ``slowly``: the load takes most of a second to settle (to see the moving reading)."""
        self.note(f"put {gross}")
        if self._settle_time is None:
            self._settle_time = self.scale.cell.settle_time
        self.scale.cell.settle_time = 0.8 if slowly else self._settle_time
        self.scale.put(gross)
        if settled:
            self.wait_reading(lambda r: r.stable and r.gross == Decimal(gross))

    def wait_reading(self, test: Any) -> None:
        def ok() -> bool:
            r = self.reading
            return r is not None and bool(test(r))

        try:
            self.qtbot.waitUntil(ok, timeout=TIMEOUT_MS)
        except Exception:
            raise AssertionError(f"the scale shows {self.reading}") from None

    def tare(self) -> None:
        """TARE on the screen: the command goes to the scale, which answers once stable."""
        with self.qtbot.waitSignal(self.station.devices.command_done, timeout=TIMEOUT_MS):
            self.click("weigh_tare")
        self.wait_reading(lambda r: r.stable and r.net == 0 and r.tare > 0)

    def weigh(self, tare: str, gross: str) -> None:
        """Container on the pan, TARE, fill to the gross weight, ACCEPT once it is offered."""
        self.put(tare)
        self.tare()
        self.put(gross)
        self.qtbot.waitUntil(lambda: self.find("weigh_accept").isEnabled(), timeout=TIMEOUT_MS)
        self.click("weigh_accept")

    # ---------------------------------------------------------------- flows

    def login(self, user: str, password: str | None = None) -> None:
        """Log in by typing the user id and password. A user still on the imported initial
        password sets an own one first (as the station demands), remembered for later."""
        self.wait_page("login")
        self.fill("login_user", user)
        self.fill("login_password", password or self.passwords[user])
        self.click("login_submit")
        if self.window.page_name == "password":
            self.set_own_password(user)

    def set_own_password(self, user: str) -> None:
        old = self.passwords[user]
        new = old + "2"
        self.fill("password_old", old)
        self.fill("password_new", new)
        self.fill("password_repeat", new)
        self.click("password_submit")
        # the home screen: a QA user's lists the batch records to review
        try:
            self.qtbot.waitUntil(lambda: self.window.page_name in ("home", "reviews"), timeout=TIMEOUT_MS)
        except Exception:
            raise AssertionError(
                f"{self.window.page_name} {self.window.password.vm.message!r} {self.window.reviews.vm.message!r}"
            ) from None
        self.passwords[user] = new

    def open_batch(self, batch_id: str) -> None:
        """Home: tap the batch in the list, then OPEN THE BATCH."""
        self.wait_page("home")
        self.qtbot.waitUntil(lambda: self.window.home.view.select_batch(batch_id), timeout=TIMEOUT_MS)
        self.click("home_open")
        self.wait_page("runner")

    def start_batch(self, batch_id: str) -> None:
        self.wait_page("home")
        self.click("home_start")
        self.fill("start_batch_id", batch_id)
        self.click("start_submit")
        self.wait_page("runner")

    def sign(self, user: str, password: str | None = None) -> None:
        self.fill("signature_user", user)
        self.fill("signature_password", password or self.passwords[user])
        self.click("signature_sign")

    def measure(self, value: str) -> None:
        self.numpad(value)
        self.click("measure_record")

    def current_form(self) -> FormPage | None:
        page = self.window.stack.currentWidget()
        return page if isinstance(page, FormPage) else None

    def screenshot(self, name: str) -> Path | None:
        if self.screenshot_dir is None:
            return None
        from .conftest import paused

        path = self.screenshot_dir / f"{self.tag}{name}.png"
        with paused():
            self.window.grab().save(str(path))
        return path
