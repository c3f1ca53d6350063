"""``mes-station user ...`` and ``mes-station audit show``: real processes on a real store,
the record read back."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from station.composition import build_engine, open_store
from station.engine import api
from tests.station.conftest import as_user, run_cli


def _actions(url: str, since: int = 0) -> list[tuple[str, str | None]]:
    with sqlite3.connect(url.removeprefix("sqlite:///")) as con:
        return list(
            con.execute("SELECT action, user_id FROM audit_events WHERE seq > ? ORDER BY seq", (since,))
        )


def _last_seq(url: str) -> int:
    with sqlite3.connect(url.removeprefix("sqlite:///")) as con:
        return int(con.execute("SELECT max(seq) FROM audit_events").fetchone()[0])


def _login(url: str, user: str, password: str) -> str:
    engine = build_engine(db=open_store(url))
    try:
        return engine.dispatch(api.Login(user=user, password=password)).status
    finally:
        engine.close()


def test_a_locked_operator_is_unlocked_by_a_supervisor_with_a_reason(
    approved_db: str, tmp_path: Path
) -> None:
    for _ in range(5):
        _login(approved_db, "op.chen", "not-his")
    assert _login(approved_db, "op.chen", "Granul8-Chen.26") == "refused"
    unlock = ["user", "unlock", "op.chen", "--reason", "called the help desk", "--db", approved_db]
    by_operator = run_cli(*unlock, *as_user("op.alvarez", tmp_path))
    assert by_operator.returncode == 1 and "needs the role supervisor or admin" in by_operator.stderr
    before = _last_seq(approved_db)
    done = run_cli(*unlock, *as_user("sv.haddad", tmp_path))
    assert done.returncode == 0, done.stderr
    assert ("user.unlocked", "sv.haddad") in _actions(approved_db, before)
    assert _login(approved_db, "op.chen", "Granul8-Chen.26") == "done"


def test_reset_and_deactivate_are_an_administrators(approved_db: str, tmp_path: Path) -> None:
    reset = ["user", "reset", "op.alvarez", "--reason", "forgot it", "--db", approved_db]
    assert run_cli(*reset, *as_user("qa.dubois", tmp_path)).returncode == 1
    done = run_cli(*reset, *as_user("adm.kim", tmp_path))
    assert done.returncode == 0, done.stderr
    temporary = done.stdout.split("temporary password ")[1].split()[0]
    engine = build_engine(db=open_store(approved_db))
    try:
        assert engine.dispatch(api.Login(user="op.alvarez", password=temporary)).status == "done"
        start = engine.dispatch(api.StartBatch("B-RESET", "PARA500-GRAN", 3, 120, "kg"))  # type: ignore[arg-type]
        assert start.status == "error"  # the temporary password may only be changed
    finally:
        engine.close()
    gone = ["user", "deactivate", "op.okafor", "--reason", "left the company", "--db", approved_db]
    assert run_cli(*gone, *as_user("adm.kim", tmp_path)).returncode == 0
    assert _login(approved_db, "op.okafor", "Granul8-Okafor.26") == "refused"


def test_one_changes_ones_own_password(approved_db: str, tmp_path: Path) -> None:
    both = tmp_path / "both.pw"
    both.write_text("Granul8-Alvarez.26\nNew-Passw0rd-Alvarez\n", encoding="utf-8")
    changed = run_cli("user", "password", "op.alvarez", "--password-file", both, "--db", approved_db)
    assert changed.returncode == 0, changed.stderr
    assert _login(approved_db, "op.alvarez", "New-Passw0rd-Alvarez") == "done"
    again = run_cli("user", "password", "op.alvarez", "--db", approved_db, stdin="wrong\nOther-Passw0rd-1\n")
    assert again.returncode == 1 and "Traceback" not in again.stderr
    one_line = run_cli("user", "password", "op.alvarez", "--db", approved_db, stdin="only-one\n")
    assert one_line.returncode == 2 and "2 passwords are needed" in one_line.stderr


def test_audit_show_filters_the_trail(approved_db: str) -> None:
    shown = run_cli("audit", "show", "--site", "--action", "master.", "--json", "--db", approved_db)
    assert shown.returncode == 0, shown.stderr
    lines = [json.loads(line) for line in shown.stdout.splitlines()]
    assert len(lines) > 40 and all(line["action"].startswith("master.") for line in lines)
    assert all(line["stream"] == "site" for line in lines)
    by_user = run_cli("audit", "show", "--user", "qa.dubois", "--limit", "5", "--db", approved_db)
    assert by_user.returncode == 0 and 0 < len(by_user.stdout.splitlines()) <= 5
    assert all(" qa.dubois " in line for line in by_user.stdout.splitlines())
    unknown = run_cli("audit", "show", "--batch", "B-NOPE", "--db", approved_db)
    assert unknown.returncode == 1 and "B-NOPE" in unknown.stderr
    bad = run_cli("audit", "show", "--since", "yesterday", "--db", approved_db)
    assert bad.returncode == 2 and "ISO 8601" in bad.stderr


def test_label_print_to_a_zpl_printer_and_to_a_pdf(approved_db: str, tmp_path: Path) -> None:
    """Through `mes-station label print`: ZPL over TCP to the printer simulator (which prints it
    to a PNG), then a reprint to a PDF file; both in the batch's audit trail, the second as a
    reprint; a printer that is off prints and records nothing."""
    from hardware.simulators.printer import LabelPrinterSimulator
    from tests.engine_batches import happy_path

    engine = build_engine(db=open_store(approved_db))
    try:
        for action in happy_path("OP20.S30", batch_id="B-LABEL"):
            assert engine.dispatch(action).status == "done", action
    finally:
        engine.close()
    who = as_user("op.alvarez", tmp_path)
    label = ["label", "print", "B-LABEL", "OP20.S20", "--db", approved_db, *who]
    before = _last_seq(approved_db)
    off = run_cli(*label, "--printer", "tcp://127.0.0.1:9")
    assert off.returncode == 1 and "label not printed" in off.stderr and "Traceback" not in off.stderr
    assert [a for a, _ in _actions(approved_db, before) if a.startswith("label.")] == []
    with LabelPrinterSimulator(tmp_path / "printed", port=0) as printer:
        printed = run_cli(*label, "--printer", printer.address)
        assert printed.returncode == 0, printed.stderr
        [png] = printer.wait_for(1)
    assert png.stat().st_size > 1000
    pdf = tmp_path / "reprint.pdf"
    again = run_cli(*label, "--printer", pdf)
    assert again.returncode == 0 and pdf.read_bytes().startswith(b"%PDF")
    labels = [(a, u) for a, u in _actions(approved_db, before) if a.startswith("label.")]
    assert labels == [("label.printed", "op.alvarez"), ("label.reprinted", "op.alvarez")]
    nothing = run_cli("label", "print", "B-LABEL", "OP20.S30", "--db", approved_db, *who, "--printer", pdf)
    assert nothing.returncode == 1 and "no accepted weighing at OP20.S30" in nothing.stderr


def test_the_station_prints_after_a_weighing_where_it_has_a_printer(approved_db: str, tmp_path: Path) -> None:
    """The engine's PrintLabel: after an accepted weighing, to the configured ZPL printer; a
    reprint on request; without a printer, nothing after the weighing and a PDF on request."""
    from decimal import Decimal

    from hardware.simulators.printer import LabelPrinterSimulator
    from tests.engine_batches import happy_path

    with LabelPrinterSimulator(tmp_path / "printed", port=0) as printer:
        engine = build_engine(db=open_store(approved_db), printer=printer.address)
        try:
            for action in happy_path("OP20.S20", batch_id="B-AUTO")[:-1]:
                assert engine.dispatch(action).status == "done"
            engine.dispatch(api.Scan("OP20.S20", "]C101040123450001081730083110P24-0817"))
            assert (
                engine.dispatch(api.Weigh("OP20.S20", gross=Decimal("61.27"), tare=Decimal("1.25"))).status
                == "done"
            )
            assert engine.dispatch(api.PrintLabel("OP20.S20", after_weighing=True)).status == "done"
            assert engine.dispatch(api.PrintLabel()).status == "done"  # the reprint, of the latest weighing
            assert len(printer.wait_for(2)) == 2
        finally:
            engine.close()
    labels = [(a, u) for a, u in _actions(approved_db) if a.startswith("label.")]
    assert labels == [("label.printed", "op.alvarez"), ("label.reprinted", "op.alvarez")]
    pdf = tmp_path / "label.pdf"
    engine = build_engine(db=open_store(approved_db), printer=str(pdf))
    try:
        engine.dispatch(api.Login(user="op.alvarez", password="Granul8-Alvarez.26"))
        engine.dispatch(api.OpenBatch("B-AUTO"))
        assert engine.dispatch(api.PrintLabel("OP20.S30")).status == "error"  # nothing weighed there
        assert engine.dispatch(api.PrintLabel()).status == "done" and pdf.read_bytes().startswith(b"%PDF")
    finally:
        engine.close()
    bare = build_engine(db=open_store(approved_db))
    try:
        bare.dispatch(api.Login(user="op.alvarez", password="Granul8-Alvarez.26"))
        bare.dispatch(api.OpenBatch("B-AUTO"))
        before = _last_seq(approved_db)
        assert (
            bare.dispatch(api.PrintLabel("OP20.S20", after_weighing=True)).message
            == "no label printer configured"
        )
        assert _last_seq(approved_db) == before
    finally:
        bare.close()
