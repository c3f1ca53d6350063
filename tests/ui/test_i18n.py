"""Translations: Qt's own tooling, complete German, switchable at the login screen, and what to
do about a refusal in the station's language for every reason code."""

from __future__ import annotations

import os
import subprocess
import tempfile
import xml.etree.ElementTree as ET

import pytest

from station.ui import i18n

from .real_engine import happy_path

pytestmark = pytest.mark.gui


def messages(ts) -> dict[tuple[str, str], ET.Element]:
    root = ET.parse(ts).getroot()
    return {
        (context.findtext("name"), m.findtext("source")): m
        for context in root.iter("context")
        for m in context.iter("message")
    }


def test_german_ts_is_complete_and_compiles(tmp_path, monkeypatch) -> None:
    ts = i18n.I18N_DIR / "station_de.ts"
    found = messages(ts)
    assert len(found) > 150
    unfinished = [src for (_c, src), m in found.items() if m.find("translation").get("type") == "unfinished"]
    assert not unfinished, f"untranslated: {unfinished}"
    # a stale or missing .qm is compiled again
    monkeypatch.setattr(i18n, "_cache_dir", lambda: tmp_path)
    qm = i18n.qm_path("de")
    assert qm is not None and qm.exists() and qm.stat().st_mtime >= ts.stat().st_mtime


def test_sources_and_ts_agree() -> None:
    """The .ts files hold exactly the strings the screens translate, plural where the code asks
    for a plural (run `python -m station.ui.i18n update`, then translate what it added)."""
    lupdate = i18n._tool("pyside6-lupdate")
    if lupdate is None:
        pytest.skip("pyside6-lupdate not installed")
    files = sorted(str(p) for p in (i18n.I18N_DIR.parents[1] / "station" / "ui").rglob("*.py"))
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "x.ts")
        subprocess.run([lupdate, "-silent", "-locations", "none", *files, "-ts", out], check=True)
        fresh = {key: m.get("numerus") == "yes" for key, m in messages(out).items()}
    for language in i18n.LANGUAGES:
        kept = {
            key: m.get("numerus") == "yes"
            for key, m in messages(i18n.I18N_DIR / f"station_{language}.ts").items()
        }
        assert set(fresh) == set(kept), (
            f"station_{language}.ts: missing {sorted(set(fresh) - set(kept))}, "
            f"not in the sources {sorted(set(kept) - set(fresh))}"
        )
        assert fresh == kept, f"station_{language}.ts: plural forms differ from the sources"


def test_what_to_do_for_every_reason_code_in_german() -> None:
    """The reason codes are the contract: each has its English advice (the gating package's) and
    a German translation of it."""
    from gating.reasons import WHAT_NEXT, ReasonCode
    from station.ui.viewmodels import reasons

    assert set(reasons.WHAT_NEXT) == {code.value for code in ReasonCode}
    assert {code: text for code, text in reasons.WHAT_NEXT.items()} == {
        c.value: t for c, t in WHAT_NEXT.items()
    }
    german = messages(i18n.I18N_DIR / "station_de.ts")
    for code, english in reasons.WHAT_NEXT.items():
        m = german.get((reasons.CONTEXT, english))
        assert m is not None, f"{code}: not in station_de.ts"
        text = m.findtext("translation") or ""
        assert text and text != english, f"{code}: no German for {english!r}"


def test_switch_language_at_login(rig) -> None:
    d = rig(devices=False)
    assert d.text("login_submit") == "LOG IN"
    d.click("lang_de")
    assert d.text("login_submit") == "ANMELDEN"
    assert d.find("key_z").property("char") == "z"  # QWERTZ
    d.click("lang_en")
    assert d.text("login_submit") == "LOG IN"


def test_refusal_in_german_says_what_to_do_and_shows_the_engine_sentence(rig) -> None:
    from PySide6.QtCore import QCoreApplication

    from station.ui.viewmodels.reasons import CONTEXT, WHAT_NEXT

    d = rig(prepare=happy_path(until="OP20.S10"))
    d.click("lang_de")
    d.login("op.alvarez")
    d.open_batch("B-2611-001")
    d.scan("SCL-150-02")
    german = QCoreApplication.translate(CONTEXT, WHAT_NEXT["equipment_calibration_due"])
    assert german != WHAT_NEXT["equipment_calibration_due"] and "Anlage" in german
    text = d.panel_text
    refusal = d.window.runner.vm.panel.refusals[0]
    english = refusal.sentence  # the engine's, as the audit trail keeps it
    assert english.startswith("Scale SCL-150-02 calibration expired on ")
    # The same sentence in German, the expiry date written the German way (31.03.2025).
    worded = refusal.wording
    assert worded is not None
    until = dict(worded.values)["day"]
    said = f"Die Kalibrierung von Waage SCL-150-02 ist am {until:%d.%m.%Y} abgelaufen"
    assert german in text and said in text and "equipment_calibration_due" in text
    assert english not in text
    assert text.index(german) < text.index(said), "what to do first, the engine's sentence under it"
    d.click("panel_ok")


def test_every_refusal_sentence_has_german_with_the_same_blanks() -> None:
    """The templates the station marks are exactly gating's, and each German translation fills
    the same blanks (a blank lost or misspelt would fall back to English at the line)."""
    import string

    from gating.wording import TEMPLATES
    from station.engine.messages import MESSAGES
    from station.ui.viewmodels import reasons

    assert reasons.SENTENCES == TEMPLATES + MESSAGES
    german = messages(i18n.I18N_DIR / "station_de.ts")

    def blanks(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    for english in (*TEMPLATES, *MESSAGES, reasons.DAY, reasons.INSTANT):
        m = german.get((reasons.SENTENCE_CONTEXT, english))
        assert m is not None, f"not in station_de.ts: {english!r}"
        text = m.findtext("translation") or ""
        assert text, f"no German for {english!r}"
        if english != reasons.DAY:  # German dates are numeric: month, not mon
            assert blanks(text) == blanks(english), f"{english!r} -> {text!r}"


def test_a_refused_review_signature_in_german(rig) -> None:
    """The QA review's refusals come from the record store, not the engine: the same templates."""
    from gating import wording as W
    from gating.wording import wording
    from station.ui.review_calls import Refused

    rig(devices=False).click("lang_de")
    refused = Refused("Unknown user or wrong password.", "signature_invalid", wording(W.UNKNOWN_OR_WRONG))
    assert refused.message == "Unbekannter Benutzer oder falsches Passwort."
    status = wording(W.REVIEW_NOT_COMPLETED, batch="B-1", status=wording(W.STATUS_ON_HOLD))
    assert Refused(status.text(), "sequence", status).message == (
        "Charge B-1 ist angehalten: nur eine abgeschlossene Charge wird geprüft"
    )
    assert Refused("as it is", "x").message == "as it is"  # no template: the words as given


def test_an_action_the_engine_cannot_take_is_said_in_german(rig) -> None:
    """Not a refusal (no gate applies), but an operator meets it: after an idle logout, say."""
    from station.composition import build_engine
    from station.engine import api
    from station.ui.viewmodels.reasons import explain

    d = rig(devices=False)
    d.click("lang_de")
    engine = build_engine(d.url)
    try:
        outcome = engine.dispatch(api.Confirm("OP10.S10"))
    finally:
        engine.close()
    assert outcome.status == "error" and outcome.message == "nobody is logged in: log in first"
    assert explain(outcome) == "niemand ist angemeldet: bitte zuerst anmelden"
