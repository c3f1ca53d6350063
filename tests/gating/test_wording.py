"""Refusal sentences as templates: the English the record keeps, a translation that fills the
same blanks, and a translation that does not fit falling back to English."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from gating import wording as W
from gating.rules import check_equipment, check_lot
from gating.wording import TEMPLATES, Wording, wording

ROOT = Path(__file__).resolve().parents[2]
BERLIN = ZoneInfo("Europe/Berlin")

GERMAN = {
    W.LOT_OF: "Partie {lot} von {material}",
    W.LOT_EXPIRED: "{lot} ist am {day} verfallen",
    W.SCALE_ID: "Waage {id}",
    W.NOT_CLEAN: "{equipment} ist nicht sauber seit {instant}",
}


def german(template: str) -> str:
    return GERMAN.get(template, template)


def numeric_day(day: date) -> str:
    return f"{day:%d.%m.%Y}"


def clock_instant(moment: datetime) -> str:
    return f"{numeric_day(moment.date())} {moment:%H:%M}"


def test_english_text_fills_nested_wordings_dates_and_instants() -> None:
    lot = wording(W.LOT_OF, lot="P24-0502", material="Paracetamol")
    assert wording(W.LOT_EXPIRED, lot=lot, day=date(2026, 10, 31)).text() == (
        "Lot P24-0502 of Paracetamol expired on 31 Oct 2026"
    )
    ended = datetime(2026, 1, 5, 5, 0, tzinfo=UTC).astimezone(BERLIN)
    scale = wording(W.SCALE_ID, id="SCL-150-01")
    assert wording(W.NOT_CLEAN, equipment=scale, instant=ended).text() == (
        "Scale SCL-150-01 is not clean: its clean hold time ended 5 Jan 2026 06:00 CET"
    )


def test_a_translation_is_applied_to_the_sentence_and_to_the_words_in_its_blanks() -> None:
    lot = wording(W.LOT_OF, lot="P24-0502", material="Paracetamol")
    sentence = wording(W.LOT_EXPIRED, lot=lot, day=date(2026, 10, 31))
    assert sentence.render(german, numeric_day, clock_instant) == (
        "Partie P24-0502 von Paracetamol ist am 31.10.2026 verfallen"
    )
    ended = datetime(2026, 7, 5, 4, 0, tzinfo=UTC).astimezone(BERLIN)
    sentence = wording(W.NOT_CLEAN, equipment=wording(W.SCALE_ID, id="S1"), instant=ended)
    assert (
        sentence.render(german, numeric_day, clock_instant)
        == "Waage S1 ist nicht sauber seit 05.07.2026 06:00"
    )


def test_a_translation_that_does_not_fit_its_blanks_falls_back_to_english() -> None:
    sentence = wording(W.LOT_UNKNOWN, lot="X-1")
    for broken in ("Partie {partie} ist unbekannt", "Partie {lot ist unbekannt", "Partie {0} ist unbekannt"):
        assert sentence.render(lambda _t, b=broken: b, numeric_day, clock_instant) == (
            "Lot X-1 is not known to the station"
        )


def test_every_template_is_used_and_every_use_is_a_template() -> None:
    """TEMPLATES is what the station must translate: none missing, none left over."""
    names = {name for name in dir(W) if name.isupper() and isinstance(getattr(W, name), str)}
    assert set(TEMPLATES) == {getattr(W, name) for name in names}
    # Every module that may word a sentence (the gates, the store's users, the station).
    sources = [path for package in ("gating", "ebr", "station") for path in (ROOT / package).rglob("*.py")]
    used = {m for path in sources for m in re.findall(r"\bW\.([A-Z_]+)\b", path.read_text(encoding="utf-8"))}
    assert used | {"STATUS_IN_PROGRESS", "STATUS_ON_HOLD"} == names  # those two: W.batch_status


def test_a_batch_status_is_worded_where_a_sentence_can_name_it() -> None:
    for status, template in (("on_hold", W.STATUS_ON_HOLD), ("in_progress", W.STATUS_IN_PROGRESS)):
        worded = W.batch_status(status)
        assert isinstance(worded, Wording) and worded.template == template
    assert W.batch_status("completed") == "completed" and W.batch_status("under_review") == "under review"


def test_the_rules_give_a_wording_that_says_their_sentence() -> None:
    from tests.gating.test_gating_rules import CASES, LOTS, MATERIALS, NOW, step

    for case in CASES:
        for refusal in case.check():
            assert isinstance(refusal.wording, Wording)
            assert refusal.wording.text() == refusal.sentence
    weigh = step("OP20.S20")
    for lot in LOTS.values():
        for refusal in check_lot(weigh, lot, lot.lot, MATERIALS.get(lot.material), NOW):
            assert refusal.wording is not None and refusal.wording.text() == refusal.sentence
    assert check_equipment(step("OP20.S10"), None, "NOPE", NOW)[0].wording is not None


def test_every_engine_message_is_used_and_every_use_is_a_message() -> None:
    from station.engine import messages as M

    names = {name for name in dir(M) if name.isupper() and isinstance(getattr(M, name), str)}
    assert set(M.MESSAGES) == {getattr(M, name) for name in names}
    used = {
        name
        for path in (ROOT / "station" / "engine").glob("*.py")
        for name in re.findall(r"\bM\.([A-Z_]+)\b", path.read_text(encoding="utf-8"))
    }
    assert used == names
    assert not set(M.MESSAGES) & set(TEMPLATES)  # one wording, one place
