"""Master data through the hub, against a real hub process over a real PostgreSQL with mutual
TLS: `hub master import` e-signed by the hub's QA user (bootstrap, wrong password, wrong role,
the role rules of a lot's release); stations pull the signed deltas and apply them attributed to
the central user; a delta altered in the hub's database is refused and raised; deviations get
central numbers, unique across two hub processes, shown beside the station's own."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from hub_testing import url_of as _url
from sqlalchemy import text
from test_sync_hub import ROOT, Hub, _cli, _env, _free_port, _station_config, _wait_for
from test_sync_hub import hub as hub  # the fixture

from ebr.database import Database, open_database

pytestmark = pytest.mark.postgres
SITE = ROOT / "tests" / "data" / "masterdata" / "site.yaml"


def _hub_import(hub: Hub, file: Path, *user: str) -> subprocess.CompletedProcess[str]:
    return _cli(
        "hub", "master", "import", str(file), "--db", hub.db_url, "--signing-key", str(hub.signing_key), *user
    )


def _password_file(folder: Path, name: str, *lines: str) -> str:
    path = folder / name
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def _new_password(hub: Hub, folder: Path, user: str, old: str, new: str) -> None:
    done = _cli("user", "password", user, "--password-file", _password_file(folder, f"{user}.pw2", old, new),
                "--db", hub.db_url)  # fmt: skip
    assert done.returncode == 0, done.stderr


def _released(folder: Path) -> Path:
    """site.yaml with the quarantined lot P24-0502 released: a change only QA may sign."""
    changed = folder / "release.yaml"
    source = SITE.read_text()
    assert "lot: P24-0502, status: quarantined" in source
    changed.write_text(
        source.replace("lot: P24-0502, status: quarantined", "lot: P24-0502, status: released")
    )
    return changed


def _rows(url: str, statement: str, **params: Any) -> list[Any]:
    database = open_database(url)
    try:
        with database.unit_of_work(read_only=True) as uow:
            return list(uow.connection.execute(text(statement), params))
    finally:
        database.dispose()


def test_hub_master_import_is_signed_by_qa_and_follows_the_role_rules(hub: Hub, tmp_path: Path) -> None:
    # A user before any user exists: refused; the first import is the bootstrap, version 1.
    early = _hub_import(hub, SITE, "--user", "qa.berg", "--password-file", _password_file(tmp_path, "x", "x"))
    assert early.returncode == 2 and "bootstrap" in early.stderr, early.stderr
    broken = tmp_path / "broken.yaml"
    broken.write_text(SITE.read_text().replace("expiry: 2030-08-31", "expiry: someday"))
    invalid = _hub_import(hub, broken)
    assert invalid.returncode == 2 and re.search(r"broken\.yaml:\d+: lots\[0\]\.expiry", invalid.stderr), (
        invalid.stderr
    )
    assert _hub_import(hub, tmp_path / "missing.yaml").returncode == 2
    assert hub.rows("SELECT count(*) FROM hub_master_deltas")[0][0] == 0
    first = _hub_import(hub, SITE)
    assert first.returncode == 0 and "master-data version 1" in first.stdout, first.stderr
    again = _hub_import(hub, SITE)
    assert again.returncode == 2 and "--user" in again.stderr

    released = _released(tmp_path)
    initial = _hub_import(hub, released, "--user", "qa.berg", "--password-file",
                          _password_file(tmp_path, "initial", "Rev1ew-Berg"))  # fmt: skip
    assert initial.returncode == 1 and "initial password" in initial.stderr, initial.stderr
    _new_password(hub, tmp_path, "qa.berg", "Rev1ew-Berg", "Rev1ew-Berg.26")
    wrong = _hub_import(hub, released, "--user", "qa.berg", "--password-file",
                        _password_file(tmp_path, "wrong", "Rev1ew-Berg.27"))  # fmt: skip
    assert wrong.returncode == 1 and "wrong password" in wrong.stderr, wrong.stderr
    assert "Traceback" not in wrong.stderr

    # An operator may not import master data; an administrator may, but not release a lot.
    _new_password(hub, tmp_path, "op.alvarez", "Granul8-Alvarez", "Granul8-Alvarez.26")
    operator = _hub_import(hub, released, "--user", "op.alvarez", "--password-file",
                           _password_file(tmp_path, "op", "Granul8-Alvarez.26"))  # fmt: skip
    assert operator.returncode == 1 and "needs the role qa or admin" in operator.stderr, operator.stderr
    _new_password(hub, tmp_path, "adm.kim", "Adm1n-Kim-2026", "Adm1n-Kim-2026.x")
    admin = _hub_import(hub, released, "--user", "adm.kim", "--password-file",
                        _password_file(tmp_path, "adm", "Adm1n-Kim-2026.x"))  # fmt: skip
    assert admin.returncode == 1 and "lot RM-0101/P24-0502" in admin.stderr and "role qa" in admin.stderr
    assert [r[0] for r in hub.rows("SELECT version FROM hub_master_deltas")] == [1]

    # QA releases it (the password from standard input): version 2, signed by qa.berg.
    done = subprocess.run(
        [sys.executable, "-m", "station.cli", "hub", "master", "import", str(released), "--db", hub.db_url,
         "--signing-key", str(hub.signing_key), "--user", "qa.berg"],
        input="Rev1ew-Berg.26\n", cwd=ROOT, capture_output=True, text=True, timeout=120, env=_env(),
    )  # fmt: skip
    assert done.returncode == 0 and "1 changed" in done.stdout and "version 2" in done.stdout, done.stderr
    same = _hub_import(hub, released, "--user", "qa.berg", "--password-file",
                       _password_file(tmp_path, "qa", "Rev1ew-Berg.26"))  # fmt: skip
    assert same.returncode == 0 and "no new master-data version" in same.stdout
    deltas = hub.rows("SELECT version, signer_id, body FROM hub_master_deltas ORDER BY version")
    assert [(r[0], r[1]) for r in deltas] == [(1, None), (2, "qa.berg")]
    body = json.loads(deltas[1][2])
    assert body["changes"] == [
        {"kind": "lot", "entity": "RM-0101/P24-0502", "change": "changed", "fields": ["status"]}
    ]
    assert body["signer"] == {"id": "qa.berg", "name": "Anders Berg", "roles": ["qa"]}
    assert "initial_password" not in deltas[0][2] and "Rev1ew-Berg" not in deltas[0][2]
    # The hub's own trail: the release by qa.berg, and each refusal saying who tried what.
    trail = hub.rows("SELECT user_id, action FROM audit_events WHERE action LIKE '%refused' OR action = "
                     "'master.lot.changed' ORDER BY seq")  # fmt: skip
    assert ("qa.berg", "master.lot.changed") in [tuple(r) for r in trail]
    assert {"op.alvarez", "adm.kim", "qa.berg"} <= {r[0] for r in trail if r[1].endswith("refused")}


def test_a_station_pulls_signed_deltas_attributed_and_refuses_an_altered_one(
    hub: Hub, tmp_path: Path
) -> None:
    assert _hub_import(hub, SITE).returncode == 0
    station = f"sqlite:///{tmp_path / 'station.db'}"
    assert _cli("db", "upgrade", "--db", station).returncode == 0
    config = _station_config(hub, "STATION-P", tmp_path)
    first = _cli("sync", "--once", "--config", str(config), "--db", station)
    assert first.returncode == 0, first.stderr
    status = _cli("sync", "status", "--config", str(config), "--db", station)
    assert status.returncode == 0 and "master data: version 1 (the hub's bootstrap" in status.stdout, (
        status.stdout
    )
    assert "unsent: 0" in status.stdout  # what the pull wrote went to the hub in the same sync
    added = _rows(station, "SELECT user_id, reason FROM audit_events WHERE action = 'master.user.added'")
    assert len(added) == 8 and all(
        r[0] is None and "hub master data v1, the hub's bootstrap" in r[1] for r in added
    )

    with hub.client("STATION-P") as client:  # the pull's bad input: a clear status, one line
        assert client.get("/openapi.json").json()["paths"]["/v1/master/deltas"]["get"]
        bad = client.get("/v1/master/deltas", params={"after": "-1"})
        assert bad.status_code == 400 and "after" in bad.json()["error"]
        assert [d["version"] for d in client.get("/v1/master/deltas").json()["deltas"]] == [1]
        assert client.get("/v1/master/deltas", params={"after": "1"}).json() == {"deltas": []}
    with hub.client("STATION-REVOKED") as client:
        assert client.get("/v1/master/deltas").status_code == 403

    _new_password(hub, tmp_path, "qa.berg", "Rev1ew-Berg", "Rev1ew-Berg.26")
    released = _released(tmp_path)
    signed = _hub_import(hub, released, "--user", "qa.berg", "--password-file",
                         _password_file(tmp_path, "qa", "Rev1ew-Berg.26"))  # fmt: skip
    assert signed.returncode == 0, signed.stderr

    # One bit flipped in the stored delta (past the insert-only trigger, as someone with the
    # database's superuser could): the station refuses it, applies nothing, and raises an alarm.
    (original,) = [r[0] for r in hub.rows("SELECT body FROM hub_master_deltas WHERE version = 2")]
    at = original.index("status: released") + len("status: rel")  # "released" becomes "reldased"
    flipped = original[:at] + chr(ord(original[at]) ^ 1) + original[at + 1 :]
    _rewrite_delta(hub, 2, flipped)
    refused = _cli("sync", "--once", "--config", str(config), "--db", station)
    assert refused.returncode == 3 and "signature does not verify" in refused.stderr, refused.stderr
    assert "Traceback" not in refused.stderr
    lot = "SELECT status FROM lots WHERE lot = 'P24-0502'"
    assert _rows(station, lot)[0][0] == "quarantined"
    alarmed = _cli("sync", "status", "--config", str(config), "--db", station)
    assert alarmed.returncode == 3 and "ALARM delta_invalid" in alarmed.stdout, alarmed.stdout
    assert "master data: version 1 " in alarmed.stdout

    # The delta as the hub signed it: applied, attributed to qa.berg and to the hub's delta.
    _rewrite_delta(hub, 2, original)
    pulled = _cli("sync", "--once", "--config", str(config), "--db", station)
    assert pulled.returncode == 0, pulled.stderr
    assert _rows(station, lot)[0][0] == "released"
    ((user, reason, new_value),) = _rows(
        station, "SELECT user_id, reason, new_value FROM audit_events WHERE action = 'master.lot.changed'"
    )
    assert user == "qa.berg" and json.loads(new_value)["status"] == "released"
    assert "hub master data v2, signed at the hub by qa.berg (Anders Berg)" in reason
    assert "from release.yaml" in reason
    assert [r[0] for r in _rows(station, "SELECT version FROM master_pulls ORDER BY version")] == [1, 2]
    assert _cli("ebr", "verify", "--db", station).returncode == 0
    # The hub holds the station's record of it too: the chain pushed after the pull.
    assert hub.rows("SELECT count(*) FROM hub_events WHERE action = 'master.lot.changed'")[0][0] == 1


def _rewrite_delta(hub: Hub, version: int, body: str) -> None:
    from sqlalchemy import create_engine

    engine = create_engine(hub.db_url)
    try:
        with engine.begin() as connection:  # one transaction: the trigger is off only inside it
            connection.execute(
                text("ALTER TABLE hub_master_deltas DISABLE TRIGGER hub_master_deltas_append_only")
            )
            connection.execute(
                text("UPDATE hub_master_deltas SET body = :b WHERE version = :v"), {"b": body, "v": version}
            )
            connection.execute(
                text("ALTER TABLE hub_master_deltas ENABLE TRIGGER hub_master_deltas_append_only")
            )
    finally:
        engine.dispose()


def test_central_deviation_numbers_unique_across_two_hub_processes(
    hub: Hub, batch_sqlite: tuple[Database, dict[str, str]], tmp_path: Path
) -> None:
    database, uids = batch_sqlite
    template = _url(database).removeprefix("sqlite:///")
    database.dispose()
    stations = []
    for index in range(4):  # four stations, each its own chain, two on each hub process
        path = tmp_path / f"station{index}.db"
        shutil.copy(template, path)
        with sqlite3.connect(path) as raw:
            raw.execute("DROP TRIGGER chain_identity_no_update")
            raw.execute("UPDATE chain_identity SET chain_id = ?", (str(uuid.uuid4()),))
        stations.append(f"sqlite:///{path}")
    cert, key, _ = hub.ca.issue("hub", server=True)
    port = _free_port()
    other = subprocess.Popen(
        [sys.executable, "-m", "station.cli", "hub", "serve", "--db", hub.db_url, "--listen", f"127.0.0.1:{port}",
         "--signing-key", str(hub.signing_key), "--certificate", str(cert), "--key", str(key), "--ca", str(hub.ca.path)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=_env(),
    )  # fmt: skip
    try:
        _wait_for(port, other)
        runs = []
        for index, url in enumerate(stations):
            config = _station_config(hub, f"STATION-{index}", tmp_path)
            if index % 2:
                config.write_text(config.read_text().replace(hub.url, f"https://127.0.0.1:{port}"))
            runs.append(subprocess.Popen(
                [sys.executable, "-m", "station.cli", "sync", "--once", "--batch", "3", "--config", str(config),
                 "--db", url],
                cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env(), text=True,
            ))  # fmt: skip
        for run in runs:
            _out, err = run.communicate(timeout=180)
            assert run.returncode == 0, err
    finally:
        other.terminate()
        other.communicate(timeout=20)

    numbered = hub.rows("SELECT chain_id, seq, deviation_uid, id, year FROM hub_deviation_numbers")
    opened = hub.rows(
        "SELECT count(*) FROM hub_events WHERE action IN ('deviation.opened', 'deviation.recorded')"
    )
    assert len(numbered) == opened[0][0] >= 4
    numbers = [f"DEV-{r[4]}-{r[3]:06d}" for r in numbered]
    assert len(set(numbers)) == len(numbers)
    learnt: list[str] = []
    for url in stations:
        held = _rows(url, "SELECT deviation_uid, number FROM deviation_numbers")
        assert held and all(re.fullmatch(r"DEV-20\d\d-\d{6}", n) for _uid, n in held)
        learnt += [n for _uid, n in held]
    assert sorted(learnt) == sorted(numbers)  # each station learnt its own, and only its own

    # The station shows the central number beside its own, in the JSON export and in the PDF.
    url = stations[0]
    deviation = uids["deviation"]
    ((central,),) = _rows(url, "SELECT number FROM deviation_numbers WHERE deviation_uid = :u", u=deviation)
    export = tmp_path / "record.json"
    made = _cli("ebr", "export", "B26-0001", "--format", "json", "-o", str(export), "--db", url)
    assert made.returncode == 0, made.stderr
    (shown,) = [
        d for d in json.loads(export.read_text())["batch_record"]["deviations"] if d["uid"] == deviation
    ]
    assert shown["central_number"] == central and shown["number"] != central
    pdf = tmp_path / "record.pdf"
    assert _cli("ebr", "export", "B26-0001", "--format", "pdf", "-o", str(pdf), "--db", url).returncode == 0
    from pypdf import PdfReader

    pages = " ".join(page.extract_text() for page in PdfReader(str(pdf)).pages)
    assert central in pages.replace("-\n", "-")  # the narrow column breaks it after a hyphen
    beside = re.escape(shown["number"]) + r"\n" + re.escape(central[:9])  # the local number, then the central
    assert re.search(beside, pages)
