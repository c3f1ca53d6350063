"""The users page, without Qt: the accounts and their state, what the person logged in may do
to the one selected, and the e-signature of that task (password again, a reason).

Who may do what is the store's rule (``ebr.user_admin``): a supervisor unlocks, an
administrator unlocks, resets and deactivates; nobody acts on their own account. The page
offers only what the rule allows; the store checks it again when the task is signed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from station.engine.api import AdministerUser, Outcome

from .keyboard import TextBuffer
from .reasons import explain
from .text import translate

if TYPE_CHECKING:
    from station.ui.admin_calls import UserRow

# The roles each task needs (as ``ebr.user_admin.ROLES``; the store checks them again).
TASK_ROLES: dict[str, frozenset[str]] = {
    "unlock": frozenset({"supervisor", "admin"}),
    "reset": frozenset({"admin"}),
    "deactivate": frozenset({"admin"}),
}
TASKS = ("unlock", "reset", "deactivate")
STATES = ("locked", "must_change", "active", "deactivated")  # the order of the list


def may_administer(roles: Sequence[str]) -> bool:
    """Whether the users page is for this person at all."""
    return bool({"supervisor", "admin"} & set(roles))


def state_label(state: str) -> str:
    return {
        "active": translate("Users", "active"),
        "locked": translate("Users", "LOCKED"),
        "must_change": translate("Users", "must change the password"),
        "deactivated": translate("Users", "deactivated"),
    }.get(state, state)


def role_label(role: str) -> str:
    return {
        "operator": translate("Roles", "operator"),
        "supervisor": translate("Roles", "supervisor"),
        "qa": translate("Roles", "quality assurance"),
        "admin": translate("Roles", "administrator"),
    }.get(role, role)


def task_label(task: str) -> str:
    return {
        "unlock": translate("Users", "UNLOCK"),
        "reset": translate("Users", "RESET PASSWORD"),
        "deactivate": translate("Users", "DEACTIVATE"),
    }.get(task, task)


def meaning(task: str, name: str, user_id: str) -> str:
    """What the signature means, in the station's language."""
    text = {
        "unlock": translate("Users", "I unlock the account of %1."),
        "reset": translate(
            "Users", "I reset the password of %1: a temporary one, to be changed at the next login."
        ),
        "deactivate": translate("Users", "I deactivate %1: the account can no longer log in or sign."),
    }[task]
    return text.replace("%1", f"{name} ({user_id})")


@dataclass
class UsersVM:
    me: str = ""  # the person logged in
    my_roles: frozenset[str] = frozenset()
    rows: list[UserRow] = field(default_factory=list)
    selected: str | None = None
    message: str = ""
    # A reset's temporary password: shown on this page until it is left, never again.
    temporary: str = ""

    def set_actor(self, user_id: str, roles: Sequence[str]) -> None:
        self.me, self.my_roles = user_id, frozenset(roles)

    def set_rows(self, rows: Sequence[UserRow]) -> None:
        self.rows = sorted(rows, key=lambda r: (STATES.index(r.state) if r.state in STATES else 9, r.id))
        if self.selected not in {r.id for r in self.rows}:
            self.selected = None

    def select(self, user_id: str | None) -> None:
        self.selected = user_id

    @property
    def row(self) -> UserRow | None:
        return next((r for r in self.rows if r.id == self.selected), None)

    def allowed(self, task: str) -> bool:
        """Whether the person logged in may do ``task`` to the selected account now."""
        row = self.row
        if row is None or row.id == self.me or not (TASK_ROLES[task] & self.my_roles):
            return False
        if task == "unlock":
            return row.state == "locked"
        return row.state != "deactivated"

    @staticmethod
    def describe(row: UserRow) -> str:
        roles = ", ".join(role_label(r) for r in row.roles)
        return f"{row.name} ({row.id}) · {roles} · {state_label(row.state)}"

    def clear(self) -> None:
        self.rows, self.selected, self.message, self.temporary = [], None, "", ""


@dataclass
class AdminSignVM:
    """The e-signature of a task: the person logged in enters the password again and a reason."""

    task: str = "unlock"
    target: str = ""
    target_name: str = ""
    user: str = ""  # who signs: the person logged in
    password: TextBuffer = field(default_factory=lambda: TextBuffer(max_length=64, secret=True))
    reason: TextBuffer = field(default_factory=lambda: TextBuffer(max_length=500))
    message: str = ""

    def open(self, task: str, row: UserRow, user: str) -> None:
        self.task, self.target, self.target_name, self.user = task, row.id, row.name, user
        self.password.set("")
        self.reason.set("")
        self.message = ""

    @property
    def title(self) -> str:
        return translate("Users", "%1: e-signature").replace("%1", task_label(self.task))

    @property
    def info(self) -> str:
        return translate("Users", "Meaning of the signature: %1").replace(
            "%1", meaning(self.task, self.target_name, self.target)
        )

    @property
    def problem(self) -> str:
        if not self.password.text:
            return translate("Users", "Enter your password to sign.")
        if not self.reason.text.strip():
            return translate("Users", "A reason is mandatory.")
        return ""

    @property
    def can_submit(self) -> bool:
        return not self.problem

    def action(self) -> AdministerUser:
        return AdministerUser(
            task=self.task,  # type: ignore[arg-type]
            target=self.target,
            user=self.user,
            password=self.password.text,
            reason=self.reason.text.strip(),
        )

    def apply(self, outcome: Outcome) -> str | None:
        """After the engine answered: the temporary password of a reset that was done (""
        for another task done), or None when it was not done (the message says why)."""
        self.password.set("")
        if outcome.status != "done":
            self.message = explain(outcome)
            return None
        self.reason.set("")
        self.message = ""
        if self.task == "reset" and "temporary password " in outcome.message:
            return outcome.message.rsplit("temporary password ", 1)[1].strip()
        return ""

    def done_message(self) -> str:
        return {
            "unlock": translate("Users", "%1 is unlocked."),
            "reset": translate(
                "Users", "The password of %1 is reset: the temporary password below is shown once."
            ),
            "deactivate": translate("Users", "%1 is deactivated."),
        }[self.task].replace("%1", self.target_name)
