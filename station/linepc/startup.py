"""The touchscreen's start: its configuration, or the reason it cannot start, where plant IT
looks for it (on the screen under the kiosk, and in the journal through stderr)."""

from __future__ import annotations

import argparse
import os
import sys

from station.config import Config, ConfigInvalid, load_config
from station.errors import UsageError


def station_configuration(args: argparse.Namespace) -> Config:
    explicit = getattr(args, "config", None)
    try:
        return load_config(explicit)
    except ConfigInvalid as exc:
        for line in exc.problems[1:]:
            print(f"mes-station: {line}", file=sys.stderr)
        if _has_screen():
            from station.ui.startup_error import show_startup_error

            show_startup_error(exc.problems)
        raise UsageError(exc.problems[0]) from None


_THIS_STATION: dict[str, object] = {}


def remember(config: Config, url: str | None) -> None:
    """The configuration and store this process's touchscreen runs on, for its health screen."""
    _THIS_STATION.update(config=config, url=url)


def this_station() -> tuple[Config, str | None]:
    """What ``remember`` kept; else the configuration as a command would read it."""
    config = _THIS_STATION.get("config")
    if not isinstance(config, Config):
        config = load_config(None)
        return config, config.explicit("database.url")
    url = _THIS_STATION.get("url")
    return config, url if isinstance(url, str) else None


def _has_screen() -> bool:
    if os.environ.get("QT_QPA_PLATFORM", "") in ("offscreen", "minimal"):
        return False
    return bool(os.environ.get("WAYLAND_DISPLAY") or os.environ.get("DISPLAY"))
