"""A dead scale does not stop the line: a weight entered by hand, with its reason and a
supervisor's e-signature as witness; and a scale reading from another scale than the one
scanned is refused. Through the engine (the record read back from the database), the
exports, and `mes-station run`."""

from __future__ import annotations

import io
import json
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader

from ebr.database import open_database
from ebr.verify import verify
from station import exports
from station.engine import api
from station.engine.engine import Engine
from tests.station.conftest import cli, to_dispensing

HADDAD = api.Witness("sv.haddad", "Superv1se-Haddad.26")


def _manual(witness: api.Witness | None, reason: str = "scale_disconnected", note: str = "") -> api.Weigh:
    return api.Weigh(
        "OP20.S20", gross=Decimal("60.02"), source="manual", reason=reason, note=note, witness=witness
    )


def _rows(url: str, sql: str) -> list[sqlite3.Row]:
    with sqlite3.connect(url.removeprefix("sqlite:///")) as con:
        con.row_factory = sqlite3.Row
        return list(con.execute(sql))


def test_a_weight_entered_by_hand_is_recorded_with_its_reason_and_witness(approved_db: str) -> None:
    db = open_database(approved_db)
    engine = Engine(db)
    to_dispensing(engine, "B-MAN-1")
    refused = {
        "no witness": (_manual(None), ["manual_weighing_unwitnessed"]),
        "no reason": (_manual(HADDAD, reason=""), ["manual_weighing_unwitnessed"]),
        "other without words": (_manual(HADDAD, reason="other"), ["manual_weighing_unwitnessed"]),
        "the operator herself": (
            _manual(api.Witness("op.alvarez", "Granul8-Alvarez.26")),
            ["independent_signer_required"],
        ),
        "an operator": (_manual(api.Witness("op.chen", "Granul8-Chen.26")), ["role_required"]),
        "a wrong password": (_manual(api.Witness("sv.haddad", "nope")), ["signature_invalid"]),
    }
    for why, (action, codes) in refused.items():
        outcome = engine.dispatch(action)
        assert (outcome.status, list(outcome.reasons)) == ("refused", codes), why
    assert _rows(approved_db, "select * from lot_consumptions") == []
    # A refused manual entry is not overridden into the record: it is entered again, witnessed.
    above = api.Weigh(
        "OP20.S20", gross=Decimal("61.00"), source="manual", reason="scale_faulty", witness=HADDAD
    )
    outcome = engine.dispatch(above)
    assert (outcome.status, list(outcome.reasons)) == ("refused", ["weight_out_of_tolerance"])
    outcome = engine.dispatch(api.Override("OP20.S20", "sv.nowak", "Superv1se-Nowak.26", "try"))
    assert (outcome.status, list(outcome.reasons)) == ("refused", ["manual_weighing_unwitnessed"]), (
        outcome.message
    )

    outcome = engine.dispatch(_manual(HADDAD))
    assert outcome.status == "done", outcome.message
    [row] = _rows(approved_db, "select * from lot_consumptions")
    assert (row["source"], row["device_serial"], Decimal(row["net"]), row["weighed_by"]) == (
        "manual",
        None,
        Decimal("60.02"),
        "op.alvarez",
    )
    [signature] = _rows(approved_db, "select * from signatures where record_table = 'lot_consumptions'")
    assert (
        signature["signer_id"],
        signature["printed_name"],
        signature["meaning"],
        signature["record_uid"],
    ) == (
        "sv.haddad",
        "Leila Haddad",
        "Weight entered by hand witnessed",
        row["uid"],
    )
    [event] = _rows(approved_db, "select * from audit_events where action = 'weighing.accepted'")
    value = json.loads(event["new_value"])
    assert (value["source"], value["manual_reason"], value["witness"], event["user_id"]) == (
        "manual",
        "scale_disconnected",
        "sv.haddad",
        "op.alvarez",
    )
    engine.close()
    assert verify(db).ok

    # The exception, its reason and its witness in the JSON and the PDF.
    body = json.loads(exports.export_batch(db, "B-MAN-1", "json", printed_by="qa.berg"))["batch_record"]
    assert body["exceptions"]["manual_weighings"] == [row["uid"]]
    [consumption] = [c for c in body["consumptions"] if c["uid"] == row["uid"]]
    assert (consumption["manual_reason"], consumption["witness"]) == ("scale_disconnected", "sv.haddad")
    assert consumption["witness_signature_uid"] == signature["uid"]
    pdf = exports.export_batch(db, "B-MAN-1", "pdf", printed_by="qa.berg")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    text = " ".join(text.split())
    assert "Weights entered by hand, not read from the scale (1)" in text
    assert "scale disconnected" in text and "Leila Haddad: Weight entered by hand witnessed" in text
    # QA's review on the touchscreen lists it, with why and the witness's e-signature.
    from station.ui.viewmodels.review import exception_items

    [item] = [i for i in exception_items(exports.load_record(db, "B-MAN-1")) if i.kind == "manual_weighing"]
    said = dict(item.context)
    assert said["Why not from the scale"] == "scale disconnected"
    assert said["E-signature"].startswith("Leila Haddad (sv.haddad) · Weight entered by hand witnessed · ")
    batchml = exports.export_batch(db, "B-MAN-1", "batchml", printed_by="qa.berg").decode()
    assert "reason entered by hand" in batchml and "scale disconnected" in batchml and "sv.haddad" in batchml
    db.dispose()


def test_a_reading_from_another_scale_than_the_one_scanned_is_refused(approved_db: str) -> None:
    db = open_database(approved_db)
    engine = Engine(db)
    to_dispensing(engine, "B-SN-1")
    reading = api.Weigh("OP20.S20", gross=Decimal("61.27"), tare=Decimal("1.25"), source="scale")
    for serial in ("B150-4471957", None, ""):  # the other floor scale; a scale that says nothing
        outcome = engine.dispatch(api.Weigh(**{**reading.__dict__, "device_serial": serial}))
        assert (outcome.status, list(outcome.reasons)) == ("refused", ["equipment_wrong_device"]), serial
        assert not outcome.refusals[0].overridable
    outcome = engine.dispatch(api.Weigh(**{**reading.__dict__, "device_serial": "B150-4471920"}))
    assert outcome.status == "done", outcome.message
    engine.close()
    db.dispose()


SCRIPT = """\
batch: {id: B-MAN-2, recipe: PARA500-GRAN, version: 3, size: {quantity: 120, unit: kg}}
actions:
  - login: {user: op.alvarez, password: Granul8-Alvarez.26}
  - start: {}
  - confirm: {step: OP10.S10}
  - answer: {step: OP10.S20, value: yes}
  - sign: {step: OP10.S30, user: sv.nowak, password: Superv1se-Nowak.26}
  - scan: {step: OP20.S10, code: "SCL-150-01"}
  - scan: {step: OP20.S20, code: "]C101040123450001081730083110P24-0817"}
  - weigh: {step: OP20.S20, tare: 1.25, gross: 61.27, device_serial: B150-4471957}
  - expect: {outcome: refused, reason: equipment_wrong_device}
  - weigh: {step: OP20.S20, gross: 60.02, manual: yes, reason: scale_faulty}
  - expect: {outcome: refused, reason: manual_weighing_unwitnessed}
  - weigh: {step: OP20.S20, gross: 60.02, manual: yes, reason: other, note: display dark,
            witness: {user: sv.haddad, password: Superv1se-Haddad.26}}
  - scan: {step: OP20.S30, code: "]C1010401234500020710M24-1130\\x1d17301130"}
  - weigh: {step: OP20.S30, tare: 1.25, gross: 49.10, device_serial: B150-4471920}
"""


def test_a_script_weighs_from_a_scale_by_its_serial_and_by_hand_with_a_witness(
    approved_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = tmp_path / "manual.yaml"
    script.write_text(SCRIPT, encoding="utf-8")
    assert cli("run", script, "--db", approved_db) == 0, capsys.readouterr()
    rows = _rows(approved_db, "select step_id, source, device_serial from lot_consumptions order by step_id")
    assert [tuple(r) for r in rows] == [("OP20.S20", "manual", None), ("OP20.S30", "scale", "B150-4471920")]
    [event] = _rows(
        approved_db, "select new_value from audit_events where action = 'weighing.accepted' limit 1"
    )
    value = json.loads(event["new_value"])
    assert (value["manual_reason"], value["manual_note"], value["witness"]) == (
        "other",
        "display dark",
        "sv.haddad",
    )
    # A script that expected the wrong serial to pass fails on it (exit 1).
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(
        SCRIPT.replace("B-MAN-2", "B-MAN-3").replace(
            "  - expect: {outcome: refused, reason: equipment_wrong_device}\n", ""
        )
    )
    capsys.readouterr()
    assert cli("run", wrong, "--db", approved_db) == 1
    said = capsys.readouterr()
    assert "equipment_wrong_device" in said.out + said.err


@pytest.mark.parametrize(
    ("weigh", "said"),
    [
        (
            "{step: OP20.S20, gross: 1, manual: yes, reason: coffee break}",
            "reason: one of scale_disconnected",
        ),
        ("{step: OP20.S20, gross: 1, reason: scale_faulty}", "only for a weight entered by hand"),
        ("{step: OP20.S20, gross: 1, manual: yes, device_serial: X}", "read from no scale"),
        ("{step: OP20.S20, gross: 1, manual: yes, witness: sv.haddad}", "witness: {user, password}"),
        ("{step: OP20.S20, gross: 1, manual: maybe}", "is not yes or no"),
    ],
)
def test_a_script_s_bad_weighing_is_named_by_file_and_line(
    approved_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], weigh: str, said: str
) -> None:
    script = tmp_path / "bad.yaml"
    script.write_text(
        "batch: {id: B-BAD, recipe: PARA500-GRAN, version: 3, size: {quantity: 120, unit: kg}}\n"
        f"actions:\n  - login: {{user: op.alvarez, password: x}}\n  - weigh: {weigh}\n",
        encoding="utf-8",
    )
    assert cli("run", script, "--db", approved_db) == 2
    err = capsys.readouterr().err
    assert f"{script}:4: weigh: " in err and said in err and "Traceback" not in err


def test_the_label_of_a_weight_entered_by_hand_says_so(approved_db: str, tmp_path: Path) -> None:
    """After the weighing the station prints its label to the ZPL printer (the simulator renders
    it to a PNG, kept in /tmp/mes-screenshots for a person to look at); the label says the
    weight was entered by hand and who witnessed it."""
    import shutil

    from hardware.simulators.printer import LabelPrinterSimulator
    from station.composition import build_engine, open_store

    with LabelPrinterSimulator(tmp_path / "printed", port=0) as printer:
        engine = build_engine(db=open_store(approved_db), printer=printer.address)
        try:
            to_dispensing(engine, "B-MAN-4")
            assert engine.dispatch(_manual(HADDAD)).status == "done"
            assert engine.dispatch(api.PrintLabel("OP20.S20", after_weighing=True)).status == "done"
            [png] = printer.wait_for(1)
        finally:
            engine.close()
    zpl = "\n".join(p.read_text(encoding="utf-8") for p in (tmp_path / "printed").glob("*.zpl"))
    assert "SCL-150-01 BY HAND, witness sv.haddad" in zpl and "NET 60.02 kg" in zpl
    assert png.read_bytes().startswith(b"\x89PNG")
    shots = Path("/tmp/mes-screenshots")
    shots.mkdir(exist_ok=True)
    shutil.copyfile(png, shots / "label-manual-weighing.png")
    assert [
        a for (a,) in _rows(approved_db, "select action from audit_events where action like 'label.%'")
    ] == ["label.printed"]
