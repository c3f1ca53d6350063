"""Drives the station window as an operator would: taps, on-screen keyboard, scans."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QAbstractButton, QLineEdit, QWidget

from station.ui.app import Station
from station.ui.forms import FormPage
from station.ui.widgets import TouchKeyboard

TIMEOUT_MS = 15000


class Driver:
    def __init__(self, station: Station, qtbot, screenshot_dir: Path | None = None, tag: str = "") -> None:
        self.station = station
        self.window = station.window
        self.qtbot = qtbot
        self.screenshot_dir = screenshot_dir
        self.tag = tag

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

    # ---------------------------------------------------------------- flows

    def login(self, user: str, password: str) -> None:
        self.wait_page("login")
        self.fill("login_user", user)
        self.fill("login_password", password)
        self.click("login_submit")

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
