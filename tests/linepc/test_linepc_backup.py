"""Backups taken while a batch runs restore to a store that verifies; a damaged or altered backup
is refused; a restore that would lose what the hub acknowledged needs --force; the archive and
the health check read the same real SQLite files."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from station.cli import main
from tests import engine_batches as eb


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return eb.build_template(tmp_path_factory.mktemp("template") / "template.db")


@pytest.fixture
def store(template: Path, tmp_path: Path) -> Iterator[str]:
    with eb.cheap_argon2():
        yield eb.copy_of(template, tmp_path)


def path_of(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


def admin(tmp_path: Path, user: str = "adm.kim", password: str | None = None) -> list[str]:
    """--user and --password-file for a restore: the password in a file of the test's own."""
    file = tmp_path / f"{user}.pw"
    file.write_text((password or eb.PASSWORDS[user]) + "\n")
    return ["--user", user, "--password-file", str(file)]


def tamper(path: Path, sql: str) -> None:
    """What someone with the file and sqlite3 could do: drop the append-only guard, edit."""
    with sqlite3.connect(path) as attacker:
        attacker.execute("DROP TRIGGER IF EXISTS audit_events_no_update")
        attacker.execute(sql)


def test_backups_during_a_running_batch_verify_and_restore(
    store: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    backups = tmp_path / "backups"
    backups.mkdir()
    failure: list[BaseException] = []

    def operator() -> None:
        try:
            eb.dispatch(store, eb.happy_path())
        except BaseException as exc:  # reported by the test below
            failure.append(exc)

    writer = threading.Thread(target=operator)
    writer.start()
    taken = 0
    while writer.is_alive() or taken < 2:
        assert main(["db", "backup", str(backups / f"b{taken}.db"), "--db", store]) == 0, (
            capsys.readouterr().err
        )
        taken += 1
    writer.join()
    assert not failure, failure
    assert main(["db", "backup", str(backups / f"b{taken}.db"), "--db", store]) == 0  # after the batch
    taken += 1
    manifests = [json.loads((backups / f"b{n}.db.manifest.json").read_text()) for n in range(taken)]
    assert len(list(backups.glob("*.manifest.json"))) == taken >= 3
    assert all(m["verified"] and m["format"] == "mes-station-backup/1" for m in manifests)
    first, last = manifests[0], manifests[-1]
    assert first["chain_last_seq"] < last["chain_last_seq"]  # taken while the operator worked
    with sqlite3.connect(path_of(store)) as live:
        assert last["chain_last_seq"] == live.execute("SELECT last_seq FROM chain_head").fetchone()[0]
    # the earliest copy, restored over the station's store, verifies and holds exactly its
    # events, then the restore itself, by the administrator who did it
    capsys.readouterr()
    assert main(["db", "restore", str(backups / "b0.db"), "--db", store, *admin(tmp_path)]) == 0, (
        capsys.readouterr().err
    )
    assert "by adm.kim, verified; the previous file is kept as" in capsys.readouterr().out
    assert main(["ebr", "verify", "--db", store]) == 0
    with sqlite3.connect(path_of(store)) as restored:
        rows = restored.execute(
            "SELECT seq, action, user_id, entity_id, reason FROM audit_events ORDER BY seq"
        ).fetchall()
    assert len(rows) == first["counts"]["audit_events"] + 1
    seq, action, user, entity, reason = rows[-1]
    assert (seq, action, user, entity) == (first["chain_last_seq"] + 1, "store.restored", "adm.kim", "b0.db")
    assert f"sha256 {first['sha256']}" in reason and "forced" not in reason
    kept = list(tmp_path.glob("station.before-restore-*.db"))
    assert len(kept) == 1
    with sqlite3.connect(kept[0]) as before:
        assert before.execute("SELECT last_seq FROM chain_head").fetchone()[0] == last["chain_last_seq"]


def test_a_damaged_backup_is_refused(store: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    eb.dispatch(store, eb.happy_path())
    backup = tmp_path / "b.db"
    assert main(["db", "backup", str(backup), "--db", store]) == 0
    before = path_of(store).read_bytes()
    data = bytearray(backup.read_bytes())
    data[len(data) // 2] ^= 0xFF
    backup.write_bytes(bytes(data))
    capsys.readouterr()
    assert main(["db", "restore", str(backup), "--db", store, *admin(tmp_path)]) == 3
    err = capsys.readouterr().err
    assert (
        err.strip()
        == f"mes-station: refused: {backup}: the file's SHA-256 is not the manifest's: the backup was altered or damaged"
    )
    assert path_of(store).read_bytes() == before  # nothing touched


def test_an_altered_backup_with_a_recomputed_hash_is_refused_by_its_chain(
    store: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from ebr.backup import manifest_path, sha256_of

    eb.dispatch(store, eb.happy_path())
    backup = tmp_path / "b.db"
    assert main(["db", "backup", str(backup), "--db", store]) == 0
    tamper(backup, "UPDATE audit_events SET reason = 'nothing happened' WHERE seq = 5")
    manifest = json.loads(manifest_path(backup).read_text())
    manifest["sha256"] = sha256_of(backup)
    manifest_path(backup).write_text(json.dumps(manifest))
    capsys.readouterr()
    assert main(["db", "restore", str(backup), "--db", store, *admin(tmp_path)]) == 3
    err = capsys.readouterr().err
    assert err.startswith(f"mes-station: refused: {backup}: does not verify: TAMPERED")
    assert "Traceback" not in err


def test_restore_older_than_the_hubs_receipt_needs_force(
    store: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    backup = tmp_path / "b.db"
    assert main(["db", "backup", str(backup), "--db", store]) == 0
    eb.dispatch(store, eb.happy_path())
    with sqlite3.connect(path_of(store)) as con:
        head = con.execute("SELECT last_seq FROM chain_head").fetchone()[0]
        con.execute("DELETE FROM sync_state")
        con.execute(
            "INSERT INTO sync_state (id, uid, acked_seq, acked_at) VALUES (1, 'u-sync', ?, '2026-12-01 10:00:00')",
            (head,),
        )
    capsys.readouterr()
    assert main(["db", "restore", str(backup), "--db", store, *admin(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "WARNING" in err and f"acknowledged events up to {head}" in err
    assert "refused: give --force with an administrator's e-signature" in err
    with sqlite3.connect(path_of(store)) as con:
        assert con.execute("SELECT last_seq FROM chain_head").fetchone()[0] == head  # untouched
    # --force by someone who is not an administrator: refused, and the refusal is on record
    assert main(["db", "restore", str(backup), "--db", store, "--force", *admin(tmp_path, "op.alvarez")]) == 1
    assert "it needs the role admin" in capsys.readouterr().err
    with sqlite3.connect(path_of(store)) as con:
        assert con.execute("SELECT action FROM audit_events ORDER BY seq DESC LIMIT 1").fetchone() == (
            "command.refused",
        )
        head = con.execute("SELECT last_seq FROM chain_head").fetchone()[0]
    assert (
        main(["db", "restore", str(backup), "--db", store, "--force", *admin(tmp_path, password="wrong-1")])
        == 1
    )
    assert "refused: " in capsys.readouterr().err
    # --force with the administrator's e-signature: restored, and forced says so in the record
    assert main(["db", "restore", str(backup), "--db", store, "--force", *admin(tmp_path)]) == 0
    with sqlite3.connect(path_of(store)) as con:
        action, user, reason = con.execute(
            "SELECT action, user_id, reason FROM audit_events ORDER BY seq DESC LIMIT 1"
        ).fetchone()
    assert (action, user) == ("store.restored", "adm.kim")
    assert "forced past the hub's receipt of event" in reason
    (before,) = tmp_path.glob("station.before-restore-*.db")
    with sqlite3.connect(before) as con:  # the refusals stay in the store as it was before
        assert (
            con.execute("SELECT count(*) FROM audit_events WHERE action = 'command.refused'").fetchone()[0]
            >= 1
        )


def test_a_restore_into_no_store_authenticates_in_the_copy(
    store: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    backup = tmp_path / "b.db"
    assert main(["db", "backup", str(backup), "--db", store]) == 0
    fresh = tmp_path / "new" / "station.db"
    fresh.parent.mkdir()
    url = f"sqlite:///{fresh}"
    assert main(["db", "restore", str(backup), "--db", url, *admin(tmp_path, password="not-it-1")]) == 1
    assert "refused: " in capsys.readouterr().err
    assert not fresh.exists()  # there was no store, there is none
    assert main(["db", "restore", str(backup), "--db", url, *admin(tmp_path)]) == 0
    assert main(["ebr", "verify", "--db", url]) == 0
    assert main(["db", "restore", str(backup), "--db", url]) == 2  # who restores is not optional
    assert "--user" in capsys.readouterr().err


def test_bad_requests_are_one_line(store: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "restore", str(tmp_path / "none.db"), "--db", store, *admin(tmp_path)]) == 2
    assert capsys.readouterr().err.strip() == f"mes-station: {tmp_path / 'none.db'}: no such file"
    stray = tmp_path / "stray.db"
    stray.write_bytes(path_of(store).read_bytes())
    assert main(["db", "restore", str(stray), "--db", store, *admin(tmp_path)]) == 2
    assert "no manifest beside it" in capsys.readouterr().err
    assert main(["db", "backup", str(tmp_path / "nofolder" / "b.db"), "--db", store]) == 1
    assert capsys.readouterr().err.strip() == f"mes-station: {tmp_path / 'nofolder'}: no such folder"
    assert main(["db", "backup", str(tmp_path), "--db", f"sqlite:///{tmp_path / 'missing.db'}"]) == 1
    assert capsys.readouterr().err.strip() == f"mes-station: no such database: {tmp_path / 'missing.db'}"


def test_the_folder_keeps_the_newest(store: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    import os

    for n in range(4):
        assert main(["db", "backup", str(folder / f"b{n}.db"), "--db", store]) == 0
        os.utime(folder / f"b{n}.db", (1_700_000_000 + n, 1_700_000_000 + n))
    assert main(["db", "backup", str(folder / "b4.db"), "--db", store, "--keep", "2"]) == 0
    assert sorted(p.name for p in folder.glob("*.db")) == ["b3.db", "b4.db"]
    assert sorted(p.name for p in folder.glob("*.json")) == ["b3.db.manifest.json", "b4.db.manifest.json"]


def test_the_archive_holds_reviewed_batches_once(
    store: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import hashlib

    eb.dispatch(store, eb.happy_path())
    archive = tmp_path / "archive"
    assert main(["ebr", "archive", "--before", "2999-01-01", "-o", str(archive), "--db", store]) == 0
    assert "0 files of 0 batches archived (0 due" in capsys.readouterr().out  # not reviewed yet
    eb.review(store, "B-2611-001", approve=True, comment="record complete")
    assert main(["ebr", "archive", "--before", "2000-01-01", "-o", str(archive), "--db", store]) == 0
    assert "(0 due before 2000-01-01)" in capsys.readouterr().out
    assert main(["ebr", "archive", "--before", "2999-01-01", "-o", str(archive), "--db", store]) == 0
    assert "3 files of 1 batches archived" in capsys.readouterr().out
    (manifest_file,) = archive.glob("manifest-*.json")
    manifest = json.loads(manifest_file.read_text())
    assert {e["file"] for e in manifest["files"]} == {
        "B-2611-001/B-2611-001.pdf", "B-2611-001/B-2611-001.json", "B-2611-001/B-2611-001.batchml.xml"
    }  # fmt: skip
    for entry in manifest["files"]:
        assert hashlib.sha256((archive / entry["file"]).read_bytes()).hexdigest() == entry["sha256"]
    assert main(["ebr", "verify", "--file", str(archive / "B-2611-001" / "B-2611-001.json")]) == 0
    # the record stays in the store; a second run adds nothing
    assert main(["ebr", "archive", "--before", "2999-01-01", "-o", str(archive), "--db", store]) == 0
    assert "0 files of 0 batches archived (1 due" in capsys.readouterr().out
    assert main(["ebr", "verify", "B-2611-001", "--db", store]) == 0
    assert main(["ebr", "archive", "--before", "yesterday", "--db", store]) == 2


def test_doctor_reports_health_and_finds_an_altered_head(
    store: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    monkeypatch.setenv("MES_BACKUP_DIR", str(folder))
    eb.dispatch(store, eb.happy_path())
    assert main(["doctor", "--db", store]) == 0  # no backup yet: a warning
    out = capsys.readouterr().out
    assert "backup        warn  " in out and out.rstrip().endswith("healthy")
    assert main(["db", "backup", "--db", store]) == 0
    capsys.readouterr()
    assert main(["doctor", "--db", store]) == 0
    out = capsys.readouterr().out
    assert "database      ok    " in out and "matches its newest event" in out
    assert "backup        ok    last station-" in out
    tamper(
        path_of(store),
        "UPDATE audit_events SET reason = 'edited' WHERE seq = (SELECT max(seq) FROM audit_events)",
    )
    assert main(["doctor", "--db", store]) == 1
    out = capsys.readouterr().out
    assert "database      FAIL" in out and "was altered: run ebr verify" in out
    assert out.rstrip().endswith("FAILED: database")


def test_doctor_with_a_bad_configuration_or_an_unreachable_printer(
    store: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import socket

    bad = tmp_path / "station.toml"
    bad.write_text('[station]\nlanguage = "fr"\n')
    assert main(["--config", str(bad), "doctor", "--db", store]) == 1
    assert f"configuration FAIL  {bad}:2: station.language" in capsys.readouterr().out
    with socket.socket() as spare:  # a port nobody listens on
        spare.bind(("127.0.0.1", 0))
        port = spare.getsockname()[1]
    good = tmp_path / "printer.toml"
    good.write_text(
        f'[devices.printer]\naddress = "tcp://127.0.0.1:{port}"\n[backup]\nfolder = "{tmp_path}"\n'
    )
    assert main(["--config", str(good), "doctor", "--db", store]) == 1
    out = capsys.readouterr().out
    assert f"printer       FAIL  tcp://127.0.0.1:{port}: Connection refused" in out


def test_a_store_from_newer_software_is_refused_not_opened(
    store: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with sqlite3.connect(path_of(store)) as con:
        con.execute("UPDATE alembic_version SET version_num = '9999'")
    before = path_of(store).read_bytes()
    assert main(["db", "upgrade", "--db", store]) == 2
    err = capsys.readouterr().err
    assert err.startswith(
        f"mes-station: {store}: its schema (9999) is newer than this software (mes-station "
    )
    assert path_of(store).read_bytes() == before


def test_doctor_asks_the_configured_scale_for_its_serial(
    store: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from hardware.simulators.scale import ScaleSimulator

    link = tmp_path / "scale"
    scale = ScaleSimulator("mt-sics", serial_number="B150-4471920", link=str(link))  # SCL-150-01's
    scale.start()
    try:
        config = tmp_path / "station.toml"
        base = f'[backup]\nfolder = "{tmp_path}"\n[devices.scale]\nport = "{link}"\n'
        config.write_text(base + 'equipment = "SCL-150-01"\n')
        assert main(["--config", str(config), "doctor", "--db", store]) == 0
        assert (
            f"scale         ok    {link} = SCL-150-01: answers, serial B150-4471920"
            in capsys.readouterr().out
        )
        config.write_text(base + 'equipment = "SCL-150-01"\nserial_number = "B123456789"\n')
        assert main(["--config", str(config), "doctor", "--db", store]) == 1
        out = capsys.readouterr().out
        assert "scale         FAIL  " in out and "serial B150-4471920, expected B123456789" in out
        config.write_text(base + 'equipment = "SCL-999"\n')
        assert main(["--config", str(config), "doctor", "--db", store]) == 1
        assert "equipment SCL-999 is not in the master data" in capsys.readouterr().out
    finally:
        scale.stop()
    config.write_text(base + 'equipment = "SCL-150-01"\n')
    assert main(["--config", str(config), "doctor", "--db", store]) == 1
    assert "scale         FAIL  " in capsys.readouterr().out


def test_doctor_reaches_the_hub_and_the_printer(
    store: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import socket

    with socket.socket() as hub, socket.socket() as printer:
        for listener in (hub, printer):
            listener.bind(("127.0.0.1", 0))
            listener.listen()
        config = tmp_path / "station.toml"
        config.write_text(
            f'[hub]\nurl = "https://127.0.0.1:{hub.getsockname()[1]}"\n'
            f'[devices.printer]\naddress = "tcp://127.0.0.1:{printer.getsockname()[1]}"\n'
            f'[backup]\nfolder = "{tmp_path}"\n'
        )
        assert main(["--config", str(config), "doctor", "--db", store]) == 0
        out = capsys.readouterr().out
        assert (
            f"hub           ok    https://127.0.0.1:{hub.getsockname()[1]}: reachable, no receipt yet" in out
        )
        assert f"printer       ok    tcp://127.0.0.1:{printer.getsockname()[1]}: reachable" in out


def test_doctor_names_a_bad_store_url_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["doctor", "--db", "nonsense"]) == 1
    captured = capsys.readouterr()
    assert "database      FAIL  not a database URL: 'nonsense'" in captured.out
    assert captured.err == ""


def test_a_backup_taken_before_an_upgrade_verifies_and_restores_at_this_schema(tmp_path: Path) -> None:
    """The upgrade's own backup holds the older version's schema: it is verified as this
    software would run it (a migrated copy; the backup itself is not touched), and restored
    into a store that is then migrated and verified. (The package test does the same with the
    older version's own package: tests/packaging.)"""
    import shutil

    from ebr.backup import check_backup, restore_backup, sha256_of
    from ebr.migrate import head_revision

    legacy = Path(__file__).resolve().parents[1] / "data" / "legacy" / "before-vocabulary.db"
    old = tmp_path / "old.db"
    shutil.copyfile(legacy, old)
    assert main(["db", "backup", str(tmp_path / "before-upgrade.db"), "--db", f"sqlite:///{old}"]) == 0
    backup = tmp_path / "before-upgrade.db"
    digest = sha256_of(backup)
    manifest = check_backup(backup)
    assert manifest["schema_revision"] == "0001" and sha256_of(backup) == digest
    target = tmp_path / "restored.db"
    restore_backup(backup, f"sqlite:///{target}", manifest)
    with sqlite3.connect(target) as con:
        assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0] == head_revision()
    assert main(["ebr", "verify", "--db", f"sqlite:///{target}"]) == 0
    # a backup of a store newer than this software: refused, with the reason
    newer = tmp_path / "newer.db"
    shutil.copyfile(target, newer)
    with sqlite3.connect(newer) as con:
        con.execute("UPDATE alembic_version SET version_num = '9999'")
    assert main(["db", "backup", str(tmp_path / "newer-backup.db"), "--db", f"sqlite:///{newer}"]) == 1
