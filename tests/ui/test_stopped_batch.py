"""A NO at a blocking check (the reference recipe's clean-label check, ``on_failure: block``)
stops the batch at the touchscreen until a supervisor decides: continue, repeat, or hold.
Screenshots in both languages at both sizes."""

from __future__ import annotations

import pytest

from .real_engine import audit_events

SIZES = [(1024, 768), (1920, 1080)]


@pytest.mark.gui
@pytest.mark.parametrize("language", ["en", "de"])
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_a_stopped_batch_waits_for_a_supervisors_decision(rig, language: str, size: tuple[int, int]) -> None:
    d = rig(devices=False, size=size, tag=f"{language}-{size[0]}x{size[1]}-")
    w = d.window
    d.click(f"lang_{language}")
    d.login("op.alvarez")
    d.start_batch("B-STOP-1")
    d.click("instruction_confirm")
    d.click("check_no")
    panel = w.runner.vm.panel
    assert panel is not None and "step_blocked_by_deviation" in [line.code for line in panel.lines]
    assert panel.decides and d.visible("panel_override")
    d.screenshot("50-check-stopped")
    d.click("panel_override")
    d.wait_page("override")
    assert d.visible("choice_repeat") and d.visible("choice_hold") and d.visible("choice_continue")
    d.fill("override_user", "sv.haddad")
    d.fill("override_password", d.passwords["sv.haddad"])
    d.fill("override_reason", "Granulator re-cleaned: check again")
    assert not d.find("override_submit").isEnabled()  # no decision chosen yet
    d.click("choice_repeat")
    d.screenshot("51-decision")
    d.click("override_submit")
    d.wait_page("runner")
    assert w.runner.vm.batch is not None and w.runner.vm.batch.stopped_at is None
    d.click("check_yes")  # the check, asked again
    assert w.runner.vm.batch.current_step == "OP10.S30"
    batch = [e["action"] for e in audit_events(d.url, "B-STOP-1")]
    assert batch.count("step.answered") == 2 and "deviation.closed" in batch and "override.signed" in batch
