"""The runner's LABEL button prints (or reprints) the dispense label of the latest accepted
weighing, through the engine, recorded in the batch's audit trail."""

from __future__ import annotations

from pathlib import Path

import pytest

from .real_engine import audit_events, happy_path


@pytest.mark.gui
def test_the_label_button_prints_the_latest_weighing(
    rig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MES_LABEL_DIR", str(tmp_path / "labels"))
    earlier = [a for a in happy_path("OP20.S30", batch_id="B-LBL-1")]  # weighed OP20.S20, logged out
    d = rig(prepare=earlier, devices=False, tag="en-1024x768-")
    d.login("op.alvarez")
    d.open_batch("B-LBL-1")
    d.wait_page("runner")
    assert d.find("runner_label").isEnabled()
    d.screenshot("60-runner-label")
    d.click("runner_label")
    d.wait_idle()
    printed = list((tmp_path / "labels").glob("*.pdf"))
    assert len(printed) == 1 and printed[0].read_bytes().startswith(b"%PDF")
    actions = [e["action"] for e in audit_events(d.url, "B-LBL-1")]
    assert actions.count("label.printed") == 1
