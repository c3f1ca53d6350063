"""Login by badge or user id, the password change forced on first login, and kiosk exit."""

from __future__ import annotations

from dataclasses import dataclass, field

from station.engine.api import ChangePassword, Login, Outcome

from .keyboard import TextBuffer
from .reasons import explain, message, sentence
from .text import translate

MIN_PASSWORD_LENGTH = 8
LANGUAGES: tuple[tuple[str, str], ...] = (("en", "English"), ("de", "Deutsch"))


@dataclass
class LoginVM:
    user: TextBuffer = field(default_factory=lambda: TextBuffer(max_length=40))
    password: TextBuffer = field(default_factory=lambda: TextBuffer(max_length=64, secret=True))
    badge: str | None = None  # a scanned badge, decoded to a plain id
    message: str = ""
    locked: bool = False
    exit_mode: bool = False  # kiosk: the next login must be an administrator's, to leave
    focus: str = "user"  # which field the on-screen keyboard types into

    def scan_badge(self, plain_id: str) -> None:
        self.badge = plain_id
        self.user.set("")
        self.message = ""
        self.locked = False
        self.focus = "password"

    def type_user(self) -> None:
        """The operator types a user id instead: a scanned badge no longer counts."""
        self.badge = None

    @property
    def identity_text(self) -> str:
        if self.badge:
            return translate("Login", "Badge %1").replace("%1", self.badge)
        return self.user.text

    @property
    def can_submit(self) -> bool:
        return bool((self.badge or self.user.text.strip()) and self.password.text)

    def action(self) -> Login:
        if self.badge:
            return Login(password=self.password.text, badge=self.badge)
        return Login(password=self.password.text, user=self.user.text.strip())

    def apply(self, outcome: Outcome) -> None:
        self.password.set("")
        if outcome.status == "done":
            self.message = ""
            self.locked = False
            self.badge = None
            self.user.set("")
            self.focus = "user"
            return
        codes = outcome.reasons
        self.locked = "account_locked" in codes
        if self.locked:
            said = sentence(outcome.refusals[0]) if outcome.refusals else message(outcome)
            # What to do in the station's language; the engine's sentence (naming the account) under it.
            self.message = translate(
                "Login", "ACCOUNT LOCKED. Ask a supervisor or the administrator to unlock it."
            ) + (f"\n{said}" if said else "")
        elif "login_invalid" in codes:
            self.message = translate("Login", "User id, badge or password is wrong. Try again.")
        else:
            self.message = message(outcome) or translate("Login", "Login refused.")
        self.focus = "password"

    def reset(self) -> None:
        self.user.set("")
        self.password.set("")
        self.badge = None
        self.message = ""
        self.locked = False
        self.exit_mode = False
        self.focus = "user"


@dataclass
class ChangePasswordVM:
    user_id: str = ""
    old: TextBuffer = field(default_factory=lambda: TextBuffer(max_length=64, secret=True))
    new: TextBuffer = field(default_factory=lambda: TextBuffer(max_length=64, secret=True))
    repeat: TextBuffer = field(default_factory=lambda: TextBuffer(max_length=64, secret=True))
    message: str = ""
    focus: str = "old"

    @property
    def problem(self) -> str:
        """Why the form cannot be sent yet, or "" when it can."""
        if not self.old.text:
            return translate("ChangePassword", "Enter your current (initial) password.")
        if len(self.new.text) < MIN_PASSWORD_LENGTH:
            return translate("ChangePassword", "The new password needs at least %1 characters.").replace(
                "%1", str(MIN_PASSWORD_LENGTH)
            )
        if self.new.text == self.old.text:
            return translate("ChangePassword", "The new password must differ from the current one.")
        if self.new.text != self.repeat.text:
            return translate("ChangePassword", "The two new passwords do not match.")
        return ""

    @property
    def can_submit(self) -> bool:
        return not self.problem

    def action(self) -> ChangePassword:
        return ChangePassword(user=self.user_id, old_password=self.old.text, new_password=self.new.text)

    def apply(self, outcome: Outcome) -> None:
        if outcome.status == "done":
            self.reset(self.user_id)
            return
        self.message = explain(outcome)
        self.old.set("")
        self.new.set("")
        self.repeat.set("")
        self.focus = "old"

    def reset(self, user_id: str) -> None:
        self.user_id = user_id
        for buf in (self.old, self.new, self.repeat):
            buf.set("")
        self.message = ""
        self.focus = "old"
