"""When the backup timer runs: ``backup.schedule`` in station.toml, turned into the timer's
``OnCalendar=`` by a systemd generator, so the file stays the one place plant IT edits.

systemd runs the generator (``/lib/systemd/system-generators/mes-station-backup-schedule``) at
boot and at every ``systemctl daemon-reload``; it writes a drop-in for
``mes-station-backup.timer`` into the generator folder (under /run: nothing of it survives a
reboot without the file). A file that does not validate writes no drop-in: the timer keeps the
unit's own ``daily``, and ``mes-station config check`` and ``doctor`` show the problem.

The values a schedule takes are a small, checked part of systemd's calendar syntax:
``hourly``, ``daily``, ``weekly``, or times of day ``HH:MM`` (several with commas) on every day
or on some days (``Mon..Fri 02:30``, ``Sat,Sun 12:00``).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

TIMER = "mes-station-backup.timer"
DROP_IN = "50-backup-schedule.conf"
KEYWORDS = ("hourly", "daily", "weekly")
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_TIME = r"([01]\d|2[0-3]):([0-5]\d)"
_DAYS = r"(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)(?:\.\.(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun))?)"


def on_calendar(value: str) -> tuple[str, ...]:
    """The timer's ``OnCalendar=`` values for a schedule; raises ValueError with what is wrong."""
    text = " ".join(str(value).split())
    if text in KEYWORDS:
        return (text,)
    found = re.fullmatch(rf"(?:({_DAYS}(?:,{_DAYS})*) )?({_TIME}(?:, ?{_TIME})*)", text)
    if found is None:
        raise ValueError(
            f"{text!r} is not a schedule: hourly, daily, weekly, or HH:MM[,HH:MM] "
            "with days before it if not every day (Mon..Fri 02:30)"
        )
    days, times = found.group(1), found.group(2)
    for span in (days or "").split(","):
        if ".." in span:
            first, last = span.split("..")
            if DAYS.index(first) >= DAYS.index(last):
                raise ValueError(f"{span!r}: the days run the wrong way (Mon..Fri)")
    prefix = f"{days} " if days else ""
    moments = sorted({t.strip() for t in times.split(",")})
    return tuple(f"{prefix}*-*-* {moment}:00" for moment in moments)


def backup_schedule(value: object) -> str:
    """The configuration's check of ``backup.schedule`` (``station.config``)."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be a non-empty text")
    on_calendar(value)
    return " ".join(value.split())


def drop_in(schedule: str) -> str:
    lines = "\n".join(f"OnCalendar={when}" for when in on_calendar(schedule))
    return (
        "# Made by mes-station-backup-schedule from backup.schedule in the station's configuration.\n"
        f"[Timer]\nOnCalendar=\n{lines}\n"
    )


def generate(folder: Path) -> str | None:
    """Write the timer's drop-in into ``folder`` (a generator's normal folder); the schedule
    written, or None when the configuration does not validate (the problem goes to stderr)."""
    from station.config import ConfigInvalid, load_config

    try:
        config = load_config(None)
    except ConfigInvalid as exc:
        print(f"mes-station-backup-schedule: {exc.problems[0]}; the backup stays daily", file=sys.stderr)
        return None
    schedule = str(config.get("backup.schedule"))
    target = folder / f"{TIMER}.d"
    target.mkdir(parents=True, exist_ok=True)
    (target / DROP_IN).write_text(drop_in(schedule), encoding="utf-8")
    return schedule


def main(argv: list[str]) -> int:
    """``python -m station.linepc.schedule NORMAL_DIR [EARLY_DIR LATE_DIR]`` (as systemd calls a
    generator). Never fails the boot: a problem is a line on stderr, and exit 0."""
    if not argv:
        print("usage: python -m station.linepc.schedule NORMAL_DIR [EARLY_DIR LATE_DIR]", file=sys.stderr)
        return 2
    try:
        generate(Path(argv[0]))
    except OSError as exc:
        print(f"mes-station-backup-schedule: {exc}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
