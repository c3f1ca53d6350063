"""The users page's and the site-trail page's view-models, without Qt: who may do what to which
account, the e-signature form, and paging that asks again exactly what each page asked."""

from __future__ import annotations

from station.engine.api import Outcome, RefusalView
from station.ui.admin_calls import TrailPage, UserRow
from station.ui.viewmodels.admin import AdminSignVM, UsersVM
from station.ui.viewmodels.site_trail import PAGE_SIZE, SiteTrailVM

ROWS = [
    UserRow("op.chen", "Wei Chen", ("operator",), "locked"),
    UserRow("op.okafor", "Ngozi Okafor", ("operator",), "deactivated"),
    UserRow("sv.haddad", "Leila Haddad", ("supervisor",), "locked"),
    UserRow("op.alvarez", "Maria Alvarez", ("operator",), "active"),
]


def _vm(me: str, *roles: str) -> UsersVM:
    vm = UsersVM()
    vm.set_actor(me, roles)
    vm.set_rows(ROWS)
    return vm


def test_a_supervisor_unlocks_and_only_an_administrator_resets_or_deactivates() -> None:
    supervisor = _vm("sv.nowak", "operator", "supervisor")
    assert [r.id for r in supervisor.rows][:2] == ["op.chen", "sv.haddad"]  # the locked ones first
    supervisor.select("op.chen")
    assert (
        supervisor.allowed("unlock")
        and not supervisor.allowed("reset")
        and not supervisor.allowed("deactivate")
    )
    supervisor.select("op.alvarez")
    assert not supervisor.allowed("unlock")  # not locked
    admin = _vm("adm.kim", "admin")
    admin.select("op.alvarez")
    assert admin.allowed("reset") and admin.allowed("deactivate") and not admin.allowed("unlock")
    admin.select("op.okafor")
    assert not admin.allowed("reset") and not admin.allowed("deactivate")  # deactivated for good
    own = _vm("sv.haddad", "supervisor")
    own.select("sv.haddad")
    assert not own.allowed("unlock")  # nobody acts on their own account
    operator = _vm("op.alvarez", "operator")
    operator.select("op.chen")
    assert not any(operator.allowed(t) for t in ("unlock", "reset", "deactivate"))


def test_the_signature_form_needs_the_password_and_a_reason() -> None:
    vm = AdminSignVM()
    vm.open("reset", ROWS[3], "adm.kim")
    assert "Maria Alvarez (op.alvarez)" in vm.info and not vm.can_submit
    vm.password.set("Adm1n-Kim-2026.26")
    assert vm.problem == "A reason is mandatory."
    vm.reason.set("   ")
    assert not vm.can_submit
    vm.reason.set(" forgot it ")
    action = vm.action()
    assert (action.task, action.target, action.user, action.reason) == (
        "reset",
        "op.alvarez",
        "adm.kim",
        "forgot it",
    )
    refused = Outcome(
        "refused", "wrong", (RefusalView("signature_invalid", "User id or password is wrong", False, ""),)
    )
    assert vm.apply(refused) is None and vm.password.text == "" and vm.message
    vm.password.set("Adm1n-Kim-2026.26")
    assert vm.apply(Outcome("done", "op.alvarez: temporary password Xy-7Q")) == "Xy-7Q"


class _Line:
    def __init__(self, seq: int) -> None:
        self.seq, self.outcome, self.user_id = seq, "accepted", None


def _page(first: int, count: int, *, older: bool, newer: bool) -> TrailPage:
    lines = tuple(_Line(seq) for seq in range(first, first + count))  # oldest first
    return TrailPage(lines, older, newer, {}, "UTC")  # type: ignore[arg-type]


def test_paging_back_and_forth_asks_again_what_each_page_asked() -> None:
    vm = SiteTrailVM()
    assert vm.first_page().before is None
    vm.show(_page(151, PAGE_SIZE, older=True, newer=False))
    assert vm.lines[0].seq == 200  # newest first
    second = vm.older()
    assert second is not None and second.before == 151 and vm.page == 2
    vm.show(_page(101, PAGE_SIZE, older=True, newer=True))
    third = vm.older()
    assert third is not None and third.before == 101
    vm.show(_page(90, 11, older=False, newer=True))
    assert vm.older() is None
    back = vm.newer()
    assert back is not None and back.before == 151 and vm.page == 2
    vm.show(_page(101, PAGE_SIZE, older=True, newer=True))
    newest = vm.newer()
    assert newest is not None and newest.before is None and vm.page == 1
    vm.set_filters(kind="lockouts", user="op.chen")
    again = vm.first_page()
    assert (
        again.actions == ("user.locked", "user.unlocked", "user.failed_attempts_reset")
        and again.user == "op.chen"
    )
