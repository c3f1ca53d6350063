"""Crash safety, for real: `mes-station run` is SIGKILLed at random moments, many times.

After every kill the database opens, the audit trail verifies, every action the runner had
reported as recorded is in the record, and running the same script again resumes the batch
at the right step (the runner skips what the record already holds). At the end the batch is
complete with every step done exactly once.
"""

from __future__ import annotations

import hashlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ebr.database import open_database
from ebr.verify import verify
from tests.station.conftest import HAPPY

KILLS = int(os.environ.get("MES_CRASH_KILLS", "50"))
SEED = int(os.environ.get("MES_CRASH_SEED", "20261126"))
REFUSED_SCANS = 40


def _long_script(tmp_path: Path) -> Path:
    """The happy path with many refused scans in the middle: a long script of small actions."""
    refused = "".join(
        '  - scan: {step: OP20.S10, code: "SCL-150-02"}\n'
        "  - expect: {outcome: refused, reason: equipment_calibration_due}\n"
        for _ in range(REFUSED_SCANS)
    )
    text = HAPPY.read_text(encoding="utf-8").replace(
        '  - scan: {step: OP20.S10, code: "SCL-150-01"}\n',
        refused + '  - scan: {step: OP20.S10, code: "SCL-150-01"}\n',
    )
    path = tmp_path / "long.yaml"
    path.write_text(text, encoding="utf-8")
    return path


SESSION_ACTIONS = ("login", "logout", "start")  # not part of the batch record: carried out again


def _recorded(lines: list[str]) -> set[int]:
    """Indexes of the batch actions the runner reported as recorded."""
    found = set()
    for line in lines:
        if line.startswith("recorded "):
            words = line.split()
            if words[4].rstrip(":") not in SESSION_ACTIONS:
                found.add(int(words[1]))
    return found


@pytest.mark.slow
def test_sigkill_at_random_moments_loses_nothing(approved_db: str, tmp_path: Path) -> None:
    rng = random.Random(SEED)
    script = _long_script(tmp_path)
    digest = hashlib.sha256(script.read_text(encoding="utf-8").encode()).hexdigest()[:16]
    cmd = [sys.executable, "-m", "station.cli", "run", str(script), "--db", approved_db]
    reported: set[int] = set()
    kills = 0
    finished = False
    batch, rounds = "B-2611-001", 0
    while kills < KILLS:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert proc.stdout is not None
        lines: list[str] = []
        wanted = rng.randint(1, 3)  # new actions to let through before the kill
        new = 0
        for line in proc.stdout:
            lines.append(line)
            if line.startswith("recorded "):
                new += 1
                if new >= wanted:
                    break
        if proc.poll() is None and new >= wanted:
            time.sleep(rng.uniform(0, 0.03))  # somewhere inside the next action
            proc.send_signal(signal.SIGKILL)
            kills += 1
        rest, err = proc.communicate(timeout=60)
        lines += rest.splitlines(keepends=True)
        reported |= _recorded(lines)
        if proc.returncode == 0:
            finished = True
            if kills < KILLS:  # start over on a new copy of the batch to reach the kill count
                rounds += 1
                text = script.read_text(encoding="utf-8")
                script.write_text(text.replace(f"id: {batch},", f"id: B-CRASH-{rounds},"), encoding="utf-8")
                batch = f"B-CRASH-{rounds}"
                digest = hashlib.sha256(script.read_text(encoding="utf-8").encode()).hexdigest()[:16]
                cmd[4] = str(script)
                reported = set()
            continue
        assert proc.returncode == -signal.SIGKILL, err

        # The database opens and verifies, and holds every reported action.
        db = open_database(approved_db)
        try:
            report = verify(db)
            assert report.ok, report.first_bad
        finally:
            db.dispose()
        with sqlite3.connect(approved_db.removeprefix("sqlite:///")) as con:
            values = [
                r[0]
                for r in con.execute(
                    "select new_value from audit_events where new_value like ?", (f'%"request":"{digest}:%',)
                )
            ]
        held = {int(v.split(f'"request":"{digest}:')[1].split('"')[0]) for v in values}
        assert reported <= held, f"reported but not recorded: {sorted(reported - held)}"

    # Let the last batch run to its end and check that every step was done exactly once.
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert finished or "completed" in result.stdout
    with sqlite3.connect(approved_db.removeprefix("sqlite:///")) as con:
        per_step = con.execute(
            "select batch_id, step_id, count(*) from step_executions group by batch_id, step_id having count(*) > 1"
        ).fetchall()
        weighed = con.execute(
            "select batch_id, step_id, count(*) from lot_consumptions group by batch_id, step_id having count(*) > 1"
        ).fetchall()
        completed = con.execute(
            "select count(*) from batch_status_changes where status='completed'"
        ).fetchone()[0]
        batches = con.execute("select count(*) from batches").fetchone()[0]
    assert per_step == [] and weighed == []
    assert completed == batches
    db = open_database(approved_db)
    try:
        assert verify(db).ok
    finally:
        db.dispose()
