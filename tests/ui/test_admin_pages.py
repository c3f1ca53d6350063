"""The users page (unlock, reset, deactivate by e-signature) and QA's page of the site's audit
trail, on the real engine: driven by taps, then the record read back. Both pages are rendered
in English and German at 1024x768 and 1920x1080 (MES_SCREENSHOT_DIR, default /tmp/mes-screenshots)."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QListWidget

from station.engine import api

from .real_engine import PASSWORDS, dispatch

LOCKOUT = [api.Login(user="op.chen", password=f"wrong-{n}") for n in range(5)]


def _events(url: str, since: int = 0) -> list[dict[str, Any]]:
    with sqlite3.connect(url.removeprefix("sqlite:///")) as con:
        con.row_factory = sqlite3.Row
        rows = con.execute(
            "SELECT seq, user_id, action, entity_id, old_value, new_value, reason FROM audit_events "
            "WHERE seq > ? ORDER BY seq",
            (since,),
        )
        return [dict(r) for r in rows]


def _last_seq(url: str) -> int:
    with sqlite3.connect(url.removeprefix("sqlite:///")) as con:
        return int(con.execute("SELECT max(seq) FROM audit_events").fetchone()[0])


def _pick(d: Any, user_id: str) -> None:
    """Tap the account in the users list."""
    accounts = d.find("users_list", QListWidget)
    d.qtbot.waitUntil(lambda: any(accounts.item(i).data(Qt.ItemDataRole.UserRole) == user_id
                                  for i in range(accounts.count())), timeout=15000)  # fmt: skip
    for i in range(accounts.count()):
        item = accounts.item(i)
        if item.data(Qt.ItemDataRole.UserRole) == user_id:
            accounts.scrollToItem(item)
            rect = accounts.visualItemRect(item)
            d.qtbot.mouseClick(accounts.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(rect.center()))
            return


def _sign(d: Any, password: str, reason: str) -> None:
    d.wait_page("user_sign")
    d.fill("user_sign_password", password)
    d.fill("user_sign_reason", reason)
    d.click("user_sign_submit")


def test_a_supervisor_unlocks_and_an_administrator_resets_and_deactivates(rig: Any, station_db: str) -> None:
    d = rig(prepare=LOCKOUT, devices=False)
    start = _last_seq(station_db)
    d.login("sv.haddad")
    d.wait_page("home")
    d.click("home_users")
    d.wait_page("users")
    _pick(d, "op.chen")
    assert not d.visible("users_reset") and not d.visible("users_deactivate")
    d.click("users_unlock")
    assert "I unlock the account of Wei Chen (op.chen)." in d.text("user_sign_info")
    _sign(d, "not-her-password", "locked out at shift start, identity checked")
    assert d.window.page_name == "user_sign" and "password" in d.text("user_sign_message").lower()
    _sign(d, PASSWORDS["sv.haddad"], "locked out at shift start, identity checked")
    d.wait_page("users")
    assert "Wei Chen is unlocked." in d.text("users_message")
    d.click("users_logout")
    d.login("adm.kim")
    d.wait_page("health")
    d.click("health_users")
    d.wait_page("users")
    _pick(d, "op.alvarez")
    d.click("users_reset")
    _sign(d, PASSWORDS["adm.kim"], "forgot her password")
    d.wait_page("users")
    temporary = d.window.users.vm.temporary
    assert temporary and temporary in d.text("users_temporary")
    _pick(d, "op.okafor")
    d.click("users_deactivate")
    _sign(d, PASSWORDS["adm.kim"], "left the company")
    d.wait_page("users")
    d.click("users_back")
    d.wait_page("health")
    assert d.window.users.vm.temporary == ""  # shown once: gone with the page
    written = [(e["action"], e["user_id"], e["entity_id"], e["reason"]) for e in _events(station_db, start)]
    assert ("signature.auth_failed", "sv.haddad", "sv.haddad", "login_invalid: wrong password") in written
    assert ("user.unlocked", "sv.haddad", "op.chen", "locked out at shift start, identity checked") in written
    assert ("user.password_reset", "adm.kim", "op.alvarez", "forgot her password") in written
    assert ("user.deactivated", "adm.kim", "op.okafor", "left the company") in written
    outcomes = dispatch(station_db, [api.Login(user="op.alvarez", password=temporary)])
    assert outcomes[0].state.user is not None and outcomes[0].state.user.must_change_password
    assert (
        dispatch(station_db, [api.Login(user="op.chen", password=PASSWORDS["op.chen"])])[0].status == "done"
    )


def test_the_touchscreen_and_the_command_write_the_same_events(
    rig: Any, station_db: str, tmp_path: Any
) -> None:
    """One path behind both: an unlock at the touchscreen and one by `mes-station user unlock`."""
    from station.cli import main

    locks = [api.Login(user=u, password=f"wrong-{n}") for u in ("op.chen", "op.okafor") for n in range(5)]
    d = rig(prepare=locks, devices=False)
    d.login("sv.haddad")
    d.click("home_users")
    _pick(d, "op.chen")
    d.click("users_unlock")
    _sign(d, PASSWORDS["sv.haddad"], "identity checked")
    d.wait_page("users")
    secret = tmp_path / "pw"
    secret.write_text(PASSWORDS["sv.haddad"] + "\n", encoding="utf-8")
    by_command = ["user", "unlock", "op.okafor", "--reason", "identity checked", "--db", station_db]
    assert main([*by_command, "--user", "sv.haddad", "--password-file", str(secret)]) == 0
    unlocks = [e for e in _events(station_db) if e["action"] == "user.unlocked"]
    assert [e["entity_id"] for e in unlocks] == ["op.chen", "op.okafor"]
    screen, command = (
        (e["user_id"], e["reason"], e["old_value"], {k for k in json.loads(e["new_value"]) if k != "seal"})
        for e in unlocks
    )
    assert screen == command


def test_qa_reads_the_site_trail_filtered_and_paged(rig: Any, station_db: str) -> None:
    # More failed logins than a page holds, and a lockout among them.
    failures = [api.Login(user="op.chen", password=f"wrong-{n}") for n in range(4)]
    failures += [api.Login(user="nobody", password="x") for _ in range(60)]
    d = rig(prepare=[*failures, *LOCKOUT[:1]], devices=False)
    d.login("qa.berg")
    d.wait_page("reviews")
    d.click("reviews_site_trail")
    d.wait_page("site_trail")
    vm = d.window.site_trail.vm
    d.qtbot.waitUntil(lambda: bool(vm.lines) and not vm.loading, timeout=15000)
    assert vm.lines[0].action == "login.succeeded" and vm.lines[0].user_id == "qa.berg"  # newest first
    d.click("site_trail_kind_lockouts")
    d.qtbot.waitUntil(lambda: not vm.loading and vm.kind == "lockouts", timeout=15000)
    assert [line.action for line in vm.lines] == ["user.locked"]
    assert "op.chen" in d.find("site_trail_events", QListWidget).item(0).text()
    d.click("site_trail_kind_failed")
    d.qtbot.waitUntil(lambda: not vm.loading and vm.kind == "failed", timeout=15000)
    first = [line.seq for line in vm.lines]
    assert len(first) == 50 and vm.has_older and not vm.has_newer
    assert all(line.action == "login.failed" for line in vm.lines)
    d.click("site_trail_older")
    d.qtbot.waitUntil(lambda: not vm.loading and vm.page == 2, timeout=15000)
    second = [line.seq for line in vm.lines]
    assert len(second) == 15 and max(second) < min(first) and not vm.has_older  # 65 failed in all
    d.click("site_trail_newer")
    d.qtbot.waitUntil(lambda: not vm.loading and vm.page == 1, timeout=15000)
    assert [line.seq for line in vm.lines] == first
    # One person's events; master data with the values before and after.
    d.click("site_trail_kind_master")
    d.qtbot.waitUntil(lambda: not vm.loading and vm.kind == "master", timeout=15000)
    assert vm.lines and all(line.action.startswith("master.") for line in vm.lines)
    assert "→ after:" in d.find("site_trail_events", QListWidget).item(0).text()
    combo = d.window.site_trail.view.person
    combo.setCurrentIndex(combo.findData("op.chen"))
    combo.activated.emit(combo.currentIndex())
    d.click("site_trail_kind_all")
    d.qtbot.waitUntil(lambda: not vm.loading and vm.user == "op.chen" and vm.kind == "all", timeout=15000)
    assert vm.lines and {line.user_id for line in vm.lines} == {"op.chen"}
    d.click("site_trail_back")
    d.wait_page("reviews")


@pytest.mark.parametrize("language", ["en", "de"])
@pytest.mark.parametrize("size", [(1024, 768), (1920, 1080)], ids=["1024x768", "1920x1080"])
def test_the_pages_as_rendered(rig: Any, language: str, size: tuple[int, int]) -> None:
    tag = f"admin-{language}-{size[0]}x{size[1]}-"
    d = rig(prepare=LOCKOUT, devices=False, size=size, tag=tag, language=language)
    d.login("adm.kim")
    d.wait_page("health")
    d.click("health_users")
    d.wait_page("users")
    _pick(d, "op.chen")
    d.qtbot.waitUntil(lambda: d.find("users_unlock").isEnabled(), timeout=15000)
    d.screenshot("users")
    d.click("users_reset")
    d.wait_page("user_sign")
    d.screenshot("sign")
    d.click("user_sign_cancel")
    d.click("users_logout")
    d.login("qa.berg")
    d.click("reviews_site_trail")
    vm = d.window.site_trail.vm
    d.qtbot.waitUntil(lambda: bool(vm.lines) and not vm.loading, timeout=15000)
    d.click("site_trail_kind_master")
    d.qtbot.waitUntil(lambda: not vm.loading and vm.kind == "master", timeout=15000)
    d.screenshot("site-trail")
    assert (d.window.width(), d.window.height()) == size  # no text pushed the window past the screen
