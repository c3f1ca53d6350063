"""A full disk: one clear line, exit 1, nothing half-written, and the station carries on once
space is freed. A real small file system (tmpfs) is filled; without the right to mount one
(not root, or a container that forbids it) the test is skipped."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from station.composition import build_engine, open_store
from station.engine import api
from tests.station.conftest import HAPPY, do, run_cli


def _fill(folder: Path) -> Path:
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        while os.write(fd, b"\0" * 4096):
            pass
    except OSError:  # no space left: what the test wants
        pass
    finally:
        os.close(fd)
    return filler


@pytest.fixture
def small_disk(approved_db: str, tmp_path: Path) -> Iterator[Path]:
    if os.geteuid() != 0:
        pytest.skip("mounting a small file system needs root")
    mount = tmp_path / "disk"
    mount.mkdir()
    size = Path(approved_db.removeprefix("sqlite:///")).stat().st_size + 2 * 1024 * 1024
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount)], capture_output=True, text=True
    )
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.strip()}")
    try:
        shutil.copy(approved_db.removeprefix("sqlite:///"), mount / "station.db")
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_command_on_a_full_disk_says_so_and_writes_nothing(small_disk: Path) -> None:
    url = f"sqlite:///{small_disk / 'station.db'}"
    filler = _fill(small_disk)
    result = run_cli("run", str(HAPPY), "--db", url)
    assert result.returncode == 1, result.stderr
    assert result.stderr.strip() == (
        f"mes-station: the disk holding database {url} is full: nothing of this was written; "
        "free space (`mes-station doctor` shows it) and try again"
    )
    filler.unlink()
    assert run_cli("ebr", "verify", "--db", url).returncode == 0
    assert run_cli("run", str(HAPPY), "--db", url).returncode == 0


def test_the_disk_filling_up_during_a_batch_loses_no_action(small_disk: Path) -> None:
    """The station is running when the disk fills: the action is answered with the reason, not
    recorded; after space is freed the same action is recorded once and the chain verifies."""
    url = f"sqlite:///{small_disk / 'station.db'}"
    engine = build_engine(db=open_store(url))
    try:
        do(
            engine,
            api.Login(user="op.alvarez", password="Granul8-Alvarez.26"),
            api.StartBatch("B-FULL-1", "PARA500-GRAN", 3, Decimal(120), "kg"),
        )
        filler = _fill(small_disk)
        refused = engine.dispatch(api.Confirm("OP10.S10"))
        assert refused.status == "error" and "is full" in refused.message, refused
        filler.unlink()
        assert engine.dispatch(api.Confirm("OP10.S10")).status == "done"
    finally:
        engine.db.dispose()
    verified = run_cli("ebr", "verify", "B-FULL-1", "--db", url)
    assert verified.returncode == 0, verified.stderr
    exported = run_cli(
        "ebr", "export", "B-FULL-1", "--format", "json", "-o", str(small_disk / "b.json"), "--db", url
    )
    assert exported.returncode == 0, exported.stderr
    assert (small_disk / "b.json").read_text(encoding="utf-8").count('"OP10.S10"') >= 1


def test_an_archive_on_read_only_media_verifies_and_exports(small_disk: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{small_disk / 'station.db'}"
    assert run_cli("run", str(HAPPY), "--db", url).returncode == 0
    remounted = subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], capture_output=True, text=True)
    if remounted.returncode != 0:
        pytest.skip(f"cannot remount read-only: {remounted.stderr.strip()}")
    verified = run_cli("ebr", "verify", "--db", url)
    assert verified.returncode == 0 and "intact" in verified.stdout, verified.stderr
    out = tmp_path / "b.pdf"
    assert (
        run_cli("ebr", "export", "B-2611-001", "--format", "pdf", "-o", str(out), "--db", url).returncode == 0
    )
    assert out.read_bytes().startswith(b"%PDF")
    shown = run_cli("audit", "show", "--site", "--db", url)
    assert shown.returncode == 0 and "login" in shown.stdout, shown.stderr
    # A command that writes gets one line, not a traceback.
    written = run_cli("run", str(HAPPY), "--db", url)
    assert written.returncode == 2, written.stderr
    assert written.stderr.strip() == (
        f"mes-station: database {url} is on read-only media: it can be verified, exported and shown "
        "(`ebr verify`, `ebr export`, `audit show`), not written"
    )
