"""The text buffer behind the on-screen keyboard and the numpad."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class TextBuffer:
    text: str = ""
    max_length: int = 64
    numeric: bool = False
    max_decimals: int | None = None
    secret: bool = False

    def press(self, key: str) -> None:
        if key == "BACKSPACE":
            self.text = self.text[:-1]
            return
        if key == "CLEAR":
            self.text = ""
            return
        if key == "SIGN":
            if self.numeric:
                self.text = self.text[1:] if self.text.startswith("-") else "-" + self.text
            return
        if len(self.text) + len(key) > self.max_length:
            return
        if self.numeric:
            if key in (".", ","):
                if "." in self.text or self.max_decimals == 0:
                    return
                self.text += "0." if self.text in ("", "-") else "."
                return
            if not key.isdigit():
                return
            if "." in self.text and self.max_decimals is not None:
                if len(self.text.split(".", 1)[1]) >= self.max_decimals:
                    return
            if self.text in ("0", "-0"):
                self.text = self.text[:-1]
        self.text += key

    def set(self, text: str) -> None:
        self.text = text[: self.max_length]

    @property
    def shown(self) -> str:
        return "•" * len(self.text) if self.secret else self.text
