"""Sessions and e-signatures at the station, on the real engine and the simulated devices:
supervisor override and acknowledgement, badges at signatures, wrong passwords and lockout,
the password set at first login, idle logout, the keyboard-wedge scanner, the kiosk."""

from __future__ import annotations

import pytest

from tests.engine_batches import PASSWORDS, STILL_INITIAL

from .flows import LOT_POVIDONE_RETEST_DUE
from .real_engine import BADGES, audit_events, happy_path

pytestmark = pytest.mark.gui


def actions(url: str, stream: str) -> list[str]:
    return [e["action"] for e in audit_events(url, stream)]


def test_supervisor_override_by_badge_opens_a_deviation(rig, watchdog) -> None:
    d = rig(prepare=happy_path(until="OP20.S50"))  # dispensing up to the povidone
    w = d.window
    d.login("op.alvarez")
    d.open_batch("B-2611-001")
    watchdog.start()
    d.scan(LOT_POVIDONE_RETEST_DUE)
    panel = w.runner.vm.panel
    assert panel is not None and [line.code for line in panel.lines] == ["lot_retest_due"]
    assert "K23-0901" in d.panel_text
    d.click("panel_override")
    d.wait_page("override")
    d.scan_badge(BADGES["sv.haddad"])  # the supervisor's badge into the user field
    d.fill("override_password", d.passwords["sv.haddad"])
    assert not d.find("override_submit").isEnabled(), "a reason is mandatory"
    d.fill("override_reason", "QA accepts the lot pending retest")
    d.click("override_submit")
    d.wait_page("runner")
    assert w.runner.vm.step_vm.lot == "K23-0901" and w.runner.vm.panel is None
    events = audit_events(d.url, "B-2611-001")
    override = next(e for e in events if e["action"] == "override.signed")
    assert override["new_value"]["supervisor"] == "sv.haddad"
    assert override["new_value"]["reason_text"] == "QA accepts the lot pending retest"
    assert override["new_value"]["reason_code"] == "lot_retest_due"
    record = actions(d.url, "B-2611-001")
    refused, accepted = (
        record.index("lot.scan.refused"),
        len(record) - 1 - record[::-1].index("lot.identified"),
    )
    assert refused < record.index("deviation.recorded") < accepted
    assert refused < record.index("override.signed") < accepted


def test_value_out_of_limits_is_recorded_and_acknowledged_before_completion(rig, watchdog) -> None:
    d = rig(prepare=happy_path(until="OP30.S30"))
    w = d.window
    d.login("op.alvarez")
    d.open_batch("B-2611-001")
    watchdog.start()
    d.measure("170")  # impeller speed, limits 140 to 160 rpm
    panel = w.runner.vm.panel
    assert panel.status == "deviation" and panel.lines[0].code == "value_out_of_limits"
    assert "170" in d.panel_text and w.runner.vm.header.open_deviations == 1
    d.click("panel_ok")  # the supervisor is not there yet: go on
    d.measure("5.0")
    d.measure("1.84")
    d.sign("op.alvarez")
    d.click("signature_continue")
    d.click("ready_button")  # refused: the deviation is still open
    panel = w.runner.vm.panel
    assert (
        panel.lines[0].code == "deviation_open" and panel.step == "OP30.S30" and d.visible("panel_override")
    )
    d.click("panel_override")
    d.wait_page("override")
    assert d.text("override_submit") == "SIGN AND ACKNOWLEDGE"
    d.fill("override_user", "sv.nowak")
    d.fill("override_password", d.passwords["sv.nowak"])
    d.fill("override_reason", "Speed corrected to 150 rpm at once")
    d.click("override_submit")
    d.wait_page("runner")
    assert w.runner.vm.header.open_deviations == 0
    d.click("ready_button")
    assert w.runner.vm.batch.status == "completed"
    record = actions(d.url, "B-2611-001")
    assert (
        record.index("deviation.opened") < record.index("deviation.closed") < record.index("batch.completed")
    )
    assert "batch.complete.refused" in record


def test_badge_scanned_into_the_signature(rig) -> None:
    d = rig(prepare=happy_path(until="OP10.S30"))
    w = d.window
    d.login("op.alvarez")
    d.open_batch("B-2611-001")
    d.scan_badge(BADGES["sv.nowak"])
    assert w.runner.vm.step_vm.badge == BADGES["sv.nowak"]
    d.fill("signature_password", d.passwords["sv.nowak"])
    d.click("signature_sign")
    assert w.runner.vm.review is not None and w.runner.vm.review.signed[:2] == ("Piotr Nowak", "sv.nowak")
    signed = next(e for e in audit_events(d.url, "B-2611-001") if e["action"] == "step.signed")
    assert signed["new_value"]["signer"] == BADGES["sv.nowak"]  # as scanned; the store resolved it
    assert signed["new_value"]["performed_by"] == "sv.nowak"
    assert signed["new_value"]["printed_name"] == "Piotr Nowak"


def test_wrong_password_then_lockout_shown_plainly(rig) -> None:
    d = rig(devices=False)
    for attempt in range(1, 6):
        d.login("op.chen", "nope-nope")
        message = d.text("login_message")
        if attempt < 5:
            assert "wrong" in message.lower() and "LOCKED" not in message
        else:  # the fifth wrong password locks the account
            assert "LOCKED" in message and "Wei Chen" in message
    d.login("op.chen")  # the right password no longer helps
    assert "LOCKED" in d.text("login_message") and d.window.page_name == "login"
    assert actions(d.url, "site").count("user.locked") == 1


def test_first_login_sets_an_own_password(rig) -> None:
    d = rig(devices=False)
    d.fill("login_user", "op.okafor")
    d.fill("login_password", d.passwords["op.okafor"])
    d.click("login_submit")
    d.wait_page("password")
    d.click("password_cancel")  # LOG OUT: no way around it
    d.wait_page("login")
    d.login("op.okafor")  # sets the new password, then home
    assert d.window.page_name == "home" and d.passwords["op.okafor"] != "Granul8-Okafor"
    d.click("home_logout")
    d.login("op.okafor", "Granul8-Okafor")  # the initial password is gone
    assert d.window.page_name == "login" and "wrong" in d.text("login_message").lower()
    d.login("op.okafor")
    assert d.window.page_name == "home"
    # Seven users set theirs when the site was set up; op.okafor now, at the touchscreen.
    assert actions(d.url, "site").count("user.password_changed") == len(PASSWORDS) - len(STILL_INITIAL) + 1


def test_idle_logout_is_recorded_as_such_and_needs_both_components_again(rig, qtbot) -> None:
    d = rig(devices=False, idle_logout_s=1)
    d.login("op.alvarez")
    d.wait_page("home")
    qtbot.waitUntil(lambda: d.window.page_name == "login", timeout=5000)
    assert d.text("login_message") == "Logged out after 1 minute without activity."
    assert d.window.login.vm.user.text == "" and d.window.login.vm.password.text == ""
    logout = [e for e in audit_events(d.url, "site") if e["action"] == "logout"][-1]
    assert logout["user_id"] == "op.alvarez" and logout["new_value"]["reason"] == "idle"


def test_badge_by_keyboard_wedge(rig) -> None:
    d = rig(devices=False)
    d.tap_field("login_user")
    d.wedge(BADGES["op.alvarez"])
    assert d.window.login.vm.badge == "B100234"
    assert d.window.login.user_field.text() == "Badge B100234"
    d.fill("login_password", d.passwords["op.alvarez"])
    d.click("login_submit")
    d.wait_page("home")  # the badge found op.alvarez
    assert d.window.session.state.user.id == "op.alvarez"


def test_kiosk_leaves_only_through_an_admin_login(rig, qtbot) -> None:
    d = rig(devices=False, kiosk=True)
    quits = []
    d.window.quit_requested.connect(quits.append)
    d.window.close()
    assert d.window.isVisible(), "a kiosk window does not close"
    d.click("login_cancel")  # EXIT STATION
    d.fill("login_user", "op.alvarez")
    d.fill("login_password", d.passwords["op.alvarez"])
    d.click("login_submit")
    d.wait_idle()
    assert not quits and "administrator" in d.text("login_message")
    d.click("login_cancel")
    d.fill("login_user", "adm.kim")
    d.fill("login_password", d.passwords["adm.kim"])
    d.click("login_submit")
    qtbot.waitUntil(lambda: quits == [0], timeout=5000)


def test_the_header_clock_shows_the_sites_time(rig, qtbot) -> None:
    """The record, the refusals and the review speak the site's time; so does the clock above
    them, whatever zone the machine itself is set to."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from station.composition import DEFAULT_SITE_TZ

    d = rig(devices=False)
    header = d.window.header
    # The engine names its site's zone once it has started, the login screen already up.
    qtbot.waitUntil(lambda: bool(header.clock_label.text()), timeout=15000)
    before = dt.datetime.now(ZoneInfo(DEFAULT_SITE_TZ)).replace(microsecond=0)
    header.tick()
    after = dt.datetime.now(ZoneInfo(DEFAULT_SITE_TZ))
    shown = dt.datetime.strptime(header.clock_label.text(), "%H:%M:%S").time()
    assert before.time() <= shown <= after.time() or after.time() < before.time()  # midnight


def test_the_login_screen_names_the_software_and_its_version(rig) -> None:
    from importlib.metadata import version

    d = rig(devices=False)
    assert d.text("about") == f"mes-station {version('mes-station')}"
    assert d.window.windowTitle().endswith(f"(mes-station {version('mes-station')})")


def test_an_administrator_sees_the_station_health(rig, qtbot, monkeypatch) -> None:
    """The admin's screen: what `mes-station doctor` checks, on the station's own store."""
    from station.config import load_config
    from station.linepc import startup
    from station.linepc.startup import remember

    monkeypatch.setattr(startup, "_THIS_STATION", {})  # this test's station only
    d = rig(devices=False)
    remember(load_config(None), d.url)
    d.login("adm.kim")
    qtbot.waitUntil(lambda: d.window.page_name == "health", timeout=5000)
    qtbot.waitUntil(lambda: d.text("health_message") not in ("", "checking ..."), timeout=10000)
    checks = d.find("health_checks")
    lines = [checks.item(i).text() for i in range(checks.count())]
    assert lines[0].startswith("configuration: ok")
    assert any(line.startswith("database: ok - ") and "matches its newest event" in line for line in lines)
    assert any(line.startswith("backup: ") for line in lines)
    assert not any(line.startswith("scale:") for line in lines)  # the station holds the port
