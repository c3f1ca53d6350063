"""The backup's schedule: ``backup.schedule`` in station.toml, checked like every key, shown by
``config check``, and written into the backup timer by the package's systemd generator; systemd
itself (``systemd-analyze``) accepts every schedule the station accepts."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from station.cli import main
from station.linepc.schedule import DROP_IN, TIMER, on_calendar

ROOT = Path(__file__).resolve().parents[2]
UNITS = ROOT / "packaging" / "systemd"

SCHEDULES = {
    "daily": ("daily",),
    "hourly": ("hourly",),
    "02:30": ("*-*-* 02:30:00",),
    "18:00, 06:00": ("*-*-* 06:00:00", "*-*-* 18:00:00"),
    "Mon..Fri 02:30": ("Mon..Fri *-*-* 02:30:00",),
    "Sat,Sun 12:00,23:59": ("Sat,Sun *-*-* 12:00:00", "Sat,Sun *-*-* 23:59:00"),
}


def test_each_schedule_is_a_calendar_systemd_accepts() -> None:
    for schedule, expected in SCHEDULES.items():
        assert on_calendar(schedule) == expected, schedule
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed")
    for expressions in SCHEDULES.values():
        done = subprocess.run(["systemd-analyze", "calendar", *expressions], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr


def _generate(config: Path, folder: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MES_")}
    env["MES_STATION_CONFIG"] = str(config)
    return subprocess.run(
        [sys.executable, "-m", "station.linepc.schedule", str(folder), str(folder / "early"), str(folder / "late")],
        cwd=ROOT, capture_output=True, text=True, env=env, timeout=60,
    )  # fmt: skip


def test_the_generator_writes_the_timer_drop_in_and_systemd_takes_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "station.toml"
    config.write_text('[backup]\nkeep = 7\nschedule = "Mon..Fri 02:30, 14:30"\n')
    assert main(["config", "check", "--config", str(config)]) == 0
    shown = [line for line in capsys.readouterr().out.splitlines() if line.startswith("backup.schedule")]
    assert len(shown) == 1 and '"Mon..Fri 02:30, 14:30"' in shown[0] and shown[0].endswith(f"# {config}:3")

    units = tmp_path / "units"
    done = _generate(config, units)
    assert done.returncode == 0 and done.stderr == ""
    drop_in = units / f"{TIMER}.d" / DROP_IN
    assert drop_in.read_text().splitlines()[1:] == [
        "[Timer]",
        "OnCalendar=",
        "OnCalendar=Mon..Fri *-*-* 02:30:00",
        "OnCalendar=Mon..Fri *-*-* 14:30:00",
    ]
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed")
    # The timer as the package installs it, with the drop-in beside it where systemd looks.
    shutil.copy(UNITS / TIMER, units / TIMER)
    service = (UNITS / "mes-station-backup.service").read_text()
    program = str(Path(sys.executable).with_name("mes-station"))
    (units / "mes-station-backup.service").write_text(service.replace("/usr/bin/mes-station", program))
    env = {**os.environ, "SYSTEMD_UNIT_PATH": f"{units}:"}
    verified = subprocess.run(
        ["systemd-analyze", "verify", str(units / TIMER)], capture_output=True, text=True, env=env
    )
    assert verified.returncode == 0, verified.stderr
    # and systemd would refuse a drop-in that was not a calendar: the check above can fail
    drop_in.write_text("[Timer]\nOnCalendar=\nOnCalendar=02:30 every day\n")
    refused = subprocess.run(
        ["systemd-analyze", "verify", str(units / TIMER)], capture_output=True, text=True, env=env
    )
    assert refused.returncode != 0


def test_a_bad_file_writes_no_drop_in_and_never_fails_the_boot(tmp_path: Path) -> None:
    config = tmp_path / "station.toml"
    config.write_text('[backup]\nschedule = "at dawn"\n')
    units = tmp_path / "units"
    done = _generate(config, units)
    assert done.returncode == 0
    assert done.stderr == (
        f"mes-station-backup-schedule: {config}:2: backup.schedule: 'at dawn' is not a schedule: hourly, "
        "daily, weekly, or HH:MM[,HH:MM] with days before it if not every day (Mon..Fri 02:30); "
        "the backup stays daily\n"
    )
    assert not (units / f"{TIMER}.d").exists()
    # a file that is not there: no drop-in either (the unit's own daily)
    assert _generate(tmp_path / "none.toml", units).returncode == 0
    assert not (units / f"{TIMER}.d").exists()
    # a file without a schedule: the default, daily
    config.write_text("[backup]\nkeep = 3\n")
    assert _generate(config, units).returncode == 0
    assert "OnCalendar=daily" in (units / f"{TIMER}.d" / DROP_IN).read_text()
