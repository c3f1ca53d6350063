"""The record speaks one vocabulary (``ebr.events``): every action the station writes has a
class, every class is written by some path of the station, every stored event reads back as
its class and writes again to exactly the stored columns, and a batch recorded before the
classes existed is recorded the same way now.

The scenario below is a batch with every kind of exception (hold and resume, a check answered
NO, refusals of equipment, lot and weighing, an override with a wrong and a right password, a
manual deviation, a measurement out of limits, a refused completion), then labels, a refused
and a decided QA review, user administration and a master-data change. The same scenario was
run on the code before the vocabulary (tests/data/legacy/before-vocabulary.db holds what it
wrote): the batch's stream must come out the same, event for event.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import sqlite3
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher

import ebr.clock
import ebr.users
from ebr import events as ev
from ebr.database import Database, open_database
from ebr.migrate import upgrade
from ebr.users import authenticate
from ebr.verify import verify
from station import exports
from station.cli import main
from station.engine import api
from station.engine.engine import Engine
from tests.engine_batches import PASSWORDS
from tests.station.conftest import DATA, LOT, OQ_SETUP, password_file

INPUTS = DATA / "legacy"  # the reference data as it was when the earlier record was written
LEGACY = INPUTS / "before-vocabulary.db"
BATCH = "B-RICH-1"
SOURCES = Path(__file__).resolve().parents[2]


def _reference_runs(url: str) -> None:
    """Master data, the recipe imported and approved, the reference scripts and an approving
    review, as a validation engineer runs them through the command line."""
    folder = Path(url.removeprefix("sqlite:///")).parent
    admin, qa = password_file(folder, "adm.kim"), password_file(folder, "qa.dubois")
    assert main(["master", "import", str(INPUTS / "site.yaml"), "--db", url]) == 0  # the bootstrap
    assert main(["run", str(OQ_SETUP), "--db", url]) == 0  # every user's own password
    recipe = str(INPUTS / "para500-granulation.yaml")
    assert (
        main(["recipe", "import", recipe, "--db", url, "--user", "adm.kim", "--password-file", str(admin)])
        == 0
    )
    approve = ["recipe", "approve", "PARA500-GRAN", "3", "--db", url]
    assert main([*approve, "--user", "qa.dubois", "--password-file", str(qa)]) == 0
    for script in ("para500-happy-path.yaml", "para500-refusals.yaml"):
        assert main(["run", str(DATA / "scripts" / script), "--db", url]) == 0
    review = ["ebr", "review", "B-2611-001", "--approve", "--comment", "ok", "--db", url]
    assert main([*review, "--user", "qa.dubois", "--password-file", str(qa)]) == 0


def _scenario(db: Database, url: str, folder: Path) -> None:
    engine = Engine(db)

    def do(action: api.Action, want: str | None = None) -> api.Outcome:
        outcome = engine.dispatch(action)
        assert want is None or outcome.status == want, (action, outcome.message)
        return outcome

    haddad = ("sv.haddad", "Superv1se-Haddad.26")
    do(api.Login(user="op.alvarez", password="Granul8-Alvarez.26"), "done")
    do(api.StartBatch(BATCH, "PARA500-GRAN", 3, Decimal(120), "kg"), "done")
    do(api.Hold("granulator alarm"), "done")
    do(api.Resume("alarm cleared"), "done")
    do(api.Confirm("OP10.S10"), "done")
    do(api.Answer("OP10.S20", False), "deviation")
    do(api.Override("OP10.S20", *haddad, "Label re-checked: clean"), "done")
    do(api.Sign("OP10.S30", "sv.nowak", "Superv1se-Nowak.26"), "done")
    do(api.Scan("OP20.S10", "SCL-150-02"), "refused")
    do(api.Override("OP20.S10", *haddad, "calibration certificate on file"), "refused")
    do(api.Scan("OP20.S10", "SCL-150-01"), "done")
    do(api.Scan("OP20.S20", "]C101040123450001081730053110P24-0502"), "refused")
    do(api.Override("OP20.S20", *haddad, "try override of quarantine"), "refused")
    do(api.Scan("OP20.S20", LOT), "done")
    do(api.Weigh("OP20.S20", gross=Decimal("61.85"), tare=Decimal("1.25")), "refused")
    do(api.Override("OP20.S20", "sv.haddad", "wrong", "x"), "refused")
    do(api.Override("OP20.S20", *haddad, "Within assay correction"), "deviation")
    do(api.RaiseDeviation("spill", "Powder spilled at bay 1", "OP20.S30"), "done")
    do(api.Scan("OP20.S30", "]C1010401234500020710M24-1130\x1d17301130"), "done")
    do(
        api.Weigh(
            "OP20.S30",
            gross=Decimal("49.10"),
            tare=Decimal("1.25"),
            device_serial="B150-4471920",
            source="scale",
        ),
        "done",
    )
    do(api.Override("OP20.S30", *haddad, "Spill cleaned, no impact"), "done")
    do(api.Scan("OP20.S40", "SCL-006-01"), "done")
    do(api.Scan("OP20.S50", "01040123450003061730022810K24-0220"), "done")
    do(api.Weigh("OP20.S50", gross=Decimal("3.9310"), tare=Decimal("0.3120")), "done")
    do(api.Scan("OP20.S60", "K24-0220"), "refused")
    do(api.Scan("OP20.S60", "]C101040123450005041730013110C25-0103"), "done")
    do(api.Weigh("OP20.S60", gross=Decimal("2.7295"), tare=Decimal("0.3120")), "done")
    do(api.Sign("OP20.S70", *haddad), "done")
    do(api.Scan("OP30.S10", "GRN-01"), "done")
    do(api.Confirm("OP30.S20"), "done")
    do(api.Enter("OP30.S30", Decimal(171)), "deviation")
    do(api.Complete(), "refused")
    do(api.Override("OP30.S30", *haddad, "Tachometer re-read; no impact"), "done")
    do(api.Enter("OP30.S40", Decimal("5.0")), "done")
    do(api.Enter("OP30.S50", Decimal("1.84")), "done")
    do(api.Sign("OP30.S60", "op.alvarez", "Granul8-Alvarez.26"), "done")
    do(api.Complete(), "done")
    do(api.Logout("idle"), "done")
    do(api.ChangePassword("op.chen", "Granul8-Chen.26", "New-Passw0rd-Chen"), "done")
    for _ in range(6):
        do(api.Login(user="op.okafor", password="nope"), "refused")
    engine.close()

    exports.print_dispense_label(db, BATCH, "OP20.S20", user="op.alvarez", folder=folder)
    exports.print_dispense_label(db, BATCH, "OP20.S20", user="op.alvarez", folder=folder)
    with pytest.raises(exports.ReviewRefused):
        exports.review_batch(
            db, BATCH, approve=False, user="op.alvarez", password="Granul8-Alvarez.26", comment="not QA"
        )
    exports.review_batch(
        db,
        BATCH,
        approve=False,
        user="qa.dubois",
        password="Rev1ew-Dubois.26",
        comment="Spill deviation needs CAPA",
    )
    with db.unit_of_work() as uow:
        ebr.users.unlock_user(uow, "op.okafor", by="sv.haddad", reason="called the help desk")
        ebr.users.reset_password(uow, "op.okafor", "Temp-Passw0rd-1", by="adm.kim", reason="forgot")
        ebr.users.deactivate_user(uow, "op.chen", by="adm.kim", reason="left the company")
        uow.commit()
    db.dispose()

    changed = folder / "site2.yaml"  # the name the earlier run gave it (it is in the record)
    site = (INPUTS / "site.yaml").read_text(encoding="utf-8")
    released = site.replace("P24-0502, status: quarantined", "P24-0502, status: released")
    assert released != site
    changed.write_text(released, encoding="utf-8")
    berg = password_file(folder, "qa.berg")
    assert (
        main(
            ["master", "import", str(changed), "--db", url, "--user", "qa.berg", "--password-file", str(berg)]
        )
        == 0
    )

    engine = Engine(db)
    do(api.Login(user="qa.berg", password="Rev1ew-Berg.26"), "done")
    do(api.StartBatch("B-RICH-2", "PARA500-GRAN", 3, Decimal(120), "kg"), "refused")
    engine.close()


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new store with the reference runs and the scenario recorded (made once: the tests
    only read it)."""
    folder = tmp_path_factory.mktemp("vocabulary")
    path = folder / "station.db"
    url = f"sqlite:///{path}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ebr.users, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
        _reference_runs(url)
        db = open_database(url)
        try:
            _scenario(db, url, folder)
            assert verify(db).ok
        finally:
            db.dispose()
    return path


def _rows(path: Path, where: str = "1 = 1") -> list[sqlite3.Row]:
    with sqlite3.connect(path) as con:
        con.row_factory = sqlite3.Row
        return list(con.execute(f"SELECT * FROM audit_events WHERE {where} ORDER BY seq"))


def _stored(row: sqlite3.Row) -> tuple[Any, ...]:
    def parsed(text: str | None) -> Any:
        return None if text is None else json.loads(text)

    return (
        row["action"],
        row["outcome"],
        row["entity_type"],
        row["entity_id"],
        parsed(row["old_value"]),
        parsed(row["new_value"]),
        row["reason"],
    )


def _typed(event: ev.AuditedEvent) -> tuple[Any, ...]:
    s = event.stored()
    return (s.action, s.outcome, s.entity_type, s.entity_id, s.old_value, s.new_value, s.reason)


@pytest.mark.parametrize("which", ["recorded now", "recorded before the vocabulary"])
def test_every_stored_event_reads_back_as_its_class_and_writes_the_same_columns(
    which: str, recorded: Path
) -> None:
    path = recorded if which == "recorded now" else LEGACY
    rows = _rows(path)
    assert len(rows) > 120
    for row in rows:
        event = ev.decode_row(row)
        assert not isinstance(event, ev.Unrecognised), row["action"]
        assert _typed(event) == _stored(row), row["seq"]


def test_every_class_is_written_by_the_station_and_nothing_else_is(recorded: Path, tmp_path: Path) -> None:
    # The one path the scenario does not take: a store written before master data was sealed,
    # upgraded (its rows are sealed as found).
    old = tmp_path / "old.db"
    shutil.copyfile(LEGACY, old)
    upgraded = open_database(f"sqlite:///{old}")
    try:
        upgrade(upgraded)
    finally:
        upgraded.dispose()
    # And a store put back from a verified backup by an administrator (`db restore`).
    restored = tmp_path / "restored.db"
    shutil.copyfile(recorded, restored)
    assert main(["db", "backup", str(tmp_path / "backup.db"), "--db", f"sqlite:///{restored}"]) == 0
    who = ["--user", "adm.kim", "--password-file", str(password_file(tmp_path, "adm.kim"))]
    assert main(["db", "restore", str(tmp_path / "backup.db"), "--db", f"sqlite:///{restored}", *who]) == 0
    # And a store identified for the central hub: its genesis event, written before its first push.
    from ebr.sync.identity import ensure_genesis

    identified = open_database(f"sqlite:///{restored}")
    try:
        with identified.unit_of_work() as uow:
            ensure_genesis(uow, "STATION-01")
            uow.commit()
    finally:
        identified.dispose()
    # And a site policy set by QA (`policy set`).
    qa = ["--user", "qa.dubois", "--password-file", str(password_file(tmp_path, "qa.dubois"))]
    assert (
        main(
            [
                "policy",
                "set",
                "sync_stale_limit",
                "8h",
                "--reason",
                "SOP-IT-7",
                "--db",
                f"sqlite:///{restored}",
                *qa,
            ]
        )
        == 0
    )
    # And a password past the site's maximum age, found at a login a month on (the store's clock).
    policy = tmp_path / "policy.yaml"
    policy.write_text("password_policy:\n  max_age_days: 30\n", encoding="utf-8")
    assert main(["master", "import", str(policy), "--db", f"sqlite:///{restored}", *who]) == 0
    aged = open_database(f"sqlite:///{restored}")
    later = ebr.clock.utc_now() + dt.timedelta(days=31)
    try:
        with pytest.MonkeyPatch.context() as patch, aged.unit_of_work() as uow:
            patch.setattr(ebr.clock, "utc_now", lambda: later)
            assert authenticate(uow, "op.alvarez", PASSWORDS["op.alvarez"]).password_expired
            uow.commit()
    finally:
        aged.dispose()
    written = {type(ev.decode_row(row)) for path in (recorded, old, restored) for row in _rows(path)}
    assert written == set(ev.ALL_EVENTS)


def test_the_record_is_written_as_before_event_for_event(recorded: Path) -> None:
    """The batches' streams now (both reference scripts, an approving review, the scenario)
    against the same runs on the code before the vocabulary: the same actions, users,
    entities, reasons, records and payloads (ids, times and hashes aside). The site stream
    differs by design since: the first import is the bootstrap, every user sets a password
    before working, commands authenticate. Deliberate differences in the batches' streams: a
    refused QA review now carries its reason code and the sentence shown, like every other
    refusal; a refused override attempt is audited; every step done keeps the training its gate
    relied on; every event that adds or changes a
    master-data row carries the row's seal (``ebr.master_seal``); and a weight a script gives
    is recorded as given by a script (source ``script``), no longer as entered by hand."""
    sealed: list[str] = []
    overrides_refused: list[sqlite3.Row] = []
    trained: list[str] = []
    scripted: list[str] = []

    def normal(path: Path) -> list[str]:
        uids: dict[str, str] = {}
        out = []
        for row in _rows(path, "stream <> 'site'"):
            codes = [r["code"] for r in json.loads(row["new_value"] or "{}").get("refusals", [])]
            if row["action"] == "override.refused" and path == recorded and "signature_invalid" not in codes:
                overrides_refused.append(row)
                continue
            # (Not stream_seq: the audited override attempts stand between events now.)
            fields = {k: row[k] for k in ("stream", "user_id", "record_table")}
            fields["stored"] = _stored(row)
            value = fields["stored"][5]
            if isinstance(value, dict) and "training" in value and path == recorded:
                trained.append(row["action"])  # the training each step's gate relied on, kept since
                value = {k: v for k, v in value.items() if k != "training"}
                fields["stored"] = (*fields["stored"][:5], value, row["reason"])
            if isinstance(value, dict) and "seal" in value:
                sealed.append(f"{row['action']} {row['entity_id']}")
                fields["stored"] = (
                    *fields["stored"][:5],
                    {k: v for k, v in value.items() if k != "seal"},
                    row["reason"],
                )
            if path == recorded and isinstance(value, dict) and value.get("source") == "script":
                scripted.append(row["action"])  # a weight given by a script, named so since
                value = {**value, "source": "manual"}
                fields["stored"] = (*fields["stored"][:5], value, row["reason"])
            text = json.dumps(fields, sort_keys=True)
            text = re.sub(
                r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
                lambda m: uids.setdefault(m.group(0), f"uid-{len(uids)}"),
                text,
            )
            text = re.sub(r'"request": "[0-9a-f]{16}:', '"request": "SCRIPT:', text)  # scripts' hashes
            out.append(re.sub(r"sha256:[0-9a-f]{64}", "sha256:...", text))
        return out

    now, before = normal(recorded), normal(LEGACY)
    assert len(now) == len(before) == 93
    # A weight a script gives (no scale, no witness) is recorded as such (source "script"),
    # where it was "manual" before; a manual weight now needs its reason and witness.
    assert sorted(set(scripted)) == ["weighing.accepted", "weighing.refused"] and len(scripted) > 4
    # Every step done now carries the training its gate relied on.
    assert len(trained) > 30 and {"step.confirmed", "step.answered", "weighing.accepted"} <= set(trained)
    # A supervisor's authenticated attempt to override what no site may override is on record
    # now (before, it left no trace): the two in the scenario, with the codes they met.
    assert [json.loads(r["new_value"])["refusals"][0]["code"] for r in overrides_refused] == [
        "equipment_calibration_due",
        "lot_quarantined",
    ]
    # Every master-data row added or changed, and every change of a user's row, carries its seal.
    changes = [r for r in _rows(recorded) if r["action"].startswith("master.") or (
        r["action"] in ("user.locked", "user.unlocked", "user.deactivated", "user.failed_attempts_reset",
                        "user.password_changed", "user.password_reset")
        or (r["action"] in ("login.failed", "signature.auth_failed") and r["new_value"] is not None))]  # fmt: skip
    assert len(changes) > 60 and all(r["new_value"] and "seal" in json.loads(r["new_value"]) for r in changes)
    review_refused = [i for i, line in enumerate(before) if '"review.refused"' in line]
    assert len(review_refused) == 1
    for i, (a, b) in enumerate(zip(now, before, strict=True)):
        if i in review_refused:
            assert json.loads(a)["stored"][5] == {
                "action": "review",
                "approve": False,
                "comment": "not QA",
                "refusals": [
                    {
                        "code": "role_required",
                        "sentence": "Maria Alvarez does not hold the qa role a batch review needs",
                    }
                ],
            }
            continue
        assert a == b, i


def test_only_the_unit_of_work_writes_to_the_chain() -> None:
    """``UnitOfWork.write`` is the one way into the record: no other production module calls
    the chain's append functions."""
    callers = []
    for package in ("station", "ebr", "gating", "recipes", "hardware"):
        for source in (SOURCES / package).rglob("*.py"):
            if source.relative_to(SOURCES).as_posix() in ("ebr/uow.py", "ebr/audit.py"):
                continue
            text = source.read_text(encoding="utf-8")
            if re.search(r"\b(append_event|add_record)\(", text):
                callers.append(source.relative_to(SOURCES).as_posix())
    assert callers == []
