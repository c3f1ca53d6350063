"""Translations: Qt's own tooling, complete German, switchable at the login screen."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET

import pytest

from station.ui import i18n

pytestmark = pytest.mark.gui


def test_german_ts_is_complete_and_compiles(tmp_path, monkeypatch) -> None:
    ts = i18n.I18N_DIR / "station_de.ts"
    root = ET.parse(ts).getroot()
    messages = list(root.iter("message"))
    assert len(messages) > 100
    unfinished = [m.findtext("source") for m in messages if m.find("translation").get("type") == "unfinished"]
    assert not unfinished, f"untranslated: {unfinished}"
    # a stale or missing .qm is compiled again
    monkeypatch.setattr(i18n, "_cache_dir", lambda: tmp_path)
    qm = i18n.qm_path("de")
    assert qm is not None and qm.exists() and qm.stat().st_mtime >= ts.stat().st_mtime


def test_sources_and_ts_agree() -> None:
    """Every string the screens translate is in the .ts (run `python -m station.ui.i18n update`)."""
    import subprocess
    import tempfile

    lupdate = i18n._tool("pyside6-lupdate")
    if lupdate is None:
        pytest.skip("pyside6-lupdate not installed")
    files = sorted(str(p) for p in (i18n.I18N_DIR.parents[1] / "station" / "ui").rglob("*.py"))
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "x.ts")
        subprocess.run([lupdate, "-silent", "-locations", "none", *files, "-ts", out], check=True)
        fresh = {(m.findtext("source")) for m in ET.parse(out).getroot().iter("message")}
    kept = {m.findtext("source") for m in ET.parse(i18n.I18N_DIR / "station_de.ts").getroot().iter("message")}
    assert fresh <= kept, f"not in station_de.ts: {sorted(fresh - kept)}"


def test_switch_language_at_login(qtbot) -> None:
    from station.ui.app import build_station

    from .driver import Driver
    from .fake_engine import FakeEngine

    st = build_station(FakeEngine, language="en")
    try:
        st.window.resize(1024, 768)
        st.window.show()
        d = Driver(st, qtbot)
        assert d.text("login_submit") == "LOG IN"
        d.click("lang_de")
        assert d.text("login_submit") == "ANMELDEN"
        assert d.find("key_z").property("char") == "z"  # QWERTZ
        d.click("lang_en")
        assert d.text("login_submit") == "LOG IN"
    finally:
        st.close()
